/**
 * The `creditchain` CLI as an operator runs it: `node scripts/creditchain.mjs network ...` from the
 * built dist, on a temporary `--home` with `--free-ports`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkStatus } from '../../network/src/ops/admin-protocol.js';
import { adminRequest } from '../../network/src/ops/admin-client.js';
import { connectGateway } from '../../network/src/ops/gateway-client.js';
import { ASSET_CHAINCODE } from '../network/support.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'scripts', 'creditchain.mjs');
const DIST_ENTRY = join(ROOT, 'dist', 'scripts', 'creditchain.js');

/** Newest modification time of the TypeScript sources the dist is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of spawnSync('find', [dir, '-name', '*.ts', '-not', '-name', '*.test.ts'], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .filter(Boolean))
    newest = Math.max(newest, statSync(entry).mtimeMs);
  return newest;
}

/** Runs `npm run build` when the dist is missing or older than its sources. */
function ensureBuilt(): void {
  const sources = Math.max(
    ...['scripts', 'network/src', 'gateway/src', 'chaincode/src'].map((d) => newestSource(join(ROOT, d))),
  );
  const chaincodeBuilt = join(ROOT, 'chaincode', 'dist', 'index.js');
  const fresh = (): boolean =>
    existsSync(DIST_ENTRY) && existsSync(chaincodeBuilt) && statSync(DIST_ENTRY).mtimeMs >= sources;
  if (fresh()) return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  // tsc still emits when other parts of the tree have type errors (`npm test` reports those).
  if (build.status !== 0 && !fresh())
    throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let home = '';
const children = new Set<ChildProcess>();

/** Runs one CLI command to completion. */
function cli(args: readonly string[], timeoutMs = 60_000): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, '--home', home, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`creditchain ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** A `network up` running in the background. */
interface Up {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `network up` and waits for its ready line. */
async function up(args: readonly string[]): Promise<Up> {
  const child = spawn(process.execPath, [CLI, '--home', home, ...args, 'network', 'up', '--free-ports'], {
    cwd: ROOT,
  });
  children.add(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      children.delete(child);
      done(code);
    }),
  );
  const deadline = Date.now() + 90_000;
  while (!/ is up \(/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`network up did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => output, exited };
}

async function statusJson(profile: string): Promise<NetworkStatus & { running: boolean }> {
  const result = await cli(['--profile', profile, 'network', 'status', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as NetworkStatus & { running: boolean };
}

beforeAll(async () => {
  ensureBuilt();
  home = await mkdtemp(join(tmpdir(), 'cc-cli-'));
}, 300_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (home !== '') await rm(home, { recursive: true, force: true });
});

describe('creditchain network (test-network)', () => {
  const dir = (): string => join(home, 'test-network');
  const user1 = (): string =>
    join(
      dir(),
      'organizations',
      'peerOrganizations',
      'org1.example.com',
      'users',
      'User1@org1.example.com',
      'msp',
    );

  async function submitAsOrg1User(fn: string, ...args: string[]): Promise<string> {
    const ccp = JSON.parse(await readFile(join(dir(), 'connection-org1.json'), 'utf8')) as {
      peers: Record<
        string,
        { url: string; tlsCACerts: { pem: string }; grpcOptions: Record<string, string> }
      >;
    };
    const [hostAlias, peer] = Object.entries(ccp.peers)[0]!;
    const session = connectGateway(
      {
        address: peer.url.replace('grpcs://', ''),
        hostAlias: peer.grpcOptions['ssl-target-name-override'] ?? hostAlias,
        tls: true,
        tlsRootCertPem: peer.tlsCACerts.pem,
      },
      {
        mspId: 'Org1MSP',
        certPem: await readFile(join(user1(), 'signcerts', 'cert.pem'), 'utf8'),
        keyPem: await readFile(join(user1(), 'keystore', 'priv_sk'), 'utf8'),
      },
    );
    try {
      const contract = session.gateway.getNetwork('mychannel').getContract('asset');
      const result =
        fn === 'Read'
          ? await contract.evaluateTransaction(fn, ...args)
          : await contract.submitTransaction(fn, ...args);
      return Buffer.from(result).toString();
    } finally {
      session.close();
    }
  }

  it('runs up, status, a refused second up, down, up again on the same material, reset', async () => {
    const first = await up(['--profile', 'test-network']);
    expect(first.output()).toMatch(
      /peer\s+Org1MSP\s+running\s+localhost:\d+\s+peer0\.org1\.example\.com, height 1/,
    );
    expect(first.output()).toMatch(/orderer\s+OrdererMSP\s+running\s+in-process/);
    expect(first.output()).toContain(join(dir(), 'connection-org2.json'));

    const running = await statusJson('test-network');
    expect(running).toMatchObject({
      running: true,
      phase: 'ready',
      channel: 'mychannel',
      pid: first.child.pid,
    });
    expect(running.peers.map((p) => [p.mspId, p.hostAlias, p.height])).toEqual([
      ['Org1MSP', 'peer0.org1.example.com', 1],
      ['Org2MSP', 'peer0.org2.example.com', 1],
    ]);

    const second = await cli(['--profile', 'test-network', 'network', 'up', '--free-ports']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`network test-network is already running (pid ${first.child.pid})`);
    expect(second.stdout).toContain(running.peers[0]!.address);

    const refusedReset = await cli(['--profile', 'test-network', 'network', 'reset']);
    expect(refusedReset.code).toBe(1);
    expect(refusedReset.stderr).toMatch(/is running .*not resetting it[\s\S]*network down/);

    const socket = join(dir(), 'admin.sock');
    const deployed = await adminRequest<{ name: string; sequence: number; runtimes: { pid?: number }[] }>(
      socket,
      {
        op: 'deploy',
        name: 'asset',
        path: ASSET_CHAINCODE,
        version: '1.0',
        policy: 'MAJORITY Endorsement',
      },
    );
    expect(deployed).toMatchObject({ name: 'asset', sequence: 1 });
    expect(deployed.runtimes.every((r) => typeof r.pid === 'number')).toBe(true);
    await submitAsOrg1User('Create', 'a1', 'v1');
    const after = await statusJson('test-network');
    expect(after.peers.map((p) => p.height)).toEqual([2, 2]);
    expect(after.chaincodes.map((c) => [c.name, c.runtimes.map((r) => [r.mspId, r.state])])).toEqual([
      [
        'asset',
        [
          ['Org1MSP', 'ready'],
          ['Org2MSP', 'ready'],
        ],
      ],
    ]);
    const cert = await readFile(join(user1(), 'signcerts', 'cert.pem'), 'utf8');

    const down = await cli(['--profile', 'test-network', 'network', 'down']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('network test-network stopped');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(
      /stopping network test-network \(admin socket\)…\nnetwork test-network stopped/,
    );
    expect(existsSync(socket)).toBe(false);

    const stopped = await statusJson('test-network');
    expect(stopped.running).toBe(false);
    expect((stopped as unknown as { peers: { height: number }[] }).peers.map((p) => p.height)).toEqual([
      2, 2,
    ]);
    const stoppedText = await cli(['--profile', 'test-network', 'network', 'status']);
    expect(stoppedText.stdout).toMatch(/is not running: last stopped/);

    const again = await up(['--profile', 'test-network']);
    expect(await readFile(join(user1(), 'signcerts', 'cert.pem'), 'utf8')).toBe(cert);
    expect((await statusJson('test-network')).peers.map((p) => p.height)).toEqual([2, 2]);
    expect(await submitAsOrg1User('Read', 'a1')).toBe('v1');

    const logs = await cli(['--profile', 'test-network', 'network', 'logs', 'org1']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('chaincode-asset-Org1MSP.log <==');
    expect(logs.stdout).not.toContain('Org2MSP.log');

    again.child.kill('SIGINT');
    const started = Date.now();
    expect(await again.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(again.output()).toMatch(/stopping network test-network \(SIGINT\)…\nnetwork test-network stopped/);

    const reset = await cli(['--profile', 'test-network', 'network', 'reset']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`removed ${dir()}`);
    expect(existsSync(dir())).toBe(false);
  });
});

describe('creditchain network (creditchain profile)', () => {
  it('deploys credit, initialises the consortium and publishes org keys once', async () => {
    const first = await up([]);
    const out = first.output();
    expect(out).toMatch(/deploying chaincode credit \S+ on 4 peers/);
    expect(out).toContain('consortium configured from');
    for (const msp of ['YangtzeMSP', 'PearlMSP', 'JingJinJiMSP', 'RegulatorMSP'])
      expect(out).toMatch(new RegExp(`${msp} published key x25519-[0-9a-f]{16}`));
    expect(out).toMatch(
      /chaincode credit \S+\s+RegulatorMSP\s+ready\s+127\.0\.0\.1:\d+\s+pid \d+, sequence 1/,
    );
    const keyDir = join(home, 'creditchain', 'keys', 'YangtzeMSP');
    const pem = (await readdir(keyDir)).find((f) => f.endsWith('.key.pem'))!;
    expect((await stat(join(keyDir, pem))).mode & 0o777).toBe(0o600);
    const status = await statusJson('creditchain');
    expect(status.peers.map((p) => p.height)).toEqual([3, 3, 3, 3]);
    expect(await cli(['network', 'down'])).toMatchObject({ code: 0 });
    expect(await first.exited).toBe(0);

    const second = await up([]);
    const again = second.output();
    expect(again).toMatch(/chaincode credit \S+ \(sequence 1\) already defined/);
    expect(again).toContain('consortium configuration already on the ledger (version 1)');
    expect(again.match(/key x25519-[0-9a-f]{16} already published/g)).toHaveLength(4);
    expect((await statusJson('creditchain')).peers.map((p) => p.height)).toEqual([3, 3, 3, 3]);
    expect(await cli(['network', 'down'])).toMatchObject({ code: 0 });
    expect(await second.exited).toBe(0);
  });
});

describe('creditchain network up: friendly failures', () => {
  let work: string;
  let blocker: Server;
  let busyPort: number;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cc-cli-profiles-'));
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    busyPort = (blocker.address() as AddressInfo).port;
    await mkdir(join(work, 'unbuilt'));
    await writeFile(
      join(work, 'unbuilt', 'package.json'),
      JSON.stringify({ name: 'unbuilt', version: '1.0.0', main: 'dist/index.js', scripts: { build: 'tsc' } }),
    );
  });

  afterAll(async () => {
    await new Promise((r) => blocker.close(r));
    await rm(work, { recursive: true, force: true });
  });

  const profile = (extra = '', port = 7051): string => `name: failing
channel: mychannel
orderer: { mspId: OrdererMSP, domain: example.com }
orgs:
  - mspId: Org1MSP
    domain: org1.example.com
    peer: { port: ${port} }
    users: [{ name: Admin, ou: admin }]
${extra}`;

  async function upWith(text: string): Promise<Result> {
    const file = join(work, 'failing.yaml');
    await writeFile(file, text);
    return cli(['--profile', file, 'network', 'up']);
  }

  it('names the busy port and its profile field', async () => {
    const result = await upWith(profile('', busyPort));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `creditchain: port ${busyPort} (Org1MSP's peer, profile field orgs[0].peer.port) is already in use on localhost`,
    );
    expect(result.stderr).toMatch(
      /what to do: stop whatever listens there .* or change orgs\[0\]\.peer\.port in /,
    );
  });

  it('says to build a chaincode that is not built', async () => {
    const result = await upWith(profile('chaincodes: [{ name: cc, path: ./unbuilt }]'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `chaincode cc is not built: ${join(work, 'unbuilt', 'dist', 'index.js')} is missing`,
    );
    expect(result.stderr).toContain('what to do: run `npm run build`');
  });

  it('names the bad profile field, its line and the reason', async () => {
    const result = await upWith(profile('chaincodes: [{ name: cc, path: ./nowhere }]'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `creditchain: ${join(work, 'failing.yaml')}:9: profile field chaincodes[0].path: chaincode folder ${join(work, 'nowhere')} not found`,
    );
    const unknown = await upWith(profile().replace('channel:', 'chanel: x\nchannel:'));
    expect(unknown.stderr).toMatch(/failing\.yaml:2: profile field chanel: unknown field/);
  });

  it('lists the known profiles for an unknown name', async () => {
    const result = await cli(['--profile', 'nope', 'network', 'status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('creditchain: profile "nope" not found');
    expect(result.stderr).toMatch(/what to do: use one of creditchain, test-network/);
  });
});
