/*
 * What the gateway logs about requests, and what it never logs: bearer tokens, keys, report
 * contents, USCCs. Request and response serializers keep only method, URL, ids and status (no
 * headers, no bodies); redaction paths are a second line for anything logged by hand; `scrub`
 * cleans free text (error messages of unknown origin) of tokens and USCC-shaped strings.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import { redact } from '../auth/redact.js';

/** Text that replaces anything redacted. */
export const CENSORED = '[REDACTED]';

// The 18-character USCC layout (GB 32100-2015), as a standalone token, in any letter case.
const USCC_LIKE =
  /(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{2}\d{6}[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{10}(?![0-9A-Za-z])/g;

/** `text` without API tokens and without anything shaped like a USCC. */
export function scrub(text: string): string {
  return redact(text).replace(USCC_LIKE, '[USCC]');
}

/** Object paths pino censors wherever they are logged. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'uscc',
  'payload',
  'body',
  'privateKey',
  'subjectKey',
  '*.token',
  '*.uscc',
  '*.payload',
  '*.body',
  '*.privateKey',
  '*.privateKeyPem',
  '*.subjectKey',
  '*.dataKey',
];

/** The pino options of the gateway's logger (level from the caller). */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'creditchain-gateway' },
    redact: { paths: REDACT_PATHS, censor: CENSORED },
    serializers: {
      req: (req: FastifyRequest) => ({
        id: req.id,
        method: req.method,
        url: scrub(req.url),
        remoteAddress: req.ip,
      }),
      res: (res: FastifyReply) => ({ statusCode: res.statusCode }),
      err: (err: Error & { code?: unknown }) => ({
        type: err.name,
        ...(typeof err.code === 'string' ? { code: err.code } : {}),
        message: scrub(err.message),
      }),
    },
  };
}
