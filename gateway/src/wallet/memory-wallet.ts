import { EncryptedWallet, type WalletSecret } from './encrypted-wallet.js';

/**
 * In-memory {@link Wallet} for tests and throwaway gateways. Identities are sealed exactly as
 * {@link FileWallet} seals them (private keys encrypted, the same errors); nothing survives the
 * process.
 */
export class MemoryWallet extends EncryptedWallet {
  readonly #documents: Map<string, string>;

  /**
   * @param secret - the wallet secret
   * @param documents - sealed documents by user; pass one map to several wallets to share storage
   */
  constructor(secret: WalletSecret, documents: Map<string, string> = new Map()) {
    super(secret);
    this.#documents = documents;
  }

  protected load(user: string): Promise<string | undefined> {
    return Promise.resolve(this.#documents.get(user));
  }

  protected store(user: string, document: string): Promise<void> {
    this.#documents.set(user, document);
    return Promise.resolve();
  }

  protected entries(): Promise<[string, string][]> {
    return Promise.resolve([...this.#documents.entries()]);
  }

  protected delete(user: string): Promise<boolean> {
    return Promise.resolve(this.#documents.delete(user));
  }
}
