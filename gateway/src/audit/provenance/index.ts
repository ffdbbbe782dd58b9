/**
 * Provenance bundles: a report's trail with the blocks that prove it, and their offline verifier.
 * See the gateway README, "Provenance bundles".
 *
 * @packageDocumentation
 */
export type { BlockSource } from './block-source.js';
export { FabricBlockSource, type FabricBlockSourceOptions } from './fabric-block-source.js';
export { buildProvenanceBundle, type BuildProvenanceInput, type TrailTransaction } from './builder.js';
export {
  parseProvenanceBundle,
  PROVENANCE_FORMAT,
  serializeProvenanceBundle,
  type BundleBlock,
  type BundleChainLink,
  type BundleTransaction,
  type ProvenanceBundle,
} from './format.js';
export {
  verifyProvenanceBundle,
  type CheckName,
  type ProvenanceCheck,
  type ProvenanceVerification,
  type VerifiedTransaction,
  type VerifyProvenanceOptions,
} from './verifier.js';
export {
  ProvenanceError,
  VERIFICATION_CODES,
  type ProvenanceErrorCode,
  type ProvenanceErrorOptions,
  type VerificationCode,
} from './errors.js';
