/**
 * The member gateway's pure crypto building blocks: no I/O, no clock; randomness from node:crypto.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export {
  AES_256_GCM_KEY_BYTES,
  AES_GCM_NONCE_BYTES,
  AES_GCM_TAG_BYTES,
  aes256GcmOpen,
  aes256GcmSeal,
} from './aes-gcm.js';
export { CANONICAL_MAX_DEPTH, canonicalBytes, canonicalize, type JsonValue } from './canonical.js';
export { SUBJECT_KEY_BYTES, SUBJECT_REF_PREFIX, subjectRef } from './pseudonym.js';
export {
  CIPHERTEXT_OVERHEAD_BYTES,
  DATA_KEY_BYTES,
  REPORT_AAD,
  SALT_BYTES,
  ciphertextHashOf,
  commitmentOf,
  openReport,
  sealReport,
  sizeBucketOf,
  verifyAnchor,
  type AnchorCheck,
  type AnchorVerification,
  type ReportAnchor,
  type SealOptions,
  type SealedReport,
  type SizeBucket,
} from './payload.js';
export {
  DATA_KEY_INFO,
  HPKE_SUITE,
  X25519_KEY_BYTES,
  createHpkeSuite,
  dataKeyAad,
  generateHpkeKeyPair,
  hpkePublicKeyOf,
  unwrapDataKey,
  wrapDataKey,
  type DataKeyContext,
  type HpkeKeyPair,
  type WrapDataKeyInput,
  type WrappedDataKey,
} from './hpke.js';
export * from './eip712-consent.js';
