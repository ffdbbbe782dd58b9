import { decodeHistoryHeight, historyRange } from './keys.js';
import { decodeHistoryRecord } from './records.js';
import type { LedgerSnapshot, LedgerStores } from './stores.js';
import type { HistoryEntry } from './types.js';

/**
 * Modifications of (`ns`, `key`) by valid transactions, newest first (Fabric's GetHistoryForKey), as
 * of `snapshot` if given. The key is validated at the call, before iteration starts.
 */
export function readHistory(
  stores: LedgerStores,
  ns: string,
  key: string,
  snapshot?: LedgerSnapshot,
): AsyncGenerator<HistoryEntry, void, undefined> {
  return newestFirst(stores, historyRange(ns, key), snapshot);
}

async function* newestFirst(
  stores: LedgerStores,
  range: { gte: Uint8Array; lte: Uint8Array },
  snapshot: LedgerSnapshot | undefined,
): AsyncGenerator<HistoryEntry, void, undefined> {
  const options = snapshot ? { ...range, reverse: true, snapshot } : { ...range, reverse: true };
  for await (const [encoded, record] of stores.history.iterator(options)) {
    const { blockNum, txNum } = decodeHistoryHeight(encoded);
    yield decodeHistoryRecord(record, blockNum, txNum);
  }
}
