import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrgKey } from '../../../network/src/ops/org-keys.js';
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
  };
  await writeFile(join(dir, `${keyId}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  return { keyId, publicKey: meta.publicKey };
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
  return { store: await FileKeyStore.open(dir), old, current };
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
});
