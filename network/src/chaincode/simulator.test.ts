import { createHash } from 'node:crypto';
import { ledger } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { SimulationError } from './errors.js';
import { decodeTxReadWriteSet } from './rwset.js';
import { TxSimulator } from './simulator.js';
import { MemoryLedger } from './testdata/memory-ledger.js';

const NS = 'cc';
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

async function drain(it: { next(): Promise<Uint8Array | null> }): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const r = await it.next();
    if (r === null) return keys;
    keys.push(ledger.queryresult.KV.deserializeBinary(r).getKey());
  }
}

describe('TxSimulator', () => {
  it('records reads with the committed version, and absent keys without one', async () => {
    const l = new MemoryLedger();
    const v = l.put(NS, 'a', 'A');
    const sim = new TxSimulator(l, { txId: 't1' });
    expect(Buffer.from((await sim.getState(NS, 'a'))!).toString()).toBe('A');
    expect(await sim.getState(NS, 'missing')).toBeUndefined();
    const [ns] = decodeTxReadWriteSet(await sim.done());
    expect(ns?.namespace).toBe(NS);
    expect(ns?.reads).toEqual([{ key: 'a', version: v }, { key: 'missing' }]);
    expect(ns?.writes).toEqual([]);
  });

  it('has no read-your-own-writes: a read after a write sees committed state', async () => {
    const l = new MemoryLedger();
    const v = l.put(NS, 'k', 'committed');
    const sim = new TxSimulator(l, { txId: 't' });
    sim.setState(NS, 'k', utf8('mine'));
    sim.setState(NS, 'new', utf8('x'));
    expect(Buffer.from((await sim.getState(NS, 'k'))!).toString()).toBe('committed');
    expect(await sim.getState(NS, 'new')).toBeUndefined();
    const [ns] = decodeTxReadWriteSet(await sim.done());
    expect(ns?.reads).toEqual([{ key: 'k', version: v }, { key: 'new' }]);
  });

  it('keeps the last write per key, sorts writes by UTF-8 bytes, and treats null or empty values as deletes', async () => {
    const sim = new TxSimulator(new MemoryLedger(), { txId: 't' });
    const astral = '\u{1F600}'; // UTF-16 sorts it before U+FFFF, UTF-8 after
    sim.setState(NS, '\uFFFF', utf8('bmp'));
    sim.setState(NS, astral, utf8('astral'));
    sim.setState(NS, 'b', utf8('first'));
    sim.setState(NS, 'b', utf8('second'));
    sim.deleteState(NS, 'a');
    sim.setState(NS, 'c', new Uint8Array());
    const [ns] = decodeTxReadWriteSet(await sim.done());
    expect(ns?.writes.map((w) => w.key)).toEqual(['a', 'b', 'c', '\uFFFF', astral]);
    expect(ns?.writes.map((w) => [w.isDelete, Buffer.from(w.value).toString()])).toEqual([
      [true, ''],
      [false, 'second'],
      [true, ''],
      [false, 'bmp'],
      [false, 'astral'],
    ]);
  });

  it('records metadata writes with sorted entries, last one per key winning; metadata reads record the key', async () => {
    const l = new MemoryLedger();
    const v = l.put(NS, 'k', 'v');
    const sim = new TxSimulator(l, { txId: 't' });
    expect(await sim.getStateMetadata(NS, 'k')).toEqual({});
    sim.setStateMetadata(NS, 'k', { ignored: utf8('x') });
    sim.setStateMetadata(NS, 'k', { Z: utf8('z'), A: utf8('a') });
    sim.deleteStateMetadata(NS, 'other');
    const [ns] = decodeTxReadWriteSet(await sim.done());
    expect(ns?.reads).toEqual([{ key: 'k', version: v }]);
    expect(ns?.metadataWrites.map((m) => [m.key, m.entries.map((e) => e.name)])).toEqual([
      ['k', ['A', 'Z']],
      ['other', []],
    ]);
  });

  it('records range query infos: covered end key, exhaustion and raw reads, deduplicated in query order', async () => {
    const l = new MemoryLedger();
    const va = l.put(NS, 'a', '1');
    const vb = l.put(NS, 'b', '2');
    const vc = l.put(NS, 'c', '3');
    const sim = new TxSimulator(l, { txId: 't' });

    const partial = sim.getStateRangeScanIterator(NS, 'a', 'z');
    await partial.next();
    await partial.next(); // stops after two results: end key is the last key returned
    const full = sim.getStateRangeScanIterator(NS, 'b', '');
    expect(await drain(full)).toEqual(['b', 'c']);
    const again = sim.getStateRangeScanIterator(NS, 'b', '');
    await drain(again); // same (start, end, exhausted): deduplicated
    const empty = sim.getStateRangeScanIterator(NS, 'x', 'y');
    await drain(empty);

    const [ns] = decodeTxReadWriteSet(await sim.done());
    expect(ns?.rangeQueries).toEqual([
      {
        startKey: 'a',
        endKey: 'b',
        itrExhausted: false,
        rawReads: [
          { key: 'a', version: va },
          { key: 'b', version: vb },
        ],
      },
      {
        startKey: 'b',
        endKey: '',
        itrExhausted: true,
        rawReads: [
          { key: 'b', version: vb },
          { key: 'c', version: vc },
        ],
      },
      { startKey: 'x', endKey: 'y', itrExhausted: true },
    ]);
    // Range reads are not point reads.
    expect(ns?.reads).toEqual([]);
  });

  it('pulls range results lazily from the ledger', async () => {
    const l = new MemoryLedger();
    for (let i = 0; i < 10; i++) l.put(NS, `k${i}`, 'v');
    const sim = new TxSimulator(l, { txId: 't' });
    const itr = sim.getStateRangeScanIterator(NS, '', '');
    expect(l.calls.scan).toBe(0);
    await itr.next();
    await itr.next();
    expect(l.calls.scanPulled).toBe(2);
    await sim.done();
  });

  it("summarises more than 50 range reads as Fabric's Merkle tree", async () => {
    const l = new MemoryLedger();
    const versions = new Map<string, { blockNum: number; txNum: number }>();
    for (let i = 0; i < 120; i++) {
      const key = `k${String(i).padStart(3, '0')}`;
      versions.set(key, l.put(NS, key, 'v'));
    }
    const sim = new TxSimulator(l, { txId: 't' });
    expect(await drain(sim.getStateRangeScanIterator(NS, '', ''))).toHaveLength(120);
    const [ns] = decodeTxReadWriteSet(await sim.done());
    const rq = ns?.rangeQueries[0];
    expect(rq?.rawReads).toBeUndefined();

    // Independent recomputation: SHA-256 of QueryReads over each run of 51 reads (maxDegree + 1),
    // then of the 18 left over; three leaf hashes <= maxDegree, so the tree stops at level 1.
    const keys = [...versions.keys()];
    const chunkHash = (chunk: string[]): Buffer => {
      const reads = new ledger.rwset.kvrwset.QueryReads();
      reads.setKvReadsList(
        chunk.map((key) => {
          const r = new ledger.rwset.kvrwset.KVRead();
          r.setKey(key);
          const v = new ledger.rwset.kvrwset.Version();
          v.setBlockNum(versions.get(key)!.blockNum);
          v.setTxNum(0);
          r.setVersion(v);
          return r;
        }),
      );
      return createHash('sha256').update(reads.serializeBinary()).digest();
    };
    expect(rq?.merkleSummary?.maxDegree).toBe(50);
    expect(rq?.merkleSummary?.maxLevel).toBe(1);
    expect(rq?.merkleSummary?.maxLevelHashes.map((h) => Buffer.from(h).toString('hex'))).toEqual(
      [keys.slice(0, 51), keys.slice(51, 102), keys.slice(102)].map((c) => chunkHash(c).toString('hex')),
    );
  });

  it('limits a paginated scan to its page size and bookmarks the next key', async () => {
    const l = new MemoryLedger();
    for (const k of ['a', 'b', 'c', 'd']) l.put(NS, k, 'v');
    const sim = new TxSimulator(l, { txId: 't' });
    const page = sim.getStateRangeScanIteratorWithPagination(NS, 'a', '', 2);
    expect(await page.next()).not.toBeNull();
    expect(await page.next()).not.toBeNull();
    expect(await page.bookmarkAndClose()).toBe('c');
    expect(sim.paginatedQueryPerformed).toBe(true);
  });

  it("refuses pagination after a write and writes after pagination, in Fabric's words", () => {
    const l = new MemoryLedger();
    const writer = new TxSimulator(l, { txId: 'tx-w' });
    writer.setState(NS, 'k', utf8('v'));
    expect(() => writer.getStateRangeScanIteratorWithPagination(NS, '', '', 5)).toThrow(
      new SimulationError(
        'PAGINATED_AFTER_WRITE',
        'txid [tx-w]: unsuppored transaction. Paginated queries are supported only in a read-only transaction',
      ),
    );
    const reader = new TxSimulator(l, { txId: 'tx-r' });
    reader.getStateRangeScanIteratorWithPagination(NS, '', '', 5);
    expect(() => {
      reader.setState(NS, 'k', utf8('v'));
    }).toThrow(
      'txid [tx-r]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed',
    );
    expect(() => {
      reader.setStateMetadata(NS, 'k', {});
    }).toThrow(/Writes are not allowed/);
  });

  it('refuses rich queries as a LevelDB state database does', () => {
    const sim = new TxSimulator(new MemoryLedger(), { txId: 't' });
    expect(() => sim.executeQuery()).toThrow('ExecuteQuery not supported for leveldb');
    expect(() => sim.executeQueryWithPagination()).toThrow(
      'ExecuteQueryWithMetadata not supported for leveldb',
    );
  });

  it('produces identical bytes for the same simulation regardless of operation order, namespaces sorted', async () => {
    const l = new MemoryLedger();
    l.put('zz', 'k', 'v');
    l.put('aa', 'k', 'v');
    const run = async (order: number[]): Promise<Uint8Array> => {
      const sim = new TxSimulator(l, { txId: 't' });
      const ops = [
        () => sim.getState('zz', 'k'),
        () => sim.getState('aa', 'k'),
        () => {
          sim.setState('aa', 'y', utf8('1'));
          return Promise.resolve(undefined);
        },
        () => {
          sim.setState('aa', 'x', utf8('2'));
          return Promise.resolve(undefined);
        },
      ];
      for (const i of order) await ops[i]!();
      return sim.done();
    };
    const one = await run([0, 1, 2, 3]);
    const two = await run([3, 2, 1, 0]);
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true);
    expect(decodeTxReadWriteSet(one).map((n) => n.namespace)).toEqual(['aa', 'zz']);
  });

  it('is single-use: done() once, and nothing after it', async () => {
    const sim = new TxSimulator(new MemoryLedger(), { txId: 't' });
    await sim.done();
    await expect(sim.done()).rejects.toThrow(
      'this function should only be called once on a transaction simulator instance',
    );
    await expect(sim.getState(NS, 'k')).rejects.toThrow(
      'this instance should not be used after calling Done()',
    );
    expect(() => {
      sim.setState(NS, 'k', utf8('v'));
    }).toThrow(SimulationError);
  });
});
