import { createPrivateKey } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeBase64 } from '../crypto/bytes.js';
import { HPKE_SUITE, hpkePublicKeyOf } from '../crypto/hpke.js';
import { KeyStoreError, type KeyStore, type OrgPublicKey } from '../ports/key-store.js';

/*
 * The layout the operator tooling writes for each organisation (`<home>/keys/<MSP>/`):
 *
 *   <keyId>.json     {"mspId","keyId","suite","publicKey" (base64 raw),"createdAt","privateKeyFile"}
 *   <keyId>.key.pem  PKCS#8 PEM private key, mode 0600
 *
 * The private key is read from `<keyId>.key.pem` next to the metadata, never from the absolute
 * `privateKeyFile` recorded at creation, so the folder can be moved or mounted elsewhere.
 */

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

interface KeyMeta extends OrgPublicKey {
  readonly createdAt: string;
}

function parseMeta(text: string, file: string): KeyMeta {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} is not JSON`, { cause });
  }
  const { keyId, suite, publicKey, createdAt } = json;
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId))
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} has no valid keyId`);
  if (typeof publicKey !== 'string' || decodeBase64(publicKey) === undefined)
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} has no base64 publicKey`, { keyId });
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} has no createdAt instant`, { keyId });
  if (suite !== HPKE_SUITE)
    throw new KeyStoreError(
      'KEYSTORE_INVALID',
      `key ${keyId} uses suite ${String(suite)}; only ${HPKE_SUITE} is supported`,
      {
        keyId,
      },
    );
  return { keyId, suite, publicKey, createdAt };
}

function rawX25519(pem: string, keyId: string): Uint8Array {
  try {
    const jwk = createPrivateKey({ key: pem, format: 'pem' }).export({ format: 'jwk' });
    if (jwk.crv !== 'X25519' || typeof jwk.d !== 'string') throw new Error('not an X25519 key');
    return Uint8Array.from(Buffer.from(jwk.d, 'base64url'));
  } catch (cause) {
    throw new KeyStoreError('KEYSTORE_INVALID', `the private key of ${keyId} is not an X25519 PKCS#8 key`, {
      cause,
      keyId,
    });
  }
}

/**
 * {@link KeyStore} over an organisation's key folder (`<home>/keys/<MSP>/` as the operator CLI
 * writes it). Everything is read and checked once, at {@link FileKeyStore.open}: each private key
 * must derive its published public key. The newest key (by `createdAt`) is active unless
 * `activeKeyId` names another, e.g. the `activeKeyId` of the organisation's profile on the ledger.
 */
export class FileKeyStore implements KeyStore {
  readonly #keys: readonly KeyMeta[];
  readonly #private: ReadonlyMap<string, Uint8Array>;
  readonly #active: string | undefined;

  private constructor(
    keys: readonly KeyMeta[],
    privateKeys: ReadonlyMap<string, Uint8Array>,
    active?: string,
  ) {
    this.#keys = keys;
    this.#private = privateKeys;
    this.#active = active;
  }

  /**
   * Loads every key of `dir`.
   *
   * @throws {@link KeyStoreError} `KEYSTORE_IO` when the folder cannot be read, `KEYSTORE_INVALID`
   *   for a malformed file, a key of another suite or a private key that does not match, and when
   *   `activeKeyId` is not held
   */
  static async open(dir: string, options: { readonly activeKeyId?: string } = {}): Promise<FileKeyStore> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (cause) {
      throw new KeyStoreError('KEYSTORE_IO', `cannot read key folder ${dir}`, { cause });
    }
    const keys: KeyMeta[] = [];
    const privateKeys = new Map<string, Uint8Array>();
    for (const name of names) {
      const meta = parseMeta(await read(join(dir, name)), name);
      const raw = rawX25519(await read(join(dir, `${meta.keyId}.key.pem`)), meta.keyId);
      if ((await hpkePublicKeyOf(raw)) !== meta.publicKey)
        throw new KeyStoreError(
          'KEYSTORE_INVALID',
          `the private key of ${meta.keyId} does not match its public key`,
          {
            keyId: meta.keyId,
          },
        );
      keys.push(meta);
      privateKeys.set(meta.keyId, raw);
    }
    keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const active = options.activeKeyId ?? keys.at(-1)?.keyId;
    if (active !== undefined && !privateKeys.has(active))
      throw new KeyStoreError('KEYSTORE_INVALID', `the active key ${active} is not in ${dir}`, {
        keyId: active,
      });
    return new FileKeyStore(keys, privateKeys, active);
  }

  activeKey(): Promise<OrgPublicKey> {
    const key = this.#keys.find((k) => k.keyId === this.#active);
    if (!key) return Promise.reject(new KeyStoreError('NO_ACTIVE_KEY', 'the key folder holds no key'));
    return Promise.resolve(publicPart(key));
  }

  privateKey(keyId: string): Promise<Uint8Array | undefined> {
    const key = this.#private.get(keyId);
    return Promise.resolve(key && Uint8Array.from(key));
  }

  list(): Promise<readonly OrgPublicKey[]> {
    return Promise.resolve(this.#keys.map(publicPart));
  }
}

async function read(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new KeyStoreError('KEYSTORE_IO', `cannot read ${file}`, { cause });
  }
}

function publicPart(key: OrgPublicKey): OrgPublicKey {
  return { keyId: key.keyId, suite: key.suite, publicKey: key.publicKey };
}
