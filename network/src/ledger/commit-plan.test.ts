import { describe, expect, it } from 'vitest';
import { commitLookups, identity, planCommit, type LedgerOp } from './commit-plan.js';
import { blockKey, HEIGHT_KEY, stateKey, txIdKey } from './keys.js';
import { decodeHeight, decodeStateRecord, encodeStateRecord } from './records.js';
import { del, put, testTx } from './test-support.js';

const find = (ops: LedgerOp[], store: LedgerOp['store'], key: Uint8Array): LedgerOp[] =>
  ops.filter((op) => op.store === store && Buffer.from(op.key).equals(key));

describe('planCommit', () => {
  it('puts the block first and the height last, and indexes only new tx ids', () => {
    const txs = [
      testTx('seen', 0, []),
      testTx('new', 1, [], { code: 11 }),
      testTx('new', 2, []),
      testTx('', 3, []),
    ];
    const ops = planCommit({
      blockNumber: 7,
      blockBytes: Buffer.from('block'),
      txs,
      indexedTxIds: new Set(['seen']),
      committedRecords: new Map(),
    });
    expect(ops[0]).toEqual({ store: 'blocks', key: blockKey(7), value: Buffer.from('block') });
    const last = ops.at(-1)!;
    expect(last.store).toBe('meta');
    expect(Buffer.from(last.key).equals(HEIGHT_KEY)).toBe(true);
    expect(decodeHeight(last.value!)).toBe(8);
    expect(ops.filter((op) => op.store === 'txids')).toHaveLength(1);
    expect(find(ops, 'txids', txIdKey('new'))).toHaveLength(1);
  });

  it('writes state and history of valid txs only, deleting metadata with values', () => {
    const txs = [
      testTx('a', 0, [put('cc', 'k', 'v'), del('cc', 'd')]),
      testTx('b', 1, [put('cc', 'x', 'v')], { code: 10 }),
    ];
    const ops = planCommit({
      blockNumber: 1,
      blockBytes: new Uint8Array(),
      txs,
      indexedTxIds: new Set(),
      committedRecords: new Map(),
    });
    const [written] = find(ops, 'state', stateKey('cc', 'k'));
    expect(decodeStateRecord(written!.value!).version).toEqual({ blockNum: 1, txNum: 0 });
    expect(find(ops, 'state', stateKey('cc', 'd'))).toEqual([
      { store: 'state', key: stateKey('cc', 'd'), value: null },
    ]);
    expect(find(ops, 'stateMeta', stateKey('cc', 'd'))).toHaveLength(1);
    expect(find(ops, 'stateMeta', stateKey('cc', 'k'))).toHaveLength(0);
    expect(find(ops, 'state', stateKey('cc', 'x'))).toHaveLength(0);
    expect(ops.filter((op) => op.store === 'history')).toHaveLength(2);
  });

  it('resolves metadata-only writes against committed values', () => {
    const txs = [
      testTx('m', 3, [], { metadataWrites: [{ ns: 'cc', key: 'k', metadata: { A: Buffer.from('1') } }] }),
    ];
    const lookups = commitLookups(txs);
    expect(lookups.stateKeys).toEqual([stateKey('cc', 'k')]);
    const committed = encodeStateRecord(Buffer.from('old'), { blockNum: 0, txNum: 0 });
    const ops = planCommit({
      blockNumber: 4,
      blockBytes: new Uint8Array(),
      txs,
      indexedTxIds: new Set(),
      committedRecords: new Map([[identity(stateKey('cc', 'k')), committed]]),
    });
    const [rewritten] = find(ops, 'state', stateKey('cc', 'k'));
    expect(decodeStateRecord(rewritten!.value!)).toEqual({
      value: Buffer.from('old'),
      version: { blockNum: 4, txNum: 3 },
    });
    expect(find(ops, 'stateMeta', stateKey('cc', 'k'))).toHaveLength(1);
    expect(find(ops, 'history', stateKey('cc', 'k'))).toHaveLength(0);
  });
});
