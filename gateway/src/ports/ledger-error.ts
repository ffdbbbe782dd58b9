import type { ErrorCode as ContractErrorCode } from '../../../chaincode/src/errors.js';

/** A refusal code of the credit contract (see `chaincode/README.md`, "Errors"). */
export type { ContractErrorCode };

/**
 * Why a ledger call failed: a contract refusal code, or one of the gateway's own.
 *
 * - `LEDGER_UNAVAILABLE`: the peer could not be reached or did not answer in time, or the commit
 *   status could not be read. Retryable; the transaction may or may not have been committed.
 * - `LEDGER_CONFLICT`: the transaction was ordered but invalidated by a concurrent one (MVCC or
 *   phantom read conflict) after the adapter's own retries. Retryable.
 * - `LEDGER_REJECTED`: the peer refused the transaction for a reason that is not a contract code
 *   (endorsement policy failure, invalid signature, chaincode not found). Not retryable.
 * - `LEDGER_BAD_RESPONSE`: the contract answered with something that is not the expected JSON.
 * - `IDENTITY_NOT_FOUND`: the wallet holds no ledger identity for the acting user.
 */
export type LedgerErrorCode =
  | ContractErrorCode
  | 'LEDGER_UNAVAILABLE'
  | 'LEDGER_CONFLICT'
  | 'LEDGER_REJECTED'
  | 'LEDGER_BAD_RESPONSE'
  | 'IDENTITY_NOT_FOUND';

const RETRYABLE: ReadonlySet<LedgerErrorCode> = new Set(['LEDGER_UNAVAILABLE', 'LEDGER_CONFLICT']);

/** Details attached to a {@link LedgerError}. */
export interface LedgerErrorOptions {
  readonly cause?: unknown;
  /** The contract transaction that failed, e.g. `SubmitReport`. */
  readonly transaction?: string;
  /** The Fabric transaction id, when one was assigned. */
  readonly txId?: string;
}

/**
 * A failed ledger call. `code` is stable: a contract code passes through unchanged (`REPORT_EXISTS`,
 * `NOT_PROVIDER`, ...), the adapter's own codes are listed in {@link LedgerErrorCode}. The message is
 * the contract's message or the adapter's summary; it never contains report contents or keys.
 */
export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  /** Whether the same call may succeed when repeated later. */
  readonly retryable: boolean;
  readonly transaction: string | undefined;
  readonly txId: string | undefined;

  constructor(code: LedgerErrorCode, message: string, options: Readonly<LedgerErrorOptions> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = LedgerError.name;
    this.code = code;
    this.retryable = RETRYABLE.has(code);
    this.transaction = options.transaction;
    this.txId = options.txId;
  }
}
