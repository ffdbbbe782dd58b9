/** The benchmark's side of the load client: forks `client.js` and sends it requests. */
import { fork, type ChildProcess } from 'node:child_process';
import type { FromClient, SetupMessage, ToClient } from './protocol.js';

type Reply = Exclude<FromClient, { type: 'ready' } | { type: 'error' }>;
// Distributes Omit over the union, so each request keeps its own fields.
type Request = ToClient extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

/** A running load client process. */
export class ClientProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #ready: Promise<void>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    let readyResolve: () => void = () => undefined;
    let readyReject: (e: Error) => void = () => undefined;
    this.#ready = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    child.on('message', (message: FromClient) => {
      if (message.type === 'ready') {
        readyResolve();
        return;
      }
      const w = message.id === undefined ? undefined : this.#waiting.get(message.id);
      if (message.id !== undefined) this.#waiting.delete(message.id);
      if (message.type !== 'error') {
        w?.resolve(message);
        return;
      }
      const err = new Error(`load client: ${message.message}`);
      if (w) w.reject(err);
      else readyReject(err);
    });
    child.on('exit', (code, signal) => {
      const err = new Error(`load client exited (${signal ?? String(code)})`);
      readyReject(err);
      for (const w of this.#waiting.values()) w.reject(err);
      this.#waiting.clear();
    });
  }

  /** Forks the client (`client.js` next to this module) and sets up its gateway connections. */
  static async start(setup: SetupMessage): Promise<ClientProcess> {
    const child = fork(new URL('./client.js', import.meta.url), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const client = new ClientProcess(child);
    child.send(setup);
    await client.#ready;
    return client;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends a request; resolves to the client's reply, checked to be of type `expect`. */
  async request<T extends Reply['type']>(message: Request, expect: T): Promise<Extract<Reply, { type: T }>> {
    const id = this.#nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#child.send({ ...message, id });
    });
    if (reply.type !== expect) throw new Error(`load client answered ${reply.type} to ${message.type}`);
    return reply as Extract<Reply, { type: T }>;
  }

  /** Asks the client to close its connections and exit; kills it if it does not within 5 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      this.#child.once('exit', () => {
        resolve();
      });
    });
    if (this.#child.connected) this.#child.send({ type: 'exit' } satisfies ToClient);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
