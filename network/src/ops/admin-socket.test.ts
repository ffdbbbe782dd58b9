import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminRequest, probeAdminSocket, runningStatus } from './admin-client.js';
import { AdminServer, type AdminHandler } from './admin-server.js';
import { OperatorError } from './errors.js';

let dir: string;
let socket: string;
let server: AdminServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-admin-'));
  socket = join(dir, 'admin.sock');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const handlers: Record<string, AdminHandler> = {
  echo: (request) => Promise.resolve({ got: request }),
  slow: () =>
    new Promise((resolve) => {
      setTimeout(() => {
        resolve('slow done');
      }, 50);
    }),
  refuse: () =>
    Promise.reject(
      new OperatorError('PORT_IN_USE', 'port 7051 is in use', { hint: 'change orgs[0].peer.port' }),
    ),
  crash: () => Promise.reject(new Error('boom')),
};

async function serve(): Promise<AdminServer> {
  server = await AdminServer.listen(socket, (op) => handlers[op]);
  return server;
}

/** Sends raw text and collects response lines until `count` arrived. */
function raw(text: string, count: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let buffer = '';
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(text));
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n').filter(Boolean);
      if (lines.length >= count) {
        conn.destroy();
        resolve(lines.map((l) => JSON.parse(l) as unknown));
      }
    });
    conn.on('error', reject);
  });
}

describe('admin socket', () => {
  it('answers JSON-line requests with results', async () => {
    await serve();
    expect(await adminRequest(socket, { op: 'echo', n: 1 })).toEqual({ got: { op: 'echo', n: 1 } });
  });

  it('is a socket only its owner can use (0600)', async () => {
    await serve();
    const info = await stat(socket);
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('answers pipelined requests in order on one connection', async () => {
    await serve();
    const answers = await raw('{"op":"slow"}\n{"op":"echo"}\n', 2);
    expect(answers).toEqual([
      { ok: true, result: 'slow done' },
      { ok: true, result: { got: { op: 'echo' } } },
    ]);
  });

  it('carries operator errors with code, message and hint to the client', async () => {
    await serve();
    const err = await adminRequest(socket, { op: 'refuse' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperatorError);
    expect(err).toMatchObject({
      code: 'PORT_IN_USE',
      message: 'port 7051 is in use',
      hint: 'change orgs[0].peer.port',
    });
    const crash = await adminRequest(socket, { op: 'crash' }).catch((e: unknown) => e);
    expect(crash).toMatchObject({ code: 'ADMIN_OP_FAILED', message: 'boom' });
  });

  it('rejects unknown ops and malformed lines without closing the connection', async () => {
    await serve();
    expect(await raw('not json\n{"op":"nope"}\n[1]\n{"op":"echo"}\n', 4)).toEqual([
      { ok: false, error: { code: 'ADMIN_SOCKET', message: 'a request is one JSON object with an "op"' } },
      { ok: false, error: { code: 'UNKNOWN_OP', message: 'unknown op "nope"' } },
      { ok: false, error: { code: 'ADMIN_SOCKET', message: 'a request is one JSON object with an "op"' } },
      { ok: true, result: { got: { op: 'echo' } } },
    ]);
  });

  it('says the network is not running when nothing serves the socket', async () => {
    expect(await probeAdminSocket(socket)).toBe('absent');
    const err = await adminRequest(socket, { op: 'status' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_RUNNING' });
    expect((err as OperatorError).hint).toMatch(/network up/);
    expect(await runningStatus(socket)).toBeUndefined();
  });

  it('replaces a stale socket file left by a crashed network', async () => {
    // A file nobody serves, as a killed network leaves its socket.
    await writeFile(socket, '');
    expect(await probeAdminSocket(socket)).toBe('stale');
    await serve();
    expect(await probeAdminSocket(socket)).toBe('live');
  });

  it('refuses a second server on the same socket as ALREADY_RUNNING', async () => {
    await serve();
    const err = await AdminServer.listen(socket, () => undefined).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ALREADY_RUNNING' });
    expect(await adminRequest(socket, { op: 'echo' })).toEqual({ got: { op: 'echo' } });
  });

  it('removes the socket file on close', async () => {
    const s = await serve();
    await s.close();
    server = undefined;
    expect(existsSync(socket)).toBe(false);
  });
});
