import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, type AuthErrorCode } from './errors.js';
import type { TokenRecord, TokenStore } from './token-store.js';

/* The behaviour every TokenStore adapter must show. */

/** What the suite needs from an adapter under test. */
export interface TokenStoreHarness {
  /** Opens the store; called once per test, and again after `close` when `durable`. */
  open(): Promise<TokenStore>;
  /** Whether a store opened again after `close` sees what was written before. */
  readonly durable: boolean;
  /** Removes everything the harness created. */
  cleanup(): Promise<void>;
}

const at = (minutes: number): string =>
  new Date(Date.parse('2024-05-01T08:00:00.000Z') + minutes * 60_000).toISOString();

/** A valid record; `overrides` replace fields. */
export function sampleTokenRecord(tokenId: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    tokenId,
    hash: Uint8Array.from(randomBytes(32)),
    user: 'alice',
    role: 'member',
    createdAt: at(0),
    revoked: false,
    ...overrides,
  };
}

async function expectCode(work: Promise<unknown>, code: AuthErrorCode, tokenId?: string): Promise<void> {
  const err: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  const e = err as AuthError;
  expect({ name: e.name, code: e.code, ...(tokenId === undefined ? {} : { tokenId: e.tokenId }) }).toEqual({
    name: 'AuthError',
    code,
    ...(tokenId === undefined ? {} : { tokenId }),
  });
}

/**
 * Registers the TokenStore compliance suite for one adapter.
 *
 * @param name - adapter name shown in test titles
 * @param factory - creates a fresh, empty harness for every test
 */
export function runTokenStoreCompliance(name: string, factory: () => Promise<TokenStoreHarness>): void {
  describe(`TokenStore compliance: ${name}`, () => {
    let harness: TokenStoreHarness;
    let store: TokenStore;

    beforeEach(async () => {
      harness = await factory();
      store = await harness.open();
    });

    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    it('returns records by id and by hash, as plain copies', async () => {
      const record = sampleTokenRecord('tok_1', { expiresAt: at(60), role: 'admin' });
      await store.put(record);
      expect(await store.get('tok_1')).toEqual(record);
      const found = await store.findByHash(Uint8Array.from(record.hash));
      expect(found).toEqual(record);
      expect(Object.getPrototypeOf(found?.hash)).toBe(Uint8Array.prototype);
      found?.hash.fill(0);
      record.hash.fill(1);
      expect((await store.get('tok_1'))?.hash).not.toEqual(record.hash);
      expect(await store.findByHash(found?.hash ?? new Uint8Array(32))).toBeUndefined();
    });

    it('answers undefined for unknown ids and hashes', async () => {
      expect(await store.get('tok_x')).toBeUndefined();
      expect(await store.findByHash(new Uint8Array(32))).toBeUndefined();
    });

    it('refuses a second record with the same id or hash with TOKEN_EXISTS', async () => {
      const record = sampleTokenRecord('tok_1');
      await store.put(record);
      await expectCode(store.put(sampleTokenRecord('tok_1')), 'TOKEN_EXISTS', 'tok_1');
      await expectCode(store.put(sampleTokenRecord('tok_2', { hash: record.hash })), 'TOKEN_EXISTS', 'tok_2');
      expect(await store.get('tok_2')).toBeUndefined();
      expect(await store.list()).toEqual([record]);
    });

    it('lets one of two concurrent puts with the same id win', async () => {
      const results = await Promise.allSettled([
        store.put(sampleTokenRecord('tok_1')),
        store.put(sampleTokenRecord('tok_1')),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    });

    it('lists records by createdAt then tokenId', async () => {
      const c = sampleTokenRecord('tok_c', { createdAt: at(1) });
      const b = sampleTokenRecord('tok_b', { createdAt: at(2) });
      const a = sampleTokenRecord('tok_a', { createdAt: at(1) });
      for (const r of [c, b, a]) await store.put(r);
      expect(await store.list()).toEqual([a, c, b]);
    });

    it('revokes, idempotently, and keeps the record findable', async () => {
      const record = sampleTokenRecord('tok_1');
      await store.put(record);
      expect(await store.revoke('tok_1')).toEqual({ ...record, revoked: true });
      expect(await store.revoke('tok_1')).toEqual({ ...record, revoked: true });
      expect(await store.findByHash(record.hash)).toEqual({ ...record, revoked: true });
      await expectCode(store.put(record), 'TOKEN_EXISTS', 'tok_1');
    });

    it('refuses to revoke an unknown token with TOKEN_UNKNOWN', async () => {
      await expectCode(store.revoke('tok_x'), 'TOKEN_UNKNOWN', 'tok_x');
    });

    it.each([
      ['a bad token id', { tokenId: 'tok 1' }],
      ['a short hash', { hash: new Uint8Array(31) }],
      ['a bad user', { user: '../alice' }],
      ['an unknown role', { role: 'root' as 'admin' }],
      ['a bad createdAt', { createdAt: '2024-05-01' }],
      ['an expiry before creation', { expiresAt: at(-1) }],
      ['a non-boolean revoked', { revoked: 'no' as unknown as boolean }],
    ])('refuses %s with INVALID_ARGUMENT', async (_what, change) => {
      await expectCode(store.put(sampleTokenRecord('tok_1', change)), 'INVALID_ARGUMENT');
      expect(await store.list()).toEqual([]);
    });

    it('refuses every call after close with TOKEN_STORE_CLOSED', async () => {
      const pending = store.put(sampleTokenRecord('tok_1'));
      await store.close();
      await pending;
      await store.close();
      await expectCode(store.get('tok_1'), 'TOKEN_STORE_CLOSED');
      await expectCode(store.findByHash(new Uint8Array(32)), 'TOKEN_STORE_CLOSED');
      await expectCode(store.list(), 'TOKEN_STORE_CLOSED');
      await expectCode(store.put(sampleTokenRecord('tok_2')), 'TOKEN_STORE_CLOSED');
      await expectCode(store.revoke('tok_1'), 'TOKEN_STORE_CLOSED');
    });

    it('keeps records and revocations across close and reopen (durable adapters)', async ({ skip }) => {
      if (!harness.durable) skip('not a durable adapter');
      const kept = sampleTokenRecord('tok_1', { expiresAt: at(60) });
      const revoked = sampleTokenRecord('tok_2', { createdAt: at(1) });
      await store.put(kept);
      await store.put(revoked);
      await store.revoke('tok_2');
      await store.close();
      store = await harness.open();
      expect(await store.list()).toEqual([kept, { ...revoked, revoked: true }]);
      expect(await store.findByHash(kept.hash)).toEqual(kept);
    });
  });
}
