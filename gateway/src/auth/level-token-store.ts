import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { AuthError } from './errors.js';
import type { TokenRecord, TokenStore } from './token-store.js';
import { byCreation, checkHash, checkRecord, checkTokenId } from './validate.js';

/*
 * LevelDB layout (classic-level, UTF-8 keys and values), format version 1:
 *
 *   format    "version" -> "1"
 *   tokens    <tokenId> -> {"v":1,"tokenId","hash":<64 hex>,"user","role","createdAt",
 *                           "expiresAt"?,"revoked":bool}
 *   by-hash   <64 hex SHA-256> -> <tokenId>
 *
 * Every write is one LevelDB batch with `sync: true`; writes run one at a time so that uniqueness
 * checks and revocations cannot interleave.
 */

type Db = ClassicLevel;
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;
const FORMAT_VERSION = '1';
const HEX64 = /^[0-9a-f]{64}$/;

function sublevels(db: Db) {
  return {
    format: db.sublevel('format', UTF8),
    tokens: db.sublevel('tokens', UTF8),
    byHash: db.sublevel('by-hash', UTF8),
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function encode(record: TokenRecord): string {
  const { tokenId, user, role, createdAt, expiresAt, revoked } = record;
  return JSON.stringify({ v: 1, tokenId, hash: hex(record.hash), user, role, createdAt, expiresAt, revoked });
}

function decode(tokenId: string, text: string): TokenRecord {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    if (json.v !== 1 || json.tokenId !== tokenId || typeof json.hash !== 'string' || !HEX64.test(json.hash))
      throw new Error('unexpected fields');
    return checkRecord({ ...json, hash: Uint8Array.from(Buffer.from(json.hash, 'hex')) });
  } catch (err) {
    throw new AuthError('TOKEN_STORE_CORRUPT', `stored token ${tokenId} cannot be decoded`, {
      cause: err,
      tokenId,
    });
  }
}

/** Durable {@link TokenStore} on LevelDB; open with {@link LevelTokenStore.open}. */
export class LevelTokenStore implements TokenStore {
  readonly #db: Db;
  readonly #stores: ReturnType<typeof sublevels>;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(db: Db) {
    this.#db = db;
    this.#stores = sublevels(db);
  }

  /**
   * Opens (creating when needed) the token store in directory `dir`.
   *
   * @throws AuthError `TOKEN_STORE_OPEN_FAILED`
   */
  static async open(dir: string): Promise<LevelTokenStore> {
    const db: Db = new ClassicLevel<string, string>(dir, UTF8);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await db.open();
    } catch (err) {
      throw new AuthError('TOKEN_STORE_OPEN_FAILED', `cannot open token store at ${dir}`, { cause: err });
    }
    const store = new LevelTokenStore(db);
    const { format } = store.#stores;
    const version = await format.get('version');
    if (version === undefined) {
      await db.batch([{ type: 'put', sublevel: format, key: 'version', value: FORMAT_VERSION }], {
        sync: true,
      });
    } else if (version !== FORMAT_VERSION) {
      await db.close();
      throw new AuthError(
        'TOKEN_STORE_OPEN_FAILED',
        `token store format version ${version} is not supported`,
      );
    }
    return store;
  }

  put(record: TokenRecord): Promise<void> {
    return this.#exclusive(async () => {
      const next = checkRecord(record);
      const { tokens, byHash } = this.#stores;
      const hash = hex(next.hash);
      const [byId, byHashId] = await Promise.all([tokens.get(next.tokenId), byHash.get(hash)]);
      if (byId !== undefined || byHashId !== undefined)
        throw new AuthError('TOKEN_EXISTS', `token ${next.tokenId} or its hash is already stored`, {
          tokenId: next.tokenId,
        });
      await this.#db.batch(
        [
          { type: 'put', sublevel: tokens, key: next.tokenId, value: encode(next) },
          { type: 'put', sublevel: byHash, key: hash, value: next.tokenId },
        ],
        { sync: true },
      );
    });
  }

  async get(tokenId: string): Promise<TokenRecord | undefined> {
    this.#ensureOpen();
    const id = checkTokenId(tokenId);
    const text = await this.#io(this.#stores.tokens.get(id));
    return text === undefined ? undefined : decode(id, text);
  }

  async findByHash(hash: Uint8Array): Promise<TokenRecord | undefined> {
    this.#ensureOpen();
    const snapshot = this.#db.snapshot();
    try {
      const tokenId = await this.#io(this.#stores.byHash.get(hex(checkHash(hash)), { snapshot }));
      if (tokenId === undefined) return undefined;
      const text = await this.#io(this.#stores.tokens.get(tokenId, { snapshot }));
      if (text === undefined)
        throw new AuthError('TOKEN_STORE_CORRUPT', `hash index points to missing token ${tokenId}`, {
          tokenId,
        });
      return decode(tokenId, text);
    } finally {
      await snapshot.close();
    }
  }

  async list(): Promise<TokenRecord[]> {
    this.#ensureOpen();
    const entries = await this.#io(this.#stores.tokens.iterator().all());
    return entries.map(([id, text]) => decode(id, text)).sort(byCreation);
  }

  revoke(tokenId: string): Promise<TokenRecord> {
    return this.#exclusive(async () => {
      const id = checkTokenId(tokenId);
      const text = await this.#stores.tokens.get(id);
      if (text === undefined)
        throw new AuthError('TOKEN_UNKNOWN', `no token ${id} is stored`, { tokenId: id });
      const record = decode(id, text);
      if (record.revoked) return record;
      const revoked = { ...record, revoked: true };
      await this.#db.batch(
        [{ type: 'put', sublevel: this.#stores.tokens, key: id, value: encode(revoked) }],
        {
          sync: true,
        },
      );
      return revoked;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    await this.#db.close();
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    const result = this.#tail.then(() => this.#io(task()));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  #ensureOpen(): void {
    if (this.#closed) throw closedError();
  }

  async #io<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      if (err instanceof AuthError) throw err;
      throw new AuthError('TOKEN_STORE_IO', `token store failed: ${String(err)}`, { cause: err });
    }
  }
}

function closedError(): AuthError {
  return new AuthError('TOKEN_STORE_CLOSED', 'the token store is closed');
}
