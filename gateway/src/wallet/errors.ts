/** Why a wallet operation was refused. Codes are stable; match on them, never on messages. */
export type WalletErrorCode =
  /** The wallet secret does not open this identity (wrong passphrase, or a changed salt or check value). */
  | 'WALLET_LOCKED'
  /** A stored identity was altered or damaged: it does not decode or its authentication fails. */
  | 'WALLET_CORRUPT'
  /** An argument is malformed: user name, MSP id, certificate, private key, or a key that does not match. */
  | 'INVALID_ARGUMENT'
  /** The storage failed to read or write. */
  | 'WALLET_IO';

/** Details attached to a {@link WalletError}. */
export interface WalletErrorOptions {
  /** Underlying error. */
  readonly cause?: unknown;
  /** User whose identity the failure is about. */
  readonly user?: string;
}

/** Error raised by a {@link Wallet}; `code` tells the reason. Messages never contain key material. */
export class WalletError extends Error {
  /** Machine-readable reason. */
  readonly code: WalletErrorCode;
  /** User whose identity the failure is about, when there is one. */
  readonly user: string | undefined;

  /**
   * @param code - reason of the failure
   * @param message - short human-readable detail
   * @param options - cause and the user concerned
   */
  constructor(code: WalletErrorCode, message: string, options: WalletErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = WalletError.name;
    this.code = code;
    this.user = options.user;
  }
}
