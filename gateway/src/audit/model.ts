/*
 * What the audit read model holds and answers: plain JSON records derived from committed blocks.
 * Subjects appear only as pseudonyms (`subjectRef`), never as USCCs.
 */
import type { Actor, ConsortiumConfig, Receipt, Report } from '../../../chaincode/src/model.js';

/** What happened, as the contract's trail names it, plus consents. */
export type AuditEntryKind =
  | 'SUBMITTED'
  | 'CORRECTED'
  | 'SUPERSEDED'
  | 'ACCESS_GRANTED'
  | 'ACCESS_DENIED'
  | 'DELIVERED'
  | 'ERASED'
  | 'CONSENT_RECORDED'
  | 'CONSENT_REVOKED';

/** An organisation involved in an entry; members see the entries that involve their own MSP. */
export type AuditParty = {
  readonly mspId: string;
  readonly institution: string | null;
  readonly role: 'provider' | 'requester' | 'grantee';
};

/** Who signed the transaction, as the contract records it (`x509::<subject>::<issuer>`). */
export type AuditActor = {
  readonly mspId: string;
  readonly institution: string | null;
  readonly id: string;
};

/** One trail entry: one effect of one valid transaction of the credit contract. */
export type AuditEntry = {
  /** `<block>:<tx index>:<n>`, zero-padded: unique and in commit order. */
  readonly entryId: string;
  readonly kind: AuditEntryKind;
  readonly txId: string;
  readonly block: number;
  readonly txIndex: number;
  /** The transaction timestamp, ISO 8601 UTC with nanoseconds. */
  readonly time: string;
  readonly actor: AuditActor;
  readonly parties: readonly AuditParty[];
  readonly reportId: string | null;
  readonly subjectRef: string | null;
  readonly category: string | null;
  readonly receiptId: string | null;
  readonly requestId: string | null;
  readonly consentId: string | null;
  readonly relatedReportId: string | null;
  readonly purpose: string | null;
  /** Denial reason, `CONSENT`/`SUPERVISORY` for grants, erasure reason, or who revoked a consent. */
  readonly reason: string | null;
  readonly supervisory: boolean;
};

/** An access receipt as the read model keeps it: the contract's receipt and where it was committed. */
export type AuditReceipt = Receipt & {
  readonly block: number;
  readonly txIndex: number;
  /**
   * True when the request's purpose was not among the requester organisation's business purposes
   * in the consortium configuration in force when it was committed (never for supervisory access).
   */
  readonly purposeOutsideBusiness: boolean;
};

/** Why indexing stopped: the block failed verification. */
export type IntegrityAlarmCode =
  | 'BLOCK_NUMBER_MISMATCH'
  | 'BLOCK_MALFORMED'
  | 'PREVIOUS_HASH_MISMATCH'
  | 'DATA_HASH_MISMATCH'
  | 'ORDERER_SIGNATURE_INVALID'
  | 'CHANNEL_CONFIG_INVALID'
  | 'BLOCK_REWRITTEN';

/** A persisted integrity alarm: indexing stopped before `block`. */
export type IntegrityAlarm = {
  readonly code: IntegrityAlarmCode;
  readonly block: number;
  readonly reason: string;
  /** When the gateway detected it (its own clock). */
  readonly detectedAt: string;
};

/** Orderer organisations whose signatures blocks must carry, from the channel configuration. */
export type OrdererTrust = {
  readonly orgs: readonly {
    readonly mspId: string;
    readonly rootCertsPem: readonly string[];
    readonly intermediateCertsPem: readonly string[];
  }[];
  /** Block number of the configuration the trust comes from; -1 when pinned by the gateway's configuration. */
  readonly fromBlock: number;
};

/** Totals kept by the read model. */
export type AuditCounts = {
  readonly blocks: number;
  readonly transactions: number;
  /** Transactions whose validation code was not VALID: counted, never indexed. */
  readonly invalidTransactions: number;
  readonly entries: number;
  readonly receipts: number;
};

/** How far the read model has got and whether it stopped. */
export type ReadModelState = {
  /** The next block to index (= blocks indexed). */
  readonly nextBlock: number;
  /** Hex header hash of the last indexed block; null before block 0. */
  readonly lastBlockHash: string | null;
  readonly alarm: IntegrityAlarm | null;
  readonly counts: AuditCounts;
};

/** A page of results with the state of the read model they were read from. */
export type AuditPage<T> = {
  readonly items: readonly T[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
  readonly readModel: ReadModelView;
};

/** The read model's progress as queries report it. */
export type ReadModelView = {
  readonly nextBlock: number;
  readonly alarm: IntegrityAlarm | null;
};

export type { Actor, ConsortiumConfig, Receipt, Report };
