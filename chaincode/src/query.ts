import type { Iterators } from 'fabric-shim-api';
import type { Tx } from './tx';

/** One page of a paginated query. */
export interface Page<T> {
  records: T[];
  /** Pass back to get the next page; empty when there are no more. */
  bookmark: string;
  fetchedCount: number;
}

async function drain<T>(
  iterator: Iterators.StateQueryIterator,
  map: (key: string, value: Uint8Array) => Promise<T | undefined> | T | undefined,
): Promise<T[]> {
  const out: T[] = [];
  try {
    for (;;) {
      const res = await iterator.next();
      const kv = res.value as Iterators.KV | undefined;
      if (kv) {
        const item = await map(kv.key, kv.value);
        if (item !== undefined) out.push(item);
      }
      if (res.done) break;
    }
  } finally {
    await iterator.close();
  }
  return out;
}

type PagingMetadata = { fetchedRecordsCount?: number; bookmark?: string };

/** Peers send no paging metadata when a query matched nothing; fabric-shim then leaves it undefined. */
function pageOf<T>(records: T[], metadata: PagingMetadata | undefined, pageSize: number): Page<T> {
  const fetchedCount = metadata?.fetchedRecordsCount ?? 0;
  return { records, bookmark: fetchedCount < pageSize ? '' : (metadata?.bookmark ?? ''), fetchedCount };
}

/** A page of records under a partial composite key, each mapped (and possibly dropped) by `map`. */
export async function pageByPartialKey<T>(
  tx: Tx,
  type: string,
  attributes: string[],
  pageSize: number,
  bookmark: string,
  map: (key: string, value: Uint8Array) => Promise<T | undefined> | T | undefined,
): Promise<Page<T>> {
  const { iterator, metadata } = await tx.stub.getStateByPartialCompositeKeyWithPagination(
    type,
    attributes,
    pageSize,
    bookmark,
  );
  const records = await drain(iterator, map);
  return pageOf(records, metadata as PagingMetadata | undefined, pageSize);
}

/** A page of a simple-key range `[start, end)`. */
export async function pageByRange<T>(
  tx: Tx,
  start: string,
  end: string,
  pageSize: number,
  bookmark: string,
  map: (key: string, value: Uint8Array) => Promise<T | undefined> | T | undefined,
): Promise<Page<T>> {
  const { iterator, metadata } = await tx.stub.getStateByRangeWithPagination(start, end, pageSize, bookmark);
  const records = await drain(iterator, map);
  return pageOf(records, metadata as PagingMetadata | undefined, pageSize);
}

/** Every entry of a simple-key range `[start, end)`, in key order. */
export async function scanRange<T>(
  tx: Tx,
  start: string,
  end: string,
  map: (key: string, value: Uint8Array) => Promise<T | undefined> | T | undefined,
): Promise<T[]> {
  const iterator = await tx.stub.getStateByRange(start, end);
  return drain(iterator, map);
}

/** Every entry under a partial composite key. */
export async function scanPartialKey<T>(
  tx: Tx,
  type: string,
  attributes: string[],
  map: (key: string, value: Uint8Array) => Promise<T | undefined> | T | undefined,
): Promise<T[]> {
  const iterator = await tx.stub.getStateByPartialCompositeKey(type, attributes);
  return drain(iterator, map);
}

/** Parses a JSON state value. */
export function parseJson(value: Uint8Array): unknown {
  return JSON.parse(Buffer.from(value).toString('utf8'));
}
