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

function toFixed32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

/** Signs `message` (SHA-256 then ECDSA P-256), returning a DER signature with low S. */
export function signLowS(key: KeyObject, message: Uint8Array): Buffer {
  const p1363 = sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
  const r = p1363.subarray(0, 32);
  let s = BigInt(`0x${p1363.subarray(32).toString('hex')}`);
  if (s > HALF_N) s = P256_N - s;
  return p1363ToDer(Buffer.concat([r, toFixed32(s)]));
}

function derInteger(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let v = bytes.subarray(i);
  if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02, v.length]), v]);
}

function p1363ToDer(sig: Buffer): Buffer {
  const body = Buffer.concat([derInteger(sig.subarray(0, 32)), derInteger(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** The S value of a DER ECDSA signature, or undefined when it is not well-formed DER. */
export function derSignatureS(der: Uint8Array): bigint | undefined {
  const b = Buffer.from(der);
  if (b.length < 8 || b[0] !== 0x30 || b[1] !== b.length - 2 || b[2] !== 0x02) return undefined;
  const rLen = b[3] ?? 0;
  const sTag = 4 + rLen;
  if (b[sTag] !== 0x02) return undefined;
  const sLen = b[sTag + 1] ?? 0;
  if (sTag + 2 + sLen !== b.length) return undefined;
  return BigInt(`0x${b.subarray(sTag + 2).toString('hex') || '0'}`);
}

/** Verifies a DER ECDSA P-256 signature over `message`, refusing high-S signatures as Fabric does. */
export function verifyLowS(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  const s = derSignatureS(signature);
  if (s === undefined || s === 0n || s > HALF_N) return false;
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
