import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LevelTokenStore } from './level-token-store.js';
import { runTokenStoreCompliance, sampleTokenRecord } from './token-store.compliance.js';

runTokenStoreCompliance('LevelTokenStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'creditchain-tokens-'));
  return {
    open: () => LevelTokenStore.open(join(dir, 'db')),
    durable: true,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('LevelTokenStore', () => {
  let dir: string;
  let db: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'creditchain-tokens-'));
    db = join(dir, 'db');
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  async function raw<T>(work: (level: ClassicLevel) => Promise<T>): Promise<T> {
    const level = new ClassicLevel<string, string>(db, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await level.open();
    try {
      return await work(level);
    } finally {
      await level.close();
    }
  }

  it('stores hashes only, in the documented format, with synced writes', async () => {
    const batch = vi.spyOn(ClassicLevel.prototype, 'batch');
    const store = await LevelTokenStore.open(db);
    const record = sampleTokenRecord('tok_1', { expiresAt: '2024-06-01T00:00:00.000Z' });
    await store.put(record);
    await store.revoke('tok_1');
    await store.close();
    for (const call of batch.mock.calls as unknown[][]) expect(call[1]).toMatchObject({ sync: true });
    const hex = Buffer.from(record.hash).toString('hex');
    expect(Object.fromEntries(await raw((level) => level.iterator().all()))).toEqual({
      '!format!version': '1',
      '!tokens!tok_1': JSON.stringify({
        v: 1,
        tokenId: 'tok_1',
        hash: hex,
        user: 'alice',
        role: 'member',
        createdAt: record.createdAt,
        expiresAt: '2024-06-01T00:00:00.000Z',
        revoked: true,
      }),
      [`!by-hash!${hex}`]: 'tok_1',
    });
  });

  it('reports a damaged record as TOKEN_STORE_CORRUPT', async () => {
    const store = await LevelTokenStore.open(db);
    await store.put(sampleTokenRecord('tok_1'));
    await store.close();
    await raw((level) => level.put('!tokens!tok_1', '{"v":1,"tokenId":"tok_1","hash":"zz"}'));
    const reopened = await LevelTokenStore.open(db);
    await expect(reopened.get('tok_1')).rejects.toMatchObject({
      name: 'AuthError',
      code: 'TOKEN_STORE_CORRUPT',
    });
    await reopened.close();
  });

  it('refuses a directory held by another store with TOKEN_STORE_OPEN_FAILED', async () => {
    const first = await LevelTokenStore.open(db);
    await expect(LevelTokenStore.open(db)).rejects.toMatchObject({
      name: 'AuthError',
      code: 'TOKEN_STORE_OPEN_FAILED',
    });
    await first.close();
  });
});
