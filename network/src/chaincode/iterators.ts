/**
 * Ledger results iterators of a simulation: the range scan iterator that records what it returns
 * for phantom-read detection (Fabric's `txmgr.resultsItr` over stateleveldb's `kvScanner`), and the
 * history iterator (`history.historyScanner`), which records nothing.
 */
import { ledger } from '@hyperledger/fabric-protos';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import type { QueryResultsIterator } from './query-response.js';
import { RangeQueryResultsHelper } from './range-query-helper.js';
import { newKVRead } from './rwset.js';
import type { HistoryEntry, ScanEntry, StateReader } from './ports.js';

type RangeQueryInfo = ledger.rwset.kvrwset.RangeQueryInfo;

/** Lazily opens an async iterable and pulls from it one entry at a time. */
class Puller<T> {
  private iterator: AsyncIterator<T> | undefined;
  private closed = false;

  constructor(private readonly open: () => AsyncIterable<T>) {}

  async next(): Promise<T | undefined> {
    if (this.closed) return undefined;
    this.iterator ??= this.open()[Symbol.asyncIterator]();
    const r = await this.iterator.next();
    if (r.done === true) {
      this.closed = true;
      return undefined;
    }
    return r.value;
  }

  /** Releases the ledger iterator; a failure to release it does not fail the transaction. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.iterator?.return?.();
    } catch {
      // nothing to do: the scan is abandoned either way
    }
  }
}

/** Options of a {@link RangeScanIterator}. */
export interface RangeScanOptions {
  readonly namespace: string;
  readonly startKey: string;
  readonly endKey: string;
  /** Page size of a paginated query; `<= 0` means unlimited. */
  readonly pageSize: number;
  readonly hashingEnabled: boolean;
  readonly maxDegree: number;
}

/**
 * A range scan over committed state that records, as results are pulled, the `RangeQueryInfo` of
 * the query: start key, the end key actually covered (the last returned key, or the query's end key
 * once exhausted), whether it was exhausted, and the reads (raw or Merkle-summarised).
 */
export class RangeScanIterator implements QueryResultsIterator {
  /** The query's `RangeQueryInfo`, completed with its reads by {@link RangeScanIterator.finish}. */
  readonly info: RangeQueryInfo;
  private readonly helper: RangeQueryResultsHelper;
  private readonly source: Puller<ScanEntry>;
  private returned = 0;

  constructor(
    reader: StateReader,
    private readonly opts: RangeScanOptions,
  ) {
    this.info = new ledger.rwset.kvrwset.RangeQueryInfo();
    this.info.setStartKey(opts.startKey);
    this.helper = new RangeQueryResultsHelper(opts.hashingEnabled, opts.maxDegree);
    this.source = new Puller(() => reader.scan(opts.namespace, opts.startKey, opts.endKey));
  }

  /** The namespace scanned. */
  get namespace(): string {
    return this.opts.namespace;
  }

  async next(): Promise<Uint8Array | null> {
    // stateleveldb's kvScanner stops at the requested page size.
    const limited = this.opts.pageSize > 0 && this.returned >= this.opts.pageSize;
    const entry = limited ? undefined : await this.source.next();
    if (!entry) {
      this.info.setItrExhausted(true);
      this.info.setEndKey(this.opts.endKey);
      return null;
    }
    this.returned++;
    this.helper.add(newKVRead(entry.key, entry.version));
    this.info.setEndKey(entry.key);
    const result = new ledger.queryresult.KV();
    result.setNamespace(this.opts.namespace);
    result.setKey(entry.key);
    result.setValue(Uint8Array.from(entry.value));
    return result.serializeBinary();
  }

  /** The next key of the underlying scan (ignoring the page limit and not recorded), then closes. */
  async bookmarkAndClose(): Promise<string> {
    const next = await this.source.next();
    await this.source.close();
    return next?.key ?? '';
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  /** Completes {@link RangeScanIterator.info} with the raw reads or the Merkle summary. Call once. */
  finish(): RangeQueryInfo {
    const reads = this.helper.done();
    if (reads.rawReads) {
      const raw = new ledger.rwset.kvrwset.QueryReads();
      raw.setKvReadsList(reads.rawReads);
      this.info.setRawReads(raw);
    } else if (reads.merkleSummary) {
      this.info.setReadsMerkleHashes(reads.merkleSummary);
    }
    return this.info;
  }
}

/** History of one key, newest first, as `queryresult.KeyModification` messages. */
export class HistoryIterator implements QueryResultsIterator {
  private readonly source: Puller<HistoryEntry>;

  constructor(reader: StateReader, namespace: string, key: string) {
    this.source = new Puller(() => reader.getHistory(namespace, key));
  }

  async next(): Promise<Uint8Array | null> {
    const entry = await this.source.next();
    if (!entry) return null;
    const km = new ledger.queryresult.KeyModification();
    km.setTxId(entry.txId);
    if (entry.value) km.setValue(Uint8Array.from(entry.value));
    const ts = new timestampPb.Timestamp();
    ts.setSeconds(entry.timestamp.seconds);
    ts.setNanos(entry.timestamp.nanos);
    km.setTimestamp(ts);
    km.setIsDelete(entry.isDelete);
    return km.serializeBinary();
  }

  async bookmarkAndClose(): Promise<string> {
    await this.source.close();
    return '';
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
