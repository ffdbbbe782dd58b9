/**
 * Calendar arithmetic on proleptic Gregorian dates without `Date` (chaincode must not read a clock;
 * these functions are pure). Algorithms from Howard Hinnant's `chrono`-compatible date library.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a civil date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a count of days since 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` of a count of days since the epoch. */
export function formatDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Parses a valid `YYYY-MM-DD` date into days since the epoch, or returns undefined. */
export function parseDay(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const days = daysFromCivil(year, month, day);
  const back = civilFromDays(days);
  return back.month === month && back.day === day ? days : undefined;
}

/** The date `years` years after `text` (a valid `YYYY-MM-DD`); 29 February maps to 28 February. */
export function addYears(text: string, years: number): string {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  let day = d;
  if (m === 2 && d === 29 && parseDay(`${pad(y + years, 4)}-02-29`) === undefined) day = 28;
  return `${pad(y + years, 4)}-${pad(m, 2)}-${pad(day, 2)}`;
}

/** A transaction timestamp as seconds and nanoseconds since the epoch. */
export interface TxTime {
  readonly seconds: number;
  readonly nanos: number;
}

/** ISO 8601 UTC with nanoseconds (`2026-11-26T10:15:30.123456789Z`); sorts lexicographically. */
export function formatInstant(t: TxTime): string {
  const days = Math.floor(t.seconds / 86400);
  const secOfDay = t.seconds - days * 86400;
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  return `${formatDay(days)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(t.nanos, 9)}Z`;
}
