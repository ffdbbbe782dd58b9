/**
 * ChaincodeRuntime against a real `fabric-chaincode-node server` process running the JavaScript
 * fixture chaincode in testdata/fixture-cc, driven through the real chaincode protocol.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { common } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestCA, type TestIdentity } from '../../../chaincode/test/harness/identities.js';
import { buildSignedProposal } from '../../../chaincode/test/harness/proposal.js';
import { ChaincodeExecutionError, ChaincodeStartError } from './errors.js';
import type { ExecuteResult } from './execution-result.js';
import { decodeTxReadWriteSet } from './rwset.js';
import { ChaincodeRuntime, type ExecuteRequest } from './runtime.js';
import { MemoryLedger } from './testdata/memory-ledger.js';

const FIXTURE = fileURLToPath(new URL('./testdata/fixture-cc', import.meta.url));
const CHANNEL = 'creditchannel';
const CC = 'fixture';

interface Prepared {
  readonly txId: string;
  readonly req: ExecuteRequest;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
}

function prepare(
  identity: TestIdentity,
  args: string[],
  opts: { seconds?: number; readOnly?: boolean } = {},
): Prepared {
  const built = buildSignedProposal({
    channelId: CHANNEL,
    chaincodeName: CC,
    args,
    identity,
    ...(opts.seconds === undefined ? {} : { timestampSeconds: opts.seconds }),
  });
  return {
    txId: built.txId,
    timestamp: built.timestamp,
    req: {
      channelId: CHANNEL,
      txId: built.txId,
      signedProposal: built.signedProposal,
      input: built.chaincodeInput,
      readOnly: opts.readOnly ?? false,
    },
  };
}

const text = (r: ExecuteResult): string => Buffer.from(r.response.payload).toString('utf8');
const json = (r: ExecuteResult): unknown => JSON.parse(text(r));
const rwset = (r: ExecuteResult) => {
  const sets = decodeTxReadWriteSet(r.results);
  const ns = sets.find((s) => s.namespace === CC);
  return { sets, ns };
};

describe('ChaincodeRuntime', () => {
  const ledger = new MemoryLedger();
  const logDir = mkdtempSync(join(tmpdir(), 'cc-runtime-'));
  const logFile = join(logDir, 'fixture.log');
  let org1: ChaincodeRuntime;
  let org2: ChaincodeRuntime;
  let client: TestIdentity;

  /** Executes on `rt` and returns the result. */
  const run = async (
    rt: ChaincodeRuntime,
    args: string[],
    opts: { seconds?: number; readOnly?: boolean } = {},
  ) => {
    const p = prepare(client, args, opts);
    const result = await rt.execute(p.req, ledger);
    return { ...p, result };
  };
  /** Executes on org1 and commits its writes when it succeeded. */
  const submit = async (args: string[], seconds?: number) => {
    const r = await run(org1, args, seconds === undefined ? {} : { seconds });
    expect(r.result.response.status, r.result.response.message).toBe(200);
    ledger.commit(r.result.results, r.txId, r.timestamp);
    return r;
  };

  beforeAll(async () => {
    const ca1 = await TestCA.create('Org1MSP');
    client = await ca1.issue({ commonName: 'alice', ou: 'client' });
    org1 = new ChaincodeRuntime({ mspId: 'Org1MSP', name: CC, version: '1.0', folder: FIXTURE });
    org2 = new ChaincodeRuntime({ mspId: 'Org2MSP', name: CC, version: '1.0', folder: FIXTURE, logFile });
    await Promise.all([org1.start(), org2.start()]);
  });

  afterAll(async () => {
    // beforeAll may have failed before assigning them.
    const runtimes = [org1, org2] as Array<ChaincodeRuntime | undefined>;
    await Promise.all(runtimes.map((rt) => rt?.stop() ?? Promise.resolve()));
    rmSync(logDir, { recursive: true, force: true });
  });

  it('completes the handshake: the process registers as <name>:<version> and the runtime is ready', () => {
    expect(org1.state).toBe('ready');
    expect(org1.chaincodeId).toBe('fixture:1.0');
    expect(org1.pid).toBeGreaterThan(0);
    expect(org2.pid).not.toBe(org1.pid);
  });

  it('passes the signed proposal: the chaincode sees the txid, channel and creator', async () => {
    const { txId, result } = await run(org1, ['TxInfo'], { seconds: 1_700_000_123 });
    expect(json(result)).toEqual({ txId, channelId: CHANNEL, creatorMsp: 'Org1MSP', seconds: 1_700_000_123 });
  });

  it('round-trips put and get: writes sorted by key, reads carry the committed version', async () => {
    const put = await submit([
      'PutAll',
      JSON.stringify([
        ['k3', 'three'],
        ['k1', 'one'],
        ['k2', 'two'],
        ['k1', 'uno'],
      ]),
    ]);
    const { sets, ns } = rwset(put.result);
    expect(sets.map((s) => s.namespace)).toEqual([CC]);
    expect(ns?.reads).toEqual([]);
    expect(ns?.writes.map((w) => [w.key, Buffer.from(w.value).toString()])).toEqual([
      ['k1', 'uno'],
      ['k2', 'two'],
      ['k3', 'three'],
    ]);
    const committed = await ledger.getState(CC, 'k1');

    const get = await run(org1, ['Get', 'k1'], { readOnly: true });
    expect(get.result.response.status).toBe(200);
    expect(text(get.result)).toBe('uno');
    expect(rwset(get.result).ns?.reads).toEqual([{ key: 'k1', version: committed?.version }]);
    expect(rwset(get.result).ns?.writes).toEqual([]);

    const del = await submit(['Del', 'k3']);
    expect(rwset(del.result).ns?.writes).toEqual([{ key: 'k3', isDelete: true, value: new Uint8Array() }]);
    expect(await ledger.getState(CC, 'k3')).toBeUndefined();
  });

  it('has no read-your-own-writes', async () => {
    const { result } = await run(org1, ['PutThenGet', 'k2', 'changed']);
    expect(text(result)).toBe('two');
    const { ns } = rwset(result);
    expect(ns?.writes.map((w) => w.key)).toEqual(['k2']);
    expect(ns?.reads.map((r) => r.key)).toEqual(['k2']);
  });

  it('records range query infos with raw reads for phantom detection', async () => {
    const versions = ['r0', 'r1', 'r2', 'r3', 'r4'].map((k) => ledger.put(CC, k, `value-${k}`));
    const { result } = await run(org1, ['Range', 'r1', 'r4']);
    expect((json(result) as Array<{ key: string }>).map((e) => e.key)).toEqual(['r1', 'r2', 'r3']);
    expect(rwset(result).ns?.rangeQueries).toEqual([
      {
        startKey: 'r1',
        endKey: 'r4',
        itrExhausted: true,
        rawReads: [1, 2, 3].map((i) => ({ key: `r${i}`, version: versions[i] })),
      },
    ]);

    // The peer prefetches a batch of up to 100 results, so a chaincode stopping early still covers
    // the whole (small) range; an empty start key is sent by the shim as "\u0001".
    const first = await run(org1, ['RangeFirst', '', 'r9', '2']);
    expect(json(first.result)).toEqual(['k1', 'k2']);
    expect(rwset(first.result).ns?.rangeQueries[0]).toMatchObject({
      startKey: '\u0001',
      endKey: 'r9',
      itrExhausted: true,
    });
  });

  it('serves ranges over composite keys', async () => {
    await submit(['PutComposite', 'owner', 'alice', 'car1', 'x']);
    await submit(['PutComposite', 'owner', 'alice', 'car2', 'y']);
    await submit(['PutComposite', 'owner', 'bob', 'car3', 'z']);
    const { result } = await run(org1, ['ListComposite', 'owner', 'alice']);
    expect(json(result)).toEqual(['alice/car1', 'alice/car2']);
  });

  it('batches large ranges through QUERY_STATE_NEXT', async () => {
    await submit(['PutMany', 'm', '230']);
    const { result } = await run(org1, ['Range', 'm', 'n']);
    expect(json(result)).toHaveLength(230);
    const rq = rwset(result).ns?.rangeQueries[0];
    expect(rq?.itrExhausted).toBe(true);
    expect(rq?.merkleSummary?.maxDegree).toBe(50);

    // Closing early (QUERY_STATE_CLOSE) after the first batch: the range covers the 100 results
    // sent plus the 101st read to learn that there are more, as in Fabric.
    const first = await run(org1, ['RangeFirst', 'm', 'n', '2']);
    expect(json(first.result)).toEqual(['m0000', 'm0001']);
    expect(rwset(first.result).ns?.rangeQueries[0]).toMatchObject({
      startKey: 'm',
      endKey: 'm0100',
      itrExhausted: false,
    });
  });

  it('paginates on the peer side: page size, fetched count, bookmark', async () => {
    for (const k of ['p0', 'p1', 'p2', 'p3', 'p4']) ledger.put(CC, k, k);
    const one = await run(org1, ['Page', 'p', 'q', '3', ''], { readOnly: true });
    expect(json(one.result)).toEqual({ keys: ['p0', 'p1', 'p2'], bookmark: 'p3', fetched: 3 });
    expect(rwset(one.result).ns?.rangeQueries[0]).toMatchObject({
      startKey: 'p',
      endKey: 'p2',
      itrExhausted: false,
    });
    const two = await run(org1, ['Page', 'p', 'q', '3', 'p3'], { readOnly: true });
    expect(json(two.result)).toEqual({ keys: ['p3', 'p4'], bookmark: '', fetched: 2 });
    expect(rwset(two.result).ns?.rangeQueries[0]).toMatchObject({
      startKey: 'p3',
      endKey: 'q',
      itrExhausted: true,
    });
  });

  it('refuses paginated queries after writes and writes after paginated queries', async () => {
    const a = await run(org1, ['PutThenPage', 'x', 'p', 'q']);
    expect(a.result.response.status).toBe(500);
    expect(a.result.response.message).toContain(
      `GET_STATE_BY_RANGE failed: transaction ID: ${a.txId}: txid [${a.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
    );
    const b = await run(org1, ['PageThenPut', 'p', 'q', 'x']);
    expect(b.result.response.status).toBe(500);
    expect(b.result.response.message).toContain(
      `PUT_STATE failed: transaction ID: ${b.txId}: txid [${b.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
    );
  });

  it('serves history newest first, with transaction IDs, timestamps and deletes', async () => {
    const v1 = await submit(['Put', 'h', 'one'], 1_700_000_001);
    const v2 = await submit(['Put', 'h', 'two'], 1_700_000_002);
    const del = await submit(['Del', 'h'], 1_700_000_003);
    const { result } = await run(org1, ['History', 'h']);
    expect(json(result)).toEqual([
      { txId: del.txId, value: '', isDelete: true, seconds: 1_700_000_003, nanos: 0 },
      { txId: v2.txId, value: 'two', isDelete: false, seconds: 1_700_000_002, nanos: 0 },
      { txId: v1.txId, value: 'one', isDelete: false, seconds: 1_700_000_001, nanos: 0 },
    ]);
    // History reads are not part of the read-write set.
    expect(rwset(result).sets).toEqual([]);
  });

  it("sets a key-level endorsement policy (fabric-shim's KeyEndorsementPolicy) as a metadata write", async () => {
    await submit(['Put', 'sbe', 'guarded']);
    const set = await submit(['SetKeyPolicy', 'sbe', JSON.stringify(['Org2MSP', 'Org1MSP'])]);
    const [mw] = rwset(set.result).ns?.metadataWrites ?? [];
    expect(mw?.key).toBe('sbe');
    expect(mw?.entries.map((e) => e.name)).toEqual(['VALIDATION_PARAMETER']);
    const spe = common.SignaturePolicyEnvelope.deserializeBinary(mw!.entries[0]!.value);
    expect(spe.getIdentitiesList()).toHaveLength(2);
    expect(rwset(set.result).ns?.writes).toEqual([]);

    const get = await run(org1, ['GetKeyPolicy', 'sbe']);
    expect(json(get.result)).toEqual(['Org1MSP', 'Org2MSP']);
    const committed = await ledger.getState(CC, 'sbe');
    expect(rwset(get.result).ns?.reads).toEqual([{ key: 'sbe', version: committed?.version }]);
  });

  it('returns the chaincode event with chaincode ID and transaction ID', async () => {
    const { txId, result } = await run(org1, ['Emit', 'ReportFiled', '{"id":1}']);
    expect(result.event?.getEventName()).toBe('ReportFiled');
    expect(Buffer.from(result.event!.getPayload_asU8()).toString()).toBe('{"id":1}');
    expect(result.event?.getChaincodeId()).toBe(CC);
    expect(result.event?.getTxId()).toBe(txId);
    const none = await run(org1, ['Get', 'k1']);
    expect(none.result.event).toBeUndefined();
  });

  it('reports a thrown error as status 500 with its message', async () => {
    const { result } = await run(org1, ['Fail', 'no such report']);
    expect(result.response).toMatchObject({ status: 500, message: 'no such report' });
  });

  it('refuses rich queries, private data and chaincode-to-chaincode calls with clear messages', async () => {
    const rich = await run(org1, ['Rich', '{"selector":{}}']);
    expect(rich.result.response.status).toBe(500);
    expect(rich.result.response.message).toContain(
      `GET_QUERY_RESULT failed: transaction ID: ${rich.txId}: ExecuteQuery not supported for leveldb`,
    );
    const pvt = await run(org1, ['Private', 'secrets', 'k']);
    expect(pvt.result.response.message).toContain(`collection ${CHANNEL}/${CC}/secrets could not be found`);
    const cc2cc = await run(org1, ['CallOther', 'other']);
    expect(cc2cc.result.response.message).toContain(
      'chaincode-to-chaincode invocation (of other) is not supported',
    );
  });

  it('runs many transactions concurrently on one stream', async () => {
    const jobs = Array.from({ length: 24 }, (_, i) =>
      i % 3 === 0
        ? run(org1, ['Sleep', String(50 + (i % 5) * 20)])
        : i % 3 === 1
          ? run(org1, ['TxInfo'])
          : run(org1, ['GetAll', JSON.stringify(['k1', 'k2', 'r1'])]),
    );
    const results = await Promise.all(jobs);
    results.forEach(({ txId, result }, i) => {
      expect(result.response.status, result.response.message).toBe(200);
      if (i % 3 === 1) expect((json(result) as { txId: string }).txId).toBe(txId);
      if (i % 3 === 2) {
        expect(json(result)).toEqual(['uno', 'two', 'value-r1']);
        expect(rwset(result).ns?.reads.map((r) => r.key)).toEqual(['k1', 'k2', 'r1']);
      }
    });
  });

  it('refuses a transaction ID that is already executing', async () => {
    const p = prepare(client, ['Sleep', '300']);
    const first = org1.execute(p.req, ledger);
    await expect(org1.execute(p.req, ledger)).rejects.toMatchObject({
      code: 'DUPLICATE_TXID',
      message: `txid: ${p.txId}(${CHANNEL}) exists`,
    });
    expect((await first).response.status).toBe(200);
  });

  it('gives each organisation its own CORE_PEER_LOCALMSPID', async () => {
    expect(text((await run(org1, ['MspId'])).result)).toBe('Org1MSP');
    expect(text((await run(org2, ['MspId'])).result)).toBe('Org2MSP');
  });

  it('produces byte-identical read-write sets on two peers for deterministic chaincode, different ones otherwise', async () => {
    const same = prepare(client, ['GetAll', JSON.stringify(['r2', 'k1', 'missing'])]);
    const [a, b] = await Promise.all([org1.execute(same.req, ledger), org2.execute(same.req, ledger)]);
    expect(Buffer.from(a.results).equals(Buffer.from(b.results))).toBe(true);
    const random = prepare(client, ['Random']);
    const [x, y] = await Promise.all([org1.execute(random.req, ledger), org2.execute(random.req, ledger)]);
    expect(text(x)).not.toBe(text(y));
    expect(Buffer.from(x.results).equals(Buffer.from(y.results))).toBe(false);
  });

  it('writes the chaincode output to the log file', async () => {
    await run(org2, ['Fail', 'logged failure']);
    await vi.waitFor(() => {
      expect(readFileSync(logFile, 'utf8')).toContain('logged failure');
    });
  });
});

describe('ChaincodeRuntime supervision', () => {
  const ledger = new MemoryLedger();
  let rt: ChaincodeRuntime;
  let client: TestIdentity;
  const exec = async (args: string[]) => rt.execute(prepare(client, args).req, ledger);

  beforeAll(async () => {
    client = await (await TestCA.create('Org1MSP')).issue({ commonName: 'bob', ou: 'client' });
    rt = new ChaincodeRuntime({
      mspId: 'Org1MSP',
      name: CC,
      version: '1.0',
      folder: FIXTURE,
      executeTimeoutMs: 2_000,
      restartBackoffMs: { initial: 100, max: 1_000 },
    });
    await rt.start();
  });

  afterAll(async () => {
    await (rt as ChaincodeRuntime | undefined)?.stop();
  });

  it('fails a transaction that exceeds the execute timeout and stays usable', async () => {
    await expect(exec(['Sleep', '4000'])).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'timeout expired while executing transaction',
    });
    expect(text(await exec(['MspId']))).toBe('Org1MSP');
    expect(rt.restarts).toBe(0);
  });

  it('restarts a process killed while idle; the next execute works', async () => {
    const before = rt.pid!;
    process.kill(before, 'SIGKILL');
    await vi.waitFor(() => {
      expect(rt.restarts).toBe(1);
    }, 10_000);
    await rt.whenReady(20_000);
    expect(rt.pid).not.toBe(before);
    expect(rt.lastFailure).toMatch(/process exited \(signal SIGKILL\)|stream/);
    expect(text(await exec(['MspId']))).toBe('Org1MSP');
  });

  it('an execute issued while the process restarts waits for it', async () => {
    process.kill(rt.pid!, 'SIGKILL');
    await vi.waitFor(() => {
      expect(rt.state).not.toBe('ready');
    });
    expect(text(await exec(['MspId']))).toBe('Org1MSP');
  });

  it('fails in-flight transactions cleanly when the process dies, then recovers', async () => {
    const inflight = exec(['Sleep', '10000']);
    const failed = expect(inflight).rejects.toSatisfy(
      (err: unknown) =>
        err instanceof ChaincodeExecutionError &&
        err.code === 'TERMINATED' &&
        err.message.startsWith(`chaincode ${CC} terminated: `),
    );
    await new Promise((r) => setTimeout(r, 300)); // the TRANSACTION has reached the chaincode
    process.kill(rt.pid!, 'SIGKILL');
    await failed;
    await rt.whenReady(20_000);
    expect(text(await exec(['MspId']))).toBe('Org1MSP');
  });

  it('fails a transaction whose chaincode process exits mid-way', async () => {
    await expect(exec(['Crash'])).rejects.toMatchObject({ code: 'TERMINATED' });
    await rt.whenReady(20_000);
    expect((await exec(['Get', 'nothing'])).response.status).toBe(200);
  });

  it('stops: the process exits and executions are refused', async () => {
    const pid = rt.pid!;
    await rt.stop();
    expect(rt.state).toBe('stopped');
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(exec(['MspId'])).rejects.toMatchObject({ code: 'STOPPED' });
  });
});

describe('ChaincodeRuntime start failures', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cc-broken-'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'broken', version: '1.0.0', main: 'index.js' }),
    );
    writeFileSync(join(dir, 'index.js'), "throw new Error('broken chaincode at load');\n");
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects start() when the process exits before listening, with its output', async () => {
    const rt = new ChaincodeRuntime({ mspId: 'Org1MSP', name: 'broken', version: '1', folder: dir });
    const err: unknown = await rt.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChaincodeStartError);
    expect(err).toMatchObject({ code: 'EXITED' });
    expect((err as Error).message).toContain('broken chaincode at load');
    expect(rt.state).toBe('idle');
    await rt.stop();
  });

  it('rejects start() with STOPPED when stopped while starting', async () => {
    const rt = new ChaincodeRuntime({ mspId: 'Org1MSP', name: CC, version: '1.0', folder: FIXTURE });
    const starting = rt.start();
    await rt.stop();
    await expect(starting).rejects.toMatchObject({ code: 'STOPPED' });
    expect(rt.pid).toBeUndefined();
  });
});
