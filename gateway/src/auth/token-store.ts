/** What a token lets its bearer do at the gateway's API. */
export type TokenRole = 'member' | 'regulator' | 'admin';

/** The roles, in a stable order. */
export const TOKEN_ROLES: readonly TokenRole[] = ['member', 'regulator', 'admin'];

/** A stored API token: its SHA-256 hash, never the token. */
export interface TokenRecord {
  /** Public id for listings, logs and revocation: 1 to 64 characters of `[A-Za-z0-9_-]`. */
  readonly tokenId: string;
  /** SHA-256 of the token's UTF-8 text (32 bytes). */
  readonly hash: Uint8Array;
  /** The user the token authenticates (a wallet user name). */
  readonly user: string;
  readonly role: TokenRole;
  /** Issue time (`toISOString()` form). */
  readonly createdAt: string;
  /** End of validity (`toISOString()` form); no expiry when absent. */
  readonly expiresAt?: string;
  readonly revoked: boolean;
}

/**
 * Where the gateway keeps the API tokens its admin issued.
 *
 * Responsibilities: store token records under their id and their hash, both unique; find a record
 * by hash for verification; mark records revoked (never deleted, so revocation cannot be undone by
 * re-adding the same token). Every write is atomic and durable when its promise resolves; records
 * returned are copies. All failures are {@link AuthError}s.
 */
export interface TokenStore {
  /**
   * Adds a record.
   *
   * @throws AuthError `TOKEN_EXISTS` when its id or hash is already stored, `INVALID_ARGUMENT` when
   * it is malformed
   */
  put(record: TokenRecord): Promise<void>;

  /** The record with this id, or `undefined`. */
  get(tokenId: string): Promise<TokenRecord | undefined>;

  /** The record whose hash is `hash`, or `undefined`. */
  findByHash(hash: Uint8Array): Promise<TokenRecord | undefined>;

  /** Every record, ordered by `createdAt` then `tokenId`. */
  list(): Promise<TokenRecord[]>;

  /**
   * Marks a record revoked (no-op when it already is).
   *
   * @returns the record as now stored
   * @throws AuthError `TOKEN_UNKNOWN` when no record has this id
   */
  revoke(tokenId: string): Promise<TokenRecord>;

  /** Waits for pending writes and releases the store; later calls fail with `TOKEN_STORE_CLOSED`. */
  close(): Promise<void>;
}
