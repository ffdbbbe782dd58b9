import { describe, expect, it } from 'vitest';
import { aes256GcmOpen, aes256GcmSeal } from './aes-gcm.js';
import { PayloadError } from './errors.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/*
 * AES-256 test cases 13-16 of the GCM specification (D. McGrew, J. Viega, "The Galois/Counter Mode
 * of Operation (GCM)", submitted to NIST, Appendix B), the known answers NIST SP 800-38D refers to.
 */
const K = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const IV = 'cafebabefacedbaddecaf888';
const P64 = `d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255`;
const C64 = `522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
             8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad`;
const CASES = [
  {
    name: 'test case 13',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    p: '',
    a: '',
    c: '',
    t: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'test case 14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    p: '00'.repeat(16),
    a: '',
    c: 'cea7403d4d606b6e074ec5d3baf39d18',
    t: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  { name: 'test case 15', key: K, iv: IV, p: P64, a: '', c: C64, t: 'b094dac5d93471bdec1a502270e3cc6c' },
  {
    name: 'test case 16 (with AAD)',
    key: K,
    iv: IV,
    p: P64.replace(/\s+/g, '').slice(0, 120),
    a: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    c: C64.replace(/\s+/g, '').slice(0, 120),
    t: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
] as const;

describe('AES-256-GCM', () => {
  it.each(CASES)('GCM specification $name', ({ key, iv, p, a, c, t }) => {
    const sealed = aes256GcmSeal(hex(key), hex(iv), hex(p), hex(a));
    expect(toHex(sealed)).toBe(c.replace(/\s+/g, '') + t);
    expect(toHex(aes256GcmOpen(hex(key), hex(iv), sealed, hex(a)) ?? hex('ff'))).toBe(p.replace(/\s+/g, ''));
  });

  it('refuses any changed byte, a changed aad, a truncated tag or another key', () => {
    const { key, iv, p, a } = CASES[3];
    const sealed = aes256GcmSeal(hex(key), hex(iv), hex(p), hex(a));
    for (const index of [0, 30, sealed.length - 17, sealed.length - 16, sealed.length - 1]) {
      const changed = Uint8Array.from(sealed);
      changed[index] = (changed[index] ?? 0) ^ 0x01;
      expect(aes256GcmOpen(hex(key), hex(iv), changed, hex(a))).toBeUndefined();
    }
    expect(aes256GcmOpen(hex(key), hex(iv), sealed, hex('00'))).toBeUndefined();
    expect(aes256GcmOpen(hex(key), hex(iv), sealed.subarray(0, sealed.length - 1), hex(a))).toBeUndefined();
    expect(aes256GcmOpen(hex(key), hex(iv), sealed.subarray(0, 15), hex(a))).toBeUndefined();
    expect(aes256GcmOpen(new Uint8Array(32), hex(iv), sealed, hex(a))).toBeUndefined();
  });

  it('refuses wrong key and nonce lengths with typed errors', () => {
    expect(() =>
      aes256GcmSeal(new Uint8Array(16), new Uint8Array(12), new Uint8Array(1), new Uint8Array(0)),
    ).toThrow(expect.objectContaining({ code: 'INVALID_DATA_KEY' }));
    expect(() =>
      aes256GcmSeal(new Uint8Array(32), new Uint8Array(16), new Uint8Array(1), new Uint8Array(0)),
    ).toThrow(PayloadError);
  });
});
