/**
 * Report payload sealing: what a provider gateway stores and anchors when a report is submitted,
 * and what a requester gateway checks when it receives one.
 *
 * ```
 * dataKey   = 32 random bytes (fresh per report)
 * nonce     = 12 random bytes
 * ciphertext = nonce || AES-256-GCM(dataKey, nonce, plaintext, aad = "creditchain/report/v1") || tag
 * salt      = 32 random bytes
 * ciphertextHash = hex(SHA-256(ciphertext))            -- anchored on the ledger
 * commitment     = hex(HMAC-SHA256(salt, plaintext))   -- anchored on the ledger
 * sizeBucket     = XS ≤ 4 KiB < S ≤ 64 KiB < M ≤ 1 MiB < L ≤ 16 MiB < XL, of the plaintext
 * ```
 *
 * The commitment is salted so that the ledger does not let anyone confirm a guessed low-entropy
 * report by hashing it; the salt travels with the ciphertext to an authorised requester only.
 *
 * @packageDocumentation
 */
import { createHash, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';
import {
  AES_GCM_NONCE_BYTES,
  AES_GCM_TAG_BYTES,
  AES_256_GCM_KEY_BYTES,
  aes256GcmOpen,
  aes256GcmSeal,
} from './aes-gcm.js';
import { copyBytes, isBytes } from './bytes.js';
import { PayloadError } from './errors.js';

/** Additional authenticated data of every report ciphertext, version 1. */
export const REPORT_AAD = 'creditchain/report/v1';
/** Length of a report data key in bytes. */
export const DATA_KEY_BYTES = AES_256_GCM_KEY_BYTES;
/** Length of the commitment salt in bytes. */
export const SALT_BYTES = 32;
/** Bytes a ciphertext adds to its plaintext: nonce and tag. */
export const CIPHERTEXT_OVERHEAD_BYTES = AES_GCM_NONCE_BYTES + AES_GCM_TAG_BYTES;

const REPORT_AAD_BYTES = new TextEncoder().encode(REPORT_AAD);
const KIB = 1024;
const MIB = 1024 * KIB;
const HEX64 = /^[0-9a-f]{64}$/;

/** The size classes the chaincode accepts for `sizeBucket`. */
export type SizeBucket = 'XS' | 'S' | 'M' | 'L' | 'XL';

/** The size class of a plaintext of `byteLength` bytes: XS ≤ 4 KiB, S ≤ 64 KiB, M ≤ 1 MiB, L ≤ 16 MiB, else XL. */
export function sizeBucketOf(byteLength: number): SizeBucket {
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) {
    throw new PayloadError('INVALID_INPUT', 'a length must be a non-negative integer');
  }
  if (byteLength <= 4 * KIB) return 'XS';
  if (byteLength <= 64 * KIB) return 'S';
  if (byteLength <= MIB) return 'M';
  if (byteLength <= 16 * MIB) return 'L';
  return 'XL';
}

/** A sealed report: what the provider keeps in its vault and what it anchors on the ledger. */
export interface SealedReport {
  /** `nonce (12) || AES-256-GCM ciphertext || tag (16)`. */
  readonly ciphertext: Uint8Array;
  /** The 32-byte data key. Secret: store it only wrapped or in the encrypted vault. */
  readonly dataKey: Uint8Array;
  /** The 32-byte commitment salt. Secret until released with the payload. */
  readonly salt: Uint8Array;
  /** 64 lower-case hex: SHA-256 of `ciphertext`. */
  readonly ciphertextHash: string;
  /** 64 lower-case hex: HMAC-SHA256 keyed with `salt` over the plaintext. */
  readonly commitment: string;
  /** Size class of the plaintext. */
  readonly sizeBucket: SizeBucket;
}

/** Options of {@link sealReport}. */
export interface SealOptions {
  /**
   * Source of the data key, nonce and salt, called in that order with 32, 12 and 32. Defaults to
   * node:crypto `randomBytes`. Replace it only in known-answer tests: a repeated data key and nonce
   * destroys AES-GCM's confidentiality and integrity.
   */
  readonly randomBytes?: (size: number) => Uint8Array;
}

/**
 * Encrypts a canonical report under a fresh data key and computes its ledger anchors.
 *
 * @param plaintextCanonical - the report as canonical JSON bytes (see {@link canonicalBytes})
 * @throws {@link PayloadError} `INVALID_INPUT` when the plaintext is not bytes or the random source
 *   returns the wrong length
 */
export function sealReport(plaintextCanonical: Uint8Array, options: SealOptions = {}): SealedReport {
  if (!isBytes(plaintextCanonical)) throw new PayloadError('INVALID_INPUT', 'the plaintext must be bytes');
  const random = options.randomBytes ?? nodeRandomBytes;
  const draw = (size: number): Uint8Array => {
    const bytes = random(size);
    if (!isBytes(bytes) || bytes.byteLength !== size) {
      throw new PayloadError('INVALID_INPUT', `the random source must return ${size} bytes`);
    }
    return copyBytes(bytes);
  };
  const dataKey = draw(DATA_KEY_BYTES);
  const nonce = draw(AES_GCM_NONCE_BYTES);
  const salt = draw(SALT_BYTES);
  const sealed = aes256GcmSeal(dataKey, nonce, plaintextCanonical, REPORT_AAD_BYTES);
  const ciphertext = new Uint8Array(nonce.byteLength + sealed.byteLength);
  ciphertext.set(nonce);
  ciphertext.set(sealed, nonce.byteLength);
  return {
    ciphertext,
    dataKey,
    salt,
    ciphertextHash: ciphertextHashOf(ciphertext),
    commitment: commitmentOf(salt, plaintextCanonical),
    sizeBucket: sizeBucketOf(plaintextCanonical.byteLength),
  };
}

/**
 * Decrypts a report ciphertext.
 *
 * @returns the canonical plaintext bytes
 * @throws {@link PayloadError} `PAYLOAD_TAMPERED` when the ciphertext is truncated or fails
 *   authentication (which includes a wrong data key); `INVALID_DATA_KEY` when the key is not 32 bytes
 */
export function openReport(input: {
  readonly ciphertext: Uint8Array;
  readonly dataKey: Uint8Array;
}): Uint8Array {
  const { ciphertext, dataKey } = input;
  if (!isBytes(dataKey) || dataKey.byteLength !== DATA_KEY_BYTES) {
    throw new PayloadError('INVALID_DATA_KEY', `the data key must be ${DATA_KEY_BYTES} bytes`);
  }
  if (!isBytes(ciphertext)) throw new PayloadError('INVALID_INPUT', 'the ciphertext must be bytes');
  if (ciphertext.byteLength < CIPHERTEXT_OVERHEAD_BYTES) {
    throw new PayloadError('PAYLOAD_TAMPERED', 'the ciphertext is truncated');
  }
  const nonce = ciphertext.subarray(0, AES_GCM_NONCE_BYTES);
  const plaintext = aes256GcmOpen(dataKey, nonce, ciphertext.subarray(AES_GCM_NONCE_BYTES), REPORT_AAD_BYTES);
  if (plaintext === undefined) {
    throw new PayloadError('PAYLOAD_TAMPERED', 'the ciphertext failed authentication');
  }
  return plaintext;
}

/** The ledger's `ciphertextHash`: 64 lower-case hex of SHA-256 over the whole ciphertext. */
export function ciphertextHashOf(ciphertext: Uint8Array): string {
  if (!isBytes(ciphertext)) throw new PayloadError('INVALID_INPUT', 'the ciphertext must be bytes');
  return createHash('sha256').update(ciphertext).digest('hex');
}

/**
 * The ledger's `commitment`: 64 lower-case hex of HMAC-SHA256 keyed with the 32-byte `salt` over
 * the plaintext.
 *
 * @throws {@link PayloadError} `INVALID_INPUT` when the salt is not 32 bytes
 */
export function commitmentOf(salt: Uint8Array, plaintext: Uint8Array): string {
  if (!isBytes(salt) || salt.byteLength !== SALT_BYTES) {
    throw new PayloadError('INVALID_INPUT', `the salt must be ${SALT_BYTES} bytes`);
  }
  if (!isBytes(plaintext)) throw new PayloadError('INVALID_INPUT', 'the plaintext must be bytes');
  return createHmac('sha256', salt).update(plaintext).digest('hex');
}

/** A check {@link verifyAnchor} makes. */
export type AnchorCheck = 'CIPHERTEXT_HASH' | 'COMMITMENT' | 'SIZE_BUCKET';

/** Result of {@link verifyAnchor}: every failed check, in the order above. */
export type AnchorVerification =
  { readonly ok: true } | { readonly ok: false; readonly failed: readonly [AnchorCheck, ...AnchorCheck[]] };

/** What the ledger anchors for a report (`Report.ciphertextHash`, `.commitment`, `.sizeBucket`). */
export interface ReportAnchor {
  readonly ciphertextHash: string;
  readonly commitment: string;
  /** Checked only when given. */
  readonly sizeBucket?: SizeBucket;
}

/**
 * Checks a received payload against the report's ledger anchor: SHA-256 of the ciphertext against
 * `ciphertextHash`, HMAC-SHA256(salt, plaintext) against `commitment` and, when the anchor has one,
 * the plaintext's size class against `sizeBucket`.
 *
 * Never throws on untrusted input: a salt of the wrong length, non-bytes or a malformed anchor value
 * make the corresponding check fail. Release the plaintext only when `ok` is true.
 */
export function verifyAnchor(
  material: { readonly ciphertext: Uint8Array; readonly salt: Uint8Array; readonly plaintext: Uint8Array },
  anchor: ReportAnchor,
): AnchorVerification {
  const failed: AnchorCheck[] = [];
  const { ciphertext, salt, plaintext } = material;
  if (
    !isBytes(ciphertext) ||
    !HEX64.test(anchor.ciphertextHash) ||
    ciphertextHashOf(ciphertext) !== anchor.ciphertextHash
  ) {
    failed.push('CIPHERTEXT_HASH');
  }
  const commitmentOk =
    isBytes(salt) &&
    salt.byteLength === SALT_BYTES &&
    isBytes(plaintext) &&
    HEX64.test(anchor.commitment) &&
    commitmentOf(salt, plaintext) === anchor.commitment;
  if (!commitmentOk) failed.push('COMMITMENT');
  if (
    anchor.sizeBucket !== undefined &&
    (!isBytes(plaintext) || sizeBucketOf(plaintext.byteLength) !== anchor.sizeBucket)
  ) {
    failed.push('SIZE_BUCKET');
  }
  const [first, ...rest] = failed;
  return first === undefined ? { ok: true } : { ok: false, failed: [first, ...rest] };
}
