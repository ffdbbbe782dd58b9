/**
 * `network up` without the terminal: serves the admin socket from the first moment (so a second
 * `up` learns that one is starting), starts the {@link NetworkSession}, records its state, and stops
 * it when asked (signal or the `stop` op), removing the socket.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { AdminRequest, DeployRequest, NetworkPhase, NetworkStatus } from './admin-protocol.js';
import { AdminServer, type AdminHandler } from './admin-server.js';
import { domainLabel, orgName } from './connection-profile.js';
import { OperatorError } from './errors.js';
import type { ProfileHome } from './home.js';
import { verifyLedger, type PeerVerification } from './ledger-verify.js';
import { NetworkSession } from './network-session.js';
import type { OperatorProfile } from './profile-file.js';
import { writeState } from './state.js';

/** Options of {@link runNetwork}. */
export interface RunOptions {
  readonly freePorts: boolean;
  /** Start the profile's member gateways (default true). */
  readonly gateways?: boolean;
  /** Lines for the operator while long steps run. */
  readonly progress: (line: string) => void;
  /** Called once the network serves clients. */
  readonly onReady: (status: NetworkStatus) => void;
  /** Called when the stop begins, with its reason (`SIGINT`, `admin socket`...). */
  readonly onStopping: (reason: string) => void;
  /** Resolves with a reason when the operator wants the network stopped (e.g. on SIGINT). */
  readonly stopRequested: Promise<string>;
}

function stringField(request: AdminRequest, field: string): string {
  const value = request[field];
  if (typeof value !== 'string' || value === '')
    throw new OperatorError('ADMIN_OP_FAILED', `${request.op}: "${field}" must be a non-empty string`);
  return value;
}

function deployRequest(request: AdminRequest): DeployRequest {
  const path = stringField(request, 'path');
  if (!isAbsolute(path) || !existsSync(path))
    throw new OperatorError('ADMIN_OP_FAILED', `deploy: path ${path} is not an existing absolute folder`);
  return {
    op: 'deploy',
    name: stringField(request, 'name'),
    path,
    version: stringField(request, 'version'),
    policy: stringField(request, 'policy'),
  };
}

/** Whether `query` names the peer: MSP id, organisation (`Org1`), domain, domain label or host, any case. */
export function peerMatchesQuery(peer: { mspId: string; hostAlias: string }, query: string): boolean {
  const domain = peer.hostAlias.slice(peer.hostAlias.indexOf('.') + 1);
  const names = [peer.mspId, orgName(peer.mspId), domain, domainLabel(domain), peer.hostAlias];
  return names.some((n) => n.toLowerCase() === query.toLowerCase());
}

async function verifyPeers(session: NetworkSession, request: AdminRequest): Promise<PeerVerification[]> {
  const query = request.peer;
  if (query !== undefined && typeof query !== 'string')
    throw new OperatorError('ADMIN_OP_FAILED', 'verify: "peer" must be a string');
  const peers = session.net.peers.filter((p) => query === undefined || peerMatchesQuery(p, query));
  if (peers.length === 0)
    throw new OperatorError('UNKNOWN_PEER', `no peer matches --peer ${query ?? ''}`, {
      hint: `name one by MSP id, organisation, domain or host: ${session.net.peers.map((p) => p.mspId).join(', ')}`,
    });
  const results: PeerVerification[] = [];
  for (const p of peers) {
    const verification = await verifyLedger(session.net.peer(p.mspId).ledger);
    results.push({ peer: p.hostAlias, mspId: p.mspId, ...verification });
  }
  return results;
}

/**
 * Runs the profile's network until a stop is requested, then stops it.
 * @throws OperatorError when it cannot start (`ALREADY_RUNNING`, `PORT_IN_USE`, `START_FAILED`...).
 */
export async function runNetwork(
  profile: OperatorProfile,
  home: ProfileHome,
  options: RunOptions,
): Promise<void> {
  let phase: NetworkPhase = 'starting';
  let session: NetworkSession | undefined;
  let stopOp: (reason: string) => void = () => undefined;
  const stopByOp = new Promise<string>((resolve) => {
    stopOp = resolve;
  });
  const startedAt = new Date().toISOString();

  const ready = (op: string): NetworkSession => {
    if (!session || phase !== 'ready')
      throw new OperatorError('NOT_RUNNING', `the network is ${phase}; "${op}" needs it ready`, {
        hint: 'wait for `network up` to print its table, then try again',
      });
    return session;
  };
  const handlers: Record<string, AdminHandler> = {
    status: () =>
      session
        ? session.status(phase)
        : ({
            profile: profile.network.name,
            profileFile: profile.file,
            dir: home.dir,
            socket: home.socket,
            pid: process.pid,
            phase,
            startedAt,
            channel: profile.network.channel,
            orderer: {
              mspId: profile.network.orderer.mspId,
              host: `${profile.network.orderer.name}.${profile.network.orderer.domain}`,
            },
            peers: [],
            chaincodes: [],
            connectionProfiles: [],
          } satisfies NetworkStatus),
    stop: () => {
      stopOp('admin socket');
      return Promise.resolve({ stopping: true, pid: process.pid });
    },
    deploy: (request) => ready('deploy').deploy(deployRequest(request)),
    verify: (request) => verifyPeers(ready('verify'), request),
  };
  const server = await AdminServer.listen(home.socket, (op) =>
    Object.hasOwn(handlers, op) ? handlers[op] : undefined,
  );
  const stop = Promise.race([options.stopRequested, stopByOp]);
  const stopState = { asked: false };
  void stop.then(() => {
    stopState.asked = true;
  });
  try {
    try {
      session = await NetworkSession.start(profile, {
        home,
        freePorts: options.freePorts,
        progress: options.progress,
        gateways: options.gateways ?? true,
      });
    } catch (err) {
      phase = 'stopping';
      throw err;
    }
    if (!stopState.asked) {
      phase = 'ready';
      await writeState(home.stateFile, session.state());
      options.onReady(session.status(phase));
    }
    const reason = await stop;
    phase = 'stopping';
    options.onStopping(reason);
    await session.stop();
    await writeState(home.stateFile, session.state(new Date().toISOString()));
  } finally {
    await server.close();
  }
}
