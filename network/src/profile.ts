import type { OrgSpec, UserSpec } from './msp/index.js';

/** A chaincode to run on every peer of the channel. */
export interface ChaincodeSpec {
  readonly name: string;
  /** Folder of a fabric-contract-api Node chaincode (its `package.json` `main` is loaded). */
  readonly path: string;
  readonly version: string;
  /** Endorsement policy: `MAJORITY Endorsement`, `ANY Endorsement`, or a signature policy such as `AND('A.peer','B.peer')`. */
  readonly policy: string;
}

/** One peer organisation: its MSP, its peer and the users minted for it. */
export interface PeerOrgProfile {
  readonly mspId: string;
  /** e.g. `org1.example.com`; the peer is `<peer.name>.<domain>`. */
  readonly domain: string;
  readonly peer: { readonly name: string; readonly host: string; readonly port: number };
  readonly users: readonly UserSpec[];
}

/** A consortium network to run. */
export interface NetworkProfile {
  readonly name: string;
  readonly channel: string;
  /** TLS on every peer endpoint (default true). */
  readonly tls?: boolean;
  readonly orderer: { readonly mspId: string; readonly domain: string; readonly name: string };
  readonly orgs: readonly PeerOrgProfile[];
  /** Channel endorsement policy for chaincodes that name none (default `MAJORITY Endorsement`). */
  readonly endorsementPolicy?: string;
  readonly batch?: {
    readonly maxMessageCount?: number;
    readonly preferredMaxBytes?: number;
    readonly absoluteMaxBytes?: number;
    readonly timeoutMs?: number;
  };
}

/** A profile error: which field and why. */
export class ProfileError extends Error {
  override readonly name = ProfileError.name;
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`profile field ${field}: ${reason}`);
  }
}

const MSP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const CHANNEL = /^[a-z][a-z0-9.-]{0,248}$/;

/** Checks a profile, throwing {@link ProfileError} naming the first bad field. */
export function checkProfile(p: NetworkProfile): NetworkProfile {
  if (!CHANNEL.test(p.channel))
    throw new ProfileError('channel', 'must be a Fabric channel name (lower case, starting with a letter)');
  if (!MSP.test(p.orderer.mspId)) throw new ProfileError('orderer.mspId', 'must be an MSP id');
  if (!DOMAIN.test(p.orderer.domain)) throw new ProfileError('orderer.domain', 'must be a DNS domain');
  if (p.orgs.length === 0) throw new ProfileError('orgs', 'needs at least one peer organisation');
  const msps = new Set<string>([p.orderer.mspId]);
  const ports = new Set<number>();
  p.orgs.forEach((org, i) => {
    if (!MSP.test(org.mspId)) throw new ProfileError(`orgs[${i}].mspId`, 'must be an MSP id');
    if (msps.has(org.mspId)) throw new ProfileError(`orgs[${i}].mspId`, `${org.mspId} appears twice`);
    msps.add(org.mspId);
    if (!DOMAIN.test(org.domain)) throw new ProfileError(`orgs[${i}].domain`, 'must be a DNS domain');
    const port = org.peer.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new ProfileError(`orgs[${i}].peer.port`, 'must be a TCP port (0 picks a free one)');
    if (port !== 0 && ports.has(port))
      throw new ProfileError(`orgs[${i}].peer.port`, `${port} is used twice`);
    ports.add(port);
  });
  return p;
}

/** Fabric's test-network: Org1MSP and Org2MSP on `mychannel`, peers on 7051 and 9051. */
export function testNetworkProfile(): NetworkProfile {
  const org = (n: number, port: number): PeerOrgProfile => ({
    mspId: `Org${n}MSP`,
    domain: `org${n}.example.com`,
    peer: { name: 'peer0', host: 'localhost', port },
    users: [
      { name: 'Admin', ou: 'admin', attrs: { role: 'admin' } },
      { name: 'User1', ou: 'client', attrs: { role: 'member', institution: `ORG${n}-BANK` } },
    ],
  });
  return {
    name: 'test-network',
    channel: 'mychannel',
    tls: true,
    orderer: { mspId: 'OrdererMSP', domain: 'example.com', name: 'orderer' },
    orgs: [org(1, 7051), org(2, 9051)],
  };
}

/**
 * The orderer's batch parameters where a profile sets none. A batch waits at most 100 ms for more
 * transactions: at low rates that wait is most of a transaction's commit latency; at high rates
 * blocks fill by count or size first.
 */
export const DEFAULT_BATCH = {
  maxMessageCount: 500,
  absoluteMaxBytes: 99 * 1024 * 1024,
  preferredMaxBytes: 2 * 1024 * 1024,
  timeoutMs: 100,
} as const;

/** The organisations of a profile as their crypto material is laid out (orderer organisation first). */
export function orgSpecs(profile: NetworkProfile): OrgSpec[] {
  return [
    {
      type: 'orderer',
      domain: profile.orderer.domain,
      mspId: profile.orderer.mspId,
      nodes: [{ name: profile.orderer.name }],
      users: [{ name: 'Admin', ou: 'admin' }],
    },
    ...profile.orgs.map((spec): OrgSpec => ({
      type: 'peer',
      domain: spec.domain,
      mspId: spec.mspId,
      nodes: [{ name: spec.peer.name, sans: [spec.peer.host] }],
      users: spec.users,
    })),
  ];
}
