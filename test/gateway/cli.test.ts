/**
 * The member and enterprise CLI (`creditchain report|subject|consent|gateway`) against the default
 * consortium: Yangtze's and Pearl's gateways provisioned as `npm start` provisions them (TLS
 * certificate, wallet of the organisation's users, configuration) and started in-process from
 * their configuration files, a local gateway directory in the format `npm start` writes, and every
 * command run in-process as an operator would type it. Officers authenticate with their enrolment
 * certificates from the directory; the admin issues and revokes a token.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIRECTORY_VERSION,
  directoryFile,
  type GatewayDirectory,
} from '../../gateway/src/client/directory.js';
import { runCli, type CliRun } from '../../gateway/src/cli/testing/run-cli.js';
import { loadConfig, type GatewayConfig } from '../../gateway/src/config.js';
import { startGateway, type RunningGateway } from '../../gateway/src/main.js';
import { freePort } from '../../network/src/chaincode/process.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { provisionGateways, WALLET_SECRET_ENV } from '../../network/src/ops/gateways/provision.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const USCC = '91110000600037341L';
const REPORT = {
  periodStart: '2025-01-01',
  periodEnd: '2025-12-31',
  revenue: { amount: '386500000.00', currency: 'CNY' },
  netProfit: { amount: '21730000.55', currency: 'CNY' },
  taxCreditRating: 'A',
  employees: 1312,
  source: 'audited_statement',
};
const ORGS = ['YangtzeMSP', 'PearlMSP'];

describe('the member and enterprise CLI on the default consortium', () => {
  let base: string;
  let work: string;
  let home: ProfileHome;
  let session: NetworkSession;
  const gateways: RunningGateway[] = [];
  let directory: GatewayDirectory;

  const cli = (...args: string[]): Promise<CliRun> => runCli({ profileDir: home.dir }, args);
  const ok = (run: CliRun): CliRun => {
    expect(run.err, run.err.join('\n')).toEqual([]);
    expect(run.code).toBe(0);
    return run;
  };
  const field = (run: CliRun, name: string): string =>
    new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(run.stdout)?.[1] ?? '';
  const file = (name: string) => join(work, name);

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-cli-'));
    work = join(base, 'work');
    home = profileHome(join(base, 'net'), 'creditchain');
    const profile = await loadProfileFile(PROFILE);
    session = await NetworkSession.start(profile, { home, freePorts: true, progress: () => undefined });
    const orgs = await Promise.all(
      profile.network.orgs
        .filter((org) => ORGS.includes(org.mspId))
        .map(async (org) => ({ org, port: await freePort('127.0.0.1') })),
    );
    const provisioned = await provisionGateways({
      profileDir: home.dir,
      keysDir: home.keys,
      channel: session.net.channelId,
      chaincode: 'credit',
      orgs,
      identity: (mspId, name) => session.net.identity(mspId, name),
    });
    for (const gw of provisioned) {
      // The audit read model is another component's concern; these gateways run without it.
      const config: { -readonly [K in keyof GatewayConfig]: GatewayConfig[K] } = {
        ...(await loadConfig(gw.configFile)),
        logLevel: 'silent',
      };
      delete config.audit;
      gateways.push(await startGateway(config, { [WALLET_SECRET_ENV]: gw.walletSecret }));
    }
    directory = {
      version: DIRECTORY_VERSION,
      profile: 'creditchain',
      gateways: provisioned.map((gw) => ({
        mspId: gw.mspId,
        org: gw.org,
        url: `https://localhost:${String(gw.port)}`,
        tlsCaFile: gw.tlsCaFile,
        configFile: gw.configFile,
        users: gw.users,
      })),
    };
    await writeFile(directoryFile(home.dir), `${JSON.stringify(directory, null, 2)}\n`);
    await mkdir(work, { recursive: true });
    await writeFile(file('report.json'), JSON.stringify(REPORT));
  });

  afterAll(async () => {
    for (const gw of gateways.reverse()) await gw.close();
    await session.stop();
    await rm(base, { recursive: true, force: true });
  });

  let subjectRef: string;
  let reportId: string;

  it('lists the local gateways', async () => {
    const run = ok(await cli('gateway', 'list'));
    expect(run.out[1]).toMatch(/^ORG\s+MSP\s+URL\s+USERS$/);
    expect(run.stdout).toMatch(
      /^yangtze\s+YangtzeMSP\s+https:\/\/localhost:\d+\s+Admin \(admin\), User1 \(member\), User2 \(member\)$/m,
    );
    expect(run.stdout).toMatch(/^pearl\s+PearlMSP\s+/m);
  });

  it('the enterprise generates its key; Yangtze registers it and submits a report', async () => {
    const keygen = ok(await cli('subject', 'keygen', '--out', file('enterprise.json')));
    const address = /^address (0x[0-9a-fA-F]{40})$/m.exec(keygen.stdout)?.[1];
    const register = ok(
      await cli('subject', 'register', '--org', 'yangtze', '--uscc', USCC, '--key', file('enterprise.json')),
    );
    subjectRef = field(register, 'subjectRef');
    expect(subjectRef).toMatch(/^[0-9a-f]{64}$/);
    expect(field(register, 'signer')).toBe(address);
    // Pearl's gateway holds the same consortium subject key: the same pseudonym.
    expect(field(ok(await cli('subject', 'lookup', '--org', 'pearl', '--uscc', USCC)), 'subjectRef')).toBe(
      subjectRef,
    );

    const submitted = ok(
      await cli(
        'report',
        'submit',
        '--org',
        'yangtze',
        '--category',
        'business',
        '--schema-version',
        '1.0',
        '--uscc',
        USCC,
        '--file',
        file('report.json'),
      ),
    );
    reportId = field(submitted, 'report');
    expect(field(submitted, 'subject')).toBe(subjectRef);
    expect(submitted.stdout).toMatch(/^provider\s+YangtzeMSP \/ YRD-BANK-01$/m);
    const list = ok(await cli('report', 'list', '--org', 'yangtze', '--subject-ref', subjectRef));
    expect(list.stdout).toContain(reportId);
  });

  it('the enterprise signs a consent offline; Pearl records it and retrieves the report once', async () => {
    const signed = ok(
      await cli(
        'consent',
        'sign',
        '--key',
        file('enterprise.json'),
        '--subject-ref',
        subjectRef,
        '--grantee',
        'PearlMSP',
        '--institution',
        'PRD-BANK-01',
        '--categories',
        'business,basic',
        '--purpose',
        'loan_underwriting',
        '--not-after',
        '30d',
        '--out',
        file('consent.json'),
      ),
    );
    const consentId = /^consent ([0-9a-f]{64})$/m.exec(signed.stdout)?.[1] ?? '';
    const granted = ok(await cli('consent', 'grant', '--org', 'pearl', '--file', file('consent.json')));
    expect(field(granted, 'consent')).toBe(consentId);
    expect(granted.stdout).toMatch(/^grantee\s+PearlMSP \/ PRD-BANK-01$/m);

    const got = ok(
      await cli(
        'report',
        'retrieve',
        reportId,
        '--org',
        'pearl',
        '--consent',
        consentId,
        '--purpose',
        'loan_underwriting',
        '--out',
        file('retrieved.json'),
      ),
    );
    expect(got.out[0]).toMatch(/^receipt \S+ \(block \d+, tx \S+\)$/);
    expect(JSON.parse(await readFile(file('retrieved.json'), 'utf8'))).toEqual(REPORT);

    const again = await cli(
      'report',
      'retrieve',
      reportId,
      '--org',
      'pearl',
      '--consent',
      consentId,
      '--purpose',
      'loan_underwriting',
    );
    expect(again.code).toBe(1);
    expect(again.err[0]).toMatch(/^creditchain: ACCESS_DENIED \(403\)/);
    expect(again.err).toContain('  reason: CONSENT_EXHAUSTED');
    expect(again.err.at(-1)).toContain('creditchain consent sign');
    expect(again.stdout).toBe('');

    // The enterprise revokes it with its own signature.
    const revoked = ok(
      await cli('consent', 'revoke', consentId, '--org', 'pearl', '--key', file('enterprise.json')),
    );
    expect(revoked.stdout).toMatch(/^status\s+revoked \(by the subject\)$/m);
  });

  it('the admin issues a token that works from elsewhere, lists it, and revokes it', async () => {
    const issued = await cli(
      'gateway',
      'token',
      'issue',
      '--org',
      'yangtze',
      '--user',
      'User2',
      '--role',
      'member',
      '--ttl',
      '1h',
    );
    expect(issued.code).toBe(0);
    expect(issued.err).toEqual([
      'the token is shown only this once: hand it to its user now (they pass it as CREDITCHAIN_TOKEN)',
    ]);
    const token = /^token (cc_\S+)$/m.exec(issued.stdout)?.[1] ?? '';
    const tokenId = /^id (tok_[A-Za-z0-9_-]+),/m.exec(issued.stdout)?.[1] ?? '';
    expect(token).not.toBe('');
    const yangtze = directory.gateways.find((g) => g.mspId === 'YangtzeMSP');
    const remote = ['--gateway', yangtze?.url ?? '', '--ca', yangtze?.tlsCaFile ?? ''];
    const asBureau = ok(await cli('report', 'list', ...remote, '--token', token, '--json'));
    expect(JSON.parse(asBureau.stdout)).toMatchObject({ items: expect.any(Array) });

    const list = ok(await cli('gateway', 'token', 'list', '--org', 'yangtze'));
    expect(list.stdout).toMatch(new RegExp(`^${tokenId}\\s+User2\\s+member\\s+active`, 'm'));
    expect(list.stdout).not.toContain(token.slice(3));

    const member = await cli('gateway', 'token', 'list', '--org', 'yangtze', '--as', 'User1');
    expect(member.err[0]).toMatch(/^creditchain: FORBIDDEN \(403\)/);

    ok(await cli('gateway', 'token', 'revoke', '--org', 'yangtze', tokenId));
    const refused = await cli('report', 'list', ...remote, '--token', token);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/^creditchain: TOKEN_REVOKED \(401\)/);
  });
});
