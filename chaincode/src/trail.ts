import type { Audience } from './authz';
import { OrderedIndex, orderedKey, orderedRange } from './keys';
import type { Report, TrailEntry } from './model';
import { pageByRange, parseJson, type Page } from './query';
import type { Tx } from './tx';

export type TrailKind =
  'SUBMITTED' | 'CORRECTED' | 'SUPERSEDED' | 'ACCESS_GRANTED' | 'ACCESS_DENIED' | 'DELIVERED' | 'ERASED';

/** Appends an entry to a report's trail, ordered by transaction time then transaction id. */
export async function appendTrail(
  tx: Tx,
  reportId: string,
  kind: TrailKind,
  details: Partial<
    Pick<TrailEntry, 'receiptId' | 'relatedReportId' | 'purpose' | 'reason' | 'supervisory'>
  > = {},
): Promise<void> {
  const entry: TrailEntry = {
    reportId,
    kind,
    txId: tx.txId,
    timestamp: tx.at,
    actor: tx.actor(),
    receiptId: details.receiptId ?? null,
    relatedReportId: details.relatedReportId ?? null,
    purpose: details.purpose ?? null,
    reason: details.reason ?? null,
    supervisory: details.supervisory ?? false,
  };
  await tx.put(orderedKey(OrderedIndex.trail, reportId, tx.at, tx.txId), entry);
}

/**
 * A page of a report's trail. Regulators and the providing organisation see every entry; other
 * members see only the entries their own organisation caused.
 */
export async function pageTrail(
  tx: Tx,
  reportId: string,
  report: Report | undefined,
  audience: Audience,
  pageSize: number,
  bookmark: string,
): Promise<Page<TrailEntry>> {
  const { start, end } = orderedRange(OrderedIndex.trail, reportId);
  const seesAll = audience.kind === 'regulator' || report?.provider.mspId === audience.mspId;
  return pageByRange(tx, start, end, pageSize, bookmark, (_key, value) => {
    const entry = parseJson(value) as TrailEntry;
    return seesAll || entry.actor.mspId === audience.mspId ? entry : undefined;
  });
}
