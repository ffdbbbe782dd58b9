/**
 * One chaincode-as-a-service process: `node <fabric-shim cli.js> server --chaincode-address
 * <host>:<port> --chaincode-id <id>` spawned in the chaincode folder, its output forwarded, and a
 * wait until it accepts connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { guardChild, ORPHAN_GUARD } from '../child-guard.js';
import { ChaincodeStartError } from './errors.js';

/** Where chaincode output goes: called with each chunk of the process's stdout or stderr. */
export type ChaincodeLogSink = (chunk: string, stream: 'stdout' | 'stderr') => void;

/** How a process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options of {@link ChaincodeProcess.spawn}. */
export interface ChaincodeProcessOptions {
  /** Chaincode package folder (its `package.json` `main` is what the shim loads). */
  readonly folder: string;
  /** `--chaincode-id`, e.g. `credit:1.0`. */
  readonly chaincodeId: string;
  readonly host: string;
  readonly port: number;
  /** Complete environment of the process. */
  readonly env: NodeJS.ProcessEnv;
  /** Receives the process output (besides the in-memory tail kept for error messages). */
  readonly sink?: ChaincodeLogSink;
  /** Node executable (default: the current one). */
  readonly nodePath?: string;
  /** fabric-shim's `cli.js` (default: resolved from this package). */
  readonly shimCli?: string;
  /** Extra `server` arguments (TLS files). */
  readonly extraArgs?: readonly string[];
}

const TAIL_CHARS = 8192;

/** The path of fabric-shim's `cli.js` (the `fabric-chaincode-node` binary). */
export function defaultShimCli(): string {
  return createRequire(import.meta.url).resolve('fabric-shim/cli.js');
}

/** A free TCP port on `host` (bound then released; the caller races other binders). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

function describeExit(info: ExitInfo): string {
  return info.signal !== null ? `signal ${info.signal}` : `code ${String(info.code)}`;
}

/** A spawned chaincode server process. */
export class ChaincodeProcess {
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    /** `host:port` the chaincode listens on. */
    readonly address: string,
    private readonly host: string,
    private readonly port: number,
  ) {
    this.exited = new Promise((resolve) => {
      const settle = (info: ExitInfo): void => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        resolve(info);
      };
      child.once('exit', (code, signal) => {
        settle({ code, signal });
      });
      child.on('error', (err) => {
        this.append(`\n${err.message}\n`);
        // A spawn failure (bad cwd, missing executable) emits 'error' and no 'exit'.
        if (child.pid === undefined) settle({ code: null, signal: null });
      });
    });
  }

  /** Spawns the chaincode server. Spawn failures surface as an exit (see {@link ChaincodeProcess.exited}). */
  static spawn(opts: ChaincodeProcessOptions): ChaincodeProcess {
    const address = `${opts.host}:${opts.port}`;
    const child = spawn(
      opts.nodePath ?? process.execPath,
      [
        '--import',
        ORPHAN_GUARD,
        opts.shimCli ?? defaultShimCli(),
        'server',
        '--chaincode-address',
        address,
        '--chaincode-id',
        opts.chaincodeId,
        ...(opts.extraArgs ?? []),
      ],
      { cwd: opts.folder, env: opts.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    guardChild(child);
    const proc = new ChaincodeProcess(child, address, opts.host, opts.port);
    const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      proc.append(text);
      opts.sink?.(text, stream);
    };
    child.stdout?.on('data', forward('stdout'));
    child.stderr?.on('data', forward('stderr'));
    return proc;
  }

  private append(text: string): void {
    this.output = (this.output + text).slice(-TAIL_CHARS);
  }

  /** The process ID (undefined when the spawn failed). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last few kilobytes of output, for error messages. */
  get tail(): string {
    return this.output;
  }

  /** How the process exited, once it has. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /**
   * Polls until the server accepts TCP connections.
   * @throws {ChaincodeStartError} `EXITED` if the process exits first, `TIMEOUT` past `deadline`,
   *   `STOPPED` when `cancelled()` turns true.
   */
  async waitListening(deadline: number, cancelled: () => boolean): Promise<void> {
    for (;;) {
      if (cancelled()) throw new ChaincodeStartError('STOPPED', 'chaincode runtime stopped while starting');
      if (this.exitInfo) {
        throw new ChaincodeStartError(
          'EXITED',
          `chaincode process exited (${describeExit(this.exitInfo)}) before listening on ${this.address}:\n${this.tail}`,
        );
      }
      if (await canConnect(this.host, this.port)) return;
      if (Date.now() >= deadline) {
        throw new ChaincodeStartError(
          'TIMEOUT',
          `chaincode did not listen on ${this.address} in time:\n${this.tail}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal` (no-op once exited). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Terminates the process: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 5_000): Promise<ExitInfo> {
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    const escalate = setTimeout(() => {
      this.child.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(escalate);
    }
  }

  /** A short description of how the process ended (e.g. `signal SIGKILL`). */
  static describeExit(info: ExitInfo): string {
    return describeExit(info);
  }
}
