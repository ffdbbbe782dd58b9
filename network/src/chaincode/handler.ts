/**
 * The peer side of the chaincode's ledger requests, ported from Fabric 2.5's
 * `core/chaincode/handler.go` (`HandleGetState`, `HandleGetStateByRange`, `HandleQueryStateNext`,
 * ...): each request of a running transaction is answered with RESPONSE, or with ERROR carrying
 * `<TYPE> failed: transaction ID: <txid>: <reason>` in Fabric's words.
 */
import { randomUUID } from 'node:crypto';
import { peer } from '@hyperledger/fabric-protos';
import { ChaincodeRequestError } from './errors.js';
import { chaincodeMessage, messageTypeName, MsgType } from './messages.js';
import { DEFAULT_TOTAL_QUERY_LIMIT, QueryContexts } from './query-response.js';
import type { TxSimulator } from './simulator.js';

/** The state the peer keeps for one executing transaction (Fabric's `TransactionContext`). */
export interface TransactionContext {
  readonly channelId: string;
  readonly txId: string;
  /** The chaincode's namespace (its name). */
  readonly namespace: string;
  readonly simulator: TxSimulator;
  readonly queries: QueryContexts;
}

/** Tunables of the request handler. */
export interface RequestHandlerOptions {
  /** `ledger.state.totalQueryLimit` (default 100 000). */
  readonly totalQueryLimit?: number;
  /** Query iterator IDs (default: random UUIDs, as Fabric). */
  readonly newIteratorId?: () => string;
}

/** Message types {@link handleRequest} serves; anything else from the chaincode ends the stream. */
export const REQUEST_TYPES: ReadonlySet<number> = new Set([
  MsgType.GET_STATE,
  MsgType.PUT_STATE,
  MsgType.DEL_STATE,
  MsgType.GET_STATE_BY_RANGE,
  MsgType.QUERY_STATE_NEXT,
  MsgType.QUERY_STATE_CLOSE,
  MsgType.GET_QUERY_RESULT,
  MsgType.GET_HISTORY_FOR_KEY,
  MsgType.GET_STATE_METADATA,
  MsgType.PUT_STATE_METADATA,
  MsgType.GET_PRIVATE_DATA_HASH,
  MsgType.PURGE_PRIVATE_DATA,
  MsgType.INVOKE_CHAINCODE,
]);

function unmarshal<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new ChaincodeRequestError(`unmarshal failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Fabric's `getQueryMetadataFromBytes`: absent (empty) bytes mean no metadata. */
function queryMetadata(bytes: Uint8Array): peer.QueryMetadata | undefined {
  return bytes.length > 0 ? unmarshal(() => peer.QueryMetadata.deserializeBinary(bytes)) : undefined;
}

/** Fabric's `isMetadataSetForPagination`. */
function isPaginated(meta: peer.QueryMetadata | undefined): meta is peer.QueryMetadata {
  return meta !== undefined && (meta.getPagesize() !== 0 || meta.getBookmark() !== '');
}

function collectionNotFound(ctx: TransactionContext, collection: string): ChaincodeRequestError {
  return new ChaincodeRequestError(
    `collection ${ctx.channelId}/${ctx.namespace}/${collection} could not be found (private data is not supported by this network)`,
  );
}

function noPrivateData(ctx: TransactionContext, collection: string): void {
  if (collection !== '') throw collectionNotFound(ctx, collection);
}

/**
 * Answers the chaincode's ledger requests (one instance per chaincode connection).
 */
export class RequestHandler {
  private readonly totalQueryLimit: number;
  private readonly newIteratorId: () => string;

  constructor(opts: RequestHandlerOptions = {}) {
    this.totalQueryLimit = opts.totalQueryLimit ?? DEFAULT_TOTAL_QUERY_LIMIT;
    this.newIteratorId = opts.newIteratorId ?? randomUUID;
  }

  /** Fabric's `calculateTotalReturnLimit`. */
  private totalReturnLimit(meta: peer.QueryMetadata | undefined): number {
    const pageSize = meta?.getPagesize() ?? 0;
    return pageSize > 0 && pageSize < this.totalQueryLimit ? pageSize : this.totalQueryLimit;
  }

  /**
   * Answers one ledger request of the chaincode for the transaction `ctx` (`undefined` when the
   * message names no executing transaction: Fabric's `no ledger context`).
   * @returns the RESPONSE or ERROR message to send back.
   */
  async handle(
    msg: peer.ChaincodeMessage,
    ctx: TransactionContext | undefined,
  ): Promise<peer.ChaincodeMessage> {
    const txId = msg.getTxid();
    const channelId = msg.getChannelId();
    try {
      if (!ctx) throw new ChaincodeRequestError('no ledger context');
      const payload = await this.serve(msg, ctx);
      return chaincodeMessage(MsgType.RESPONSE, { txId, channelId, ...(payload ? { payload } : {}) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const text = `${messageTypeName(msg.getType())} failed: transaction ID: ${txId}: ${reason}`;
      return chaincodeMessage(MsgType.ERROR, { txId, channelId, payload: Buffer.from(text, 'utf8') });
    }
  }

  /** Serves one request; returns the RESPONSE payload (possibly empty) or throws the ERROR reason. */
  private async serve(msg: peer.ChaincodeMessage, ctx: TransactionContext): Promise<Uint8Array | undefined> {
    const bytes = msg.getPayload_asU8();
    const { simulator: sim, namespace: ns } = ctx;
    switch (msg.getType()) {
      case MsgType.GET_STATE: {
        const req = unmarshal(() => peer.GetState.deserializeBinary(bytes));
        noPrivateData(ctx, req.getCollection());
        return sim.getState(ns, req.getKey());
      }
      case MsgType.GET_PRIVATE_DATA_HASH: {
        const req = unmarshal(() => peer.GetState.deserializeBinary(bytes));
        throw collectionNotFound(ctx, req.getCollection());
      }
      case MsgType.PUT_STATE: {
        const req = unmarshal(() => peer.PutState.deserializeBinary(bytes));
        noPrivateData(ctx, req.getCollection());
        sim.setState(ns, req.getKey(), req.getValue_asU8());
        return undefined;
      }
      case MsgType.DEL_STATE: {
        const req = unmarshal(() => peer.DelState.deserializeBinary(bytes));
        noPrivateData(ctx, req.getCollection());
        sim.deleteState(ns, req.getKey());
        return undefined;
      }
      case MsgType.PURGE_PRIVATE_DATA:
        // The emulated channels have the V2_0 application capability.
        throw new ChaincodeRequestError(
          'purge private data is not enabled, channel application capability of V2_5 or later is required',
        );
      case MsgType.GET_STATE_METADATA: {
        const req = unmarshal(() => peer.GetStateMetadata.deserializeBinary(bytes));
        noPrivateData(ctx, req.getCollection());
        const metadata = await sim.getStateMetadata(ns, req.getKey());
        const result = new peer.StateMetadataResult();
        // Fabric iterates a Go map (random order); sorted here so responses are deterministic.
        for (const metakey of Object.keys(metadata).sort()) {
          const entry = new peer.StateMetadata();
          entry.setMetakey(metakey);
          entry.setValue(metadata[metakey] ?? new Uint8Array());
          result.addEntries(entry);
        }
        return result.serializeBinary();
      }
      case MsgType.PUT_STATE_METADATA: {
        const req = unmarshal(() => peer.PutStateMetadata.deserializeBinary(bytes));
        const entry = req.getMetadata();
        if (!entry) throw new ChaincodeRequestError('unmarshal failed: PutStateMetadata carries no metadata');
        noPrivateData(ctx, req.getCollection());
        // Fabric replaces the key's metadata with this single entry.
        sim.setStateMetadata(ns, req.getKey(), { [entry.getMetakey()]: entry.getValue_asU8() });
        return undefined;
      }
      case MsgType.GET_STATE_BY_RANGE:
        return this.getStateByRange(bytes, ctx);
      case MsgType.QUERY_STATE_NEXT: {
        const req = unmarshal(() => peer.QueryStateNext.deserializeBinary(bytes));
        if (!ctx.queries.has(req.getId())) throw new ChaincodeRequestError('query iterator not found');
        const res = await ctx.queries.build(req.getId(), false, this.totalReturnLimit(undefined));
        return res.serializeBinary();
      }
      case MsgType.QUERY_STATE_CLOSE: {
        const req = unmarshal(() => peer.QueryStateClose.deserializeBinary(bytes));
        await ctx.queries.cleanup(req.getId());
        const res = new peer.QueryResponse();
        res.setHasMore(false);
        res.setId(req.getId());
        return res.serializeBinary();
      }
      case MsgType.GET_QUERY_RESULT: {
        const req = unmarshal(() => peer.GetQueryResult.deserializeBinary(bytes));
        const meta = queryMetadata(req.getMetadata_asU8());
        noPrivateData(ctx, req.getCollection());
        if (isPaginated(meta)) {
          return sim.executeQueryWithPagination();
        }
        return sim.executeQuery();
      }
      case MsgType.GET_HISTORY_FOR_KEY: {
        const req = unmarshal(() => peer.GetHistoryForKey.deserializeBinary(bytes));
        const id = this.newIteratorId();
        ctx.queries.initialize(id, sim.getHistoryForKey(ns, req.getKey()));
        const res = await ctx.queries.build(id, false, this.totalReturnLimit(undefined));
        return res.serializeBinary();
      }
      case MsgType.INVOKE_CHAINCODE: {
        const spec = unmarshal(() => peer.ChaincodeSpec.deserializeBinary(bytes));
        const target = spec.getChaincodeId()?.getName() ?? '';
        throw new ChaincodeRequestError(
          `chaincode-to-chaincode invocation (of ${target === '' ? 'an unnamed chaincode' : target}) is not supported by this network`,
        );
      }
      default:
        throw new ChaincodeRequestError(`${messageTypeName(msg.getType())} is not a ledger request`);
    }
  }

  private async getStateByRange(bytes: Uint8Array, ctx: TransactionContext): Promise<Uint8Array> {
    const req = unmarshal(() => peer.GetStateByRange.deserializeBinary(bytes));
    const meta = queryMetadata(req.getMetadata_asU8());
    const totalReturnLimit = this.totalReturnLimit(meta);
    const id = this.newIteratorId();
    noPrivateData(ctx, req.getCollection());
    const paginated = isPaginated(meta);
    const iter = paginated
      ? ctx.simulator.getStateRangeScanIteratorWithPagination(
          ctx.namespace,
          meta.getBookmark() !== '' ? meta.getBookmark() : req.getStartkey(),
          req.getEndkey(),
          meta.getPagesize(),
        )
      : ctx.simulator.getStateRangeScanIterator(ctx.namespace, req.getStartkey(), req.getEndkey());
    ctx.queries.initialize(id, iter);
    const res = await ctx.queries.build(id, paginated, totalReturnLimit);
    return res.serializeBinary();
  }
}
