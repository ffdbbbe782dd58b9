/** Why `fabric export` could not write the export. */
export type ExportErrorCode =
  /** The output folder exists, is not empty, and is not a previous export (or `force` was not given). */
  | 'OUT_NOT_EMPTY'
  /** The output folder is inside the crypto material it would copy. */
  | 'OUT_INSIDE_HOME'
  /** Two services of the export would publish the same host port. */
  | 'PORT_CONFLICT'
  /** A peer organisation has no user with the `admin` NodeOU to run channel and lifecycle commands. */
  | 'NO_ADMIN_USER'
  /** A chaincode's `<name>_<version>` is not a valid Fabric package label. */
  | 'BAD_LABEL'
  /** A chaincode's endorsement policy cannot be expressed in a Fabric chaincode definition. */
  | 'BAD_POLICY'
  /** A chaincode folder is missing or is not a Node package. */
  | 'BAD_CHAINCODE_FOLDER'
  /** Two chaincodes of the export have the same name. */
  | 'DUPLICATE_CHAINCODE'
  /** The consortium initialisation names a chaincode or user the export does not have. */
  | 'BAD_CONSORTIUM'
  /** A tar entry cannot be written in POSIX ustar format. */
  | 'TAR_ENTRY'
  /** A file the generated configuration refers to is missing from the export. */
  | 'INCOMPLETE';

/** Options of an {@link ExportError}. */
export interface ExportErrorOptions {
  /** What the operator should do about it. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/** A failure of `fabric export`: `message` says what went wrong, `hint` what to do. */
export class ExportError extends Error {
  override readonly name = ExportError.name;
  readonly code: ExportErrorCode;
  readonly hint: string | undefined;

  constructor(code: ExportErrorCode, message: string, options: Readonly<ExportErrorOptions> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}
