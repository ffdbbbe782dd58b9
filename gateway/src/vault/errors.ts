/**
 * Why a vault operation was refused. Codes are stable: callers and the HTTP edge match on them,
 * never on messages.
 */
export type VaultErrorCode =
  /** A different report is already stored under this report id. */
  | 'REPORT_EXISTS'
  /** The report was erased; an erased report id can never be written again. */
  | 'REPORT_ERASED'
  /** No report is stored under this report id. */
  | 'REPORT_NOT_FOUND'
  /** The idempotency key was already used for a request with a different hash. */
  | 'IDEMPOTENCY_CONFLICT'
  /** An argument is malformed (id syntax, timestamp form, empty bytes, page size, cursor, ...). */
  | 'INVALID_ARGUMENT'
  /** The vault was closed. */
  | 'VAULT_CLOSED'
  /** Stored data could not be decoded, or its parts disagree. */
  | 'VAULT_CORRUPT'
  /** The store could not be opened (locked by another process, permissions, unknown format). */
  | 'VAULT_OPEN_FAILED'
  /** The store failed to read or write. */
  | 'VAULT_IO';

/** Details attached to a {@link VaultError}. */
export interface VaultErrorOptions {
  /** Underlying error. */
  readonly cause?: unknown;
  /** Report the failure is about. */
  readonly reportId?: string;
  /** Idempotency key the failure is about. */
  readonly idempotencyKey?: string;
  /** Position in the `batch` of the operation that failed. */
  readonly opIndex?: number;
}

/**
 * Error raised by a {@link Vault}; `code` tells the reason.
 *
 * @example
 * ```ts
 * try {
 *   await vault.putReport(report);
 * } catch (err) {
 *   if (err instanceof VaultError && err.code === 'REPORT_EXISTS') return conflict(err.reportId);
 *   throw err;
 * }
 * ```
 */
export class VaultError extends Error {
  /** Machine-readable reason. */
  readonly code: VaultErrorCode;
  /** Report the failure is about, when there is one. */
  readonly reportId: string | undefined;
  /** Idempotency key the failure is about, when there is one. */
  readonly idempotencyKey: string | undefined;
  /** Position in the `batch` of the operation that failed, for batch failures. */
  readonly opIndex: number | undefined;

  /**
   * @param code - reason of the failure
   * @param message - short human-readable detail; never contains report contents or keys
   * @param options - cause and the domain fields the failure is about
   */
  constructor(code: VaultErrorCode, message: string, options: VaultErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = VaultError.name;
    this.code = code;
    this.reportId = options.reportId;
    this.idempotencyKey = options.idempotencyKey;
    this.opIndex = options.opIndex;
  }
}
