/*
 * What the credit contract returns, as the gateway reads it. Type-only imports of the contract's
 * own model keep the two in lockstep without loading any chaincode code at run time.
 */
import type {
  ConsortiumConfig,
  Consent,
  OrgProfile,
  Receipt,
  Report,
  Subject,
} from '../../../chaincode/src/model.js';

/** A report anchor (`GetReport`, `SubmitReport`, `EraseReport`): hashes and metadata, never contents. */
export type LedgerReport = Readonly<Report>;
/** A subject's consent-signing keys (`GetSubject`, `RegisterSubjectSigner`). */
export type LedgerSubject = Readonly<Subject>;
/** A recorded consent (`RecordConsent`, `RevokeConsent`, `GetConsent`). */
export type LedgerConsent = Readonly<Consent>;
/** An access receipt (`RequestAccess`, `RecordDelivery`, `GetReceipt`). */
export type LedgerReceipt = Readonly<Receipt>;
/** An organisation's published HPKE keys (`GetOrgProfile`). */
export type LedgerOrgProfile = Readonly<OrgProfile>;
/** The consortium configuration (`GetConsortium`). */
export type LedgerConsortium = Readonly<ConsortiumConfig>;

/** One page of a paginated ledger query. */
export interface LedgerPage<T> {
  readonly records: readonly T[];
  /** Pass back for the next page; empty on the last page. */
  readonly bookmark: string;
}

/** The outcome of a submitted transaction, known only once it is committed valid. */
export interface Committed<T> {
  /** What the contract returned. */
  readonly value: T;
  /** The Fabric transaction id. */
  readonly txId: string;
  /** The block the transaction was committed in. */
  readonly blockNumber: number;
}

/** Where a committed transaction lies, from `CommitStatus`. */
export interface TxCommitStatus {
  readonly txId: string;
  readonly blockNumber: number;
  /** Whether it was committed valid (otherwise it is in the block but had no effect). */
  readonly valid: boolean;
  /** Fabric's validation code name, e.g. `VALID`, `MVCC_READ_CONFLICT`. */
  readonly validationCode: string;
}
