import { decodeStateKey, namespaceRange, stateKey, stateRange } from './keys.js';
import { decodeMetadata, decodeStateRecord } from './records.js';
import type { LedgerStores } from './stores.js';
import type { NamespacedStateEntry, StateEntry, StateMetadata, VersionedValue } from './types.js';

/* Reads of the versioned world state: one LevelDB get per key, iterators for ranges. */

/** Value and version of (`ns`, `key`), or undefined when absent. */
export async function readState(
  stores: LedgerStores,
  ns: string,
  key: string,
): Promise<VersionedValue | undefined> {
  const record = await stores.state.get(stateKey(ns, key));
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

/** Metadata of (`ns`, `key`), or undefined when the key has none. */
export async function readStateMetadata(
  stores: LedgerStores,
  ns: string,
  key: string,
): Promise<StateMetadata | undefined> {
  const record = await stores.stateMeta.get(stateKey(ns, key));
  return record === undefined ? undefined : decodeMetadata(record);
}

type Range = { gte?: Uint8Array; lt?: Uint8Array };

/**
 * Entries of `ns` with `startKey <= key < endKey` in UTF-8 byte order (empty `endKey`: to the end).
 * Keys are validated at the call, before iteration starts.
 */
export function scanState(
  stores: LedgerStores,
  ns: string,
  startKey: string,
  endKey: string,
): AsyncGenerator<StateEntry, void, undefined> {
  return scanRange(stores, stateRange(ns, startKey, endKey));
}

async function* scanRange(stores: LedgerStores, range: Range): AsyncGenerator<StateEntry, void, undefined> {
  for await (const [encoded, record] of stores.state.iterator(range)) {
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
