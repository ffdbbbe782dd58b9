import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import {
  parseCategories,
  parseDay,
  parseDuration,
  parseErasureReason,
  parseIdempotencyKey,
  parseInstant,
  parseInteger,
  parseRole,
  parseSubjectRef,
  parseUscc,
  unixSeconds,
} from './parse.js';

function refusal(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe('INVALID_OPTION');
    return err as CliError;
  }
  throw new Error('expected a refusal');
}

describe('option parsing', () => {
  it('reads durations in seconds', () => {
    expect(parseDuration('45s', '--ttl')).toBe(45);
    expect(parseDuration('90m', '--ttl')).toBe(5400);
    expect(parseDuration('12h', '--ttl')).toBe(43_200);
    expect(parseDuration('30d', '--ttl')).toBe(2_592_000);
    expect(parseDuration('2w', '--ttl')).toBe(1_209_600);
    expect(parseDuration('1d12h', '--ttl')).toBe(129_600);
    expect(parseDuration(' 7d ', '--ttl')).toBe(604_800);
    for (const bad of ['', '30', 'd', '30x', '-5d', '1.5d', '0d', '30 d', '99999999999999999w'])
      expect(refusal(() => parseDuration(bad, '--ttl')).message).toContain('--ttl');
  });

  it('reads instants as durations from now, days or zoned date-times', () => {
    const now = new Date('2026-11-26T10:00:00.000Z');
    expect(parseInstant('30d', '--not-after', now).toISOString()).toBe('2026-12-26T10:00:00.000Z');
    expect(parseInstant('2027-01-31', '--not-after', now).toISOString()).toBe('2027-01-31T00:00:00.000Z');
    expect(parseInstant('2027-01-31T12:00:00+08:00', '--not-after', now).toISOString()).toBe(
      '2027-01-31T04:00:00.000Z',
    );
    expect(parseInstant('2027-01-31T12:00Z', '--not-after', now).toISOString()).toBe(
      '2027-01-31T12:00:00.000Z',
    );
    for (const bad of ['2027-02-30', '2027-01-31T12:00:00', 'tomorrow', '31/01/2027', '2027-13-01', ''])
      expect(refusal(() => parseInstant(bad, '--not-after', now)).message).toContain('--not-after');
    expect(refusal(() => unixSeconds(new Date('+010000-01-01T00:00:00Z'), '--not-after')).message).toContain(
      '9999',
    );
    expect(unixSeconds(new Date('2027-01-31T00:00:00.999Z'), '--x')).toBe(Date.UTC(2027, 0, 31) / 1000);
  });

  it('reads a categories list: codes, no blanks, no duplicates, at most 32', () => {
    expect(parseCategories('business,basic')).toEqual(['business', 'basic']);
    expect(parseCategories(' business , basic ')).toEqual(['business', 'basic']);
    expect(parseCategories('warning')).toEqual(['warning']);
    expect(refusal(() => parseCategories('business,,basic')).message).toContain('comma-separated');
    expect(refusal(() => parseCategories('')).message).toContain('comma-separated');
    expect(refusal(() => parseCategories('business,business')).message).toContain('twice');
    expect(refusal(() => parseCategories('Business')).message).toContain('[a-z0-9_]');
    expect(refusal(() => parseCategories('credit-enhancement')).message).toContain('[a-z0-9_]');
    const many = Array.from({ length: 33 }, (_, i) => `c${i}`).join(',');
    expect(refusal(() => parseCategories(many)).message).toContain('at most 32');
  });

  it('normalises USCCs and refuses bad ones without repeating them', () => {
    expect(parseUscc(' 91350100m000100y43 ')).toBe('91350100M000100Y43');
    const bad = '91350100M000100Y44';
    const err = refusal(() => parseUscc(bad));
    expect(err.message).toContain('CHECK_CHARACTER');
    expect(err.message).not.toContain(bad);
    expect(refusal(() => parseUscc('123')).message).toContain('LENGTH');
  });

  it('checks ids, days, reasons, roles, integers and idempotency keys', () => {
    expect(parseSubjectRef('a'.repeat(64))).toBe('a'.repeat(64));
    refusal(() => parseSubjectRef('A'.repeat(64)));
    expect(parseDay('2024-02-29', '--event-end-date')).toBe('2024-02-29');
    refusal(() => parseDay('2023-02-29', '--event-end-date'));
    expect(parseErasureReason('DATA_ERROR')).toBe('DATA_ERROR');
    expect(refusal(() => parseErasureReason('because')).message).toContain('SUBJECT_REQUEST');
    expect(parseRole('regulator')).toBe('regulator');
    refusal(() => parseRole('owner'));
    expect(parseInteger('7', '--max-uses', 1, 10)).toBe(7);
    for (const bad of ['0', '11', '1.5', '-1', 'x', ''])
      refusal(() => parseInteger(bad, '--max-uses', 1, 10));
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('retry-1')).toBe('retry-1');
    refusal(() => parseIdempotencyKey('bad key'));
    refusal(() => parseIdempotencyKey('x'.repeat(129)));
  });
});
