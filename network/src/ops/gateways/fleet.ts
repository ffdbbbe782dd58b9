/**
 * The member gateways of a running local consortium: one process per organisation whose profile
 * entry has a `gateway` port, provisioned from the organisation's material, supervised (restarted
 * after an unexpected exit, a few times), and published in the local gateway directory
 * (`<home>/<profile>/gateways/gateways.json`) that the member CLI reads.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DIRECTORY_VERSION,
  directoryFile,
  type GatewayDirectory,
} from '../../../../gateway/src/client/directory.js';
import type { GatewayStatus } from '../admin-protocol.js';
import { freePort } from '../../chaincode/process.js';
import { OperatorError } from '../errors.js';
import { writeFileAtomic } from '../state.js';
import { describe, GatewayProcess } from './gateway-process.js';
import {
  provisionGateways,
  WALLET_SECRET_ENV,
  type GatewayOrg,
  type ProvisionInput,
  type ProvisionedGateway,
} from './provision.js';

/** Options of {@link GatewayFleet.start}. */
export interface FleetOptions extends Omit<ProvisionInput, 'orgs'> {
  readonly orgs: readonly GatewayOrg[];
  /** Pick free ports instead of the profile's. */
  readonly freePorts: boolean;
  readonly logsDir: string;
  readonly profileName: string;
  /** The compiled gateway (default: `dist/gateway/src/main.js` of this repository). */
  readonly entry?: string;
  readonly progress: (line: string) => void;
}

const MAX_RESTARTS = 5;
const READY_TIMEOUT_MS = 30_000;

/** `dist/gateway/src/main.js` of the repository this file belongs to, whether run from src or dist. */
export function defaultGatewayEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; dirname(dir) !== dir; dir = dirname(dir)) {
    const entry = join(dir, 'dist', 'gateway', 'src', 'main.js');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'gateway'))) return entry;
  }
  return join(dirname(fileURLToPath(import.meta.url)), 'main.js');
}

interface Member {
  readonly gw: ProvisionedGateway;
  readonly url: string;
  readonly logFile: string;
  readonly tlsCaPem: string;
  proc: GatewayProcess;
  restarts: number;
  state: GatewayStatus['state'];
}

/** The running gateways. */
export class GatewayFleet {
  #members: Member[] = [];
  #stopping = false;
  readonly directoryFile: string;

  private constructor(
    private readonly opts: FleetOptions,
    private readonly entry: string,
  ) {
    this.directoryFile = directoryFile(opts.profileDir);
  }

  /**
   * Provisions and starts every gateway, waits until each answers `/healthz`, and writes the
   * directory.
   * @throws OperatorError `MISSING_BUILD` when the gateway is not compiled, `PORT_IN_USE`,
   *   `START_FAILED` (the other gateways are stopped again)
   */
  static async start(opts: FleetOptions): Promise<GatewayFleet> {
    const entry = opts.entry ?? defaultGatewayEntry();
    if (!existsSync(entry))
      throw new OperatorError('MISSING_BUILD', `the gateway is not built (${entry} is missing)`, {
        hint: 'run `npm run build` in the repository root',
      });
    const orgs = await Promise.all(
      opts.orgs.map(async (o) => ({ ...o, port: opts.freePorts ? await freePort('127.0.0.1') : o.port })),
    );
    const fleet = new GatewayFleet(opts, entry);
    const provisioned = await provisionGateways({ ...opts, orgs });
    try {
      for (const gw of provisioned) await fleet.#launch(gw);
      await fleet.#writeDirectory();
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  async #launch(gw: ProvisionedGateway): Promise<void> {
    const url = `https://localhost:${String(gw.port)}`;
    const logFile = join(this.opts.logsDir, `gateway-${gw.org}.log`);
    const tlsCaPem = await readFile(gw.tlsCaFile, 'utf8');
    this.opts.progress(`gateway of ${gw.mspId} on ${url}…`);
    const member: Member = {
      gw,
      url,
      logFile,
      tlsCaPem,
      proc: this.#spawn(gw, url, tlsCaPem, logFile),
      restarts: 0,
      state: 'restarting',
    };
    this.#members.push(member);
    try {
      await member.proc.ready(READY_TIMEOUT_MS);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new OperatorError(
        /EADDRINUSE/.test(message) ? 'PORT_IN_USE' : 'START_FAILED',
        `the gateway of ${gw.mspId} did not start: ${message}`,
        {
          hint: /EADDRINUSE/.test(message)
            ? `port ${String(gw.port)} is taken: stop its process or change orgs[].gateway.port in the profile`
            : `see ${logFile}`,
          cause: err,
        },
      );
    }
    member.state = 'ready';
    this.#supervise(member);
  }

  #spawn(gw: ProvisionedGateway, url: string, tlsCaPem: string, logFile: string): GatewayProcess {
    return GatewayProcess.spawn({
      entry: this.entry,
      configFile: gw.configFile,
      url,
      servername: gw.host,
      tlsCaPem,
      env: { ...process.env, [WALLET_SECRET_ENV]: gw.walletSecret },
      logFile,
    });
  }

  #supervise(member: Member): void {
    void member.proc.exited.then(async (exit) => {
      if (this.#stopping) {
        member.state = 'stopped';
        return;
      }
      if (member.restarts >= MAX_RESTARTS) {
        member.state = 'stopped';
        this.opts.progress(
          `gateway of ${member.gw.mspId} exited (${describe(exit)}) ${String(MAX_RESTARTS)} times; not restarting (see ${member.logFile})`,
        );
        return;
      }
      member.restarts += 1;
      member.state = 'restarting';
      this.opts.progress(`gateway of ${member.gw.mspId} exited (${describe(exit)}); restarting`);
      await new Promise((r) => setTimeout(r, 250 * 2 ** member.restarts));
      if (this.stopping) return;
      member.proc = this.#spawn(member.gw, member.url, member.tlsCaPem, member.logFile);
      try {
        await member.proc.ready(READY_TIMEOUT_MS);
        member.state = 'ready';
      } catch {
        // its exit is handled by the next round of supervision
      }
      this.#supervise(member);
    });
  }

  async #writeDirectory(): Promise<void> {
    const directory: GatewayDirectory = {
      version: DIRECTORY_VERSION,
      profile: this.opts.profileName,
      gateways: this.#members.map((m) => ({
        mspId: m.gw.mspId,
        org: m.gw.org,
        url: m.url,
        tlsCaFile: m.gw.tlsCaFile,
        configFile: m.gw.configFile,
        users: m.gw.users,
      })),
    };
    await writeFileAtomic(this.directoryFile, `${JSON.stringify(directory, null, 2)}\n`);
  }

  /** Whether {@link GatewayFleet.stop} was called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Each gateway's URL, process and state. */
  status(): GatewayStatus[] {
    return this.#members.map((m) => ({
      mspId: m.gw.mspId,
      org: m.gw.org,
      url: m.url,
      state: m.state,
      pid: m.proc.running ? m.proc.pid : undefined,
      restarts: m.restarts,
      logFile: m.logFile,
    }));
  }

  /** Stops every gateway and removes the directory (its URLs are no longer served). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#members.map((m) => m.proc.stop()));
    for (const m of this.#members) m.state = 'stopped';
    await rm(this.directoryFile, { force: true });
  }
}
