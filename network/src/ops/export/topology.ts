/**
 * The deployment every artifact of the export describes: host names, ports, file paths (relative to the
 * export folder, in Fabric's test-network layout) and chaincode lifecycle parameters, derived once from
 * the profile so configtx.yaml, compose.yaml, the scripts and the README cannot disagree.
 */
import { resolve } from 'node:path';
import { parseEndorsementPolicy, PolicyError } from '../../policy/index.js';
import {
  DEFAULT_BATCH,
  checkProfile,
  type ChaincodeSpec,
  type NetworkProfile,
  type PeerOrgProfile,
} from '../../profile.js';
import { packageLabel } from './ccaas-package.js';
import { ExportError } from './errors.js';

/** Orderer listen port (also the Raft cluster port) and channel participation API port. */
export const ORDERER_PORT = 7050;
export const ORDERER_ADMIN_PORT = 7053;
/** Port every chaincode server listens on, inside its own container. */
export const CHAINCODE_SERVER_PORT = 9999;

/** The files of one peer or orderer node (`<org>/peers/<host>` or `<org>/orderers/<host>`). */
export interface NodePaths {
  readonly dir: string;
  readonly msp: string;
  readonly tlsDir: string;
  readonly tlsCa: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
}

/** The ordering service: one etcdraft node. */
export interface OrdererTopology {
  readonly mspId: string;
  readonly domain: string;
  readonly name: string;
  /** `<name>.<domain>`: container name, TLS certificate name, channel endpoint. */
  readonly host: string;
  readonly port: number;
  readonly adminPort: number;
  /** `organizations/ordererOrganizations/<domain>`. */
  readonly orgDir: string;
  /** The organisation MSP folder configtx.yaml points at. */
  readonly mspDir: string;
  /** The organisation's TLS CA certificate (`tlsca/tlsca.<domain>-cert.pem`). */
  readonly tlsCaCert: string;
  readonly node: NodePaths;
}

/** A user whose MSP folder runs commands. */
export interface UserRef {
  readonly name: string;
  /** `<name>@<domain>`. */
  readonly enrollmentId: string;
  /** `<org>/users/<name>@<domain>/msp`. */
  readonly msp: string;
}

/** A peer organisation and its one peer. */
export interface PeerTopology {
  readonly mspId: string;
  readonly domain: string;
  /** Host clients dial (the profile's `peer.host`, e.g. `localhost`). */
  readonly clientHost: string;
  /** `<peer.name>.<domain>`: container name, TLS certificate name, gossip endpoint. */
  readonly host: string;
  /** Peer port, inside the container network and published on the host. */
  readonly port: number;
  /** Chaincode listen port, inside the peer's container only. */
  readonly chaincodePort: number;
  /** `{{.peername}}` of the CCaaS builder: the prefix of this org's chaincode server host names. */
  readonly peername: string;
  readonly orgDir: string;
  readonly mspDir: string;
  readonly tlsCaCert: string;
  /** The organisation's signing CA certificate (`ca/ca.<domain>-cert.pem`). */
  readonly caCert: string;
  readonly node: NodePaths;
  /** The user that joins the channel and runs the lifecycle (NodeOU admin). */
  readonly admin: UserRef;
  readonly users: readonly UserRef[];
}

/** How a chaincode definition names its endorsement policy on the command line. */
export interface LifecyclePolicy {
  /** The policy as the profile gives it. */
  readonly text: string;
  readonly flag: '--signature-policy' | '--channel-config-policy';
  readonly value: string;
}

/** A chaincode of the export. */
export interface ChaincodeTopology {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  /** `<name>_<version>`. */
  readonly label: string;
  /** Absolute folder of the chaincode sources. */
  readonly source: string;
  /** `chaincode/<name>`: sources and Dockerfile in the export. */
  readonly dir: string;
  /** `packages/<name>.tar.gz`. */
  readonly packageFile: string;
  /** `.env` variable holding the package id, e.g. `CC_CREDIT_PACKAGE_ID`. */
  readonly packageIdVar: string;
  readonly image: string;
  /** `connection.json` address, a template over the peer's `{{.peername}}`. */
  readonly address: string;
  readonly policy: LifecyclePolicy;
  /** Compose service (and host name) of this chaincode's server for one organisation. */
  serviceFor(org: PeerTopology): string;
}

/** Who initialises the consortium configuration, and with what. */
export interface ConsortiumInit {
  /** The chaincode holding it (one of the exported chaincodes). */
  readonly chaincode: string;
  /** The `InitConsortium` argument. */
  readonly configJson: string;
  readonly initBy: { readonly mspId: string; readonly user: string };
  /** Organisation HPKE keys to publish with `PublishOrgKey`, each by that organisation's `user`. */
  readonly orgKeys?:
    { readonly suite: string; readonly user: string; readonly orgs: readonly string[] } | undefined;
}

/** An organisation that publishes its HPKE public key, and the user that does it. */
export interface KeyPublisher {
  readonly org: PeerTopology;
  readonly user: UserRef;
}

/** The consortium initialisation, resolved against the topology. */
export interface ConsortiumTopology {
  readonly chaincode: string;
  readonly configJson: string;
  /** The user that runs `InitConsortium`. */
  readonly user: UserRef;
  readonly initOrg: PeerTopology;
  /** HPKE suite of the published keys, when the profile publishes any. */
  readonly keySuite: string | undefined;
  readonly keyPublishers: readonly KeyPublisher[];
}

/** Everything the artifacts describe. */
export interface Topology {
  readonly profileName: string;
  readonly channel: string;
  /** configtx.yaml profile for `configtxgen -profile`, e.g. `CreditchainChannel`. */
  readonly configtxProfile: string;
  /** What the export changes from the emulated network, for the operator to know. */
  readonly warnings: readonly string[];
  readonly orderer: OrdererTopology;
  readonly orgs: readonly PeerTopology[];
  readonly chaincodes: readonly ChaincodeTopology[];
  readonly batch: {
    readonly maxMessageCount: number;
    readonly absoluteMaxBytes: number;
    readonly preferredMaxBytes: number;
    readonly timeoutMs: number;
  };
  /** Channel application policies beyond test-network's, for chaincode definitions that reference them. */
  readonly extraApplicationPolicies: ReadonlyMap<string, string>;
  readonly consortium: ConsortiumTopology | undefined;
}

/** The inputs of {@link buildTopology}. */
export interface TopologyInput {
  readonly profile: NetworkProfile;
  readonly chaincodes: readonly ChaincodeSpec[];
  readonly consortium?: ConsortiumInit | undefined;
}

/** Application policies of test-network's configtx.yaml, which chaincode definitions may reference. */
export const BASE_APPLICATION_POLICIES: ReadonlyMap<string, string> = new Map([
  ['Readers', 'ANY Readers'],
  ['Writers', 'ANY Writers'],
  ['Admins', 'MAJORITY Admins'],
  ['LifecycleEndorsement', 'MAJORITY Endorsement'],
  ['Endorsement', 'MAJORITY Endorsement'],
]);

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function nodePaths(orgDir: string, kind: 'peers' | 'orderers', host: string): NodePaths {
  const dir = `${orgDir}/${kind}/${host}`;
  return {
    dir,
    msp: `${dir}/msp`,
    tlsDir: `${dir}/tls`,
    tlsCa: `${dir}/tls/ca.crt`,
    tlsCert: `${dir}/tls/server.crt`,
    tlsKey: `${dir}/tls/server.key`,
  };
}

function userRef(orgDir: string, domain: string, name: string): UserRef {
  const enrollmentId = `${name}@${domain}`;
  return { name, enrollmentId, msp: `${orgDir}/users/${enrollmentId}/msp` };
}

/** Peer ports: the profile's, or for `0` (free port in the emulator) test-network's 7051, 9051, 11051… */
function peerPorts(orgs: readonly PeerOrgProfile[]): number[] {
  const reserved = new Set([ORDERER_PORT, ORDERER_ADMIN_PORT]);
  orgs.forEach((org, i) => {
    if (reserved.has(org.peer.port))
      throw new ExportError('PORT_CONFLICT', `peer port ${org.peer.port} of ${org.mspId} is the orderer's`, {
        hint: `give orgs[${i}].peer.port another port than ${ORDERER_PORT} and ${ORDERER_ADMIN_PORT}`,
      });
  });
  const used = new Set([...reserved, ...orgs.map((o) => o.peer.port).filter((p) => p !== 0)]);
  let next = 7051;
  return orgs.map((org) => {
    if (org.peer.port !== 0) return org.peer.port;
    while (used.has(next)) next += 2000;
    used.add(next);
    return next;
  });
}

/** `peer0org1` as test-network names it; the full host without dots when two orgs would collide. */
function peernames(orgs: readonly PeerOrgProfile[]): string[] {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const short = orgs.map((o) => clean(o.peer.name + (o.domain.split('.')[0] ?? '')));
  if (new Set(short).size === short.length) return short;
  return orgs.map((o) => clean(`${o.peer.name}.${o.domain}`));
}

function adminOf(org: PeerOrgProfile, orgDir: string, index: number): UserRef {
  const admins = org.users.filter((u) => u.ou === 'admin');
  const admin = admins.find((u) => u.name === 'Admin') ?? admins[0];
  if (!admin)
    throw new ExportError('NO_ADMIN_USER', `${org.mspId} has no admin user to join the channel and deploy`, {
      hint: `add a user with ou admin to orgs[${index}].users, e.g. { name: Admin, ou: admin }`,
    });
  return userRef(orgDir, org.domain, admin.name);
}

/**
 * How a chaincode definition carries `policy`: signature policies as `--signature-policy`, implicit-meta
 * rules as a reference to a channel application policy (`MAJORITY Endorsement` is test-network's
 * `/Channel/Application/Endorsement`; other rules get their own policy, e.g. `AnyEndorsement`).
 */
export function lifecyclePolicy(text: string, extra: Map<string, string>): LifecyclePolicy {
  let parsed;
  try {
    parsed = parseEndorsementPolicy(text);
  } catch (err) {
    const reason = err instanceof PolicyError ? err.message : String(err);
    throw new ExportError('BAD_POLICY', `endorsement policy "${text}" does not parse: ${reason}`, {
      hint: 'use MAJORITY Endorsement, ANY Endorsement, a channel policy path or a signature policy',
    });
  }
  const t = text.trim();
  if (t.startsWith('/')) {
    const name = /^\/Channel\/Application\/([A-Za-z0-9]+)$/.exec(t)?.[1];
    if (name === undefined || !BASE_APPLICATION_POLICIES.has(name))
      throw new ExportError('BAD_POLICY', `channel policy ${t} is not defined in the exported channel`, {
        hint: `reference one of ${[...BASE_APPLICATION_POLICIES.keys()].map((n) => `/Channel/Application/${n}`).join(', ')}`,
      });
    return { text: t, flag: '--channel-config-policy', value: t };
  }
  if (parsed.kind === 'signature') return { text: t, flag: '--signature-policy', value: t };
  const rule = `${parsed.rule} ${parsed.subPolicy}`;
  const base = [...BASE_APPLICATION_POLICIES].find(([n, r]) => r === rule && n !== 'LifecycleEndorsement');
  if (base) return { text: t, flag: '--channel-config-policy', value: `/Channel/Application/${base[0]}` };
  const name = pascal(parsed.rule.toLowerCase()) + pascal(parsed.subPolicy);
  extra.set(name, rule);
  return { text: t, flag: '--channel-config-policy', value: `/Channel/Application/${name}` };
}

function chaincodeTopology(spec: ChaincodeSpec, extra: Map<string, string>): ChaincodeTopology {
  const label = packageLabel(spec.name, spec.version);
  const service = spec.name.toLowerCase();
  return {
    name: spec.name,
    version: spec.version,
    sequence: 1,
    label,
    source: resolve(spec.path),
    dir: `chaincode/${spec.name}`,
    packageFile: `packages/${spec.name}.tar.gz`,
    packageIdVar: `CC_${spec.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PACKAGE_ID`,
    image: `creditchain/${service}-ccaas:${spec.version.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}`,
    address: `{{.peername}}_${service}:${CHAINCODE_SERVER_PORT}`,
    policy: lifecyclePolicy(spec.policy, extra),
    serviceFor: (org) => `${org.peername}_${service}`,
  };
}

function orgUser(orgs: readonly PeerTopology[], mspId: string, name: string, field: string): KeyPublisher {
  const org = orgs.find((o) => o.mspId === mspId);
  const user = org?.users.find((u) => u.name === name);
  if (!org || !user)
    throw new ExportError(
      'BAD_CONSORTIUM',
      `consortium ${field} names ${name}@${mspId}, which is not a profile user`,
      {
        hint: `name a user of one of the profile organisations in consortium.${field}`,
      },
    );
  return { org, user };
}

function consortiumTopology(
  c: ConsortiumInit,
  orgs: readonly PeerTopology[],
  chaincodes: readonly ChaincodeTopology[],
): ConsortiumTopology {
  if (!chaincodes.some((cc) => cc.name === c.chaincode))
    throw new ExportError('BAD_CONSORTIUM', `consortium chaincode ${c.chaincode} is not exported`, {
      hint: `name one of: ${chaincodes.map((cc) => cc.name).join(', ') || '(no chaincodes)'}`,
    });
  const init = orgUser(orgs, c.initBy.mspId, c.initBy.user, 'initBy');
  const keys = c.orgKeys;
  return {
    chaincode: c.chaincode,
    configJson: c.configJson,
    user: init.user,
    initOrg: init.org,
    keySuite: keys?.suite,
    keyPublishers: keys ? keys.orgs.map((mspId) => orgUser(orgs, mspId, keys.user, 'orgKeys')) : [],
  };
}

/**
 * Derives the export's topology from a profile and its chaincodes.
 * @throws ProfileError for an invalid profile; ExportError for what real Fabric cannot run as given.
 */
export function buildTopology(input: TopologyInput): Topology {
  const profile = checkProfile(input.profile);
  const ordererDir = `organizations/ordererOrganizations/${profile.orderer.domain}`;
  const ordererHost = `${profile.orderer.name}.${profile.orderer.domain}`;
  const ports = peerPorts(profile.orgs);
  const names = peernames(profile.orgs);
  const orgs = profile.orgs.map((org, i): PeerTopology => {
    const orgDir = `organizations/peerOrganizations/${org.domain}`;
    const host = `${org.peer.name}.${org.domain}`;
    const port = ports[i] ?? 0;
    return {
      mspId: org.mspId,
      domain: org.domain,
      clientHost: org.peer.host,
      host,
      port,
      chaincodePort: port + 1,
      peername: names[i] ?? '',
      orgDir,
      mspDir: `${orgDir}/msp`,
      tlsCaCert: `${orgDir}/tlsca/tlsca.${org.domain}-cert.pem`,
      caCert: `${orgDir}/ca/ca.${org.domain}-cert.pem`,
      node: nodePaths(orgDir, 'peers', host),
      admin: adminOf(org, orgDir, i),
      users: org.users.map((u) => userRef(orgDir, org.domain, u.name)),
    };
  });
  const extra = new Map<string, string>();
  const seen = new Set<string>();
  const chaincodes = input.chaincodes.map((spec) => {
    if (seen.has(spec.name))
      throw new ExportError('DUPLICATE_CHAINCODE', `chaincode ${spec.name} is listed twice`, {
        hint: 'give each chaincode of the profile a distinct name',
      });
    seen.add(spec.name);
    return chaincodeTopology(spec, extra);
  });
  const consortium = input.consortium && consortiumTopology(input.consortium, orgs, chaincodes);
  return {
    profileName: profile.name,
    channel: profile.channel,
    configtxProfile: `${pascal(profile.channel)}Channel`,
    warnings:
      profile.tls === false
        ? [
            'the profile turns TLS off, but Fabric needs TLS with etcdraft: the exported peers serve TLS, ' +
              'so clients must use grpcs:// and the organisation TLS CA',
          ]
        : [],
    orderer: {
      mspId: profile.orderer.mspId,
      domain: profile.orderer.domain,
      name: profile.orderer.name,
      host: ordererHost,
      port: ORDERER_PORT,
      adminPort: ORDERER_ADMIN_PORT,
      orgDir: ordererDir,
      mspDir: `${ordererDir}/msp`,
      tlsCaCert: `${ordererDir}/tlsca/tlsca.${profile.orderer.domain}-cert.pem`,
      node: nodePaths(ordererDir, 'orderers', ordererHost),
    },
    orgs,
    chaincodes,
    batch: { ...DEFAULT_BATCH, ...profile.batch },
    extraApplicationPolicies: extra,
    consortium,
  };
}

/** Every file and folder of the crypto material the generated configuration refers to. */
export function referencedCryptoPaths(t: Topology): string[] {
  const node = (n: NodePaths): string[] => [n.msp, n.tlsCa, n.tlsCert, n.tlsKey];
  return [
    t.orderer.mspDir,
    t.orderer.tlsCaCert,
    ...node(t.orderer.node),
    ...t.orgs.flatMap((o) => [
      o.mspDir,
      o.tlsCaCert,
      o.caCert,
      ...node(o.node),
      ...o.users.map((u) => u.msp),
    ]),
  ];
}
