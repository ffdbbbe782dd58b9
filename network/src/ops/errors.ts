/** Stable codes of operator failures. */
export type OperatorErrorCode =
  | 'PROFILE_NOT_FOUND'
  | 'BAD_PROFILE'
  | 'PORT_IN_USE'
  | 'MISSING_BUILD'
  | 'ALREADY_RUNNING'
  | 'NOT_RUNNING'
  | 'SOCKET_PATH_TOO_LONG'
  | 'ADMIN_SOCKET'
  | 'ADMIN_OP_FAILED'
  | 'UNKNOWN_OP'
  | 'UNKNOWN_PEER'
  | 'BOOTSTRAP_FAILED'
  | 'STOP_TIMEOUT'
  | 'START_FAILED';

/** Options of an {@link OperatorError}. */
export interface OperatorErrorOptions {
  /** What the operator should do about it. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/**
 * A failure the operator can act on: `message` says what went wrong, `hint` what to do.
 * The CLI prints both and exits non-zero; the admin socket carries `code`, `message` and `hint`.
 */
export class OperatorError extends Error {
  override readonly name = OperatorError.name;
  readonly code: OperatorErrorCode;
  readonly hint: string | undefined;

  constructor(code: OperatorErrorCode, message: string, options: Readonly<OperatorErrorOptions> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}
