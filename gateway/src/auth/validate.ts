import { AuthError } from './errors.js';
import { TOKEN_ROLES, type TokenRecord, type TokenRole } from './token-store.js';

/* Checks shared by every TokenStore adapter and the token service. */

const TOKEN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const USER = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HASH_BYTES = 32;

function invalid(message: string): never {
  throw new AuthError('INVALID_ARGUMENT', message);
}

/** Checks a token id. */
export function checkTokenId(value: unknown): string {
  if (typeof value !== 'string' || !TOKEN_ID.test(value))
    invalid('tokenId must be 1 to 64 characters of [A-Za-z0-9_-]');
  return value;
}

/** Checks a user name (same alphabet as wallet user names). */
export function checkUser(value: unknown): string {
  if (typeof value !== 'string' || !USER.test(value))
    invalid('user must be 1 to 128 characters of [A-Za-z0-9._@-] starting with a letter or digit');
  return value;
}

/** Checks a role. */
export function checkRole(value: unknown): TokenRole {
  if (!TOKEN_ROLES.includes(value as TokenRole)) invalid(`role must be one of ${TOKEN_ROLES.join(', ')}`);
  return value as TokenRole;
}

/** Checks an instant in `toISOString()` form. */
export function checkInstant(value: unknown, name: string): string {
  if (typeof value !== 'string' || !INSTANT.test(value) || new Date(value).toISOString() !== value)
    invalid(`${name} must be a UTC instant as produced by Date.prototype.toISOString()`);
  return value;
}

/** Checks a SHA-256 hash. */
export function checkHash(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_BYTES) invalid('hash must be 32 bytes');
  return value;
}

/** Checks a record and returns a copy of it. */
export function checkRecord(value: unknown): TokenRecord {
  if (typeof value !== 'object' || value === null) invalid('token record must be an object');
  const r = value as Readonly<Record<string, unknown>>;
  const tokenId = checkTokenId(r.tokenId);
  const hash = Uint8Array.from(checkHash(r.hash));
  const user = checkUser(r.user);
  const role = checkRole(r.role);
  const createdAt = checkInstant(r.createdAt, 'createdAt');
  if (typeof r.revoked !== 'boolean') invalid('revoked must be a boolean');
  const base = { tokenId, hash, user, role, createdAt, revoked: r.revoked };
  if (r.expiresAt === undefined) return base;
  const expiresAt = checkInstant(r.expiresAt, 'expiresAt');
  if (expiresAt <= createdAt) invalid('expiresAt must be after createdAt');
  return { ...base, expiresAt };
}

/** A copy of a record sharing no bytes with it. */
export function copyRecord(record: TokenRecord): TokenRecord {
  return { ...record, hash: Uint8Array.from(record.hash) };
}

/** Orders records by `createdAt`, then `tokenId`. */
export function byCreation(a: TokenRecord, b: TokenRecord): number {
  const ka = `${a.createdAt} ${a.tokenId}`;
  const kb = `${b.createdAt} ${b.tokenId}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
