import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthError } from './errors.js';
import type { TokenRecord, TokenRole, TokenStore } from './token-store.js';
import { checkRole, checkTokenId, checkUser } from './validate.js';

/*
 * API tokens: 'cc_' + base64url(32 random bytes). The gateway stores only SHA-256(token) with the
 * token's metadata; the token itself exists only in the admin's answer to `issue` and in callers'
 * requests. Verification hashes the presented token, looks the hash up and compares it in constant
 * time. Lookup by hash leaks no more than whether a presented token exists, and a 256-bit random
 * token cannot be guessed.
 */

const PREFIX = 'cc_';
const TOKEN = /^cc_[A-Za-z0-9_-]{43}$/;

/** A token's metadata, as listed and as returned by verification. */
export type TokenInfo = Omit<TokenRecord, 'hash'>;

/** What `issue` returns: the token, shown once, and its metadata. */
export interface IssuedToken {
  /** The bearer token. Hand it to the user and forget it: it is not stored and cannot be shown again. */
  readonly token: string;
  readonly info: TokenInfo;
}

/** What to issue. */
export interface TokenRequest {
  readonly user: string;
  readonly role: TokenRole;
  /** End of validity; no expiry when absent. Must be in the future. */
  readonly expiresAt?: Date;
}

/** Options of {@link ApiTokens}. */
export interface ApiTokensOptions {
  /** The clock; `() => new Date()` when absent. */
  readonly now?: () => Date;
}

/** A new random token. */
export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 of a token's UTF-8 text. */
export function hashToken(token: string): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(token, 'utf8').digest());
}

/** Whether `value` has the form of a token. */
export function isTokenFormat(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

function infoOf(record: TokenRecord): TokenInfo {
  const { tokenId, user, role, createdAt, expiresAt, revoked } = record;
  return { tokenId, user, role, createdAt, ...(expiresAt === undefined ? {} : { expiresAt }), revoked };
}

/**
 * Issues, verifies, lists and revokes the gateway's API tokens over a {@link TokenStore}.
 *
 * @example
 * ```ts
 * const tokens = new ApiTokens(await LevelTokenStore.open(dir));
 * const { token, info } = await tokens.issue({ user: 'alice', role: 'member' });
 * const caller = await tokens.verify(token); // throws AuthError TOKEN_UNKNOWN / TOKEN_EXPIRED / TOKEN_REVOKED
 * ```
 */
export class ApiTokens {
  readonly #store: TokenStore;
  readonly #now: () => Date;

  /**
   * @param store - where token records live
   * @param options - the clock
   */
  constructor(store: TokenStore, options: ApiTokensOptions = {}) {
    this.#store = store;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Issues a token for `request.user`.
   *
   * @throws AuthError `INVALID_ARGUMENT` for a malformed user or role, or an expiry not in the future
   */
  async issue(request: TokenRequest): Promise<IssuedToken> {
    const user = checkUser(request.user);
    const role = checkRole(request.role);
    const now = this.#now();
    const { expiresAt } = request;
    if (expiresAt !== undefined && !(expiresAt instanceof Date && expiresAt.getTime() > now.getTime()))
      throw new AuthError('INVALID_ARGUMENT', 'expiresAt must be a Date in the future');
    const token = generateToken();
    const record: TokenRecord = {
      tokenId: `tok_${randomBytes(12).toString('base64url')}`,
      hash: hashToken(token),
      user,
      role,
      createdAt: now.toISOString(),
      ...(expiresAt === undefined ? {} : { expiresAt: expiresAt.toISOString() }),
      revoked: false,
    };
    await this.#store.put(record);
    return { token, info: infoOf(record) };
  }

  /**
   * Who `token` authenticates.
   *
   * @throws AuthError `TOKEN_UNKNOWN` (malformed or never issued), `TOKEN_REVOKED`, `TOKEN_EXPIRED`
   * (at or after `expiresAt`); revocation is reported before expiry
   */
  async verify(token: unknown): Promise<TokenInfo> {
    if (!isTokenFormat(token)) throw unknownToken();
    const hash = hashToken(token);
    const record = await this.#store.findByHash(hash);
    if (!record || record.hash.length !== hash.length || !timingSafeEqual(record.hash, hash))
      throw unknownToken();
    const { tokenId } = record;
    if (record.revoked) throw new AuthError('TOKEN_REVOKED', `token ${tokenId} was revoked`, { tokenId });
    if (record.expiresAt !== undefined && this.#now().getTime() >= Date.parse(record.expiresAt))
      throw new AuthError('TOKEN_EXPIRED', `token ${tokenId} expired at ${record.expiresAt}`, { tokenId });
    return infoOf(record);
  }

  /**
   * Revokes a token by id; revoking twice is a no-op.
   *
   * @throws AuthError `TOKEN_UNKNOWN`
   */
  async revoke(tokenId: string): Promise<TokenInfo> {
    return infoOf(await this.#store.revoke(checkTokenId(tokenId)));
  }

  /** Every token's metadata (no hashes), by issue time. */
  async list(): Promise<TokenInfo[]> {
    return (await this.#store.list()).map(infoOf);
  }
}

function unknownToken(): AuthError {
  return new AuthError('TOKEN_UNKNOWN', 'the token is not known');
}
