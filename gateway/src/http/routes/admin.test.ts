import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../app.js';
import { MemoryTokenStore } from '../../auth/memory-token-store.js';
import { ApiTokens, hashToken } from '../../auth/tokens.js';
import { Idempotency } from '../../services/idempotency.js';
import { harness, type Harness } from '../../services/testing/harness.js';
import type { IdempotencyRecord } from '../../vault/types.js';
import type { Vault } from '../../vault/vault.js';
import { VaultError } from '../../vault/errors.js';
import { MemoryWallet } from '../../wallet/memory-wallet.js';
import { makeIdentity } from '../../wallet/testing/identity.js';
import { TOKEN_TTL } from './admin.js';

interface World {
  readonly h: Harness;
  readonly app: GatewayApp;
  readonly tokens: ApiTokens;
  readonly token: { readonly member: string; readonly regulator: string; readonly admin: string };
  /** Every idempotency record the gateway wrote. */
  readonly records: IdempotencyRecord[];
  /** Makes the next idempotency writes fail. */
  failWrites: boolean;
}

let w: World | undefined;
afterEach(async () => {
  await w?.app.app.close();
  w = undefined;
});

// One wallet for the file: each put runs scrypt.
const walletDocs = new Map<string, string>();
const walletReady = (async () => {
  const wallet = new MemoryWallet('wallet secret', walletDocs);
  await wallet.put('User1', await makeIdentity('YangtzeMSP', 'User1@yangtze.creditchain.example'));
  await wallet.put('Regulator1', await makeIdentity('YangtzeMSP', 'Regulator1@yangtze.creditchain.example'));
})();

async function world(options: { wallet?: boolean } = {}): Promise<World> {
  await walletReady;
  const h = await harness();
  const records: IdempotencyRecord[] = [];
  const state = { failWrites: false };
  const vault = new Proxy(h.vault, {
    get(target, prop, receiver) {
      if (prop === 'putIdempotency')
        return async (record: IdempotencyRecord) => {
          if (state.failWrites) throw new VaultError('VAULT_IO', 'disk full');
          records.push(record);
          return target.putIdempotency(record);
        };
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as Vault;
  const tokens = new ApiTokens(new MemoryTokenStore(), { now: () => h.clock.now() });
  const issue = async (user: string, role: 'member' | 'regulator' | 'admin') =>
    (await tokens.issue({ user, role })).token;
  const token = {
    member: await issue('User1', 'member'),
    regulator: await issue('Regulator1', 'regulator'),
    admin: await issue('Admin', 'admin'),
  };
  const app = await buildApp({
    deps: { ...h.deps, vault, idempotency: new Idempotency(vault, h.clock) },
    tokens,
    ...(options.wallet === false ? {} : { wallet: new MemoryWallet('wallet secret', walletDocs) }),
    processMetrics: false,
  });
  return Object.assign(state, { h, app, tokens, token, records });
}

function env(): World {
  if (!w) throw new Error('no world');
  return w;
}

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { token?: string; body?: unknown; key?: string | null } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token ?? env().token.admin}`,
  };
  if (method === 'POST' && options.key !== null)
    headers['idempotency-key'] = options.key ?? `k-${Math.random().toString(36).slice(2)}`;
  return env().app.app.inject({
    method,
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
}

const codeOf = (res: LightMyRequestResponse) => ({
  status: res.statusCode,
  code: res.json<{ code: string }>().code,
});

interface Issued {
  tokenId: string;
  token: string;
  user: string;
  role: string;
  createdAt: string;
  expiresAt: string | null;
}

describe('admin token API', () => {
  it('refuses members and regulators with FORBIDDEN on every admin endpoint', async () => {
    w = await world();
    for (const role of ['member', 'regulator'] as const) {
      const token = env().token[role];
      expect(codeOf(await call('GET', '/v1/admin/tokens', { token }))).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      expect(
        codeOf(await call('POST', '/v1/admin/tokens', { token, body: { user: 'User1', role: 'admin' } })),
      ).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(codeOf(await call('DELETE', '/v1/admin/tokens/tok_x', { token }))).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
    }
    expect((await env().tokens.list()).length).toBe(3);
  });

  it('issues a token that works on a member endpoint, lists it without secrets, and revokes it', async () => {
    w = await world();
    const before = env().h.clock.now();
    const res = await call('POST', '/v1/admin/tokens', { body: { user: 'User1', role: 'member' } });
    expect(res.statusCode).toBe(201);
    const issued = res.json<Issued>();
    expect(issued).toEqual({
      tokenId: expect.stringMatching(/^tok_/),
      token: expect.stringMatching(/^cc_[A-Za-z0-9_-]{43}$/),
      user: 'User1',
      role: 'member',
      createdAt: before.toISOString(),
      expiresAt: new Date(before.getTime() + TOKEN_TTL.defaultSeconds * 1000).toISOString(),
    });

    const reports = await call('GET', '/v1/reports', { token: issued.token });
    expect(reports.statusCode).toBe(200);

    const list = await call('GET', '/v1/admin/tokens');
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: Record<string, unknown>[] }>().items;
    expect(items.find((i) => i.tokenId === issued.tokenId)).toEqual({
      tokenId: issued.tokenId,
      user: 'User1',
      role: 'member',
      createdAt: issued.createdAt,
      expiresAt: issued.expiresAt,
      revoked: false,
      status: 'active',
    });
    const hash = Buffer.from(hashToken(issued.token));
    for (const secret of [
      issued.token,
      issued.token.slice(3),
      hash.toString('hex'),
      hash.toString('base64'),
      hash.toString('base64url'),
      env().token.admin.slice(3),
    ])
      expect(list.body).not.toContain(secret);
    for (const item of items)
      expect(Object.keys(item).sort()).toEqual([
        'createdAt',
        'expiresAt',
        'revoked',
        'role',
        'status',
        'tokenId',
        'user',
      ]);

    const revoked = await call('DELETE', `/v1/admin/tokens/${issued.tokenId}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ tokenId: issued.tokenId, revoked: true, status: 'revoked' });
    expect(codeOf(await call('GET', '/v1/reports', { token: issued.token }))).toEqual({
      status: 401,
      code: 'TOKEN_REVOKED',
    });
    // Revoking again changes nothing.
    expect((await call('DELETE', `/v1/admin/tokens/${issued.tokenId}`)).statusCode).toBe(200);
  });

  it('expires a token after its ttlSeconds', async () => {
    w = await world();
    const issued = (
      await call('POST', '/v1/admin/tokens', { body: { user: 'User1', role: 'member', ttlSeconds: 120 } })
    ).json<Issued>();
    expect((await call('GET', '/v1/reports', { token: issued.token })).statusCode).toBe(200);
    env().h.clock.advance(120_000);
    expect(codeOf(await call('GET', '/v1/reports', { token: issued.token }))).toEqual({
      status: 401,
      code: 'TOKEN_EXPIRED',
    });
    const items = (await call('GET', '/v1/admin/tokens')).json<{
      items: { tokenId: string; status: string }[];
    }>().items;
    expect(items.find((i) => i.tokenId === issued.tokenId)?.status).toBe('expired');
  });

  it('refuses a user without a wallet identity, bad input and a missing key, and stores nothing', async () => {
    w = await world();
    const cases: [unknown, string | null, { status: number; code: string }][] = [
      [{ user: 'Nobody', role: 'member' }, 'k1', { status: 403, code: 'IDENTITY_NOT_FOUND' }],
      [{ user: 'User1', role: 'owner' }, 'k2', { status: 400, code: 'INVALID_REQUEST' }],
      [{ user: 'User 1', role: 'member' }, 'k3', { status: 400, code: 'INVALID_REQUEST' }],
      [{ user: 'User1', role: 'member', ttlSeconds: 59 }, 'k4', { status: 400, code: 'INVALID_REQUEST' }],
      [
        { user: 'User1', role: 'member', ttlSeconds: TOKEN_TTL.maxSeconds + 1 },
        'k5',
        { status: 400, code: 'INVALID_REQUEST' },
      ],
      [{ user: 'User1', role: 'member', ttlSeconds: 600.5 }, 'k6', { status: 400, code: 'INVALID_REQUEST' }],
      [{ user: 'User1', role: 'member', extra: 1 }, 'k7', { status: 400, code: 'INVALID_REQUEST' }],
      [{ user: 'User1', role: 'member' }, null, { status: 428, code: 'IDEMPOTENCY_KEY_REQUIRED' }],
      [{ user: 'User1', role: 'member' }, 'bad key!', { status: 400, code: 'INVALID_REQUEST' }],
    ];
    for (const [body, key, expected] of cases)
      expect(codeOf(await call('POST', '/v1/admin/tokens', { body, key }))).toEqual(expected);
    expect((await env().tokens.list()).length).toBe(3);
    expect(env().records).toEqual([]);
    expect(codeOf(await call('DELETE', '/v1/admin/tokens/tok_unknown'))).toEqual({
      status: 404,
      code: 'TOKEN_NOT_FOUND',
    });
    expect(codeOf(await call('DELETE', '/v1/admin/tokens/bad%20id'))).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
    });
  });

  it('never replays a token: a retry gets TOKEN_ALREADY_ISSUED; the idempotency record holds no token', async () => {
    w = await world();
    const body = { user: 'User1', role: 'member', ttlSeconds: 3600 };
    const first = await call('POST', '/v1/admin/tokens', { body, key: 'issue-1' });
    expect(first.statusCode).toBe(201);
    const issued = first.json<Issued>();
    const retry = await call('POST', '/v1/admin/tokens', { body, key: 'issue-1' });
    expect(codeOf(retry)).toEqual({ status: 409, code: 'TOKEN_ALREADY_ISSUED' });
    expect(retry.json<{ detail: string }>().detail).toContain(issued.tokenId);
    expect(retry.body).not.toContain(issued.token.slice(3));
    expect(
      codeOf(await call('POST', '/v1/admin/tokens', { body: { ...body, ttlSeconds: 60 }, key: 'issue-1' })),
    ).toEqual({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    expect((await env().tokens.list()).length).toBe(4);
    expect(env().records).toHaveLength(1);
    const stored = JSON.stringify(env().records);
    expect(stored).toContain(issued.tokenId);
    expect(stored).not.toContain(issued.token.slice(3));
    expect(stored).not.toContain(Buffer.from(hashToken(issued.token)).toString('hex'));
  });

  it('revokes a token whose answer could not be recorded, and answers a retryable 503', async () => {
    w = await world();
    env().failWrites = true;
    const res = await call('POST', '/v1/admin/tokens', { body: { user: 'User1', role: 'member' } });
    expect(codeOf(res)).toEqual({ status: 503, code: 'VAULT_UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).not.toMatch(/cc_[A-Za-z0-9_-]{43}/);
    const orphan = (await env().tokens.list()).find(
      (t) => t.user === 'User1' && t.role === 'member' && t.expiresAt,
    );
    expect(orphan?.revoked).toBe(true);
  });

  it('fails closed without a wallet', async () => {
    w = await world({ wallet: false });
    expect(
      codeOf(await call('POST', '/v1/admin/tokens', { body: { user: 'User1', role: 'member' } })),
    ).toEqual({ status: 403, code: 'IDENTITY_NOT_FOUND' });
    expect((await env().tokens.list()).length).toBe(3);
  });

  it('is described in the OpenAPI document', async () => {
    w = await world();
    const spec = (await env().app.app.inject({ url: '/docs/json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/admin/tokens', '/v1/admin/tokens/{tokenId}']),
    );
  });
});
