/*
 * Translation of every error that reaches the edge into an RFC 9457 problem with a catalogue code.
 * Details are built from what the errors were designed to say (codes, their own messages, schema
 * violations); a parser's or a bug's raw message is never echoed.
 */
import { AuthError } from '../auth/errors.js';
import { LedgerError } from '../ports/ledger-error.js';
import { ReplayedRefusal, ServiceError, type ServiceErrorDetails } from '../services/errors.js';
import { entryOf, isApiErrorCode, type ApiErrorCode } from './errors.js';

/** An RFC 9457 problem document as the gateway answers it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly detail: string;
  /** The request this answers (also in the logs). */
  readonly instance: string;
  readonly retryable: boolean;
  /** Where a report broke its schema (`SCHEMA_VIOLATION`). */
  readonly violations?: readonly { readonly path: string; readonly message: string }[];
  /** Which request fields are malformed (`INVALID_REQUEST` from request validation). */
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  /** The receipt's denial reason (`ACCESS_DENIED`, `RECEIPT_NOT_GRANTED`). */
  readonly reason?: string;
  readonly receiptId?: string;
  /** The provider gateway's code (`PROVIDER_REFUSED`). */
  readonly providerCode?: string;
}

/** An error raised at the edge with a catalogue code. */
export class EdgeError extends Error {
  readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = EdgeError.name;
    this.code = code;
  }
}

interface Classified {
  readonly code: ApiErrorCode;
  readonly detail: string;
  readonly details?: ServiceErrorDetails | undefined;
  readonly violations?: readonly { readonly path: string; readonly message: string }[];
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

const FASTIFY_CODES: Readonly<Record<string, [ApiErrorCode, string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', 'the body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', 'the body is empty'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'the request body exceeds the size limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['INVALID_REQUEST', 'the body does not match its Content-Length'],
};

const AUTH_CODES: Readonly<Partial<Record<string, ApiErrorCode>>> = {
  TOKEN_UNKNOWN: 'TOKEN_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
};

interface ValidationItem {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: { readonly missingProperty?: string; readonly additionalProperty?: string };
}

function validationErrors(
  items: readonly ValidationItem[],
  context: string,
): { path: string; message: string }[] {
  return items.map((item) => {
    const base = `${context}${(item.instancePath ?? '').replaceAll('/', '.')}`;
    const extra = item.params?.missingProperty ?? item.params?.additionalProperty;
    return {
      path: extra === undefined ? base : `${base}.${extra}`,
      message:
        item.params?.additionalProperty !== undefined ? 'is not allowed' : (item.message ?? 'is invalid'),
    };
  });
}

function classify(err: unknown): Classified {
  if (err instanceof EdgeError) return { code: err.code, detail: err.message };
  if (err instanceof ServiceError)
    return {
      code: err.code,
      detail: err.message,
      details: err.details,
      ...(err.violations === undefined ? {} : { violations: err.violations }),
    };
  if (err instanceof LedgerError) return { code: err.code, detail: err.message };
  if (err instanceof ReplayedRefusal && isApiErrorCode(err.code))
    return { code: err.code, detail: err.message };
  if (err instanceof AuthError) {
    const code = AUTH_CODES[err.code];
    if (code) return { code, detail: entryOf(code).title };
  }
  const fields = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    validation?: readonly ValidationItem[];
    validationContext?: string;
    statusCode?: number;
  };
  if (Array.isArray(fields.validation))
    return {
      code: 'INVALID_REQUEST',
      detail: 'the request does not have the required shape',
      errors: validationErrors(fields.validation, fields.validationContext ?? 'body'),
    };
  if (typeof fields.code === 'string') {
    const known = FASTIFY_CODES[fields.code];
    if (known) return { code: known[0], detail: known[1] };
  }
  if (typeof fields.statusCode === 'number' && fields.statusCode >= 400 && fields.statusCode < 500)
    return { code: 'INVALID_REQUEST', detail: 'the request was not understood' };
  return { code: 'INTERNAL', detail: 'an internal error occurred' };
}

/** The problem for `err`, answering request `requestId`. */
export function problemOf(err: unknown, requestId: string): Problem {
  const c = classify(err);
  const entry = entryOf(c.code);
  return {
    type: `urn:creditchain:problem:${c.code}`,
    title: entry.title,
    status: entry.status,
    code: c.code,
    detail: c.detail,
    instance: `urn:creditchain:request:${requestId}`,
    retryable: entry.retryable === true,
    ...(c.violations === undefined ? {} : { violations: c.violations }),
    ...(c.errors === undefined ? {} : { errors: c.errors }),
    ...(c.details?.reason === undefined ? {} : { reason: c.details.reason }),
    ...(c.details?.receiptId === undefined ? {} : { receiptId: c.details.receiptId }),
    ...(c.details?.providerCode === undefined ? {} : { providerCode: c.details.providerCode }),
  };
}
