import { VaultError } from './errors.js';
import type { ActiveReport, IdempotencyRecord, ReportSummary, StoredReport } from './types.js';
import {
  checkActiveReport,
  checkErasedReport,
  checkIdempotencyRecord,
  checkReportSummary,
} from './validate.js';

/*
 * Value format of LevelVault, version 1. Every value is UTF-8 JSON with a version field `v`; bytes
 * are standard base64 with padding. Report metadata and report contents are separate values, so that
 * listings never read ciphertext and erasure deletes the contents value outright.
 *
 *   reports/<reportId>      {"v":1,"reportId","subjectRef","category","schemaVersion","createdAt",
 *                            "status":"active"}
 *                           or the tombstone: same fields with "status":"erased","erasedAt","reason"
 *   payloads/<reportId>     {"v":1,"ciphertext":b64,"salt":b64,
 *                            "wrappedKey":{"keyId","enc":b64,"ciphertext":b64}}   (active only)
 *   idempotency/<key>       {"v":1,"key","requestHash","response":<JSON>,"createdAt"}
 *
 * Decoding checks the version and every field with the same validators as writes; anything else is
 * VAULT_CORRUPT.
 */

const VERSION = 1;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Json = Readonly<Record<string, unknown>>;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function bytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !BASE64.test(value)) return undefined;
  return Uint8Array.from(Buffer.from(value, 'base64'));
}

function corrupt(what: string, cause?: unknown): VaultError {
  return new VaultError(
    'VAULT_CORRUPT',
    `stored ${what} cannot be decoded`,
    cause === undefined ? {} : { cause },
  );
}

function parse(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw corrupt(what, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(what);
  const json = value as Json;
  if (json.v !== VERSION) throw corrupt(`${what} (unknown version ${String(json.v)})`);
  return json;
}

function checked<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw corrupt(what, err);
  }
}

/** The `reports` value of a report or tombstone. */
export function encodeMeta(report: StoredReport): string {
  const { reportId, subjectRef, category, schemaVersion, createdAt } = report;
  const meta = {
    v: VERSION,
    reportId,
    subjectRef,
    category,
    schemaVersion,
    createdAt,
    status: report.status,
  };
  return JSON.stringify(
    report.status === 'erased' ? { ...meta, erasedAt: report.erasedAt, reason: report.reason } : meta,
  );
}

/** The `payloads` value of an active report. */
export function encodePayload(report: ActiveReport): string {
  return JSON.stringify({
    v: VERSION,
    ciphertext: b64(report.ciphertext),
    salt: b64(report.salt),
    wrappedKey: {
      keyId: report.wrappedKey.keyId,
      enc: b64(report.wrappedKey.enc),
      ciphertext: b64(report.wrappedKey.ciphertext),
    },
  });
}

/**
 * Decodes a report from its `reports` value and, for an active report, its `payloads` value.
 *
 * @throws VaultError `VAULT_CORRUPT` when a value is malformed or the two disagree
 */
export function decodeReport(
  reportId: string,
  metaText: string,
  payloadText: string | undefined,
): StoredReport {
  const what = `report ${reportId}`;
  const meta = parse(metaText, what);
  if (meta.reportId !== reportId) throw corrupt(`${what} (stored under another id)`);
  if (meta.status === 'erased') {
    if (payloadText !== undefined) throw corrupt(`${what} (tombstone with contents)`);
    return checked(what, () => checkErasedReport(meta));
  }
  if (payloadText === undefined) throw corrupt(`${what} (contents missing)`);
  const payload = parse(payloadText, what);
  const wrapped = (payload.wrappedKey ?? {}) as Json;
  return checked(what, () =>
    checkActiveReport({
      ...meta,
      ciphertext: bytes(payload.ciphertext),
      salt: bytes(payload.salt),
      wrappedKey: { keyId: wrapped.keyId, enc: bytes(wrapped.enc), ciphertext: bytes(wrapped.ciphertext) },
    }),
  );
}

/** Decodes the listing entry of a `reports` value; contents are not needed. */
export function decodeSummary(reportId: string, metaText: string): ReportSummary {
  const what = `report ${reportId}`;
  const meta = parse(metaText, what);
  if (meta.reportId !== reportId) throw corrupt(`${what} (stored under another id)`);
  return checked(what, () => checkReportSummary(meta));
}

/** The `idempotency` value of a record. */
export function encodeIdempotency(record: IdempotencyRecord): string {
  const { key, requestHash, response, createdAt } = record;
  return JSON.stringify({ v: VERSION, key, requestHash, response, createdAt });
}

/** Decodes an `idempotency` value. */
export function decodeIdempotency(key: string, text: string): IdempotencyRecord {
  const what = `idempotency record ${key}`;
  const json = parse(text, what);
  if (json.key !== key) throw corrupt(`${what} (stored under another key)`);
  return checked(what, () => checkIdempotencyRecord(json));
}
