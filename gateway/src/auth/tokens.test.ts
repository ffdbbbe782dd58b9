import { describe, expect, it } from 'vitest';
import { AuthError, type AuthErrorCode } from './errors.js';
import { MemoryTokenStore } from './memory-token-store.js';
import { REDACTED, redact } from './redact.js';
import type { TokenRecord, TokenStore } from './token-store.js';
import { ApiTokens, generateToken, hashToken, isTokenFormat } from './tokens.js';

const T0 = new Date('2024-05-01T08:00:00.000Z');

function setup(start = T0) {
  let now = start;
  const store = new MemoryTokenStore();
  const tokens = new ApiTokens(store, { now: () => now });
  return {
    store,
    tokens,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

async function refusal(work: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const err: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  expect((err as AuthError).code).toBe(code);
  return err as AuthError;
}

describe('token format', () => {
  it('is cc_ and base64url of 32 random bytes', () => {
    const token = generateToken();
    expect(token).toMatch(/^cc_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
    expect(isTokenFormat(token)).toBe(true);
    expect(isTokenFormat(`${token}x`)).toBe(false);
    expect(isTokenFormat(token.replace('cc_', 'cx_'))).toBe(false);
  });

  it('hashes with SHA-256', () => {
    expect(Buffer.from(hashToken('abc')).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('ApiTokens', () => {
  it('issues a token that verifies to its user and role, storing only its hash', async () => {
    const { store, tokens } = setup();
    const { token, info } = await tokens.issue({ user: 'alice', role: 'member' });
    expect(info).toEqual({
      tokenId: expect.stringMatching(/^tok_[A-Za-z0-9_-]{16}$/),
      user: 'alice',
      role: 'member',
      createdAt: T0.toISOString(),
      revoked: false,
    });
    expect(await tokens.verify(token)).toEqual(info);
    const stored = (await store.list())[0];
    expect(stored?.hash).toEqual(hashToken(token));
    expect(
      JSON.stringify({ ...stored, hash: Buffer.from(stored?.hash ?? []).toString('base64url') }),
    ).not.toContain(token.slice(3));
  });

  it('lists and revokes by id, without hashes', async () => {
    const { tokens } = setup();
    const a = await tokens.issue({ user: 'alice', role: 'member' });
    const b = await tokens.issue({
      user: 'reg',
      role: 'regulator',
      expiresAt: new Date(T0.getTime() + 1000),
    });
    const listed = await tokens.list();
    expect(listed).toHaveLength(2);
    expect(listed.map((i) => Object.keys(i).includes('hash'))).toEqual([false, false]);
    expect(await tokens.revoke(a.info.tokenId)).toEqual({ ...a.info, revoked: true });
    await refusal(tokens.verify(a.token), 'TOKEN_REVOKED');
    expect(await tokens.verify(b.token)).toEqual(b.info);
    await refusal(tokens.revoke('tok_unknown'), 'TOKEN_UNKNOWN');
  });

  it('refuses an expired token from its expiry instant on', async () => {
    const { tokens, advance } = setup();
    const { token } = await tokens.issue({
      user: 'alice',
      role: 'member',
      expiresAt: new Date(T0.getTime() + 60_000),
    });
    advance(59_999);
    await tokens.verify(token);
    advance(1);
    const err = await refusal(tokens.verify(token), 'TOKEN_EXPIRED');
    expect(err.tokenId).toMatch(/^tok_/);
  });

  it('reports revocation before expiry', async () => {
    const { tokens, advance } = setup();
    const { token, info } = await tokens.issue({
      user: 'alice',
      role: 'admin',
      expiresAt: new Date(T0.getTime() + 1),
    });
    await tokens.revoke(info.tokenId);
    advance(10);
    await refusal(tokens.verify(token), 'TOKEN_REVOKED');
  });

  it.each([
    ['an unknown token', generateToken()],
    ['a malformed token', 'cc_short'],
    ['a token without prefix', generateToken().slice(3)],
    ['a non-string', 42],
    ['an empty string', ''],
  ])('refuses %s with TOKEN_UNKNOWN', async (_what, presented) => {
    const { tokens } = setup();
    await tokens.issue({ user: 'alice', role: 'member' });
    await refusal(tokens.verify(presented), 'TOKEN_UNKNOWN');
  });

  it('compares the stored hash in constant time and refuses a mismatching record', async () => {
    const record: TokenRecord = {
      tokenId: 'tok_1',
      hash: new Uint8Array(32),
      user: 'alice',
      role: 'member',
      createdAt: T0.toISOString(),
      revoked: false,
    };
    const unused = () => Promise.reject(new Error('not used by verify'));
    const lying: TokenStore = {
      put: unused,
      get: unused,
      list: unused,
      revoke: unused,
      close: unused,
      findByHash: () => Promise.resolve(record),
    };
    await refusal(new ApiTokens(lying).verify(generateToken()), 'TOKEN_UNKNOWN');
  });

  it.each([
    ['a bad user', { user: 'a/b', role: 'member' }],
    ['an unknown role', { user: 'alice', role: 'root' }],
    ['a past expiry', { user: 'alice', role: 'member', expiresAt: new Date(T0.getTime() - 1) }],
    ['an expiry now', { user: 'alice', role: 'member', expiresAt: T0 }],
  ])('refuses to issue with %s (INVALID_ARGUMENT)', async (_what, request) => {
    const { tokens, store } = setup();
    await refusal(tokens.issue(request as Parameters<ApiTokens['issue']>[0]), 'INVALID_ARGUMENT');
    expect(await store.list()).toEqual([]);
  });

  it('never puts a token in an error', async () => {
    const { tokens } = setup();
    const { token, info } = await tokens.issue({ user: 'alice', role: 'member' });
    await tokens.revoke(info.tokenId);
    for (const presented of [token, generateToken(), `${token}x`]) {
      const err = await refusal(
        tokens.verify(presented),
        presented === token ? 'TOKEN_REVOKED' : 'TOKEN_UNKNOWN',
      );
      expect(`${err.message} ${JSON.stringify(err)} ${String(err.stack)}`).not.toContain('cc_');
    }
  });
});

describe('redact', () => {
  it('replaces every token in a text', () => {
    const a = generateToken();
    const b = generateToken();
    expect(redact(`Authorization: Bearer ${a}, retry with ${b}.`)).toBe(
      `Authorization: Bearer ${REDACTED}, retry with ${REDACTED}.`,
    );
    expect(redact(`/v1/reports?token=${a}&x=1`)).toBe(`/v1/reports?token=${REDACTED}&x=1`);
  });

  it('redacts truncated tokens and leaves other text alone', () => {
    const token = generateToken();
    expect(redact(token.slice(0, 30))).toBe(REDACTED);
    expect(redact('tok_abc cc_short success_rate')).toBe('tok_abc cc_short success_rate');
  });
});
