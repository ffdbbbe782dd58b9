/**
 * The transaction simulator: Fabric's `txmgr.txSimulator` + `queryExecutor` over a
 * {@link StateReader}. Reads see committed state only (no read-your-own-writes) and are recorded
 * with the version read; range scans record a `RangeQueryInfo` for phantom-read detection; writes
 * and metadata writes are buffered (last one per key wins). {@link TxSimulator.done} yields the
 * `rwset.TxReadWriteSet` bytes, byte-identical for identical simulations.
 */
import { ChaincodeRequestError, SimulationError } from './errors.js';
import { HistoryIterator, RangeScanIterator } from './iterators.js';
import type { StateReader } from './ports.js';
import type { QueryResultsIterator } from './query-response.js';
import { DEFAULT_MAX_DEGREE } from './range-query-helper.js';
import { RWSetBuilder } from './rwset.js';

/** Options of a {@link TxSimulator}. */
export interface TxSimulatorOptions {
  /** Transaction ID (appears in Fabric's error messages). */
  readonly txId: string;
  /** Merkle-summarise large range query results (Fabric: always on). */
  readonly queryReadsHashing?: boolean;
  /** Merkle tree degree for range query reads (Fabric: 50). */
  readonly maxDegree?: number;
}

/** Simulates one transaction against committed state and records its read-write set. */
export class TxSimulator {
  /** Transaction ID. */
  readonly txId: string;
  private readonly builder = new RWSetBuilder();
  private readonly rangeIterators: RangeScanIterator[] = [];
  private readonly hashing: boolean;
  private readonly maxDegree: number;
  private doneInvoked = false;
  private writes = false;
  private paginatedQueries = false;

  /**
   * @param reader committed state of the peer (see {@link StateReader} on consistency).
   * @param opts transaction ID and range-query hashing parameters.
   */
  constructor(
    private readonly reader: StateReader,
    opts: TxSimulatorOptions,
  ) {
    this.txId = opts.txId;
    this.hashing = opts.queryReadsHashing ?? true;
    this.maxDegree = opts.maxDegree ?? DEFAULT_MAX_DEGREE;
  }

  /** Whether a write (state or metadata) has been performed. */
  get writePerformed(): boolean {
    return this.writes;
  }

  /** Whether a paginated query has been performed. */
  get paginatedQueryPerformed(): boolean {
    return this.paginatedQueries;
  }

  /** The committed value of `key` (`undefined` when absent); records the read and its version. */
  async getState(ns: string, key: string): Promise<Uint8Array | undefined> {
    this.checkDone();
    const entry = await this.reader.getState(ns, key);
    this.builder.addToReadSet(ns, key, entry?.version);
    return entry?.value;
  }

  /**
   * The committed metadata of `key` (empty when none). Like Fabric, this reads the key and so
   * records a read of it with its version.
   */
  async getStateMetadata(ns: string, key: string): Promise<Record<string, Uint8Array>> {
    this.checkDone();
    const entry = await this.reader.getState(ns, key);
    this.builder.addToReadSet(ns, key, entry?.version);
    if (!entry) return {};
    return { ...((await this.reader.getStateMetadata(ns, key)) ?? {}) };
  }

  /** An unpaginated range scan over `[startKey, endKey)` (empty `endKey`: unbounded), recorded. */
  getStateRangeScanIterator(ns: string, startKey: string, endKey: string): RangeScanIterator {
    this.checkDone();
    return this.newRangeIterator(ns, startKey, endKey, 0);
  }

  /**
   * A paginated range scan returning at most `pageSize` results. Only allowed before any write;
   * afterwards writes are refused (Fabric: pagination only in read-only transactions).
   */
  getStateRangeScanIteratorWithPagination(
    ns: string,
    startKey: string,
    endKey: string,
    pageSize: number,
  ): RangeScanIterator {
    this.checkBeforePaginatedQueries();
    this.checkDone();
    return this.newRangeIterator(ns, startKey, endKey, pageSize);
  }

  /** Rich queries: unsupported, as on a LevelDB state database. */
  executeQuery(): never {
    this.checkDone();
    throw new ChaincodeRequestError('ExecuteQuery not supported for leveldb');
  }

  /** Paginated rich queries: unsupported, as on a LevelDB state database. */
  executeQueryWithPagination(): never {
    this.checkBeforePaginatedQueries();
    this.checkDone();
    throw new ChaincodeRequestError('ExecuteQueryWithMetadata not supported for leveldb');
  }

  /** The history of `key`, newest first. Not recorded (Fabric does not revalidate history reads). */
  getHistoryForKey(ns: string, key: string): QueryResultsIterator {
    this.checkDone();
    return new HistoryIterator(this.reader, ns, key);
  }

  /** Buffers a write of `key`; `null` or an empty value is a delete (Fabric: `value == nil`). */
  setState(ns: string, key: string, value: Uint8Array | null): void {
    this.checkWritePrecondition();
    this.builder.addToWriteSet(ns, key, value);
  }

  /** Buffers a delete of `key`. */
  deleteState(ns: string, key: string): void {
    this.setState(ns, key, null);
  }

  /** Buffers the complete new metadata of `key` (`null` deletes it); replaces an earlier metadata write. */
  setStateMetadata(ns: string, key: string, metadata: Readonly<Record<string, Uint8Array>> | null): void {
    this.checkWritePrecondition();
    this.builder.addToMetadataWriteSet(ns, key, metadata);
  }

  /** Buffers the deletion of `key`'s metadata. */
  deleteStateMetadata(ns: string, key: string): void {
    this.setStateMetadata(ns, key, null);
  }

  /**
   * Ends the simulation (`GetTxSimulationResults` then `Done`): closes open scans, adds each range
   * query's info in the order the queries were made, and returns the serialized
   * `rwset.TxReadWriteSet`. Callable once.
   */
  async done(): Promise<Uint8Array> {
    if (this.doneInvoked) {
      throw new SimulationError(
        'DONE',
        'this function should only be called once on a transaction simulator instance',
      );
    }
    this.doneInvoked = true;
    for (const itr of this.rangeIterators) {
      this.builder.addToRangeQuerySet(itr.namespace, itr.finish());
    }
    await Promise.all(this.rangeIterators.map((itr) => itr.close()));
    return this.builder.build().serializeBinary();
  }

  private newRangeIterator(
    ns: string,
    startKey: string,
    endKey: string,
    pageSize: number,
  ): RangeScanIterator {
    const itr = new RangeScanIterator(this.reader, {
      namespace: ns,
      startKey,
      endKey,
      pageSize,
      hashingEnabled: this.hashing,
      maxDegree: this.maxDegree,
    });
    this.rangeIterators.push(itr);
    return itr;
  }

  private checkDone(): void {
    if (this.doneInvoked) {
      throw new SimulationError('DONE', 'this instance should not be used after calling Done()');
    }
  }

  private checkWritePrecondition(): void {
    this.checkDone();
    if (this.paginatedQueries) {
      throw new SimulationError(
        'WRITE_AFTER_PAGINATED',
        `txid [${this.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
      );
    }
    this.writes = true;
  }

  private checkBeforePaginatedQueries(): void {
    if (this.writes) {
      throw new SimulationError(
        'PAGINATED_AFTER_WRITE',
        `txid [${this.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
      );
    }
    this.paginatedQueries = true;
  }
}
