/**
 * What a {@link GatewayClient} call throws: the gateway's own refusal ({@link GatewayProblem}, an
 * RFC 9457 problem with a stable `code` from `gateway/README.md`), or a failure to get an answer at
 * all ({@link GatewayClientError}).
 *
 * @packageDocumentation
 */

/** A location and rule in the request or report (never a value). */
export interface ProblemLocation {
  readonly path: string;
  readonly message: string;
}

/** The fields of a problem document the client reads. */
export interface ProblemFields {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Stable code (`SCHEMA_VIOLATION`, `ACCESS_DENIED`, ...): match on it, never on `detail`. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** `urn:creditchain:request:<id>`: quote it to the gateway's operator. */
  readonly instance: string | undefined;
  /** Whether the same request (same Idempotency-Key) may succeed later. */
  readonly retryable: boolean;
  /** `Retry-After` of the answer, in seconds. */
  readonly retryAfterSeconds: number | undefined;
  /** The access receipt's denial reason (`ACCESS_DENIED`). */
  readonly reason: string | undefined;
  readonly receiptId: string | undefined;
  /** The provider gateway's code (`PROVIDER_REFUSED`). */
  readonly providerCode: string | undefined;
  /** Where a report broke its schema (`SCHEMA_VIOLATION`). */
  readonly violations: readonly ProblemLocation[] | undefined;
  /** Which request fields are malformed (`INVALID_REQUEST`). */
  readonly errors: readonly ProblemLocation[] | undefined;
}

/**
 * The gateway refused a request: its problem document, typed. `idempotencyKey` is the key the
 * request was sent with, so that a retryable refusal can be retried with the same key.
 */
export class GatewayProblem extends Error implements ProblemFields {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly instance: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly reason: string | undefined;
  readonly receiptId: string | undefined;
  readonly providerCode: string | undefined;
  readonly violations: readonly ProblemLocation[] | undefined;
  readonly errors: readonly ProblemLocation[] | undefined;
  /** The Idempotency-Key the request carried (POST only). */
  readonly idempotencyKey: string | undefined;

  /**
   * @param fields - the problem document's fields
   * @param idempotencyKey - the key the request was sent with
   */
  constructor(fields: Readonly<ProblemFields>, idempotencyKey?: string) {
    super(`${fields.code}: ${fields.detail}`);
    this.name = GatewayProblem.name;
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail;
    this.instance = fields.instance;
    this.retryable = fields.retryable;
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.reason = fields.reason;
    this.receiptId = fields.receiptId;
    this.providerCode = fields.providerCode;
    this.violations = fields.violations;
    this.errors = fields.errors;
    this.idempotencyKey = idempotencyKey;
  }
}

/** Why a call got no usable answer. */
export type GatewayClientErrorCode =
  /** The gateway could not be reached (connection refused, DNS, reset). Retryable. */
  | 'GATEWAY_UNREACHABLE'
  /** No answer in time; the request may or may not have been processed. Retryable with the same key. */
  | 'GATEWAY_TIMEOUT'
  /** The TLS handshake failed: the gateway's certificate does not chain to the CA, or names another host. */
  | 'GATEWAY_TLS'
  /** The answer is not what the API documents (not JSON, not a problem document, too large). */
  | 'GATEWAY_BAD_RESPONSE'
  /** A call argument or client option is malformed; nothing was sent. */
  | 'INVALID_ARGUMENT';

const RETRYABLE: ReadonlySet<GatewayClientErrorCode> = new Set(['GATEWAY_UNREACHABLE', 'GATEWAY_TIMEOUT']);

/** Details of a {@link GatewayClientError}. */
export interface GatewayClientErrorOptions {
  readonly cause?: unknown;
  /** The Idempotency-Key the request carried. */
  readonly idempotencyKey?: string;
  /** HTTP status, when an answer came. */
  readonly status?: number;
}

/** The client got no usable answer, or refused to send a malformed request. */
export class GatewayClientError extends Error {
  readonly code: GatewayClientErrorCode;
  /** Whether repeating the call (with the same Idempotency-Key) may succeed. */
  readonly retryable: boolean;
  readonly idempotencyKey: string | undefined;
  readonly status: number | undefined;

  /**
   * @param code - why
   * @param message - what happened; never contains a token or key
   * @param options - cause, idempotency key, status
   */
  constructor(
    code: GatewayClientErrorCode,
    message: string,
    options: Readonly<GatewayClientErrorOptions> = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = GatewayClientError.name;
    this.code = code;
    this.retryable = RETRYABLE.has(code);
    this.idempotencyKey = options.idempotencyKey;
    this.status = options.status;
  }
}

function locations(value: unknown): ProblemLocation[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    .map((v) => ({
      path: typeof v.path === 'string' ? v.path : '',
      message: typeof v.message === 'string' ? v.message : '',
    }));
}

const optionalText = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The problem fields of a parsed error answer, or `undefined` when it is not a problem document
 * (no string `code`).
 */
export function problemFieldsOf(
  status: number,
  body: unknown,
  retryAfter: string | undefined,
): ProblemFields | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.code !== 'string' || b.code === '') return undefined;
  const after = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  return {
    status,
    code: b.code,
    title: optionalText(b.title) ?? '',
    detail: optionalText(b.detail) ?? optionalText(b.title) ?? b.code,
    instance: optionalText(b.instance),
    retryable: b.retryable === true,
    retryAfterSeconds: Number.isFinite(after) && after >= 0 ? after : undefined,
    reason: optionalText(b.reason),
    receiptId: optionalText(b.receiptId),
    providerCode: optionalText(b.providerCode),
    violations: locations(b.violations),
    errors: locations(b.errors),
  };
}
