import type {
  Committed,
  LedgerConsent,
  LedgerConsortium,
  LedgerOrgProfile,
  LedgerPage,
  LedgerReceipt,
  LedgerReport,
  LedgerSubject,
  TxCommitStatus,
} from './ledger-records.js';

/**
 * The wallet user a ledger call is made as. Every transaction is signed with that user's own
 * identity, so the ledger records which officer acted.
 */
export type LedgerUser = string;

/** What `SubmitReport` anchors; never report contents. */
export interface ReportAnchorInput {
  readonly reportId: string;
  /** 64 lower-case hex: the subject pseudonym. */
  readonly subjectRef: string;
  readonly category: string;
  readonly schemaVersion: string;
  /** 64 lower-case hex: SHA-256 of the ciphertext. */
  readonly ciphertextHash: string;
  /** 64 lower-case hex: salted commitment to the plaintext. */
  readonly commitment: string;
  readonly sizeBucket: string;
  /** `YYYY-MM-DD` on which the reported event ended; absent while it goes on. */
  readonly eventEndDate?: string;
  /** The report this one corrects. */
  readonly supersedes?: string;
}

/** Arguments of `RequestAccess`. */
export interface AccessRequestInput {
  /** The requester's idempotency key (8 to 128 characters). */
  readonly requestId: string;
  readonly reportId: string;
  readonly consentId: string;
  readonly purpose: string;
}

/** Arguments of `RecordDelivery`. */
export interface DeliveryInput {
  readonly receiptId: string;
  readonly reportId: string;
  readonly requesterMsp: string;
  readonly requestId: string;
}

/** Page size and position of a paginated query. */
export interface PageRequest {
  /** 1 to 100. */
  readonly pageSize: number;
  /** From the previous page; the first page when absent or empty. */
  readonly bookmark?: string;
}

/**
 * The credit contract as the gateway uses it: one method per contract transaction, typed inputs
 * and results.
 *
 * Responsibilities: sign every call with the identity of the acting user (`as`); submit
 * transactions and return only once they are committed valid, with the transaction id and block;
 * translate every failure into a {@link LedgerError}: contract refusals keep their code
 * (`REPORT_NOT_FOUND`, `NOT_PROVIDER`, ...), an unreachable peer is the retryable
 * `LEDGER_UNAVAILABLE`.
 *
 * Adapters: `FabricLedger` (`@hyperledger/fabric-gateway`, the emulator or real Fabric by
 * configuration alone).
 *
 * @example
 * ```ts
 * const { value: report, txId, blockNumber } = await ledger.submitReport('User1', anchor);
 * const anchorNow = await ledger.getReport('User1', report.reportId);
 * ```
 */
export interface Ledger {
  /**
   * `SubmitReport`: anchors a report, or a correction when `supersedes` is set.
   *
   * @throws {@link LedgerError} e.g. `REPORT_EXISTS`, `UNKNOWN_CATEGORY`, `NOT_PROVIDER`,
   *   `CORRECTION_MISMATCH`, `LEDGER_UNAVAILABLE`
   */
  submitReport(as: LedgerUser, input: ReportAnchorInput): Promise<Committed<LedgerReport>>;

  /**
   * `EraseReport`: records that the provider destroyed the report's data key.
   *
   * @param reason - one of the contract's erasure reasons, e.g. `SUBJECT_REQUEST`
   * @throws {@link LedgerError} `REPORT_NOT_FOUND`, `NOT_PROVIDER`, `REPORT_ERASED`, ...
   */
  eraseReport(as: LedgerUser, reportId: string, reason: string): Promise<Committed<LedgerReport>>;

  /**
   * `GetReport`.
   *
   * @throws {@link LedgerError} `REPORT_NOT_FOUND`
   */
  getReport(as: LedgerUser, reportId: string): Promise<LedgerReport>;

  /** `ListReportsBySubject`. */
  listReportsBySubject(
    as: LedgerUser,
    subjectRef: string,
    page: PageRequest,
  ): Promise<LedgerPage<LedgerReport>>;

  /**
   * `RegisterSubjectSigner`: binds an enterprise's consent-signing address to its pseudonym.
   *
   * @param signature - the EIP-712 `SignerBinding` (action `register`) signed by `signer`
   * @throws {@link LedgerError} `BAD_SIGNATURE`, `SUBJECT_SIGNER_EXISTS`, `SIGNER_REUSED`, ...
   */
  registerSubjectSigner(
    as: LedgerUser,
    input: { readonly subjectRef: string; readonly signer: string; readonly signature: string },
  ): Promise<Committed<LedgerSubject>>;

  /**
   * `GetSubject`.
   *
   * @throws {@link LedgerError} `SUBJECT_NOT_FOUND`
   */
  getSubject(as: LedgerUser, subjectRef: string): Promise<LedgerSubject>;

  /**
   * `RecordConsent`.
   *
   * @param consentJson - the EIP-712 `Consent` message as JSON
   * @param signature - the subject's signature of it
   * @throws {@link LedgerError} `BAD_SIGNATURE`, `SIGNER_UNKNOWN`, `NONCE_REPLAYED`, `ORG_FORBIDDEN`, ...
   */
  recordConsent(as: LedgerUser, consentJson: string, signature: string): Promise<Committed<LedgerConsent>>;

  /**
   * `RevokeConsent`, by the subject (`signature` of a `ConsentRevocation`) or by the grantee
   * (`signature` absent).
   *
   * @throws {@link LedgerError} `CONSENT_NOT_FOUND`, `CONSENT_REVOKED`, `BAD_SIGNATURE`, ...
   */
  revokeConsent(as: LedgerUser, consentId: string, signature?: string): Promise<Committed<LedgerConsent>>;

  /**
   * `GetConsent`.
   *
   * @throws {@link LedgerError} `CONSENT_NOT_FOUND`, `ORG_FORBIDDEN`
   */
  getConsent(as: LedgerUser, consentId: string): Promise<LedgerConsent>;

  /**
   * `RequestAccess`: writes a granted or denied receipt; repeating a request id returns the
   * original receipt.
   *
   * @throws {@link LedgerError} `REQUEST_CONFLICT`, `INVALID_ARGUMENT`, ...
   */
  requestAccess(as: LedgerUser, input: AccessRequestInput): Promise<Committed<LedgerReceipt>>;

  /**
   * `RecordDelivery`, by the provider before it releases a payload.
   *
   * @throws {@link LedgerError} `RECEIPT_NOT_FOUND`, `RECEIPT_MISMATCH`, `RECEIPT_NOT_GRANTED`,
   *   `RECEIPT_ALREADY_DELIVERED`
   */
  recordDelivery(as: LedgerUser, input: DeliveryInput): Promise<Committed<LedgerReceipt>>;

  /**
   * `GetReceipt`.
   *
   * @throws {@link LedgerError} `RECEIPT_NOT_FOUND`
   */
  getReceipt(as: LedgerUser, receiptId: string): Promise<LedgerReceipt>;

  /**
   * `GetReceiptByRequest`.
   *
   * @throws {@link LedgerError} `RECEIPT_NOT_FOUND`
   */
  getReceiptByRequest(as: LedgerUser, requesterMsp: string, requestId: string): Promise<LedgerReceipt>;

  /**
   * `GetOrgProfile`: an organisation's HPKE keys, active and retired.
   *
   * @throws {@link LedgerError} `ORG_NOT_FOUND`
   */
  getOrgProfile(as: LedgerUser, mspId: string): Promise<LedgerOrgProfile>;

  /** `GetConsortium`. */
  getConsortium(as: LedgerUser): Promise<LedgerConsortium>;

  /**
   * Where transaction `txId` was committed, for answering a retried request whose first attempt
   * committed but whose answer was lost.
   *
   * @throws {@link LedgerError} `LEDGER_UNAVAILABLE`
   */
  commitStatus(as: LedgerUser, txId: string): Promise<TxCommitStatus>;

  /** Whether the peer answers right now (for readiness); never throws. */
  reachable(): Promise<boolean>;

  /** Releases connections; later calls fail. */
  close(): Promise<void>;
}
