import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derSignatureS, signLowS, verifyLowS } from './signing.js';
import {
  acquireSharedVerifier,
  defaultVerifyThreads,
  inlineVerifier,
  VerifyPool,
  type SignatureCheck,
  type SignatureVerifier,
} from './verify-pool.js';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** The same signature with S replaced by n - S: valid ECDSA, refused by Fabric's low-S rule. */
function highS(der: Buffer): Buffer {
  const s = N - (derSignatureS(der) ?? 0n);
  const rLen = der[3] ?? 0;
  const r = der.subarray(4, 4 + rLen);
  let sBytes = Buffer.from(s.toString(16).padStart(64, '0'), 'hex');
  if ((sBytes[0] ?? 0) & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, sBytes.length]), sBytes]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** A mix of genuine and bad signatures by several keys, with the verdict node:crypto gives each. */
function checks(): Array<{ check: SignatureCheck; expected: boolean; what: string }> {
  const alice = keyPair();
  const bob = keyPair();
  const out: Array<{ check: SignatureCheck; expected: boolean; what: string }> = [];
  for (let i = 0; i < 40; i++) {
    const message = Buffer.from(`transaction ${i} `.repeat(50 + i));
    const signer = i % 2 === 0 ? alice : bob;
    const signature = signLowS(signer.privateKey, message);
    out.push({
      what: `genuine ${i}`,
      expected: true,
      check: { publicKey: signer.publicKey, message, signature },
    });
    const other = i % 2 === 0 ? bob : alice;
    out.push({
      what: `signed by another key ${i}`,
      expected: false,
      check: { publicKey: signer.publicKey, message, signature: signLowS(other.privateKey, message) },
    });
    const tampered = Buffer.from(message);
    tampered[i] = (tampered[i] ?? 0) ^ 1;
    out.push({
      what: `tampered message ${i}`,
      expected: false,
      check: { publicKey: signer.publicKey, message: tampered, signature },
    });
  }
  const message = Buffer.from('high S');
  const low = signLowS(alice.privateKey, message);
  out.push({
    what: 'high-S twin of a genuine signature',
    expected: false,
    check: { publicKey: alice.publicKey, message, signature: highS(low) },
  });
  out.push({
    what: 'not DER',
    expected: false,
    check: { publicKey: alice.publicKey, message, signature: Buffer.from('not a signature') },
  });
  out.push({
    what: 'empty signature',
    expected: false,
    check: { publicKey: alice.publicKey, message, signature: new Uint8Array() },
  });
  const big = Buffer.alloc(64 * 1024, 7);
  // A view into a larger buffer: only the viewed bytes are the message.
  const view = big.subarray(1000, 3000);
  out.push({
    what: 'message viewed in a larger buffer',
    expected: true,
    check: { publicKey: bob.publicKey, message: view, signature: signLowS(bob.privateKey, view) },
  });
  return out;
}

describe('signature verification on worker threads', () => {
  const cases = checks();
  let pool: VerifyPool;

  beforeAll(() => {
    pool = VerifyPool.start(2);
  });

  afterAll(async () => {
    await pool.close();
  });

  it('the cases are what verifyLowS says they are', () => {
    for (const c of cases)
      expect(verifyLowS(c.check.publicKey, c.check.message, c.check.signature), c.what).toBe(c.expected);
  });

  it.each<[string, () => SignatureVerifier]>([
    ['inline', () => inlineVerifier],
    ['the pool', () => pool],
  ])(
    '%s accepts genuine signatures and rejects forged, tampered, high-S and malformed ones',
    async (_, get) => {
      const verifier = get();
      const verdicts = await verifier.verifyAll(cases.map((c) => c.check));
      expect(verdicts).toEqual(cases.map((c) => c.expected));
      for (const c of cases.slice(0, 6)) expect(await verifier.verify(c.check), c.what).toBe(c.expected);
    },
  );

  it('gives each of many concurrent callers its own verdicts', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, k) => {
        const mine = cases.filter((_c, i) => i % 8 === k);
        return pool.verifyAll(mine.map((c) => c.check)).then((v) => ({ v, mine }));
      }),
    );
    for (const { v, mine } of results) expect(v).toEqual(mine.map((c) => c.expected));
  });

  it('verifies on the calling thread once closed, with the same verdicts', async () => {
    const closed = VerifyPool.start(1);
    expect(closed.threads).toBe(1);
    await closed.close();
    expect(closed.threads).toBe(0);
    expect(await closed.verifyAll(cases.map((c) => c.check))).toEqual(cases.map((c) => c.expected));
  });

  it('a worker that dies leaves its checks to the calling thread, with the same verdicts', async () => {
    const dying = VerifyPool.start(1);
    const pending = dying.verifyAll(cases.map((c) => c.check));
    await dying.close(); // terminates the worker while the batch may be in flight
    expect(await pending).toEqual(cases.map((c) => c.expected));
  });

  it('the shared pool serves several users and follows CREDITCHAIN_VERIFY_THREADS', async () => {
    const a = acquireSharedVerifier();
    const b = acquireSharedVerifier();
    const [va, vb] = await Promise.all([
      a.verifyAll(cases.map((c) => c.check)),
      b.verifyAll(cases.map((c) => c.check)),
    ]);
    expect(va).toEqual(cases.map((c) => c.expected));
    expect(vb).toEqual(va);
    a.release();
    b.release();
    expect(defaultVerifyThreads({ CREDITCHAIN_VERIFY_THREADS: '0' })).toBe(0);
    expect(defaultVerifyThreads({ CREDITCHAIN_VERIFY_THREADS: '3' })).toBe(3);
    expect(defaultVerifyThreads({})).toBeGreaterThanOrEqual(1);
  });
});
