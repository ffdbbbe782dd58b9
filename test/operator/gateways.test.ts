/**
 * `network up` also runs one member gateway per organisation of the default profile: each a
 * separate process of the compiled gateway (`dist/gateway/src/main.js`) configured from the
 * organisation's own material, listed in the local gateway directory, answering officers over
 * mutual TLS as the role of their certificate, restarted when it dies, and gone after the stop.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDirectory, findGateway, type GatewayDirectory } from '../../gateway/src/client/directory.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const USCC = '91110000600037341L';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(
  directory: GatewayDirectory,
  org: string,
  user: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const gw = findGateway(directory, org);
  const who = user === undefined ? undefined : gw.users.find((u) => u.name === user);
  const creds = who ? { cert: await readFile(who.certFile), key: await readFile(who.keyFile) } : {};
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const ca = await readFile(gw.tlsCaFile);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, gw.url),
      {
        method,
        ca,
        ...creds,
        headers: payload ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('member gateways started with the network', () => {
  let base: string;
  let home: ProfileHome;
  let session: NetworkSession;
  let directory: GatewayDirectory;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-gws-'));
    home = profileHome(base, 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
      gateways: true,
    });
    directory = await readDirectory(home.dir);
  });

  afterAll(async () => {
    await session.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('lists one ready gateway per organisation, with each officer and the role of their certificate', () => {
    expect(directory.gateways.map((g) => [g.mspId, g.org])).toEqual([
      ['YangtzeMSP', 'yangtze'],
      ['PearlMSP', 'pearl'],
      ['JingJinJiMSP', 'jingjinji'],
      ['RegulatorMSP', 'regulator'],
    ]);
    expect(findGateway(directory, 'yangtze').users.map((u) => [u.name, u.role])).toEqual([
      ['Admin', 'admin'],
      ['User1', 'member'],
      ['User2', 'member'],
    ]);
    expect(findGateway(directory, 'RegulatorMSP').users.map((u) => [u.name, u.role])).toEqual([
      ['Admin', 'admin'],
      ['Regulator1', 'regulator'],
    ]);
    const status = session.status('ready').gateways ?? [];
    expect(status.map((g) => g.state)).toEqual(['ready', 'ready', 'ready', 'ready']);
    expect(new Set(status.map((g) => g.pid)).size).toBe(4);
  });

  it('serves each officer over mutual TLS as their own role; no certificate, no access', async () => {
    const lookup = { uscc: USCC };
    const asMember = await call(directory, 'pearl', 'User1', 'POST', '/v1/subjects/lookup', lookup);
    expect(asMember.status).toBe(200);
    const asRegulator = await call(
      directory,
      'regulator',
      'Regulator1',
      'POST',
      '/v1/subjects/lookup',
      lookup,
    );
    expect(asRegulator.status).toBe(200);
    // Every gateway maps a USCC to the same pseudonym: they share the consortium subject key.
    expect(asRegulator.body.subjectRef).toBe(asMember.body.subjectRef);
    expect((await call(directory, 'yangtze', 'Admin', 'POST', '/v1/subjects/lookup', lookup)).body.code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await call(directory, 'yangtze', undefined, 'POST', '/v1/subjects/lookup', lookup)).body.code,
    ).toBe('AUTH_REQUIRED');
    expect((await call(directory, 'yangtze', undefined, 'GET', '/readyz')).status).toBe(200);
  });

  it('keeps secrets out of reach: wallet secret and subject key 0600, configuration naming no secret', async () => {
    const gwDir = join(home.dir, 'gateways');
    expect((await stat(join(gwDir, 'subject.key'))).mode & 0o077).toBe(0);
    expect((await stat(join(gwDir, 'yangtze', 'wallet.secret'))).mode & 0o077).toBe(0);
    expect((await stat(join(gwDir, 'yangtze', 'tls', 'server.key'))).mode & 0o077).toBe(0);
    const config = await readFile(findGateway(directory, 'yangtze').configFile, 'utf8');
    const secret = (await readFile(join(gwDir, 'yangtze', 'wallet.secret'), 'utf8')).trim();
    const subjectKey = (await readFile(join(gwDir, 'subject.key'), 'utf8')).trim();
    expect(config).not.toContain(secret);
    expect(config).not.toContain(subjectKey);
    const directoryText = await readFile(join(gwDir, 'gateways.json'), 'utf8');
    expect(directoryText).not.toContain('PRIVATE KEY');
  });

  it('restarts a gateway that dies, on the same port with the same data', async () => {
    const before = (session.status('ready').gateways ?? []).find((g) => g.mspId === 'PearlMSP');
    expect(before?.pid).toBeDefined();
    process.kill(before?.pid ?? 0, 'SIGKILL');
    let after = before;
    for (let i = 0; i < 200 && (after?.pid === before?.pid || after?.state !== 'ready'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (session.status('ready').gateways ?? []).find((g) => g.mspId === 'PearlMSP');
    }
    expect(after?.state).toBe('ready');
    expect(after?.restarts).toBe(1);
    expect(after?.pid).not.toBe(before?.pid);
    expect(
      (await call(directory, 'pearl', 'User1', 'POST', '/v1/subjects/lookup', { uscc: USCC })).status,
    ).toBe(200);
  });

  it('stops every gateway with the network and withdraws the directory', async () => {
    const pids = (session.status('ready').gateways ?? []).map((g) => g.pid ?? 0);
    await session.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(readDirectory(home.dir)).rejects.toThrow(/npm start/);
  });
});
