import { decodeHistoryHeight, historyRange } from './keys.js';
import { decodeHistoryRecord } from './records.js';
import type { LedgerStores } from './stores.js';
import type { HistoryEntry } from './types.js';

/**
 * Modifications of (`ns`, `key`) by valid transactions, newest first (Fabric's GetHistoryForKey).
 * The key is validated at the call, before iteration starts.
 */
export function readHistory(
  stores: LedgerStores,
  ns: string,
  key: string,
): AsyncGenerator<HistoryEntry, void, undefined> {
  return newestFirst(stores, historyRange(ns, key));
}

async function* newestFirst(
  stores: LedgerStores,
  range: { gte: Uint8Array; lte: Uint8Array },
): AsyncGenerator<HistoryEntry, void, undefined> {
  for await (const [encoded, record] of stores.history.iterator({ ...range, reverse: true })) {
    const { blockNum, txNum } = decodeHistoryHeight(encoded);
    yield decodeHistoryRecord(record, blockNum, txNum);
  }
}
