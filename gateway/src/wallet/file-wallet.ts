import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EncryptedWallet, type WalletSecret } from './encrypted-wallet.js';
import { WalletError } from './errors.js';

/** File name suffix of a stored identity. */
export const IDENTITY_SUFFIX = '.identity.json';

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/**
 * {@link Wallet} in a directory: one file `<user>.identity.json` per identity (format in
 * envelope.ts), mode 0600, in a directory created with mode 0700. A write goes to a temporary file
 * (name starting with a dot, ignored by listings), is fsynced, renamed over the target and the
 * directory fsynced, so a crash leaves either the old or the new identity, never a mix.
 *
 * On case-insensitive file systems `Alice` and `alice` share a file; reading one as the other fails
 * with `WALLET_CORRUPT` because the stored user name is authenticated.
 */
export class FileWallet extends EncryptedWallet {
  readonly #dir: string;

  private constructor(dir: string, secret: WalletSecret) {
    super(secret);
    this.#dir = dir;
  }

  /**
   * Opens (creating when needed) the wallet in `dir`.
   *
   * @throws WalletError `INVALID_ARGUMENT` when the secret is empty, `WALLET_IO` when the directory
   * cannot be created
   */
  static async open(dir: string, secret: WalletSecret): Promise<FileWallet> {
    const wallet = new FileWallet(dir, secret);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new WalletError('WALLET_IO', `cannot create wallet directory ${dir}`, { cause: err });
    }
    return wallet;
  }

  #pathOf(user: string): string {
    return join(this.#dir, `${user}${IDENTITY_SUFFIX}`);
  }

  protected async load(user: string): Promise<string | undefined> {
    try {
      return await readFile(this.#pathOf(user), 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  protected async store(user: string, document: string): Promise<void> {
    const temp = join(this.#dir, `.${user}.${randomBytes(8).toString('hex')}.tmp`);
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(document, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.#pathOf(user));
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await this.#syncDir();
  }

  protected async entries(): Promise<[string, string][]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw err;
    }
    const out: [string, string][] = [];
    for (const name of names) {
      if (name.startsWith('.') || !name.endsWith(IDENTITY_SUFFIX)) continue;
      const user = name.slice(0, -IDENTITY_SUFFIX.length);
      const document = await this.load(user);
      if (document !== undefined) out.push([user, document]);
    }
    return out;
  }

  protected async delete(user: string): Promise<boolean> {
    try {
      await unlink(this.#pathOf(user));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false;
      throw err;
    }
    await this.#syncDir();
    return true;
  }

  async #syncDir(): Promise<void> {
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
