/**
 * The orderer module: block assembly, the genesis CONFIG block, channel config parsing, batch cutting,
 * the chain store and the ordering service.
 */
export {
  blockDataHash,
  blockHeaderBytes,
  blockHeaderHash,
  buildBlock,
  getLastConfigIndex,
  METADATA_SLOTS,
  NONCE_LENGTH,
  setTransactionsFilter,
  verifyBlockSignature,
} from './blocks.js';
export type { BuildBlockInput, BuiltBlock, SignatureVerifier } from './blocks.js';
export { BlockCutter, envelopeSize } from './batcher.js';
export type { CutterLimits, OrderedResult, PendingEnvelope } from './batcher.js';
export { parseChannelConfig } from './channel-config.js';
export type { ChannelConfig, ChannelOrg } from './channel-config.js';
export { buildChannelGroup, CAPABILITIES, CONSENSUS_TYPE } from './channel-group.js';
export type { ApplicationOrgSpec, BatchConfig, ChannelSpec, OrdererOrgSpec } from './channel-group.js';
export { anyOfRolesEnvelope, parseImplicitMetaRule } from './config-policies.js';
export type { ConfigPolicyInfo, ImplicitMetaRule, PolicySpec, PrincipalRole } from './config-policies.js';
export { formatGoDuration, parseGoDuration } from './duration.js';
export { BlockError, ChannelConfigError, OrdererError, OrdererStoreError } from './errors.js';
export { buildGenesisBlock } from './genesis.js';
export type { MspDefinition } from './msp-config.js';
export { Orderer, STATUS } from './orderer.js';
export type {
  Authorise,
  AuthoriseResult,
  BroadcastEnvelope,
  BroadcastResult,
  DeliveredBlock,
  OrdererOptions,
} from './orderer.js';
export { LevelOrdererStore, MemoryOrdererStore } from './store.js';
export type { OrdererStore } from './store.js';
