/**
 * `configtx.yaml` for `configtxgen -profile <Channel>Profile -outputBlock`: the same organisations,
 * policies and capabilities as fabric-samples' test-network (Fabric 2.5, no system channel, channel
 * participation API), with one etcdraft consenter and the profile's batch settings. MSPDir and TLS
 * certificate paths are relative to the export folder, which configtxgen resolves against the file.
 */
import { Document, Scalar, type YAMLMap } from 'yaml';
import type { PeerTopology, Topology } from './topology.js';

const KB = 1024;
const MB = 1024 * KB;

/** Fabric byte size: `99 MB`, `512 KB`, or plain bytes. */
export function byteSize(n: number): string | number {
  if (n % MB === 0) return `${n / MB} MB`;
  if (n % KB === 0) return `${n / KB} KB`;
  return n;
}

/** Go duration for a millisecond count: `2s`, `250ms`. */
export function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A double-quoted scalar, as test-network writes policy rules. */
function quoted(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

const signature = (rule: string): { Type: string; Rule: Scalar<string> } => ({
  Type: 'Signature',
  Rule: quoted(rule),
});
const implicitMeta = (rule: string): { Type: string; Rule: Scalar<string> } => ({
  Type: 'ImplicitMeta',
  Rule: quoted(rule),
});
const roles = (mspId: string, ...r: string[]): string => `OR(${r.map((x) => `'${mspId}.${x}'`).join(', ')})`;

function peerOrg(o: PeerTopology): Record<string, unknown> {
  return {
    Name: o.mspId,
    ID: o.mspId,
    MSPDir: o.mspDir,
    Policies: {
      Readers: signature(roles(o.mspId, 'admin', 'peer', 'client')),
      Writers: signature(roles(o.mspId, 'admin', 'client')),
      Admins: signature(roles(o.mspId, 'admin')),
      Endorsement: signature(roles(o.mspId, 'peer')),
    },
    AnchorPeers: [{ Host: o.host, Port: o.port }],
  };
}

/** The text of `configtx.yaml`. */
export function configtxYaml(t: Topology): string {
  const doc = new Document();
  const anchored = (value: object, anchor: string): YAMLMap => {
    const node = doc.createNode(value) as YAMLMap;
    node.anchor = anchor;
    return node;
  };
  const o = t.orderer;
  const ordererOrg = anchored(
    {
      Name: o.mspId,
      ID: o.mspId,
      MSPDir: o.mspDir,
      Policies: {
        Readers: signature(roles(o.mspId, 'member')),
        Writers: signature(roles(o.mspId, 'member')),
        Admins: signature(roles(o.mspId, 'admin')),
      },
      OrdererEndpoints: [`${o.host}:${o.port}`],
    },
    o.mspId,
  );
  const peerOrgs = t.orgs.map((org) => anchored(peerOrg(org), org.mspId));
  const channelCaps = anchored({ V2_0: true }, 'ChannelCapabilities');
  const ordererCaps = anchored({ V2_0: true }, 'OrdererCapabilities');
  const applicationCaps = anchored({ V2_5: true }, 'ApplicationCapabilities');

  const applicationPolicies: Record<string, unknown> = {
    Readers: implicitMeta('ANY Readers'),
    Writers: implicitMeta('ANY Writers'),
    Admins: implicitMeta('MAJORITY Admins'),
    LifecycleEndorsement: implicitMeta('MAJORITY Endorsement'),
    Endorsement: implicitMeta('MAJORITY Endorsement'),
  };
  for (const [name, rule] of t.extraApplicationPolicies) applicationPolicies[name] = implicitMeta(rule);
  const application = anchored(
    { Organizations: null, Policies: applicationPolicies, Capabilities: doc.createAlias(applicationCaps) },
    'ApplicationDefaults',
  );
  const orderer = anchored(
    {
      OrdererType: 'etcdraft',
      EtcdRaft: {
        Consenters: [
          { Host: o.host, Port: o.port, ClientTLSCert: o.node.tlsCert, ServerTLSCert: o.node.tlsCert },
        ],
      },
      BatchTimeout: goDuration(t.batch.timeoutMs),
      BatchSize: {
        MaxMessageCount: t.batch.maxMessageCount,
        AbsoluteMaxBytes: byteSize(t.batch.absoluteMaxBytes),
        PreferredMaxBytes: byteSize(t.batch.preferredMaxBytes),
      },
      Organizations: null,
      Policies: {
        Readers: implicitMeta('ANY Readers'),
        Writers: implicitMeta('ANY Writers'),
        Admins: implicitMeta('MAJORITY Admins'),
        BlockValidation: implicitMeta('ANY Writers'),
      },
      Capabilities: doc.createAlias(ordererCaps),
    },
    'OrdererDefaults',
  );
  const channel = anchored(
    {
      Policies: {
        Readers: implicitMeta('ANY Readers'),
        Writers: implicitMeta('ANY Writers'),
        Admins: implicitMeta('MAJORITY Admins'),
      },
      Capabilities: doc.createAlias(channelCaps),
    },
    'ChannelDefaults',
  );

  doc.contents = doc.createNode({
    Organizations: [ordererOrg, ...peerOrgs],
    Capabilities: { Channel: channelCaps, Orderer: ordererCaps, Application: applicationCaps },
    Application: application,
    Orderer: orderer,
    Channel: channel,
    Profiles: {
      [t.configtxProfile]: {
        '<<': doc.createAlias(channel),
        Orderer: {
          '<<': doc.createAlias(orderer),
          Organizations: [doc.createAlias(ordererOrg)],
          Capabilities: doc.createAlias(ordererCaps),
        },
        Application: {
          '<<': doc.createAlias(application),
          Organizations: peerOrgs.map((n) => doc.createAlias(n)),
          Capabilities: doc.createAlias(applicationCaps),
        },
      },
    },
  });
  doc.commentBefore = [
    ` Channel "${t.channel}" of creditchain profile "${t.profileName}" (generated by creditchain fabric export).`,
    ` Fabric 2.5, no system channel: create the channel's genesis block from the export folder with`,
    `   configtxgen -configPath . -profile ${t.configtxProfile} -channelID ${t.channel} -outputBlock channel-artifacts/${t.channel}.block`,
    ` and join the orderer to it with osnadmin (see README.md). Paths are relative to this file.`,
  ].join('\n');
  return doc.toString({ lineWidth: 0, nullStr: '' });
}
