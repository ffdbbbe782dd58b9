/** A ledger identity: the X.509 certificate and private key a user signs transactions with. */
export interface Identity {
  /** MSP id of the organisation that issued the certificate. */
  readonly mspId: string;
  /** PEM X.509 certificate. */
  readonly certPem: string;
  /** PEM private key (PKCS#8 or SEC1) matching the certificate. */
  readonly privateKeyPem: string;
}

/** What a listing shows of an identity: never its private key. */
export interface IdentityInfo {
  readonly user: string;
  readonly mspId: string;
  readonly certPem: string;
}

/**
 * Where the gateway keeps the ledger identity of each of its users.
 *
 * Responsibilities: map a user name to one identity; keep private keys encrypted at rest under a key
 * derived from the gateway's wallet secret (AES-256-GCM, scrypt N=2^15 r=8 p=1 with a random 16-byte
 * salt per stored identity, AAD binding user name, MSP id and certificate); detect a wrong secret
 * (`WALLET_LOCKED`) apart from altered data (`WALLET_CORRUPT`); list identities without keys.
 *
 * User names are 1 to 128 characters of `[A-Za-z0-9._@-]` starting with a letter or digit. Each
 * `get` runs scrypt (about 32 MiB and tens of milliseconds): cache the resulting signer, not the
 * call. All failures are {@link WalletError}s.
 *
 * @example
 * ```ts
 * const wallet = await FileWallet.open('/var/lib/creditchain/wallet', process.env.WALLET_SECRET!);
 * await wallet.put('alice', { mspId: 'YangtzeMSP', certPem, privateKeyPem });
 * const identity = await wallet.get('alice'); // undefined for an unknown user
 * ```
 */
export interface Wallet {
  /**
   * Stores (or replaces) the identity of `user`; durable when the promise resolves.
   *
   * @throws WalletError `INVALID_ARGUMENT` when the user name, MSP id, certificate or key is
   * malformed, or the key does not belong to the certificate.
   */
  put(user: string, identity: Identity): Promise<void>;

  /**
   * The identity of `user`, decrypted, or `undefined` when there is none.
   *
   * @throws WalletError `WALLET_LOCKED` when the wallet secret does not open it, `WALLET_CORRUPT`
   * when it was altered.
   */
  get(user: string): Promise<Identity | undefined>;

  /**
   * Every stored identity without its private key, sorted by user name. Needs no decryption.
   *
   * @throws WalletError `WALLET_CORRUPT` when a stored identity does not decode.
   */
  list(): Promise<IdentityInfo[]>;

  /** Deletes the identity of `user`; whether there was one. */
  remove(user: string): Promise<boolean>;
}
