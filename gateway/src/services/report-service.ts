import { ERASURE_REASONS } from '../../../chaincode/src/validate.js';
import { verifyAnchor, type SizeBucket } from '../crypto/payload.js';
import { LedgerError } from '../ports/ledger-error.js';
import type { LedgerReport } from '../ports/ledger-records.js';
import type { ActiveReport, ReportSummary } from '../vault/types.js';
import { storeAndAnchor, UNANCHORED_REASON } from './anchoring.js';
import type { Caller, ServiceDeps } from './context.js';
import { ServiceError } from './errors.js';
import type { IdempotentOutcome } from './idempotency.js';
import { vaultFailure } from './idempotency.js';
import { openStored } from './own-key.js';
import { reportIdFor } from './report-ids.js';
import { canonicalReport, checkEventEndDate, pseudonymOf } from './report-input.js';
import {
  anchorView,
  type ErasedReportView,
  type ReportContentView,
  type ReportListView,
  type ReportSummaryView,
  type SubmittedReportView,
} from './views.js';

/** The contract's erasure reasons, from the contract's own validator. */
export { ERASURE_REASONS };

/** A new report. */
export interface SubmitReportInput {
  readonly category: string;
  readonly schemaVersion: string;
  /** The subject's Unified Social Credit Code; turned into its pseudonym, never stored or sent. */
  readonly uscc: string;
  /** The report, a JSON value conforming to the category's schema. */
  readonly payload: unknown;
  /** `YYYY-MM-DD` on which the reported event ended (adverse categories). */
  readonly eventEndDate?: string;
}

/** A correction of an earlier report: same subject and category, new contents. */
export interface CorrectReportInput {
  readonly schemaVersion: string;
  readonly payload: unknown;
  readonly eventEndDate?: string;
}

/** Which of the organisation's reports to list. */
export interface ListReportsInput {
  readonly subjectRef?: string;
  /** 1 to 100; default 50. */
  readonly limit?: number;
  readonly after?: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

async function fromVault<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw vaultFailure(err);
  }
}

function summaryView(s: ReportSummary): ReportSummaryView {
  return {
    reportId: s.reportId,
    subjectRef: s.subjectRef,
    category: s.category,
    schemaVersion: s.schemaVersion,
    createdAt: s.createdAt,
    status: s.status,
    erasedAt: s.status === 'erased' ? s.erasedAt : null,
    erasureReason: s.status === 'erased' ? s.reason : null,
  };
}

/**
 * The organisation's own reports: submit, correct, erase, read back and list.
 *
 * Every state change runs under an idempotency key of the caller and is signed on the ledger by the
 * caller's own identity. Report contents exist in clear only in memory, between the request and
 * the vault; the vault holds ciphertext, salt and the data key wrapped to the organisation's key.
 */
export class ReportService {
  readonly #deps: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Validates, seals, stores and anchors a new report; answers after the commit.
   *
   * @throws {@link ServiceError} `INVALID_USCC`, `UNKNOWN_CATEGORY`, `UNKNOWN_SCHEMA_VERSION`,
   *   `SCHEMA_VIOLATION`, `PAYLOAD_TOO_LARGE`, `INVALID_REQUEST`, `IDEMPOTENCY_*`;
   *   {@link LedgerError} refusals and `LEDGER_UNAVAILABLE`
   */
  async submit(
    caller: Caller,
    input: SubmitReportInput,
    idempotencyKey: string | undefined,
  ): Promise<IdempotentOutcome<SubmittedReportView>> {
    const d = this.#deps;
    const subjectRef = pseudonymOf(input.uscc, d.subjectKey);
    const plaintext = canonicalReport(
      d.catalogue,
      input.category,
      input.schemaVersion,
      input.payload,
      d.limits.maxReportBytes,
    );
    const eventEndDate = checkEventEndDate(input.eventEndDate);
    return d.idempotency.run(
      {
        user: caller.user,
        key: idempotencyKey,
        fingerprint: {
          op: 'submitReport',
          subjectRef,
          category: input.category,
          schemaVersion: input.schemaVersion,
          payload: Buffer.from(plaintext).toString('base64'),
          eventEndDate: eventEndDate ?? null,
        },
      },
      async (scoped) => ({
        status: 201,
        body: await storeAndAnchor(d, caller, {
          reportId: reportIdFor(d.mspId, scoped),
          subjectRef,
          category: input.category,
          schemaVersion: input.schemaVersion,
          plaintext,
          ...(eventEndDate === undefined ? {} : { eventEndDate }),
        }),
      }),
    );
  }

  /**
   * Submits a correction superseding `reportId` (same subject and category).
   *
   * @throws {@link ServiceError} `REPORT_NOT_FOUND` (not a report of this gateway), `REPORT_ERASED`,
   *   the validation codes of {@link ReportService.submit}; {@link LedgerError} `REPORT_SUPERSEDED`,
   *   `NOT_PROVIDER`, ...
   */
  async correct(
    caller: Caller,
    reportId: string,
    input: CorrectReportInput,
    idempotencyKey: string | undefined,
  ): Promise<IdempotentOutcome<SubmittedReportView>> {
    const d = this.#deps;
    return d.idempotency.run(
      {
        user: caller.user,
        key: idempotencyKey,
        fingerprint: {
          op: 'correctReport',
          supersedes: reportId,
          schemaVersion: input.schemaVersion,
          payload: input.payload,
          eventEndDate: input.eventEndDate ?? null,
        },
      },
      async (scoped) => {
        const original = await this.#stored(reportId);
        const plaintext = canonicalReport(
          d.catalogue,
          original.category,
          input.schemaVersion,
          input.payload,
          d.limits.maxReportBytes,
        );
        const eventEndDate = checkEventEndDate(input.eventEndDate);
        return {
          status: 201,
          body: await storeAndAnchor(d, caller, {
            reportId: reportIdFor(d.mspId, scoped),
            subjectRef: original.subjectRef,
            category: original.category,
            schemaVersion: input.schemaVersion,
            plaintext,
            supersedes: reportId,
            ...(eventEndDate === undefined ? {} : { eventEndDate }),
          }),
        };
      },
    );
  }

  /**
   * Erases a report: `EraseReport` on the ledger first (so a refusal destroys nothing), then
   * crypto-shreds it in the vault. Completes an erasure whose vault step failed earlier.
   *
   * @param reason - one of {@link ERASURE_REASONS}
   * @throws {@link ServiceError} `INVALID_REQUEST`, `REPORT_NOT_FOUND`; {@link LedgerError} `NOT_PROVIDER`, ...
   */
  async erase(
    caller: Caller,
    reportId: string,
    reason: string,
    idempotencyKey: string | undefined,
  ): Promise<IdempotentOutcome<ErasedReportView>> {
    const d = this.#deps;
    if (!(ERASURE_REASONS as readonly string[]).includes(reason))
      throw new ServiceError('INVALID_REQUEST', `reason must be one of ${ERASURE_REASONS.join(', ')}`);
    return d.idempotency.run(
      { user: caller.user, key: idempotencyKey, fingerprint: { op: 'eraseReport', reportId, reason } },
      async () => {
        await this.#stored(reportId);
        const { report, txId, block } = await this.#eraseOnLedger(caller, reportId, reason);
        await fromVault(d.vault.eraseReport(reportId, { erasedAt: d.clock.now().toISOString(), reason }));
        return { status: 200, body: { txId, block, report: anchorView(report) } };
      },
    );
  }

  /**
   * The decrypted contents of one of this organisation's reports, with its ledger anchor, after
   * checking that the stored ciphertext and plaintext match the anchor.
   *
   * @throws {@link ServiceError} `REPORT_NOT_FOUND`, `REPORT_ERASED`, `INTEGRITY_FAILURE`,
   *   `KEY_UNAVAILABLE`; {@link LedgerError} `LEDGER_UNAVAILABLE`
   */
  async get(caller: Caller, reportId: string): Promise<ReportContentView> {
    const stored = await this.#stored(reportId);
    let anchor: LedgerReport;
    try {
      anchor = await this.#deps.ledger.getReport(caller.user, reportId);
    } catch (err) {
      if (err instanceof LedgerError && err.code === 'REPORT_NOT_FOUND')
        throw new ServiceError('REPORT_NOT_FOUND', `report ${reportId} is not anchored yet`);
      throw err;
    }
    const plaintext = await openStored(this.#deps.keys, stored);
    const check = verifyAnchor(
      { ciphertext: stored.ciphertext, salt: stored.salt, plaintext },
      {
        ciphertextHash: anchor.ciphertextHash,
        commitment: anchor.commitment,
        sizeBucket: anchor.sizeBucket as SizeBucket,
      },
    );
    if (!check.ok)
      throw new ServiceError(
        'INTEGRITY_FAILURE',
        `report ${reportId} does not match its anchor (${check.failed.join(', ')})`,
      );
    return {
      reportId,
      category: stored.category,
      schemaVersion: stored.schemaVersion,
      subjectRef: stored.subjectRef,
      payload: JSON.parse(decoder.decode(plaintext)) as unknown,
      anchor: anchorView(anchor),
    };
  }

  /**
   * One page of this organisation's reports (no contents), oldest first; erased ones as tombstones.
   *
   * @throws {@link ServiceError} `INVALID_REQUEST` for a bad limit or cursor
   */
  async list(_caller: Caller, input: ListReportsInput): Promise<ReportListView> {
    const limit = input.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new ServiceError('INVALID_REQUEST', 'limit must be an integer from 1 to 100');
    let page;
    try {
      page = await this.#deps.vault.listReports({
        limit,
        ...(input.subjectRef === undefined ? {} : { subjectRef: input.subjectRef }),
        ...(input.after === undefined ? {} : { after: input.after }),
      });
    } catch (err) {
      const mapped = vaultFailure(err);
      if (mapped === err)
        throw new ServiceError('INVALID_REQUEST', 'subjectRef or cursor is malformed', { cause: err });
      throw mapped;
    }
    const items = page.items
      .filter((s) => !(s.status === 'erased' && s.reason === UNANCHORED_REASON))
      .map(summaryView);
    return { items, next: page.next ?? null };
  }

  async #stored(reportId: string): Promise<ActiveReport> {
    let stored;
    try {
      stored = await this.#deps.vault.getReport(reportId);
    } catch (err) {
      const mapped = vaultFailure(err);
      if (mapped === err)
        throw new ServiceError('REPORT_NOT_FOUND', `this gateway holds no report ${reportId}`, {
          cause: err,
        });
      throw mapped;
    }
    if (!stored || (stored.status === 'erased' && stored.reason === UNANCHORED_REASON))
      throw new ServiceError('REPORT_NOT_FOUND', `this gateway holds no report ${reportId}`);
    if (stored.status === 'erased') throw new ServiceError('REPORT_ERASED', `report ${reportId} was erased`);
    return stored;
  }

  async #eraseOnLedger(
    caller: Caller,
    reportId: string,
    reason: string,
  ): Promise<{ report: LedgerReport; txId: string; block: number }> {
    const { ledger } = this.#deps;
    try {
      const committed = await ledger.eraseReport(caller.user, reportId, reason);
      return { report: committed.value, txId: committed.txId, block: committed.blockNumber };
    } catch (err) {
      if (!(err instanceof LedgerError) || err.code !== 'REPORT_ERASED') throw err;
      // Erased on the ledger by an earlier attempt whose vault step did not complete.
      const report = await ledger.getReport(caller.user, reportId);
      if (!report.erasure) throw err;
      const status = await ledger.commitStatus(caller.user, report.erasure.tx);
      return { report, txId: report.erasure.tx, block: status.blockNumber };
    }
  }
}
