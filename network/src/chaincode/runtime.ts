/**
 * {@link ChaincodeRuntime}: one chaincode process of one organisation, run as a service
 * (fabric-shim's `server` mode) and dialled by that organisation's peer, as Fabric does for
 * chaincode-as-a-service. The runtime supervises the process: if it dies or its stream breaks,
 * transactions in flight fail with `chaincode <name> terminated: ...` and the process is restarted
 * (with exponential backoff) and registered again.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { peer } from '@hyperledger/fabric-protos';
import { ChaincodeConnection } from './connection.js';
import { ChaincodeExecutionError, ChaincodeStartError } from './errors.js';
import { processExecutionResult, type ExecuteResult } from './execution-result.js';
import { RequestHandler } from './handler.js';
import type { StateReader } from './ports.js';
import { ChaincodeProcess, freePort, type ChaincodeLogSink } from './process.js';
import { TxSimulator } from './simulator.js';
import { writeServerTlsFiles, type ChaincodeTls, type ChaincodeTlsFiles } from './tls.js';

/** Log levels fabric-shim understands (`CORE_CHAINCODE_LOGGING_LEVEL`); other values mean INFO. */
export type ChaincodeLogLevel = 'CRITICAL' | 'ERROR' | 'WARNING' | 'NOTICE' | 'INFO' | 'DEBUG';

/** Options of a {@link ChaincodeRuntime}. */
export interface ChaincodeRuntimeOptions {
  /** MSP ID of the organisation (`CORE_PEER_LOCALMSPID`, what `ctx.stub.getMspID()` returns). */
  readonly mspId: string;
  /** Chaincode name: the namespace it reads and writes. */
  readonly name: string;
  /** Chaincode version; the process registers as `<name>:<version>`. */
  readonly version: string;
  /** The chaincode package folder (with `package.json` whose `main` the shim loads). */
  readonly folder: string;
  /** Chaincode log level (default `WARNING`). */
  readonly logLevel?: ChaincodeLogLevel;
  /** Append the process output to this file. */
  readonly logFile?: string;
  /** Receive the process output. Without `logFile` or `logSink` the output is discarded. */
  readonly logSink?: ChaincodeLogSink;
  /** Per-transaction execute timeout (Fabric's `chaincode.executetimeout`, default 30 s). */
  readonly executeTimeoutMs?: number;
  /** Time for a process to listen and register (default 60 s). */
  readonly startTimeoutMs?: number;
  /** Restart delay: `initial` doubled after each consecutive failure up to `max` (default 250 ms, 10 s). */
  readonly restartBackoffMs?: { readonly initial?: number; readonly max?: number };
  /** `ledger.state.totalQueryLimit` (default 100 000). */
  readonly totalQueryLimit?: number;
  /** Extra environment variables (inherited `CORE_*` variables are dropped; see {@link ChaincodeRuntime}). */
  readonly env?: Readonly<Record<string, string>>;
  /** Interface the chaincode listens on (default `127.0.0.1`). */
  readonly host?: string;
  /** Node executable (default: the current one). */
  readonly nodePath?: string;
  /** fabric-shim's `cli.js` (default: resolved from the installed fabric-shim). */
  readonly shimCli?: string;
  /** Mutual TLS between the peer and the chaincode server (recommended; plaintext when absent). */
  readonly tls?: ChaincodeTls;
}

/** One transaction to execute. */
export interface ExecuteRequest {
  readonly channelId: string;
  readonly txId: string;
  /** The client's signed proposal; the shim builds `ctx.clientIdentity` and the timestamp from it. */
  readonly signedProposal: peer.SignedProposal;
  /** Function name and arguments. */
  readonly input: peer.ChaincodeInput;
  /**
   * Whether the caller only evaluates the transaction. Fabric simulates evaluations and
   * endorsements alike (the restriction of paginated queries to read-only transactions is
   * dynamic: see {@link TxSimulator}), so this does not change how the transaction runs.
   */
  readonly readOnly: boolean;
  /**
   * A simulator to record into instead of a fresh one over `reader` (e.g. one that already holds
   * the endorser's own reads, such as Fabric's `_lifecycle` definition read).
   */
  readonly simulator?: TxSimulator;
}

/** Lifecycle of a runtime. */
export type ChaincodeRuntimeState = 'idle' | 'starting' | 'ready' | 'restarting' | 'stopped';

/** A connection that stays up this long resets the restart backoff. */
const STABLE_AFTER_MS = 10_000;

/**
 * A supervised chaincode-as-a-service process of one organisation. The process inherits this
 * process's environment minus every `CORE_*` variable (fabric-shim reads its options from them),
 * plus `CORE_PEER_LOCALMSPID`, `CORE_CHAINCODE_LOGGING_LEVEL` and {@link ChaincodeRuntimeOptions.env}.
 */
export class ChaincodeRuntime {
  /** `<name>:<version>`, the ID the chaincode registers with. */
  readonly chaincodeId: string;
  private readonly executeTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly host: string;
  private readonly handler: RequestHandler;
  private currentState: ChaincodeRuntimeState = 'idle';
  private generation = 0;
  private proc: ChaincodeProcess | undefined;
  private tlsFiles: ChaincodeTlsFiles | undefined;
  private conn: ChaincodeConnection | undefined;
  private abort: AbortController | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;
  private readySince = 0;
  private restartCount = 0;
  private failure: string | undefined;
  private log: WriteStream | undefined;
  private readonly waiters = new Set<() => void>();
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: ChaincodeRuntimeOptions) {
    this.chaincodeId = `${opts.name}:${opts.version}`;
    this.executeTimeoutMs = opts.executeTimeoutMs ?? 30_000;
    this.startTimeoutMs = opts.startTimeoutMs ?? 60_000;
    this.backoffInitialMs = opts.restartBackoffMs?.initial ?? 250;
    this.backoffMaxMs = opts.restartBackoffMs?.max ?? 10_000;
    this.host = opts.host ?? '127.0.0.1';
    this.handler = new RequestHandler(
      opts.totalQueryLimit === undefined ? {} : { totalQueryLimit: opts.totalQueryLimit },
    );
  }

  /** The chaincode name. */
  get name(): string {
    return this.opts.name;
  }

  /** The MSP ID the process runs as. */
  get mspId(): string {
    return this.opts.mspId;
  }

  /** Current lifecycle state. */
  get state(): ChaincodeRuntimeState {
    return this.currentState;
  }

  /** PID of the current process, if one is running. */
  get pid(): number | undefined {
    return this.proc?.alive === true ? this.proc.pid : undefined;
  }

  /** `host:port` the current process listens on. */
  get address(): string | undefined {
    return this.proc?.address;
  }

  /** How many times the process was restarted after a failure. */
  get restarts(): number {
    return this.restartCount;
  }

  /** The last failure (process exit, broken stream, failed restart), if any. */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  /**
   * Spawns the process, waits until it listens, dials it and completes the handshake. Idempotent
   * while starting or running.
   * @throws {ChaincodeStartError} when the first start fails (no automatic retry), or `STOPPED`.
   */
  async start(): Promise<void> {
    if (this.currentState === 'stopped') {
      throw new ChaincodeStartError('STOPPED', `chaincode ${this.opts.name} runtime is stopped`);
    }
    if (this.currentState !== 'idle') {
      await this.readyConnection(Date.now() + this.startTimeoutMs);
      return;
    }
    this.setState('starting');
    if (this.opts.logFile !== undefined && !this.log)
      this.log = createWriteStream(this.opts.logFile, { flags: 'a' });
    try {
      await this.launch();
    } catch (err) {
      // (the state may have moved on to 'stopped' meanwhile)
      if ((this.currentState as ChaincodeRuntimeState) === 'starting') this.setState('idle');
      throw err;
    }
  }

  /** Resolves when the runtime is ready (e.g. after a restart), or rejects after `timeoutMs`. */
  async whenReady(timeoutMs = this.startTimeoutMs): Promise<void> {
    await this.readyConnection(Date.now() + timeoutMs);
  }

  /**
   * Executes one transaction: sends TRANSACTION, serves the chaincode's ledger requests from
   * `reader` through a {@link TxSimulator}, and returns the chaincode response, event and
   * read-write set. Many transactions may execute concurrently. Waits for a restarting process.
   * @throws {ChaincodeExecutionError} see {@link ChaincodeExecutionError} codes.
   */
  async execute(req: ExecuteRequest, reader: StateReader): Promise<ExecuteResult> {
    const conn = await this.readyConnection(Date.now() + this.executeTimeoutMs);
    const simulator = req.simulator ?? new TxSimulator(reader, { txId: req.txId });
    const msg = await conn.execute({
      channelId: req.channelId,
      txId: req.txId,
      signedProposal: req.signedProposal,
      input: req.input,
      simulator,
      timeoutMs: this.executeTimeoutMs,
    });
    return processExecutionResult(msg, this.opts.name, simulator);
  }

  /**
   * Stops supervising and terminates the process (SIGTERM, SIGKILL after 5 s). Transactions in
   * flight fail with `STOPPED`. A stopped runtime cannot be started again.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.generation++;
    this.setState('stopped');
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.abort?.abort();
    this.conn?.close(new ChaincodeExecutionError('STOPPED', `chaincode ${this.opts.name} stopped`));
    this.conn = undefined;
    await this.proc?.stop();
    await this.tlsFiles?.remove();
    this.tlsFiles = undefined;
    const log = this.log;
    this.log = undefined;
    if (log) await new Promise<void>((resolve) => log.end(resolve));
  }

  private setState(state: ChaincodeRuntimeState): void {
    this.currentState = state;
    for (const wake of [...this.waiters]) wake();
  }

  /** The ready connection, waiting for a (re)start until `deadline`. */
  private async readyConnection(deadline: number): Promise<ChaincodeConnection> {
    for (;;) {
      if (this.currentState === 'ready' && this.conn?.open === true) return this.conn;
      if (this.currentState === 'stopped') {
        throw new ChaincodeExecutionError('STOPPED', `chaincode ${this.opts.name} stopped`);
      }
      if (this.currentState === 'idle') {
        throw new ChaincodeExecutionError('UNAVAILABLE', `chaincode ${this.opts.name} is not started`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new ChaincodeExecutionError(
          'UNAVAILABLE',
          `chaincode ${this.opts.name} is not available${this.failure === undefined ? '' : `: ${this.failure}`}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.waiters.add(wake);
      });
    }
  }

  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('CORE_')) env[key] = value;
    return {
      ...env,
      ...this.opts.env,
      CORE_PEER_LOCALMSPID: this.opts.mspId,
      CORE_CHAINCODE_LOGGING_LEVEL: this.opts.logLevel ?? 'WARNING',
    };
  }

  private sink(chunk: string, stream: 'stdout' | 'stderr'): void {
    this.log?.write(chunk);
    this.opts.logSink?.(chunk, stream);
  }

  /** Starts one incarnation of the process and brings it to ready. */
  private async launch(): Promise<void> {
    const gen = ++this.generation;
    const abort = new AbortController();
    this.abort = abort;
    const cancelled = (): boolean => abort.signal.aborted || gen !== this.generation;
    const deadline = Date.now() + this.startTimeoutMs;
    const port = await freePort(this.host);
    if (this.opts.tls && !this.tlsFiles) this.tlsFiles = await writeServerTlsFiles(this.opts.tls);
    if (cancelled())
      throw new ChaincodeStartError('STOPPED', `chaincode ${this.opts.name} runtime stopped while starting`);
    const proc = ChaincodeProcess.spawn({
      folder: this.opts.folder,
      chaincodeId: this.chaincodeId,
      host: this.host,
      port,
      env: this.environment(),
      sink: (chunk, stream) => {
        this.sink(chunk, stream);
      },
      ...(this.opts.nodePath === undefined ? {} : { nodePath: this.opts.nodePath }),
      ...(this.opts.shimCli === undefined ? {} : { shimCli: this.opts.shimCli }),
      ...(this.tlsFiles ? { extraArgs: this.tlsFiles.args } : {}),
    });
    this.proc = proc;
    void proc.exited.then((info) => {
      this.onFailure(gen, `process exited (${ChaincodeProcess.describeExit(info)})`);
    });
    try {
      await proc.waitListening(deadline, cancelled);
      const conn = await ChaincodeConnection.open({
        address: proc.address,
        chaincodeId: this.chaincodeId,
        namespace: this.opts.name,
        deadline,
        handler: this.handler,
        signal: abort.signal,
        ...(this.opts.tls ? { tls: this.opts.tls } : {}),
      });
      if (cancelled() || !proc.alive) {
        conn.close(new ChaincodeExecutionError('STOPPED', `chaincode ${this.opts.name} stopped`));
        throw cancelled()
          ? new ChaincodeStartError('STOPPED', `chaincode ${this.opts.name} runtime stopped while starting`)
          : new ChaincodeStartError('EXITED', `chaincode process exited during the handshake:\n${proc.tail}`);
      }
      conn.onClosed((reason) => {
        this.onFailure(gen, reason);
      });
      this.conn = conn;
      this.readySince = Date.now();
      this.setState('ready');
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  }

  /** The ready incarnation `gen` failed: fail its transactions, kill it and schedule a restart. */
  private onFailure(gen: number, reason: string): void {
    if (gen !== this.generation || this.currentState !== 'ready') return;
    this.generation++; // ignore the other failure signal of the same incarnation
    this.failure = reason;
    const conn = this.conn;
    this.conn = undefined;
    conn?.close(
      new ChaincodeExecutionError('TERMINATED', `chaincode ${this.opts.name} terminated: ${reason}`),
    );
    this.proc?.kill('SIGKILL');
    if (Date.now() - this.readySince >= STABLE_AFTER_MS) this.consecutiveFailures = 0;
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    this.setState('restarting');
    const delay = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** this.consecutiveFailures);
    this.consecutiveFailures++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.currentState !== 'restarting') return;
      this.restartCount++;
      this.launch().catch((err: unknown) => {
        if (this.currentState !== 'restarting') return;
        this.failure = err instanceof Error ? err.message : String(err);
        this.scheduleRestart();
      });
    }, delay);
  }
}
