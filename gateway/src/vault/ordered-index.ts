import { VaultError } from './errors.js';
import type { ReportMeta } from './types.js';
import { checkInstant, checkReportId, checkSubjectRef } from './validate.js';

/*
 * The listing index, as ordered string keys that both adapters store (LevelDB sublevels, a sorted
 * array in memory). A key is a tuple of parts joined by U+0000, which validated identifiers never
 * contain, so the tuple order is the key order:
 *
 *   byTime:    <createdAt> NUL <reportId>
 *   bySubject: <subjectRef> NUL <createdAt> NUL <reportId>
 *
 * `createdAt` is fixed-width ISO 8601, so text order is time order. A listing cursor is the
 * base64url of the last returned `<createdAt> NUL <reportId>`.
 */

const SEP = '\u0000';
const AFTER_SEP = '\u0001';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The two orderings kept for listings. */
export type IndexName = 'byTime' | 'bySubject';

/** One key in one index. */
export interface IndexEntry {
  readonly index: IndexName;
  readonly key: string;
}

/** Keys strictly after `gt` and, when given, strictly before `lt`, ascending. */
export interface IndexRange {
  readonly index: IndexName;
  readonly gt: string;
  readonly lt?: string;
}

function position(meta: Pick<ReportMeta, 'createdAt' | 'reportId'>): string {
  return meta.createdAt + SEP + meta.reportId;
}

/** The index keys of a report. */
export function indexEntries(meta: ReportMeta): IndexEntry[] {
  return [
    { index: 'byTime', key: position(meta) },
    { index: 'bySubject', key: meta.subjectRef + SEP + position(meta) },
  ];
}

/** The report id an index key points to. */
export function reportIdOf(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1);
}

/** The cursor that resumes a listing after the entry with index key `key`. */
export function cursorAfter(key: string): string {
  const parts = key.split(SEP);
  return Buffer.from(parts.slice(-2).join(SEP), 'utf8').toString('base64url');
}

function decodeCursor(cursor: unknown): string {
  const malformed = (): never => {
    throw new VaultError('INVALID_ARGUMENT', 'after must be a cursor returned by an earlier listing');
  };
  if (typeof cursor !== 'string' || cursor.length > 1024 || !BASE64URL.test(cursor)) return malformed();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [createdAt, reportId, ...rest] = text.split(SEP);
  try {
    checkInstant(createdAt, 'cursor');
    checkReportId(reportId);
  } catch {
    return malformed();
  }
  if (rest.length > 0) malformed();
  return text;
}

/** The index range of a listing query. */
export function rangeOf(query: { readonly subjectRef?: string; readonly after?: string }): IndexRange {
  const after = query.after === undefined ? undefined : decodeCursor(query.after);
  if (query.subjectRef === undefined) return { index: 'byTime', gt: after ?? '' };
  const subject = checkSubjectRef(query.subjectRef);
  return { index: 'bySubject', gt: subject + SEP + (after ?? ''), lt: subject + AFTER_SEP };
}
