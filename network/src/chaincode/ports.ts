/**
 * Ports the chaincode module needs from the rest of the peer. The ledger module implements
 * {@link StateReader} over a peer's committed state; tests implement it in memory.
 */

/** The height of the transaction that last wrote a key: `(block number, transaction number)`. */
export interface Version {
  readonly blockNum: number;
  readonly txNum: number;
}

/** A committed key: its value and the version that wrote it. */
export interface VersionedValue {
  readonly value: Uint8Array;
  readonly version: Version;
}

/** One result of a committed-state range scan. */
export interface ScanEntry extends VersionedValue {
  readonly key: string;
}

/** One committed modification of a key, as the history database records it. */
export interface HistoryEntry {
  readonly txId: string;
  /** The written value, or `null` for a delete. */
  readonly value: Uint8Array | null;
  readonly isDelete: boolean;
  /** The client timestamp of the transaction (its proposal's channel-header timestamp). */
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
}

/**
 * Read access to a peer's committed world state, history included. Simulation only ever reads
 * committed state (Fabric has no read-your-own-writes).
 *
 * A Fabric peer holds its commit lock for reading while a transaction is simulated, so one
 * simulation sees one consistent state; an implementation should likewise not let a block commit
 * change what a running simulation reads (for example by serving each execution from a snapshot
 * or by holding commits until the execution ends).
 */
export interface StateReader {
  /** The committed value and version of `key` in namespace `ns`, or `undefined` when absent. */
  getState(ns: string, key: string): Promise<VersionedValue | undefined>;
  /** The committed metadata of `key` (e.g. `VALIDATION_PARAMETER`), or `undefined` when none. */
  getStateMetadata(ns: string, key: string): Promise<Record<string, Uint8Array> | undefined>;
  /**
   * Committed keys `k` of `ns` with `start <= k < end` in ascending UTF-8 byte order; an empty
   * `end` means no upper bound. Iterated lazily: the simulator pulls only what the chaincode reads
   * and may stop early (calling `return()` on the iterator).
   */
  scan(ns: string, start: string, end: string): AsyncIterable<ScanEntry>;
  /** Committed modifications of `key`, newest first. */
  getHistory(ns: string, key: string): AsyncIterable<HistoryEntry>;
}
