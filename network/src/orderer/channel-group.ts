import { common, orderer, peer } from '@hyperledger/fabric-protos';
import {
  anyOfRolesEnvelope,
  implicitMetaPolicy,
  policyFromSpec,
  signaturePolicy,
  type PolicySpec,
} from './config-policies.js';
import { formatGoDuration } from './duration.js';
import { ChannelConfigError } from './errors.js';
import { fabricMspConfig, type MspDefinition } from './msp-config.js';

/*
 * The channel config tree configtxgen 2.5 builds for test-network's TwoOrgsApplicationGenesis profile
 * (internal/configtxgen/encoder/encoder.go, common/channelconfig/util.go), from a compact spec.
 */

/** Consensus type written to `/Channel/Orderer/ConsensusType`: see the note at the top of genesis.ts. */
export const CONSENSUS_TYPE = 'solo';

/** Capabilities as Fabric 2.5's test-network configtx.yaml enables them. */
export const CAPABILITIES = { channel: ['V2_0'], orderer: ['V2_0'], application: ['V2_5'] } as const;

/** Fabric's default (and only) BlockDataHashingStructure width: `math.MaxUint32`. */
const BLOCK_DATA_HASHING_WIDTH = 0xffffffff;
const ADMINS = 'Admins';
const ORDERER_ADMINS = '/Channel/Orderer/Admins';

/** An ordering organization. */
export interface OrdererOrgSpec extends MspDefinition {
  /** Config group name (configtxgen's `Name`); defaults to the MSP ID. */
  readonly name?: string;
  /** Orderer endpoints `host:port`; written as the org's Endpoints and the channel's OrdererAddresses. */
  readonly addresses: readonly string[];
}

/** An application (peer) organization. */
export interface ApplicationOrgSpec extends MspDefinition {
  /** Config group name (configtxgen's `Name`); defaults to the MSP ID. */
  readonly name?: string;
  readonly anchorPeers?: readonly { readonly host: string; readonly port: number }[];
}

/** Batch parameters of the orderer (`BatchSize` and `BatchTimeout`). */
export interface BatchConfig {
  readonly maxMessageCount: number;
  readonly absoluteMaxBytes: number;
  readonly preferredMaxBytes: number;
  /** Whole milliseconds; written as a Go duration string ("2s"). */
  readonly timeoutMs: number;
}

/** What a channel's genesis block describes. */
export interface ChannelSpec {
  /** Fabric channel name: `[a-z][a-z0-9.-]*`, under 250 characters. */
  readonly channelId: string;
  readonly ordererOrg: OrdererOrgSpec;
  readonly applicationOrgs: readonly ApplicationOrgSpec[];
  readonly batch: BatchConfig;
  /** `/Channel/Application/Endorsement`, the default chaincode endorsement policy (`MAJORITY Endorsement`). */
  readonly endorsementPolicy: PolicySpec;
  /** `/Channel/Application/LifecycleEndorsement`; defaults to `MAJORITY Endorsement`. */
  readonly lifecycleEndorsementPolicy?: PolicySpec;
  /** Channel header timestamp of the genesis envelope; defaults to now (whole seconds, as Fabric). */
  readonly createdAt?: Date;
}

function value(message: { serializeBinary(): Uint8Array }, modPolicy = ADMINS): common.ConfigValue {
  const v = new common.ConfigValue();
  v.setValue(message.serializeBinary());
  v.setModPolicy(modPolicy);
  return v;
}

function rawValue(bytes: Uint8Array): common.ConfigValue {
  const v = new common.ConfigValue();
  v.setValue(bytes);
  v.setModPolicy(ADMINS);
  return v;
}

function newGroup(policies: Record<string, common.Policy>): common.ConfigGroup {
  const g = new common.ConfigGroup();
  g.setModPolicy(ADMINS);
  for (const [name, policy] of Object.entries(policies)) {
    const cp = new common.ConfigPolicy();
    cp.setPolicy(policy);
    cp.setModPolicy(ADMINS);
    g.getPoliciesMap().set(name, cp);
  }
  return g;
}

function capabilities(names: readonly string[]): common.Capabilities {
  const c = new common.Capabilities();
  for (const name of names) c.getCapabilitiesMap().set(name, new common.Capability());
  return c;
}

function addresses(list: readonly string[]): common.OrdererAddresses {
  for (const a of list)
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(a)) throw new ChannelConfigError(`invalid orderer address '${a}'`);
  const m = new common.OrdererAddresses();
  m.setAddressesList([...list]);
  return m;
}

function uint32(name: string, n: number): number {
  if (!Number.isInteger(n) || n <= 0 || n > 0xffffffff) throw new ChannelConfigError(`invalid ${name} ${n}`);
  return n;
}

function ordererGroup(spec: ChannelSpec): common.ConfigGroup {
  const { batch } = spec;
  const size = new orderer.BatchSize();
  size.setMaxMessageCount(uint32('maxMessageCount', batch.maxMessageCount));
  size.setAbsoluteMaxBytes(uint32('absoluteMaxBytes', batch.absoluteMaxBytes));
  size.setPreferredMaxBytes(uint32('preferredMaxBytes', batch.preferredMaxBytes));
  if (batch.preferredMaxBytes > batch.absoluteMaxBytes)
    throw new ChannelConfigError('preferredMaxBytes must not exceed absoluteMaxBytes');
  const timeout = new orderer.BatchTimeout();
  timeout.setTimeout(formatGoDuration(batch.timeoutMs));
  const consensus = new orderer.ConsensusType();
  consensus.setType(CONSENSUS_TYPE);

  const g = newGroup({
    Readers: implicitMetaPolicy('ANY Readers'),
    Writers: implicitMetaPolicy('ANY Writers'),
    Admins: implicitMetaPolicy('MAJORITY Admins'),
    BlockValidation: implicitMetaPolicy('ANY Writers'),
  });
  const values = g.getValuesMap();
  values.set('BatchSize', value(size));
  values.set('BatchTimeout', value(timeout));
  values.set('ChannelRestrictions', value(new orderer.ChannelRestrictions()));
  values.set('Capabilities', value(capabilities(CAPABILITIES.orderer)));
  values.set('ConsensusType', value(consensus));

  const org = spec.ordererOrg;
  const orgGroup = newGroup({
    Readers: signaturePolicy(anyOfRolesEnvelope(org.mspId, ['member'])),
    Writers: signaturePolicy(anyOfRolesEnvelope(org.mspId, ['member'])),
    Admins: signaturePolicy(anyOfRolesEnvelope(org.mspId, ['admin'])),
  });
  orgGroup.getValuesMap().set('MSP', rawValue(fabricMspConfig(org)));
  if (org.addresses.length > 0) orgGroup.getValuesMap().set('Endpoints', value(addresses(org.addresses)));
  g.getGroupsMap().set(org.name ?? org.mspId, orgGroup);
  return g;
}

function applicationOrgGroup(org: ApplicationOrgSpec): common.ConfigGroup {
  const g = newGroup({
    Readers: signaturePolicy(anyOfRolesEnvelope(org.mspId, ['admin', 'peer', 'client'])),
    Writers: signaturePolicy(anyOfRolesEnvelope(org.mspId, ['admin', 'client'])),
    Admins: signaturePolicy(anyOfRolesEnvelope(org.mspId, ['admin'])),
    Endorsement: signaturePolicy(anyOfRolesEnvelope(org.mspId, ['peer'])),
  });
  g.getValuesMap().set('MSP', rawValue(fabricMspConfig(org)));
  const anchors = org.anchorPeers ?? [];
  if (anchors.length > 0) {
    const list = new peer.AnchorPeers();
    list.setAnchorPeersList(
      anchors.map(({ host, port }) => {
        if (!Number.isInteger(port) || port <= 0 || port > 65535)
          throw new ChannelConfigError(`${org.mspId}: invalid anchor peer port ${port}`);
        const a = new peer.AnchorPeer();
        a.setHost(host);
        a.setPort(port);
        return a;
      }),
    );
    g.getValuesMap().set('AnchorPeers', value(list));
  }
  return g;
}

function applicationGroup(spec: ChannelSpec): common.ConfigGroup {
  const g = newGroup({
    Readers: implicitMetaPolicy('ANY Readers'),
    Writers: implicitMetaPolicy('ANY Writers'),
    Admins: implicitMetaPolicy('MAJORITY Admins'),
    LifecycleEndorsement: policyFromSpec(spec.lifecycleEndorsementPolicy ?? 'MAJORITY Endorsement'),
    Endorsement: policyFromSpec(spec.endorsementPolicy),
  });
  g.getValuesMap().set('Capabilities', value(capabilities(CAPABILITIES.application)));
  for (const org of spec.applicationOrgs)
    g.getGroupsMap().set(org.name ?? org.mspId, applicationOrgGroup(org));
  return g;
}

function checkSpec(spec: ChannelSpec): void {
  if (!/^[a-z][a-z0-9.-]*$/.test(spec.channelId) || spec.channelId.length >= 250)
    throw new ChannelConfigError(`invalid channel name '${spec.channelId}'`);
  if (spec.applicationOrgs.length === 0)
    throw new ChannelConfigError('a channel needs at least one application org');
  const names = [spec.ordererOrg, ...spec.applicationOrgs].map((o) => o.name ?? o.mspId);
  const mspIds = [spec.ordererOrg, ...spec.applicationOrgs].map((o) => o.mspId);
  for (const list of [names, mspIds])
    for (const [i, n] of list.entries())
      if (list.indexOf(n) !== i) throw new ChannelConfigError(`duplicate organization '${n}'`);
}

/** Builds the `/Channel` config group: channel values and policies, the Orderer and Application groups. */
export function buildChannelGroup(spec: ChannelSpec): common.ConfigGroup {
  checkSpec(spec);
  const g = newGroup({
    Readers: implicitMetaPolicy('ANY Readers'),
    Writers: implicitMetaPolicy('ANY Writers'),
    Admins: implicitMetaPolicy('MAJORITY Admins'),
  });
  const hashing = new common.HashingAlgorithm();
  hashing.setName('SHA256');
  const structure = new common.BlockDataHashingStructure();
  structure.setWidth(BLOCK_DATA_HASHING_WIDTH);
  const values = g.getValuesMap();
  values.set('HashingAlgorithm', value(hashing));
  values.set('BlockDataHashingStructure', value(structure));
  if (spec.ordererOrg.addresses.length > 0)
    values.set('OrdererAddresses', value(addresses(spec.ordererOrg.addresses), ORDERER_ADMINS));
  values.set('Capabilities', value(capabilities(CAPABILITIES.channel)));
  g.getGroupsMap().set('Orderer', ordererGroup(spec));
  g.getGroupsMap().set('Application', applicationGroup(spec));
  return g;
}
