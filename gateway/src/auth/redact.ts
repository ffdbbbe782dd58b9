/** Anything shaped like an API token (`cc_` and a base64url run), including truncated ones. */
const TOKEN_LIKE = /cc_[A-Za-z0-9_-]{16,}/g;

/** What a token is replaced with. */
export const REDACTED = 'cc_[REDACTED]';

/**
 * `text` with every API token replaced by {@link REDACTED}. Run it over anything that may hold a
 * token (headers, URLs, error messages) before it is logged.
 *
 * @example
 * ```ts
 * logger.info(redact(`auth header: ${req.headers.authorization}`)); // "auth header: Bearer cc_[REDACTED]"
 * ```
 */
export function redact(text: string): string {
  return text.replace(TOKEN_LIKE, REDACTED);
}
