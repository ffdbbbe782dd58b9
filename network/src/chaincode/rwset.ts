/**
 * Read-write set construction and decoding, as Fabric's `rwsetutil.RWSetBuilder` does it
 * (core/ledger/kvledger/txmgmt/rwsetutil/rwset_builder.go): per namespace, reads, writes and
 * metadata writes keyed by key (last one wins) and emitted sorted by key; range query infos in the
 * order the queries were made, deduplicated by `(start_key, end_key, itr_exhausted)`; namespaces
 * sorted by name. Sorting is by UTF-8 bytes, as Go's `sort.Strings`.
 */
import { ledger } from '@hyperledger/fabric-protos';
import { compareKeys } from './keys.js';
import type { Version } from './ports.js';

const kv = ledger.rwset.kvrwset;
type KVRead = ledger.rwset.kvrwset.KVRead;
type KVWrite = ledger.rwset.kvrwset.KVWrite;
type KVMetadataWrite = ledger.rwset.kvrwset.KVMetadataWrite;
type RangeQueryInfo = ledger.rwset.kvrwset.RangeQueryInfo;

/** `rwsetutil.NewKVRead`: a read of `key` at `version` (no version: the key was absent). */
export function newKVRead(key: string, version: Version | undefined): KVRead {
  const read = new kv.KVRead();
  read.setKey(key);
  if (version) {
    const v = new kv.Version();
    v.setBlockNum(version.blockNum);
    v.setTxNum(version.txNum);
    read.setVersion(v);
  }
  return read;
}

function sortedValues<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.keys()].sort(compareKeys).map((k) => map.get(k) as T);
}

class NamespaceBuilder {
  readonly reads = new Map<string, KVRead>();
  readonly writes = new Map<string, KVWrite>();
  readonly metadataWrites = new Map<string, KVMetadataWrite>();
  /** Insertion-ordered, keyed by `(start, end, exhausted)`. */
  readonly rangeQueries = new Map<string, RangeQueryInfo>();

  build(): ledger.rwset.kvrwset.KVRWSet {
    const set = new kv.KVRWSet();
    set.setReadsList(sortedValues(this.reads));
    set.setRangeQueriesInfoList([...this.rangeQueries.values()]);
    set.setWritesList(sortedValues(this.writes));
    set.setMetadataWritesList(sortedValues(this.metadataWrites));
    return set;
  }
}

/** Accumulates one transaction's public read-write set. */
export class RWSetBuilder {
  private readonly namespaces = new Map<string, NamespaceBuilder>();

  private ns(namespace: string): NamespaceBuilder {
    let b = this.namespaces.get(namespace);
    if (!b) {
      b = new NamespaceBuilder();
      this.namespaces.set(namespace, b);
    }
    return b;
  }

  /** Records a read of `key` at `version` (replacing an earlier read of the key). */
  addToReadSet(namespace: string, key: string, version: Version | undefined): void {
    this.ns(namespace).reads.set(key, newKVRead(key, version));
  }

  /** Records a write (`null` or an empty value is a delete, as Go's `value == nil`). */
  addToWriteSet(namespace: string, key: string, value: Uint8Array | null): void {
    const write = new kv.KVWrite();
    write.setKey(key);
    const isDelete = value === null || value.length === 0;
    write.setIsDelete(isDelete);
    if (!isDelete) write.setValue(Uint8Array.from(value));
    this.ns(namespace).writes.set(key, write);
  }

  /** Records the complete new metadata of `key` (`null`/empty deletes it); entries sorted by name. */
  addToMetadataWriteSet(
    namespace: string,
    key: string,
    metadata: Readonly<Record<string, Uint8Array>> | null,
  ): void {
    const write = new kv.KVMetadataWrite();
    write.setKey(key);
    const entries = metadata ?? {};
    write.setEntriesList(
      Object.keys(entries)
        .sort(compareKeys)
        .map((name) => {
          const entry = new kv.KVMetadataEntry();
          entry.setName(name);
          entry.setValue(Uint8Array.from(entries[name] ?? new Uint8Array()));
          return entry;
        }),
    );
    this.ns(namespace).metadataWrites.set(key, write);
  }

  /** Adds a range query info unless one with the same `(start, end, exhausted)` is already there. */
  addToRangeQuerySet(namespace: string, info: RangeQueryInfo): void {
    const id = JSON.stringify([info.getStartKey(), info.getEndKey(), info.getItrExhausted()]);
    const ranges = this.ns(namespace).rangeQueries;
    if (!ranges.has(id)) ranges.set(id, info);
  }

  /** The `TxReadWriteSet` (KV data model, namespaces sorted by name). */
  build(): ledger.rwset.TxReadWriteSet {
    const txRwSet = new ledger.rwset.TxReadWriteSet();
    txRwSet.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
    txRwSet.setNsRwsetList(
      [...this.namespaces.keys()].sort(compareKeys).map((namespace) => {
        const ns = new ledger.rwset.NsReadWriteSet();
        ns.setNamespace(namespace);
        ns.setRwset((this.namespaces.get(namespace) as NamespaceBuilder).build().serializeBinary());
        return ns;
      }),
    );
    return txRwSet;
  }
}

/** A decoded read. `version` is absent when the key did not exist. */
export interface DecodedRead {
  readonly key: string;
  readonly version?: Version;
}

/** A decoded range query info. Exactly one of `rawReads`/`merkleSummary` is set when results were read. */
export interface DecodedRangeQuery {
  readonly startKey: string;
  readonly endKey: string;
  readonly itrExhausted: boolean;
  readonly rawReads?: readonly DecodedRead[];
  readonly merkleSummary?: {
    readonly maxDegree: number;
    readonly maxLevel: number;
    readonly maxLevelHashes: readonly Uint8Array[];
  };
}

/** A decoded write; `value` is empty for a delete. */
export interface DecodedWrite {
  readonly key: string;
  readonly isDelete: boolean;
  readonly value: Uint8Array;
}

/** A decoded metadata write: the key's complete new metadata. */
export interface DecodedMetadataWrite {
  readonly key: string;
  readonly entries: ReadonlyArray<{ readonly name: string; readonly value: Uint8Array }>;
}

/** One namespace of a decoded read-write set. */
export interface DecodedNamespaceRwSet {
  readonly namespace: string;
  readonly reads: readonly DecodedRead[];
  readonly rangeQueries: readonly DecodedRangeQuery[];
  readonly writes: readonly DecodedWrite[];
  readonly metadataWrites: readonly DecodedMetadataWrite[];
}

function decodeRead(read: KVRead): DecodedRead {
  const v = read.getVersion();
  return v
    ? { key: read.getKey(), version: { blockNum: v.getBlockNum(), txNum: v.getTxNum() } }
    : { key: read.getKey() };
}

function decodeRangeQuery(info: RangeQueryInfo): DecodedRangeQuery {
  const base = {
    startKey: info.getStartKey(),
    endKey: info.getEndKey(),
    itrExhausted: info.getItrExhausted(),
  };
  const raw = info.getRawReads();
  if (raw) return { ...base, rawReads: raw.getKvReadsList().map(decodeRead) };
  const summary = info.getReadsMerkleHashes();
  if (summary) {
    return {
      ...base,
      merkleSummary: {
        maxDegree: summary.getMaxDegree(),
        maxLevel: summary.getMaxLevel(),
        maxLevelHashes: summary.getMaxLevelHashesList_asU8(),
      },
    };
  }
  return base;
}

/**
 * Decodes `TxReadWriteSet` bytes (KV data model) into plain objects, for validators and tests.
 * Collection hashed read-write sets are ignored (the emulator has no private data).
 */
export function decodeTxReadWriteSet(bytes: Uint8Array): DecodedNamespaceRwSet[] {
  const txRwSet = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  return txRwSet.getNsRwsetList().map((ns) => {
    const set = kv.KVRWSet.deserializeBinary(ns.getRwset_asU8());
    return {
      namespace: ns.getNamespace(),
      reads: set.getReadsList().map(decodeRead),
      rangeQueries: set.getRangeQueriesInfoList().map(decodeRangeQuery),
      writes: set.getWritesList().map((w) => ({
        key: w.getKey(),
        isDelete: w.getIsDelete(),
        value: w.getValue_asU8(),
      })),
      metadataWrites: set.getMetadataWritesList().map((m) => ({
        key: m.getKey(),
        entries: m.getEntriesList().map((e) => ({ name: e.getName(), value: e.getValue_asU8() })),
      })),
    };
  });
}
