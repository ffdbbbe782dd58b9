/**
 * One member gateway as a child process: `node dist/gateway/src/main.js --config <file>`, its
 * output appended to a log file, readiness by `GET /healthz` over TLS, and exit when this process
 * dies (an IPC channel that closes even on SIGKILL), so no gateway outlives its network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { request } from 'node:https';
import { guardChild, ORPHAN_GUARD } from '../../child-guard.js';

/** How a process ended. */
export interface GatewayExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options of {@link GatewayProcess.spawn}. */
export interface GatewayProcessOptions {
  /** The gateway's compiled composition root (`dist/gateway/src/main.js`). */
  readonly entry: string;
  readonly configFile: string;
  /** `https://localhost:<port>`. */
  readonly url: string;
  /** Name in the gateway's TLS certificate. */
  readonly servername: string;
  readonly tlsCaPem: string;
  /** Complete environment of the process (holds the wallet secret). */
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
}

const TAIL_CHARS = 4096;

/** A running (or exited) gateway process. */
export class GatewayProcess {
  readonly exited: Promise<GatewayExit>;
  #exit: GatewayExit | undefined;
  #tail = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly opts: GatewayProcessOptions,
    private readonly log: WriteStream,
  ) {
    this.exited = new Promise((resolve) => {
      const settle = (info: GatewayExit): void => {
        if (this.#exit) return;
        this.#exit = info;
        log.end();
        resolve(info);
      };
      child.once('exit', (code, signal) => {
        settle({ code, signal });
      });
      child.on('error', (err) => {
        this.#append(`${err.message}\n`);
        if (child.pid === undefined) settle({ code: null, signal: null });
      });
    });
  }

  /** Spawns the gateway; a spawn failure surfaces as an exit. */
  static spawn(opts: GatewayProcessOptions): GatewayProcess {
    const log = createWriteStream(opts.logFile, { flags: 'a', mode: 0o600 });
    const child = spawn(
      process.execPath,
      ['--import', ORPHAN_GUARD, opts.entry, '--config', opts.configFile],
      {
        env: opts.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    guardChild(child);
    const proc = new GatewayProcess(child, opts, log);
    const forward = (chunk: Buffer): void => {
      log.write(chunk);
      proc.#append(chunk.toString('utf8'));
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    return proc;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** The last lines the process wrote (for error messages). */
  get tail(): string {
    return this.#tail;
  }

  #append(text: string): void {
    this.#tail = (this.#tail + text).slice(-TAIL_CHARS);
  }

  /** Whether `GET /healthz` answers 200 over TLS with the gateway's certificate. */
  healthy(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(
        new URL('/healthz', this.opts.url),
        { ca: this.opts.tlsCaPem, servername: this.opts.servername, timeout: 2000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => {
        resolve(false);
      });
      req.on('timeout', () => {
        req.destroy();
      });
      req.end();
    });
  }

  /**
   * Waits until the gateway answers its health check.
   * @throws Error with the process's last output when it exits first or `timeoutMs` passes
   */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#exit) throw new Error(`the gateway exited (${describe(this.#exit)}): ${this.#tail.trim()}`);
      if (await this.healthy()) return;
      if (Date.now() > deadline)
        throw new Error(
          `the gateway did not answer /healthz within ${String(timeoutMs)} ms: ${this.#tail.trim()}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Asks the gateway to stop (SIGTERM), then kills it after `graceMs`. */
  async stop(graceMs = 5000): Promise<GatewayExit> {
    if (this.#exit) return this.#exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `code 1` or `signal SIGKILL`. */
export function describe(exit: GatewayExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
