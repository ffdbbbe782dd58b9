import { randomBytes } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import { sha256, type SigningIdentity } from '../crypto/signing.js';
import { buildBlock, NONCE_LENGTH, type BuiltBlock } from './blocks.js';
import { buildChannelGroup, type ChannelSpec } from './channel-group.js';

/*
 * The genesis (CONFIG) block of a channel, as `configtxgen -outputBlock` writes it
 * (common/genesis/genesis.go): one unsigned envelope with a CONFIG channel header (version 1, epoch 0,
 * a signature header with a fresh nonce and no creator, tx id = sha256(nonce || creator)) whose payload is
 * `ConfigEnvelope{config: Config{sequence 0, channel_group}}`. Unlike configtxgen, the block's SIGNATURES
 * metadata is signed by the orderer identity (peers ignore signatures on the block they join from).
 *
 * Consensus type: `solo` with empty metadata. A Fabric 2.5 peer never interprets the consensus type
 * (channelconfig only keeps it; it validates BatchSize/BatchTimeout), fabric-common's BlockDecoder and
 * configtxlator decode it, and configtxgen 2.5 still emits it for `OrdererType: solo`. `etcdraft` would
 * need a ConfigMetadata listing consenters with their TLS certificates, which this single in-process
 * orderer does not have, and `BFT` needs the `Orderers` value that 2.5 peers reject as an unknown key.
 */

/** Header version configtxgen uses for the genesis envelope. */
const GENESIS_MSG_VERSION = 1;

/**
 * Builds block 0 of a channel from its spec, signed by `signer` (an orderer identity). Returns the
 * block and its bytes; `parseChannelConfig` reads it back.
 */
export function buildGenesisBlock(spec: ChannelSpec, signer: SigningIdentity): BuiltBlock {
  const channelGroup = buildChannelGroup(spec);
  const config = new common.Config();
  config.setSequence(0);
  config.setChannelGroup(channelGroup);
  const configEnvelope = new common.ConfigEnvelope();
  configEnvelope.setConfig(config);

  const nonce = randomBytes(NONCE_LENGTH);
  const creator = new Uint8Array(0);
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator);
  signatureHeader.setNonce(nonce);

  const timestamp = new timestampPb.Timestamp();
  timestamp.setSeconds(Math.floor((spec.createdAt ?? new Date()).getTime() / 1000));
  timestamp.setNanos(0);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.CONFIG);
  channelHeader.setVersion(GENESIS_MSG_VERSION);
  channelHeader.setTimestamp(timestamp);
  channelHeader.setChannelId(spec.channelId);
  channelHeader.setTxId(sha256(nonce, creator).toString('hex'));
  channelHeader.setEpoch(0);

  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(configEnvelope.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());

  return buildBlock({
    number: 0,
    previousHash: new Uint8Array(0),
    envelopes: [envelope.serializeBinary()],
    lastConfig: 0,
    signer,
  });
}

export { buildChannelGroup, CAPABILITIES, CONSENSUS_TYPE } from './channel-group.js';
export type { ApplicationOrgSpec, BatchConfig, ChannelSpec, OrdererOrgSpec } from './channel-group.js';
export { parseChannelConfig } from './channel-config.js';
export type { ChannelConfig, ChannelOrg } from './channel-config.js';
