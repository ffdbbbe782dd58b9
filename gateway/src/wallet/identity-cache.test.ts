import { describe, expect, it } from 'vitest';
import { cachedIdentities } from './identity-cache.js';
import type { Identity } from './wallet.js';

const ID: Identity = { mspId: 'YangtzeMSP', certPem: 'cert', privateKeyPem: 'key' };

describe('cachedIdentities', () => {
  it('opens an identity once, also for concurrent lookups', async () => {
    let opens = 0;
    const lookup = cachedIdentities({
      get: (user) => {
        opens += 1;
        return Promise.resolve(user === 'User1' ? ID : undefined);
      },
    });
    expect(await Promise.all([lookup('User1'), lookup('User1')])).toEqual([ID, ID]);
    expect(await lookup('User1')).toBe(ID);
    expect(opens).toBe(1);
  });

  it('looks again for a user that was missing or failed to open', async () => {
    const answers: (() => Promise<Identity | undefined>)[] = [
      () => Promise.resolve(undefined),
      () => Promise.reject(new Error('WALLET_CORRUPT')),
      () => Promise.resolve(ID),
    ];
    const lookup = cachedIdentities({ get: () => (answers.shift() ?? (() => Promise.resolve(undefined)))() });
    expect(await lookup('User2')).toBeUndefined();
    await expect(lookup('User2')).rejects.toThrow('WALLET_CORRUPT');
    expect(await lookup('User2')).toBe(ID);
    expect(answers).toHaveLength(0);
  });
});
