/**
 * Stand-in for fabric-shim's `ChaincodeMessageHandler` that answers the stub's ledger calls the way
 * a Fabric 2.5 peer with LevelDB state does while simulating ONE transaction: reads see committed
 * state only (no read-your-own-writes), writes are buffered in a write set, range and history
 * queries are batched into real `peer.QueryResponse` messages, rich queries are rejected.
 *
 * Responses go through protobuf bytes and are decoded exactly as handler.js `parseResponse` does,
 * and failures are rejected with the peer's `"<TYPE> failed: transaction ID: <txid>: <reason>"`.
 */
import { peer } from '@hyperledger/fabric-protos';
import iterators from 'fabric-shim/lib/iterators.js';
import type { Iterators } from 'fabric-shim';
import type { InMemoryLedger, Version, WriteSet } from './ledger.js';
import { QueryContexts, historyIterator, rangeIterator } from './query-response.js';

/** Peer limits that shape query responses. */
export interface SimulatorOptions {
  readonly channelId: string;
  readonly txId: string;
  /** Chaincode name: the state namespace, stamped into `queryresult.KV.namespace`. */
  readonly namespace: string;
  /** `QueryResponseGenerator.MaxResultLimit` (hard-coded 100 in the peer). */
  readonly maxResultLimit?: number;
  /** core.yaml `ledger.state.totalQueryLimit` (default 100000). */
  readonly totalQueryLimit?: number;
}

/** What `getStateByRange*` resolves to in the shim (`{iterator, metadata?}`). */
export interface RangeQueryResult {
  iterator: Iterators.StateQueryIterator;
  metadata?: { bookmark: string; fetchedRecordsCount: number };
}

type MsgType = keyof typeof peer.ChaincodeMessage.Type;

/** A per-transaction simulator exposing the `handle*` methods ChaincodeStub and iterators call. */
export class FakeHandler {
  private readonly writes = new Map<string, Buffer | null>();
  private readonly metadataWrites = new Map<string, Map<string, Buffer>>();
  private readonly reads = new Map<string, Version | null>();
  private readonly queries: QueryContexts;
  private readonly totalQueryLimit: number;
  private writePerformed = false;
  private paginatedQueryPerformed = false;
  private done = false;

  constructor(
    private readonly ledger: InMemoryLedger,
    private readonly opts: SimulatorOptions,
  ) {
    this.queries = new QueryContexts(opts.maxResultLimit ?? 100);
    this.totalQueryLimit = opts.totalQueryLimit ?? 100_000;
  }

  /** The buffered public write set. */
  get writeSet(): WriteSet {
    return { writes: new Map(this.writes), metadataWrites: new Map(this.metadataWrites) };
  }

  /** Keys read with the committed version seen (`null` = absent), as an MVCC read set. */
  get readSet(): ReadonlyMap<string, Version | null> {
    return new Map(this.reads);
  }

  /** Ends the simulation: open iterators are closed and later calls fail with "no ledger context". */
  finish(): void {
    this.done = true;
    this.queries.closeAll();
  }

  async handleGetState(collection: string, key: string): Promise<Buffer> {
    return this.run('GET_STATE', collection, () => {
      const entry = this.ledger.get(key);
      this.reads.set(key, entry?.version ?? null);
      return entry ? entry.value : Buffer.alloc(0);
    });
  }

  async handlePutState(collection: string, key: string, value: Uint8Array): Promise<Buffer> {
    return this.run('PUT_STATE', collection, () => {
      this.checkWritePrecondition();
      // The peer receives an absent (nil) value for empty bytes, which its rwset records as a delete.
      this.writes.set(key, value.length === 0 ? null : Buffer.from(value));
      return Buffer.alloc(0);
    });
  }

  async handleDeleteState(collection: string, key: string): Promise<Buffer> {
    return this.run('DEL_STATE', collection, () => {
      this.checkWritePrecondition();
      this.writes.set(key, null);
      return Buffer.alloc(0);
    });
  }

  async handlePutStateMetadata(
    collection: string,
    key: string,
    metakey: string,
    value: Uint8Array,
  ): Promise<Buffer> {
    return this.run('PUT_STATE_METADATA', collection, () => {
      this.checkWritePrecondition();
      this.metadataWrites.set(key, new Map([[metakey, Buffer.from(value)]]));
      return Buffer.alloc(0);
    });
  }

  async handleGetStateMetadata(
    collection: string,
    key: string,
  ): Promise<Record<string, Uint8Array | string>> {
    return this.run('GET_STATE_METADATA', collection, () => {
      const result = new peer.StateMetadataResult();
      for (const [metakey, value] of this.ledger.get(key)?.metadata ?? []) {
        const md = new peer.StateMetadata();
        md.setMetakey(metakey);
        md.setValue(value);
        result.addEntries(md);
      }
      const decoded = peer.StateMetadataResult.deserializeBinary(result.serializeBinary());
      const out: Record<string, Uint8Array | string> = {};
      for (const entry of decoded.getEntriesList()) out[entry.getMetakey()] = entry.getValue();
      return out;
    });
  }

  async handleGetStateByRange(
    collection: string,
    startKey: string,
    endKey: string,
    _channelId: string,
    _txId: string,
    metadataBytes?: Uint8Array,
  ): Promise<RangeQueryResult> {
    return this.run('GET_STATE_BY_RANGE', collection, () => {
      const metadata = metadataBytes ? peer.QueryMetadata.deserializeBinary(metadataBytes) : undefined;
      const pageSize = metadata?.getPagesize() ?? 0;
      const bookmark = metadata?.getBookmark() ?? '';
      const paginated = metadata !== undefined && (pageSize !== 0 || bookmark !== '');
      if (paginated) this.checkBeforePaginatedQueries();
      const from = paginated && bookmark !== '' ? bookmark : startKey;
      const keys = this.ledger
        .keysInRange(from, endKey)
        .map((k) => [k, this.ledger.get(k)?.value ?? Buffer.alloc(0)] as const);
      const id = this.queries.register(rangeIterator(this.opts.namespace, keys, paginated ? pageSize : 0));
      const response = this.roundTrip(this.queries.build(id, paginated, this.totalReturnLimit(pageSize)));
      const result: RangeQueryResult = {
        iterator: new iterators.StateQueryIterator(this, this.opts.channelId, this.opts.txId, response),
      };
      const metaBytes = response.getMetadata();
      if (metaBytes) {
        const meta = peer.QueryResponseMetadata.deserializeBinary(metaBytes as Uint8Array);
        result.metadata = {
          bookmark: meta.getBookmark(),
          fetchedRecordsCount: meta.getFetchedRecordsCount(),
        };
      }
      return result;
    });
  }

  async handleQueryStateNext(id: string): Promise<peer.QueryResponse> {
    return this.run('QUERY_STATE_NEXT', '', () =>
      this.roundTrip(this.queries.build(id, false, this.totalQueryLimit)),
    );
  }

  async handleQueryStateClose(id: string): Promise<peer.QueryResponse> {
    return this.run('QUERY_STATE_CLOSE', '', () => {
      this.queries.close(id);
      const res = new peer.QueryResponse();
      res.setHasMore(false);
      res.setId(id);
      return this.roundTrip(res);
    });
  }

  async handleGetQueryResult(
    collection: string,
    _query: string,
    metadataBytes: Uint8Array | null | undefined,
  ): Promise<never> {
    return this.run('GET_QUERY_RESULT', collection, () => {
      const metadata = metadataBytes ? peer.QueryMetadata.deserializeBinary(metadataBytes) : undefined;
      if (metadata && (metadata.getPagesize() !== 0 || metadata.getBookmark() !== '')) {
        this.checkBeforePaginatedQueries();
        throw new Error('ExecuteQueryWithMetadata not supported for leveldb');
      }
      throw new Error('ExecuteQuery not supported for leveldb');
    });
  }

  async handleGetHistoryForKey(key: string): Promise<Iterators.HistoryQueryIterator> {
    return this.run('GET_HISTORY_FOR_KEY', '', () => {
      const id = this.queries.register(historyIterator(this.ledger.history(key)));
      const response = this.roundTrip(this.queries.build(id, false, this.totalQueryLimit));
      return new iterators.HistoryQueryIterator(this, this.opts.channelId, this.opts.txId, response);
    });
  }

  async handleGetPrivateDataHash(collection: string): Promise<never> {
    return this.run('GET_PRIVATE_DATA_HASH', collection || '<none>', () => this.unsupported('private data'));
  }

  async handlePurgeState(collection: string): Promise<never> {
    return this.run('PURGE_PRIVATE_DATA', collection || '<none>', () => this.unsupported('private data'));
  }

  async handleInvokeChaincode(chaincodeName: string): Promise<never> {
    return this.run('INVOKE_CHAINCODE', '', () =>
      this.unsupported(`chaincode-to-chaincode invocation (${chaincodeName})`),
    );
  }

  /** Runs a request as the peer's `HandleTransaction` does, wrapping any failure in its error text. */
  private run<T>(type: MsgType, collection: string, body: () => T): Promise<T> {
    try {
      if (this.done) throw new Error('no ledger context');
      if (collection !== '') this.unsupported(`private data (collection "${collection}")`);
      return Promise.resolve(body());
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return Promise.reject(new Error(`${type} failed: transaction ID: ${this.opts.txId}: ${reason}`));
    }
  }

  private unsupported(what: string): never {
    throw new Error(`${what} is not supported by the in-memory test harness`);
  }

  /** txSimulator.checkWritePrecondition (Fabric keeps the "unsuppored" typo). */
  private checkWritePrecondition(): void {
    if (this.paginatedQueryPerformed) {
      throw new Error(
        `txid [${this.opts.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
      );
    }
    this.writePerformed = true;
  }

  /** txSimulator.checkBeforePaginatedQueries: paginated queries only in read-only transactions. */
  private checkBeforePaginatedQueries(): void {
    if (this.writePerformed) {
      throw new Error(
        `txid [${this.opts.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
      );
    }
    this.paginatedQueryPerformed = true;
  }

  /** Handler.calculateTotalReturnLimit. */
  private totalReturnLimit(pageSize: number): number {
    return pageSize > 0 && pageSize < this.totalQueryLimit ? pageSize : this.totalQueryLimit;
  }

  /** Sends a response through its wire encoding, as the shim would receive it. */
  private roundTrip(res: peer.QueryResponse): peer.QueryResponse {
    return peer.QueryResponse.deserializeBinary(res.serializeBinary());
  }
}
