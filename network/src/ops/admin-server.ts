import { chmod, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { probeAdminSocket } from './admin-client.js';
import {
  MAX_LINE_BYTES,
  parseRequest,
  type AdminErrorBody,
  type AdminRequest,
  type AdminResponse,
} from './admin-protocol.js';
import { OperatorError } from './errors.js';

/** Serves one op. Throw {@link OperatorError} for failures the operator can act on. */
export type AdminHandler = (request: AdminRequest) => unknown;

/** Finds the handler of an op (undefined: unknown op). */
export type AdminHandlers = (op: string) => AdminHandler | undefined;

function errorBody(err: unknown): AdminErrorBody {
  if (err instanceof OperatorError)
    return { code: err.code, message: err.message, ...(err.hint === undefined ? {} : { hint: err.hint }) };
  return { code: 'ADMIN_OP_FAILED', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The admin control socket of a running network (see `admin-protocol.ts`): a Unix domain socket,
 * mode 0600, so only the operator's account can control the network.
 */
export class AdminServer {
  readonly path: string;
  readonly #server: Server;
  readonly #connections = new Set<Socket>();
  #closed: Promise<void> | undefined;

  private constructor(path: string, server: Server) {
    this.path = path;
    this.#server = server;
  }

  /**
   * Listens on `path`, replacing a stale socket file left by a crashed network.
   * @throws OperatorError `ALREADY_RUNNING` when another process serves `path`.
   */
  static async listen(path: string, handlers: AdminHandlers): Promise<AdminServer> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    if ((await probeAdminSocket(path)) === 'stale') await unlink(path).catch(() => undefined);
    const server = createServer();
    const admin = new AdminServer(path, server);
    server.on('connection', (socket) => {
      admin.#serve(socket, handlers);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new OperatorError('ALREADY_RUNNING', `another process serves ${path}`, {
                hint: 'stop it with `creditchain network down` first',
              })
            : err,
        );
      });
      const previous = process.umask(0o177);
      try {
        server.listen(path, () => {
          resolve();
        });
      } finally {
        process.umask(previous);
      }
    });
    await chmod(path, 0o600);
    return admin;
  }

  #serve(socket: Socket, handlers: AdminHandlers): void {
    this.#connections.add(socket);
    socket.setEncoding('utf8');
    let buffer = '';
    let queue = Promise.resolve();
    const reply = (response: AdminResponse): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE_BYTES) {
        reply({ ok: false, error: { code: 'ADMIN_SOCKET', message: 'request line too long' } });
        socket.end();
        return;
      }
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') continue;
        queue = queue.then(() => this.#answer(line, handlers).then(reply));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#connections.delete(socket);
    });
  }

  async #answer(line: string, handlers: AdminHandlers): Promise<AdminResponse> {
    const request = parseRequest(line);
    if (!request)
      return {
        ok: false,
        error: { code: 'ADMIN_SOCKET', message: 'a request is one JSON object with an "op"' },
      };
    const handler = handlers(request.op);
    if (!handler) return { ok: false, error: { code: 'UNKNOWN_OP', message: `unknown op "${request.op}"` } };
    try {
      return { ok: true, result: (await handler(request)) ?? null };
    } catch (err) {
      return { ok: false, error: errorBody(err) };
    }
  }

  /** Stops accepting requests, drops open connections and removes the socket file. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await new Promise<void>((resolve) => {
        this.#server.close(() => {
          resolve();
        });
        for (const socket of this.#connections) socket.end();
        setTimeout(() => {
          for (const socket of this.#connections) socket.destroy();
        }, 500).unref();
      });
      await unlink(this.path).catch(() => undefined);
    })();
    return this.#closed;
  }
}
