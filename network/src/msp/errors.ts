/** Why an identity was refused by the MSP layer. */
export type MspErrorCode =
  /** The SerializedIdentity names an MSP that is not defined on the channel. */
  | 'UNKNOWN_MSP'
  /** The bytes are not a SerializedIdentity holding a PEM X.509 certificate with a P-256 key. */
  | 'MALFORMED'
  /** The certificate does not chain to a root (through the intermediates) of its MSP, or is a CA. */
  | 'UNTRUSTED'
  /** The certificate is outside its validity window at the time of the check. */
  | 'EXPIRED'
  /** The certificate does not carry exactly one NodeOU among client, peer, admin and orderer. */
  | 'NO_NODE_OU';

/**
 * Where Fabric fails the identity: at deserialisation (`msp.DeserializeIdentity`, which already walks the
 * certificate chain) or at `identity.Validate()`. Fabric's endorser words the two differently.
 */
export type MspErrorStage = 'deserialize' | 'validate';

/** Stage at which Fabric 2.5 reports each code. */
const STAGE: Readonly<Record<MspErrorCode, MspErrorStage>> = {
  UNKNOWN_MSP: 'deserialize',
  MALFORMED: 'deserialize',
  UNTRUSTED: 'deserialize',
  EXPIRED: 'validate',
  NO_NODE_OU: 'validate',
};

/**
 * An identity refused by {@link MspManager}. `message` is the MSP-level reason in Fabric's wording (what a
 * Fabric peer logs); {@link MspError.endorserMessage} gives what the peer answers the client.
 */
export class MspError extends Error {
  override readonly name = 'MspError';
  /** Fabric's stage for this failure (see {@link MspErrorStage}). */
  readonly stage: MspErrorStage;

  /**
   * @param code machine-readable reason.
   * @param message Fabric's MSP-level wording.
   * @param mspId the MSP named by the identity, when it could be read.
   * @param stage override of the default stage for `code` (a CA certificate used as an identity is
   *   `UNTRUSTED` but fails at `validate`).
   */
  constructor(
    readonly code: MspErrorCode,
    message: string,
    readonly mspId?: string,
    stage?: MspErrorStage,
  ) {
    super(message);
    this.stage = stage ?? STAGE[code];
  }

  /**
   * The peer's answer to a proposal whose creator failed this way, worded as Fabric 2.5 does:
   * - deserialisation failures (unknown MSP, malformed, foreign CA), from `UnpackedProposal.Validate`:
   *   `access denied: channel [<ch>] creator org unknown, creator is malformed`;
   * - an expired certificate, from the peer's `ExpirationCheck` auth filter (which runs before the
   *   endorser; Fabric's MSP itself does not check expiry): `identity expired`;
   * - other validation failures (NodeOU, CA used as identity): `access denied: channel [<ch>] creator org [<MSP>]`.
   */
  endorserMessage(channelId: string): string {
    if (this.stage === 'deserialize' || this.mspId === undefined)
      return `access denied: channel [${channelId}] creator org unknown, creator is malformed`;
    if (this.code === 'EXPIRED') return 'identity expired';
    return `access denied: channel [${channelId}] creator org [${this.mspId}]`;
  }
}

/** An MSP definition that cannot be used (unparsable or non-CA root certificate, duplicate MSP ID). */
export class MspConfigError extends Error {
  override readonly name = 'MspConfigError';
}

/** A certificate authority that cannot be created, loaded or used. */
export class CaError extends Error {
  override readonly name = 'CaError';
}

/** An organisation spec that cannot be laid out (bad names, duplicates). */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}
