/**
 * Stable codes of provenance bundles: why a bundle was rejected, or why one could not be built.
 * Match on the code, never on the message.
 *
 * @packageDocumentation
 */

/** Why a provenance bundle is not valid, in the order the verifier checks. */
export const VERIFICATION_CODES = [
  /** Not a canonical `creditchain.provenance/1` document, or its blocks do not decode strictly. */
  'BUNDLE_MALFORMED',
  /** Block 0 is not a usable channel configuration block. */
  'CONFIG_INVALID',
  /** An organisation of the channel configuration has a root CA that is not one of the given roots. */
  'ROOT_MISMATCH',
  /** A block's `previous_hash` is not the hash of the header before it (the hash chain from block 0). */
  'CHAIN_BROKEN',
  /** A block's `data_hash` is not the SHA-256 of its transactions. */
  'DATA_HASH_MISMATCH',
  /** A block is not signed, or not only, by orderer identities of the channel's ordering organisations. */
  'ORDERER_SIGNATURE_INVALID',
  /** A block was ordered under a later channel configuration than the bundle's block 0. */
  'CONFIG_NOT_CURRENT',
  /** The block holds no such transaction at that index. */
  'TX_NOT_IN_BLOCK',
  /** The transaction was not committed VALID, or is not a well-formed transaction of the chaincode. */
  'TX_INVALID',
  /** The transaction's creator is not a client or admin of a channel organisation, or its signature fails. */
  'CREATOR_INVALID',
  /** An endorsement is not a valid signature of a channel peer over the proposal response. */
  'ENDORSEMENT_INVALID',
  /** The endorsing organisations do not satisfy the channel's endorsement policy. */
  'POLICY_NOT_SATISFIED',
  /** The transaction did not append to the trail of the bundle's report. */
  'NOT_ABOUT_REPORT',
] as const;

/** A reason for rejecting a bundle; see {@link VERIFICATION_CODES}. */
export type VerificationCode = (typeof VERIFICATION_CODES)[number];

/**
 * Codes of {@link ProvenanceError}: the verification codes (the builder refuses a trail the verifier
 * would reject), and `BLOCK_UNAVAILABLE` when a block cannot be read from the block source.
 */
export type ProvenanceErrorCode = VerificationCode | 'BLOCK_UNAVAILABLE';

/** Details of a {@link ProvenanceError}. */
export interface ProvenanceErrorOptions {
  readonly cause?: unknown;
  /** The block concerned. */
  readonly block?: number;
  /** The transaction concerned. */
  readonly txId?: string;
}

/** A bundle could not be built, or a check of the verifier failed. The message is `CODE: explanation`. */
export class ProvenanceError extends Error {
  override readonly name = ProvenanceError.name;
  readonly code: ProvenanceErrorCode;
  readonly block: number | undefined;
  readonly txId: string | undefined;

  constructor(code: ProvenanceErrorCode, message: string, options: Readonly<ProvenanceErrorOptions> = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.block = options.block;
    this.txId = options.txId;
  }
}
