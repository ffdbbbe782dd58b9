/*
 * The audit service: trails, usage statements and misuse alerts from the read model.
 *
 * Who sees what is decided here, before anything is read: a caller with role `regulator` sees
 * everything, and only at a gateway whose own organisation is a regulator of the consortium (per
 * the configuration on the ledger); a caller with role `member` sees only what concerns this
 * gateway's organisation — entries and receipts where it is the provider, the requester, the
 * grantee or the actor — read from its own index partitions or filtered entry by entry; any other
 * role sees nothing.
 */
import { pseudonymOf } from '../services/report-input.js';
import type { Caller } from '../services/context.js';
import { ALERT_KINDS, detectAlerts, type Alert, type AlertKind, type AlertThresholds } from './alerts.js';
import type { AuditStore, EntryIndex, ScanRequest } from './audit-store.js';
import { AuditError } from './errors.js';
import type { ListenerStatus } from './listener.js';
import type {
  AuditCounts,
  AuditEntry,
  AuditPage,
  AuditReceipt,
  IntegrityAlarm,
  ReadModelView,
} from './model.js';
import { dayPeriod, period } from './period.js';
import { reportProvenance, type ReportProvenance } from './report-provenance.js';
import { usageStatement, type UsageStatement } from './usage.js';
import { entryMsps, institutionPartition, receiptConcerns } from './visibility.js';

/** Dependencies of {@link AuditService}. */
export interface AuditServiceDeps {
  readonly store: AuditStore;
  /** This gateway's organisation. */
  readonly mspId: string;
  /** The consortium subject key, to map a USCC to its pseudonym. Secret. */
  readonly subjectKey: Uint8Array;
  readonly thresholds: AlertThresholds;
  /** The block listener, when this process runs one. */
  readonly listener?: { status(): ListenerStatus };
  /** The chaincode whose transactions provenance bundles hold (default `credit`, as the listener's). */
  readonly chaincode?: string;
}

/** How much the caller may see. */
export type AuditAudience =
  { readonly kind: 'regulator' } | { readonly kind: 'member'; readonly mspId: string };

/** Paging and period of a trail query. */
export interface TrailQuery {
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly after?: string;
}

/** A subject, by USCC (mapped here to its pseudonym, never stored) or by pseudonym. */
export type SubjectQuery = { readonly uscc: string } | { readonly subjectRef: string };

/** The read model's status. */
export type AuditStatusView = {
  readonly listener: ListenerStatus['state'] | 'absent';
  readonly lastError: string | null;
  readonly nextBlock: number;
  readonly lastBlockHash: string | null;
  readonly alarm: IntegrityAlarm | null;
  /** Members get the channel-level counts only (what their own peer holds), not entries or receipts. */
  readonly counts: AuditCounts | Pick<AuditCounts, 'blocks' | 'transactions' | 'invalidTransactions'>;
};

/** The trail of a subject, with the pseudonym it was looked up under. */
export type SubjectTrail = AuditPage<AuditEntry> & { readonly subjectRef: string };

/** A usage statement with the read model's progress. */
export type UsageView = UsageStatement & { readonly readModel: ReadModelView };

/** Alerts of a period. */
export type AlertQuery = TrailQuery & { readonly kind?: AlertKind };

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 100;
/** Longest period of a usage statement or an alert query, in days. */
export const MAX_PERIOD_DAYS = 366;

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INSTITUTION = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new AuditError('INVALID_REQUEST', `limit must be 1 to ${MAX_LIMIT}`);
  return limit;
}

function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor))
    throw new AuditError('INVALID_CURSOR', 'the cursor is malformed');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new AuditError('INVALID_REQUEST', what);
}

/** Trails, usage statements and alerts for regulators and, restricted, for members. */
export class AuditService {
  readonly #d: AuditServiceDeps;

  constructor(deps: AuditServiceDeps) {
    this.#d = deps;
  }

  /**
   * What `caller` may see.
   *
   * @throws {@link AuditError} `AUDIT_FORBIDDEN` for other roles, or the regulator role at a gateway
   *   whose organisation is not a regulator; `AUDIT_UNAVAILABLE` before the consortium configuration
   *   is indexed
   */
  async audience(caller: Caller): Promise<AuditAudience> {
    if (caller.role === 'member') return { kind: 'member', mspId: this.#d.mspId };
    if (caller.role !== 'regulator')
      throw new AuditError('AUDIT_FORBIDDEN', `the ${caller.role} role has no audit view`);
    const config = await this.#d.store.config();
    if (!config)
      throw new AuditError('AUDIT_UNAVAILABLE', 'the consortium configuration has not been indexed yet');
    const org = config.organisations.find((o) => o.mspId === this.#d.mspId);
    if (org?.kind !== 'regulator')
      throw new AuditError(
        'AUDIT_FORBIDDEN',
        `${this.#d.mspId} is not a regulator organisation of the consortium`,
      );
    return { kind: 'regulator' };
  }

  /** The read model's progress, counts and alarm. */
  async status(caller: Caller): Promise<AuditStatusView> {
    const audience = await this.audience(caller);
    const status = await this.#status();
    if (audience.kind === 'regulator') return status;
    const { blocks, transactions, invalidTransactions } = status.counts;
    return { ...status, counts: { blocks, transactions, invalidTransactions } };
  }

  /**
   * Readiness without authentication: no integrity alarm, and the listener (when this process runs
   * one) is following the ledger.
   *
   * @throws {@link AuditError} `AUDIT_INTEGRITY_ALARM`; `AUDIT_UNAVAILABLE` while the listener is
   *   connecting (peer unreachable) or after it stopped
   */
  async readiness(): Promise<{ status: 'ready'; nextBlock: number }> {
    const s = await this.#status();
    if (s.alarm)
      throw new AuditError(
        'AUDIT_INTEGRITY_ALARM',
        `block ${s.alarm.block} failed verification (${s.alarm.code}); indexing stopped`,
      );
    if (s.listener !== 'following' && s.listener !== 'absent')
      throw new AuditError('AUDIT_UNAVAILABLE', `the audit block listener is ${s.listener}`);
    return { status: 'ready', nextBlock: s.nextBlock };
  }

  async #status(): Promise<AuditStatusView> {
    const state = await this.#d.store.state();
    const listener = this.#d.listener?.status();
    return {
      listener: listener?.state ?? 'absent',
      lastError: listener?.lastError ?? null,
      nextBlock: state.nextBlock,
      lastBlockHash: state.lastBlockHash,
      alarm: state.alarm,
      counts: state.counts,
    };
  }

  async #view(): Promise<ReadModelView> {
    const state = await this.#d.store.state();
    return { nextBlock: state.nextBlock, alarm: state.alarm };
  }

  async #page(
    index: EntryIndex,
    partition: string,
    query: TrailQuery,
    accept?: (entry: AuditEntry) => boolean,
  ): Promise<AuditPage<AuditEntry>> {
    const { from, to } = period(query.from, query.to);
    const after = decodeCursor(query.after);
    const request: ScanRequest = {
      partition,
      from,
      to,
      limit: limitOf(query.limit),
      ...(after === undefined ? {} : { after }),
    };
    const page = await this.#d.store.scanEntries(index, request, accept);
    return {
      items: page.items,
      next: page.lastKey === null ? null : encodeCursor(page.lastKey),
      readModel: await this.#view(),
    };
  }

  /** Only the entries a member's organisation is involved in. */
  #filter(audience: AuditAudience): ((entry: AuditEntry) => boolean) | undefined {
    if (audience.kind === 'regulator') return undefined;
    return (entry) => entryMsps(entry).has(audience.mspId);
  }

  /** The trail of a report: submission, corrections, receipts granted and denied, deliveries, erasure. */
  async reportTrail(
    caller: Caller,
    reportId: string,
    query: TrailQuery = {},
  ): Promise<AuditPage<AuditEntry>> {
    check(REPORT_ID.test(reportId), 'reportId is malformed');
    const audience = await this.audience(caller);
    return this.#page('report', reportId, query, this.#filter(audience));
  }

  /**
   * The trail of a subject: its reports' entries, the requests for them and the consents it gave.
   *
   * @throws {@link ServiceError} `INVALID_USCC`
   */
  async subjectTrail(caller: Caller, subject: SubjectQuery, query: TrailQuery = {}): Promise<SubjectTrail> {
    const audience = await this.audience(caller);
    const subjectRef = 'uscc' in subject ? pseudonymOf(subject.uscc, this.#d.subjectKey) : subject.subjectRef;
    check(HEX64.test(subjectRef), 'subjectRef must be 64 lower-case hex characters');
    return { subjectRef, ...(await this.#page('subject', subjectRef, query, this.#filter(audience))) };
  }

  /** The trail of a member organisation, or of one of its institutions. */
  async memberTrail(
    caller: Caller,
    mspId: string,
    query: TrailQuery & { readonly institution?: string } = {},
  ): Promise<AuditPage<AuditEntry>> {
    check(MSP_ID.test(mspId), 'mspId is malformed');
    if (query.institution !== undefined)
      check(INSTITUTION.test(query.institution), 'institution is malformed');
    const audience = await this.audience(caller);
    if (audience.kind === 'member' && audience.mspId !== mspId)
      throw new AuditError('AUDIT_FORBIDDEN', "members see their own organisation's trail only");
    return query.institution === undefined
      ? this.#page('member', mspId, query)
      : this.#page('institution', institutionPartition(mspId, query.institution), query);
  }

  /** Every entry of a period (members: every entry that concerns their organisation). */
  async periodTrail(caller: Caller, query: TrailQuery = {}): Promise<AuditPage<AuditEntry>> {
    const audience = await this.audience(caller);
    return audience.kind === 'regulator'
      ? this.#page('time', '', query)
      : this.#page('member', audience.mspId, query);
  }

  /**
   * The provenance bundle of a report, built from the read model's trail entries and the verified
   * blocks it stored: for regulators every transaction of the trail; for a member only a report it
   * provides or requested, with the transactions its audit trail shows it.
   *
   * @throws {@link AuditError} `REPORT_NOT_FOUND` (also for a report the member is not involved
   *   in), `AUDIT_UNAVAILABLE`, `AUDIT_FORBIDDEN`
   */
  async provenance(caller: Caller, reportId: string): Promise<ReportProvenance> {
    check(REPORT_ID.test(reportId), 'reportId is malformed');
    const audience = await this.audience(caller);
    return reportProvenance(this.#d.store, this.#d.chaincode ?? 'credit', audience, reportId);
  }

  /** A member's usage statement for `[from, to)` (days, at most 366). */
  async usage(caller: Caller, mspId: string, from?: string, to?: string): Promise<UsageView> {
    check(MSP_ID.test(mspId), 'mspId is malformed');
    const p = dayPeriod(from, to, MAX_PERIOD_DAYS);
    const audience = await this.audience(caller);
    if (audience.kind === 'member' && audience.mspId !== mspId)
      throw new AuditError('AUDIT_FORBIDDEN', "members get their own organisation's statement only");
    const store = this.#d.store;
    const [asRequester, asProvider] = await Promise.all([
      store.receiptsIn('requester', mspId, p.from, p.to),
      store.receiptsIn('provider', mspId, p.from, p.to),
    ]);
    return { ...usageStatement(mspId, p.from, p.to, asRequester, asProvider), readModel: await this.#view() };
  }

  /** The receipts of a period the audience may see. */
  async #receipts(audience: AuditAudience, from: string, to: string): Promise<AuditReceipt[]> {
    const store = this.#d.store;
    if (audience.kind === 'regulator') return store.receiptsIn('time', '', from, to);
    const [asRequester, asProvider] = await Promise.all([
      store.receiptsIn('requester', audience.mspId, from, to),
      store.receiptsIn('provider', audience.mspId, from, to),
    ]);
    const seen = new Set<string>();
    return [...asRequester, ...asProvider].filter((r) => {
      if (seen.has(r.receiptId) || !receiptConcerns(r, audience.mspId)) return false;
      seen.add(r.receiptId);
      return true;
    });
  }

  /** Misuse alerts of `[from, to)` (days, at most 366) with their evidence, oldest first. */
  async alerts(caller: Caller, query: AlertQuery): Promise<AuditPage<Alert>> {
    const p = dayPeriod(query.from, query.to, MAX_PERIOD_DAYS);
    if (query.kind !== undefined) check(ALERT_KINDS.includes(query.kind), 'kind is not an alert kind');
    const limit = limitOf(query.limit);
    const after = decodeCursor(query.after);
    const audience = await this.audience(caller);
    const all = detectAlerts(await this.#receipts(audience, p.from, p.to), this.#d.thresholds).filter(
      (a) => query.kind === undefined || a.kind === query.kind,
    );
    const position = (a: Alert): string => `${a.firstAt}\u0000${a.alertId}`;
    const rest = after === undefined ? all : all.filter((a) => position(a) > after);
    const items = rest.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      next: rest.length > limit && last ? encodeCursor(position(last)) : null,
      readModel: await this.#view(),
    };
  }
}
