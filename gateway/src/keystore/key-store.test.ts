import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrgKey, markOrgKeyPublished } from '../../../network/src/ops/org-keys.js';
import { HPKE_SUITE, generateHpkeKeyPair } from '../crypto/hpke.js';
import { FileKeyStore } from './file-key-store.js';
import { runKeyStoreCompliance } from './key-store.compliance.js';
import { MemoryKeyStore } from './memory-key-store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Writes a key the way network/src/ops/org-keys.ts does (same file names and fields). */
async function writeOrgKey(
  dir: string,
  createdAt: string,
  suite = HPKE_SUITE,
  pending = false,
): Promise<{ keyId: string; publicKey: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const keyId = `x25519-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
  const privateKeyFile = join(dir, `${keyId}.key.pem`);
  await writeFile(privateKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), {
    mode: 0o600,
  });
  const meta = {
    mspId: 'YangtzeMSP',
    keyId,
    suite,
    publicKey: raw.toString('base64'),
    createdAt,
    privateKeyFile,
    ...(pending ? { pending: true } : {}),
  };
  await writeFile(join(dir, `${keyId}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  return { keyId, publicKey: meta.publicKey };
}

/** Rewrites a key's metadata the way the operator tooling does: a temporary file renamed over it. */
async function rewriteMeta(
  dir: string,
  keyId: string,
  change: (meta: Record<string, unknown>) => object,
): Promise<void> {
  const file = join(dir, `${keyId}.json`);
  const meta = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(`${file}.x.tmp`, JSON.stringify(change(meta)));
  await rename(`${file}.x.tmp`, file);
}

/** Rotation as `creditchain org key rotate` leaves the folder: a pending key, then published. */
async function rotateInFolder(dir: string, createdAt: string): Promise<{ keyId: string; publicKey: string }> {
  const key = await writeOrgKey(dir, createdAt, HPKE_SUITE, true);
  await rewriteMeta(dir, key.keyId, (meta) => ({ ...meta, pending: undefined, publishedAt: createdAt }));
  return key;
}

/** Sets the folder's modification time to a fixed past instant, as for a folder nobody touched lately. */
async function settle(dir: string): Promise<void> {
  const past = new Date('2020-01-01T00:00:00.000Z');
  await utimes(dir, past, past);
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-keys-'));
  dirs.push(dir);
  return dir;
}

runKeyStoreCompliance('FileKeyStore', async () => {
  const dir = await tempDir();
  const current = await writeOrgKey(dir, '2026-02-01T00:00:00.000Z');
  const old = await writeOrgKey(dir, '2026-01-01T00:00:00.000Z');
  await settle(dir);
  return {
    store: await FileKeyStore.open(dir),
    old,
    current,
    rotate: () => rotateInFolder(dir, '2026-03-01T00:00:00.000Z'),
  };
});

runKeyStoreCompliance('MemoryKeyStore', async () => {
  const store = new MemoryKeyStore();
  const a = await generateHpkeKeyPair();
  const b = await generateHpkeKeyPair();
  await store.add('k-old', a);
  await store.add('k-new', b);
  return {
    store,
    old: { keyId: 'k-old', publicKey: a.publicKeyB64 },
    current: { keyId: 'k-new', publicKey: b.publicKeyB64 },
    rotate: async () => {
      const c = await generateHpkeKeyPair();
      await store.add('k-next', c);
      return { keyId: 'k-next', publicKey: c.publicKeyB64 };
    },
  };
});

describe('FileKeyStore', () => {
  it('reads the key folder the operator tooling writes (<home>/keys/<MSP>/)', async () => {
    const keysDir = await tempDir();
    const written = await createOrgKey(keysDir, 'PearlMSP', HPKE_SUITE);
    const store = await FileKeyStore.open(join(keysDir, 'PearlMSP'));
    expect(await store.activeKey()).toEqual({
      keyId: written.keyId,
      suite: HPKE_SUITE,
      publicKey: written.publicKey,
    });
  });

  it('lets configuration pin the active key', async () => {
    const dir = await tempDir();
    const old = await writeOrgKey(dir, '2026-01-01T00:00:00.000Z');
    await writeOrgKey(dir, '2026-02-01T00:00:00.000Z');
    const store = await FileKeyStore.open(dir, { activeKeyId: old.keyId });
    expect((await store.activeKey()).keyId).toBe(old.keyId);
    await expect(FileKeyStore.open(dir, { activeKeyId: 'x25519-unknown' })).rejects.toMatchObject({
      code: 'KEYSTORE_INVALID',
    });
  });

  it('refuses a private key that does not derive the published public key', async () => {
    const dir = await tempDir();
    const a = await writeOrgKey(dir, '2026-01-01T00:00:00.000Z');
    const other = generateKeyPairSync('x25519')
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await chmod(join(dir, `${a.keyId}.key.pem`), 0o600);
    await writeFile(join(dir, `${a.keyId}.key.pem`), other);
    await expect(FileKeyStore.open(dir)).rejects.toMatchObject({
      name: 'KeyStoreError',
      code: 'KEYSTORE_INVALID',
      keyId: a.keyId,
    });
  });

  it('refuses keys of a suite it cannot open, and a missing folder', async () => {
    const dir = await tempDir();
    await writeOrgKey(dir, '2026-01-01T00:00:00.000Z', 'DHKEM(P-256, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM');
    await expect(FileKeyStore.open(dir)).rejects.toMatchObject({ code: 'KEYSTORE_INVALID' });
    await expect(FileKeyStore.open(join(dir, 'missing'))).rejects.toMatchObject({ code: 'KEYSTORE_IO' });
  });

  it('has no active key when the folder is empty', async () => {
    const store = await FileKeyStore.open(await tempDir());
    await expect(store.activeKey()).rejects.toMatchObject({ code: 'NO_ACTIVE_KEY' });
  });

  it('follows the operator tooling through a rotation: pending keys open but are not wrapped to', async () => {
    const keysDir = await tempDir();
    const first = await createOrgKey(keysDir, 'PearlMSP', HPKE_SUITE);
    const dir = join(keysDir, 'PearlMSP');
    const store = await FileKeyStore.open(dir);
    const pending = await createOrgKey(keysDir, 'PearlMSP', HPKE_SUITE, { pending: true });
    expect((await store.activeKey()).keyId).toBe(first.keyId);
    expect(await store.privateKey(pending.keyId)).toBeInstanceOf(Uint8Array);
    await markOrgKeyPublished(keysDir, pending, '2026-11-26T10:00:00.000000000Z');
    expect((await store.activeKey()).keyId).toBe(pending.keyId);
    expect(await store.privateKey(first.keyId)).toBeInstanceOf(Uint8Array);
  });

  it('notices a key added to a folder it had trusted as unchanged', async () => {
    const dir = await tempDir();
    const old = await writeOrgKey(dir, '2026-01-01T00:00:00.000Z');
    await settle(dir);
    const store = await FileKeyStore.open(dir);
    expect((await store.activeKey()).keyId).toBe(old.keyId);
    const next = await rotateInFolder(dir, '2026-02-01T00:00:00.000Z');
    expect((await store.activeKey()).keyId).toBe(next.keyId);
  });

  it('does not read a folder again while it is unchanged', async () => {
    const dir = await tempDir();
    const key = await writeOrgKey(dir, '2026-01-01T00:00:00.000Z');
    await settle(dir);
    const store = await FileKeyStore.open(dir);
    // Overwritten in place, folder time put back: only a re-read would notice.
    await writeFile(join(dir, `${key.keyId}.json`), 'not json');
    await settle(dir);
    expect((await store.activeKey()).keyId).toBe(key.keyId);
  });

  it('fails the call when the changed folder holds a broken key, and keeps the keys it had', async () => {
    const dir = await tempDir();
    const key = await writeOrgKey(dir, '2026-01-01T00:00:00.000Z');
    await settle(dir);
    const store = await FileKeyStore.open(dir);
    await writeFile(join(dir, 'x25519-broken.json'), '{"keyId":"x25519-broken"}');
    await expect(store.activeKey()).rejects.toMatchObject({
      name: 'KeyStoreError',
      code: 'KEYSTORE_INVALID',
    });
    expect(await store.privateKey(key.keyId)).toBeInstanceOf(Uint8Array);
    await rm(join(dir, 'x25519-broken.json'));
    expect((await store.activeKey()).keyId).toBe(key.keyId);
  });
});
