/**
 * Typed errors of the gateway's crypto building blocks.
 *
 * Every error carries a stable `code` (match on it, never on the message) and a message of the form
 * `CODE: explanation`, the convention the chaincode uses. Messages never contain key material,
 * plaintext or subject identifiers.
 *
 * @packageDocumentation
 */

/** Base class of the crypto errors: a stable machine-readable `code` plus a human message. */
export abstract class CodedError<C extends string> extends Error {
  /** Stable code; part of the API. */
  readonly code: C;

  protected constructor(code: C, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}

/** Codes of {@link PseudonymError}. */
export type PseudonymErrorCode = 'INVALID_SUBJECT_KEY';

/** The consortium subject key is missing, of the wrong length or all zero. */
export class PseudonymError extends CodedError<PseudonymErrorCode> {
  constructor(code: PseudonymErrorCode, message: string) {
    super(code, message);
    this.name = 'PseudonymError';
  }
}

/** Codes of {@link CanonicalJsonError}. */
export type CanonicalJsonErrorCode = 'NOT_JSON';

/** Why a value cannot be serialised as RFC 8785 canonical JSON. */
export type CanonicalJsonProblem =
  | 'UNDEFINED'
  | 'FUNCTION'
  | 'SYMBOL'
  | 'BIGINT'
  | 'NON_FINITE_NUMBER'
  | 'LONE_SURROGATE'
  | 'NON_PLAIN_OBJECT'
  | 'SYMBOL_KEY'
  | 'SPARSE_ARRAY'
  | 'CYCLE'
  | 'TOO_DEEP';

/**
 * A value is outside the JSON data model RFC 8785 accepts (I-JSON). `path` locates it, e.g.
 * `$.items[2].amount`.
 */
export class CanonicalJsonError extends CodedError<CanonicalJsonErrorCode> {
  readonly problem: CanonicalJsonProblem;
  readonly path: string;

  constructor(problem: CanonicalJsonProblem, path: string) {
    super('NOT_JSON', `${problem} at ${path}`);
    this.name = 'CanonicalJsonError';
    this.problem = problem;
    this.path = path;
  }
}

/** Codes of {@link PayloadError}. */
export type PayloadErrorCode = 'PAYLOAD_TAMPERED' | 'INVALID_DATA_KEY' | 'INVALID_INPUT';

/**
 * Sealing or opening a report payload failed. `PAYLOAD_TAMPERED`: the ciphertext is truncated or
 * fails authentication (changed ciphertext, nonce or tag, or the wrong data key — AES-GCM cannot
 * tell these apart). `INVALID_DATA_KEY`: the key is not 32 bytes. `INVALID_INPUT`: an argument is
 * not a byte array.
 */
export class PayloadError extends CodedError<PayloadErrorCode> {
  constructor(code: PayloadErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'PayloadError';
  }
}

/** Codes of {@link KeyWrapError}. */
export type KeyWrapErrorCode =
  | 'UNWRAP_FAILED'
  | 'WRAP_FAILED'
  | 'INVALID_PUBLIC_KEY'
  | 'INVALID_PRIVATE_KEY'
  | 'INVALID_DATA_KEY'
  | 'INVALID_CONTEXT';

/**
 * Wrapping or unwrapping a data key with HPKE failed. `UNWRAP_FAILED` covers every reason a wrapped
 * key does not open (wrong private key, a different report, receipt or key id, a changed `enc` or
 * ciphertext, malformed base64) so that a caller learns nothing more than "no".
 */
export class KeyWrapError extends CodedError<KeyWrapErrorCode> {
  constructor(code: KeyWrapErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'KeyWrapError';
  }
}

/** Codes of {@link ConsentSigningError}. */
export type ConsentSigningErrorCode = 'INVALID_PRIVATE_KEY' | 'INVALID_MESSAGE';

/** An EIP-712 message could not be built or signed. */
export class ConsentSigningError extends CodedError<ConsentSigningErrorCode> {
  constructor(code: ConsentSigningErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'ConsentSigningError';
  }
}
