/** Why a token operation was refused. Codes are stable; match on them, never on messages. */
export type AuthErrorCode =
  /** The token is not one this gateway issued (or is malformed). */
  | 'TOKEN_UNKNOWN'
  /** The token's `expiresAt` has passed. */
  | 'TOKEN_EXPIRED'
  /** The token was revoked. */
  | 'TOKEN_REVOKED'
  /** A token with this id or hash is already stored. */
  | 'TOKEN_EXISTS'
  /** An argument is malformed (user, role, timestamps, token id). */
  | 'INVALID_ARGUMENT'
  /** The token store was closed. */
  | 'TOKEN_STORE_CLOSED'
  /** Stored token data could not be decoded. */
  | 'TOKEN_STORE_CORRUPT'
  /** The token store could not be opened (locked by another process, permissions, unknown format). */
  | 'TOKEN_STORE_OPEN_FAILED'
  /** The token store failed to read or write. */
  | 'TOKEN_STORE_IO';

/** Details attached to an {@link AuthError}. */
export interface AuthErrorOptions {
  /** Underlying error. */
  readonly cause?: unknown;
  /** Id of the token concerned (never the token itself). */
  readonly tokenId?: string;
}

/** Error raised by token issuance, verification and storage. Never carries a token. */
export class AuthError extends Error {
  /** Machine-readable reason. */
  readonly code: AuthErrorCode;
  /** Id of the token concerned, when known. */
  readonly tokenId: string | undefined;

  /**
   * @param code - reason of the failure
   * @param message - short human-readable detail; must not contain a token
   * @param options - cause and the token id concerned
   */
  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = AuthError.name;
    this.code = code;
    this.tokenId = options.tokenId;
  }
}
