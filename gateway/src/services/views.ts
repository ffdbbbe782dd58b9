/*
 * What the services answer: plain JSON (type aliases, so they are JsonValues and can be stored as
 * idempotent answers). Never report contents except in `ReportContentView.payload`, never a USCC.
 */
import type { LedgerConsent, LedgerReport } from '../ports/ledger-records.js';

/** Where a transaction was committed. */
export type TxView = {
  readonly txId: string;
  readonly block: number;
};

/** A report anchor as the ledger holds it. */
export type AnchorView = {
  readonly reportId: string;
  readonly subjectRef: string;
  readonly category: string;
  readonly schemaVersion: string;
  readonly status: 'active' | 'superseded' | 'erased';
  readonly ciphertextHash: string;
  readonly commitment: string;
  readonly sizeBucket: string;
  readonly eventEndDate: string | null;
  readonly expiresOn: string | null;
  readonly supersedes: string | null;
  readonly supersededBy: string | null;
  readonly provider: { readonly mspId: string; readonly institution: string };
  readonly submittedBy: string;
  readonly submittedAt: string;
  readonly submitTx: string;
  readonly erasure: { readonly reason: string; readonly at: string; readonly tx: string } | null;
};

/** The answer to a submission or correction: the anchor and where it was committed. */
export type SubmittedReportView = TxView & { readonly report: AnchorView };

/** A decrypted report of this organisation with its verified anchor. */
export type ReportContentView = {
  readonly reportId: string;
  readonly category: string;
  readonly schemaVersion: string;
  readonly subjectRef: string;
  readonly payload: unknown;
  readonly anchor: AnchorView;
};

/** One listed report of this organisation (no contents). */
export type ReportSummaryView = {
  readonly reportId: string;
  readonly subjectRef: string;
  readonly category: string;
  readonly schemaVersion: string;
  readonly createdAt: string;
  readonly status: 'active' | 'erased';
  readonly erasedAt: string | null;
  readonly erasureReason: string | null;
};

/** A page of listed reports. */
export type ReportListView = {
  readonly items: readonly ReportSummaryView[];
  readonly next: string | null;
};

/** The answer to an erasure. */
export type ErasedReportView = TxView & { readonly report: AnchorView };

/** A consent as recorded on the ledger (without the signature). */
export type ConsentView = {
  readonly consentId: string;
  readonly subjectRef: string;
  readonly signer: string;
  readonly grantee: { readonly mspId: string; readonly institution: string };
  readonly categories: readonly string[];
  readonly purpose: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly maxUses: number;
  readonly uses: number;
  readonly status: 'active' | 'revoked';
  readonly recordedAt: string;
  readonly revokedBy: 'subject' | 'grantee' | null;
};

/** The answer to a consent recording or revocation. */
export type ConsentTxView = TxView & { readonly consent: ConsentView };

/** A subject's registration state. */
export type SubjectView = {
  readonly subjectRef: string;
  readonly registered: boolean;
  readonly activeSigner: string | null;
};

/** The answer to a subject registration. */
export type SubjectTxView = TxView & { readonly subject: SubjectView };

/** The ledger anchor as a view. */
export function anchorView(r: LedgerReport): AnchorView {
  return {
    reportId: r.reportId,
    subjectRef: r.subjectRef,
    category: r.category,
    schemaVersion: r.schemaVersion,
    status: r.status,
    ciphertextHash: r.ciphertextHash,
    commitment: r.commitment,
    sizeBucket: r.sizeBucket,
    eventEndDate: r.eventEndDate,
    expiresOn: r.expiresOn,
    supersedes: r.supersedes,
    supersededBy: r.supersededBy,
    provider: { mspId: r.provider.mspId, institution: r.provider.institution },
    submittedBy: r.submittedBy.id,
    submittedAt: r.submittedAt,
    submitTx: r.submitTx,
    erasure: r.erasure ? { reason: r.erasure.reason, at: r.erasure.at, tx: r.erasure.tx } : null,
  };
}

/** A ledger consent as a view. */
export function consentView(c: LedgerConsent): ConsentView {
  return {
    consentId: c.consentId,
    subjectRef: c.subjectRef,
    signer: c.signer,
    grantee: { mspId: c.grantee.mspId, institution: c.grantee.institution },
    categories: [...c.categories],
    purpose: c.purpose,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    maxUses: c.maxUses,
    uses: c.uses,
    status: c.status,
    recordedAt: c.recordedAt,
    revokedBy: c.revocation?.by ?? null,
  };
}
