import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from './canonical.js';
import { PayloadError } from './errors.js';
import {
  CIPHERTEXT_OVERHEAD_BYTES,
  REPORT_AAD,
  commitmentOf,
  openReport,
  sealReport,
  sizeBucketOf,
  verifyAnchor,
  type SealedReport,
} from './payload.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const DATA_KEY = '404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f';
const NONCE = '606162636465666768696a6b';
const SALT = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
const REPORT = { currency: 'CNY', amount: 12500.5, overdue: false, category: 'loan' };
const PLAINTEXT = '{"amount":12500.5,"category":"loan","currency":"CNY","overdue":false}';
/*
 * Known answers computed outside this code base with Python `cryptography` 48 (AESGCM, hashlib,
 * hmac) for the fixed data key, nonce and salt above; the commitment also with the OpenSSL command
 * line: printf '%s' "$PLAINTEXT" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$SALT.
 */
const CIPHERTEXT =
  '606162636465666768696a6bd70a686868e1fed22bbb480430b66c253a00cc72764af4696108b29a91e06b944181cf32' +
  '59a8aafbda9cce4b620c3a08bd68346e5964c2c200647d1e99a3f6d625cddc2b32dbed1e2e81160242a1d01aa631423814';
const CIPHERTEXT_HASH = 'fd3e55899b7fce0022a19d9171a63823d0bc92194ae1b9868f3bfbf25fcdaf1d';
const COMMITMENT = '20532afc1d1de48d4ce0b63354afde51e35bb6927415071a4f0dc87e4629055f';

/** A "random" source replaying fixed bytes, for the known-answer test only. */
function replay(...chunks: string[]): (size: number) => Uint8Array {
  const queue = chunks.map(hex);
  return (size) => {
    const next = queue.shift();
    if (next?.length !== size) throw new Error(`unexpected draw of ${size} bytes`);
    return next;
  };
}

function fixedSeal(): SealedReport {
  return sealReport(canonicalBytes(REPORT), { randomBytes: replay(DATA_KEY, NONCE, SALT) });
}

describe('sealReport / openReport / verifyAnchor', () => {
  it('known answer: fixed key, nonce and salt', () => {
    const sealed = fixedSeal();
    expect(Buffer.from(canonicalBytes(REPORT)).toString()).toBe(PLAINTEXT);
    expect(toHex(sealed.ciphertext)).toBe(CIPHERTEXT);
    expect(sealed.ciphertextHash).toBe(CIPHERTEXT_HASH);
    expect(sealed.commitment).toBe(COMMITMENT);
    expect(sealed.sizeBucket).toBe('XS');
    expect(toHex(sealed.dataKey)).toBe(DATA_KEY);
    expect(toHex(sealed.salt)).toBe(SALT);
  });

  it('cross-check: the layout is nonce || AES-256-GCM(aad = creditchain/report/v1) || tag, hashes as specified', () => {
    const cipher = createCipheriv('aes-256-gcm', hex(DATA_KEY), hex(NONCE));
    cipher.setAAD(Buffer.from(REPORT_AAD));
    const expected = Buffer.concat([
      hex(NONCE),
      cipher.update(PLAINTEXT),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    expect(toHex(expected)).toBe(CIPHERTEXT);
    expect(createHash('sha256').update(expected).digest('hex')).toBe(CIPHERTEXT_HASH);
    expect(createHmac('sha256', hex(SALT)).update(PLAINTEXT).digest('hex')).toBe(COMMITMENT);
    expect(commitmentOf(hex(SALT), Buffer.from(PLAINTEXT))).toBe(COMMITMENT);
  });

  it('opens the known-answer ciphertext', () => {
    expect(Buffer.from(openReport({ ciphertext: hex(CIPHERTEXT), dataKey: hex(DATA_KEY) })).toString()).toBe(
      PLAINTEXT,
    );
  });

  it('round-trips with fresh randomness, drawing a new key, nonce and salt every time', () => {
    const plaintext = canonicalBytes(REPORT);
    const a = sealReport(plaintext);
    const b = sealReport(plaintext);
    expect(openReport(a)).toEqual(plaintext);
    expect(a.ciphertext.length).toBe(plaintext.length + CIPHERTEXT_OVERHEAD_BYTES);
    expect(a.dataKey.length).toBe(32);
    expect(a.salt.length).toBe(32);
    expect(toHex(a.dataKey)).not.toBe(toHex(b.dataKey));
    expect(toHex(a.ciphertext.subarray(0, 12))).not.toBe(toHex(b.ciphertext.subarray(0, 12)));
    expect(a.commitment).not.toBe(b.commitment); // salted: equal reports do not show on the ledger
    expect(a.ciphertextHash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyAnchor({ ciphertext: a.ciphertext, salt: a.salt, plaintext }, a)).toEqual({ ok: true });
  });

  it('returns fresh, exactly sized buffers', () => {
    const sealed = sealReport(new Uint8Array(10));
    for (const bytes of [sealed.ciphertext, sealed.dataKey, sealed.salt]) {
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    }
  });

  it('detects tampering with PAYLOAD_TAMPERED', () => {
    const sealed = fixedSeal();
    for (const index of [0, 11, 12, 40, sealed.ciphertext.length - 1]) {
      const changed = Uint8Array.from(sealed.ciphertext);
      changed[index] = (changed[index] ?? 0) ^ 0x80;
      expect(() => openReport({ ciphertext: changed, dataKey: sealed.dataKey })).toThrow(
        expect.objectContaining({ name: 'PayloadError', code: 'PAYLOAD_TAMPERED' }),
      );
    }
    const truncated = sealed.ciphertext.subarray(0, CIPHERTEXT_OVERHEAD_BYTES - 1);
    expect(() => openReport({ ciphertext: truncated, dataKey: sealed.dataKey })).toThrow(/PAYLOAD_TAMPERED/);
    const otherKey = Uint8Array.from(sealed.dataKey);
    otherKey[0] = (otherKey[0] ?? 0) ^ 1;
    expect(() => openReport({ ciphertext: sealed.ciphertext, dataKey: otherKey })).toThrow(
      /PAYLOAD_TAMPERED/,
    );
    expect(() => openReport({ ciphertext: sealed.ciphertext, dataKey: new Uint8Array(16) })).toThrow(
      expect.objectContaining({ code: 'INVALID_DATA_KEY' }),
    );
  });

  it('verifyAnchor says which check failed', () => {
    const sealed = fixedSeal();
    const plaintext = canonicalBytes(REPORT);
    const material = { ciphertext: sealed.ciphertext, salt: sealed.salt, plaintext };
    const anchor = { ciphertextHash: CIPHERTEXT_HASH, commitment: COMMITMENT, sizeBucket: 'XS' } as const;
    expect(verifyAnchor(material, anchor)).toEqual({ ok: true });

    const changedCiphertext = Uint8Array.from(sealed.ciphertext);
    changedCiphertext[20] = (changedCiphertext[20] ?? 0) ^ 1;
    expect(verifyAnchor({ ...material, ciphertext: changedCiphertext }, anchor)).toEqual({
      ok: false,
      failed: ['CIPHERTEXT_HASH'],
    });

    const otherPlaintext = canonicalBytes({ ...REPORT, amount: 1 });
    expect(verifyAnchor({ ...material, plaintext: otherPlaintext }, anchor)).toEqual({
      ok: false,
      failed: ['COMMITMENT'],
    });
    expect(verifyAnchor({ ...material, salt: new Uint8Array(32) }, anchor)).toEqual({
      ok: false,
      failed: ['COMMITMENT'],
    });
    expect(verifyAnchor({ ...material, salt: sealed.salt.subarray(0, 16) }, anchor)).toEqual({
      ok: false,
      failed: ['COMMITMENT'],
    });
    expect(verifyAnchor(material, { ...anchor, sizeBucket: 'S' })).toEqual({
      ok: false,
      failed: ['SIZE_BUCKET'],
    });
    expect(
      verifyAnchor(material, { ciphertextHash: CIPHERTEXT_HASH.toUpperCase(), commitment: 'x' }),
    ).toEqual({
      ok: false,
      failed: ['CIPHERTEXT_HASH', 'COMMITMENT'],
    });
  });

  it('size buckets follow the chaincode: XS ≤ 4 KiB, S ≤ 64 KiB, M ≤ 1 MiB, L ≤ 16 MiB, XL', () => {
    const cases: [number, string][] = [
      [0, 'XS'],
      [4096, 'XS'],
      [4097, 'S'],
      [65536, 'S'],
      [65537, 'M'],
      [1048576, 'M'],
      [1048577, 'L'],
      [16777216, 'L'],
      [16777217, 'XL'],
    ];
    for (const [length, bucket] of cases) expect(sizeBucketOf(length)).toBe(bucket);
    expect(sealReport(new Uint8Array(4097)).sizeBucket).toBe('S');
    expect(() => sizeBucketOf(-1)).toThrow(PayloadError);
  });

  it('refuses a random source that returns the wrong length', () => {
    expect(() => sealReport(new Uint8Array(1), { randomBytes: () => new Uint8Array(8) })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
