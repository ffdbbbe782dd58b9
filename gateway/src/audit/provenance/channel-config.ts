/*
 * The channel configuration a genesis block carries (`/Channel/Orderer/<org>` and
 * `/Channel/Application/<org>` groups with their MSP definitions, and the policies), read with
 * `@hyperledger/fabric-protos` alone.
 */
import { X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { ProvenanceError } from './errors.js';

/** Whether an organisation orders blocks or runs peers. */
export type OrgKind = 'orderer' | 'application';

/** One organisation of the channel, as its config group defines its MSP. */
export interface ConfigOrg {
  /** Config group name. */
  readonly group: string;
  readonly mspId: string;
  readonly kind: OrgKind;
  readonly rootCerts: readonly X509Certificate[];
  readonly intermediateCerts: readonly X509Certificate[];
}

/** What the verifier needs from the channel configuration. */
export interface ChannelConfiguration {
  readonly channelId: string;
  /** Orderer organisations first, then application organisations, each by group name. */
  readonly orgs: readonly ConfigOrg[];
  /** `/Channel/Application`: its `Endorsement` policy and the organisations' sub-policies. */
  readonly application: common.ConfigGroup;
}

/** MSP type FABRIC (X.509). */
const FABRIC_MSP = 0;

function invalid(message: string): ProvenanceError {
  return new ProvenanceError('CONFIG_INVALID', message, { block: 0 });
}

/** Map entries sorted by key (protobuf maps have no order of their own). */
export function sortedEntries<V>(map: { forEach(cb: (value: V, key: string) => void): void }): [string, V][] {
  const out: [string, V][] = [];
  map.forEach((value, key) => out.push([key, value]));
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function certificates(list: Uint8Array[], what: string, mspId: string): X509Certificate[] {
  return list.map((bytes, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(bytes));
    } catch {
      throw invalid(`${mspId}: ${what}[${i}] is not a certificate`);
    }
    if (!cert.ca) throw invalid(`${mspId}: ${what}[${i}] is not a CA certificate`);
    return cert;
  });
}

function readOrg(group: string, config: common.ConfigGroup, kind: OrgKind): ConfigOrg {
  const value = config.getValuesMap().get('MSP')?.getValue_asU8();
  if (value === undefined) throw invalid(`organisation ${group} has no MSP`);
  const mspConfig = msp.MSPConfig.deserializeBinary(value);
  if (mspConfig.getType() !== FABRIC_MSP) throw invalid(`organisation ${group} is not an X.509 MSP`);
  const fabric = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
  const mspId = fabric.getName();
  if (mspId === '') throw invalid(`organisation ${group} has no MSP ID`);
  if (fabric.getFabricNodeOus()?.getEnable() !== true)
    throw invalid(`${mspId} does not enable NodeOUs, which roles are read from`);
  if (fabric.getRevocationListList().length > 0)
    throw invalid(`${mspId} has certificate revocation lists, which this verifier does not evaluate`);
  const rootCerts = certificates(fabric.getRootCertsList_asU8(), 'root certificate', mspId);
  if (rootCerts.length === 0) throw invalid(`${mspId} has no root certificate`);
  return {
    group,
    mspId,
    kind,
    rootCerts,
    intermediateCerts: certificates(
      fabric.getIntermediateCertsList_asU8(),
      'intermediate certificate',
      mspId,
    ),
  };
}

function subGroup(group: common.ConfigGroup, name: string): common.ConfigGroup {
  const sub = group.getGroupsMap().get(name);
  if (!sub) throw invalid(`the configuration has no ${name} group`);
  return sub;
}

/**
 * Reads the configuration of a genesis block: a single CONFIG envelope holding a `ConfigEnvelope`.
 *
 * @throws {@link ProvenanceError} `CONFIG_INVALID`
 */
export function readChannelConfiguration(block: common.Block): ChannelConfiguration {
  try {
    const data = block.getData()?.getDataList_asU8() ?? [];
    const first = data[0];
    if (data.length !== 1 || first === undefined) throw invalid('block 0 must hold exactly one envelope');
    const payload = common.Payload.deserializeBinary(
      common.Envelope.deserializeBinary(first).getPayload_asU8(),
    );
    const channelHeader = common.ChannelHeader.deserializeBinary(
      payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
    );
    if (channelHeader.getType() !== common.HeaderType.CONFIG) throw invalid('block 0 is not a CONFIG block');
    const root = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8())
      .getConfig()
      ?.getChannelGroup();
    if (!root) throw invalid('the configuration has no channel group');
    const ordererGroup = subGroup(root, 'Orderer');
    const application = subGroup(root, 'Application');
    const orgs = [
      ...sortedEntries(ordererGroup.getGroupsMap()).map(([n, g]) => readOrg(n, g, 'orderer')),
      ...sortedEntries(application.getGroupsMap()).map(([n, g]) => readOrg(n, g, 'application')),
    ];
    if (!orgs.some((o) => o.kind === 'orderer')) throw invalid('the channel has no ordering organisation');
    if (!orgs.some((o) => o.kind === 'application')) throw invalid('the channel has no peer organisation');
    const ids = orgs.map((o) => o.mspId);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) throw invalid(`MSP ${duplicate} is defined twice`);
    return { channelId: channelHeader.getChannelId(), orgs, application };
  } catch (err) {
    if (err instanceof ProvenanceError) throw err;
    throw invalid(`block 0 does not decode as a channel configuration (${(err as Error).message})`);
  }
}
