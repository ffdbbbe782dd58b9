/**
 * The peer's query plumbing for chaincode iterators: per-transaction query contexts and a port of
 * Fabric 2.5's `QueryResponseGenerator.BuildQueryResponse` (core/chaincode/query_response_builder.go),
 * which cuts results into `peer.QueryResponse` batches that fabric-shim's iterators consume.
 */
import { peer } from '@hyperledger/fabric-protos';

/** A ledger results iterator yielding serialized `queryresult.KV` / `KeyModification` messages. */
export interface QueryResultsIterator {
  /** The next serialized result, or `null` when exhausted. */
  next(): Promise<Uint8Array | null>;
  /** `GetBookmarkAndClose`: the key a following page starts at (`''` when none), then closes. */
  bookmarkAndClose(): Promise<string>;
  /** Releases the underlying ledger iterator. Idempotent. */
  close(): Promise<void>;
}

/** `core.yaml` `ledger.state.totalQueryLimit`. */
export const DEFAULT_TOTAL_QUERY_LIMIT = 100_000;
/** `QueryResponseGenerator.MaxResultLimit`: results per batch (the shim's batch size). */
export const DEFAULT_MAX_RESULT_LIMIT = 100;

interface QueryContext {
  readonly iter: QueryResultsIterator;
  pending: Uint8Array[];
  totalReturnCount: number;
}

/** The open query iterators of one transaction (Fabric's `TransactionContext` query maps). */
export class QueryContexts {
  private readonly open = new Map<string, QueryContext>();

  /** @param maxResultLimit results per unpaginated batch (Fabric: 100). */
  constructor(private readonly maxResultLimit = DEFAULT_MAX_RESULT_LIMIT) {}

  /** `InitializeQueryContext`. */
  initialize(id: string, iter: QueryResultsIterator): void {
    this.open.set(id, { iter, pending: [], totalReturnCount: 0 });
  }

  /** Whether the iterator `id` is open. */
  has(id: string): boolean {
    return this.open.has(id);
  }

  /** `CleanupQueryContext`: closes and forgets iterator `id` (no-op when unknown). */
  async cleanup(id: string): Promise<void> {
    const ctx = this.open.get(id);
    if (!ctx) return;
    this.open.delete(id);
    await ctx.iter.close();
  }

  /** `CloseQueryIterators`: closes every open iterator (when the transaction completes). */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((ctx) => ctx.iter.close()));
  }

  /**
   * `BuildQueryResponse`: unpaginated queries are cut into batches of `maxResultLimit` with
   * `has_more`; paginated ones return a single batch with `QueryResponseMetadata` (fetched count
   * and bookmark). The iterator is cleaned up once its last batch is built. On a ledger error the
   * iterator is cleaned up and the error rethrown.
   */
  async build(id: string, isPaginated: boolean, totalReturnLimit: number): Promise<peer.QueryResponse> {
    const ctx = this.open.get(id);
    if (!ctx) throw new Error('query iterator not found');
    for (;;) {
      if (ctx.totalReturnCount >= totalReturnLimit) return this.finish(id, ctx, isPaginated);
      let result: Uint8Array | null;
      try {
        result = await ctx.iter.next();
      } catch (err) {
        await this.cleanup(id);
        throw err;
      }
      if (result === null) return this.finish(id, ctx, isPaginated);
      if (!isPaginated && ctx.pending.length === this.maxResultLimit) {
        const batch = ctx.pending;
        ctx.pending = [result];
        ctx.totalReturnCount++;
        return queryResponse(id, batch, true);
      }
      ctx.pending.push(result);
      ctx.totalReturnCount++;
    }
  }

  private async finish(id: string, ctx: QueryContext, isPaginated: boolean): Promise<peer.QueryResponse> {
    const batch = ctx.pending;
    ctx.pending = [];
    const res = queryResponse(id, batch, false);
    this.open.delete(id);
    if (isPaginated) {
      const meta = new peer.QueryResponseMetadata();
      meta.setFetchedRecordsCount(ctx.totalReturnCount);
      meta.setBookmark(await ctx.iter.bookmarkAndClose());
      res.setMetadata(meta.serializeBinary());
    } else {
      await ctx.iter.close();
    }
    return res;
  }
}

function queryResponse(id: string, batch: Uint8Array[], hasMore: boolean): peer.QueryResponse {
  const res = new peer.QueryResponse();
  res.setResultsList(
    batch.map((bytes) => {
      const qrb = new peer.QueryResultBytes();
      qrb.setResultbytes(bytes);
      return qrb;
    }),
  );
  res.setHasMore(hasMore);
  res.setId(id);
  return res;
}
