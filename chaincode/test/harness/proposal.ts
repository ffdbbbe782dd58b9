/**
 * Builds signed chaincode proposals exactly as Fabric client SDKs do. Independent of the in-memory
 * ledger so it can also drive a real `fabric-chaincode-node server` over gRPC.
 */
import { createHash, randomBytes } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';
// The very Timestamp class fabric-protos' generated messages embed (google-protobuf has no typings
// installed; see vendor-modules.d.ts).
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb';
import { signLowS } from './ecdsa.js';
import type { TestIdentity } from './identities.js';

type ProtoTimestamp = InstanceType<typeof timestampPb.Timestamp>;

/** Creates a `google.protobuf.Timestamp`. */
export function protoTimestamp(seconds: number, nanos = 0): ProtoTimestamp {
  const ts = new timestampPb.Timestamp();
  ts.setSeconds(seconds);
  ts.setNanos(nanos);
  return ts;
}

/** Options for {@link buildSignedProposal}. */
export interface ProposalOptions {
  readonly channelId: string;
  readonly chaincodeName: string;
  /** Chaincode arguments; by convention the first is the function name. */
  readonly args: ReadonlyArray<string | Uint8Array>;
  readonly identity: TestIdentity;
  /** Channel-header timestamp; defaults to the current wall-clock time. */
  readonly timestampSeconds?: number;
  readonly timestampNanos?: number;
  /** Signature-header nonce; defaults to 24 random bytes. */
  readonly nonce?: Uint8Array;
  readonly transient?: Readonly<Record<string, Uint8Array>>;
}

/** A signed proposal and the pieces a peer derives from it. */
export interface BuiltProposal {
  readonly signedProposal: peer.SignedProposal;
  readonly proposalBytes: Uint8Array;
  readonly txId: string;
  /** The `ChaincodeInput` the peer forwards to the chaincode in its TRANSACTION message. */
  readonly chaincodeInput: peer.ChaincodeInput;
  readonly nonce: Uint8Array;
  /** Serialized `msp.SerializedIdentity` of the creator. */
  readonly creator: Uint8Array;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
}

/**
 * Computes a Fabric transaction ID: hex SHA-256 of `nonce || creator`.
 * @param nonce signature-header nonce.
 * @param creator serialized `SerializedIdentity`.
 */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return createHash('sha256').update(nonce).update(creator).digest('hex');
}

/**
 * Serializes an identity as the `creator` of a signature header.
 * @param identity MSP ID and PEM certificate.
 */
export function serializeIdentity(identity: Pick<TestIdentity, 'mspId' | 'certPem'>): Uint8Array {
  const sid = new msp.SerializedIdentity();
  sid.setMspid(identity.mspId);
  sid.setIdBytes(Buffer.from(identity.certPem, 'utf8'));
  return sid.serializeBinary();
}

function toBytes(arg: string | Uint8Array): Uint8Array {
  return typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
}

/**
 * Builds an ENDORSER_TRANSACTION proposal, signed by `identity` with a low-S ECDSA signature over
 * SHA-256 of the proposal bytes.
 * @param opts channel, chaincode, arguments, signer and optional nonce/timestamp/transient data.
 */
export function buildSignedProposal(opts: ProposalOptions): BuiltProposal {
  const nowMs = Date.now();
  const seconds = opts.timestampSeconds ?? Math.floor(nowMs / 1000);
  const nanos = opts.timestampNanos ?? (opts.timestampSeconds === undefined ? (nowMs % 1000) * 1_000_000 : 0);
  const nonce = opts.nonce ?? randomBytes(24);
  const creator = serializeIdentity(opts.identity);
  const txId = computeTxId(nonce, creator);

  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(opts.chaincodeName);

  const headerExtension = new peer.ChaincodeHeaderExtension();
  headerExtension.setChaincodeId(chaincodeId);

  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId(opts.channelId);
  channelHeader.setTxId(txId);
  channelHeader.setTimestamp(protoTimestamp(seconds, nanos));
  channelHeader.setExtension$(headerExtension.serializeBinary());

  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator);
  signatureHeader.setNonce(nonce);

  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const chaincodeInput = new peer.ChaincodeInput();
  chaincodeInput.setArgsList(opts.args.map(toBytes));

  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(chaincodeId);
  spec.setInput(chaincodeInput);

  const invocationSpec = new peer.ChaincodeInvocationSpec();
  invocationSpec.setChaincodeSpec(spec);

  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocationSpec.serializeBinary());
  // jspb.Map (google-protobuf typings are not installed)
  const transientMap = payload.getTransientmapMap() as { set(key: string, value: Uint8Array): unknown };
  for (const [key, value] of Object.entries(opts.transient ?? {})) transientMap.set(key, value);

  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const proposalBytes = proposal.serializeBinary();

  const signedProposal = new peer.SignedProposal();
  signedProposal.setProposalBytes(proposalBytes);
  signedProposal.setSignature(signLowS(opts.identity.privateKeyPem, proposalBytes));

  return {
    signedProposal,
    proposalBytes,
    txId,
    chaincodeInput,
    nonce,
    creator,
    timestamp: { seconds, nanos },
  };
}
