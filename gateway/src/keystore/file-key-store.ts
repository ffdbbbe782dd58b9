import { createPrivateKey } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeBase64 } from '../crypto/bytes.js';
import { HPKE_SUITE, hpkePublicKeyOf } from '../crypto/hpke.js';
import { KeyStoreError, type KeyStore, type OrgPublicKey } from '../ports/key-store.js';

/*
 * The layout the operator tooling writes for each organisation (`<home>/keys/<MSP>/`):
 *
 *   <keyId>.json     {"mspId","keyId","suite","publicKey" (base64 raw),"createdAt","privateKeyFile",
 *                     "pending"?: true, "publishedAt"?}
 *   <keyId>.key.pem  PKCS#8 PEM private key, mode 0600
 *
 * The private key is read from `<keyId>.key.pem` next to the metadata, never from the absolute
 * `privateKeyFile` recorded at creation, so the folder can be moved or mounted elsewhere.
 *
 * `creditchain org key rotate` adds keys while gateways run: it writes a key `pending`, publishes it
 * on the ledger, then rewrites its metadata without `pending`. Every file is written to a temporary
 * name and renamed, so a reader never sees half a file, and each step changes the folder's
 * modification time, which is what tells this store to read the folder again.
 */

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/*
 * A folder modified this recently may change again within the same tick of the file-system clock
 * (which is coarse: milliseconds) without its modification time moving; such a stamp is not trusted
 * and the next call reads the folder again (the "racy timestamp" rule of git's index).
 */
const RACY_WINDOW_NS = 2_000_000_000n;

interface KeyMeta extends OrgPublicKey {
  readonly createdAt: string;
  /** Created by a rotation that has not seen it published yet: held, but never made active. */
  readonly pending: boolean;
}

function parseMeta(text: string, file: string): KeyMeta {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} is not JSON`, { cause });
  }
  const { keyId, suite, publicKey, createdAt, pending } = json;
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId))
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} has no valid keyId`);
  if (typeof publicKey !== 'string' || decodeBase64(publicKey) === undefined)
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} has no base64 publicKey`, { keyId });
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} has no createdAt instant`, { keyId });
  if (pending !== undefined && typeof pending !== 'boolean')
    throw new KeyStoreError('KEYSTORE_INVALID', `${file} has a pending flag that is not a boolean`, {
      keyId,
    });
  if (suite !== HPKE_SUITE)
    throw new KeyStoreError(
      'KEYSTORE_INVALID',
      `key ${keyId} uses suite ${String(suite)}; only ${HPKE_SUITE} is supported`,
      {
        keyId,
      },
    );
  return { keyId, suite, publicKey, createdAt, pending: pending === true };
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

/** Everything read from the folder at one time. */
interface Snapshot {
  /** Oldest first. */
  readonly keys: readonly KeyMeta[];
  readonly privateKeys: ReadonlyMap<string, Uint8Array>;
  readonly active: string | undefined;
}

async function folderStamp(dir: string): Promise<bigint> {
  try {
    return (await stat(dir, { bigint: true })).mtimeNs;
  } catch (cause) {
    throw new KeyStoreError('KEYSTORE_IO', `cannot read key folder ${dir}`, { cause });
  }
}

/** Reads and checks every key of `dir`; the active key is `pinned`, else the newest not pending. */
async function readFolder(dir: string, pinned: string | undefined): Promise<Snapshot> {
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
  const active = pinned ?? keys.filter((k) => !k.pending).at(-1)?.keyId;
  if (active !== undefined && !privateKeys.has(active))
    throw new KeyStoreError('KEYSTORE_INVALID', `the active key ${active} is not in ${dir}`, {
      keyId: active,
    });
  return { keys, privateKeys, active };
}

/**
 * {@link KeyStore} over an organisation's key folder (`<home>/keys/<MSP>/` as the operator CLI
 * writes it). Every key is checked when read: each private key must derive its published public
 * key. The newest key (by `createdAt`) that is not pending is active unless `activeKeyId` pins
 * another (which stops the store from following rotations).
 *
 * The folder is read at {@link FileKeyStore.open} and again whenever it has changed since (one
 * `stat` per call), so a running gateway wraps to a rotated key from its next request on and opens
 * data keys wrapped to any key in the folder, retired and pending ones included. The folder is the
 * truth: a key file removed is a key forgotten. When the changed folder cannot be read, the call
 * fails and the keys read before stay in use for the next one.
 */
export class FileKeyStore implements KeyStore {
  readonly #dir: string;
  readonly #pinned: string | undefined;
  #snapshot: Snapshot;
  /** Modification time of the folder the snapshot was read from; undefined when not to be trusted. */
  #stamp: bigint | undefined;
  #reading: Promise<void> | undefined;

  private constructor(
    dir: string,
    pinned: string | undefined,
    snapshot: Snapshot,
    stamp: bigint | undefined,
  ) {
    this.#dir = dir;
    this.#pinned = pinned;
    this.#snapshot = snapshot;
    this.#stamp = stamp;
  }

  /**
   * Loads every key of `dir`.
   *
   * @throws {@link KeyStoreError} `KEYSTORE_IO` when the folder cannot be read, `KEYSTORE_INVALID`
   *   for a malformed file, a key of another suite or a private key that does not match, and when
   *   `activeKeyId` is not held
   */
  static async open(dir: string, options: { readonly activeKeyId?: string } = {}): Promise<FileKeyStore> {
    const { snapshot, stamp } = await FileKeyStore.#read(dir, options.activeKeyId);
    return new FileKeyStore(dir, options.activeKeyId, snapshot, stamp);
  }

  static async #read(
    dir: string,
    pinned: string | undefined,
  ): Promise<{ snapshot: Snapshot; stamp: bigint | undefined }> {
    const stamp = await folderStamp(dir);
    const snapshot = await readFolder(dir, pinned);
    const now = BigInt(Date.now()) * 1_000_000n;
    return { snapshot, stamp: now - stamp > RACY_WINDOW_NS ? stamp : undefined };
  }

  /**
   * Reads the folder again when it changed since the last read. One read at a time; a call that
   * finds one under way waits for it and then checks again, since it may have started before the
   * change this call must see.
   */
  async #refresh(): Promise<void> {
    for (;;) {
      const reading = this.#reading;
      if (reading) {
        await reading;
        continue;
      }
      if (this.#stamp !== undefined && (await folderStamp(this.#dir)) === this.#stamp) return;
      if (this.#reading) continue;
      const read = FileKeyStore.#read(this.#dir, this.#pinned)
        .then(({ snapshot, stamp }) => {
          this.#snapshot = snapshot;
          this.#stamp = stamp;
        })
        .finally(() => {
          this.#reading = undefined;
        });
      this.#reading = read;
      await read;
      return;
    }
  }

  /**
   * @throws {@link KeyStoreError} `NO_ACTIVE_KEY`; `KEYSTORE_IO` / `KEYSTORE_INVALID` when the
   *   folder changed and cannot be read
   */
  async activeKey(): Promise<OrgPublicKey> {
    await this.#refresh();
    const { keys, active } = this.#snapshot;
    const key = keys.find((k) => k.keyId === active);
    if (!key) throw new KeyStoreError('NO_ACTIVE_KEY', 'the key folder holds no published key');
    return publicPart(key);
  }

  /** @throws {@link KeyStoreError} when `keyId` is not known yet and the changed folder cannot be read */
  async privateKey(keyId: string): Promise<Uint8Array | undefined> {
    if (!this.#snapshot.privateKeys.has(keyId)) await this.#refresh();
    const key = this.#snapshot.privateKeys.get(keyId);
    return key && Uint8Array.from(key);
  }

  async list(): Promise<readonly OrgPublicKey[]> {
    await this.#refresh();
    return this.#snapshot.keys.map(publicPart);
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
