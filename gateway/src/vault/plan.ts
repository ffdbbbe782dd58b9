import { VaultError } from './errors.js';
import { sameReport } from './records.js';
import type { ActiveReport, ErasedReport, IdempotencyRecord, StoredReport, VaultOp } from './types.js';
import { checkActiveReport, checkErasure, checkIdempotencyRecord, checkReportId } from './validate.js';

/*
 * The semantics of every write, decided once for all adapters: the planner checks a batch of
 * operations against the current state (plus the effects of earlier operations of the batch) and
 * returns the writes to apply atomically, or throws without anything having been written.
 */

/** Maximum number of operations in one batch. */
export const MAX_BATCH = 1000;

/** A change an adapter must apply; a batch's writes are applied together, in order. */
export type VaultWrite =
  | { readonly kind: 'putReport'; readonly report: ActiveReport }
  | { readonly kind: 'eraseReport'; readonly tombstone: ErasedReport }
  | { readonly kind: 'putIdempotency'; readonly record: IdempotencyRecord };

/** Read access to the committed state. */
export interface VaultReader {
  report(reportId: string): Promise<StoredReport | undefined>;
  idempotency(key: string): Promise<IdempotencyRecord | undefined>;
}

/** The writes of a batch and the state they leave for every report and key they touch. */
export interface Plan {
  readonly writes: readonly VaultWrite[];
  readonly reports: ReadonlyMap<string, StoredReport>;
  readonly idempotency: ReadonlyMap<string, IdempotencyRecord>;
}

/** The state seen by the operations of one batch: committed state plus earlier operations. */
class Staging implements Plan {
  readonly writes: VaultWrite[] = [];
  readonly reports = new Map<string, StoredReport>();
  readonly idempotency = new Map<string, IdempotencyRecord>();

  constructor(readonly reader: VaultReader) {}

  async report(id: string): Promise<StoredReport | undefined> {
    return this.reports.get(id) ?? (await this.reader.report(id));
  }

  async record(key: string): Promise<IdempotencyRecord | undefined> {
    return this.idempotency.get(key) ?? (await this.reader.idempotency(key));
  }
}

async function putReport(staging: Staging, report: unknown): Promise<void> {
  const next = checkActiveReport(report);
  const { reportId } = next;
  const existing = await staging.report(reportId);
  if (existing?.status === 'erased')
    throw new VaultError('REPORT_ERASED', `report ${reportId} was erased`, { reportId });
  if (existing && !sameReport(existing, next))
    throw new VaultError('REPORT_EXISTS', `a different report ${reportId} is stored`, { reportId });
  if (existing) return;
  staging.reports.set(reportId, next);
  staging.writes.push({ kind: 'putReport', report: next });
}

async function eraseReport(staging: Staging, reportId: unknown, erasure: unknown): Promise<void> {
  const id = checkReportId(reportId);
  const valid = checkErasure(erasure, id);
  const existing = await staging.report(id);
  if (!existing) throw new VaultError('REPORT_NOT_FOUND', `no report ${id} is stored`, { reportId: id });
  if (existing.status === 'erased') {
    staging.reports.set(id, existing);
    return;
  }
  const { subjectRef, category, schemaVersion, createdAt } = existing;
  const tombstone: ErasedReport = {
    reportId: id,
    subjectRef,
    category,
    schemaVersion,
    createdAt,
    status: 'erased',
    ...valid,
  };
  staging.reports.set(id, tombstone);
  staging.writes.push({ kind: 'eraseReport', tombstone });
}

async function putIdempotency(staging: Staging, record: unknown): Promise<void> {
  const next = checkIdempotencyRecord(record);
  const existing = await staging.record(next.key);
  if (existing && existing.requestHash !== next.requestHash) throw conflict(next.key);
  staging.idempotency.set(next.key, existing ?? next);
  if (!existing) staging.writes.push({ kind: 'putIdempotency', record: next });
}

/**
 * Plans `ops` against `reader`.
 *
 * @param annotate - whether errors carry the failing operation's `opIndex` (true for `batch`)
 * @throws VaultError of the first operation that cannot be applied
 */
export async function planBatch(
  ops: readonly VaultOp[],
  reader: VaultReader,
  annotate: boolean,
): Promise<Plan> {
  if (!Array.isArray(ops) || ops.length > MAX_BATCH)
    throw new VaultError('INVALID_ARGUMENT', `ops must be an array of at most ${MAX_BATCH} operations`);
  const staging = new Staging(reader);
  for (const [opIndex, op] of ops.entries()) {
    const fields = (typeof op === 'object' && op !== null ? op : {}) as Readonly<Record<string, unknown>>;
    try {
      if (fields.type === 'putReport') await putReport(staging, fields.report);
      else if (fields.type === 'eraseReport') await eraseReport(staging, fields.reportId, fields.erasure);
      else if (fields.type === 'putIdempotency') await putIdempotency(staging, fields.record);
      else
        throw new VaultError('INVALID_ARGUMENT', 'op type must be putReport, eraseReport or putIdempotency');
    } catch (err) {
      throw annotate && err instanceof VaultError ? atOp(err, opIndex) : err;
    }
  }
  return staging;
}

/** The error for a key reused with another request. */
export function conflict(key: string): VaultError {
  return new VaultError('IDEMPOTENCY_CONFLICT', `idempotency key ${key} was used for another request`, {
    idempotencyKey: key,
  });
}

function atOp(err: VaultError, opIndex: number): VaultError {
  const details = {
    cause: err,
    opIndex,
    ...(err.reportId === undefined ? {} : { reportId: err.reportId }),
    ...(err.idempotencyKey === undefined ? {} : { idempotencyKey: err.idempotencyKey }),
  };
  return new VaultError(err.code, `batch op ${opIndex}: ${err.message}`, details);
}
