import { hkdfSync, scrypt } from 'node:crypto';

/*
 * Key derivation for stored identities: scrypt turns the wallet secret and the identity's salt into
 * a master key; HKDF-SHA256 splits it into the AES-256-GCM key and a check value that tells a wrong
 * secret apart from altered data.
 */

/** scrypt cost parameters of format version 1. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;

/** Salt length, bytes. */
export const SALT_BYTES = 16;

/** scrypt needs 128·N·r bytes (32 MiB here); Node's default ceiling is exactly that, so allow more. */
const MAX_MEM = 64 * 1024 * 1024;

/** Keys derived from the secret and one salt. */
export interface DerivedKeys {
  /** AES-256-GCM key. */
  readonly encryption: Buffer;
  /** Stored next to the ciphertext; equal only when the secret is right. */
  readonly check: Buffer;
}

function scryptAsync(secret: Uint8Array, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { ...SCRYPT_PARAMS, maxmem: MAX_MEM }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

function expand(master: Buffer, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, salt, info, 32));
}

/** Derives the keys of one stored identity; runs scrypt off the main thread. */
export async function deriveKeys(secret: Uint8Array, salt: Uint8Array): Promise<DerivedKeys> {
  const master = await scryptAsync(secret, salt);
  try {
    return {
      encryption: expand(master, salt, 'creditchain/wallet/v1/aes-256-gcm'),
      check: expand(master, salt, 'creditchain/wallet/v1/check'),
    };
  } finally {
    master.fill(0);
  }
}
