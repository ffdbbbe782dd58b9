import { describe, expect, it } from 'vitest';
import { unwrapDataKey, wrapDataKey } from '../crypto/hpke.js';
import { HPKE_SUITE } from '../crypto/hpke.js';
import type { KeyStore } from '../ports/key-store.js';

/* The behaviour every KeyStore adapter must show. */

/** A key id and its base64 public key. */
export interface FixtureKey {
  readonly keyId: string;
  readonly publicKey: string;
}

/** A store under test holding two keys, `old` (retired) then `current` (active), and their public keys. */
export interface KeyStoreFixture {
  readonly store: KeyStore;
  readonly old: FixtureKey;
  readonly current: FixtureKey;
  /** Rotates the organisation's key the way this adapter's operators do, while `store` stays open. */
  readonly rotate: () => Promise<FixtureKey>;
}

const RECEIPT = 'e'.repeat(64);

async function opens(store: KeyStore, key: FixtureKey): Promise<boolean> {
  const dataKey = new Uint8Array(32).fill(9);
  const wrapped = await wrapDataKey({
    dataKey,
    recipientPublicKey: key.publicKey,
    keyId: key.keyId,
    reportId: 'rpt-2',
    receiptId: RECEIPT,
  });
  const privateKey = await store.privateKey(key.keyId);
  if (!privateKey) return false;
  const opened = await unwrapDataKey(wrapped, privateKey, { reportId: 'rpt-2', receiptId: RECEIPT });
  return opened.every((b, i) => b === dataKey[i]);
}

/**
 * Registers the KeyStore compliance suite for one adapter.
 *
 * @param name - adapter name shown in test titles
 * @param fixture - builds a fresh store with two keys, the second active
 */
export function runKeyStoreCompliance(name: string, fixture: () => Promise<KeyStoreFixture>): void {
  describe(`KeyStore compliance: ${name}`, () => {
    it('names the newest key active and lists both, oldest first, without private keys', async () => {
      const { store, old, current } = await fixture();
      expect(await store.activeKey()).toEqual({
        keyId: current.keyId,
        suite: HPKE_SUITE,
        publicKey: current.publicKey,
      });
      expect(await store.list()).toEqual([
        { keyId: old.keyId, suite: HPKE_SUITE, publicKey: old.publicKey },
        { keyId: current.keyId, suite: HPKE_SUITE, publicKey: current.publicKey },
      ]);
    });

    it('opens data keys wrapped to the active and to the retired key', async () => {
      const { store, old, current } = await fixture();
      for (const key of [old, current]) {
        const dataKey = new Uint8Array(32).fill(7);
        const wrapped = await wrapDataKey({
          dataKey,
          recipientPublicKey: key.publicKey,
          keyId: key.keyId,
          reportId: 'rpt-1',
          receiptId: RECEIPT,
        });
        const privateKey = await store.privateKey(key.keyId);
        expect(privateKey).toBeInstanceOf(Uint8Array);
        expect(
          await unwrapDataKey(wrapped, privateKey ?? new Uint8Array(), {
            reportId: 'rpt-1',
            receiptId: RECEIPT,
          }),
        ).toEqual(dataKey);
      }
    });

    it('follows a rotation without being reopened, and still opens what was wrapped to older keys', async () => {
      const { store, old, current, rotate } = await fixture();
      expect((await store.activeKey()).keyId).toBe(current.keyId);
      const next = await rotate();
      expect(await store.activeKey()).toEqual({
        keyId: next.keyId,
        suite: HPKE_SUITE,
        publicKey: next.publicKey,
      });
      expect((await store.list()).map((k) => k.keyId)).toEqual([old.keyId, current.keyId, next.keyId]);
      for (const key of [old, current, next]) expect(await opens(store, key)).toBe(true);
    });

    it('answers undefined for a key it does not hold and hands out copies', async () => {
      const { store, current } = await fixture();
      expect(await store.privateKey('nope')).toBeUndefined();
      const first = await store.privateKey(current.keyId);
      first?.fill(0);
      expect((await store.privateKey(current.keyId))?.some((b) => b !== 0)).toBe(true);
    });
  });
}
