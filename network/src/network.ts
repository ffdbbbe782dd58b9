import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { ChaincodeRuntime, type ChaincodeTls } from './chaincode/index.js';
import { signingIdentity, type SigningIdentity } from './crypto/signing.js';
import { MspManager, writeOrgMaterial, type OrgMaterial } from './msp/index.js';
import { buildGenesisBlock, parseChannelConfig, type ChannelConfig } from './orderer/genesis.js';
import { Orderer, type AuthoriseResult } from './orderer/orderer.js';
import { LevelOrdererStore } from './orderer/store.js';
import { Peer } from './peer/peer.js';
import type { ChaincodeDefinition } from './peer/ports.js';
import { parseEndorsementPolicy } from './policy/index.js';
import {
  DEFAULT_BATCH,
  checkProfile,
  orgSpecs,
  type ChaincodeSpec,
  type NetworkProfile,
  type PeerOrgProfile,
} from './profile.js';

/** Where a client reaches one peer. */
export interface PeerEndpoint {
  readonly mspId: string;
  /** `<peer>.<domain>`: the name in the peer's TLS certificate, for `grpc.ssl_target_name_override`. */
  readonly hostAlias: string;
  /** `host:port` to dial. */
  readonly address: string;
  readonly tls: boolean;
  readonly tlsRootCertPem: string;
  readonly tlsRootCertPath: string;
}

/** A user's signing material. */
export interface IdentityMaterial {
  readonly mspId: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** A running network. */
export interface NetworkHandle {
  readonly profile: NetworkProfile;
  readonly dir: string;
  readonly channelId: string;
  readonly peers: readonly PeerEndpoint[];
  /** The signing material of user `name` (e.g. `User1`, `Admin`) of organisation `mspId`. */
  identity(mspId: string, name: string): IdentityMaterial;
  /** Installs and defines a chaincode on every peer (a new version bumps the sequence). */
  deploy(spec: ChaincodeSpec): Promise<ChaincodeDefinition & { readonly path: string }>;
  /** The chaincodes defined on the channel. */
  chaincodes(): readonly ChaincodeDefinition[];
  /** The chaincode processes: one per organisation and chaincode. */
  chaincodeRuntimes(): readonly ChaincodeRuntimeInfo[];
  /** A peer, for operators' tools and tests (state, height). */
  peer(mspId: string): Peer;
  /** Stops one peer (its endpoint and committer); {@link startPeer} brings it back to catch up. */
  stopPeer(mspId: string): Promise<void>;
  startPeer(mspId: string): Promise<void>;
  stop(): Promise<void>;
}

/** One organisation's process of one chaincode. */
export interface ChaincodeRuntimeInfo {
  readonly name: string;
  readonly version: string;
  readonly mspId: string;
  readonly state: string;
  readonly pid: number | undefined;
  readonly address: string | undefined;
}

/** Options of {@link startNetwork}. */
export interface StartOptions {
  /** Folder for crypto material, ledgers and logs (Fabric test-network layout inside). */
  readonly dir: string;
  /** Serve peers on free ports instead of the profile's (tests). */
  readonly freePorts?: boolean;
}

interface StoredDefinition {
  name: string;
  version: string;
  sequence: number;
  policy: string;
  path: string;
}

function forbid(info: string): AuthoriseResult {
  return { status: 403, info };
}

/** Brings up a consortium: crypto material, orderer, one peer per organisation, chaincodes. */
export async function startNetwork(
  profileInput: NetworkProfile,
  options: StartOptions,
): Promise<NetworkHandle> {
  const profile = checkProfile(profileInput);
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const tls = profile.tls ?? true;

  const [ordererSpec, ...peerSpecs] = orgSpecs(profile);
  if (!ordererSpec) throw new Error('no orderer organisation');
  const ordererOrg = await writeOrgMaterial(ordererSpec, dir);
  const peerOrgs = new Map<string, { spec: PeerOrgProfile; material: OrgMaterial }>();
  for (const [i, spec] of profile.orgs.entries()) {
    const layout = peerSpecs[i];
    if (!layout) throw new Error(`no layout for ${spec.mspId}`);
    peerOrgs.set(spec.mspId, { spec, material: await writeOrgMaterial(layout, dir) });
  }
  const nodeSigner = (material: OrgMaterial): SigningIdentity => {
    const node = material.nodes[0];
    if (!node) throw new Error(`no node material for ${material.mspId}`);
    return signingIdentity(material.mspId, node.msp.signing.cert.pem, node.msp.signing.key.pem);
  };
  const ordererSigner = nodeSigner(ordererOrg);

  const store = await LevelOrdererStore.open(join(dir, 'ledgers', 'orderer'));
  let genesis = await store.get(0);
  if (!genesis) {
    genesis = buildGenesisBlock(
      {
        channelId: profile.channel,
        ordererOrg: {
          mspId: ordererOrg.mspId,
          rootCertsPem: [ordererOrg.msp.caCert.pem],
          tlsRootCertsPem: [ordererOrg.msp.tlsCaCert.pem],
          addresses: [`${profile.orderer.name}.${profile.orderer.domain}:7050`],
        },
        applicationOrgs: [...peerOrgs.values()].map(({ spec, material }) => ({
          mspId: spec.mspId,
          rootCertsPem: [material.msp.caCert.pem],
          tlsRootCertsPem: [material.msp.tlsCaCert.pem],
          anchorPeers: [{ host: `${spec.peer.name}.${spec.domain}`, port: spec.peer.port }],
        })),
        batch: { ...DEFAULT_BATCH, ...profile.batch },
        endorsementPolicy: 'MAJORITY Endorsement',
      },
      ordererSigner,
    ).bytes;
  }
  const channel: ChannelConfig = parseChannelConfig(common.Block.deserializeBinary(genesis));
  const msp = new MspManager(
    channel.orgs.map((o) => ({
      mspId: o.mspId,
      rootCertsPem: o.rootCertsPem,
      intermediateCertsPem: o.intermediateCertsPem,
      tlsRootCertsPem: o.tlsRootCertsPem,
    })),
  );
  const applicationOrgs = channel.orgs.filter((o) => o.role === 'application').map((o) => o.mspId);

  const orderer = await Orderer.open({
    store,
    signer: ordererSigner,
    genesisBlock: genesis,
    ...(profile.batch ? { batch: { ...DEFAULT_BATCH, ...profile.batch } } : {}),
    authorise: (envelope, parsed) => {
      try {
        const creator = msp.deserialize(parsed.signatureHeader.getCreator_asU8());
        if (!creator.verify(envelope.getPayload_asU8(), envelope.getSignature_asU8()))
          return forbid('signature did not verify');
        if (!applicationOrgs.includes(creator.mspId))
          return forbid(`${creator.mspId} may not write to the channel`);
        return 'ok';
      } catch (err) {
        return forbid((err as Error).message);
      }
    },
  });

  // Chaincode definitions, persisted so a restart runs the same chaincodes.
  const definitionsFile = join(dir, 'chaincodes.json');
  let stored: StoredDefinition[] = [];
  try {
    stored = JSON.parse(await readFile(definitionsFile, 'utf8')) as StoredDefinition[];
  } catch {
    stored = [];
  }
  const definitions = new Map<string, ChaincodeDefinition & { path: string }>();
  const runtimes = new Map<string, Map<string, ChaincodeRuntime>>();
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });

  // Peer-to-chaincode hops use mutual TLS: a server certificate from each org's TLS CA, the peer's
  // own TLS certificate as client.
  const chaincodeTls = new Map<string, ChaincodeTls>();
  if (tls) {
    for (const { spec, material } of peerOrgs.values()) {
      const node = material.nodes[0];
      if (!node) throw new Error(`no peer material for ${spec.mspId}`);
      const server = await material.tlsCa.issue({
        commonName: `chaincode.${spec.domain}`,
        sans: ['localhost', '127.0.0.1'],
        tls: true,
        validityDays: 30,
      });
      chaincodeTls.set(spec.mspId, {
        caPem: material.tlsCaFiles.cert.pem,
        serverCertPem: server.certPem,
        serverKeyPem: server.keyPem,
        clientCertPem: node.tls.cert.pem,
        clientKeyPem: node.tls.key.pem,
        serverName: 'localhost',
      });
    }
  }

  const startRuntimes = async (def: ChaincodeDefinition & { path: string }): Promise<void> => {
    await Promise.all(
      profile.orgs.map(async (org) => {
        let byName = runtimes.get(org.mspId);
        if (!byName) {
          byName = new Map();
          runtimes.set(org.mspId, byName);
        }
        const previous = byName.get(def.name);
        const ccTls = chaincodeTls.get(org.mspId);
        const runtime = new ChaincodeRuntime({
          mspId: org.mspId,
          name: def.name,
          version: def.version,
          folder: def.path,
          logFile: join(logDir, `chaincode-${def.name}-${org.mspId}.log`),
          ...(ccTls ? { tls: ccTls } : {}),
        });
        await runtime.start();
        byName.set(def.name, runtime);
        if (previous) await previous.stop();
      }),
    );
  };
  const define = async (s: StoredDefinition): Promise<ChaincodeDefinition & { path: string }> => {
    const def = {
      name: s.name,
      version: s.version,
      sequence: s.sequence,
      policy: parseEndorsementPolicy(s.policy),
      path: s.path,
    };
    await startRuntimes(def);
    definitions.set(def.name, def);
    return def;
  };
  for (const s of stored) await define(s);

  const peers = new Map<string, Peer>();
  const endpoints: PeerEndpoint[] = [];
  const startPeer = async (org: PeerOrgProfile, port: number): Promise<Peer> => {
    const entry = peerOrgs.get(org.mspId);
    if (!entry) throw new Error(`unknown organisation ${org.mspId}`);
    const node = entry.material.nodes[0];
    if (!node) throw new Error(`no peer material for ${org.mspId}`);
    const p = await Peer.start({
      name: node.host,
      mspId: org.mspId,
      channelId: profile.channel,
      listen: `${org.peer.host === 'localhost' ? '127.0.0.1' : org.peer.host}:${port}`,
      ...(tls ? { tls: { certPem: node.tls.cert.pem, keyPem: node.tls.key.pem } } : {}),
      ledgerDir: join(dir, 'ledgers', node.host),
      signer: nodeSigner(entry.material),
      msp,
      applicationOrgs,
      ordererOrgs: channel.orgs.filter((o) => o.role === 'orderer').map((o) => o.mspId),
      definition: (name) => definitions.get(name),
      executor: (name) => runtimes.get(org.mspId)?.get(name),
      orderer: {
        blocks: (from, opts) => orderer.blocks(from, opts ?? {}),
        broadcast: (envelope) => orderer.broadcast(envelope),
      },
      channelPeers: () => [...peers.values()].map((x) => x.asGatewayPeer()),
    });
    await p.listen();
    peers.set(org.mspId, p);
    return p;
  };
  for (const org of profile.orgs) {
    const p = await startPeer(org, options.freePorts ? 0 : org.peer.port);
    const entry = peerOrgs.get(org.mspId);
    const node = entry?.material.nodes[0];
    if (!node) throw new Error(`no peer material for ${org.mspId}`);
    const port = p.address.slice(p.address.lastIndexOf(':') + 1);
    endpoints.push({
      mspId: org.mspId,
      hostAlias: node.host,
      address: `${org.peer.host}:${port}`,
      tls,
      tlsRootCertPem: node.tls.caCert.pem,
      tlsRootCertPath: node.tls.caCert.path,
    });
  }

  const handle: NetworkHandle = {
    profile,
    dir,
    channelId: profile.channel,
    peers: endpoints,
    identity(mspId, name) {
      const org = peerOrgs.get(mspId)?.material ?? (mspId === ordererOrg.mspId ? ordererOrg : undefined);
      const user = org?.users.find((u) => u.name === name);
      if (!org || !user) throw new Error(`no user ${name} in ${mspId}`);
      return {
        mspId,
        certPem: user.msp.signing.cert.pem,
        keyPem: user.msp.signing.key.pem,
        certPath: user.msp.signing.cert.path,
        keyPath: user.msp.signing.key.path,
      };
    },
    async deploy(spec) {
      const path = resolve(spec.path);
      const previous = definitions.get(spec.name);
      const sequence = previous ? previous.sequence + 1 : 1;
      parseEndorsementPolicy(spec.policy);
      const def = await define({
        name: spec.name,
        version: spec.version,
        sequence,
        policy: spec.policy,
        path,
      });
      stored = [
        ...stored.filter((s) => s.name !== spec.name),
        { name: spec.name, version: spec.version, sequence, policy: spec.policy, path },
      ];
      await writeFile(definitionsFile, JSON.stringify(stored, null, 2));
      return def;
    },
    chaincodes: () => [...definitions.values()],
    chaincodeRuntimes: () =>
      [...runtimes.entries()].flatMap(([mspId, byName]) =>
        [...byName.entries()].map(([name, r]) => ({
          name,
          version: definitions.get(name)?.version ?? '',
          mspId,
          state: r.state,
          pid: r.pid,
          address: r.address,
        })),
      ),
    peer(mspId) {
      const p = peers.get(mspId);
      if (!p) throw new Error(`no running peer for ${mspId}`);
      return p;
    },
    async stopPeer(mspId) {
      const p = peers.get(mspId);
      if (!p) return;
      peers.delete(mspId);
      await p.stop();
    },
    async startPeer(mspId) {
      const org = profile.orgs.find((o) => o.mspId === mspId);
      const endpoint = endpoints.find((e) => e.mspId === mspId);
      if (!org || !endpoint || peers.has(mspId)) return;
      await startPeer(org, Number(endpoint.address.slice(endpoint.address.lastIndexOf(':') + 1)));
    },
    async stop() {
      await Promise.all([...peers.values()].map((p) => p.stop()));
      peers.clear();
      await orderer.stop();
      await Promise.all([...runtimes.values()].flatMap((m) => [...m.values()].map((r) => r.stop())));
      await store.close();
    },
  };
  return handle;
}
