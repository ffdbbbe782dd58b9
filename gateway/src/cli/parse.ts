/**
 * Validation of the commands' options and arguments. Every parser either returns a well-formed
 * value or throws a {@link CliError} `INVALID_OPTION` naming the option and the expected form, before
 * anything is sent or written.
 *
 * @packageDocumentation
 */
import { ERASURE_REASONS } from '../../../chaincode/src/validate.js';
import { isIdempotencyKey } from '../client/gateway-client.js';
import { normaliseUscc, UsccError } from '../domain/uscc.js';
import { invalidOption } from './errors.js';

const CODE = /^[a-z][a-z0-9_]{1,31}$/;
const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INSTITUTION = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;
const SCHEMA_VERSION = /^[0-9]+(\.[0-9]+){0,2}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^(?:\d+[smhdw])+$/;
const DURATION_PART = /(\d+)([smhdw])/g;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const USER = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
/** Consent categories per consent, as the contract allows. */
const MAX_CATEGORIES = 32;
/** Latest instant the contract accepts (9999-12-31T23:59:59Z). */
const MAX_UNIX = 253402300799;

/**
 * A duration such as `30d`, `12h`, `90m`, `45s`, `2w` or `1d12h`, in seconds.
 *
 * @throws CliError `INVALID_OPTION`
 */
export function parseDuration(text: string, option: string): number {
  const value = text.trim();
  if (!DURATION.test(value))
    throw invalidOption(`${option} must be a duration such as 30d, 12h, 90m, 45s, 2w or 1d12h`);
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(DURATION_PART))
    seconds += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 1);
  if (!Number.isSafeInteger(seconds) || seconds <= 0)
    throw invalidOption(`${option} must be a positive duration`);
  return seconds;
}

/**
 * An instant: a duration from `now` (`30d`), a day (`2027-01-31`, midnight UTC) or an ISO 8601
 * date-time with a zone (`2027-01-31T12:00:00Z`, `...+08:00`).
 *
 * @throws CliError `INVALID_OPTION`
 */
export function parseInstant(text: string, option: string, now: Date): Date {
  const value = text.trim();
  if (DURATION.test(value)) return new Date(now.getTime() + parseDuration(value, option) * 1000);
  const day = DAY.exec(value);
  let at: Date | undefined;
  if (day) {
    at = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== value) at = undefined;
  } else if (INSTANT.test(value)) {
    at = new Date(value);
  }
  if (at === undefined || Number.isNaN(at.getTime()))
    throw invalidOption(
      `${option} must be a duration from now (30d), a day (2027-01-31) or a date-time with a zone (2027-01-31T12:00:00Z)`,
    );
  return at;
}

/** Unix seconds of `at`, within the range the contract accepts. */
export function unixSeconds(at: Date, option: string): number {
  const seconds = Math.floor(at.getTime() / 1000);
  if (seconds < 0 || seconds > MAX_UNIX) throw invalidOption(`${option} must be between 1970 and 9999`);
  return seconds;
}

/**
 * A comma-separated list of category codes (`business,basic`): 1 to 32 distinct codes.
 *
 * @throws CliError `INVALID_OPTION`
 */
export function parseCategories(text: string, option = '--categories'): string[] {
  const items = text.split(',').map((c) => c.trim());
  if (items.length === 0 || items.some((c) => c === ''))
    throw invalidOption(`${option} must be a comma-separated list of category codes, e.g. business,basic`);
  for (const c of items) parseCode(c, option);
  if (new Set(items).size !== items.length) throw invalidOption(`${option} lists a category twice`);
  if (items.length > MAX_CATEGORIES)
    throw invalidOption(`${option} may list at most ${MAX_CATEGORIES} categories`);
  return items;
}

/** A category or purpose code: 2 to 32 of `[a-z0-9_]` starting with a letter. */
export function parseCode(text: string, option: string): string {
  if (!CODE.test(text))
    throw invalidOption(`${option} must be a code of 2 to 32 characters of [a-z0-9_] starting with a letter`);
  return text;
}

/** An MSP id (`PearlMSP`). */
export function parseMspId(text: string, option: string): string {
  if (!MSP_ID.test(text)) throw invalidOption(`${option} must be an MSP id such as PearlMSP`);
  return text;
}

/** An institution code (`PRD-BANK-01`). */
export function parseInstitution(text: string, option: string): string {
  if (!INSTITUTION.test(text))
    throw invalidOption(`${option} must be an institution code of 2 to 64 characters of [A-Za-z0-9._-]`);
  return text;
}

/** A subject pseudonym: 64 lower-case hex characters. */
export function parseSubjectRef(text: string, option = '--subject-ref'): string {
  if (!HEX64.test(text)) throw invalidOption(`${option} must be 64 lower-case hex characters`);
  return text;
}

/** A consent id: 64 lower-case hex characters. */
export function parseConsentId(text: string, option = 'consentId'): string {
  if (!HEX64.test(text)) throw invalidOption(`${option} must be 64 lower-case hex characters`);
  return text;
}

/** A report id. */
export function parseReportId(text: string, option = 'reportId'): string {
  if (!REPORT_ID.test(text))
    throw invalidOption(
      `${option} must be 3 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit`,
    );
  return text;
}

/** A schema version (`1.0`). */
export function parseSchemaVersion(text: string, option = '--schema-version'): string {
  if (!SCHEMA_VERSION.test(text)) throw invalidOption(`${option} must be a version such as 1.0`);
  return text;
}

/** A day `YYYY-MM-DD`. */
export function parseDay(text: string, option: string): string {
  const at = DAY.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  if (!at || Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== text)
    throw invalidOption(`${option} must be a day YYYY-MM-DD`);
  return text;
}

/** A USCC, normalised (trimmed, upper case) and checked; the message never repeats it. */
export function parseUscc(text: string, option = '--uscc'): string {
  try {
    return normaliseUscc(text);
  } catch (err) {
    if (err instanceof UsccError)
      throw invalidOption(
        `${option} is not a valid Unified Social Credit Code (${err.problem})`,
        'check the 18 characters and the check character',
      );
    throw err;
  }
}

/** An erasure reason of the contract. */
export function parseErasureReason(text: string, option = '--reason'): string {
  if (!(ERASURE_REASONS as readonly string[]).includes(text))
    throw invalidOption(`${option} must be one of ${ERASURE_REASONS.join(', ')}`);
  return text;
}

/** An integer from `min` to `max`. */
export function parseInteger(text: string, option: string, min: number, max: number): number {
  const n = /^[0-9]+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw invalidOption(`${option} must be an integer from ${min} to ${max}`);
  return n;
}

/** A wallet user name (`User1`). */
export function parseUser(text: string, option: string): string {
  if (!USER.test(text))
    throw invalidOption(
      `${option} must be 1 to 128 characters of [A-Za-z0-9._@-] starting with a letter or digit`,
    );
  return text;
}

/** A token role. */
export function parseRole(text: string, option = '--role'): 'member' | 'regulator' | 'admin' {
  if (text !== 'member' && text !== 'regulator' && text !== 'admin')
    throw invalidOption(`${option} must be member, regulator or admin`);
  return text;
}

/** An Idempotency-Key, when given. */
export function parseIdempotencyKey(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isIdempotencyKey(text))
    throw invalidOption(
      '--idempotency-key must be 1 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit',
    );
  return text;
}

/** A token id (`tok_...`). */
export function parseTokenId(text: string, option = 'tokenId'): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text))
    throw invalidOption(`${option} must be 1 to 64 characters of [A-Za-z0-9_-]`);
  return text;
}
