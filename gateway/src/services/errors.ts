/**
 * Why a service refused a request or could not complete it. Codes are stable and documented in
 * `gateway/README.md`; the HTTP edge maps each to a status in one place (`http/errors.ts`).
 *
 * Ledger refusals travel as {@link LedgerError}s with the contract's own codes; the codes here are
 * the gateway's.
 */
export type ServiceErrorCode =
  /** The request body or a parameter does not have the required shape. */
  | 'INVALID_REQUEST'
  /** The report category is not configured at this gateway. */
  | 'UNKNOWN_CATEGORY'
  /** The category has no such schema version at this gateway. */
  | 'UNKNOWN_SCHEMA_VERSION'
  /** The report does not conform to its schema (`violations` says where). */
  | 'SCHEMA_VIOLATION'
  /** The canonical report exceeds the configured size limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** Not a valid Unified Social Credit Code. */
  | 'INVALID_USCC'
  /** A state-changing request came without an `Idempotency-Key`. */
  | 'IDEMPOTENCY_KEY_REQUIRED'
  /** The idempotency key was already used for a different request. */
  | 'IDEMPOTENCY_CONFLICT'
  /** This gateway holds no such report. */
  | 'REPORT_NOT_FOUND'
  /** The report was erased (crypto-shredded); its contents are gone. */
  | 'REPORT_ERASED'
  /** The stored ciphertext does not match the ledger anchor: the vault was altered. */
  | 'INTEGRITY_FAILURE'
  /** The organisation's private key for this report is not available. */
  | 'KEY_UNAVAILABLE'
  /** The vault could not be read or written. */
  | 'VAULT_UNAVAILABLE'
  /** The ledger denied access: the receipt's `reason` says why (`CONSENT_EXPIRED`, ...). */
  | 'ACCESS_DENIED'
  /** The provider gateway could not be reached; nothing was released. Retry with the same key. */
  | 'PROVIDER_UNAVAILABLE'
  /** The provider gateway refused the transfer; `providerCode` says why. */
  | 'PROVIDER_REFUSED'
  /** A received report does not match its ledger anchor, or its key does not open: nothing is returned. */
  | 'TRANSFER_TAMPERED'
  /** (provider) The transfer request's signature or signer certificate is not valid. */
  | 'SIGNATURE_INVALID'
  /** (provider) The transfer request was signed too long ago or in the future. */
  | 'REQUEST_EXPIRED'
  /** (provider) The transfer request's nonce was already used for another request. */
  | 'REQUEST_REPLAYED'
  /** (provider) The calling gateway, the signer or the receipt do not belong together. */
  | 'TRANSFER_FORBIDDEN'
  /** (provider) The receipt is for another requester, request, report or provider. */
  | 'RECEIPT_MISMATCH'
  /** (provider) The receipt denied access. */
  | 'RECEIPT_NOT_GRANTED'
  /** (provider) The receipt was delivered and the window for repeating the delivery has passed. */
  | 'RECEIPT_ALREADY_DELIVERED';

/** Facts attached to a refusal, returned as members of the problem document. */
export interface ServiceErrorDetails {
  /** The access receipt's denial reason (`ACCESS_DENIED`, `RECEIPT_NOT_GRANTED`). */
  readonly reason?: string;
  /** The receipt concerned. */
  readonly receiptId?: string;
  /** The provider gateway's problem code (`PROVIDER_REFUSED`). */
  readonly providerCode?: string;
}

/** Details attached to a {@link ServiceError}. */
export interface ServiceErrorOptions {
  readonly cause?: unknown;
  /** Schema violations, for `SCHEMA_VIOLATION`: where and which rule, never values. */
  readonly violations?: readonly { readonly path: string; readonly message: string }[];
  /** Whether repeating the request later may succeed. */
  readonly retryable?: boolean;
  readonly details?: ServiceErrorDetails;
}

/** A refusal or failure of a gateway service; messages never contain report contents, keys or USCCs. */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly violations: readonly { readonly path: string; readonly message: string }[] | undefined;
  readonly retryable: boolean;
  readonly details: ServiceErrorDetails | undefined;

  constructor(code: ServiceErrorCode, message: string, options: Readonly<ServiceErrorOptions> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = ServiceError.name;
    this.code = code;
    this.violations = options.violations;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/**
 * A refusal replayed from an idempotency record: the first attempt's code and message, rethrown for
 * every retry with the same key and body.
 */
export class ReplayedRefusal extends Error {
  readonly code: string;
  readonly details: ServiceErrorDetails | undefined;

  constructor(code: string, message: string, details?: ServiceErrorDetails) {
    super(message);
    this.name = ReplayedRefusal.name;
    this.code = code;
    this.details = details;
  }
}
