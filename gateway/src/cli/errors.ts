/**
 * Failures of the member and enterprise commands, each with a stable code, a message saying what went
 * wrong and a hint saying what to do. The host program prints `message` and `hint` and exits 1.
 *
 * @packageDocumentation
 */
import { GatewayClientError, GatewayProblem } from '../client/errors.js';
import { DirectoryError } from '../client/directory.js';
import { ConsentSigningError } from '../crypto/errors.js';
import { UsccError } from '../domain/uscc.js';

/** Why a command failed. */
export type CliErrorCode =
  /** An option or argument is missing or malformed; nothing was sent or written. */
  | 'INVALID_OPTION'
  /** A file to read is missing, unreadable or not what it should be. */
  | 'FILE_INVALID'
  /** A file to write exists already. */
  | 'FILE_EXISTS'
  /** A key file may be read by other users. */
  | 'KEY_FILE_INSECURE'
  /** The local gateway directory is missing or does not name what was asked for. */
  | 'DIRECTORY'
  /** The gateway refused the request (its problem code is in the message). */
  | 'GATEWAY_REFUSED'
  /** No usable answer from the gateway. */
  | 'GATEWAY_FAILED';

/** A command failure: `message` says what went wrong, `hint` what to do. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly hint: string | undefined;
  /** Whether running the same command again (same idempotency key) may succeed. */
  readonly retryable: boolean;

  /**
   * @param code - why
   * @param message - what went wrong; never a secret
   * @param options - what to do, whether retrying may help, the cause
   */
  constructor(
    code: CliErrorCode,
    message: string,
    options: { readonly hint?: string; readonly retryable?: boolean; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = CliError.name;
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** An invalid option or argument. */
export function invalidOption(message: string, hint?: string): CliError {
  return new CliError('INVALID_OPTION', message, hint === undefined ? {} : { hint });
}

/** What to do about a gateway problem, by code. */
const PROBLEM_HINTS: Readonly<Record<string, string>> = {
  AUTH_REQUIRED:
    'authenticate: --org/--user (client certificate from the gateway directory), --token or CREDITCHAIN_TOKEN, or --cert and --cert-key',
  TOKEN_INVALID: 'check the token (--token or CREDITCHAIN_TOKEN); the gateway admin issues them',
  TOKEN_EXPIRED: 'ask the gateway admin for a new token (creditchain gateway token issue)',
  TOKEN_REVOKED: 'ask the gateway admin for a new token (creditchain gateway token issue)',
  CERTIFICATE_INVALID: "use a client certificate issued by the organisation's CA",
  CERTIFICATE_UNKNOWN:
    "the gateway maps no user to this certificate: add it to the gateway's clientCertificates",
  FORBIDDEN: 'call as a user whose role may do this (--user, or --as for gateway token commands)',
  IDENTITY_NOT_FOUND: "enrol the user's ledger identity in the gateway's wallet first",
  IDEMPOTENCY_CONFLICT: 'this --idempotency-key was used for a different request: use a new one, or none',
  SCHEMA_VIOLATION: 'fix the report at the locations listed, then submit it again',
  UNKNOWN_CATEGORY:
    'use a category the gateway is configured for (basic, business, credit_enhancement, warning, asset)',
  UNKNOWN_SCHEMA_VERSION: 'use a schema version the gateway is configured for (--schema-version)',
  INVALID_USCC: 'check the Unified Social Credit Code (18 characters with its check character)',
  REPORT_NOT_FOUND: "creditchain report list shows this organisation's reports",
  REPORT_ERASED: 'the report was erased; its contents are gone',
  REPORT_SUPERSEDED: 'correct or erase the latest version of the report instead',
  ACCESS_DENIED:
    'ask the enterprise for a consent covering this category and purpose (creditchain consent sign), record it (creditchain consent grant), and retrieve with its id',
  PROVIDER_UNAVAILABLE: "the provider's gateway cannot be reached",
  PROVIDER_REFUSED: "the provider's gateway refused the transfer (see providerCode); contact its operator",
  TRANSFER_TAMPERED:
    "the received report does not match its ledger anchor: report this to the provider's operator",
  SUBJECT_NOT_FOUND: "register the enterprise's consent-signing key first (creditchain subject register)",
  SUBJECT_SIGNER_EXISTS: 'the enterprise already has a registered key (creditchain subject lookup shows it)',
  SIGNER_REUSED:
    'generate a new key (creditchain subject keygen): a released address cannot be registered again',
  SIGNER_UNKNOWN: "sign with the enterprise's registered key (creditchain subject lookup shows its address)",
  SIGNER_REVOKED: "sign with the enterprise's current key (creditchain subject lookup shows its address)",
  BAD_SIGNATURE: 'sign again with the right key and channel (--channel)',
  NONCE_REPLAYED: 'this consent was recorded before: sign a new one',
  CONSENT_EXPIRED: 'sign a new consent with a later --not-after',
  CONSENT_WINDOW_EMPTY: 'sign a new consent whose --not-before is earlier than its --not-after',
  CONSENT_NOT_FOUND: 'check the consent id; consents are recorded with creditchain consent grant',
  CONSENT_REVOKED: 'the consent was already revoked',
  ORG_FORBIDDEN: "record the consent at the grantee's own gateway (--org of the grantee)",
  UNKNOWN_PURPOSE: 'use a purpose code of the consortium configuration (e.g. loan_underwriting)',
  TOKEN_NOT_FOUND: 'creditchain gateway token list shows the tokens of this gateway',
  TOKEN_ALREADY_ISSUED:
    'the token of that issue is shown only once: revoke it (creditchain gateway token revoke) and issue again without --idempotency-key',
  LEDGER_UNAVAILABLE: 'the ledger cannot be reached: is the network up (creditchain network status)?',
};

function retryHint(key: string | undefined): string {
  return key === undefined
    ? 'this may pass later: run the same command again'
    : `this may pass later: run the same command again with --idempotency-key ${key}`;
}

function join(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p !== '');
  return present.length === 0 ? undefined : present.join('; ');
}

/** The message of a gateway problem: code, status, detail, and its extension members. */
export function describeProblem(problem: GatewayProblem): string {
  const lines = [`${problem.code} (${problem.status}): ${problem.detail}`];
  if (problem.reason !== undefined) lines.push(`  reason: ${problem.reason}`);
  if (problem.providerCode !== undefined) lines.push(`  providerCode: ${problem.providerCode}`);
  if (problem.receiptId !== undefined) lines.push(`  receipt: ${problem.receiptId}`);
  for (const v of [...(problem.violations ?? []), ...(problem.errors ?? [])])
    lines.push(`  ${v.path}: ${v.message}`);
  if (problem.instance !== undefined) lines.push(`  request: ${problem.instance}`);
  return lines.join('\n');
}

/** A failure as the command reports it: every known error type gets a message and a hint. */
export function cliFailure(err: unknown): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof GatewayProblem)
    return new CliError('GATEWAY_REFUSED', describeProblem(err), {
      cause: err,
      retryable: err.retryable,
      ...hintOf(
        PROBLEM_HINTS[err.code] ?? `see gateway/README.md, Errors, for ${err.code}`,
        err.retryable ? retryHint(err.idempotencyKey) : undefined,
      ),
    });
  if (err instanceof GatewayClientError) {
    if (err.code === 'INVALID_ARGUMENT') return new CliError('INVALID_OPTION', err.message, { cause: err });
    const what: Record<string, string> = {
      GATEWAY_UNREACHABLE:
        'is the gateway running? creditchain gateway list shows the local gateways; check --gateway',
      GATEWAY_TIMEOUT: 'the gateway may still complete the request',
      GATEWAY_TLS:
        "give the CA that issued the gateway's TLS certificate (--ca, or the directory's tlsCaFile)",
      GATEWAY_BAD_RESPONSE: 'is the URL a creditchain gateway?',
    };
    return new CliError('GATEWAY_FAILED', err.message, {
      cause: err,
      retryable: err.retryable,
      ...hintOf(what[err.code], err.retryable ? retryHint(err.idempotencyKey) : undefined),
    });
  }
  if (err instanceof DirectoryError)
    return new CliError('DIRECTORY', err.message, {
      cause: err,
      hint: 'start the gateways (npm start), or name one with --gateway <url> --ca <file>',
    });
  if (err instanceof ConsentSigningError || err instanceof UsccError)
    return new CliError('INVALID_OPTION', err.message, { cause: err });
  return err;
}

function hintOf(...parts: (string | undefined)[]): { hint?: string } {
  const hint = join(...parts);
  return hint === undefined ? {} : { hint };
}

/** Wraps a command action so that its failures are {@link CliError}s with hints. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      throw cliFailure(err);
    }
  };
}
