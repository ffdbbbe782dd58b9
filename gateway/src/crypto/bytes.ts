/**
 * Small byte helpers shared by the crypto modules. Not cryptography: copying and encoding only.
 *
 * @packageDocumentation
 */

/**
 * A copy of `bytes` in a fresh, exactly-sized `ArrayBuffer`. Node's `Buffer` may be a view into a
 * shared pool; returning copies keeps secrets from sharing memory with unrelated data and makes
 * `.buffer` safe to hand to Web Crypto APIs.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** True when `value` is a `Uint8Array` (a `Buffer` counts). */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 (RFC 4648 §4, padded) to bytes, or `undefined` when `text` is not
 * canonical base64. `Buffer.from(text, 'base64')` alone silently skips invalid characters.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Reject non-canonical encodings (non-zero padding bits) so that one key has one spelling.
  if (Buffer.from(bytes).toString('base64') !== text) return undefined;
  return copyBytes(bytes);
}

/** Bytes to standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
