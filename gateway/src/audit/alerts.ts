/*
 * Misuse alerts, derived from access receipts only, each with the receipts that raised it:
 *
 * - BURST: at least `burst.requests` requests by one member institution on one subject within
 *   `burst.windowSeconds` (supervisory accesses excluded);
 * - REPEATED_DENIALS: at least `denials.count` denied requests by one member institution within
 *   `denials.windowSeconds`;
 * - PURPOSE_MISMATCH: a request whose purpose is not among the requester organisation's business
 *   purposes in the consortium configuration in force when it was committed;
 * - SUPERVISORY_ACCESS: every supervisory access, listed.
 *
 * A windowed alert covers a maximal run of receipts that each lie in some window meeting the
 * threshold, consecutive receipts of a run no more than one window apart.
 */
import { createHash } from 'node:crypto';
import type { Actor, AuditReceipt } from './model.js';
import { instantNanos } from './period.js';

/** Thresholds of the alerts (gateway configuration `audit.thresholds`). */
export interface AlertThresholds {
  readonly burst: { readonly requests: number; readonly windowSeconds: number };
  readonly denials: { readonly count: number; readonly windowSeconds: number };
  /** Whether PURPOSE_MISMATCH alerts are raised. */
  readonly purposeMismatch: boolean;
  /** Whether SUPERVISORY_ACCESS alerts are raised. */
  readonly supervisory: boolean;
}

/** Five requests on one subject within an hour; three denials within an hour. */
export const DEFAULT_THRESHOLDS: AlertThresholds = {
  burst: { requests: 5, windowSeconds: 3600 },
  denials: { count: 3, windowSeconds: 3600 },
  purposeMismatch: true,
  supervisory: true,
};

export type AlertKind = 'BURST' | 'REPEATED_DENIALS' | 'PURPOSE_MISMATCH' | 'SUPERVISORY_ACCESS';

export const ALERT_KINDS: readonly AlertKind[] = [
  'BURST',
  'REPEATED_DENIALS',
  'PURPOSE_MISMATCH',
  'SUPERVISORY_ACCESS',
];

/** A receipt as an alert cites it. */
export type AlertEvidence = {
  readonly receiptId: string;
  /** The transaction that wrote the receipt (the receipt id). */
  readonly txId: string;
  readonly block: number;
  readonly time: string;
  readonly requestId: string;
  readonly reportId: string;
  readonly subjectRef: string | null;
  readonly category: string | null;
  readonly purpose: string;
  readonly outcome: 'granted' | 'denied';
  readonly reason: string;
  readonly supervisory: boolean;
  readonly caseReference: string | null;
  readonly requester: Actor;
  readonly provider: { readonly mspId: string; readonly institution: string } | null;
  readonly delivered: boolean;
};

/** One alert. */
export type Alert = {
  /** Stable for the same kind and evidence. */
  readonly alertId: string;
  readonly kind: AlertKind;
  /** The member institution whose requests raised it. */
  readonly member: { readonly mspId: string; readonly institution: string | null };
  readonly subjectRef: string | null;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly count: number;
  readonly threshold: { readonly count: number; readonly windowSeconds: number } | null;
  readonly detail: string;
  readonly evidence: readonly AlertEvidence[];
};

function evidenceOf(r: AuditReceipt): AlertEvidence {
  return {
    receiptId: r.receiptId,
    txId: r.receiptId,
    block: r.block,
    time: r.requestedAt,
    requestId: r.requestId,
    reportId: r.reportId,
    subjectRef: r.subjectRef,
    category: r.category,
    purpose: r.purpose,
    outcome: r.outcome,
    reason: r.reason,
    supervisory: r.supervisory,
    caseReference: r.caseReference,
    requester: r.requester,
    provider: r.provider,
    delivered: r.delivery !== null,
  };
}

function alert(
  kind: AlertKind,
  receipts: readonly AuditReceipt[],
  fields: Pick<Alert, 'subjectRef' | 'threshold' | 'detail'>,
): Alert {
  const first = receipts[0];
  const last = receipts.at(-1);
  if (!first || !last) throw new RangeError('an alert needs evidence');
  const alertId = createHash('sha256')
    .update(`${kind}\u0000${receipts.map((r) => r.receiptId).join(',')}`)
    .digest('hex')
    .slice(0, 32);
  return {
    alertId,
    kind,
    member: { mspId: first.requester.mspId, institution: first.requester.institution },
    firstAt: first.requestedAt,
    lastAt: last.requestedAt,
    count: receipts.length,
    ...fields,
    evidence: receipts.map(evidenceOf),
  };
}

const byTime = (a: AuditReceipt, b: AuditReceipt): number =>
  a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : a.receiptId < b.receiptId ? -1 : 1;

function groupBy(receipts: readonly AuditReceipt[], key: (r: AuditReceipt) => string): AuditReceipt[][] {
  const groups = new Map<string, AuditReceipt[]>();
  for (const r of receipts) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].map((g) => g.sort(byTime));
}

/** The runs of `sorted` receipts lying in windows of `windowSeconds` that hold at least `count` of them. */
export function windowRuns(
  sorted: readonly AuditReceipt[],
  count: number,
  windowSeconds: number,
): AuditReceipt[][] {
  const window = BigInt(windowSeconds) * 1_000_000_000n;
  const t = sorted.map((r) => instantNanos(r.requestedAt));
  const marked = new Array<boolean>(sorted.length).fill(false);
  let start = 0;
  let markedTo = -1;
  for (let j = 0; j < sorted.length; j++) {
    while ((t[j] ?? 0n) - (t[start] ?? 0n) > window) start++;
    if (j - start + 1 >= count) {
      for (let k = Math.max(start, markedTo + 1); k <= j; k++) marked[k] = true;
      markedTo = j;
    }
  }
  const runs: AuditReceipt[][] = [];
  let run: AuditReceipt[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i];
    if (!r) continue;
    const continues = marked[i] === true && run.length > 0 && (t[i] ?? 0n) - (t[i - 1] ?? 0n) <= window;
    if (!continues && run.length > 0) {
      runs.push(run);
      run = [];
    }
    if (marked[i] === true) run.push(r);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const memberKey = (r: AuditReceipt): string => `${r.requester.mspId}\u0000${r.requester.institution ?? ''}`;

/** The alerts `receipts` raise under `thresholds`, oldest first. */
export function detectAlerts(receipts: readonly AuditReceipt[], thresholds: AlertThresholds): Alert[] {
  const alerts: Alert[] = [];
  const { burst, denials } = thresholds;
  const requests = receipts.filter((r) => !r.supervisory && r.subjectRef !== null);
  for (const group of groupBy(requests, (r) => `${memberKey(r)}\u0000${r.subjectRef ?? ''}`))
    for (const run of windowRuns(group, burst.requests, burst.windowSeconds))
      alerts.push(
        alert('BURST', run, {
          subjectRef: run[0]?.subjectRef ?? null,
          threshold: { count: burst.requests, windowSeconds: burst.windowSeconds },
          detail: `${run.length} requests on one subject by one member within windows of ${burst.windowSeconds} s`,
        }),
      );
  const denied = receipts.filter((r) => r.outcome === 'denied');
  for (const group of groupBy(denied, memberKey))
    for (const run of windowRuns(group, denials.count, denials.windowSeconds))
      alerts.push(
        alert('REPEATED_DENIALS', run, {
          subjectRef: null,
          threshold: { count: denials.count, windowSeconds: denials.windowSeconds },
          detail: `${run.length} denied requests by one member within windows of ${denials.windowSeconds} s`,
        }),
      );
  if (thresholds.purposeMismatch)
    for (const r of receipts.filter((x) => x.purposeOutsideBusiness))
      alerts.push(
        alert('PURPOSE_MISMATCH', [r], {
          subjectRef: r.subjectRef,
          threshold: null,
          detail: `purpose ${r.purpose} is not among ${r.requester.mspId}'s business purposes`,
        }),
      );
  if (thresholds.supervisory)
    for (const r of receipts.filter((x) => x.supervisory))
      alerts.push(
        alert('SUPERVISORY_ACCESS', [r], {
          subjectRef: r.subjectRef,
          threshold: null,
          detail: `supervisory access for ${r.purpose}`,
        }),
      );
  return alerts.sort((a, b) =>
    a.firstAt < b.firstAt
      ? -1
      : a.firstAt > b.firstAt
        ? 1
        : a.alertId < b.alertId
          ? -1
          : a.alertId > b.alertId
            ? 1
            : 0,
  );
}
