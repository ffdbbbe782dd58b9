import type { KeyObject } from 'node:crypto';
import type { peer } from '@hyperledger/fabric-protos';
import type { StateReader } from '../chaincode/ports.js';
import type { SignatureVerifier } from '../crypto/verify-pool.js';
import type { EndorsementPolicy } from '../policy/index.js';

/** A validated member of a channel MSP, as the MSP module deserialises it. */
export interface ChannelIdentity {
  readonly mspId: string;
  readonly id: string;
  /** The certificate's public key, when signatures may be checked elsewhere than by {@link verify}. */
  readonly publicKey?: KeyObject;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Deserialises and validates `SerializedIdentity` bytes against the channel's MSPs; throws when invalid. */
export interface IdentityDeserializer {
  deserialize(serialized: Uint8Array): ChannelIdentity;
}

/** Runs one chaincode transaction (simulation) against committed state. */
export interface ChaincodeExecutor {
  execute(
    request: {
      channelId: string;
      txId: string;
      signedProposal: peer.SignedProposal;
      input: peer.ChaincodeInput;
      readOnly: boolean;
    },
    reader: StateReader,
  ): Promise<{
    response: { status: number; message: string; payload: Uint8Array };
    event?: peer.ChaincodeEvent;
    results: Uint8Array;
  }>;
}

/** A chaincode as the channel defines it (Fabric's `_lifecycle` definition, simplified). */
export interface ChaincodeDefinition {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly policy: EndorsementPolicy;
}

/** Where a transaction id first committed. */
export interface TxStatus {
  readonly blockNumber: number;
  readonly txNumber: number;
  readonly code: number;
}

/** The committed-ledger reads the endorser needs. */
export interface EndorserLedger extends StateReader {
  getTxStatus(txId: string): Promise<TxStatus | undefined>;
}

/**
 * Checks `signature` of `message` by `identity`: on the verifier's threads when the identity exposes
 * its public key, else with the identity's own check. Either way the same low-S ECDSA P-256 rule.
 */
export function verifySignedBy(
  verifier: SignatureVerifier | undefined,
  identity: ChannelIdentity,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (verifier === undefined || identity.publicKey === undefined)
    return Promise.resolve(identity.verify(message, signature));
  return verifier.verify({ publicKey: identity.publicKey, message, signature });
}
