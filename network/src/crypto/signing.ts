import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';

/*
 * ECDSA P-256 signatures as Fabric makes and checks them: the signed message is hashed with SHA-256,
 * signatures are DER, and S must be in the lower half of the curve order (Fabric rejects high-S).
 * node:crypto produces high-S half the time, so every signature is normalised here.
 */

const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF_N = P256_N >> 1n;

/** SHA-256 digest. */
export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/* Big-endian 32-byte forms of the order and its half: S is compared and negated bytewise. */
const N_BYTES = Buffer.from(P256_N.toString(16).padStart(64, '0'), 'hex');
const HALF_N_BYTES = Buffer.from(HALF_N.toString(16).padStart(64, '0'), 'hex');

/** `n - s` for a 32-byte big-endian `s` < n, written into `out`. */
function negateModN(s: Uint8Array, out: Uint8Array): void {
  let borrow = 0;
  for (let i = 31; i >= 0; i--) {
    let d = (N_BYTES[i] ?? 0) - (s[i] ?? 0) - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 256;
    out[i] = d;
  }
}

/** DER INTEGER of an unsigned big-endian value: leading zeros dropped, a zero added before a high bit. */
function derIntegerLength(v: Uint8Array): { start: number; pad: number } {
  let start = 0;
  while (start < v.length - 1 && v[start] === 0) start++;
  return { start, pad: (v[start] ?? 0) & 0x80 ? 1 : 0 };
}

/** Signs `message` (SHA-256 then ECDSA P-256), returning a DER signature with low S. */
export function signLowS(key: KeyObject, message: Uint8Array): Buffer {
  const p1363 = sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
  const r = p1363.subarray(0, 32);
  const s = p1363.subarray(32, 64);
  if (Buffer.compare(s, HALF_N_BYTES) > 0) negateModN(s, s);
  const rl = derIntegerLength(r);
  const sl = derIntegerLength(s);
  const rLen = 32 - rl.start + rl.pad;
  const sLen = 32 - sl.start + sl.pad;
  const der = Buffer.alloc(6 + rLen + sLen);
  der[0] = 0x30;
  der[1] = 4 + rLen + sLen;
  der[2] = 0x02;
  der[3] = rLen;
  der.set(r.subarray(rl.start), 4 + rl.pad);
  der[4 + rLen] = 0x02;
  der[5 + rLen] = sLen;
  der.set(s.subarray(sl.start), 6 + rLen + sl.pad);
  return der;
}

/** The S bytes of a DER ECDSA signature (as encoded), or undefined when it is not well-formed DER. */
function derSBytes(b: Uint8Array): Uint8Array | undefined {
  if (b.length < 8 || b[0] !== 0x30 || b[1] !== b.length - 2 || b[2] !== 0x02) return undefined;
  const rLen = b[3] ?? 0;
  const sTag = 4 + rLen;
  if (b[sTag] !== 0x02) return undefined;
  const sLen = b[sTag + 1] ?? 0;
  if (sTag + 2 + sLen !== b.length) return undefined;
  return b.subarray(sTag + 2);
}

/** The S value of a DER ECDSA signature, or undefined when it is not well-formed DER. */
export function derSignatureS(der: Uint8Array): bigint | undefined {
  const s = derSBytes(der);
  return s === undefined ? undefined : BigInt(`0x${Buffer.from(s).toString('hex') || '0'}`);
}

/** Whether `signature` is well-formed DER with 0 < S <= n/2 (Fabric refuses high-S signatures). */
export function hasLowS(signature: Uint8Array): boolean {
  const s = derSBytes(signature);
  if (s === undefined) return false;
  let start = 0;
  while (start < s.length && s[start] === 0) start++;
  const significant = s.length - start;
  if (significant === 0 || significant > 32) return false;
  for (let i = 0; i < 32; i++) {
    const byte = i < 32 - significant ? 0 : (s[start + i - (32 - significant)] ?? 0);
    const half = HALF_N_BYTES[i] ?? 0;
    if (byte !== half) return byte < half;
  }
  return true;
}

/** Verifies a DER ECDSA P-256 signature over `message`, refusing high-S signatures as Fabric does. */
export function verifyLowS(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (!hasLowS(signature)) return false;
  try {
    return verify('sha256', message, publicKey, signature);
  } catch {
    return false;
  }
}

/** An identity that can sign: an MSP member with its certificate and private key. */
export interface SigningIdentity {
  readonly mspId: string;
  readonly certPem: string;
  /** `msp.SerializedIdentity{mspid, id_bytes = PEM}` bytes, the creator/endorser field of Fabric messages. */
  readonly serialized: Uint8Array;
  /** DER low-S ECDSA over SHA-256 of `message`. */
  sign(message: Uint8Array): Buffer;
}

/** Serialises an identity as Fabric's `SerializedIdentity`. */
export function serializeIdentity(mspId: string, certPem: string): Uint8Array {
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(Buffer.from(certPem, 'utf8'));
  return id.serializeBinary();
}

/** Builds a signing identity from PEM certificate and PKCS#8 (or SEC1) private key. */
export function signingIdentity(mspId: string, certPem: string, keyPem: string): SigningIdentity {
  const key = createPrivateKey(keyPem);
  const cert = new X509Certificate(certPem);
  if (!cert.publicKey.equals(createPublicKey(key)))
    throw new Error(`private key does not match the certificate of ${mspId}`);
  const serialized = serializeIdentity(mspId, certPem);
  return { mspId, certPem, serialized, sign: (message) => signLowS(key, message) };
}
