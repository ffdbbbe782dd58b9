import { decodeStateKey, namespaceRange, stateKey, stateRange } from './keys.js';
import { decodeMetadata, decodeStateRecord } from './records.js';
import type { LedgerSnapshot, LedgerStores } from './stores.js';
import type { NamespacedStateEntry, StateEntry, StateMetadata, VersionedValue } from './types.js';

/*
 * Reads of the versioned world state: one LevelDB get per key, iterators for ranges.
 *
 * Point reads are synchronous LevelDB gets (block cache, memtable, page cache): a few microseconds,
 * where an asynchronous get costs a thread-pool round trip, a snapshot and a promise (about ten
 * times the CPU). Every endorsement, validation and commit-status check makes several of them.
 */

/** Value and version of (`ns`, `key`) (as of `snapshot`, if given), or undefined when absent. */
export function readState(
  stores: LedgerStores,
  ns: string,
  key: string,
  snapshot?: LedgerSnapshot,
): VersionedValue | undefined {
  const k = stateKey(ns, key);
  const record = snapshot ? stores.state.getSync(k, { snapshot }) : stores.state.getSync(k);
  return record === undefined ? undefined : decodeStateRecord(record);
}

/** Values and versions of several keys in one LevelDB `getMany`, in the order asked. */
export async function readStateMany(
  stores: LedgerStores,
  keys: ReadonlyArray<{ readonly ns: string; readonly key: string }>,
): Promise<Array<VersionedValue | undefined>> {
  if (keys.length === 0) return [];
  const records = await stores.state.getMany(keys.map(({ ns, key }) => stateKey(ns, key)));
  return records.map((record) => (record === undefined ? undefined : decodeStateRecord(record)));
}

/** Metadata of (`ns`, `key`) (as of `snapshot`, if given), or undefined when the key has none. */
export function readStateMetadata(
  stores: LedgerStores,
  ns: string,
  key: string,
  snapshot?: LedgerSnapshot,
): StateMetadata | undefined {
  const k = stateKey(ns, key);
  const record = snapshot ? stores.stateMeta.getSync(k, { snapshot }) : stores.stateMeta.getSync(k);
  return record === undefined ? undefined : decodeMetadata(record);
}

type Range = { gte?: Uint8Array; lt?: Uint8Array };

/**
 * Entries of `ns` with `startKey <= key < endKey` in UTF-8 byte order (empty `endKey`: to the end),
 * as of `snapshot` if given. Keys are validated at the call, before iteration starts.
 */
export function scanState(
  stores: LedgerStores,
  ns: string,
  startKey: string,
  endKey: string,
  snapshot?: LedgerSnapshot,
): AsyncGenerator<StateEntry, void, undefined> {
  return scanRange(stores, stateRange(ns, startKey, endKey), snapshot);
}

async function* scanRange(
  stores: LedgerStores,
  range: Range,
  snapshot: LedgerSnapshot | undefined,
): AsyncGenerator<StateEntry, void, undefined> {
  for await (const [encoded, record] of stores.state.iterator(snapshot ? { ...range, snapshot } : range)) {
    yield { key: decodeStateKey(encoded).key, ...decodeStateRecord(record) };
  }
}

/** All state entries, of one namespace or of all (ordered by namespace length, namespace, key). */
export function allState(
  stores: LedgerStores,
  ns?: string,
): AsyncGenerator<NamespacedStateEntry, void, undefined> {
  return allInRange(stores, ns === undefined ? {} : namespaceRange(ns));
}

async function* allInRange(
  stores: LedgerStores,
  range: Range,
): AsyncGenerator<NamespacedStateEntry, void, undefined> {
  for await (const [encoded, record] of stores.state.iterator(range)) {
    yield { ...decodeStateKey(encoded), ...decodeStateRecord(record) };
  }
}
