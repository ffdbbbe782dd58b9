/**
 * Peer-side query plumbing: ledger result iterators and a port of Fabric 2.5's
 * `QueryResponseGenerator.BuildQueryResponse` (core/chaincode/query_response_builder.go), which
 * batches results into `peer.QueryResponse` messages that fabric-shim's iterators consume.
 */
import { randomUUID } from 'node:crypto';
import { ledger, peer } from '@hyperledger/fabric-protos';
import type { HistoryEntry } from './ledger.js';
import { protoTimestamp } from './proposal.js';

/** A ledger results iterator yielding serialized `queryresult.KV` / `KeyModification` messages. */
export interface ResultsIterator {
  /** Next serialized result, or `null` when exhausted (or the page limit is reached). */
  next(): Uint8Array | null;
  /** Bookmark to resume from: the next unreturned key, `''` when none (paginated ranges only). */
  bookmark(): string;
}

/**
 * Range scan over a snapshot of committed keys, like stateleveldb's `kvScanner`.
 * @param namespace chaincode name stamped into each `KV`.
 * @param keys keys in byte order with their committed values.
 * @param limit page size; 0 = unlimited.
 */
export function rangeIterator(
  namespace: string,
  keys: ReadonlyArray<readonly [string, Buffer]>,
  limit = 0,
): ResultsIterator {
  let pos = 0;
  return {
    next() {
      if (limit > 0 && pos >= limit) return null;
      const item = keys[pos];
      if (!item) return null;
      pos++;
      const kv = new ledger.queryresult.KV();
      kv.setNamespace(namespace);
      kv.setKey(item[0]);
      kv.setValue(item[1]);
      return kv.serializeBinary();
    },
    bookmark: () => keys[pos]?.[0] ?? '',
  };
}

/**
 * History iterator, newest modification first (Fabric ≥ 2.0 order).
 * @param entries the key's history, oldest first as stored.
 */
export function historyIterator(entries: ReadonlyArray<HistoryEntry>): ResultsIterator {
  const newestFirst = [...entries].reverse();
  let pos = 0;
  return {
    next() {
      const h = newestFirst[pos++];
      if (!h) return null;
      const km = new ledger.queryresult.KeyModification();
      km.setTxId(h.txId);
      km.setValue(h.value);
      km.setTimestamp(protoTimestamp(h.timestamp.seconds, h.timestamp.nanos));
      km.setIsDelete(h.isDelete);
      return km.serializeBinary();
    },
    bookmark: () => '',
  };
}

interface QueryContext {
  readonly iter: ResultsIterator;
  pending: Uint8Array[];
  totalReturnCount: number;
}

/** The open query iterators of one transaction and the response batching rules of the peer. */
export class QueryContexts {
  private readonly open = new Map<string, QueryContext>();

  /**
   * @param maxResultLimit peer's shim batch size (`QueryResponseGenerator.MaxResultLimit`, 100).
   */
  constructor(private readonly maxResultLimit: number) {}

  /** Registers an iterator under a fresh UUID, as the peer does. */
  register(iter: ResultsIterator): string {
    const id = randomUUID();
    this.open.set(id, { iter, pending: [], totalReturnCount: 0 });
    return id;
  }

  has(id: string): boolean {
    return this.open.has(id);
  }

  close(id: string): void {
    this.open.delete(id);
  }

  closeAll(): void {
    this.open.clear();
  }

  /**
   * Port of `BuildQueryResponse`: unpaginated queries are cut into batches of `maxResultLimit`
   * with `has_more`; paginated ones return one batch with `QueryResponseMetadata`.
   */
  build(id: string, isPaginated: boolean, totalReturnLimit: number): peer.QueryResponse {
    const ctx = this.open.get(id);
    if (!ctx) throw new Error('query iterator not found');
    for (;;) {
      if (ctx.totalReturnCount >= totalReturnLimit) return this.finish(id, ctx, isPaginated);
      const result = ctx.iter.next();
      if (result === null) return this.finish(id, ctx, isPaginated);
      if (!isPaginated && ctx.pending.length === this.maxResultLimit) {
        const batch = ctx.pending;
        ctx.pending = [result];
        ctx.totalReturnCount++;
        return response(id, batch, true);
      }
      ctx.pending.push(result);
      ctx.totalReturnCount++;
    }
  }

  private finish(id: string, ctx: QueryContext, isPaginated: boolean): peer.QueryResponse {
    const batch = ctx.pending;
    ctx.pending = [];
    const res = response(id, batch, false);
    if (isPaginated) {
      const meta = new peer.QueryResponseMetadata();
      meta.setFetchedRecordsCount(ctx.totalReturnCount);
      meta.setBookmark(ctx.iter.bookmark());
      res.setMetadata(meta.serializeBinary());
    }
    this.open.delete(id);
    return res;
  }
}

function response(id: string, batch: Uint8Array[], hasMore: boolean): peer.QueryResponse {
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
