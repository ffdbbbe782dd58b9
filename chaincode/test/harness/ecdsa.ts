/**
 * ECDSA P-256 signatures the way Fabric wants them: SHA-256 digest, ASN.1 DER encoding, and a
 * "low-S" value (Fabric's BCCSP rejects signatures whose S exceeds n/2).
 */
import { sign, verify, X509Certificate } from 'node:crypto';

/** Order of the P-256 group. */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P256_HALF_N = P256_N >> 1n;

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function bigIntTo32Bytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

/** DER-encodes a non-negative INTEGER (minimal length, leading 0x00 when the high bit is set). */
function derInteger(value: Buffer): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  let body = value.subarray(i);
  if (((body[0] ?? 0) & 0x80) !== 0) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

/**
 * Parses a DER `ECDSA-Sig-Value` (`SEQUENCE { r INTEGER, s INTEGER }`) as produced for P-256.
 * @throws if the encoding is malformed.
 */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } {
  const buf = Buffer.from(der);
  const fail = (): never => {
    throw new Error('malformed DER ECDSA signature');
  };
  if (buf[0] !== 0x30 || buf[1] !== buf.length - 2) fail();
  let off = 2;
  const readInt = (): bigint => {
    if (buf[off] !== 0x02) fail();
    const len = buf[off + 1] ?? fail();
    const start = off + 2;
    if (len === 0 || start + len > buf.length) fail();
    off = start + len;
    return bytesToBigInt(buf.subarray(start, start + len));
  };
  const r = readInt();
  const s = readInt();
  if (off !== buf.length) fail();
  return { r, s };
}

/**
 * Signs `data` with ECDSA over SHA-256 and returns a low-S, DER-encoded signature.
 * @param privateKeyPem PKCS#8 (or SEC1) PEM private key on P-256.
 * @param data message bytes; they are hashed with SHA-256 before signing.
 */
export function signLowS(privateKeyPem: string, data: Uint8Array): Buffer {
  const raw = sign('sha256', data, { key: privateKeyPem, dsaEncoding: 'ieee-p1363' });
  const r = raw.subarray(0, 32);
  let s = bytesToBigInt(raw.subarray(32));
  if (s > P256_HALF_N) s = P256_N - s;
  const body = Buffer.concat([derInteger(r), derInteger(bigIntTo32Bytes(s))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/**
 * Verifies a DER ECDSA/SHA-256 signature by the key in `certPem`, enforcing low-S as Fabric does.
 * @returns false for a bad, malformed or high-S signature.
 */
export function verifyLowS(certPem: string, data: Uint8Array, derSignature: Uint8Array): boolean {
  let parsed: { r: bigint; s: bigint };
  try {
    parsed = parseDerSignature(derSignature);
  } catch {
    return false;
  }
  if (parsed.s > P256_HALF_N || parsed.s === 0n || parsed.r === 0n) return false;
  const key = new X509Certificate(certPem).publicKey;
  return verify('sha256', data, { key, dsaEncoding: 'der' }, derSignature);
}
