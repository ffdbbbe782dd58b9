/**
 * A minimal peer-side driver of the Fabric chaincode protocol over real gRPC, for testing a
 * chaincode-as-a-service process (`fabric-chaincode-node server`) exactly as a Fabric 2.5 peer
 * talks to it: the driver dials `/protos.Chaincode/Connect`, answers the chaincode's REGISTER with
 * REGISTERED and READY, sends TRANSACTION messages carrying a real signed proposal and serves the
 * chaincode's ledger requests from an in-memory world state, following `core/chaincode/handler.go`.
 *
 * Simulation semantics are the peer's: reads see committed state only (no read-your-own-writes),
 * writes are buffered and applied when the transaction COMPLETED with a successful status, range
 * queries are batched by the peer's query response builder, and paginated queries are allowed in
 * read-only transactions only. There is no MVCC validation, no endorsement policy and no block:
 * transactions are "committed" immediately, one at a time, in the order they complete.
 *
 * The driver never sends KEEPALIVE: fabric-shim (Node) treats it as an unknown message and exits.
 */
import * as grpc from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import type { TestIdentity } from '../harness/identities.js';
import type { HistoryEntry } from '../harness/ledger.js';
import { buildSignedProposal, protoTimestamp } from '../harness/proposal.js';
import { historyIterator, QueryContexts, rangeIterator } from '../harness/query-response.js';

const MsgType = peer.ChaincodeMessage.Type;
type MsgTypeValue = peer.ChaincodeMessage.TypeMap[keyof peer.ChaincodeMessage.TypeMap];

/** `core.yaml` `ledger.state.totalQueryLimit`: results a single query may return. */
const TOTAL_QUERY_LIMIT = 100_000;
/** `QueryResponseGenerator.MaxResultLimit`: results per QueryResponse batch (shim batch size). */
const MAX_RESULT_LIMIT = 100;
/** `core.yaml` `chaincode.executetimeout`. */
const DEFAULT_EXECUTE_TIMEOUT_MS = 30_000;

/** Name of a `ChaincodeMessage.Type` value, e.g. `GET_STATE`. */
export function messageTypeName(type: number): string {
  for (const [name, value] of Object.entries(MsgType)) if (value === type) return name;
  return `UNKNOWN(${type})`;
}

/** Options for {@link ChaincodePeerDriver.connect}. */
export interface ConnectOptions {
  /** Channel every transaction runs on. */
  readonly channelId: string;
  /** Chaincode name: the namespace of the world state and of proposals' chaincode ID. */
  readonly chaincodeName: string;
  /** How long to wait for the gRPC connection and the chaincode's REGISTER (default 10 s). */
  readonly registerTimeoutMs?: number;
  /** Per-transaction execution timeout, like the peer's `chaincode.executetimeout` (default 30 s). */
  readonly executeTimeoutMs?: number;
}

/** Options for {@link ChaincodePeerDriver.invoke}. */
export interface InvokeOptions {
  /** Proposal (and so `getTxTimestamp()`) time in seconds; defaults to the wall clock. */
  readonly timestampSeconds?: number;
  readonly timestampNanos?: number;
  /** Signature-header nonce; defaults to 24 random bytes. */
  readonly nonce?: Uint8Array;
  readonly transient?: Readonly<Record<string, Uint8Array>>;
  /**
   * Apply the write set if the chaincode succeeded (default `true`, a submit). `false` simulates
   * only, as an evaluate does: the writes are reported in the result but never applied.
   */
  readonly commit?: boolean;
}

/** A chaincode event as the peer completes it (with chaincode ID and transaction ID). */
export interface ChaincodeEventRecord {
  readonly chaincodeId: string;
  readonly txId: string;
  readonly eventName: string;
  readonly payload: Buffer;
}

/** One ledger request the chaincode made during a transaction, and how the driver answered. */
export interface ChaincodeRequestRecord {
  /** Message type name, e.g. `PUT_STATE`. */
  readonly type: string;
  /** Key of GET_STATE/PUT_STATE/DEL_STATE/GET_STATE_METADATA/PUT_STATE_METADATA/GET_HISTORY_FOR_KEY. */
  readonly key?: string;
  /** `[startKey, endKey]` of GET_STATE_BY_RANGE. */
  readonly range?: readonly [string, string];
  /** Query iterator ID of QUERY_STATE_NEXT/CLOSE. */
  readonly iteratorId?: string;
  /** The answer: RESPONSE or ERROR. */
  readonly answer: 'RESPONSE' | 'ERROR';
  /** ERROR payload text. */
  readonly error?: string;
}

/** The outcome of one transaction, as the chaincode completed it. */
export interface InvokeResult {
  readonly txId: string;
  /** `peer.Response.status`: 200 on success, 500 when the contract threw. */
  readonly status: number;
  readonly message: string;
  readonly payload: Buffer;
  /** The transaction's chaincode event, if it set one. */
  readonly event?: ChaincodeEventRecord;
  /** The buffered public write set: key → value, or `null` for a delete. */
  readonly writes: ReadonlyMap<string, Buffer | null>;
  /** Buffered metadata writes: key → replacement metadata map. */
  readonly metadataWrites: ReadonlyMap<string, ReadonlyMap<string, Buffer>>;
  /** Every ledger request the chaincode made, in order. */
  readonly requests: readonly ChaincodeRequestRecord[];
  /** Whether the write set was applied to the world state. */
  readonly committed: boolean;
}

/** Thrown when the chaincode answers a transaction with ERROR instead of COMPLETED, or it times out. */
export class ChaincodeExecutionError extends Error {
  override readonly name = 'ChaincodeExecutionError';
}

interface CommittedEntry {
  readonly value: Buffer;
  readonly metadata: ReadonlyMap<string, Buffer>;
}

interface PendingTx {
  readonly txId: string;
  readonly channelId: string;
  readonly commit: boolean;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly writes: Map<string, Buffer | null>;
  readonly metadataWrites: Map<string, Map<string, Buffer>>;
  readonly requests: ChaincodeRequestRecord[];
  readonly queries: QueryContexts;
  paginatedQueryPerformed: boolean;
  writePerformed: boolean;
  readonly resolve: (result: InvokeResult) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** An error a request handler raises; sent to the chaincode as an ERROR message. */
class RequestError extends Error {}

/** Orders keys as LevelDB does: bytewise over their UTF-8 encoding. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Drives one chaincode connection as a Fabric peer would, with its own in-memory world state for
 * the chaincode's namespace.
 */
export class ChaincodePeerDriver {
  private readonly state = new Map<string, CommittedEntry>();
  private readonly history = new Map<string, HistoryEntry[]>();
  private readonly pending = new Map<string, PendingTx>();
  private readonly committedTxIds = new Set<string>();
  private readonly sentCounts = new Map<string, number>();
  private blockNum = 0;
  private ended: Error | undefined;

  private constructor(
    private readonly client: peer.ChaincodeClient,
    private readonly stream: grpc.ClientDuplexStream<peer.ChaincodeMessage, peer.ChaincodeMessage>,
    /** Chaincode ID the chaincode registered with (`--chaincode-id`, e.g. `credit:1.0`). */
    readonly registeredChaincodeId: string,
    /** Channel every transaction runs on. */
    readonly channelId: string,
    /** Namespace of the world state and chaincode name of proposals. */
    readonly chaincodeName: string,
    private readonly executeTimeoutMs: number,
  ) {
    stream.on('data', (msg: peer.ChaincodeMessage) => {
      this.onMessage(msg);
    });
    stream.on('error', (err: Error) => {
      this.terminate(new ChaincodeExecutionError(`chaincode stream failed: ${err.message}`));
    });
    stream.on('end', () => {
      this.terminate(new ChaincodeExecutionError('chaincode stream terminated'));
    });
    stream.resume();
  }

  /**
   * Dials a chaincode server's `/protos.Chaincode/Connect` stream (plaintext gRPC), waits for its
   * REGISTER, and answers REGISTERED then READY (empty payload), as the peer's handler does.
   * @param address `host:port` of `fabric-chaincode-node server --chaincode-address`.
   * @param opts channel, chaincode name and timeouts.
   */
  static async connect(address: string, opts: ConnectOptions): Promise<ChaincodePeerDriver> {
    const timeoutMs = opts.registerTimeoutMs ?? 10_000;
    const client = new peer.ChaincodeClient(address, grpc.credentials.createInsecure());
    try {
      await new Promise<void>((resolve, reject) => {
        client.waitForReady(Date.now() + timeoutMs, (err) => {
          if (err) reject(err);
          else resolve();
        });
      });
      const stream = client.connect();
      const register = await new Promise<peer.ChaincodeMessage>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          stream.off('data', onData);
          stream.off('error', onError);
          stream.off('end', onEnd);
        };
        const onData = (msg: peer.ChaincodeMessage): void => {
          stream.pause(); // hold later messages until the driver listens
          cleanup();
          resolve(msg);
        };
        const onError = (err: Error): void => {
          cleanup();
          reject(err);
        };
        const onEnd = (): void => {
          cleanup();
          reject(new Error('chaincode closed the stream before REGISTER'));
        };
        const timer = setTimeout(() => {
          cleanup();
          stream.cancel();
          reject(new Error(`no REGISTER from the chaincode within ${timeoutMs} ms`));
        }, timeoutMs);
        stream.on('data', onData);
        stream.on('error', onError);
        stream.on('end', onEnd);
      });
      if (register.getType() !== MsgType.REGISTER) {
        stream.cancel();
        throw new Error(`expected REGISTER, the chaincode sent ${messageTypeName(register.getType())}`);
      }
      const chaincodeId = peer.ChaincodeID.deserializeBinary(register.getPayload_asU8());
      const driver = new ChaincodePeerDriver(
        client,
        stream,
        chaincodeId.getName(),
        opts.channelId,
        opts.chaincodeName,
        opts.executeTimeoutMs ?? DEFAULT_EXECUTE_TIMEOUT_MS,
      );
      driver.send(MsgType.REGISTERED);
      driver.send(MsgType.READY);
      return driver;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Whether the stream to the chaincode is still open. */
  get connected(): boolean {
    return this.ended === undefined;
  }

  /**
   * Sends a TRANSACTION for a freshly signed proposal and serves the chaincode's requests until it
   * answers COMPLETED.
   * @param identity the client that signs the proposal (its certificate becomes `ctx.clientIdentity`).
   * @param args function name (`'Fn'` or `'contract:Fn'`, e.g. `'org.hyperledger.fabric:GetMetadata'`)
   *   followed by its string arguments.
   * @param opts timestamp, nonce, transient data and whether to commit.
   * @returns the chaincode response; rejects with {@link ChaincodeExecutionError} if the chaincode
   *   answered ERROR, timed out or the stream ended.
   */
  async invoke(
    identity: TestIdentity,
    args: readonly string[],
    opts: InvokeOptions = {},
  ): Promise<InvokeResult> {
    if (this.ended) throw this.ended;
    const built = buildSignedProposal({
      channelId: this.channelId,
      chaincodeName: this.chaincodeName,
      args,
      identity,
      ...(opts.timestampSeconds === undefined ? {} : { timestampSeconds: opts.timestampSeconds }),
      ...(opts.timestampNanos === undefined ? {} : { timestampNanos: opts.timestampNanos }),
      ...(opts.nonce === undefined ? {} : { nonce: opts.nonce }),
      ...(opts.transient === undefined ? {} : { transient: opts.transient }),
    });
    const { txId } = built;
    const contextId = this.channelId + txId;
    // The peer refuses a transaction ID that is in flight (TransactionRegistry) or already committed.
    if (this.pending.has(contextId))
      throw new ChaincodeExecutionError(`txid: ${txId}(${this.channelId}) exists`);
    if (this.committedTxIds.has(txId))
      throw new ChaincodeExecutionError(`duplicate transaction found [${txId}]`);

    const msg = new peer.ChaincodeMessage();
    msg.setType(MsgType.TRANSACTION);
    msg.setTxid(txId);
    msg.setChannelId(this.channelId);
    msg.setPayload(built.chaincodeInput.serializeBinary());
    msg.setProposal(built.signedProposal);
    msg.setTimestamp(protoTimestamp(built.timestamp.seconds, built.timestamp.nanos));

    return new Promise<InvokeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(contextId);
        reject(new ChaincodeExecutionError('timeout expired while executing transaction'));
      }, this.executeTimeoutMs);
      this.pending.set(contextId, {
        txId,
        channelId: this.channelId,
        commit: opts.commit ?? true,
        timestamp: built.timestamp,
        writes: new Map(),
        metadataWrites: new Map(),
        requests: [],
        queries: new QueryContexts(MAX_RESULT_LIMIT),
        paginatedQueryPerformed: false,
        writePerformed: false,
        resolve,
        reject,
        timer,
      });
      this.write(msg);
    });
  }

  /** How many messages of each type (e.g. `TRANSACTION`, `RESPONSE`) the driver has sent. */
  get sentMessageCounts(): ReadonlyMap<string, number> {
    return this.sentCounts;
  }

  /** The committed value of a key, or `undefined`. */
  getState(key: string): Buffer | undefined {
    return this.state.get(key)?.value;
  }

  /** The committed metadata of a key (empty when none). */
  getStateMetadata(key: string): ReadonlyMap<string, Buffer> {
    return this.state.get(key)?.metadata ?? new Map<string, Buffer>();
  }

  /** Committed keys in ledger (UTF-8 byte) order. */
  keys(): string[] {
    return [...this.state.keys()].sort(compareKeys);
  }

  /** Committed modifications of a key, oldest first. */
  getHistory(key: string): readonly HistoryEntry[] {
    return this.history.get(key) ?? [];
  }

  /**
   * Ends the stream and the gRPC channel. Transactions still in flight are rejected; the chaincode
   * server keeps running and accepts new connections.
   */
  close(): void {
    this.terminate(new ChaincodeExecutionError('driver closed'));
    this.stream.end();
    this.client.close();
  }

  private send(
    type: MsgTypeValue,
    fields: { txId?: string; channelId?: string; payload?: Uint8Array } = {},
  ): void {
    const msg = new peer.ChaincodeMessage();
    msg.setType(type);
    if (fields.txId !== undefined) msg.setTxid(fields.txId);
    if (fields.channelId !== undefined) msg.setChannelId(fields.channelId);
    if (fields.payload !== undefined) msg.setPayload(fields.payload);
    this.write(msg);
  }

  private write(msg: peer.ChaincodeMessage): void {
    const name = messageTypeName(msg.getType());
    this.sentCounts.set(name, (this.sentCounts.get(name) ?? 0) + 1);
    this.stream.write(msg);
  }

  private terminate(reason: Error): void {
    if (this.ended) return;
    this.ended = reason;
    for (const tx of this.pending.values()) {
      clearTimeout(tx.timer);
      tx.reject(reason);
    }
    this.pending.clear();
  }

  private onMessage(msg: peer.ChaincodeMessage): void {
    const type = msg.getType();
    const contextId = msg.getChannelId() + msg.getTxid();
    switch (type) {
      case MsgType.COMPLETED:
      case MsgType.ERROR: {
        const tx = this.pending.get(contextId);
        if (!tx) return; // the peer ignores notifications for unknown transactions
        this.pending.delete(contextId);
        clearTimeout(tx.timer);
        tx.queries.closeAll();
        if (type === MsgType.ERROR) {
          const text = Buffer.from(msg.getPayload_asU8()).toString('utf8');
          tx.reject(new ChaincodeExecutionError(`transaction returned with failure: ${text}`));
        } else {
          try {
            tx.resolve(this.complete(tx, msg));
          } catch (err) {
            tx.reject(
              new ChaincodeExecutionError(
                `failed to unmarshal response for transaction ${tx.txId}: ${String(err)}`,
              ),
            );
          }
        }
        return;
      }
      case MsgType.KEEPALIVE:
        return;
      default:
        this.serveRequest(msg);
    }
  }

  /** Turns COMPLETED into a result and applies the write set of a successful, committing transaction. */
  private complete(tx: PendingTx, msg: peer.ChaincodeMessage): InvokeResult {
    const response = peer.Response.deserializeBinary(msg.getPayload_asU8());
    const status = response.getStatus();
    const ccEvent = msg.getChaincodeEvent();
    const event: ChaincodeEventRecord | undefined =
      ccEvent && ccEvent.getEventName() !== ''
        ? {
            chaincodeId: this.chaincodeName,
            txId: tx.txId,
            eventName: ccEvent.getEventName(),
            payload: Buffer.from(ccEvent.getPayload_asU8()),
          }
        : undefined;
    // The endorser treats status >= 400 (shim.ERRORTHRESHOLD) as failure and the gateway also < 200.
    const success = status >= 200 && status < 400;
    const committed = tx.commit && success;
    if (committed) this.apply(tx);
    return {
      txId: tx.txId,
      status,
      message: response.getMessage(),
      payload: Buffer.from(response.getPayload_asU8()),
      ...(event ? { event } : {}),
      writes: tx.writes,
      metadataWrites: tx.metadataWrites,
      requests: tx.requests,
      committed,
    };
  }

  private apply(tx: PendingTx): void {
    const blockNum = this.blockNum++;
    for (const [key, value] of tx.writes) {
      const previous = this.state.get(key);
      if (value === null) {
        this.state.delete(key);
      } else {
        // A value update keeps the key's metadata (Fabric's statedb), a delete drops both.
        this.state.set(key, { value, metadata: previous?.metadata ?? new Map() });
      }
      const entries = this.history.get(key) ?? [];
      entries.push({
        txId: tx.txId,
        timestamp: tx.timestamp,
        isDelete: value === null,
        value: value ?? Buffer.alloc(0),
        blockNum,
        txNum: 0,
      });
      this.history.set(key, entries);
    }
    for (const [key, metadata] of tx.metadataWrites) {
      const current = this.state.get(key);
      if (current) this.state.set(key, { value: current.value, metadata }); // ignored for absent keys
    }
    this.committedTxIds.add(tx.txId);
  }

  /** Serves GET_STATE, PUT_STATE, ... like `Handler.HandleTransaction`: RESPONSE, or ERROR with a wrapped message. */
  private serveRequest(msg: peer.ChaincodeMessage): void {
    const type = msg.getType();
    const typeName = messageTypeName(type);
    const txId = msg.getTxid();
    const channelId = msg.getChannelId();
    const tx = this.pending.get(channelId + txId);
    const record: { -readonly [K in keyof ChaincodeRequestRecord]?: ChaincodeRequestRecord[K] } = {
      type: typeName,
    };
    let payload: Uint8Array | undefined;
    let error: string | undefined;
    try {
      if (!tx) throw new RequestError('no ledger context');
      payload = this.handle(tx, msg, record);
    } catch (err) {
      // Malformed payloads too: the peer answers `unmarshal failed` rather than dropping the stream.
      const reason = err instanceof RequestError ? err.message : `unmarshal failed: ${String(err)}`;
      error = `${typeName} failed: transaction ID: ${txId}: ${reason}`;
    }
    if (tx) {
      tx.requests.push({
        ...record,
        type: typeName,
        answer: error === undefined ? 'RESPONSE' : 'ERROR',
        ...(error === undefined ? {} : { error }),
      });
    }
    if (error === undefined) {
      this.send(MsgType.RESPONSE, { txId, channelId, ...(payload ? { payload } : {}) });
    } else {
      this.send(MsgType.ERROR, { txId, channelId, payload: Buffer.from(error, 'utf8') });
    }
  }

  private handle(
    tx: PendingTx,
    msg: peer.ChaincodeMessage,
    record: { key?: string; range?: readonly [string, string]; iteratorId?: string },
  ): Uint8Array | undefined {
    const bytes = msg.getPayload_asU8();
    const noCollections = (collection: string): void => {
      if (collection !== '')
        throw new RequestError('private data collections are not supported by this peer driver');
    };
    switch (msg.getType()) {
      case MsgType.GET_STATE: {
        const req = peer.GetState.deserializeBinary(bytes);
        record.key = req.getKey();
        noCollections(req.getCollection());
        // Committed value only; an absent key is a RESPONSE with an empty payload.
        return this.state.get(req.getKey())?.value;
      }
      case MsgType.PUT_STATE: {
        const req = peer.PutState.deserializeBinary(bytes);
        record.key = req.getKey();
        noCollections(req.getCollection());
        this.checkWrite(tx);
        tx.writes.set(req.getKey(), Buffer.from(req.getValue_asU8()));
        return undefined;
      }
      case MsgType.DEL_STATE: {
        const req = peer.DelState.deserializeBinary(bytes);
        record.key = req.getKey();
        noCollections(req.getCollection());
        this.checkWrite(tx);
        tx.writes.set(req.getKey(), null);
        return undefined;
      }
      case MsgType.GET_STATE_METADATA: {
        const req = peer.GetStateMetadata.deserializeBinary(bytes);
        record.key = req.getKey();
        noCollections(req.getCollection());
        const result = new peer.StateMetadataResult();
        for (const [metakey, value] of this.state.get(req.getKey())?.metadata ?? []) {
          const entry = new peer.StateMetadata();
          entry.setMetakey(metakey);
          entry.setValue(value);
          result.addEntries(entry);
        }
        return result.serializeBinary();
      }
      case MsgType.PUT_STATE_METADATA: {
        const req = peer.PutStateMetadata.deserializeBinary(bytes);
        record.key = req.getKey();
        noCollections(req.getCollection());
        const metadata = req.getMetadata();
        if (!metadata) throw new RequestError('metadata is missing');
        this.checkWrite(tx);
        tx.metadataWrites.set(
          req.getKey(),
          new Map([[metadata.getMetakey(), Buffer.from(metadata.getValue_asU8())]]),
        );
        return undefined;
      }
      case MsgType.GET_STATE_BY_RANGE: {
        const req = peer.GetStateByRange.deserializeBinary(bytes);
        record.range = [req.getStartkey(), req.getEndkey()];
        noCollections(req.getCollection());
        const metaBytes = req.getMetadata_asU8();
        const meta = metaBytes.length > 0 ? peer.QueryMetadata.deserializeBinary(metaBytes) : undefined;
        const pageSize = meta?.getPagesize() ?? 0;
        const bookmark = meta?.getBookmark() ?? '';
        const isPaginated = pageSize !== 0 || bookmark !== '';
        const totalReturnLimit = pageSize > 0 && pageSize < TOTAL_QUERY_LIMIT ? pageSize : TOTAL_QUERY_LIMIT;
        let startKey = req.getStartkey();
        if (isPaginated) {
          if (tx.writePerformed) {
            throw new RequestError(
              `txid [${tx.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
            );
          }
          tx.paginatedQueryPerformed = true;
          if (bookmark !== '') startKey = bookmark;
        }
        const iter = rangeIterator(
          this.chaincodeName,
          this.rangeSnapshot(startKey, req.getEndkey()),
          isPaginated ? pageSize : 0,
        );
        const id = tx.queries.register(iter);
        record.iteratorId = id;
        return tx.queries.build(id, isPaginated, totalReturnLimit).serializeBinary();
      }
      case MsgType.QUERY_STATE_NEXT: {
        const req = peer.QueryStateNext.deserializeBinary(bytes);
        record.iteratorId = req.getId();
        if (!tx.queries.has(req.getId())) throw new RequestError('query iterator not found');
        return tx.queries.build(req.getId(), false, TOTAL_QUERY_LIMIT).serializeBinary();
      }
      case MsgType.QUERY_STATE_CLOSE: {
        const req = peer.QueryStateClose.deserializeBinary(bytes);
        record.iteratorId = req.getId();
        tx.queries.close(req.getId());
        const res = new peer.QueryResponse();
        res.setHasMore(false);
        res.setId(req.getId());
        return res.serializeBinary();
      }
      case MsgType.GET_HISTORY_FOR_KEY: {
        const req = peer.GetHistoryForKey.deserializeBinary(bytes);
        record.key = req.getKey();
        const id = tx.queries.register(historyIterator(this.history.get(req.getKey()) ?? []));
        record.iteratorId = id;
        return tx.queries.build(id, false, TOTAL_QUERY_LIMIT).serializeBinary();
      }
      case MsgType.GET_QUERY_RESULT:
        throw new RequestError('ExecuteQuery not supported for leveldb');
      default:
        throw new RequestError(`${messageTypeName(msg.getType())} is not supported by this peer driver`);
    }
  }

  /** The simulator's write precondition: no writes after a paginated query. */
  private checkWrite(tx: PendingTx): void {
    if (tx.paginatedQueryPerformed) {
      throw new RequestError(
        `txid [${tx.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
      );
    }
    tx.writePerformed = true;
  }

  /** Committed keys in `[startKey, endKey)` (an empty end key means unbounded), in ledger order. */
  private rangeSnapshot(startKey: string, endKey: string): Array<readonly [string, Buffer]> {
    return [...this.state.entries()]
      .filter(([key]) => compareKeys(key, startKey) >= 0 && (endKey === '' || compareKeys(key, endKey) < 0))
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, entry]) => [key, entry.value] as const);
  }
}
