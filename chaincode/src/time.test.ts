import { describe, expect, it } from 'vitest';
import { addYears, civilFromDays, daysFromCivil, formatDay, formatInstant, parseDay } from './time';

const MS_PER_DAY = 86_400_000;

/** `YYYY-MM-DD` of a day count, as node's Date computes it (proleptic Gregorian, UTC). */
function dateDay(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day count of a civil date, as node's Date computes it. */
function dateDays(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / MS_PER_DAY);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Day counts from 1600-01-01 to 2400-12-31 (both centuries' 400-year rules), every day. */
const FIRST = dateDays(1600, 1, 1);
const LAST = dateDays(2400, 12, 31);

describe('civilFromDays / daysFromCivil / formatDay', () => {
  it('maps day 0 to 1970-01-01 and back', () => {
    expect(civilFromDays(0)).toEqual({ year: 1970, month: 1, day: 1 });
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(formatDay(-1)).toBe('1969-12-31');
  });

  it("agrees with node's Date for every day from 1600-01-01 to 2400-12-31", () => {
    for (let days = FIRST; days <= LAST; days++) {
      const d = new Date(days * MS_PER_DAY);
      const civil = civilFromDays(days);
      if (
        civil.year !== d.getUTCFullYear() ||
        civil.month !== d.getUTCMonth() + 1 ||
        civil.day !== d.getUTCDate()
      ) {
        expect(civil, `day ${days}`).toEqual({
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
        });
      }
      if (daysFromCivil(civil.year, civil.month, civil.day) !== days) {
        expect(daysFromCivil(civil.year, civil.month, civil.day), `day ${days}`).toBe(days);
      }
      if (formatDay(days) !== dateDay(days)) expect(formatDay(days), `day ${days}`).toBe(dateDay(days));
    }
  });

  it("agrees with node's Date on a sparse sweep from year 1 to 9999", () => {
    const start = dateDays(1, 1, 1);
    const end = dateDays(9999, 12, 31);
    for (let days = start; days <= end; days += 97) {
      const d = new Date(days * MS_PER_DAY);
      expect(civilFromDays(days)).toEqual({
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
      });
      expect(formatDay(days)).toBe(dateDay(days));
    }
    expect(formatDay(end)).toBe('9999-12-31');
    expect(formatDay(start)).toBe('0001-01-01');
  });

  it('counts 366 days in leap years and 365 otherwise, with the century rules', () => {
    for (const year of [1600, 1700, 1800, 1900, 2000, 2023, 2024, 2100, 2400]) {
      const length = daysFromCivil(year + 1, 1, 1) - daysFromCivil(year, 1, 1);
      expect(length, String(year)).toBe(isLeap(year) ? 366 : 365);
    }
    expect(isLeap(2000) && isLeap(2024) && !isLeap(1900) && !isLeap(2100)).toBe(true);
  });
});

describe('parseDay', () => {
  it('parses every valid date of the sweep to its day count', () => {
    for (let days = dateDays(1999, 1, 1); days <= dateDays(2101, 12, 31); days++) {
      const text = dateDay(days);
      if (parseDay(text) !== days) expect(parseDay(text), text).toBe(days);
    }
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseDay('2024-02-29')).toBe(dateDays(2024, 2, 29));
    expect(parseDay('2000-02-29')).toBe(dateDays(2000, 2, 29));
    expect(parseDay('2400-02-29')).toBe(dateDays(2400, 2, 29));
    expect(parseDay('2023-02-29')).toBeUndefined();
    expect(parseDay('1900-02-29')).toBeUndefined();
    expect(parseDay('2100-02-29')).toBeUndefined();
  });

  it.each([
    ['day 31 of a 30-day month', '2026-04-31'],
    ['30 February', '2024-02-30'],
    ['month 0', '2026-00-10'],
    ['month 13', '2026-13-01'],
    ['day 0', '2026-01-00'],
    ['day 32', '2026-01-32'],
    ['single-digit month', '2026-1-01'],
    ['single-digit day', '2026-01-1'],
    ['no separators', '20260101'],
    ['slashes', '2026/01/01'],
    ['a time part', '2026-01-01T00:00:00Z'],
    ['leading whitespace', ' 2026-01-01'],
    ['trailing newline', '2026-01-01\n'],
    ['a five-digit year', '12026-01-01'],
    ['a signed year', '+2026-01-01'],
    ['non-ASCII digits', '２０２６-01-01'],
    ['empty', ''],
  ])('refuses %s', (_label, text) => {
    expect(parseDay(text)).toBeUndefined();
  });
});

describe('addYears', () => {
  it('keeps month and day', () => {
    expect(addYears('2026-03-01', 5)).toBe('2031-03-01');
    expect(addYears('2026-12-31', 1)).toBe('2027-12-31');
    expect(addYears('2024-02-28', 1)).toBe('2025-02-28');
    expect(addYears('2026-01-15', 0)).toBe('2026-01-15');
  });

  it('maps 29 February to 28 February in a common year and keeps it in a leap year', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 5)).toBe('2029-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2024-02-29', 100)).toBe('2124-02-29');
    expect(addYears('2000-02-29', 100)).toBe('2100-02-28');
    expect(addYears('2000-02-29', 400)).toBe('2400-02-29');
  });

  it("agrees with Date's year arithmetic (clamped to month end) for every day of 2023 to 2025", () => {
    for (let days = dateDays(2023, 1, 1); days <= dateDays(2025, 12, 31); days++) {
      const text = dateDay(days);
      for (const years of [1, 3, 5, 10]) {
        const d = new Date(days * MS_PER_DAY);
        const month = d.getUTCMonth();
        d.setUTCFullYear(d.getUTCFullYear() + years);
        if (d.getUTCMonth() !== month) d.setUTCDate(0); // rolled into March: last day of February
        const expected = d.toISOString().slice(0, 10);
        if (addYears(text, years) !== expected)
          expect(addYears(text, years), `${text} + ${years}`).toBe(expected);
      }
    }
  });

  it('always returns a valid date', () => {
    for (const text of ['2024-02-29', '2023-12-31', '2020-02-29', '1996-02-29']) {
      for (let years = 1; years <= 12; years++) expect(parseDay(addYears(text, years))).toBeDefined();
    }
  });
});

describe('formatInstant', () => {
  it('writes ISO 8601 UTC with exactly nine fraction digits', () => {
    expect(formatInstant({ seconds: 0, nanos: 0 })).toBe('1970-01-01T00:00:00.000000000Z');
    expect(formatInstant({ seconds: 1772323200, nanos: 0 })).toBe('2026-03-01T00:00:00.000000000Z');
    expect(formatInstant({ seconds: 1772323200 + 37230, nanos: 123456789 })).toBe(
      '2026-03-01T10:20:30.123456789Z',
    );
    expect(formatInstant({ seconds: 1772323200, nanos: 5 })).toBe('2026-03-01T00:00:00.000000005Z');
    expect(formatInstant({ seconds: 1772323200, nanos: 999999999 })).toBe('2026-03-01T00:00:00.999999999Z');
    expect(formatInstant({ seconds: 1709164799, nanos: 1000 })).toBe('2024-02-28T23:59:59.000001000Z');
    expect(formatInstant({ seconds: 1709164800, nanos: 0 })).toBe('2024-02-29T00:00:00.000000000Z');
  });

  it('handles instants before the epoch', () => {
    expect(formatInstant({ seconds: -1, nanos: 0 })).toBe('1969-12-31T23:59:59.000000000Z');
  });

  it('agrees with Date.toISOString (to the millisecond) over a sweep of instants', () => {
    const start = Date.UTC(1999, 11, 31) / 1000;
    const end = Date.UTC(2101, 0, 2) / 1000;
    for (let seconds = start; seconds <= end; seconds += 7919 * 11) {
      const nanos = (seconds * 7) % 1_000_000_000;
      const iso = new Date(seconds * 1000 + Math.floor(nanos / 1_000_000)).toISOString();
      const ours = formatInstant({ seconds, nanos });
      const expected = `${iso.slice(0, 23)}${String(nanos % 1_000_000).padStart(6, '0')}Z`;
      if (ours !== expected) expect(ours, String(seconds)).toBe(expected);
    }
  });

  it('sorts lexicographically in time order', () => {
    const instants = [
      { seconds: 1772323200, nanos: 2 },
      { seconds: 1772323200, nanos: 10 },
      { seconds: 1772323199, nanos: 999999999 },
      { seconds: 1772323201, nanos: 0 },
      { seconds: 946684800, nanos: 0 },
      { seconds: 4102444800, nanos: 1 },
    ];
    const byTime = [...instants]
      .sort((a, b) => a.seconds - b.seconds || a.nanos - b.nanos)
      .map(formatInstant);
    expect([...byTime].sort()).toEqual(byTime);
  });
});
