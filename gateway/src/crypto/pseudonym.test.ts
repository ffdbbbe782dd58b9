import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UsccError } from '../domain/uscc.js';
import { PseudonymError } from './errors.js';
import { SUBJECT_REF_PREFIX, subjectRef } from './pseudonym.js';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const USCC = '91350100M000100Y43';
/*
 * Known answer computed with the OpenSSL command line, independently of this code:
 *   printf 'creditchain/subject/v1\0%s' 91350100M000100Y43 \
 *     | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1e1f
 */
const EXPECTED = '27ec7a7298a487148f1141f81918631d0931853012ec5d1e0f65080b356232e4';

describe('subjectRef', () => {
  it('matches the known answer', () => {
    expect(subjectRef(USCC, KEY)).toBe(EXPECTED);
  });

  it('is HMAC-SHA256 over the prefix, a NUL byte and the normalised code', () => {
    expect(SUBJECT_REF_PREFIX).toBe('creditchain/subject/v1\u0000');
    const direct = createHmac('sha256', KEY)
      .update(Buffer.from(`creditchain/subject/v1\u0000${USCC}`))
      .digest('hex');
    expect(subjectRef(USCC, KEY)).toBe(direct);
  });

  it('gives one pseudonym per enterprise however the code is typed', () => {
    expect(subjectRef(' 91350100m000100y43 ', KEY)).toBe(EXPECTED);
  });

  it('is 64 lower-case hex, the format the chaincode requires', () => {
    expect(subjectRef(USCC, KEY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('depends on the key', () => {
    const other = Buffer.from(KEY);
    other[0] = 0xff;
    expect(subjectRef(USCC, other)).not.toBe(EXPECTED);
  });

  it('refuses keys that are not exactly 32 non-zero bytes', () => {
    for (const length of [0, 16, 31, 33, 64]) {
      expect(() => subjectRef(USCC, new Uint8Array(length).fill(7))).toThrow(PseudonymError);
    }
    // The classic mistake: the key's hex text instead of its bytes.
    expect(() => subjectRef(USCC, Buffer.from(KEY.toString('hex')))).toThrow(/INVALID_SUBJECT_KEY/);
    expect(() => subjectRef(USCC, new Uint8Array(32))).toThrow(
      /INVALID_SUBJECT_KEY: the subject key is all zero/,
    );
    expect(() => subjectRef(USCC, new Uint8Array(16))).toThrow(
      expect.objectContaining({ code: 'INVALID_SUBJECT_KEY', name: 'PseudonymError' }),
    );
  });

  it('refuses invalid codes before hashing them', () => {
    expect(() => subjectRef('91350100M000100Y44', KEY)).toThrow(UsccError);
  });
});
