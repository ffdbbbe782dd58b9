/**
 * `fabric export` end to end (structure only, no Docker): exports the test-network and creditchain
 * profiles with the real credit chaincode, then checks that every artifact parses, that every path the
 * configuration names exists in the export, the chaincode package layout, and the README's commands.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { EXPORT_MARKER, exportFabric, type ExportResult } from '../../network/src/ops/export/index.js';
import { createOrgKey, type OrgKey } from '../../network/src/ops/org-keys.js';
import { HPKE_SUITES, loadProfileFile } from '../../network/src/ops/profile-file.js';
import { testNetworkProfile } from '../../network/src/profile.js';
import { main } from '../../scripts/creditchain.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHAINCODE = join(ROOT, 'chaincode');

interface Org {
  ID: string;
  MSPDir: string;
}
interface Configtx {
  Organizations: Org[];
  Profiles: Record<
    string,
    { Orderer: { EtcdRaft: { Consenters: { ClientTLSCert: string; ServerTLSCert: string }[] } } }
  >;
}
interface Compose {
  services: Record<
    string,
    { volumes?: string[]; environment?: Record<string, string>; build?: { context: string } }
  >;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'creditchain-export-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const tar = (cwd: string, ...args: string[]): string => execFileSync('tar', args, { cwd, encoding: 'utf8' });

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, base)));
    else out.push(p.slice(base.length + 1));
  }
  return out;
}

describe('fabric export of test-network', () => {
  let home: string;
  let out: string;
  let result: ExportResult;
  let org1Key: OrgKey;
  const consortiumJson = JSON.stringify({ adminMsps: ['Org1MSP'] });

  beforeAll(async () => {
    home = join(work, 'home-test-network');
    out = join(work, 'fabric-test-network');
    org1Key = await createOrgKey(join(home, 'keys'), 'Org1MSP', HPKE_SUITES[0]);
    result = await exportFabric({
      profile: testNetworkProfile(),
      home,
      out,
      chaincodes: [{ name: 'credit', path: CHAINCODE, version: '0.1.0', policy: 'MAJORITY Endorsement' }],
      consortium: {
        chaincode: 'credit',
        configJson: consortiumJson,
        initBy: { mspId: 'Org1MSP', user: 'Admin' },
        orgKeys: { suite: HPKE_SUITES[0], user: 'Admin', orgs: ['Org1MSP', 'Org2MSP'] },
      },
    });
  });

  it('writes every artifact, and YAML that parses', async () => {
    for (const f of [
      'configtx.yaml',
      'crypto-config.yaml',
      'compose.yaml',
      'peercfg/core-ccaas.yaml',
      'README.md',
      '.env',
      'env/common.sh',
      'env/Org1MSP.sh',
      'env/Org2MSP.sh',
      'packages/credit.tar.gz',
      'chaincode/credit/Dockerfile',
      'chaincode/credit/package.json',
      'chaincode/credit/package-lock.json',
      'consortium/init-consortium.json',
      'gateway/connection-org1.json',
      'gateway/connection-org2.yaml',
      EXPORT_MARKER,
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    for (const f of ['configtx.yaml', 'crypto-config.yaml', 'compose.yaml', 'peercfg/core-ccaas.yaml']) {
      const doc = parse(await readFile(join(out, f), 'utf8'), { merge: true }) as unknown;
      expect(doc, f).toBeTypeOf('object');
    }
    expect(existsSync(join(out, 'channel-artifacts'))).toBe(true);
    expect(existsSync(join(out, 'chaincode/credit/node_modules'))).toBe(false);
    expect(existsSync(join(out, 'chaincode/credit/dist'))).toBe(false);
    expect(result.configtxProfile).toBe('MychannelChannel');
  });

  it('points every MSPDir and consenter TLS certificate of configtx.yaml at the export', async () => {
    const c = parse(await readFile(join(out, 'configtx.yaml'), 'utf8'), { merge: true }) as Configtx;
    expect(c.Organizations.map((o) => o.ID)).toEqual(['OrdererMSP', 'Org1MSP', 'Org2MSP']);
    for (const org of c.Organizations) {
      expect(existsSync(join(out, org.MSPDir, 'cacerts')), org.MSPDir).toBe(true);
      expect(existsSync(join(out, org.MSPDir, 'tlscacerts')), org.MSPDir).toBe(true);
      expect(existsSync(join(out, org.MSPDir, 'config.yaml')), org.MSPDir).toBe(true);
    }
    const consenters = c.Profiles.MychannelChannel?.Orderer.EtcdRaft.Consenters ?? [];
    expect(consenters).toHaveLength(1);
    for (const k of consenters.flatMap((x) => [x.ClientTLSCert, x.ServerTLSCert]))
      expect(existsSync(join(out, k)), k).toBe(true);
  });

  it('mounts only folders that exist, with the TLS files the environment names', async () => {
    const c = parse(await readFile(join(out, 'compose.yaml'), 'utf8')) as Compose;
    for (const [name, s] of Object.entries(c.services)) {
      for (const v of s.volumes ?? []) {
        const [src, target] = v.split(':');
        if (!src?.startsWith('./')) continue;
        expect(existsSync(join(out, src)), `${name}: ${src}`).toBe(true);
        if (target?.endsWith('/tls'))
          for (const f of ['server.crt', 'server.key', 'ca.crt'])
            expect(existsSync(join(out, src, f)), `${name}: ${src}/${f}`).toBe(true);
        if (target?.endsWith('/msp'))
          for (const f of ['signcerts/cert.pem', 'keystore/priv_sk', 'config.yaml'])
            expect(existsSync(join(out, src, f)), `${name}: ${src}/${f}`).toBe(true);
      }
      if (s.build) expect(existsSync(join(out, s.build.context, 'Dockerfile')), name).toBe(true);
    }
    const env = await readFile(join(out, '.env'), 'utf8');
    expect(env).toContain(`CC_CREDIT_PACKAGE_ID=${result.packages[0]?.packageId ?? '?'}`);
  });

  it('copies the emulator material unchanged, private keys still private', async () => {
    const files = await walk(join(home, 'organizations'));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const [a, b] = await Promise.all([
        readFile(join(home, 'organizations', f)),
        readFile(join(out, 'organizations', f)),
      ]);
      expect(a.equals(b), f).toBe(true);
    }
    const key = join(
      out,
      'organizations/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp/keystore/priv_sk',
    );
    expect((await stat(key)).mode & 0o777).toBe(0o600);
  });

  it("builds the chaincode package in Fabric's CCaaS format", async () => {
    const dir = join(work, 'unpacked');
    await mkdir(dir, { recursive: true });
    const pkg = join(out, 'packages/credit.tar.gz');
    expect(tar(dir, '-tzf', pkg).trim().split('\n')).toEqual(['metadata.json', 'code.tar.gz']);
    tar(dir, '-xzf', pkg);
    expect(JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'))).toEqual({
      type: 'ccaas',
      label: 'credit_0.1.0',
    });
    expect(tar(dir, '-tzf', 'code.tar.gz').trim()).toBe('connection.json');
    tar(dir, '-xzf', 'code.tar.gz');
    expect(JSON.parse(await readFile(join(dir, 'connection.json'), 'utf8'))).toEqual({
      address: '{{.peername}}_credit:9999',
      dial_timeout: '10s',
      tls_required: false,
    });
    expect(result.packages[0]?.packageId).toMatch(/^credit_0\.1\.0:[0-9a-f]{64}$/);
  });

  it('has a Dockerfile that builds and serves the chaincode', async () => {
    const d = await readFile(join(out, 'chaincode/credit/Dockerfile'), 'utf8');
    expect(d).toMatch(/^FROM node:20 AS build$/m);
    expect(d).toContain('RUN npm ci\n');
    expect(d).toContain('npm run build && npm prune --omit=dev');
    expect(d).toContain('fabric-chaincode-node server --chaincode-address');
    expect(d).toContain('--chaincode-id \\"$CHAINCODE_ID\\"');
  });

  it('lists the commands in order in the README', async () => {
    const r = await readFile(join(out, 'README.md'), 'utf8');
    const steps = [
      'docker compose up -d',
      'configtxgen -configPath . -profile MychannelChannel -channelID "$CHANNEL_NAME" -outputBlock channel-artifacts/mychannel.block',
      'osnadmin channel join --channelID "$CHANNEL_NAME" --config-block channel-artifacts/mychannel.block',
      '. env/Org1MSP.sh && peer channel join -b channel-artifacts/mychannel.block',
      '. env/Org2MSP.sh && peer channel join -b channel-artifacts/mychannel.block',
      '. env/Org1MSP.sh && peer lifecycle chaincode install packages/credit.tar.gz',
      '. env/Org2MSP.sh && peer lifecycle chaincode install packages/credit.tar.gz',
      '. env/Org1MSP.sh && peer lifecycle chaincode approveformyorg',
      '. env/Org2MSP.sh && peer lifecycle chaincode approveformyorg',
      'peer lifecycle chaincode checkcommitreadiness',
      'peer lifecycle chaincode commit',
      'peer lifecycle chaincode querycommitted',
      'docker compose --profile chaincode up -d --build',
      'peer chaincode invoke',
      'consortium/init-consortium.json',
      'consortium/publish-key-Org1MSP.json',
    ];
    let at = 0;
    for (const s of steps) {
      const next = r.indexOf(s, at);
      expect(next, s).toBeGreaterThanOrEqual(0);
      at = next;
    }
    expect(r).toContain('--channel-config-policy "/Channel/Application/Endorsement"');
    expect(r).toContain(`export PACKAGE_ID=${result.packages[0]?.packageId ?? '?'}`);
    expect(r).toContain('--peerAddresses localhost:9051 --tlsRootCertFiles');
    expect(JSON.parse(await readFile(join(out, 'consortium/init-consortium.json'), 'utf8'))).toEqual({
      function: 'InitConsortium',
      Args: [consortiumJson],
    });
  });

  it('republishes the HPKE public keys the gateways hold, and says which are missing', async () => {
    expect(JSON.parse(await readFile(join(out, 'consortium/publish-key-Org1MSP.json'), 'utf8'))).toEqual({
      function: 'PublishOrgKey',
      Args: [org1Key.keyId, org1Key.suite, org1Key.publicKey],
    });
    expect(existsSync(join(out, 'consortium/publish-key-Org2MSP.json'))).toBe(false);
    expect(result.warnings.join('\n')).toMatch(/Org2MSP has no HPKE key/);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toMatch(/Org2MSP has no HPKE key/);
    expect((await walk(out)).some((f) => f.endsWith('.key.pem'))).toBe(false);
  });

  it('writes the connection profiles the gateways use, for the exported peers', async () => {
    const ccp = JSON.parse(await readFile(join(out, 'gateway/connection-org1.json'), 'utf8')) as {
      name: string;
      organizations: Record<string, { mspid: string; peers: string[] }>;
      peers: Record<
        string,
        { url: string; tlsCACerts: { pem: string }; grpcOptions: Record<string, string> }
      >;
    };
    expect(ccp.name).toBe('test-network-org1');
    expect(ccp.organizations.Org1).toEqual(
      expect.objectContaining({ mspid: 'Org1MSP', peers: ['peer0.org1.example.com'] }),
    );
    const peer = ccp.peers['peer0.org1.example.com'];
    expect(peer?.url).toBe('grpcs://localhost:7051');
    expect(peer?.grpcOptions['ssl-target-name-override']).toBe('peer0.org1.example.com');
    expect(peer?.tlsCACerts.pem).toBe(
      await readFile(
        join(out, 'organizations/peerOrganizations/org1.example.com/tlsca/tlsca.org1.example.com-cert.pem'),
        'utf8',
      ),
    );
  });

  it('writes shell environments that name existing files', async () => {
    const scripts = ['env/common.sh', 'env/Org1MSP.sh', 'env/Org2MSP.sh'];
    for (const s of scripts) {
      const text = await readFile(join(out, s), 'utf8');
      for (const m of text.matchAll(/"\$EXPORT_DIR\/([^"]+)"/g))
        expect(existsSync(join(out, m[1] ?? '')), `${s}: ${m[1] ?? ''}`).toBe(true);
    }
    const env = execFileSync(
      'sh',
      ['-c', '. env/Org2MSP.sh 2>/dev/null && echo "$CORE_PEER_LOCALMSPID $CORE_PEER_ADDRESS $CHANNEL_NAME"'],
      { cwd: out, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(env.trim()).toBe('Org2MSP localhost:9051 mychannel');
  });

  it('refuses to overwrite, and replaces a previous export only with force', async () => {
    const options = {
      profile: testNetworkProfile(),
      home,
      out,
      chaincodes: [{ name: 'credit', path: CHAINCODE, version: '0.1.0', policy: 'MAJORITY Endorsement' }],
    };
    await expect(exportFabric(options)).rejects.toMatchObject({ code: 'OUT_NOT_EMPTY' });
    const again = await exportFabric({ ...options, force: true });
    expect(again.packages[0]?.packageId).toBe(result.packages[0]?.packageId);
    expect(existsSync(join(out, 'consortium'))).toBe(false);
    const other = join(work, 'not-an-export');
    await mkdir(other);
    await writeFile(join(other, 'keep.txt'), 'mine');
    await expect(exportFabric({ ...options, out: other, force: true })).rejects.toMatchObject({
      code: 'OUT_NOT_EMPTY',
    });
    expect(await readFile(join(other, 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('fabric export of the creditchain profile', () => {
  it('exports the four organisations and the credit chaincode of network/profiles/creditchain.yaml', async () => {
    const profile = await loadProfileFile(join(ROOT, 'network', 'profiles', 'creditchain.yaml'));
    const out = join(work, 'fabric-creditchain');
    const result = await exportFabric({
      profile: profile.network,
      home: join(work, 'home-creditchain'),
      out,
      chaincodes: profile.chaincodes,
      consortium: profile.consortium,
    });
    expect(result.configtxProfile).toBe('CreditchainChannel');
    const c = parse(await readFile(join(out, 'configtx.yaml'), 'utf8'), { merge: true }) as Configtx;
    expect(c.Organizations.map((o) => o.ID)).toEqual([
      'OrdererMSP',
      'YangtzeMSP',
      'PearlMSP',
      'JingJinJiMSP',
      'RegulatorMSP',
    ]);
    for (const org of c.Organizations) expect(existsSync(join(out, org.MSPDir)), org.MSPDir).toBe(true);
    const compose = parse(await readFile(join(out, 'compose.yaml'), 'utf8')) as Compose;
    expect(Object.keys(compose.services).filter((s) => s.endsWith('_credit'))).toEqual([
      'peer0yangtze_credit',
      'peer0pearl_credit',
      'peer0jingjinji_credit',
      'peer0regulator_credit',
    ]);
    const readme = await readFile(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('Admin@yangtze.creditchain.example');
    expect(readme).toContain('peer chaincode invoke');
  });
});

describe('creditchain fabric export (CLI)', () => {
  it('exports the --profile from its --home, and refuses to overwrite with what to do', async () => {
    const home = join(work, 'cli-home');
    const out = join(work, 'cli-export');
    const printed: string[] = [];
    const capture = (chunk: string | Uint8Array): boolean => {
      printed.push(String(chunk));
      return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const args = ['--profile', 'test-network', '--home', home, 'fabric', 'export', '--out', out];
      expect(await main(args)).toBe(0);
      expect(printed.join('')).toContain('MychannelChannel');
      expect(existsSync(join(home, 'test-network', 'organizations'))).toBe(true);
      expect(existsSync(join(out, 'configtx.yaml'))).toBe(true);
      printed.length = 0;
      expect(await main(args)).toBe(1);
      expect(printed.join('')).toMatch(/already holds a creditchain export[\s\S]*what to do: pass --force/);
      expect(await main([...args, '--force'])).toBe(0);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});
