/**
 * Committed ledger of one chaincode namespace: world state with versions and key metadata, per-key
 * history, chaincode events and the set of committed transaction IDs. Each commit is one block
 * holding one valid transaction.
 */

/** Height of the transaction that last wrote a key (Fabric's `version.Height`). */
export interface Version {
  readonly blockNum: number;
  readonly txNum: number;
}

/** `google.protobuf.Timestamp` as plain numbers. */
export interface TxTimestamp {
  readonly seconds: number;
  readonly nanos: number;
}

/** A committed key. */
export interface StateEntry {
  readonly value: Buffer;
  readonly version: Version;
  /** Key metadata, e.g. `VALIDATION_PARAMETER` for state-based endorsement. */
  readonly metadata: ReadonlyMap<string, Buffer>;
}

/** One committed modification of a key. */
export interface HistoryEntry {
  readonly txId: string;
  readonly timestamp: TxTimestamp;
  readonly isDelete: boolean;
  /** Empty for deletes. */
  readonly value: Buffer;
  readonly blockNum: number;
  readonly txNum: number;
}

/** A chaincode event of a committed transaction. */
export interface LedgerEvent {
  readonly txId: string;
  readonly blockNum: number;
  readonly name: string;
  readonly payload: Buffer;
}

/** The public write set of one simulated transaction. */
export interface WriteSet {
  /** Key → new value, or `null` for a delete. */
  readonly writes: ReadonlyMap<string, Buffer | null>;
  /** Key → complete replacement metadata map (an empty map clears the metadata). */
  readonly metadataWrites: ReadonlyMap<string, ReadonlyMap<string, Buffer>>;
}

/**
 * Orders keys as LevelDB (and so Fabric) does: bytewise over their UTF-8 encoding. This differs
 * from JavaScript's UTF-16 string order for characters above U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

interface MutableEntry {
  value: Buffer;
  version: Version;
  metadata: Map<string, Buffer>;
}

/** In-memory committed ledger. */
export class InMemoryLedger {
  private readonly state = new Map<string, MutableEntry>();
  private readonly keyHistory = new Map<string, HistoryEntry[]>();
  private readonly eventLog: LedgerEvent[] = [];
  private readonly txIds = new Set<string>();
  private blocks = 0;

  /** Number of committed blocks (= committed transactions). */
  get height(): number {
    return this.blocks;
  }

  /** Committed entry for `key`, if any. */
  get(key: string): StateEntry | undefined {
    const entry = this.state.get(key);
    return (
      entry && { value: Buffer.from(entry.value), version: entry.version, metadata: new Map(entry.metadata) }
    );
  }

  /** All committed entries, in Fabric (UTF-8 byte) key order. */
  entries(): Array<[string, StateEntry]> {
    return [...this.state.keys()].sort(compareKeys).map((key) => [key, this.get(key) as StateEntry]);
  }

  /** Committed keys in `[startKey, endKey)` (empty `endKey` = unbounded), in byte order. */
  keysInRange(startKey: string, endKey: string): string[] {
    return [...this.state.keys()]
      .filter((k) => compareKeys(k, startKey) >= 0 && (endKey === '' || compareKeys(k, endKey) < 0))
      .sort(compareKeys);
  }

  /** History of `key`, oldest first (Fabric queries return it newest first). */
  history(key: string): HistoryEntry[] {
    return [...(this.keyHistory.get(key) ?? [])];
  }

  /** Chaincode events of committed transactions, in commit order. */
  events(): LedgerEvent[] {
    return [...this.eventLog];
  }

  /** Whether a transaction with this ID has been committed. */
  hasTx(txId: string): boolean {
    return this.txIds.has(txId);
  }

  /** Committed transaction IDs in commit order. */
  committedTxIds(): string[] {
    return [...this.txIds];
  }

  /**
   * Deterministic serialisation of state, history, events and transaction IDs, for asserting that
   * nothing changed (`expect(ledger.snapshot()).toBe(before)`).
   */
  snapshot(): string {
    const hex = (b: Buffer): string => b.toString('hex');
    return JSON.stringify({
      height: this.blocks,
      state: this.entries().map(([key, e]) => [
        key,
        hex(e.value),
        e.version,
        [...e.metadata.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([k, v]) => [k, hex(v)]),
      ]),
      history: [...this.keyHistory.keys()]
        .sort(compareKeys)
        .map((key) => [key, (this.keyHistory.get(key) ?? []).map((h) => ({ ...h, value: hex(h.value) }))]),
      events: this.eventLog.map((e) => ({ ...e, payload: hex(e.payload) })),
      txIds: [...this.txIds],
    });
  }

  /**
   * Commits one valid transaction as a new block, applying Fabric's commit rules: a value write
   * keeps the key's existing metadata, a metadata-only write keeps the value (and is ignored if the
   * key does not exist), a delete removes value and metadata. Only value writes and deletes enter
   * the key history.
   * @throws if `txId` was already committed (Fabric marks such a transaction DUPLICATE_TXID).
   */
  commit(
    txId: string,
    timestamp: TxTimestamp,
    writeSet: WriteSet,
    event?: { name: string; payload: Buffer },
  ): Version {
    if (this.txIds.has(txId)) throw new Error(`duplicate transaction found [${txId}]`);
    const version: Version = { blockNum: this.blocks + 1, txNum: 0 };
    const keys = new Set([...writeSet.writes.keys(), ...writeSet.metadataWrites.keys()]);
    for (const key of [...keys].sort(compareKeys)) {
      const existing = this.state.get(key);
      const hasWrite = writeSet.writes.has(key);
      const write = writeSet.writes.get(key);
      const metaWrite = writeSet.metadataWrites.get(key);
      if (hasWrite && write === null) {
        this.state.delete(key);
      } else if (hasWrite && write) {
        const metadata = metaWrite ? new Map(metaWrite) : new Map(existing?.metadata ?? []);
        this.state.set(key, { value: Buffer.from(write), version, metadata });
      } else if (metaWrite && existing) {
        this.state.set(key, { value: existing.value, version, metadata: new Map(metaWrite) });
      }
      if (hasWrite) {
        const list = this.keyHistory.get(key) ?? [];
        list.push({
          txId,
          timestamp: { seconds: timestamp.seconds, nanos: timestamp.nanos },
          isDelete: write === null,
          value: write ? Buffer.from(write) : Buffer.alloc(0),
          blockNum: version.blockNum,
          txNum: version.txNum,
        });
        this.keyHistory.set(key, list);
      }
    }
    if (event) {
      this.eventLog.push({
        txId,
        blockNum: version.blockNum,
        name: event.name,
        payload: Buffer.from(event.payload),
      });
    }
    this.txIds.add(txId);
    this.blocks = version.blockNum;
    return version;
  }
}
