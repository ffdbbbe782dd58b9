import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockHeaderHash } from './blockhash.js';
import { LedgerError } from './errors.js';
import { blockKey } from './keys.js';
import { PeerLedger } from './peer-ledger.js';
import { openLedgerDb } from './stores.js';
import { del, envelopeBytes, put, TestChain, testTx } from './test-support.js';
import type { BlockTx, MetadataWrite } from './types.js';

const CC = 'creditcc';
const text = (bytes: Uint8Array | null | undefined): string | undefined =>
  bytes === null || bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
const meta = (ns: string, key: string, entries: Record<string, string>): MetadataWrite => ({
  ns,
  key,
  metadata: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)])),
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

let dir: string;
let ledger: PeerLedger;
let chain: TestChain;

async function commitBlock(txs: BlockTx[]): Promise<Uint8Array> {
  const { block, bytes } = chain.next(txs);
  await ledger.commit(bytes, block, txs);
  return bytes;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledger-test-'));
  ledger = await PeerLedger.open(join(dir, 'peer0'));
  chain = new TestChain();
});

afterEach(async () => {
  await ledger.close();
  await rm(dir, { recursive: true, force: true });
});

describe('empty ledger', () => {
  it('has height 0 and nothing stored', async () => {
    expect(ledger.height).toBe(0);
    expect(ledger.blockchainInfo.currentBlockHash).toHaveLength(0);
    expect(await ledger.getBlock(0)).toBeUndefined();
    expect(await ledger.getState(CC, 'a')).toBeUndefined();
    expect(await ledger.getTxStatus('t')).toBeUndefined();
    expect(await collect(ledger.stateEntries())).toEqual([]);
    expect((await ledger.verifyIntegrity()).ok).toBe(true);
  });
});

describe('block store', () => {
  it('stores the exact bytes and the chain tip', async () => {
    const bytes0 = await commitBlock([testTx('t0', 0, [put(CC, 'a', '1')])]);
    const bytes1 = await commitBlock([testTx('t1', 0, [put(CC, 'a', '2')])]);
    expect(ledger.height).toBe(2);
    expect(Buffer.from((await ledger.getBlockBytes(0))!).equals(bytes0)).toBe(true);
    expect(Buffer.from((await ledger.getBlockBytes(1))!).equals(bytes1)).toBe(true);
    const block1 = (await ledger.getBlock(1))!;
    expect(block1.getHeader()!.getNumber()).toBe(1);
    expect(ledger.blockchainInfo.currentBlockHash).toEqual(
      new Uint8Array(blockHeaderHash(block1.getHeader()!)),
    );
    expect(ledger.blockchainInfo.previousBlockHash).toEqual(block1.getHeader()!.getPreviousHash_asU8());
    expect(await ledger.getBlockBytes(2)).toBeUndefined();
    expect(await ledger.getBlockBytes(-1)).toBeUndefined();
  });

  it('refuses blocks out of order without writing anything', async () => {
    await commitBlock([testTx('t0', 0, [put(CC, 'a', '1')])]);
    const skipped = new TestChain(2, new Uint8Array(32)).next([testTx('t2', 0, [put(CC, 'a', 'x')])]);
    const err = await ledger
      .commit(skipped.bytes, skipped.block, [testTx('t2', 0, [put(CC, 'a', 'x')])])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect((err as LedgerError).code).toBe('BLOCK_OUT_OF_ORDER');
    expect((err as LedgerError).message).toBe('block number should have been 1 but was 2');
    const again = new TestChain(0).next([testTx('t0b', 0, [])]);
    await expect(ledger.commit(again.bytes, again.block, [])).rejects.toMatchObject({
      code: 'BLOCK_OUT_OF_ORDER',
    });
    expect(ledger.height).toBe(1);
    expect(text((await ledger.getState(CC, 'a'))?.value)).toBe('1');
    expect(await ledger.getTxStatus('t2')).toBeUndefined();
  });

  it('refuses a block whose previous_hash does not chain', async () => {
    await commitBlock([testTx('t0', 0, [])]);
    const forged = new TestChain(1, new Uint8Array(32).fill(1)).next([testTx('t1', 0, [])]);
    await expect(ledger.commit(forged.bytes, forged.block, [])).rejects.toMatchObject({
      code: 'PREVIOUS_HASH_MISMATCH',
    });
    expect(ledger.height).toBe(1);
  });

  it('refuses malformed commit input before writing', async () => {
    const txs = [testTx('t0', 0, [put(CC, 'a', '1')]), testTx('t1', 1, [put(CC, 'lone\uD800', 'x')])];
    const built = chain.next(txs);
    await expect(ledger.commit(built.bytes, built.block, txs)).rejects.toMatchObject({ code: 'INVALID_KEY' });
    const beyond = [testTx('t0', 5, [])];
    await expect(ledger.commit(built.bytes, built.block, beyond)).rejects.toMatchObject({
      code: 'INVALID_TX',
    });
    const unordered = [testTx('t1', 1, []), testTx('t0', 0, [])];
    await expect(ledger.commit(built.bytes, built.block, unordered)).rejects.toMatchObject({
      code: 'INVALID_TX',
    });
    expect(ledger.height).toBe(0);
    expect(await ledger.getState(CC, 'a')).toBeUndefined();
    expect(await ledger.getTxStatus('t0')).toBeUndefined();
  });

  it('serializes concurrent commits', async () => {
    const a = [testTx('a', 0, [put(CC, 'k', 'a')])];
    const b = [testTx('b', 0, [put(CC, 'k', 'b')])];
    const blockA = chain.next(a);
    const blockB = chain.next(b);
    await Promise.all([
      ledger.commit(blockA.bytes, blockA.block, a),
      ledger.commit(blockB.bytes, blockB.block, b),
    ]);
    expect(ledger.height).toBe(2);
    expect((await ledger.getState(CC, 'k'))?.version).toEqual({ blockNum: 1, txNum: 0 });
  });
});

describe('world state', () => {
  it('versions values by (block, tx) and applies only valid txs', async () => {
    await commitBlock([testTx('t0', 0, [put(CC, 'a', 'a0')]), testTx('t1', 1, [put(CC, 'b', 'b0')])]);
    await commitBlock([
      testTx('t2', 0, [put(CC, 'c', 'bad')], { code: 11 }),
      testTx('t3', 1, [put(CC, 'a', 'a1'), put('othercc', 'a', 'other')]),
    ]);
    expect(await ledger.getState(CC, 'a')).toEqual({
      value: Buffer.from('a1'),
      version: { blockNum: 1, txNum: 1 },
    });
    expect((await ledger.getState(CC, 'b'))?.version).toEqual({ blockNum: 0, txNum: 1 });
    expect(await ledger.getState(CC, 'c')).toBeUndefined();
    expect(text((await ledger.getState('othercc', 'a'))?.value)).toBe('other');
    expect(await ledger.getTxStatus('t2')).toEqual({ blockNumber: 1, txNumber: 0, code: 11 });
    const many = await ledger.getStateMany([
      { ns: CC, key: 'b' },
      { ns: CC, key: 'zz' },
      { ns: 'othercc', key: 'a' },
    ]);
    expect(many.map((v) => text(v?.value))).toEqual(['b0', undefined, 'other']);
  });

  it('deletes keys with their metadata', async () => {
    await commitBlock([
      testTx('t0', 0, [put(CC, 'a', '1')], { metadataWrites: [meta(CC, 'a', { VP: 'p' })] }),
    ]);
    await commitBlock([testTx('t1', 0, [del(CC, 'a')])]);
    expect(await ledger.getState(CC, 'a')).toBeUndefined();
    expect(await ledger.getStateMetadata(CC, 'a')).toBeUndefined();
  });

  it('last write of a block wins', async () => {
    await commitBlock([
      testTx('t0', 0, [put(CC, 'a', '1')]),
      testTx('t1', 1, [del(CC, 'a')]),
      testTx('t2', 2, [put(CC, 'b', '1')]),
      testTx('t3', 3, [put(CC, 'b', '2')]),
    ]);
    expect(await ledger.getState(CC, 'a')).toBeUndefined();
    expect(await ledger.getState(CC, 'b')).toEqual({
      value: Buffer.from('2'),
      version: { blockNum: 0, txNum: 3 },
    });
  });
});

describe('state metadata (Fabric txmgr semantics)', () => {
  it('keeps metadata on value writes and bumps the version on metadata-only writes', async () => {
    await commitBlock([
      testTx('t0', 0, [put(CC, 'k', 'v0')], {
        metadataWrites: [meta(CC, 'k', { VALIDATION_PARAMETER: 'pol1' })],
      }),
    ]);
    expect(text((await ledger.getStateMetadata(CC, 'k'))?.VALIDATION_PARAMETER)).toBe('pol1');

    await commitBlock([testTx('t1', 0, [put(CC, 'k', 'v1')])]);
    expect(text((await ledger.getStateMetadata(CC, 'k'))?.VALIDATION_PARAMETER)).toBe('pol1');

    await commitBlock([
      testTx('t2', 0, [], { metadataWrites: [meta(CC, 'k', { VALIDATION_PARAMETER: 'pol2', X: 'y' })] }),
    ]);
    expect(await ledger.getState(CC, 'k')).toEqual({
      value: Buffer.from('v1'),
      version: { blockNum: 2, txNum: 0 },
    });
    const md = (await ledger.getStateMetadata(CC, 'k'))!;
    expect(Object.keys(md).sort()).toEqual(['VALIDATION_PARAMETER', 'X']);
    expect(text(md.VALIDATION_PARAMETER)).toBe('pol2');

    await commitBlock([testTx('t3', 0, [], { metadataWrites: [meta(CC, 'k', {})] })]);
    expect(await ledger.getStateMetadata(CC, 'k')).toBeUndefined();
    expect((await ledger.getState(CC, 'k'))?.version).toEqual({ blockNum: 3, txNum: 0 });
    // metadata-only writes are not history entries
    expect((await collect(ledger.getHistory(CC, 'k'))).map((h) => h.txId)).toEqual(['t1', 't0']);
  });

  it('ignores metadata of missing or deleted keys', async () => {
    await commitBlock([
      testTx('t0', 0, [], { metadataWrites: [meta(CC, 'missing', { A: '1' })] }),
      testTx('t1', 1, [put(CC, 'gone', 'v')]),
      testTx('t2', 2, [del(CC, 'gone')]),
      testTx('t3', 3, [], { metadataWrites: [meta(CC, 'gone', { A: '1' })] }),
      testTx('t4', 4, [del(CC, 'both')], { metadataWrites: [meta(CC, 'both', { A: '1' })] }),
    ]);
    expect(await ledger.getState(CC, 'missing')).toBeUndefined();
    expect(await ledger.getStateMetadata(CC, 'missing')).toBeUndefined();
    expect(await ledger.getState(CC, 'gone')).toBeUndefined();
    expect(await ledger.getStateMetadata(CC, 'gone')).toBeUndefined();
    expect(await ledger.getStateMetadata(CC, 'both')).toBeUndefined();
  });

  it('applies metadata-only writes to values written earlier in the same block', async () => {
    await commitBlock([
      testTx('t0', 0, [put(CC, 'k', 'v0')]),
      testTx('t1', 1, [], { metadataWrites: [meta(CC, 'k', { A: '1' })] }),
      testTx('t2', 2, [], { metadataWrites: [meta(CC, 'k', { A: '2' })] }),
      testTx('t3', 3, [], { code: 10, metadataWrites: [meta(CC, 'k', { A: 'invalid' })] }),
    ]);
    expect(await ledger.getState(CC, 'k')).toEqual({
      value: Buffer.from('v0'),
      version: { blockNum: 0, txNum: 2 },
    });
    expect(text((await ledger.getStateMetadata(CC, 'k'))?.A)).toBe('2');
  });
});

describe('range scans', () => {
  const keys = [
    'a',
    'b',
    'b\x00',
    'ba',
    '\uFFFD',
    '\u{10000}',
    '\u00e9',
    '\x00asset\x00owner\x00',
    '\x00asset\x00owner\x00alice\x00k1\x00',
    '\x00asset\x00owner\x00bob\x00k2\x00',
    '\x00asset\x00ownerx\x00',
    '\x00other\x00',
    '\x01',
  ];
  const utf8Order = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

  beforeEach(async () => {
    await commitBlock([
      testTx(
        't0',
        0,
        keys.map((k) => put(CC, k, `v:${k}`)),
      ),
      testTx('t1', 1, [
        put('creditc', 'zzz', 'shorter ns'),
        put('creditcc2', 'a', 'longer ns'),
        put('c', 'reditcca', 'x'),
      ]),
    ]);
  });

  const scanKeys = async (start: string, end: string) =>
    (await collect(ledger.scan(CC, start, end))).map((e) => e.key);

  it('iterates a whole namespace in UTF-8 byte order (not UTF-16 order)', async () => {
    expect(await scanKeys('', '')).toEqual(utf8Order);
    expect(utf8Order.indexOf('\uFFFD')).toBeLessThan(utf8Order.indexOf('\u{10000}'));
  });

  it('serves half-open ranges and the shim composite-key ranges', async () => {
    expect(await scanKeys('a', 'ba')).toEqual(['a', 'b', 'b\x00']);
    expect(await scanKeys('\x01', '')).toEqual(utf8Order.filter((k) => !k.startsWith('\x00')));
    expect(await scanKeys('\x00asset\x00owner\x00', '\x00asset\x00owner\x00\u{10FFFF}')).toEqual([
      '\x00asset\x00owner\x00',
      '\x00asset\x00owner\x00alice\x00k1\x00',
      '\x00asset\x00owner\x00bob\x00k2\x00',
    ]);
    expect(await scanKeys('b', 'a')).toEqual([]);
  });

  it('returns values with versions and stops early on break', async () => {
    const first = (await collect(ledger.scan(CC, 'a', 'b')))[0]!;
    expect(first).toEqual({ key: 'a', value: Buffer.from('v:a'), version: { blockNum: 0, txNum: 0 } });
    const seen: string[] = [];
    for await (const { key } of ledger.scan(CC, '', '')) if (seen.push(key) === 2) break;
    expect(seen).toEqual(utf8Order.slice(0, 2));
  });

  it('keeps namespaces apart', async () => {
    expect(await collect(ledger.scan('creditc', '', ''))).toHaveLength(1);
    expect((await collect(ledger.snapshotState('c'))).map((e) => e.key)).toEqual(['reditcca']);
    const all = await collect(ledger.stateEntries());
    expect(all).toHaveLength(keys.length + 3);
    expect(all.filter((e) => e.ns === CC).map((e) => e.key)).toEqual(utf8Order);
  });

  it('rejects keys that have no exact UTF-8 form', () => {
    expect(() => ledger.scan(CC, '\uDC00', '')).toThrow(LedgerError);
  });
});

describe('history', () => {
  it('lists modifications newest first, deletes included, only for valid txs', async () => {
    await commitBlock([testTx('h0', 0, [put(CC, 'k', 'v0'), put(CC, 'k\x00x', 'other key')])]);
    await commitBlock([
      testTx('bad', 0, [put(CC, 'k', 'nope')], { code: 11 }),
      testTx('h1', 1, [put(CC, 'k', 'v1')]),
    ]);
    await commitBlock([testTx('h2', 0, [del(CC, 'k')], { timestamp: { seconds: 42, nanos: 7 } })]);
    await commitBlock([testTx('h3', 0, [put(CC, 'k', 'v3')])]);
    const history = await collect(ledger.getHistory(CC, 'k'));
    expect(history.map((h) => [h.txId, h.blockNum, h.txNum, h.isDelete, text(h.value)])).toEqual([
      ['h3', 3, 0, false, 'v3'],
      ['h2', 2, 0, true, undefined],
      ['h1', 1, 1, false, 'v1'],
      ['h0', 0, 0, false, 'v0'],
    ]);
    expect(history[1]).toMatchObject({ value: null, timestamp: { seconds: 42, nanos: 7 } });
    expect(history[3]!.timestamp).toEqual({ seconds: 1_700_000_000, nanos: 500 });
    expect((await collect(ledger.getHistory(CC, 'k\x00x'))).map((h) => h.txId)).toEqual(['h0']);
    expect(await collect(ledger.getHistory('othercc', 'k'))).toEqual([]);
  });
});

describe('snapshots', () => {
  it('keep reading the state, metadata, ranges and history of when they were taken', async () => {
    await commitBlock([
      testTx('t0', 0, [put(CC, 'a', 'a0'), put(CC, 'b', 'b0')], {
        metadataWrites: [meta(CC, 'a', { p: '0' })],
      }),
    ]);
    const snap = ledger.snapshot();
    await commitBlock([testTx('t1', 0, [put(CC, 'a', 'a1'), del(CC, 'b'), put(CC, 'c', 'c1')])]);
    await commitBlock([testTx('t2', 0, [], { metadataWrites: [meta(CC, 'a', { p: '2' })] })]);

    expect(text((await snap.getState(CC, 'a'))?.value)).toBe('a0');
    expect((await snap.getState(CC, 'a'))?.version).toEqual({ blockNum: 0, txNum: 0 });
    expect(text((await snap.getState(CC, 'b'))?.value)).toBe('b0');
    expect(await snap.getState(CC, 'c')).toBeUndefined();
    expect(text((await snap.getStateMetadata(CC, 'a'))?.p)).toBe('0');
    expect((await collect(snap.scan(CC, '', ''))).map((e) => e.key)).toEqual(['a', 'b']);
    expect((await collect(snap.getHistory(CC, 'a'))).map((h) => text(h.value))).toEqual(['a0']);

    expect(text((await ledger.getState(CC, 'a'))?.value)).toBe('a1');
    expect(await ledger.getState(CC, 'b')).toBeUndefined();
    expect(text((await ledger.getStateMetadata(CC, 'a'))?.p)).toBe('2');
    expect((await collect(ledger.scan(CC, '', ''))).map((e) => e.key)).toEqual(['a', 'c']);
    const fresh = ledger.snapshot();
    expect(text((await fresh.getState(CC, 'c'))?.value)).toBe('c1');
    await Promise.all([snap.close(), fresh.close()]);
    await expect(snap.getState(CC, 'a')).rejects.toThrow();
  });
});

describe('txid index', () => {
  it('keeps the first occurrence of a tx id', async () => {
    await commitBlock([testTx('dup', 0, [put(CC, 'a', '1')]), testTx('x', 1, [])]);
    await commitBlock([testTx('y', 0, []), testTx('dup', 1, [put(CC, 'a', '2')], { code: 2 })]);
    await commitBlock([testTx('z', 0, [], { code: 11 }), testTx('z', 1, [])]);
    expect(await ledger.getTxStatus('dup')).toEqual({ blockNumber: 0, txNumber: 0, code: 0 });
    expect(await ledger.getTxStatus('z')).toEqual({ blockNumber: 2, txNumber: 0, code: 11 });
    expect(await ledger.getTxStatusMany(['y', 'nope', 'dup'])).toEqual([
      { blockNumber: 1, txNumber: 0, code: 0 },
      undefined,
      { blockNumber: 0, txNumber: 0, code: 0 },
    ]);
    const tx = (await ledger.getTransaction('dup'))!;
    expect(Buffer.from(tx.envelopeBytes).equals(envelopeBytes('dup'))).toBe(true);
    expect(tx.code).toBe(0);
    const processed = (await ledger.getProcessedTransaction('z'))!;
    expect(processed.getValidationcode()).toBe(11);
    expect(Buffer.from(processed.getTransactionenvelope()!.getPayload_asU8()).toString()).toBe('z');
    expect(await ledger.getTransaction('nope')).toBeUndefined();
  });

  it('does not index empty tx ids', async () => {
    await commitBlock([testTx('', 0, [put(CC, 'a', '1')])]);
    expect(await ledger.getTxStatus('')).toBeUndefined();
    expect(text((await ledger.getState(CC, 'a'))?.value)).toBe('1');
  });
});

describe('persistence and recovery', () => {
  it('reopens with the same height, tip, state, metadata and history', async () => {
    await commitBlock([
      testTx('t0', 0, [put(CC, 'a', '1')], { metadataWrites: [meta(CC, 'a', { A: 'x' })] }),
    ]);
    await commitBlock([testTx('t1', 0, [put(CC, 'a', '2'), put(CC, 'b', '3')])]);
    const info = ledger.blockchainInfo;
    await ledger.close();
    await expect(ledger.getState(CC, 'a')).rejects.toMatchObject({ code: 'CLOSED' });

    ledger = await PeerLedger.open(join(dir, 'peer0'));
    expect(ledger.height).toBe(2);
    expect(ledger.blockchainInfo).toEqual(info);
    expect(await ledger.getState(CC, 'a')).toEqual({
      value: Buffer.from('2'),
      version: { blockNum: 1, txNum: 0 },
    });
    expect(text((await ledger.getStateMetadata(CC, 'a'))?.A)).toBe('x');
    expect((await collect(ledger.getHistory(CC, 'a'))).map((h) => h.txId)).toEqual(['t1', 't0']);
    expect(await ledger.verifyIntegrity()).toEqual({ ok: true, height: 2, problems: [] });
    await commitBlock([testTx('t2', 0, [put(CC, 'c', '4')])]);
    expect(ledger.height).toBe(3);
  });

  it('refuses a second opener of the same directory', async () => {
    await expect(PeerLedger.open(join(dir, 'peer0'))).rejects.toMatchObject({ code: 'OPEN_FAILED' });
  });

  it('verifyIntegrity detects a tampered block', async () => {
    await commitBlock([testTx('t0', 0, [put(CC, 'a', '1')])]);
    await commitBlock([testTx('t1', 0, [put(CC, 'a', '2')])]);
    await ledger.close();
    const { db, stores } = await openLedgerDb(join(dir, 'peer0'));
    const forged = new TestChain(1, new Uint8Array(32)).next([testTx('evil', 0, [])]);
    await stores.blocks.put(blockKey(1), forged.bytes);
    await db.close();
    ledger = await PeerLedger.open(join(dir, 'peer0'));
    const report = await ledger.verifyIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems).toContain("block 1: previous_hash is not the hash of block 0's header");
  });
});
