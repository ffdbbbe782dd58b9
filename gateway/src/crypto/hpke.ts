/**
 * Data-key wrapping to an organisation's published HPKE key (RFC 9180), used when a provider
 * gateway releases a report to a requester after the access receipt is committed.
 *
 * Suite (the chaincode's `DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM`): KEM 0x0020,
 * KDF 0x0001, AEAD 0x0002, base mode, via `@hpke/core` (X25519 from the platform's Web Crypto).
 *
 * ```
 * info = "creditchain/datakey/v1"
 * aad  = UTF-8(RFC 8785 canonical JSON of { keyId, receiptId, reportId })
 * enc, ciphertext = HPKE.SealBase(pkR, info, aad, dataKey)
 * ```
 *
 * The AAD binds the wrapped key to one report, one receipt and the recipient key id: a wrapped key
 * captured from one delivery does not open for another report or another receipt, and changing
 * the key id it claims makes it fail too.
 *
 * @packageDocumentation
 */
import {
  Aes256Gcm,
  CipherSuite,
  DhkemX25519HkdfSha256,
  EncapError,
  HkdfSha256,
  type CipherSuiteSealResponse,
} from '@hpke/core';
import { copyBytes, decodeBase64, encodeBase64, isBytes } from './bytes.js';
import { canonicalBytes } from './canonical.js';
import { KeyWrapError } from './errors.js';

/** The HPKE suite string the chaincode lists for X25519 keys (`PublishOrgKey`'s `suite`). */
export const HPKE_SUITE = 'DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM';
/** HPKE `info` for data-key wrapping, version 1. */
export const DATA_KEY_INFO = 'creditchain/datakey/v1';
/** Serialised X25519 public key, private key and `enc` length in bytes. */
export const X25519_KEY_BYTES = 32;
/** Length of the data key being wrapped. */
const DATA_KEY_BYTES = 32;
/** AES-256-GCM tag length: a wrapped data key is 32 + 16 bytes. */
const WRAPPED_KEY_BYTES = DATA_KEY_BYTES + 16;

// Formats of the chaincode's validators (chaincode/src/validate.ts): report ids, key ids, receipt ids.
const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const RECEIPT_ID = /^[0-9a-f]{64}$/;

const INFO_BYTES = new TextEncoder().encode(DATA_KEY_INFO);

/**
 * The RFC 9180 cipher suite this module uses. Exposed so that known-answer tests exercise exactly
 * the configured suite; application code should call {@link wrapDataKey} and {@link unwrapDataKey}.
 */
export function createHpkeSuite(): CipherSuite {
  return new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
}

const suite = createHpkeSuite();

/** What a wrapped data key is bound to. */
export interface DataKeyContext {
  /** Key id of the recipient organisation's published HPKE key (`OrgProfile` key id). */
  readonly keyId: string;
  /** The report whose data key this is. */
  readonly reportId: string;
  /** The committed access receipt that authorised the release (64 lower-case hex). */
  readonly receiptId: string;
}

/** A wrapped data key as sent between gateways; binary fields are standard base64. */
export interface WrappedDataKey {
  /** The HPKE encapsulated key (32 bytes). */
  readonly enc: string;
  /** The HPKE ciphertext of the data key (48 bytes). */
  readonly ciphertext: string;
  /** Key id of the recipient key it was wrapped to. */
  readonly keyId: string;
}

/** Input of {@link wrapDataKey}. */
export interface WrapDataKeyInput extends DataKeyContext {
  /** The 32-byte report data key. */
  readonly dataKey: Uint8Array;
  /** The recipient organisation's X25519 public key: base64 as published on chain, or raw bytes. */
  readonly recipientPublicKey: string | Uint8Array;
}

/** An HPKE key pair in a form a key store can keep (both keys raw, base64). */
export interface HpkeKeyPair {
  readonly suite: typeof HPKE_SUITE;
  /** Base64 of the 32-byte X25519 public key: the `publicKey` argument of `PublishOrgKey`. */
  readonly publicKeyB64: string;
  /** Base64 of the 32-byte X25519 private key (RFC 9180 `SerializePrivateKey`). Secret. */
  readonly privateKeyB64: string;
}

/**
 * The additional authenticated data binding a wrapped key to its context: UTF-8 canonical JSON of
 * `{ keyId, receiptId, reportId }`.
 *
 * @throws {@link KeyWrapError} `INVALID_CONTEXT` when an id is malformed
 */
export function dataKeyAad(context: DataKeyContext): Uint8Array {
  const { keyId, reportId, receiptId } = context;
  if (!isKeyId(keyId)) {
    throw new KeyWrapError('INVALID_CONTEXT', 'keyId must be up to 64 characters of [A-Za-z0-9._:-]');
  }
  checkReportAndReceipt(reportId, receiptId);
  return canonicalBytes({ keyId, receiptId, reportId });
}

function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID.test(value);
}

function checkReportAndReceipt(reportId: unknown, receiptId: unknown): void {
  if (typeof reportId !== 'string' || !REPORT_ID.test(reportId)) {
    throw new KeyWrapError('INVALID_CONTEXT', 'reportId must be 3 to 128 characters of [A-Za-z0-9._:-]');
  }
  if (typeof receiptId !== 'string' || !RECEIPT_ID.test(receiptId)) {
    throw new KeyWrapError('INVALID_CONTEXT', 'receiptId must be 64 lower-case hex characters');
  }
}

/** The decoded fields of a wrapped key received from another gateway, or undefined if malformed. */
function decodeWrapped(
  wrapped: unknown,
): { keyId: string; enc: Uint8Array; ciphertext: Uint8Array } | undefined {
  if (typeof wrapped !== 'object' || wrapped === null) return undefined;
  const { keyId, enc, ciphertext } = wrapped as Record<string, unknown>;
  if (!isKeyId(keyId) || typeof enc !== 'string' || typeof ciphertext !== 'string') return undefined;
  const encBytes = decodeBase64(enc);
  const ciphertextBytes = decodeBase64(ciphertext);
  if (encBytes?.byteLength !== X25519_KEY_BYTES || ciphertextBytes?.byteLength !== WRAPPED_KEY_BYTES) {
    return undefined;
  }
  return { keyId, enc: encBytes, ciphertext: ciphertextBytes };
}

/**
 * Wraps a report data key to the requester organisation's published HPKE public key.
 *
 * @throws {@link KeyWrapError} `INVALID_DATA_KEY`, `INVALID_PUBLIC_KEY` (not base64 of 32 bytes, or
 *   a low-order point), `INVALID_CONTEXT`, or `WRAP_FAILED`
 */
export async function wrapDataKey(input: WrapDataKeyInput): Promise<WrappedDataKey> {
  const { dataKey, recipientPublicKey } = input;
  if (!isBytes(dataKey) || dataKey.byteLength !== DATA_KEY_BYTES) {
    throw new KeyWrapError('INVALID_DATA_KEY', `the data key must be ${DATA_KEY_BYTES} bytes`);
  }
  const aad = dataKeyAad(input);
  const raw = typeof recipientPublicKey === 'string' ? decodeBase64(recipientPublicKey) : recipientPublicKey;
  if (!isBytes(raw) || raw.byteLength !== X25519_KEY_BYTES) {
    throw new KeyWrapError('INVALID_PUBLIC_KEY', `the public key must be ${X25519_KEY_BYTES} bytes (base64)`);
  }
  let publicKey: CryptoKey;
  try {
    publicKey = await suite.kem.deserializePublicKey(copyBytes(raw));
  } catch (cause) {
    throw new KeyWrapError('INVALID_PUBLIC_KEY', 'the public key is not an X25519 key', { cause });
  }
  let sealed: CipherSuiteSealResponse;
  try {
    sealed = await suite.seal({ recipientPublicKey: publicKey, info: INFO_BYTES }, copyBytes(dataKey), aad);
  } catch (cause) {
    // RFC 9180 §7.1.4: an all-zero X25519 shared secret (a low-order public key) fails Encap.
    if (cause instanceof EncapError) {
      throw new KeyWrapError('INVALID_PUBLIC_KEY', 'encapsulation to this public key failed', { cause });
    }
    throw new KeyWrapError('WRAP_FAILED', 'HPKE sealing failed', { cause });
  }
  return {
    enc: encodeBase64(new Uint8Array(sealed.enc)),
    ciphertext: encodeBase64(new Uint8Array(sealed.ct)),
    keyId: input.keyId,
  };
}

/**
 * Unwraps a data key received from a provider gateway.
 *
 * The AAD is rebuilt from `wrapped.keyId` and the caller's own `reportId` and `receiptId` (from the
 * request it made and the receipt it read on the ledger), never from values the sender chose.
 *
 * @param recipientPrivateKey - this organisation's X25519 private key for `wrapped.keyId`: raw
 *   32 bytes or their base64
 * @returns the 32-byte data key
 * @throws {@link KeyWrapError} `UNWRAP_FAILED` for anything that does not open (wrong key, other
 *   report or receipt, altered key id, enc or ciphertext, malformed fields);
 *   `INVALID_PRIVATE_KEY` when the private key is malformed; `INVALID_CONTEXT` for a malformed
 *   `reportId` or `receiptId`
 */
export async function unwrapDataKey(
  wrapped: WrappedDataKey,
  recipientPrivateKey: Uint8Array | string,
  context: { readonly reportId: string; readonly receiptId: string },
): Promise<Uint8Array> {
  const rawKey =
    typeof recipientPrivateKey === 'string' ? decodeBase64(recipientPrivateKey) : recipientPrivateKey;
  if (!isBytes(rawKey) || rawKey.byteLength !== X25519_KEY_BYTES) {
    throw new KeyWrapError('INVALID_PRIVATE_KEY', `the private key must be ${X25519_KEY_BYTES} bytes`);
  }
  let privateKey: CryptoKey;
  try {
    privateKey = await suite.kem.deserializePrivateKey(copyBytes(rawKey));
  } catch (cause) {
    throw new KeyWrapError('INVALID_PRIVATE_KEY', 'the private key is not an X25519 key', { cause });
  }
  // A malformed local id is the caller's bug, reported as such; everything received is "no".
  checkReportAndReceipt(context.reportId, context.receiptId);
  const failed = (cause?: unknown): KeyWrapError =>
    new KeyWrapError('UNWRAP_FAILED', 'the wrapped data key does not open for this key, report and receipt', {
      cause,
    });
  const received = decodeWrapped(wrapped);
  if (received === undefined) throw failed();
  const aad = dataKeyAad({ keyId: received.keyId, reportId: context.reportId, receiptId: context.receiptId });
  let plaintext: ArrayBuffer;
  try {
    plaintext = await suite.open(
      { recipientKey: privateKey, enc: received.enc, info: INFO_BYTES },
      received.ciphertext,
      aad,
    );
  } catch (cause) {
    throw failed(cause);
  }
  if (plaintext.byteLength !== DATA_KEY_BYTES) throw failed();
  return new Uint8Array(plaintext);
}

/** Generates an organisation's HPKE key pair for this suite. */
export async function generateHpkeKeyPair(): Promise<HpkeKeyPair> {
  const pair = await suite.kem.generateKeyPair();
  const publicKey = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
  const privateKey = new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey));
  const keyPair: HpkeKeyPair = {
    suite: HPKE_SUITE,
    publicKeyB64: encodeBase64(publicKey),
    privateKeyB64: encodeBase64(privateKey),
  };
  privateKey.fill(0);
  return keyPair;
}

/**
 * The public key (base64) of a private key, for checking that a key store entry matches the key
 * published on chain.
 *
 * @throws {@link KeyWrapError} `INVALID_PRIVATE_KEY`
 */
export async function hpkePublicKeyOf(recipientPrivateKey: Uint8Array | string): Promise<string> {
  const rawKey =
    typeof recipientPrivateKey === 'string' ? decodeBase64(recipientPrivateKey) : recipientPrivateKey;
  if (!isBytes(rawKey) || rawKey.byteLength !== X25519_KEY_BYTES) {
    throw new KeyWrapError('INVALID_PRIVATE_KEY', `the private key must be ${X25519_KEY_BYTES} bytes`);
  }
  try {
    const privateKey = await suite.kem.deserializePrivateKey(copyBytes(rawKey));
    const jwk = await crypto.subtle.exportKey('jwk', privateKey);
    if (typeof jwk.x !== 'string') throw new Error('no public part');
    return encodeBase64(Buffer.from(jwk.x, 'base64url'));
  } catch (cause) {
    throw new KeyWrapError('INVALID_PRIVATE_KEY', 'the private key is not an X25519 key', { cause });
  }
}
