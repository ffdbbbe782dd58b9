/*
 * Store, then anchor: the one path by which a report (or a correction) enters the vault and the
 * ledger, safe to repeat with the same report id.
 *
 *   1. seal under a fresh data key, wrap the key to the organisation's own HPKE key, put it in the
 *      vault (so an anchor never exists without its payload);
 *   2. SubmitReport as the acting user; answer only after the commit.
 *
 * A repeat (the first attempt lost its answer: ledger unreachable, crash) finds the sealed report in
 * the vault, checks it holds the same plaintext, and either finds the anchor already committed or
 * submits it. A final ledger refusal crypto-shreds the unanchored payload, so no readable report
 * stays behind without an anchor.
 */
import { ciphertextHashOf, commitmentOf, sealReport, sizeBucketOf } from '../crypto/payload.js';
import { LedgerError } from '../ports/ledger-error.js';
import type { LedgerReport } from '../ports/ledger-records.js';
import type { ActiveReport } from '../vault/types.js';
import type { Caller, ServiceDeps } from './context.js';
import { ServiceError } from './errors.js';
import { vaultFailure } from './idempotency.js';
import { openStored, wrapToSelf } from './own-key.js';
import { anchorView, type SubmittedReportView } from './views.js';

/** Vault erasure reason of a payload whose anchoring the ledger refused; such tombstones are not listed. */
export const UNANCHORED_REASON = 'UNANCHORED';

/** What to store and anchor. */
export interface AnchorRequest {
  readonly reportId: string;
  readonly subjectRef: string;
  readonly category: string;
  readonly schemaVersion: string;
  /** Canonical report bytes. */
  readonly plaintext: Uint8Array;
  readonly eventEndDate?: string;
  readonly supersedes?: string;
}

/** Material of a sealed report as the ledger anchors it. */
interface Anchor {
  readonly ciphertextHash: string;
  readonly commitment: string;
  readonly sizeBucket: string;
}

async function vault<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw vaultFailure(err);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

async function sealAndStore(deps: ServiceDeps, req: AnchorRequest): Promise<Anchor> {
  const sealed = sealReport(req.plaintext);
  try {
    const report: ActiveReport = {
      reportId: req.reportId,
      subjectRef: req.subjectRef,
      category: req.category,
      schemaVersion: req.schemaVersion,
      createdAt: deps.clock.now().toISOString(),
      status: 'active',
      ciphertext: sealed.ciphertext,
      salt: sealed.salt,
      wrappedKey: await wrapToSelf(deps.keys, req.reportId, sealed.dataKey),
    };
    await vault(deps.vault.putReport(report));
  } finally {
    sealed.dataKey.fill(0);
  }
  return {
    ciphertextHash: sealed.ciphertextHash,
    commitment: sealed.commitment,
    sizeBucket: sealed.sizeBucket,
  };
}

async function resume(deps: ServiceDeps, req: AnchorRequest, stored: ActiveReport): Promise<Anchor> {
  const samePlace =
    stored.subjectRef === req.subjectRef &&
    stored.category === req.category &&
    stored.schemaVersion === req.schemaVersion;
  if (!samePlace || !sameBytes(await openStored(deps.keys, stored), req.plaintext))
    throw new ServiceError(
      'IDEMPOTENCY_CONFLICT',
      'the Idempotency-Key was already used for a different report',
    );
  return {
    ciphertextHash: ciphertextHashOf(stored.ciphertext),
    commitment: commitmentOf(stored.salt, req.plaintext),
    sizeBucket: sizeBucketOf(req.plaintext.byteLength),
  };
}

/** The committed anchor of `reportId` if it is exactly `anchor`, else undefined when there is none. */
async function committedAnchor(
  deps: ServiceDeps,
  caller: Caller,
  reportId: string,
  anchor: Anchor,
): Promise<LedgerReport | undefined> {
  let onLedger: LedgerReport;
  try {
    onLedger = await deps.ledger.getReport(caller.user, reportId);
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'REPORT_NOT_FOUND') return undefined;
    throw err;
  }
  if (onLedger.ciphertextHash !== anchor.ciphertextHash || onLedger.commitment !== anchor.commitment)
    throw new LedgerError(
      'REPORT_EXISTS',
      `REPORT_EXISTS: report ${reportId} is anchored with other contents`,
    );
  return onLedger;
}

async function recovered(
  deps: ServiceDeps,
  caller: Caller,
  report: LedgerReport,
): Promise<SubmittedReportView> {
  const status = await deps.ledger.commitStatus(caller.user, report.submitTx);
  return { txId: report.submitTx, block: status.blockNumber, report: anchorView(report) };
}

/**
 * Stores and anchors a report; see the module comment for the retry semantics.
 *
 * @throws {@link ServiceError} `IDEMPOTENCY_CONFLICT`, `REPORT_ERASED`, `KEY_UNAVAILABLE`,
 *   `VAULT_UNAVAILABLE`; {@link LedgerError} refusals and `LEDGER_UNAVAILABLE`
 */
export async function storeAndAnchor(
  deps: ServiceDeps,
  caller: Caller,
  req: AnchorRequest,
): Promise<SubmittedReportView> {
  const stored = await vault(deps.vault.getReport(req.reportId));
  if (stored?.status === 'erased')
    throw new ServiceError('REPORT_ERASED', `report ${req.reportId} was erased`);
  const anchor = stored ? await resume(deps, req, stored) : await sealAndStore(deps, req);
  if (stored) {
    const existing = await committedAnchor(deps, caller, req.reportId, anchor);
    if (existing) return recovered(deps, caller, existing);
  }
  try {
    const committed = await deps.ledger.submitReport(caller.user, {
      reportId: req.reportId,
      subjectRef: req.subjectRef,
      category: req.category,
      schemaVersion: req.schemaVersion,
      ...anchor,
      ...(req.eventEndDate === undefined ? {} : { eventEndDate: req.eventEndDate }),
      ...(req.supersedes === undefined ? {} : { supersedes: req.supersedes }),
    });
    return { txId: committed.txId, block: committed.blockNumber, report: anchorView(committed.value) };
  } catch (err) {
    if (!(err instanceof LedgerError) || err.retryable) throw err;
    if (err.code === 'REPORT_EXISTS') {
      const existing = await committedAnchor(deps, caller, req.reportId, anchor);
      if (existing) return recovered(deps, caller, existing);
    }
    await vault(
      deps.vault.eraseReport(req.reportId, {
        erasedAt: deps.clock.now().toISOString(),
        reason: UNANCHORED_REASON,
      }),
    );
    throw err;
  }
}
