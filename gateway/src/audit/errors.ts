/**
 * Why the audit service refused a query or could not answer it. Codes are stable and documented in
 * `gateway/README.md` ("Audit"); the HTTP edge maps each to a status in `http/errors.ts`.
 */
export type AuditErrorCode =
  /** The caller's role or organisation may not see what it asked for. */
  | 'AUDIT_FORBIDDEN'
  /** A query parameter (period, member, limit) is malformed. */
  | 'INVALID_REQUEST'
  /** The pagination cursor was not issued for this query. */
  | 'INVALID_CURSOR'
  /** The read model stopped on an integrity alarm (`/readyz/audit`). */
  | 'AUDIT_INTEGRITY_ALARM'
  /** The read model cannot answer yet (store closed, consortium configuration not indexed yet). */
  | 'AUDIT_UNAVAILABLE'
  /** The read model holds no such block (`BlockSource`). */
  | 'BLOCK_NOT_FOUND'
  /** The read model holds no such report, or none the caller may see (provenance bundles). */
  | 'REPORT_NOT_FOUND';

/** A refusal or failure of the audit read model or service; messages never contain USCCs. */
export class AuditError extends Error {
  readonly code: AuditErrorCode;

  constructor(code: AuditErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = AuditError.name;
    this.code = code;
  }
}
