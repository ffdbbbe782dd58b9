/**
 * An in-memory {@link StateReader} for tests: committed state with versions and metadata, history,
 * and a `commit` that applies a simulated read-write set (one transaction per block, no validation).
 */
import { compareKeys } from '../keys.js';
import type { HistoryEntry, ScanEntry, StateReader, Version, VersionedValue } from '../ports.js';
import { decodeTxReadWriteSet } from '../rwset.js';

interface Entry {
  value: Uint8Array;
  version: Version;
  metadata: Record<string, Uint8Array>;
}

/** Committed world state and history of every namespace, in memory. */
export class MemoryLedger implements StateReader {
  private readonly state = new Map<string, Map<string, Entry>>();
  private readonly history = new Map<string, HistoryEntry[]>();
  private nextBlock = 1;
  /** Counts of calls, to observe laziness. */
  readonly calls = { getState: 0, scan: 0, scanPulled: 0 };

  private ns(ns: string): Map<string, Entry> {
    let m = this.state.get(ns);
    if (!m) {
      m = new Map();
      this.state.set(ns, m);
    }
    return m;
  }

  getState(ns: string, key: string): Promise<VersionedValue | undefined> {
    this.calls.getState++;
    const e = this.state.get(ns)?.get(key);
    return Promise.resolve(e ? { value: e.value, version: e.version } : undefined);
  }

  getStateMetadata(ns: string, key: string): Promise<Record<string, Uint8Array> | undefined> {
    const e = this.state.get(ns)?.get(key);
    return Promise.resolve(e && Object.keys(e.metadata).length > 0 ? { ...e.metadata } : undefined);
  }

  async *scan(ns: string, start: string, end: string): AsyncIterable<ScanEntry> {
    this.calls.scan++;
    const keys = [...(this.state.get(ns)?.keys() ?? [])]
      .filter((k) => compareKeys(k, start) >= 0 && (end === '' || compareKeys(k, end) < 0))
      .sort(compareKeys);
    for (const key of keys) {
      const e = this.state.get(ns)?.get(key);
      if (!e) continue;
      this.calls.scanPulled++;
      await Promise.resolve();
      yield { key, value: e.value, version: e.version };
    }
  }

  async *getHistory(ns: string, key: string): AsyncIterable<HistoryEntry> {
    const entries = [...(this.history.get(`${ns}\u0000${key}`) ?? [])].reverse();
    for (const h of entries) {
      await Promise.resolve();
      yield h;
    }
  }

  /** Sets a key directly (a block of its own). */
  put(ns: string, key: string, value: string | Uint8Array, txId = `seed-${key}`): Version {
    const version = { blockNum: this.nextBlock++, txNum: 0 };
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const previous = this.ns(ns).get(key);
    this.ns(ns).set(key, { value: bytes, version, metadata: previous?.metadata ?? {} });
    this.record(ns, key, {
      txId,
      value: bytes,
      isDelete: false,
      timestamp: { seconds: 1_700_000_000, nanos: 0 },
    });
    return version;
  }

  /** Applies the writes and metadata writes of a simulated transaction as the next block. */
  commit(results: Uint8Array, txId: string, timestamp = { seconds: 1_700_000_000, nanos: 0 }): Version {
    const version = { blockNum: this.nextBlock++, txNum: 0 };
    for (const ns of decodeTxReadWriteSet(results)) {
      const m = this.ns(ns.namespace);
      for (const w of ns.writes) {
        if (w.isDelete) m.delete(w.key);
        else m.set(w.key, { value: w.value, version, metadata: m.get(w.key)?.metadata ?? {} });
        this.record(ns.namespace, w.key, {
          txId,
          value: w.isDelete ? null : w.value,
          isDelete: w.isDelete,
          timestamp,
        });
      }
      for (const mw of ns.metadataWrites) {
        const e = m.get(mw.key);
        if (!e) continue;
        e.metadata = Object.fromEntries(mw.entries.map((x) => [x.name, x.value]));
        e.version = version;
      }
    }
    return version;
  }

  private record(ns: string, key: string, entry: HistoryEntry): void {
    const id = `${ns}\u0000${key}`;
    const list = this.history.get(id) ?? [];
    list.push(entry);
    this.history.set(id, list);
  }
}
