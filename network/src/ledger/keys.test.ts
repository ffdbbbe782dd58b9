import { describe, expect, it } from 'vitest';
import { LedgerError } from './errors.js';
import {
  decodeHistoryHeight,
  decodeStateKey,
  historyKey,
  historyRange,
  stateKey,
  stateRange,
} from './keys.js';

const within = (key: Buffer, range: { gte: Buffer; lt?: Buffer; lte?: Buffer }): boolean =>
  Buffer.compare(key, range.gte) >= 0 &&
  (range.lt === undefined || Buffer.compare(key, range.lt) < 0) &&
  (range.lte === undefined || Buffer.compare(key, range.lte) <= 0);

describe('state keys', () => {
  const keys = [
    '',
    'a',
    'a\x00',
    'a\x00b',
    'ab',
    '\x00',
    '\x00x\x00y\x00',
    '\x7f',
    '\u0080',
    '\uFFFD',
    '\u{10000}',
    '\u{10FFFF}',
  ];

  it('sort within a namespace in UTF-8 byte order', () => {
    const byEncoding = [...keys].sort((x, y) => Buffer.compare(stateKey('cc', x), stateKey('cc', y)));
    const byUtf8 = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(byEncoding).toEqual(byUtf8);
  });

  it('round-trip and never collide across namespaces', () => {
    for (const key of keys) expect(decodeStateKey(stateKey('cc', key))).toEqual({ ns: 'cc', key });
    expect(stateKey('a', 'bc').equals(stateKey('ab', 'c'))).toBe(false);
    const whole = stateRange('ab', '', '');
    expect(within(stateKey('ab', '\u{10FFFF}\u{10FFFF}'), whole)).toBe(true);
    for (const [ns, key] of [
      ['a', 'b'],
      ['abc', ''],
      ['ab\x00', ''],
      ['b', ''],
    ] as const) {
      expect(within(stateKey(ns, key), whole)).toBe(false);
    }
  });

  it('refuse strings without an exact UTF-8 form', () => {
    expect(() => stateKey('cc', 'x\uD800')).toThrow(LedgerError);
    expect(() => stateKey('\uDFFF', 'x')).toThrow(LedgerError);
    expect(() => stateKey('x'.repeat(70_000), 'x')).toThrow(/namespace longer/);
  });
});

describe('history keys', () => {
  it('keep keys that extend one another apart', () => {
    const range = historyRange('cc', 'a');
    expect(within(historyKey('cc', 'a', 0, 0), range)).toBe(true);
    expect(within(historyKey('cc', 'a', 2 ** 40, 2 ** 31), range)).toBe(true);
    expect(within(historyKey('cc', 'a\x00', 0, 0), range)).toBe(false);
    expect(within(historyKey('cc', 'a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00', 0, 0), range)).toBe(
      false,
    );
    expect(within(historyKey('cc', '', 0, 0), range)).toBe(false);
  });

  it('order by (block, tx) and decode the height', () => {
    const a = historyKey('cc', 'k', 1, 5);
    const b = historyKey('cc', 'k', 2, 0);
    const c = historyKey('cc', 'k', 256, 0);
    expect(Buffer.compare(a, b)).toBeLessThan(0);
    expect(Buffer.compare(b, c)).toBeLessThan(0);
    expect(decodeHistoryHeight(c)).toEqual({ blockNum: 256, txNum: 0 });
  });
});
