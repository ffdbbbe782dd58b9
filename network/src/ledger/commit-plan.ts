import { blockKey, historyKey, stateKey, txIdKey, HEIGHT_KEY } from './keys.js';
import {
  encodeHeight,
  encodeHistoryRecord,
  encodeMetadata,
  encodeStateRecord,
  encodeTxStatus,
  stateRecordValue,
} from './records.js';
import type { StoreName } from './stores.js';
import type { BlockTx } from './types.js';

/*
 * The exact set of LevelDB operations that commits one block, as a pure function so the layout can be
 * tested without a database. Key semantics follow Fabric's txmgr (prepareTxOps): a value write keeps
 * the key's metadata, a delete removes value and metadata, a metadata-only write on an existing key
 * rewrites its metadata and bumps its version, and on a missing key is ignored. History records value
 * writes and deletes of valid transactions; metadata-only writes have no history entry (as in Fabric).
 */

/** `peer.TxValidationCode.VALID`. */
export const TX_VALID = 0;

/** One operation of the commit batch: a put, or a delete when `value` is null. */
export interface LedgerOp {
  readonly store: StoreName;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** What must be read before planning a commit. */
export interface CommitLookups {
  /** Distinct non-empty tx ids of the block, to keep the txid index at the first occurrence. */
  readonly txIds: string[];
  /** Distinct state keys with metadata writes in valid txs, whose committed values may be needed. */
  readonly stateKeys: Buffer[];
}

/** Everything `planCommit` needs. */
export interface CommitPlanInput {
  readonly blockNumber: number;
  readonly blockBytes: Uint8Array;
  readonly txs: readonly BlockTx[];
  /** Tx ids of the block already present in the txid index. */
  readonly indexedTxIds: ReadonlySet<string>;
  /** Committed state records of `CommitLookups.stateKeys`, by `identity(key)`. */
  readonly committedRecords: ReadonlyMap<string, Uint8Array | undefined>;
}

/** A string identity of an encoded key, for maps. */
export function identity(key: Buffer): string {
  return key.toString('latin1');
}

/** The reads a commit of `txs` depends on. */
export function commitLookups(txs: readonly BlockTx[]): CommitLookups {
  const txIds = new Set<string>();
  const stateKeys = new Map<string, Buffer>();
  for (const tx of txs) {
    if (tx.txId !== '') txIds.add(tx.txId);
    if (tx.code !== TX_VALID) continue;
    for (const { ns, key } of tx.metadataWrites) {
      const encoded = stateKey(ns, key);
      stateKeys.set(identity(encoded), encoded);
    }
  }
  return { txIds: [...txIds], stateKeys: [...stateKeys.values()] };
}

interface PlanContext {
  readonly input: CommitPlanInput;
  readonly ops: LedgerOp[];
  /** Latest value of keys written earlier in this block (null = deleted); only kept when needed. */
  readonly pending: Map<string, Uint8Array | null> | undefined;
}

/** The operations committing a block, in application order, ending with the new height. */
export function planCommit(input: CommitPlanInput): LedgerOp[] {
  const ops: LedgerOp[] = [{ store: 'blocks', key: blockKey(input.blockNumber), value: input.blockBytes }];
  const needsPending = input.txs.some((tx) => tx.code === TX_VALID && tx.metadataWrites.length > 0);
  const ctx: PlanContext = { input, ops, pending: needsPending ? new Map() : undefined };
  const indexed = new Set(input.indexedTxIds);
  for (const tx of input.txs) {
    if (tx.txId !== '' && !indexed.has(tx.txId)) {
      indexed.add(tx.txId);
      const status = { blockNumber: input.blockNumber, txNumber: tx.txNum, code: tx.code };
      ops.push({ store: 'txids', key: txIdKey(tx.txId), value: encodeTxStatus(status) });
    }
    if (tx.code === TX_VALID) applyValidTx(ctx, tx);
  }
  ops.push({ store: 'meta', key: HEIGHT_KEY, value: encodeHeight(input.blockNumber + 1) });
  return ops;
}

function applyValidTx(ctx: PlanContext, tx: BlockTx): void {
  const { ops, pending } = ctx;
  const version = { blockNum: ctx.input.blockNumber, txNum: tx.txNum };
  const ownWrites = tx.metadataWrites.length > 0 ? new Map<string, Uint8Array | null>() : undefined;
  const txId = Buffer.from(tx.txId, 'utf8');
  for (const write of tx.writes) {
    const key = stateKey(write.ns, write.key);
    if (write.value === null) {
      ops.push({ store: 'state', key, value: null }, { store: 'stateMeta', key, value: null });
    } else {
      ops.push({ store: 'state', key, value: encodeStateRecord(write.value, version) });
    }
    const record = encodeHistoryRecord({ txId, value: write.value, timestamp: tx.timestamp });
    ops.push({
      store: 'history',
      key: historyKey(write.ns, write.key, version.blockNum, tx.txNum),
      value: record,
    });
    if (ownWrites !== undefined || pending !== undefined) {
      const id = identity(key);
      ownWrites?.set(id, write.value);
      pending?.set(id, write.value);
    }
  }
  for (const { ns, key: plainKey, metadata } of tx.metadataWrites) {
    const key = stateKey(ns, plainKey);
    const id = identity(key);
    const own = ownWrites?.get(id);
    if (own === null) continue; // deleted by this tx: delete wins
    if (own === undefined) {
      const current = latestValue(ctx, id);
      if (current === null) continue; // metadata of a missing key: no-op
      ops.push({ store: 'state', key, value: encodeStateRecord(current, version) });
    }
    const empty = Object.keys(metadata).length === 0;
    ops.push({ store: 'stateMeta', key, value: empty ? null : encodeMetadata(metadata) });
  }
}

function latestValue(ctx: PlanContext, id: string): Uint8Array | null {
  const pendingValue = ctx.pending?.get(id);
  if (pendingValue !== undefined) return pendingValue;
  const record = ctx.input.committedRecords.get(id);
  return record === undefined ? null : stateRecordValue(record);
}
