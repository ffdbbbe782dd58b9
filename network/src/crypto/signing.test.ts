import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derSignatureS, hasLowS, signLowS, verifyLowS } from './signing.js';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF = N >> 1n;

/** A DER signature with the given R and S byte strings, encoded exactly as given. */
function der(r: Uint8Array, s: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function bytes(v: bigint, length = 32): Buffer {
  return Buffer.from(v.toString(16).padStart(length * 2, '0'), 'hex');
}

/** The low-S rule computed with big integers, the reference for {@link hasLowS}. */
function lowSReference(sig: Uint8Array): boolean {
  const s = derSignatureS(sig);
  return s !== undefined && s !== 0n && s <= HALF;
}

describe('low-S ECDSA signatures', () => {
  it('signs with a low S in minimal DER that node:crypto verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 300; i++) {
      const message = randomBytes(1 + (i % 100));
      const sig = signLowS(privateKey, message);
      expect(verify('sha256', message, publicKey, sig)).toBe(true);
      expect(verifyLowS(publicKey, message, sig)).toBe(true);
      const s = derSignatureS(sig) ?? 0n;
      expect(s > 0n && s <= HALF).toBe(true);
      // Minimal DER: no superfluous leading zero in R or S.
      const rLen = sig[3] ?? 0;
      const r = sig.subarray(4, 4 + rLen);
      const sBytes = sig.subarray(6 + rLen);
      for (const v of [r, sBytes]) {
        if (v.length > 1) expect(v[0] === 0 && ((v[1] ?? 0) & 0x80) === 0).toBe(false);
        expect((v[0] ?? 0) & 0x80).toBe(0);
      }
    }
  });

  it('decides low S exactly as the big-integer rule, at the edges and at random', () => {
    const r = bytes(12345n);
    const values: Uint8Array[] = [
      new Uint8Array(),
      Buffer.from([0]),
      Buffer.from([0, 0]),
      Buffer.from([1]),
      bytes(HALF),
      bytes(HALF - 1n),
      bytes(HALF + 1n),
      bytes(N - 1n),
      Buffer.concat([Buffer.from([0]), bytes(HALF)]),
      Buffer.concat([Buffer.from([0, 0]), bytes(HALF + 1n)]),
      Buffer.concat([Buffer.from([1]), bytes(5n)]),
      bytes(5n, 33),
    ];
    for (let i = 0; i < 2000; i++) values.push(randomBytes(1 + (i % 33)));
    for (const s of values) {
      const sig = der(r, s);
      expect(hasLowS(sig), Buffer.from(s).toString('hex')).toBe(lowSReference(sig));
    }
  });

  it('refuses malformed DER', () => {
    const good = der(bytes(7n), bytes(9n));
    for (const bad of [
      new Uint8Array(),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.from([0x31, ...good.subarray(1)]),
    ]) {
      expect(hasLowS(bad)).toBe(false);
      expect(derSignatureS(bad)).toBeUndefined();
    }
  });
});
