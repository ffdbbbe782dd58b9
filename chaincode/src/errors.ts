/**
 * Stable error codes of the credit contract. Every refusal is thrown as `CODE: message`, which
 * fabric-contract-api turns into a chaincode response with status 500 and that text as message.
 * Clients match on the code (the text before the first colon); messages may be reworded.
 */
export const ErrorCodes = {
  INVALID_ARGUMENT: 'an argument is missing or malformed',
  NOT_INITIALISED: 'the consortium configuration has not been initialised',
  ALREADY_INITIALISED: 'the consortium configuration already exists',
  CONFIG_INVALID: 'the consortium configuration is inconsistent',
  CONFIG_REMOVAL_FORBIDDEN:
    'an update may not remove a category, schema version, purpose, alliance or organisation',
  ROLE_FORBIDDEN: 'the caller certificate lacks the role this transaction needs',
  ORG_FORBIDDEN: "the caller's organisation may not perform this transaction",
  IDENTITY_INCOMPLETE: 'the caller certificate lacks the institution attribute',
  UNKNOWN_CATEGORY: 'the data category is not configured',
  UNKNOWN_SCHEMA_VERSION: 'the schema version is not configured for the category',
  UNKNOWN_PURPOSE: 'the purpose code is not configured',
  PURPOSE_FORBIDDEN: 'supervisory purposes are for regulators only, and regulators must use one',
  ORG_NOT_FOUND: 'the organisation has not published a profile',
  KEY_EXISTS: 'the organisation already published a key with that key id',
  SUBJECT_NOT_FOUND: 'no consent-signing key is registered for the subject',
  SUBJECT_SIGNER_EXISTS: 'the subject already has an active consent-signing key',
  SIGNER_REUSED: 'the address was registered for the subject before and cannot be registered again',
  SIGNER_NOT_ACTIVE: "the address is not the subject's active consent-signing key",
  BAD_SIGNATURE: 'the EIP-712 signature is malformed or was not made by the expected key',
  SIGNER_UNKNOWN: 'the signature was made by a key that is not registered for the subject',
  SIGNER_REVOKED: 'the signature was made by a subject key that has been revoked or rotated',
  NONCE_REPLAYED: 'the consent nonce was already used by the subject',
  CONSENT_WINDOW_EMPTY: 'the consent validity window is empty',
  CONSENT_EXPIRED: 'the consent validity window has already ended',
  CONSENT_NOT_FOUND: 'no consent with that id',
  CONSENT_REVOKED: 'the consent was already revoked',
  REPORT_EXISTS: 'a report with that id already exists',
  REPORT_NOT_FOUND: 'no report with that id',
  REPORT_ERASED: 'the report was erased',
  REPORT_SUPERSEDED: 'the report was superseded by a correction',
  NOT_PROVIDER: 'only the institution that provided the report may do this',
  CORRECTION_MISMATCH: 'a correction must keep the subject and category of the report it supersedes',
  RETENTION_EXPIRED: 'the retention period of the report has ended',
  RECEIPT_NOT_FOUND: 'no receipt with that id',
  RECEIPT_MISMATCH: 'the receipt does not match the requester, report or request',
  RECEIPT_NOT_GRANTED: 'the receipt did not grant access',
  RECEIPT_ALREADY_DELIVERED: 'the receipt was already delivered',
  REQUEST_CONFLICT: 'the request id was already used for a different request',
} as const;

/** A stable error code of the credit contract. */
export type ErrorCode = keyof typeof ErrorCodes;

/** A refusal by the contract; its message is `CODE: detail`. */
export class ContractError extends Error {
  override readonly name = ContractError.name;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, detail?: string) {
    super(`${code}: ${detail ?? ErrorCodes[code]}`);
    this.code = code;
  }
}

/** Throws a {@link ContractError}. */
export function fail(code: ErrorCode, detail?: string): never {
  throw new ContractError(code, detail);
}
