import { infoOf, seal, unseal } from './envelope.js';
import { WalletError } from './errors.js';
import { checkIdentity, checkUser } from './validate.js';
import type { Identity, IdentityInfo, Wallet } from './wallet.js';

/** A wallet secret: a passphrase (UTF-8) or raw bytes. */
export type WalletSecret = string | Uint8Array;

/**
 * The {@link Wallet} operations, implemented once over a store of sealed documents (envelope.ts)
 * that each adapter provides, so that every adapter encrypts, validates and fails the same way.
 */
export abstract class EncryptedWallet implements Wallet {
  readonly #secret: Buffer;

  /**
   * @param secret - the gateway's wallet secret
   * @throws WalletError `INVALID_ARGUMENT` when the secret is empty
   */
  protected constructor(secret: WalletSecret) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (bytes.length === 0) throw new WalletError('INVALID_ARGUMENT', 'the wallet secret must not be empty');
    this.#secret = bytes;
  }

  /** The sealed document of `user`, or undefined. */
  protected abstract load(user: string): Promise<string | undefined>;
  /** Stores the sealed document of `user` atomically and durably, replacing any previous one. */
  protected abstract store(user: string, document: string): Promise<void>;
  /** Every stored user with its sealed document. */
  protected abstract entries(): Promise<[user: string, document: string][]>;
  /** Deletes the document of `user`; whether there was one. */
  protected abstract delete(user: string): Promise<boolean>;

  async put(user: string, identity: Identity): Promise<void> {
    const name = checkUser(user);
    const checked = checkIdentity(identity, name);
    const document = await seal(name, checked, this.#secret);
    await io(this.store(name, document), name);
  }

  async get(user: string): Promise<Identity | undefined> {
    const name = checkUser(user);
    const document = await io(this.load(name), name);
    return document === undefined ? undefined : unseal(name, document, this.#secret);
  }

  async list(): Promise<IdentityInfo[]> {
    const all = await io(this.entries());
    return all
      .map(([user, document]) => infoOf(user, document))
      .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  }

  async remove(user: string): Promise<boolean> {
    const name = checkUser(user);
    return io(this.delete(name), name);
  }
}

async function io<T>(work: Promise<T>, user?: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof WalletError) throw err;
    throw new WalletError('WALLET_IO', `wallet storage failed: ${String(err)}`, {
      cause: err,
      ...(user === undefined ? {} : { user }),
    });
  }
}
