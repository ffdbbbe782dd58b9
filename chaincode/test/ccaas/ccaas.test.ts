/**
 * The deployable chaincode package (`chaincode/`, built by `tsc`) run unchanged as
 * chaincode-as-a-service (`fabric-chaincode-node server`) in its own process and driven over real
 * gRPC by {@link ChaincodePeerDriver}, the peer side of the chaincode protocol.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCA, type TestIdentity } from '../harness/identities.js';
import { ChaincodePeerDriver, type InvokeResult } from './peer-driver.js';

// chaincode/ is a CommonJS package, so TypeScript types this file as CommonJS (no import.meta);
// vitest provides __dirname to the modules it runs.
const ROOT = resolve(__dirname, '../../..');
const CHAINCODE_DIR = join(ROOT, 'chaincode');
const DIST_ENTRY = join(CHAINCODE_DIR, 'dist', 'index.js');
const SHIM_CLI = join(ROOT, 'node_modules', 'fabric-shim', 'cli.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const CHANNEL = 'creditchannel';
const CHAINCODE = 'credit';
const MSP = 'YangtzeMSP';
/** Composite key of the consortium configuration (`createCompositeKey('config', [])`). */
const CONFIG_KEY = '\u0000config\u0000';

/** Every transaction of CreditContract with its parameters, and whether it is a submit. */
const TRANSACTIONS: ReadonlyArray<readonly [string, readonly string[], boolean]> = [
  ['InitConsortium', ['config'], true],
  ['UpdateConsortium', ['config'], true],
  ['GetConsortium', [], false],
  ['PublishOrgKey', ['keyId', 'suite', 'publicKey'], true],
  ['GetOrgProfile', ['mspId'], false],
  ['RegisterSubjectSigner', ['subjectRef', 'signer', 'signature'], true],
  ['RotateSubjectSigner', ['subjectRef', 'newSigner', 'currentSignature', 'newSignature'], true],
  ['RevokeSubjectSigner', ['subjectRef', 'signer', 'signature'], true],
  ['GetSubject', ['subjectRef'], false],
  ['SubmitReport', ['report'], true],
  ['EraseReport', ['reportId', 'reason'], true],
  ['GetReport', ['reportId'], false],
  ['ListReportsBySubject', ['subjectRef', 'pageSize', 'bookmark'], false],
  ['GetReportTrail', ['reportId', 'pageSize', 'bookmark'], false],
  ['RecordConsent', ['consent', 'signature'], true],
  ['RevokeConsent', ['consentId', 'signature'], true],
  ['GetConsent', ['consentId'], false],
  ['ListConsentsBySubject', ['subjectRef', 'pageSize', 'bookmark'], false],
  ['RequestAccess', ['requestId', 'reportId', 'consentId', 'purpose'], true],
  ['RecordSupervisoryAccess', ['requestId', 'reportId', 'purpose', 'caseReference'], true],
  ['RecordDelivery', ['receiptId', 'reportId', 'requesterMsp', 'requestId'], true],
  ['GetReceipt', ['receiptId'], false],
  ['GetReceiptByRequest', ['requesterMsp', 'requestId'], false],
  ['ListReceipts', ['filter', 'pageSize', 'bookmark'], false],
  ['GetUsageStatement', ['mspId', 'from', 'to'], false],
];

interface MetadataParameter {
  name: string;
  schema: { type?: string };
}
interface MetadataTransaction {
  name: string;
  tag?: string[];
  parameters?: MetadataParameter[];
}
interface ContractMetadata {
  contracts: Record<string, { name: string; transactions: MetadataTransaction[] }>;
  components: {
    schemas: Record<string, { $id?: string; properties: Record<string, Record<string, unknown>> }>;
  };
}

/** Newest modification time of the inputs of the chaincode build. */
function newestSourceMtime(): number {
  const files = [
    join(CHAINCODE_DIR, 'tsconfig.json'),
    join(CHAINCODE_DIR, 'tsconfig.build.json'),
    join(ROOT, 'tsconfig.base.json'),
    ...readdirSync(join(CHAINCODE_DIR, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(CHAINCODE_DIR, 'src', f)),
  ];
  return Math.max(...files.map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
}

/** Runs `tsc -p chaincode/tsconfig.build.json` unless `dist` is newer than every source. */
function buildChaincodeIfStale(): void {
  let distMtime = 0;
  try {
    distMtime = statSync(DIST_ENTRY).mtimeMs;
  } catch {
    // not built yet
  }
  if (distMtime > newestSourceMtime()) return;
  try {
    execFileSync(process.execPath, [TSC, '-p', join(CHAINCODE_DIR, 'tsconfig.build.json')], {
      cwd: ROOT,
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p chaincode/tsconfig.build.json failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolveConnect(false);
    });
  });
}

/** Polls until the chaincode server accepts TCP connections, failing early if it exits. */
async function waitForListening(
  child: ChildProcess,
  port: number,
  output: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`chaincode server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`chaincode server did not listen on ${port} within ${timeoutMs} ms:\n${output()}`);
}

/** The `@Property` names declared on a `@DataType` class of chaincode/src/schema.ts. */
function declaredProperties(className: string): string[] {
  const source = readFileSync(join(CHAINCODE_DIR, 'src', 'schema.ts'), 'utf8');
  const body = new RegExp(`export class ${className} \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1] ?? '';
  return [...body.matchAll(/@Property\('([A-Za-z0-9_]+)'/g)].map((m) => m[1]!);
}

function json(result: InvokeResult): unknown {
  return JSON.parse(result.payload.toString('utf8'));
}

const hex64 = (c: string): string => c.repeat(64);

/** The JSON argument of `SubmitReport`. */
const anchor = (reportId: string, subjectRef: string): string =>
  JSON.stringify({
    reportId,
    subjectRef,
    category: 'basic',
    schemaVersion: '1.0',
    ciphertextHash: hex64('b'),
    commitment: hex64('c'),
    sizeBucket: 'S',
    eventEndDate: '',
    supersedes: '',
  });

describe('chaincode as a service over the real chaincode protocol', () => {
  let child: ChildProcess;
  let logs = '';
  let driver: ChaincodePeerDriver;
  let admin: TestIdentity;
  let member: TestIdentity;
  const now = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    buildChaincodeIfStale();
    const port = await freePort();
    child = spawn(
      process.execPath,
      [SHIM_CLI, 'server', '--chaincode-address', `127.0.0.1:${port}`, '--chaincode-id', `${CHAINCODE}:1.0`],
      {
        cwd: CHAINCODE_DIR,
        // The shim understands Fabric's level names (CRITICAL, ERROR, WARNING, INFO, DEBUG); 'warn'
        // would silently mean INFO.
        env: { ...process.env, CORE_PEER_LOCALMSPID: MSP, CORE_CHAINCODE_LOGGING_LEVEL: 'WARNING' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    await waitForListening(child, port, () => logs);
    driver = await ChaincodePeerDriver.connect(`127.0.0.1:${port}`, {
      channelId: CHANNEL,
      chaincodeName: CHAINCODE,
    });

    const ca = await TestCA.create(MSP);
    admin = await ca.issue({ commonName: 'yangtze-admin', ou: 'admin', attrs: { role: 'admin' } });
    member = await ca.issue({
      commonName: 'bank-a-officer',
      ou: 'client',
      attrs: { role: 'member', institution: 'BANK-A' },
    });
  });

  afterAll(async () => {
    // beforeAll may have failed before assigning these.
    (driver as ChaincodePeerDriver | undefined)?.close();
    if ((child as ChildProcess | undefined) && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(escalate);
    }
  });

  it('registers with the chaincode ID it was started with', () => {
    expect(driver.registeredChaincodeId).toBe(`${CHAINCODE}:1.0`);
    expect(driver.connected).toBe(true);
  });

  it('the tsc build carries decorator metadata', () => {
    expect(readFileSync(join(CHAINCODE_DIR, 'dist', 'contract.js'), 'utf8')).toContain('design:paramtypes');
  });

  it('org.hyperledger.fabric:GetMetadata lists every CreditContract transaction and the record schemas', async () => {
    const res = await driver.invoke(admin, ['org.hyperledger.fabric:GetMetadata'], { commit: false });
    expect(res.status, res.message).toBe(200);
    const metadata = json(res) as ContractMetadata;
    const credit = metadata.contracts[CHAINCODE];
    expect(credit?.name).toBe(CHAINCODE);
    const byName = new Map(credit!.transactions.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(TRANSACTIONS.map(([name]) => name).sort());
    for (const [name, params, submit] of TRANSACTIONS) {
      const tx = byName.get(name)!;
      expect(
        (tx.parameters ?? []).map((p) => p.name),
        name,
      ).toEqual(params);
      for (const p of tx.parameters ?? []) expect(p.schema.type, `${name}(${p.name})`).toBe('string');
      const tags = tx.tag ?? [];
      expect(tags.includes('SUBMIT'), `${name} SUBMIT`).toBe(submit);
      expect(tags.includes('EVALUATE'), `${name} EVALUATE`).toBe(!submit);
    }

    const schemas = metadata.components.schemas;
    for (const record of ['Report', 'Receipt', 'Consent']) {
      const properties = schemas[record]?.properties ?? {};
      const declared = declaredProperties(record);
      expect(declared.length, `@Property declarations of ${record}`).toBeGreaterThan(5);
      expect(Object.keys(properties).sort(), record).toEqual(declared.sort());
      for (const [name, schema] of Object.entries(properties)) {
        expect(schema, `${record}.${name}`).toSatisfy(
          (s: Record<string, unknown>) => 'type' in s || '$ref' in s,
        );
      }
    }
    expect(schemas['Report']?.properties['provider']).toEqual({ $ref: 'Party' });
    // A metadata query writes nothing.
    expect(res.writes.size).toBe(0);
  });

  it('InitConsortium, SubmitReport and GetReport round-trip over the protocol', async () => {
    const config = readFileSync(join(CHAINCODE_DIR, 'examples', 'consortium.json'), 'utf8');
    const init = await driver.invoke(admin, ['InitConsortium', config], { timestampSeconds: now });
    expect(init.status, init.message).toBe(200);
    // An object return value (class-transformer 0.4.0 override) serialised as JSON.
    const configured = json(init) as Record<string, unknown>;
    expect(configured).toMatchObject({
      version: 1,
      updatedTx: init.txId,
      adminMsps: expect.arrayContaining([MSP]),
    });
    expect(init.requests.some((r) => r.type === 'PUT_STATE' && r.key === CONFIG_KEY)).toBe(true);
    expect(init.writes.has(CONFIG_KEY)).toBe(true);
    expect(init.committed).toBe(true);
    expect(init.event).toMatchObject({
      eventName: 'ConsortiumConfigured',
      txId: init.txId,
      chaincodeId: CHAINCODE,
    });
    expect(JSON.parse(driver.getState(CONFIG_KEY)!.toString('utf8'))).toEqual(configured);

    const subjectRef = hex64('a');
    const submit = await driver.invoke(member, ['SubmitReport', anchor('r-0001', subjectRef)], {
      timestampSeconds: now + 1,
    });
    expect(submit.status, submit.message).toBe(200);
    const report = json(submit) as Record<string, unknown>;
    expect(report).toMatchObject({
      reportId: 'r-0001',
      subjectRef,
      category: 'basic',
      schemaVersion: '1.0',
      ciphertextHash: hex64('b'),
      commitment: hex64('c'),
      sizeBucket: 'S',
      provider: { mspId: MSP, institution: 'BANK-A' },
      submitTx: submit.txId,
    });
    expect(submit.committed).toBe(true);

    const get = await driver.invoke(member, ['GetReport', 'r-0001'], { commit: false });
    expect(get.status, get.message).toBe(200);
    expect(json(get)).toEqual(report);

    // A paginated composite-key range query (GET_STATE_BY_RANGE with QueryMetadata).
    const list = await driver.invoke(member, ['ListReportsBySubject', subjectRef, '10', ''], {
      commit: false,
    });
    expect(list.status, list.message).toBe(200);
    expect(json(list)).toMatchObject({ records: [report], bookmark: '', fetchedCount: 1 });
    expect(list.requests.some((r) => r.type === 'GET_STATE_BY_RANGE' && r.answer === 'RESPONSE')).toBe(true);
  });

  it('a malformed argument fails with status 500 and INVALID_ARGUMENT, writing nothing', async () => {
    const res = await driver.invoke(member, ['SubmitReport', anchor('r-0002', 'not-hex')], {
      timestampSeconds: now + 2,
    });
    expect(res.status).toBe(500);
    expect(res.message).toMatch(/^INVALID_ARGUMENT:/);
    expect(res.committed).toBe(false);
    expect(res.writes.size).toBe(0);
  });

  it('a failed transaction does not apply the writes it buffered', async () => {
    // InitConsortium again: the chaincode reads the committed config and refuses.
    const config = readFileSync(join(CHAINCODE_DIR, 'examples', 'consortium.json'), 'utf8');
    const before = driver.getState(CONFIG_KEY);
    const res = await driver.invoke(admin, ['InitConsortium', config], { timestampSeconds: now + 3 });
    expect(res.status).toBe(500);
    expect(res.message).toMatch(/^ALREADY_INITIALISED:/);
    expect(driver.getState(CONFIG_KEY)).toEqual(before);
  });

  it('the chaincode process stays alive and connected throughout', async () => {
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    expect(driver.connected).toBe(true);
    const res = await driver.invoke(member, ['GetReport', 'r-0001'], { commit: false });
    expect(res.status, res.message).toBe(200);
    expect(driver.sentMessageCounts.get('KEEPALIVE')).toBeUndefined();
    expect(driver.sentMessageCounts.get('REGISTERED')).toBe(1);
    expect(driver.sentMessageCounts.get('READY')).toBe(1);
  });
});
