import { AuthError } from './errors.js';
import type { TokenRecord, TokenStore } from './token-store.js';
import { byCreation, checkHash, checkRecord, checkTokenId, copyRecord } from './validate.js';

/** In-memory {@link TokenStore} for tests and throwaway gateways; same semantics as {@link LevelTokenStore}. */
export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, TokenRecord>();
  readonly #byHash = new Map<string, string>();
  #closed = false;

  put(record: TokenRecord): Promise<void> {
    return this.#run(() => {
      const next = checkRecord(record);
      const hash = Buffer.from(next.hash).toString('hex');
      if (this.#records.has(next.tokenId) || this.#byHash.has(hash))
        throw new AuthError('TOKEN_EXISTS', `token ${next.tokenId} or its hash is already stored`, {
          tokenId: next.tokenId,
        });
      this.#records.set(next.tokenId, next);
      this.#byHash.set(hash, next.tokenId);
    });
  }

  get(tokenId: string): Promise<TokenRecord | undefined> {
    return this.#run(() => {
      const record = this.#records.get(checkTokenId(tokenId));
      return record && copyRecord(record);
    });
  }

  findByHash(hash: Uint8Array): Promise<TokenRecord | undefined> {
    return this.#run(() => {
      const tokenId = this.#byHash.get(Buffer.from(checkHash(hash)).toString('hex'));
      const record = tokenId === undefined ? undefined : this.#records.get(tokenId);
      return record && copyRecord(record);
    });
  }

  list(): Promise<TokenRecord[]> {
    return this.#run(() => [...this.#records.values()].map(copyRecord).sort(byCreation));
  }

  revoke(tokenId: string): Promise<TokenRecord> {
    return this.#run(() => {
      const id = checkTokenId(tokenId);
      const record = this.#records.get(id);
      if (!record) throw new AuthError('TOKEN_UNKNOWN', `no token ${id} is stored`, { tokenId: id });
      const revoked = { ...record, revoked: true };
      this.#records.set(id, revoked);
      return copyRecord(revoked);
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #run<T>(work: () => T): Promise<T> {
    try {
      if (this.#closed) throw new AuthError('TOKEN_STORE_CLOSED', 'the token store is closed');
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
