import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { AdminRequest, AdminResponse, NetworkStatus } from './admin-protocol.js';
import { OperatorError, type OperatorErrorCode } from './errors.js';

/** Options of {@link adminRequest}. */
export interface AdminRequestOptions {
  /** Give up after this long (default 60 s; deploys and verifications take a while). */
  readonly timeoutMs?: number;
}

const NOT_RUNNING_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ECONNRESET']);

function notRunning(socket: string): OperatorError {
  return new OperatorError('NOT_RUNNING', `no network answers on ${socket}`, {
    hint: 'start it with `creditchain network up` (in another terminal)',
  });
}

/**
 * Sends one request to the network serving `socket` and returns the result.
 * @throws OperatorError `NOT_RUNNING` when nothing serves the socket, the server's code when the op fails.
 */
export function adminRequest<T>(
  socket: string,
  request: AdminRequest,
  options: AdminRequestOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise<T>((resolve, reject) => {
    const conn = createConnection(socket);
    let buffer = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => {
        reject(
          new OperatorError(
            'ADMIN_SOCKET',
            `the network did not answer "${request.op}" within ${timeoutMs} ms`,
            {
              hint: 'see `creditchain network logs`',
            },
          ),
        );
      });
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      conn.write(`${JSON.stringify(request)}\n`);
    });
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      let response: AdminResponse;
      try {
        response = JSON.parse(buffer.slice(0, newline)) as AdminResponse;
      } catch {
        finish(() => {
          reject(new OperatorError('ADMIN_SOCKET', `unreadable answer on ${socket}`));
        });
        return;
      }
      finish(() => {
        if (response.ok) resolve(response.result as T);
        else
          reject(
            new OperatorError(response.error.code as OperatorErrorCode, response.error.message, {
              ...(response.error.hint === undefined ? {} : { hint: response.error.hint }),
            }),
          );
      });
    });
    conn.on('error', (err: NodeJS.ErrnoException) => {
      finish(() => {
        reject(err.code !== undefined && NOT_RUNNING_CODES.has(err.code) ? notRunning(socket) : err);
      });
    });
    conn.on('close', () => {
      finish(() => {
        reject(notRunning(socket));
      });
    });
  });
}

/** `absent`: no socket file; `stale`: a file nobody serves (a crashed network); `live`: a server answers. */
export type SocketProbe = 'absent' | 'stale' | 'live';

/** Whether a network serves `socket`. */
export function probeAdminSocket(socket: string): Promise<SocketProbe> {
  if (!existsSync(socket)) return Promise.resolve('absent');
  return new Promise((resolve) => {
    const conn = createConnection(socket);
    conn.once('connect', () => {
      conn.destroy();
      resolve('live');
    });
    conn.once('error', () => {
      conn.destroy();
      resolve('stale');
    });
  });
}

/** The running network's status, or undefined when none serves `socket`. */
export async function runningStatus(socket: string): Promise<NetworkStatus | undefined> {
  if ((await probeAdminSocket(socket)) !== 'live') return undefined;
  try {
    return await adminRequest<NetworkStatus>(socket, { op: 'status' }, { timeoutMs: 15_000 });
  } catch (err) {
    if (err instanceof OperatorError && err.code === 'NOT_RUNNING') return undefined;
    throw err;
  }
}
