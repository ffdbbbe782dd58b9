import { fail } from './errors';
import { parseDay } from './time';

/*
 * Input validators. Every argument that reaches the ledger passes one of these first; each throws
 * INVALID_ARGUMENT naming the argument and the expected form.
 */

const HEX64 = /^[0-9a-f]{64}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;
const CODE = /^[a-z][a-z0-9_]{1,31}$/;
const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INSTITUTION = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const SCHEMA_VERSION = /^[0-9]+(\.[0-9]+){0,2}$/;
const CASE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{2,63}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const NAME_MAX = 128;

export const SIZE_BUCKETS = ['XS', 'S', 'M', 'L', 'XL'] as const;
export const ERASURE_REASONS = [
  'SUBJECT_REQUEST',
  'RETENTION_EXPIRED',
  'DATA_ERROR',
  'LEGAL_ORDER',
  'PROVIDER_WITHDRAWAL',
] as const;

function check(ok: boolean, name: string, expected: string): void {
  if (!ok) fail('INVALID_ARGUMENT', `${name} must be ${expected}`);
}

/** A subject pseudonym, report hash or commitment: 64 lower-case hex characters. */
export function hex64(value: string, name: string): string {
  check(HEX64.test(value), name, '64 lower-case hex characters');
  return value;
}

/** Report ids and similar identifiers chosen by gateways. */
export function identifier(value: string, name: string): string {
  check(ID.test(value), name, '3 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit');
  return value;
}

/** A requester's idempotency key for an access request. */
export function requestId(value: string, name = 'requestId'): string {
  check(
    REQUEST_ID.test(value),
    name,
    '8 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit',
  );
  return value;
}

/** Category, purpose and alliance codes. */
export function code(value: string, name: string): string {
  check(CODE.test(value), name, 'a code of 2 to 32 characters of [a-z0-9_] starting with a letter');
  return value;
}

export function mspId(value: string, name = 'mspId'): string {
  check(MSP_ID.test(value), name, 'an MSP id of up to 64 characters of [A-Za-z0-9._-]');
  return value;
}

export function institution(value: string, name = 'institution'): string {
  check(INSTITUTION.test(value), name, 'an institution code of 2 to 64 characters of [A-Za-z0-9._-]');
  return value;
}

export function keyId(value: string, name = 'keyId'): string {
  check(KEY_ID.test(value), name, 'a key id of up to 64 characters of [A-Za-z0-9._:-]');
  return value;
}

export function schemaVersion(value: string, name = 'schemaVersion'): string {
  check(SCHEMA_VERSION.test(value), name, 'a version such as 1, 1.2 or 1.2.3');
  return value;
}

export function caseReference(value: string, name = 'caseReference'): string {
  check(CASE_REFERENCE.test(value), name, '3 to 64 characters of [A-Za-z0-9._:/-]');
  return value;
}

/** An Ethereum address, in any letter case. */
export function address(value: string, name: string): string {
  check(ADDRESS.test(value), name, 'a 0x-prefixed 20-byte hex Ethereum address');
  return value;
}

/** A human-readable name of up to 128 characters without control characters. */
export function displayName(value: unknown, name: string): string {
  check(
    typeof value === 'string' && value.length > 0 && value.length <= NAME_MAX && !hasControlCharacters(value),
    name,
    `a non-empty string of at most ${NAME_MAX} characters`,
  );
  return value as string;
}

function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A calendar date `YYYY-MM-DD`; returns days since the epoch. */
export function day(value: string, name: string): number {
  const days = parseDay(value);
  check(days !== undefined, name, 'a calendar date YYYY-MM-DD');
  return days as number;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  check((allowed as readonly string[]).includes(value), name, `one of ${allowed.join(', ')}`);
  return value as T;
}

/** A page size for paginated queries: an integer from 1 to 100, given as text. */
export function pageSize(value: string): number {
  check(/^[1-9][0-9]{0,2}$/.test(value) && Number(value) <= 100, 'pageSize', 'an integer from 1 to 100');
  return Number(value);
}

/**
 * An opaque bookmark returned by an earlier page, or empty for the first page. Bookmarks are ledger
 * keys, so they contain the key separators U+0000 and U+0001 but no other control character.
 */
export function bookmark(value: string): string {
  check(
    value.length <= 1024 && !hasControlCharacters(value.split('\u0000').join('').split('\u0001').join('')),
    'bookmark',
    'a bookmark from an earlier page',
  );
  return value;
}

/** An integer within [min, max]. */
export function integer(value: unknown, name: string, min: number, max: number): number {
  check(
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max,
    name,
    `an integer from ${min} to ${max}`,
  );
  return value as number;
}

/** Parses a JSON object argument, refusing anything that is not an object with exactly the listed keys. */
export function jsonObject(text: string, name: string, keys: readonly string[]): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('INVALID_ARGUMENT', `${name} must be a JSON object`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail('INVALID_ARGUMENT', `${name} must be a JSON object`);
  }
  const record = parsed as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => !keys.includes(k));
  if (extra.length > 0) fail('INVALID_ARGUMENT', `${name} has unknown field ${extra.sort().join(', ')}`);
  const missing = keys.filter((k) => !(k in record));
  if (missing.length > 0) fail('INVALID_ARGUMENT', `${name} is missing field ${missing.join(', ')}`);
  return record;
}

/** A JSON array of strings, each checked by `item`, without duplicates. */
export function stringList(
  value: unknown,
  name: string,
  item: (v: string, n: string) => string,
  min = 1,
  max = 64,
): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    fail('INVALID_ARGUMENT', `${name} must be a list of ${min} to ${max} entries`);
  }
  const out = value.map((v, i) => {
    if (typeof v !== 'string') fail('INVALID_ARGUMENT', `${name}[${i}] must be a string`);
    return item(v, `${name}[${i}]`);
  });
  if (new Set(out).size !== out.length) fail('INVALID_ARGUMENT', `${name} has duplicate entries`);
  return out;
}

export function str(value: unknown, name: string): string {
  if (typeof value !== 'string') fail('INVALID_ARGUMENT', `${name} must be a string`);
  return value;
}

export function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail('INVALID_ARGUMENT', `${name} must be true or false`);
  return value;
}
