/**
 * Canonical JSON for report payloads: the JSON Canonicalization Scheme, RFC 8785 (JCS).
 *
 * - object members sorted by the UTF-16 code units of their names, at every depth;
 * - numbers in the ECMAScript `Number.prototype.toString` form (RFC 8785 §3.2.2.3), `-0` as `0`;
 * - strings escaped as ECMAScript `JSON.stringify` does (RFC 8785 §3.2.2.2);
 * - no whitespace; UTF-8 output.
 *
 * Input must be in the I-JSON data model (RFC 7493) that RFC 8785 requires: `null`, booleans,
 * finite numbers, strings without lone surrogates, arrays and plain objects. Anything else
 * (`undefined`, functions, symbols, bigints, `NaN`/`Infinity`, class instances such as `Date` or
 * `Map`, sparse arrays, cycles) is refused rather than silently dropped or converted, so the bytes
 * that are hashed and committed to always mean what the caller passed.
 *
 * Duplicate member names cannot be detected here: `JSON.parse` keeps the last one before this
 * module sees the object.
 *
 * @packageDocumentation
 */
import { CanonicalJsonError } from './errors.js';

/** A value in the JSON data model accepted by {@link canonicalize}. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deepest nesting of arrays and objects accepted; deeper input is refused (`TOO_DEEP`). */
export const CANONICAL_MAX_DEPTH = 256;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Serialises `value` as RFC 8785 canonical JSON text.
 *
 * @throws {@link CanonicalJsonError} `NOT_JSON` with the problem and the path of the offending value
 */
export function canonicalize(value: unknown): string {
  return serialise(value, '$', 0, new Set<object>());
}

/**
 * Serialises `value` as RFC 8785 canonical JSON, UTF-8 encoded: the bytes a report is encrypted,
 * hashed and committed as.
 *
 * @throws {@link CanonicalJsonError} `NOT_JSON`
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}

function serialise(value: unknown, path: string, depth: number, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return string(value, path);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError('NON_FINITE_NUMBER', path);
      // RFC 8785 §3.2.2.3: ECMAScript Number serialisation; JSON.stringify also maps -0 to "0".
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      throw new CanonicalJsonError('UNDEFINED', path);
    case 'function':
      throw new CanonicalJsonError('FUNCTION', path);
    case 'symbol':
      throw new CanonicalJsonError('SYMBOL', path);
    case 'bigint':
      throw new CanonicalJsonError('BIGINT', path);
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (depth >= CANONICAL_MAX_DEPTH) throw new CanonicalJsonError('TOO_DEEP', path);
  if (ancestors.has(value)) throw new CanonicalJsonError('CYCLE', path);
  ancestors.add(value);
  try {
    return Array.isArray(value)
      ? array(value, path, depth, ancestors)
      : object(value, path, depth, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function string(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError('LONE_SURROGATE', path);
  // RFC 8785 §3.2.2.2 specifies exactly the escaping of ECMAScript JSON.stringify.
  return JSON.stringify(value);
}

function array(value: unknown[], path: string, depth: number, ancestors: Set<object>): string {
  if (Object.getPrototypeOf(value) !== Array.prototype)
    throw new CanonicalJsonError('NON_PLAIN_OBJECT', path);
  const parts: string[] = [];
  for (let i = 0; i < value.length; i++) {
    if (!Object.hasOwn(value, i)) throw new CanonicalJsonError('SPARSE_ARRAY', `${path}[${i}]`);
    parts.push(serialise(value[i], `${path}[${i}]`, depth + 1, ancestors));
  }
  return `[${parts.join(',')}]`;
}

function object(value: object, path: string, depth: number, ancestors: Set<object>): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError('NON_PLAIN_OBJECT', path);
  if (Object.getOwnPropertySymbols(value).length > 0) throw new CanonicalJsonError('SYMBOL_KEY', path);
  const record = value as Record<string, unknown>;
  // Array.prototype.sort without a comparator orders strings by UTF-16 code units (RFC 8785 §3.2.3).
  const names = Object.keys(record).sort();
  const parts: string[] = [];
  for (const name of names) {
    const memberPath = IDENTIFIER.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
    parts.push(`${string(name, memberPath)}:${serialise(record[name], memberPath, depth + 1, ancestors)}`);
  }
  return `{${parts.join(',')}}`;
}
