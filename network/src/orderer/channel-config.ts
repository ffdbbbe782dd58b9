import { common, orderer, peer } from '@hyperledger/fabric-protos';
import type { BatchConfig } from './channel-group.js';
import { decodeConfigPolicy, type ConfigPolicyInfo } from './config-policies.js';
import { parseGoDuration } from './duration.js';
import { ChannelConfigError } from './errors.js';
import { decodeFabricMspConfig } from './msp-config.js';

/*
 * Reading a channel configuration back out of a CONFIG block: how a peer learns the channel's MSPs,
 * policies and orderer parameters from the genesis block alone.
 */

/** One organization of the channel, from its config group. */
export interface ChannelOrg {
  /** Config group name (`/Channel/Orderer/<name>` or `/Channel/Application/<name>`). */
  readonly name: string;
  readonly mspId: string;
  readonly role: 'orderer' | 'application';
  readonly rootCertsPem: string[];
  readonly intermediateCertsPem: string[];
  readonly tlsRootCertsPem: string[];
  readonly tlsIntermediateCertsPem: string[];
  readonly nodeOUs: boolean;
  /** Orderer org endpoints (`host:port`); empty for application orgs. */
  readonly endpoints: string[];
  /** Anchor peers of an application org; empty for orderer orgs. */
  readonly anchorPeers: { host: string; port: number }[];
}

/** The channel configuration carried by a CONFIG block. */
export interface ChannelConfig {
  readonly channelId: string;
  /** Number of the block it was read from. */
  readonly blockNumber: number;
  /** `Config.sequence` (0 for a genesis block). */
  readonly sequence: number;
  /** Orderer orgs first, then application orgs, each sorted by group name. */
  readonly orgs: ChannelOrg[];
  readonly batch: BatchConfig;
  readonly consensusType: string;
  /** Channel-level `OrdererAddresses`. */
  readonly ordererAddresses: string[];
  readonly capabilities: { channel: string[]; orderer: string[]; application: string[] };
  /** Every policy of the config tree by path, e.g. `/Channel/Application/Org1MSP/Endorsement`. */
  readonly policies: Record<string, ConfigPolicyInfo>;
  /** `/Channel/Application/Endorsement`. */
  readonly endorsementPolicy: ConfigPolicyInfo;
  /** `/Channel/Application/LifecycleEndorsement`. */
  readonly lifecycleEndorsementPolicy: ConfigPolicyInfo;
}

function entries<V>(map: { forEach(cb: (value: V, key: string) => void): void }): [string, V][] {
  const out: [string, V][] = [];
  map.forEach((v, k) => out.push([k, v]));
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function valueBytes(group: common.ConfigGroup, key: string): Uint8Array | undefined {
  return group.getValuesMap().get(key)?.getValue_asU8();
}

function requiredValue(group: common.ConfigGroup, key: string, path: string): Uint8Array {
  const v = valueBytes(group, key);
  if (v === undefined) throw new ChannelConfigError(`config value ${path}/${key} is missing`);
  return v;
}

function subGroup(group: common.ConfigGroup, key: string, path: string): common.ConfigGroup {
  const g = group.getGroupsMap().get(key);
  if (!g) throw new ChannelConfigError(`config group ${path}/${key} is missing`);
  return g;
}

function capabilityNames(group: common.ConfigGroup): string[] {
  const bytes = valueBytes(group, 'Capabilities');
  if (bytes === undefined) return [];
  return entries(common.Capabilities.deserializeBinary(bytes).getCapabilitiesMap()).map(([k]) => k);
}

function collectPolicies(
  group: common.ConfigGroup,
  path: string,
  out: Record<string, ConfigPolicyInfo>,
): void {
  for (const [name, cp] of entries(group.getPoliciesMap()))
    out[`${path}/${name}`] = decodeConfigPolicy(`${path}/${name}`, cp.getPolicy());
  for (const [name, g] of entries(group.getGroupsMap())) collectPolicies(g, `${path}/${name}`, out);
}

function readOrg(
  name: string,
  group: common.ConfigGroup,
  role: ChannelOrg['role'],
  path: string,
): ChannelOrg {
  const m = decodeFabricMspConfig(requiredValue(group, 'MSP', path), path);
  const endpoints = valueBytes(group, 'Endpoints');
  const anchors = valueBytes(group, 'AnchorPeers');
  return {
    name,
    mspId: m.mspId,
    role,
    rootCertsPem: m.rootCertsPem,
    intermediateCertsPem: m.intermediateCertsPem,
    tlsRootCertsPem: m.tlsRootCertsPem,
    tlsIntermediateCertsPem: m.tlsIntermediateCertsPem,
    nodeOUs: m.nodeOUs,
    endpoints: endpoints ? common.OrdererAddresses.deserializeBinary(endpoints).getAddressesList() : [],
    anchorPeers: anchors
      ? peer.AnchorPeers.deserializeBinary(anchors)
          .getAnchorPeersList()
          .map((a) => ({ host: a.getHost(), port: a.getPort() }))
      : [],
  };
}

function readBatch(ordererGroup: common.ConfigGroup): BatchConfig {
  const size = orderer.BatchSize.deserializeBinary(
    requiredValue(ordererGroup, 'BatchSize', '/Channel/Orderer'),
  );
  const timeout = orderer.BatchTimeout.deserializeBinary(
    requiredValue(ordererGroup, 'BatchTimeout', '/Channel/Orderer'),
  ).getTimeout();
  return {
    maxMessageCount: size.getMaxMessageCount(),
    absoluteMaxBytes: size.getAbsoluteMaxBytes(),
    preferredMaxBytes: size.getPreferredMaxBytes(),
    timeoutMs: parseGoDuration(timeout),
  };
}

function configEnvelopeOf(block: common.Block): { channelId: string; config: common.Config } {
  const first = block.getData()?.getDataList_asU8()[0];
  if (first === undefined) throw new ChannelConfigError('block has no data');
  const payload = common.Payload.deserializeBinary(
    common.Envelope.deserializeBinary(first).getPayload_asU8(),
  );
  const header = payload.getHeader();
  if (!header) throw new ChannelConfigError('config envelope has no header');
  const ch = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  if (ch.getType() !== common.HeaderType.CONFIG)
    throw new ChannelConfigError(`block ${block.getHeader()?.getNumber() ?? '?'} is not a CONFIG block`);
  const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig();
  if (!config) throw new ChannelConfigError('config envelope has no config');
  return { channelId: ch.getChannelId(), config };
}

function readChannelConfig(block: common.Block | Uint8Array): ChannelConfig {
  const decoded = block instanceof common.Block ? block : common.Block.deserializeBinary(block);
  const { channelId, config } = configEnvelopeOf(decoded);
  const root = config.getChannelGroup();
  if (!root) throw new ChannelConfigError('config has no channel group');
  const ordererGroup = subGroup(root, 'Orderer', '/Channel');
  const applicationGroup = subGroup(root, 'Application', '/Channel');

  const orgs = [
    ...entries(ordererGroup.getGroupsMap()).map(([n, g]) =>
      readOrg(n, g, 'orderer', `/Channel/Orderer/${n}`),
    ),
    ...entries(applicationGroup.getGroupsMap()).map(([n, g]) =>
      readOrg(n, g, 'application', `/Channel/Application/${n}`),
    ),
  ];
  const policies: Record<string, ConfigPolicyInfo> = {};
  collectPolicies(root, '/Channel', policies);
  const policy = (path: string): ConfigPolicyInfo => {
    const p = policies[path];
    if (!p) throw new ChannelConfigError(`policy ${path} is missing`);
    return p;
  };
  const addresses = valueBytes(root, 'OrdererAddresses');
  return {
    channelId,
    blockNumber: decoded.getHeader()?.getNumber() ?? 0,
    sequence: config.getSequence(),
    orgs,
    batch: readBatch(ordererGroup),
    consensusType: orderer.ConsensusType.deserializeBinary(
      requiredValue(ordererGroup, 'ConsensusType', '/Channel/Orderer'),
    ).getType(),
    ordererAddresses: addresses
      ? common.OrdererAddresses.deserializeBinary(addresses).getAddressesList()
      : [],
    capabilities: {
      channel: capabilityNames(root),
      orderer: capabilityNames(ordererGroup),
      application: capabilityNames(applicationGroup),
    },
    policies,
    endorsementPolicy: policy('/Channel/Application/Endorsement'),
    lifecycleEndorsementPolicy: policy('/Channel/Application/LifecycleEndorsement'),
  };
}

/**
 * Reads the channel configuration from a CONFIG block (block 0 or a later config block): channel ID,
 * organizations with their MSP material, batch parameters, consensus type, capabilities and policies.
 * Throws {@link ChannelConfigError} when the block is not a usable CONFIG block.
 */
export function parseChannelConfig(block: common.Block | Uint8Array): ChannelConfig {
  try {
    return readChannelConfig(block);
  } catch (err) {
    if (err instanceof ChannelConfigError) throw err;
    throw new ChannelConfigError(`malformed config block: ${(err as Error).message}`);
  }
}
