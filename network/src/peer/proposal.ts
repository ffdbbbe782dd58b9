import { common, peer } from '@hyperledger/fabric-protos';
import { sha256 } from '../crypto/signing.js';

/** A malformed proposal or transaction; the message says which part. */
export class MalformedMessageError extends Error {
  override readonly name = MalformedMessageError.name;
}

function decode<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new MalformedMessageError(`error unmarshalling ${what}: ${(err as Error).message}`);
  }
}

/** A signed proposal taken apart, with the derived values endorsement and validation need. */
export interface UnpackedProposal {
  readonly signedProposal: peer.SignedProposal;
  readonly proposalBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly header: common.Header;
  readonly channelHeader: common.ChannelHeader;
  readonly signatureHeader: common.SignatureHeader;
  readonly channelId: string;
  readonly txId: string;
  readonly creator: Uint8Array;
  readonly nonce: Uint8Array;
  readonly chaincodeName: string;
  readonly input: peer.ChaincodeInput;
  readonly hasTransient: boolean;
  /** `ChaincodeProposalPayload` without the transient map: what the transaction carries. */
  readonly payloadForTx: Uint8Array;
  /** Fabric's proposal hash: SHA-256(channel header || signature header || payloadForTx). */
  readonly proposalHash: Buffer;
  readonly timestamp: { seconds: number; nanos: number };
}

/** Takes a `SignedProposal` apart; throws {@link MalformedMessageError}. */
export function unpackProposal(signedProposal: peer.SignedProposal): UnpackedProposal {
  const proposalBytes = signedProposal.getProposalBytes_asU8();
  if (proposalBytes.length === 0)
    throw new MalformedMessageError('the proposed transaction must contain a signed proposal');
  const proposal = decode('Proposal', () => peer.Proposal.deserializeBinary(proposalBytes));
  const header = decode('Header', () => common.Header.deserializeBinary(proposal.getHeader_asU8()));
  const channelHeader = decode('ChannelHeader', () =>
    common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()),
  );
  const signatureHeader = decode('SignatureHeader', () =>
    common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()),
  );
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
    throw new MalformedMessageError(`invalid header type ${channelHeader.getType()}`);
  }
  const extension = decode('ChaincodeHeaderExtension', () =>
    peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8()),
  );
  const ccPayload = decode('ChaincodeProposalPayload', () =>
    peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8()),
  );
  const spec = decode('ChaincodeInvocationSpec', () =>
    peer.ChaincodeInvocationSpec.deserializeBinary(ccPayload.getInput_asU8()),
  );
  const input = spec.getChaincodeSpec()?.getInput() ?? new peer.ChaincodeInput();
  const chaincodeName =
    spec.getChaincodeSpec()?.getChaincodeId()?.getName() || extension.getChaincodeId()?.getName() || '';
  if (chaincodeName === '') throw new MalformedMessageError('the proposal names no chaincode');
  const creator = signatureHeader.getCreator_asU8();
  const nonce = signatureHeader.getNonce_asU8();
  if (creator.length === 0) throw new MalformedMessageError('invalid creator specified in the header');
  if (nonce.length === 0) throw new MalformedMessageError('invalid nonce specified in the header');
  const forTx = new peer.ChaincodeProposalPayload();
  forTx.setInput(ccPayload.getInput_asU8());
  const payloadForTx = forTx.serializeBinary();
  const ts = channelHeader.getTimestamp();
  return {
    signedProposal,
    proposalBytes,
    signature: signedProposal.getSignature_asU8(),
    header,
    channelHeader,
    signatureHeader,
    channelId: channelHeader.getChannelId(),
    txId: channelHeader.getTxId(),
    creator,
    nonce,
    chaincodeName,
    input,
    hasTransient: ccPayload.getTransientmapMap().getLength() > 0,
    payloadForTx,
    proposalHash: proposalHash(
      header.getChannelHeader_asU8(),
      header.getSignatureHeader_asU8(),
      payloadForTx,
    ),
    timestamp: { seconds: ts?.getSeconds() ?? 0, nanos: ts?.getNanos() ?? 0 },
  };
}

/** Fabric's `GetProposalHash2`: binds a transaction to the proposal its endorsers simulated. */
export function proposalHash(
  channelHeader: Uint8Array,
  signatureHeader: Uint8Array,
  payloadForTx: Uint8Array,
): Buffer {
  return sha256(channelHeader, signatureHeader, payloadForTx);
}

/** Fabric's transaction id: hex SHA-256 of nonce followed by creator. */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return sha256(nonce, creator).toString('hex');
}

/** The `ProposalResponsePayload` bytes endorsers sign; identical bytes from every endorser or no transaction. */
export function proposalResponsePayload(hash: Uint8Array, action: peer.ChaincodeAction): Uint8Array {
  const prp = new peer.ProposalResponsePayload();
  prp.setProposalHash(hash);
  prp.setExtension$(action.serializeBinary());
  return prp.serializeBinary();
}

/**
 * Assembles the unsigned transaction envelope from the proposal and the endorsements, as Fabric's
 * gateway `prepareTransaction` does; the client signs its payload.
 */
export function prepareTransaction(
  unpacked: Pick<UnpackedProposal, 'header' | 'payloadForTx'>,
  prpBytes: Uint8Array,
  endorsements: peer.Endorsement[],
): common.Envelope {
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(prpBytes);
  endorsed.setEndorsementsList(endorsements);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(unpacked.payloadForTx);
  actionPayload.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setHeader(unpacked.header.getSignatureHeader_asU8());
  action.setPayload(actionPayload.serializeBinary());
  const tx = new peer.Transaction();
  tx.setActionsList([action]);
  const payload = new common.Payload();
  payload.setHeader(unpacked.header);
  payload.setData(tx.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}
