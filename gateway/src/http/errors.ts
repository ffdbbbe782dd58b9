/**
 * The one catalogue of error codes the gateway's API answers with: code → HTTP status and title.
 * Every refusal leaves the gateway as an RFC 9457 `application/problem+json` body carrying one of
 * these codes; statuses are decided here and nowhere else. Documented in `gateway/README.md`
 * (a test keeps the two in step).
 *
 * @packageDocumentation
 */
import type { LedgerErrorCode } from '../ports/ledger-error.js';
import type { ServiceErrorCode } from '../services/errors.js';

/** One catalogue entry. */
export interface ErrorEntry {
  readonly status: number;
  readonly title: string;
  /** Whether the same request may succeed later (the answer then carries `Retry-After`). */
  readonly retryable?: true;
}

/** Codes raised at the HTTP edge itself. */
export type EdgeErrorCode =
  | 'MALFORMED_JSON'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'AUTH_REQUIRED'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  | 'CERTIFICATE_INVALID'
  | 'CERTIFICATE_UNKNOWN'
  | 'FORBIDDEN'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_ALREADY_ISSUED'
  | 'TOKEN_STORE_UNAVAILABLE'
  | 'AUDIT_FORBIDDEN'
  | 'INVALID_CURSOR'
  | 'AUDIT_INTEGRITY_ALARM'
  | 'AUDIT_UNAVAILABLE'
  | 'INTERNAL';

/** Every code the API can answer with. */
export type ApiErrorCode = EdgeErrorCode | ServiceErrorCode | LedgerErrorCode;

/** The catalogue. `satisfies` makes the compiler refuse a service or ledger code without an entry. */
export const ERROR_CATALOGUE = {
  // Requests
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  INVALID_REQUEST: { status: 400, title: 'The request does not have the required shape' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The body must be application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request or report exceeds the size limit' },
  NOT_FOUND: { status: 404, title: 'No such endpoint' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 428, title: 'This request needs an Idempotency-Key header' },
  IDEMPOTENCY_CONFLICT: { status: 409, title: 'The Idempotency-Key was used for a different request' },
  // Callers
  AUTH_REQUIRED: { status: 401, title: 'Authentication is required' },
  TOKEN_INVALID: { status: 401, title: 'The bearer token is not valid' },
  TOKEN_EXPIRED: { status: 401, title: 'The bearer token has expired' },
  TOKEN_REVOKED: { status: 401, title: 'The bearer token was revoked' },
  CERTIFICATE_INVALID: {
    status: 401,
    title: "The client certificate is not issued by the organisation's CA",
  },
  CERTIFICATE_UNKNOWN: { status: 401, title: 'The client certificate is not mapped to a user' },
  FORBIDDEN: { status: 403, title: "The caller's role may not do this" },
  IDENTITY_NOT_FOUND: { status: 403, title: 'The wallet holds no ledger identity for the caller' },
  // API tokens (admin)
  TOKEN_NOT_FOUND: { status: 404, title: 'No token has this id' },
  TOKEN_ALREADY_ISSUED: {
    status: 409,
    title: 'A token was already issued under this Idempotency-Key; it is shown only once',
  },
  TOKEN_STORE_UNAVAILABLE: {
    status: 503,
    title: 'The token store could not be read or written',
    retryable: true,
  },
  // Reports and subjects (gateway)
  UNKNOWN_CATEGORY: { status: 422, title: 'The report category is not configured' },
  UNKNOWN_SCHEMA_VERSION: { status: 422, title: 'The schema version is not configured for the category' },
  SCHEMA_VIOLATION: { status: 422, title: 'The report does not conform to its schema' },
  INVALID_USCC: { status: 422, title: 'Not a valid Unified Social Credit Code' },
  REPORT_NOT_FOUND: { status: 404, title: 'No such report' },
  REPORT_ERASED: { status: 410, title: 'The report was erased' },
  INTEGRITY_FAILURE: { status: 500, title: 'Stored data does not match its ledger anchor' },
  KEY_UNAVAILABLE: { status: 500, title: "The organisation's private key is not available" },
  VAULT_UNAVAILABLE: { status: 503, title: 'The vault could not be read or written', retryable: true },
  // Retrieval from another member (requester gateway)
  ACCESS_DENIED: { status: 403, title: 'The ledger denied access; see reason' },
  PROVIDER_UNAVAILABLE: { status: 503, title: "The provider's gateway cannot be reached", retryable: true },
  PROVIDER_REFUSED: { status: 502, title: "The provider's gateway refused the transfer; see providerCode" },
  TRANSFER_TAMPERED: { status: 502, title: 'The received report does not match its ledger anchor' },
  // Transfers to another member (provider gateway, /peer API)
  SIGNATURE_INVALID: {
    status: 401,
    title: "The request is not signed by a certificate of the requester's CA",
  },
  REQUEST_EXPIRED: { status: 401, title: 'The request was signed outside the accepted time window' },
  REQUEST_REPLAYED: { status: 409, title: 'The request nonce was already used' },
  TRANSFER_FORBIDDEN: {
    status: 403,
    title: 'The calling gateway, signer and receipt do not belong together',
  },
  // Ledger (gateway)
  LEDGER_UNAVAILABLE: { status: 503, title: 'The ledger cannot be reached', retryable: true },
  LEDGER_CONFLICT: { status: 503, title: 'A concurrent ledger transaction conflicted', retryable: true },
  LEDGER_REJECTED: { status: 502, title: 'The ledger refused the transaction' },
  LEDGER_BAD_RESPONSE: { status: 502, title: 'The ledger answered with an unexpected response' },
  // Contract refusals (chaincode/README.md)
  INVALID_ARGUMENT: { status: 400, title: 'The ledger found an argument missing or malformed' },
  NOT_INITIALISED: {
    status: 503,
    title: 'The consortium configuration has not been initialised',
    retryable: true,
  },
  ALREADY_INITIALISED: { status: 409, title: 'The consortium configuration already exists' },
  CONFIG_INVALID: { status: 422, title: 'The consortium configuration is inconsistent' },
  CONFIG_REMOVAL_FORBIDDEN: { status: 422, title: 'A configuration update may not remove entries' },
  ROLE_FORBIDDEN: { status: 403, title: "The caller's certificate lacks the role this needs" },
  ORG_FORBIDDEN: { status: 403, title: "The caller's organisation may not do this" },
  IDENTITY_INCOMPLETE: { status: 403, title: "The caller's certificate lacks the institution attribute" },
  UNKNOWN_PURPOSE: { status: 422, title: 'The purpose code is not configured' },
  PURPOSE_FORBIDDEN: { status: 403, title: 'Supervisory purposes are for regulators only' },
  ORG_NOT_FOUND: { status: 404, title: 'The organisation has not published a profile' },
  KEY_EXISTS: { status: 409, title: 'The organisation already published a key with that id' },
  SUBJECT_NOT_FOUND: { status: 404, title: 'No consent-signing key is registered for the subject' },
  SUBJECT_SIGNER_EXISTS: { status: 409, title: 'The subject already has an active consent-signing key' },
  SIGNER_REUSED: { status: 409, title: 'The address was registered for the subject before' },
  SIGNER_NOT_ACTIVE: { status: 409, title: "The address is not the subject's active key" },
  BAD_SIGNATURE: { status: 422, title: 'The signature is malformed or not by the expected key' },
  SIGNER_UNKNOWN: { status: 422, title: 'The signing key is not registered for the subject' },
  SIGNER_REVOKED: { status: 422, title: 'The signing key was revoked or rotated' },
  NONCE_REPLAYED: { status: 409, title: 'The consent nonce was already used' },
  CONSENT_WINDOW_EMPTY: { status: 422, title: 'The consent validity window is empty' },
  CONSENT_EXPIRED: { status: 422, title: 'The consent validity window has ended' },
  CONSENT_NOT_FOUND: { status: 404, title: 'No such consent' },
  CONSENT_REVOKED: { status: 409, title: 'The consent was already revoked' },
  REPORT_EXISTS: { status: 409, title: 'A report with that id already exists' },
  REPORT_SUPERSEDED: { status: 409, title: 'The report was superseded by a correction' },
  NOT_PROVIDER: { status: 403, title: 'Only the providing institution may do this' },
  CORRECTION_MISMATCH: { status: 422, title: 'A correction must keep subject and category' },
  RETENTION_EXPIRED: { status: 422, title: 'The retention period of the report has ended' },
  RECEIPT_NOT_FOUND: { status: 404, title: 'No such receipt' },
  RECEIPT_MISMATCH: { status: 409, title: 'The receipt does not match the request' },
  RECEIPT_NOT_GRANTED: { status: 403, title: 'The receipt did not grant access' },
  RECEIPT_ALREADY_DELIVERED: { status: 409, title: 'The receipt was already delivered' },
  REQUEST_CONFLICT: { status: 409, title: 'The request id was used for a different request' },
  // Audit (gateway/src/audit)
  AUDIT_FORBIDDEN: { status: 403, title: 'The caller may not see this audit data' },
  INVALID_CURSOR: { status: 400, title: 'The pagination cursor does not belong to this query' },
  AUDIT_INTEGRITY_ALARM: {
    status: 503,
    title: 'The audit read model stopped on an integrity alarm',
  },
  AUDIT_UNAVAILABLE: {
    status: 503,
    title: 'The audit read model cannot answer yet',
    retryable: true,
  },
  // Anything else
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<ApiErrorCode, ErrorEntry>;

/** Whether `code` is in the catalogue. */
export function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);
}

/** The catalogue entry of `code`. */
export function entryOf(code: ApiErrorCode): ErrorEntry {
  return ERROR_CATALOGUE[code];
}
