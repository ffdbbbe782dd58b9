import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WalletError, type WalletErrorCode } from './errors.js';
import { makeIdentity } from './testing/identity.js';
import type { Identity, Wallet } from './wallet.js';

/*
 * The behaviour every Wallet adapter must show. Tampering goes through the harness's raw access to
 * the stored document, which has the same format in every adapter.
 */

/** What the suite needs from an adapter under test. */
export interface WalletHarness {
  /** A wallet over the harness's storage, opened with `secret`; several may share the storage. */
  open(secret: string): Promise<Wallet>;
  /** The stored document of `user`. */
  readRaw(user: string): Promise<string>;
  /** Replaces the stored document of `user`. */
  writeRaw(user: string, document: string): Promise<void>;
  /** Removes everything the harness created. */
  cleanup(): Promise<void>;
}

const SECRET = 'correct horse battery staple';

type Doc = Record<string, unknown> & {
  kdf: Record<string, unknown>;
  cipher: { iv: string; tag: string; ciphertext: string };
};

async function expectCode(
  work: Promise<unknown>,
  code: WalletErrorCode,
  user?: string,
): Promise<WalletError> {
  const err: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WalletError);
  const e = err as WalletError;
  expect({ name: e.name, code: e.code, ...(user === undefined ? {} : { user: e.user }) }).toEqual({
    name: 'WalletError',
    code,
    ...(user === undefined ? {} : { user }),
  });
  return e;
}

function flip(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
}

/**
 * Registers the Wallet compliance suite for one adapter.
 *
 * @param name - adapter name shown in test titles
 * @param factory - creates a fresh, empty harness for every test
 */
export function runWalletCompliance(name: string, factory: () => Promise<WalletHarness>): void {
  describe(`Wallet compliance: ${name}`, () => {
    let alice: Identity;
    let bob: Identity;
    let harness: WalletHarness;
    let wallet: Wallet;

    beforeAll(async () => {
      alice = await makeIdentity('YangtzeMSP', 'alice');
      bob = await makeIdentity('PearlMSP', 'bob');
    });

    beforeEach(async () => {
      harness = await factory();
      wallet = await harness.open(SECRET);
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    async function tamper(user: string, change: (doc: Doc) => void): Promise<void> {
      const doc = JSON.parse(await harness.readRaw(user)) as Doc;
      change(doc);
      await harness.writeRaw(user, JSON.stringify(doc));
    }

    it('returns the stored identity', async () => {
      await wallet.put('alice', alice);
      expect(await wallet.get('alice')).toEqual(alice);
      expect(await (await harness.open(SECRET)).get('alice')).toEqual(alice);
    });

    it('answers undefined for an unknown user', async () => {
      expect(await wallet.get('nobody')).toBeUndefined();
    });

    it('replaces an identity', async () => {
      await wallet.put('alice', alice);
      await wallet.put('alice', bob);
      expect(await wallet.get('alice')).toEqual(bob);
    });

    it('lists identities sorted by user, never with private keys', async () => {
      await wallet.put('bob@pearl', bob);
      await wallet.put('alice', alice);
      const listing = await wallet.list();
      expect(listing).toEqual([
        { user: 'alice', mspId: alice.mspId, certPem: alice.certPem },
        { user: 'bob@pearl', mspId: bob.mspId, certPem: bob.certPem },
      ]);
      const text = JSON.stringify(listing);
      expect(text).not.toContain(pemBody(alice.privateKeyPem));
      expect(text).not.toContain('PRIVATE KEY');
    });

    it('lists nothing when empty', async () => {
      expect(await wallet.list()).toEqual([]);
    });

    it('removes identities', async () => {
      await wallet.put('alice', alice);
      expect(await wallet.remove('alice')).toBe(true);
      expect(await wallet.remove('alice')).toBe(false);
      expect(await wallet.get('alice')).toBeUndefined();
      expect(await wallet.list()).toEqual([]);
    });

    it('stores the private key encrypted, under a fresh salt and IV every time', async () => {
      await wallet.put('alice', alice);
      const first = await harness.readRaw('alice');
      expect(first).not.toContain(pemBody(alice.privateKeyPem));
      expect(first).not.toContain(pemBody(alice.privateKeyPem).slice(0, 24));
      await wallet.put('alice', alice);
      const second = JSON.parse(await harness.readRaw('alice')) as Doc;
      const before = JSON.parse(first) as Doc;
      expect(second.kdf).toMatchObject({ name: 'scrypt', N: 32768, r: 8, p: 1 });
      expect(second.kdf.salt).not.toEqual(before.kdf.salt);
      expect(second.cipher.iv).not.toEqual(before.cipher.iv);
      expect(second.cipher.ciphertext).not.toEqual(before.cipher.ciphertext);
    });

    it('refuses a wrong secret with WALLET_LOCKED', async () => {
      await wallet.put('alice', alice);
      const other = await harness.open('another secret');
      const err = await expectCode(other.get('alice'), 'WALLET_LOCKED', 'alice');
      expect(err.message).not.toContain(SECRET);
      expect(await other.list()).toEqual([{ user: 'alice', mspId: alice.mspId, certPem: alice.certPem }]);
    });

    it.each([
      ['a flipped ciphertext byte', (d: Doc) => (d.cipher.ciphertext = flip(d.cipher.ciphertext))],
      ['a flipped tag byte', (d: Doc) => (d.cipher.tag = flip(d.cipher.tag))],
      ['a flipped IV byte', (d: Doc) => (d.cipher.iv = flip(d.cipher.iv))],
      ['another MSP id', (d: Doc) => (d.mspId = 'PearlMSP')],
      ['another user name', (d: Doc) => (d.user = 'mallory')],
      ['another certificate', (d: Doc) => (d.certPem = String(d.certPem).replace('\n', '\n\n'))],
      ['an unknown version', (d: Doc) => (d.version = 2)],
      ['an expensive scrypt cost', (d: Doc) => (d.kdf.N = 2 ** 30)],
      ['a missing tag', (d: Doc) => delete (d.cipher as Partial<Doc['cipher']>).tag],
      ['a short salt', (d: Doc) => (d.kdf.salt = 'AAAA')],
      ['non-base64 ciphertext', (d: Doc) => (d.cipher.ciphertext = '***')],
    ])('refuses an identity with %s with WALLET_CORRUPT', async (_what, change) => {
      await wallet.put('alice', alice);
      await tamper('alice', change);
      await expectCode(wallet.get('alice'), 'WALLET_CORRUPT', 'alice');
    });

    it('refuses a document that is not JSON with WALLET_CORRUPT, in get and list', async () => {
      await wallet.put('alice', alice);
      await harness.writeRaw('alice', '{ not json');
      await expectCode(wallet.get('alice'), 'WALLET_CORRUPT', 'alice');
      await expectCode(wallet.list(), 'WALLET_CORRUPT', 'alice');
    });

    it("refuses one user's document copied to another with WALLET_CORRUPT", async () => {
      await wallet.put('alice', alice);
      await harness.writeRaw('bob', await harness.readRaw('alice'));
      await expectCode(wallet.get('bob'), 'WALLET_CORRUPT', 'bob');
    });

    it.each([
      ['an altered salt', (d: Doc) => (d.kdf.salt = flip(String(d.kdf.salt)))],
      ['an altered check value', (d: Doc) => (d.check = flip(String(d.check)))],
    ])('cannot tell %s from a wrong secret: WALLET_LOCKED', async (_what, change) => {
      await wallet.put('alice', alice);
      await tamper('alice', change);
      await expectCode(wallet.get('alice'), 'WALLET_LOCKED', 'alice');
    });

    it.each(['', '../alice', '.alice', 'a/b', 'a b', 'x'.repeat(129), 'é'])(
      'refuses user name %j with INVALID_ARGUMENT',
      async (user) => {
        await expectCode(wallet.put(user, alice), 'INVALID_ARGUMENT');
        await expectCode(wallet.get(user), 'INVALID_ARGUMENT');
        await expectCode(wallet.remove(user), 'INVALID_ARGUMENT');
      },
    );

    it('refuses malformed identities with INVALID_ARGUMENT and stores nothing', async () => {
      const bad: [string, Identity][] = [
        ['MSP id', { ...alice, mspId: 'Yangtze MSP' }],
        ['certificate', { ...alice, certPem: 'not a certificate' }],
        ['private key', { ...alice, privateKeyPem: 'not a key' }],
        ['mismatched key', { ...alice, privateKeyPem: bob.privateKeyPem }],
      ];
      for (const [, identity] of bad)
        await expectCode(wallet.put('alice', identity), 'INVALID_ARGUMENT', 'alice');
      expect(await wallet.list()).toEqual([]);
    });

    it('refuses an empty secret with INVALID_ARGUMENT', async () => {
      await expectCode(harness.open(''), 'INVALID_ARGUMENT');
    });
  });
}
