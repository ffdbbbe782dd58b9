/**
 * One run of a profile's network, as `network up` drives it: the emulator started on the profile's
 * folder, its chaincodes deployed, the consortium bootstrapped, connection profiles written; then
 * status snapshots and deploys for the admin socket, and a clean stop.
 */
import { ChaincodeStartError } from '../chaincode/errors.js';
import { startNetwork, type NetworkHandle } from '../network.js';
import type {
  ChaincodeStatus,
  ConnectionProfileFiles,
  DeployRequest,
  NetworkPhase,
  NetworkStatus,
  PeerStatus,
} from './admin-protocol.js';
import { writeConnectionProfile } from './connection-profile.js';
import { bootstrapConsortium } from './consortium-bootstrap.js';
import { GatewayFleet } from './gateways/fleet.js';
import { OperatorError } from './errors.js';
import type { ProfileHome } from './home.js';
import type { ChaincodeDeployment, OperatorProfile } from './profile-file.js';
import type { NetworkState } from './state.js';

/** Options of {@link NetworkSession.start}. */
export interface SessionOptions {
  readonly home: ProfileHome;
  /** Serve peers on free ports instead of the profile's (tests, parallel networks). */
  readonly freePorts: boolean;
  /** Receives a line before and after each long step. */
  readonly progress: (line: string) => void;
  /** Also start the member gateways of the organisations whose profile entry names a gateway port. */
  readonly gateways?: boolean;
}

function startFailure(err: unknown, home: ProfileHome): OperatorError {
  if (err instanceof OperatorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/EADDRINUSE|No address added/i.test(message))
    return new OperatorError('PORT_IN_USE', `a peer port is already in use (${message})`, {
      hint: 'stop the process holding it or change the orgs[].peer.port fields of the profile',
      cause: err,
    });
  if (err instanceof ChaincodeStartError)
    return new OperatorError('START_FAILED', `a chaincode did not start: ${message}`, {
      hint: `see the chaincode logs in ${home.logs} (\`creditchain network logs\`)`,
      cause: err,
    });
  if (/LOCK|OPEN_FAILED|cannot open ledger/.test(message))
    return new OperatorError(
      'ALREADY_RUNNING',
      `the ledgers in ${home.ledgers} are held by another process`,
      {
        hint: 'another `network up` of this profile runs without its admin socket: stop that process',
        cause: err,
      },
    );
  return new OperatorError('START_FAILED', `the network did not start: ${message}`, {
    hint: `see ${home.networkLog}`,
    cause: err,
  });
}

/** A running network of a profile. */
export class NetworkSession {
  readonly profile: OperatorProfile;
  readonly home: ProfileHome;
  readonly net: NetworkHandle;
  readonly startedAt: string;
  #connectionProfiles: ConnectionProfileFiles[] = [];
  #gateways: GatewayFleet | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(profile: OperatorProfile, home: ProfileHome, net: NetworkHandle) {
    this.profile = profile;
    this.home = home;
    this.net = net;
    this.startedAt = new Date().toISOString();
  }

  /**
   * Starts the network and brings it to the profile's state. Idempotent over restarts: crypto
   * material, ledgers and chaincode definitions on disk are reused.
   * @throws OperatorError with what failed and what to do (the network is stopped again).
   */
  static async start(profile: OperatorProfile, options: SessionOptions): Promise<NetworkSession> {
    const { home, progress } = options;
    const orgs = profile.network.orgs.map((o) => o.mspId).join(', ');
    progress(`crypto material, orderer and peers of ${orgs}…`);
    let net: NetworkHandle;
    try {
      net = await startNetwork(profile.network, { dir: home.dir, freePorts: options.freePorts });
    } catch (err) {
      throw startFailure(err, home);
    }
    const session = new NetworkSession(profile, home, net);
    try {
      for (const cc of profile.chaincodes) await session.#ensureChaincode(cc, progress);
      if (profile.consortium) {
        progress(`consortium bootstrap through chaincode ${profile.consortium.chaincode}…`);
        await bootstrapConsortium(net, profile.consortium, home.keys, (line) => {
          progress(`  ${line}`);
        });
      }
      session.#connectionProfiles = await session.#writeConnectionProfiles();
      if (options.gateways === true) session.#gateways = await session.#startGateways(options);
    } catch (err) {
      await session.#gateways?.stop().catch(() => undefined);
      await net.stop().catch(() => undefined);
      throw startFailure(err, home);
    }
    return session;
  }

  async #ensureChaincode(cc: ChaincodeDeployment, progress: (line: string) => void): Promise<void> {
    const current = this.net.chaincodes().find((c) => c.name === cc.name);
    if (current?.version === cc.version) {
      progress(`chaincode ${cc.name} ${cc.version} (sequence ${current.sequence}) already defined`);
      return;
    }
    const what = current
      ? `upgrading chaincode ${cc.name} ${current.version} → ${cc.version}`
      : `deploying chaincode ${cc.name} ${cc.version}`;
    progress(`${what} on ${this.profile.network.orgs.length} peers…`);
    const def = await this.net.deploy({
      name: cc.name,
      path: cc.path,
      version: cc.version,
      policy: cc.policy,
    });
    progress(`chaincode ${def.name} ${def.version} defined (sequence ${def.sequence})`);
  }

  async #startGateways(options: SessionOptions): Promise<GatewayFleet | undefined> {
    const { consortium, gatewayPorts, network } = this.profile;
    if (!consortium || gatewayPorts.size === 0) return undefined;
    return GatewayFleet.start({
      profileDir: this.home.dir,
      keysDir: this.home.keys,
      logsDir: this.home.logs,
      profileName: network.name,
      channel: this.net.channelId,
      chaincode: consortium.chaincode,
      orgs: network.orgs.flatMap((org) => {
        const port = gatewayPorts.get(org.mspId);
        return port === undefined ? [] : [{ org, port }];
      }),
      freePorts: options.freePorts,
      identity: (mspId, name) => this.net.identity(mspId, name),
      progress: options.progress,
    });
  }

  async #writeConnectionProfiles(): Promise<ConnectionProfileFiles[]> {
    return Promise.all(
      this.profile.network.orgs.map((org) => {
        const peer = this.net.peers.find((p) => p.mspId === org.mspId);
        if (!peer) throw new Error(`no peer of ${org.mspId} runs`);
        return writeConnectionProfile(this.home.dir, {
          profileName: this.profile.network.name,
          mspId: org.mspId,
          domain: org.domain,
          peerHost: peer.hostAlias,
          peerAddress: peer.address,
          tls: peer.tls,
          tlsCaPem: peer.tlsRootCertPem,
          caPort: this.profile.caPorts.get(org.mspId) ?? org.peer.port + 3,
        });
      }),
    );
  }

  /** Defines `request`'s chaincode on every peer (a new sequence, also for the same version). */
  async deploy(request: DeployRequest): Promise<ChaincodeStatus> {
    const def = await this.net.deploy({
      name: request.name,
      path: request.path,
      version: request.version,
      policy: request.policy,
    });
    const status = this.#chaincodeStatus().find((c) => c.name === def.name);
    return status ?? { name: def.name, version: def.version, sequence: def.sequence, runtimes: [] };
  }

  #peerStatus(): PeerStatus[] {
    return this.net.peers.map((p) => {
      let height: number | undefined;
      let running = false;
      try {
        const peer = this.net.peer(p.mspId);
        running = peer.running;
        height = peer.ledger.height;
      } catch {
        height = undefined;
      }
      return { mspId: p.mspId, hostAlias: p.hostAlias, address: p.address, running, height };
    });
  }

  #chaincodeStatus(): ChaincodeStatus[] {
    const runtimes = this.net.chaincodeRuntimes();
    return this.net.chaincodes().map((def) => ({
      name: def.name,
      version: def.version,
      sequence: def.sequence,
      runtimes: this.profile.network.orgs.map((org) => {
        const r = runtimes.find(
          (x) => x.name === def.name && x.version === def.version && x.mspId === org.mspId,
        );
        return r
          ? { mspId: org.mspId, state: r.state, pid: r.pid, address: r.address }
          : { mspId: org.mspId, state: 'unknown', pid: undefined, address: undefined };
      }),
    }));
  }

  /** A status snapshot for the admin socket. */
  status(phase: NetworkPhase): NetworkStatus {
    const { network } = this.profile;
    return {
      profile: network.name,
      profileFile: this.profile.file,
      dir: this.home.dir,
      socket: this.home.socket,
      pid: process.pid,
      phase,
      startedAt: this.startedAt,
      channel: this.net.channelId,
      orderer: { mspId: network.orderer.mspId, host: `${network.orderer.name}.${network.orderer.domain}` },
      peers: this.#peerStatus(),
      chaincodes: this.#chaincodeStatus(),
      connectionProfiles: this.#connectionProfiles,
      gateways: this.#gateways?.status() ?? [],
    };
  }

  /** What to record in `state.json`. */
  state(stoppedAt?: string): NetworkState {
    return {
      profile: this.profile.network.name,
      profileFile: this.profile.file,
      pid: process.pid,
      startedAt: this.startedAt,
      ...(stoppedAt === undefined ? {} : { stoppedAt }),
      channel: this.net.channelId,
      peers: this.net.peers.map((p) => ({
        mspId: p.mspId,
        hostAlias: p.hostAlias,
        address: p.address,
        tlsRootCertPath: p.tlsRootCertPath,
      })),
      chaincodes: this.net
        .chaincodes()
        .map((c) => ({ name: c.name, version: c.version, sequence: c.sequence })),
      connectionProfiles: this.#connectionProfiles,
    };
  }

  /** Stops peers, orderer and chaincode processes (once; later calls wait for the same stop). */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#gateways?.stop();
      await this.net.stop();
    })();
    return this.#stopping;
  }
}
