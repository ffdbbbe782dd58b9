import { CanonicalJsonError } from '../crypto/errors.js';
import { canonicalBytes } from '../crypto/canonical.js';
import { subjectRef } from '../crypto/pseudonym.js';
import { UsccError } from '../domain/uscc.js';
import type { SchemaCatalogue } from '../schemas/catalogue.js';
import { ServiceError } from './errors.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The subject pseudonym of a USCC.
 *
 * @throws {@link ServiceError} `INVALID_USCC` (the message never repeats the input)
 */
export function pseudonymOf(uscc: unknown, subjectKey: Uint8Array): string {
  try {
    if (typeof uscc !== 'string') throw new UsccError('CHARACTERS');
    return subjectRef(uscc, subjectKey);
  } catch (cause) {
    if (cause instanceof UsccError)
      throw new ServiceError('INVALID_USCC', `not a valid Unified Social Credit Code (${cause.problem})`, {
        cause,
      });
    throw cause;
  }
}

/**
 * Validates `payload` against its schema and size limit and returns its canonical bytes.
 *
 * @throws {@link ServiceError} `UNKNOWN_CATEGORY`, `UNKNOWN_SCHEMA_VERSION`, `SCHEMA_VIOLATION`,
 *   `PAYLOAD_TOO_LARGE`, `INVALID_REQUEST` (not canonical JSON)
 */
export function canonicalReport(
  catalogue: SchemaCatalogue,
  category: string,
  schemaVersion: string,
  payload: unknown,
  maxBytes: number,
): Uint8Array {
  const check = catalogue.check(category, schemaVersion, payload);
  if (!check.ok) {
    if (check.problem === 'UNKNOWN_CATEGORY')
      throw new ServiceError('UNKNOWN_CATEGORY', `category ${category} is not configured at this gateway`);
    if (check.problem === 'UNKNOWN_SCHEMA_VERSION')
      throw new ServiceError(
        'UNKNOWN_SCHEMA_VERSION',
        `category ${category} has no schema version ${schemaVersion}`,
      );
    throw new ServiceError(
      'SCHEMA_VIOLATION',
      `the report does not conform to ${category} ${schemaVersion}`,
      {
        violations: check.violations,
      },
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = canonicalBytes(payload);
  } catch (cause) {
    if (cause instanceof CanonicalJsonError)
      throw new ServiceError(
        'INVALID_REQUEST',
        `the report is not canonical JSON (${cause.problem} at ${cause.path})`,
        {
          cause,
        },
      );
    throw cause;
  }
  if (bytes.byteLength > maxBytes)
    throw new ServiceError(
      'PAYLOAD_TOO_LARGE',
      `the canonical report is ${bytes.byteLength} bytes; the limit is ${maxBytes}`,
    );
  return bytes;
}

/**
 * Checks an optional event end date (`YYYY-MM-DD`, a real day).
 *
 * @throws {@link ServiceError} `INVALID_REQUEST`
 */
export function checkEventEndDate(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && DAY.test(value)) {
    const date = new Date(`${value}T00:00:00.000Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)) return value;
  }
  throw new ServiceError('INVALID_REQUEST', 'eventEndDate must be a date YYYY-MM-DD');
}
