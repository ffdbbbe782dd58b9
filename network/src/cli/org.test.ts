import 'reflect-metadata'; // @peculiar/x509 (tsyringe), loaded through the CLI's other command groups
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../scripts/creditchain.js';
import { connectionProfileJson } from '../ops/connection-profile.js';
import { profileHome } from '../ops/home.js';
import { readOrgKeys, type LedgerOrgKeys, type OrgKey, type OrgKeyLedger } from '../ops/org-keys.js';
import { loadProfileFile, type OperatorProfile } from '../ops/profile-file.js';
import type { CliContext } from './context.js';
import { findOrg, rotateCommand, type OrgDeps, type OrgLedgerTarget } from './org.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'profiles', 'creditchain.yaml');
const DOMAIN = 'pearl.creditchain.example';

describe('creditchain org key rotate', () => {
  let base: string;
  let profile: OperatorProfile;
  let lines: string[];
  let targets: OrgLedgerTarget[];
  let state: LedgerOrgKeys | undefined;
  let closed: number;

  const home = () => profileHome(base, 'creditchain');
  const ctx = (): CliContext => ({
    home: home().dir,
    profileName: 'creditchain',
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    root: '/repo',
    target: () => Promise.resolve({ profile, home: home() }),
  });
  const deps: OrgDeps = {
    ledger: (target): OrgKeyLedger & { close(): void } => {
      targets.push(target);
      return {
        profile: () => Promise.resolve(state),
        publish: (key: OrgKey) => {
          const at = '2026-11-26T10:00:00.000000000Z';
          state = {
            activeKeyId: key.keyId,
            keys: [
              ...(state?.keys ?? []).map((k) => ({ ...k, status: 'retired', retiredAt: at })),
              { keyId: key.keyId, status: 'active', publishedAt: at, retiredAt: null },
            ],
          };
          return Promise.resolve({ profile: state, txId: 'ab'.repeat(32), block: 7n });
        },
        close: () => {
          closed++;
        },
      };
    },
  };

  async function writeHome(peerAddress = 'localhost:18051', tls = true): Promise<void> {
    const dir = home().dir;
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'connection-pearl.json'),
      connectionProfileJson({
        profileName: 'creditchain',
        mspId: 'PearlMSP',
        domain: DOMAIN,
        peerHost: `peer0.${DOMAIN}`,
        peerAddress,
        tls,
        tlsCaPem: 'TLS CA PEM',
        caPem: 'CA PEM',
        caPort: 8054,
      }),
    );
    const msp = join(dir, 'organizations', 'peerOrganizations', DOMAIN, 'users', `Admin@${DOMAIN}`, 'msp');
    await mkdir(join(msp, 'signcerts'), { recursive: true });
    await mkdir(join(msp, 'keystore'), { recursive: true });
    await writeFile(join(msp, 'signcerts', 'cert.pem'), 'ADMIN CERT');
    await writeFile(join(msp, 'keystore', 'priv_sk'), 'ADMIN KEY');
  }

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-org-'));
    profile = await loadProfileFile(PROFILE);
    lines = [];
    targets = [];
    state = { activeKeyId: 'x25519-0000000000000001', keys: [] };
    closed = 0;
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('is registered on the creditchain program', () => {
    const org = buildProgram().commands.find((c) => c.name() === 'org');
    const rotate = org?.commands.find((c) => c.name() === 'key')?.commands.find((c) => c.name() === 'rotate');
    expect(rotate?.options.map((o) => o.long)).toEqual(['--org', '--user']);
  });

  it('names organisations by MSP id, name or domain, and lists them for an unknown one', () => {
    const orgs = profile.network.orgs;
    for (const q of ['PearlMSP', 'pearl', 'Pearl', DOMAIN]) expect(findOrg(orgs, q).mspId).toBe('PearlMSP');
    expect(() => findOrg(orgs, 'Bohai')).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_ORG',
        hint: expect.stringContaining('YangtzeMSP, PearlMSP, JingJinJiMSP, RegulatorMSP'),
      }),
    );
  });

  it('publishes as the organisation’s Admin through its own peer and keeps the key in keys/<MSP>', async () => {
    await writeHome();
    const result = await rotateCommand({ org: 'pearl' }, ctx(), deps);
    expect(targets).toEqual([
      {
        mspId: 'PearlMSP',
        channel: 'creditchain',
        chaincode: 'credit',
        peer: {
          address: 'localhost:18051',
          hostAlias: `peer0.${DOMAIN}`,
          tls: true,
          tlsRootCertPem: 'TLS CA PEM',
        },
        user: { mspId: 'PearlMSP', name: 'Admin', certPem: 'ADMIN CERT', keyPem: 'ADMIN KEY' },
      },
    ]);
    expect(closed).toBe(1);
    expect(result).toMatchObject({ outcome: 'created', previousKeyId: 'x25519-0000000000000001' });
    expect((await readOrgKeys(home().keys, 'PearlMSP')).map((k) => k.keyId)).toEqual([result.key.keyId]);
    expect(lines.join('\n')).toContain(
      `active key is now ${result.key.keyId}; x25519-0000000000000001 is retired`,
    );
    expect(lines.join('\n')).toContain(`in transaction ${'ab'.repeat(32)} (block 7)`);
  });

  it('says what to do when the network has not written its connection profile', async () => {
    await expect(rotateCommand({ org: 'PearlMSP' }, ctx(), deps)).rejects.toMatchObject({
      code: 'NO_CONNECTION_PROFILE',
      hint: expect.stringContaining('creditchain network up'),
    });
    expect(targets).toEqual([]);
  });

  it('refuses a publisher the home holds no enrolment for, before creating a key', async () => {
    await writeHome();
    await expect(rotateCommand({ org: 'PearlMSP', user: 'Nobody' }, ctx(), deps)).rejects.toMatchObject({
      code: 'NO_ADMIN_IDENTITY',
    });
    expect(await readOrgKeys(home().keys, 'PearlMSP')).toEqual([]);
  });

  it('fails before creating a key when the organisation’s peer does not answer', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    await writeHome(`127.0.0.1:${port}`, false);
    const msp = join(
      home().dir,
      'organizations',
      'peerOrganizations',
      DOMAIN,
      'users',
      `Admin@${DOMAIN}`,
      'msp',
    );
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await writeFile(join(msp, 'keystore', 'priv_sk'), key.export({ format: 'pem', type: 'pkcs8' }));
    await expect(rotateCommand({ org: 'PearlMSP' }, ctx())).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
      hint: expect.stringContaining('creditchain network up'),
    });
    expect(await readOrgKeys(home().keys, 'PearlMSP')).toEqual([]);
  });
});
