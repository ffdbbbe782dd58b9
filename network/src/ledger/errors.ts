/** Why a ledger operation was refused. */
export type LedgerErrorCode =
  /** The block's number is not the ledger height. */
  | 'BLOCK_OUT_OF_ORDER'
  /** The block's previous_hash is not the hash of the last stored block header. */
  | 'PREVIOUS_HASH_MISMATCH'
  /** The block lacks a header, or the commit input does not fit the block. */
  | 'INVALID_BLOCK'
  /** A transaction entry of the commit input is malformed (tx number, code). */
  | 'INVALID_TX'
  /** A namespace, key or tx id is not a well-formed Unicode string, or is too long. */
  | 'INVALID_KEY'
  /** The ledger was closed. */
  | 'CLOSED'
  /** LevelDB could not be opened (missing permissions, locked by another process, ...). */
  | 'OPEN_FAILED'
  /** Stored data could not be decoded. */
  | 'CORRUPT';

/** Error raised by the peer ledger; `code` tells the reason. */
export class LedgerError extends Error {
  /** Machine-readable reason. */
  readonly code: LedgerErrorCode;

  /**
   * @param code - reason of the failure
   * @param message - human-readable detail
   * @param options - optional underlying cause
   */
  constructor(code: LedgerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
    this.code = code;
  }
}
