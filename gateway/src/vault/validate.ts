import { VaultError } from './errors.js';
import type {
  ActiveReport,
  Erasure,
  ErasedReport,
  IdempotencyRecord,
  JsonValue,
  ReportMeta,
  ReportSummary,
} from './types.js';

/*
 * Argument checks shared by every adapter, so that all refuse exactly the same inputs; the Level
 * codec runs them on decoded records too. They take `unknown` because callers in plain JavaScript,
 * HTTP handlers and the disk can all hand over anything. Identifiers that become index keys are
 * printable ASCII without the index separator, which also makes JavaScript string order equal to
 * LevelDB byte order.
 */

const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;
const SUBJECT_REF = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,255}$/;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const CATEGORY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const SCHEMA_VERSION = /^[0-9]+(\.[0-9]+){0,2}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_BYTES = 64 * 1024 * 1024;
const MAX_REASON = 256;

type Fields = Readonly<Record<string, unknown>>;

function invalid(message: string, reportId?: string): never {
  throw new VaultError('INVALID_ARGUMENT', message, reportId === undefined ? {} : { reportId });
}

function object(value: unknown, name: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(`${name} must be an object`);
  return value as Fields;
}

function matching(value: unknown, re: RegExp): value is string {
  return typeof value === 'string' && re.test(value);
}

/** Checks a report id. */
export function checkReportId(value: unknown): string {
  if (!matching(value, REPORT_ID))
    invalid('reportId must be 3 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit');
  return value;
}

/** Checks a subject pseudonym. */
export function checkSubjectRef(value: unknown): string {
  if (!matching(value, SUBJECT_REF))
    invalid('subjectRef must be 1 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit');
  return value;
}

/** Checks an idempotency key. */
export function checkIdempotencyKey(value: unknown): string {
  if (!matching(value, IDEMPOTENCY_KEY))
    invalid('idempotency key must be 1 to 256 characters of [A-Za-z0-9._:-] starting with a letter or digit');
  return value;
}

/** Checks a lower-case hex SHA-256. */
export function checkRequestHash(value: unknown): string {
  if (!matching(value, HEX64)) invalid('requestHash must be 64 lower-case hex characters');
  return value;
}

/** Checks an instant in `toISOString()` form that denotes a real date and time. */
export function checkInstant(value: unknown, name: string): string {
  if (!matching(value, INSTANT) || new Date(value).toISOString() !== value)
    invalid(`${name} must be a UTC instant as produced by Date.prototype.toISOString()`);
  return value;
}

function checkBytes(value: unknown, name: string, reportId: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0 || value.length > MAX_BYTES)
    invalid(`${name} must be a non-empty Uint8Array of at most ${MAX_BYTES} bytes`, reportId);
  return value;
}

function checkMeta(r: Fields): ReportMeta {
  const reportId = checkReportId(r.reportId);
  const subjectRef = checkSubjectRef(r.subjectRef);
  if (!matching(r.category, CATEGORY))
    invalid(
      'category must be 1 to 64 characters of [A-Za-z0-9._:-] starting with a letter or digit',
      reportId,
    );
  if (!matching(r.schemaVersion, SCHEMA_VERSION))
    invalid('schemaVersion must be a version such as 1, 1.2 or 1.2.3', reportId);
  const createdAt = checkInstant(r.createdAt, 'createdAt');
  return { reportId, subjectRef, category: r.category, schemaVersion: r.schemaVersion, createdAt };
}

/** Checks every field of a report to store. */
export function checkActiveReport(value: unknown): ActiveReport {
  const r = object(value, 'report');
  const meta = checkMeta(r);
  const { reportId } = meta;
  if (r.status !== 'active') invalid('a report is stored with status "active"', reportId);
  const wrapped = object(r.wrappedKey, 'wrappedKey');
  if (!matching(wrapped.keyId, KEY_ID))
    invalid('wrappedKey.keyId must be 1 to 64 characters of [A-Za-z0-9._:-]', reportId);
  return {
    ...meta,
    status: 'active',
    ciphertext: checkBytes(r.ciphertext, 'ciphertext', reportId),
    salt: checkBytes(r.salt, 'salt', reportId),
    wrappedKey: {
      keyId: wrapped.keyId,
      enc: checkBytes(wrapped.enc, 'wrappedKey.enc', reportId),
      ciphertext: checkBytes(wrapped.ciphertext, 'wrappedKey.ciphertext', reportId),
    },
  };
}

/** Checks an erasure. */
export function checkErasure(value: unknown, reportId: string): Erasure {
  const e = object(value, 'erasure');
  const erasedAt = checkInstant(e.erasedAt, 'erasedAt');
  const reason = e.reason;
  if (
    typeof reason !== 'string' ||
    reason.length === 0 ||
    reason.length > MAX_REASON ||
    hasControlCharacters(reason)
  )
    invalid(`reason must be 1 to ${MAX_REASON} characters without control characters`, reportId);
  return { erasedAt, reason };
}

/** Checks a tombstone. */
export function checkErasedReport(value: unknown): ErasedReport {
  const r = object(value, 'report');
  const meta = checkMeta(r);
  if (r.status !== 'erased') invalid('a tombstone has status "erased"', meta.reportId);
  return { ...meta, status: 'erased', ...checkErasure(r, meta.reportId) };
}

/** Checks the listing entry of a report or tombstone. */
export function checkReportSummary(value: unknown): ReportSummary {
  const r = object(value, 'report');
  if (r.status === 'erased') return checkErasedReport(r);
  const meta = checkMeta(r);
  if (r.status !== 'active') invalid('status must be "active" or "erased"', meta.reportId);
  return { ...meta, status: 'active' };
}

/** Checks an idempotency record; its `response` must be a JSON value. */
export function checkIdempotencyRecord(value: unknown): IdempotencyRecord {
  const r = object(value, 'idempotency record');
  const key = checkIdempotencyKey(r.key);
  const requestHash = checkRequestHash(r.requestHash);
  const createdAt = checkInstant(r.createdAt, 'createdAt');
  let text: unknown;
  try {
    text = JSON.stringify(r.response);
  } catch (err) {
    throw new VaultError('INVALID_ARGUMENT', 'response must be JSON-serialisable', {
      cause: err,
      idempotencyKey: key,
    });
  }
  if (typeof text !== 'string') invalid('response must be a JSON value');
  return { key, requestHash, response: JSON.parse(text) as JsonValue, createdAt };
}

function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
