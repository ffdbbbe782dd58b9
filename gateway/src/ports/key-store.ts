/** An organisation HPKE public key as published on the ledger. */
export interface OrgPublicKey {
  /** The key id under which `PublishOrgKey` published it. */
  readonly keyId: string;
  /** The HPKE suite, e.g. `DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM`. */
  readonly suite: string;
  /** Base64 of the raw public key, as on the ledger. */
  readonly publicKey: string;
}

/**
 * The organisation's own HPKE private keys, by key id.
 *
 * Responsibilities: name the active key that new reports' data keys are wrapped to; return the
 * private key of any key id the organisation ever used, retired ones included, so that reports
 * wrapped before a key rotation stay readable. Private keys are raw 32-byte X25519 keys; callers
 * must not keep or log them. All failures are {@link KeyStoreError}s.
 */
export interface KeyStore {
  /**
   * The key new reports are wrapped to.
   *
   * @throws {@link KeyStoreError} `NO_ACTIVE_KEY`
   */
  activeKey(): Promise<OrgPublicKey>;

  /** The raw private key of `keyId`, or `undefined` when this store does not hold it. */
  privateKey(keyId: string): Promise<Uint8Array | undefined>;

  /** Every key held, oldest first, without private keys. */
  list(): Promise<readonly OrgPublicKey[]>;
}

/** Why a key store failed. */
export type KeyStoreErrorCode = 'NO_ACTIVE_KEY' | 'KEYSTORE_INVALID' | 'KEYSTORE_IO';

/** A key store failure; never carries key material. */
export class KeyStoreError extends Error {
  readonly code: KeyStoreErrorCode;
  /** The key concerned, when there is one. */
  readonly keyId: string | undefined;

  constructor(
    code: KeyStoreErrorCode,
    message: string,
    options: Readonly<{ cause?: unknown; keyId?: string }> = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = KeyStoreError.name;
    this.code = code;
    this.keyId = options.keyId;
  }
}
