/*
 * Period bounds of audit queries: a UTC day `YYYY-MM-DD` or an instant `YYYY-MM-DDTHH:MM:SS[.f]Z`,
 * normalised to the form the read model's keys use (instants with nine fraction digits), so that a
 * bound compares with stored instants as text.
 */
import { AuditError } from './errors.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

function validDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * A normalised bound, or `''` when `text` is undefined or empty.
 *
 * @throws {@link AuditError} `INVALID_REQUEST` naming `name`
 */
export function periodBound(text: string | undefined, name: string): string {
  if (text === undefined || text === '') return '';
  if (validDay(text)) return text;
  const m = INSTANT.exec(text);
  if (m && validDay(m[1] ?? '')) {
    const [, day, hh, mm, ss, fraction] = m;
    if (Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60)
      return `${day}T${hh}:${mm}:${ss}.${(fraction ?? '').padEnd(9, '0')}Z`;
  }
  throw new AuditError(
    'INVALID_REQUEST',
    `${name} must be a day YYYY-MM-DD or an instant YYYY-MM-DDTHH:MM:SS[.fraction]Z`,
  );
}

/**
 * A period `[from, to)` from two optional bounds.
 *
 * @throws {@link AuditError} `INVALID_REQUEST` when a bound is malformed or `to` is not after `from`
 */
export function period(from: string | undefined, to: string | undefined): { from: string; to: string } {
  const f = periodBound(from, 'from');
  const t = periodBound(to, 'to');
  if (f !== '' && t !== '' && t <= f) throw new AuditError('INVALID_REQUEST', 'to must be after from');
  return { from: f, to: t };
}

/** Days since the epoch of a valid `YYYY-MM-DD`. */
function dayNumber(text: string): number {
  return Date.parse(`${text}T00:00:00Z`) / 86_400_000;
}

/**
 * A statement period of whole days `[from, to)`, both required, at most `maxDays` long.
 *
 * @throws {@link AuditError} `INVALID_REQUEST`
 */
export function dayPeriod(
  from: string | undefined,
  to: string | undefined,
  maxDays: number,
): { from: string; to: string } {
  if (from === undefined || !validDay(from) || to === undefined || !validDay(to))
    throw new AuditError('INVALID_REQUEST', 'from and to must be days YYYY-MM-DD');
  const days = dayNumber(to) - dayNumber(from);
  if (days <= 0 || days > maxDays)
    throw new AuditError('INVALID_REQUEST', `to must be after from, at most ${maxDays} days later`);
  return { from, to };
}

/** Nanoseconds since the epoch of a stored instant (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`). */
export function instantNanos(instant: string): bigint {
  const m = INSTANT.exec(instant);
  if (!m) throw new RangeError(`not an instant: ${instant}`);
  const [, day, hh, mm, ss, fraction] = m;
  const seconds = Date.parse(`${day}T${hh}:${mm}:${ss}Z`) / 1000;
  return BigInt(seconds) * 1_000_000_000n + BigInt((fraction ?? '').padEnd(9, '0'));
}
