/**
 * AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag, over node:crypto.
 *
 * A thin, length-checked wrapper: `seal` returns `ciphertext || tag`; `open` verifies the tag
 * before returning anything and enforces the full 16-byte tag (node:crypto would otherwise accept
 * truncated tags set with `setAuthTag`).
 *
 * @packageDocumentation
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { copyBytes, isBytes } from './bytes.js';
import { PayloadError } from './errors.js';

/** AES-256 key length in bytes. */
export const AES_256_GCM_KEY_BYTES = 32;
/** GCM nonce (IV) length in bytes. */
export const AES_GCM_NONCE_BYTES = 12;
/** GCM authentication tag length in bytes. */
export const AES_GCM_TAG_BYTES = 16;

function checkKeyAndNonce(key: Uint8Array, nonce: Uint8Array): void {
  if (!isBytes(key) || key.byteLength !== AES_256_GCM_KEY_BYTES) {
    throw new PayloadError('INVALID_DATA_KEY', `the key must be ${AES_256_GCM_KEY_BYTES} bytes`);
  }
  if (!isBytes(nonce) || nonce.byteLength !== AES_GCM_NONCE_BYTES) {
    throw new PayloadError('INVALID_INPUT', `the nonce must be ${AES_GCM_NONCE_BYTES} bytes`);
  }
}

/**
 * Encrypts and authenticates `plaintext`, authenticating `aad` too.
 *
 * The caller must never use a (key, nonce) pair twice.
 *
 * @returns `ciphertext || tag` (plaintext length + 16 bytes)
 * @throws {@link PayloadError} `INVALID_DATA_KEY` or `INVALID_INPUT` for wrong lengths or types
 */
export function aes256GcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  checkKeyAndNonce(key, nonce);
  if (!isBytes(plaintext) || !isBytes(aad))
    throw new PayloadError('INVALID_INPUT', 'plaintext and aad must be bytes');
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return copyBytes(Buffer.concat([head, tail, cipher.getAuthTag()]));
}

/**
 * Verifies and decrypts `ciphertext || tag`.
 *
 * @returns the plaintext, or `undefined` when the input is shorter than a tag or fails
 *   authentication (any changed byte, a different key, nonce or aad)
 * @throws {@link PayloadError} `INVALID_DATA_KEY` or `INVALID_INPUT` for wrong lengths or types
 */
export function aes256GcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | undefined {
  checkKeyAndNonce(key, nonce);
  if (!isBytes(sealed) || !isBytes(aad))
    throw new PayloadError('INVALID_INPUT', 'ciphertext and aad must be bytes');
  if (sealed.byteLength < AES_GCM_TAG_BYTES) return undefined;
  const split = sealed.byteLength - AES_GCM_TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(split));
  const head = decipher.update(sealed.subarray(0, split));
  try {
    const tail = decipher.final();
    return copyBytes(Buffer.concat([head, tail]));
  } catch {
    head.fill(0);
    return undefined;
  }
}
