/**
 * A typed HTTPS client for a member gateway's `/v1` API: TLS verified against the gateway's own CA,
 * callers authenticated by bearer token or by a TLS client certificate, every state-changing request
 * sent with an `Idempotency-Key`, every refusal turned into a typed {@link GatewayProblem}.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isTokenFormat } from '../auth/tokens.js';
import type { Alert, AlertKind } from '../audit/alerts.js';
import type { AuditStatusView, SubjectTrail, UsageView } from '../audit/audit-service.js';
import type { AuditEntry, AuditPage } from '../audit/model.js';
import type { IssuedTokenView, TokenView } from '../http/routes/admin.js';
import type { TokenRole } from '../auth/token-store.js';
import type { RetrievedReportView } from '../services/retrieval-service.js';
import type {
  ConsentTxView,
  ConsentView,
  ErasedReportView,
  ReportContentView,
  ReportListView,
  SubjectTxView,
  SubjectView,
  SubmittedReportView,
} from '../services/views.js';
import { GatewayClientError, GatewayProblem, problemFieldsOf } from './errors.js';

export type {
  Alert,
  AlertKind,
  AuditEntry,
  AuditPage,
  AuditStatusView,
  SubjectTrail,
  UsageView,
  ConsentTxView,
  ConsentView,
  ErasedReportView,
  IssuedTokenView,
  ReportContentView,
  ReportListView,
  RetrievedReportView,
  SubjectTxView,
  SubjectView,
  SubmittedReportView,
  TokenView,
};

/** How the client authenticates: an API token, or a TLS client certificate of the organisation's CA. */
export type GatewayAuth =
  | { readonly token: string }
  | {
      /** PEM certificate (the officer's enrolment certificate). */
      readonly certPem: string;
      /** PEM private key of that certificate. */
      readonly keyPem: string;
    };

/** Options of {@link GatewayClient}. */
export interface GatewayClientOptions {
  /** `https://host:port` of the gateway. */
  readonly url: string;
  /** PEM of the CA that issued the gateway's TLS certificate; nothing else is trusted. */
  readonly caPem: string;
  readonly auth: GatewayAuth;
  /** TLS server name to verify, when it differs from the URL's host. */
  readonly servername?: string;
  /** Deadline of each call (default 120 s: a retrieval waits for two ledger commits). */
  readonly timeoutMs?: number;
  /** Source of Idempotency-Keys for calls that give none (`randomUUID` by default). */
  readonly newIdempotencyKey?: () => string;
}

/** Options of a state-changing call. */
export interface WriteOptions {
  /**
   * The Idempotency-Key (1 to 128 of `[A-Za-z0-9._:-]`, starting with a letter or digit). Give the
   * key of a failed attempt to retry it safely; a fresh UUID when absent.
   */
  readonly idempotencyKey?: string;
}

/** A new report. */
export interface SubmitReportRequest {
  readonly category: string;
  readonly schemaVersion: string;
  /** The subject's Unified Social Credit Code: sent to this gateway only, never to the ledger. */
  readonly uscc: string;
  readonly payload: unknown;
  /** `YYYY-MM-DD` on which the reported event ended (adverse categories). */
  readonly eventEndDate?: string;
}

/** A correction: a new report superseding the old one (same subject and category). */
export interface CorrectReportRequest {
  readonly schemaVersion: string;
  readonly payload: unknown;
  readonly eventEndDate?: string;
}

/** A page of the organisation's reports. */
export interface ListReportsQuery {
  /** Only this subject's reports (its 64-hex pseudonym). */
  readonly subjectRef?: string;
  /** Page size, 1 to 999. */
  readonly limit?: number;
  /** The `next` cursor of the previous page. */
  readonly after?: string;
}

/** An enterprise's consent-signing key registration, signed by that key (EIP-712 `SignerBinding`). */
export interface RegisterSubjectRequest {
  readonly uscc: string;
  readonly signer: string;
  readonly signature: string;
}

/** A consent the enterprise signed (EIP-712 `Consent`). */
export interface RecordConsentRequest {
  readonly consent: unknown;
  readonly signature: string;
}

/** A retrieval of another member's report. */
export interface RetrieveRequest {
  readonly reportId: string;
  readonly consentId: string;
  readonly purpose: string;
}

/** A token to issue (`admin` callers only). */
export interface IssueTokenRequest {
  readonly user: string;
  readonly role: TokenRole;
  /** Validity in seconds (the gateway's default when absent). */
  readonly ttlSeconds?: number;
}

/** Period and paging of an audit trail query. */
export interface AuditTrailQuery {
  /** Inclusive lower bound: `YYYY-MM-DD` or an ISO 8601 UTC instant. */
  readonly from?: string;
  /** Exclusive upper bound, in the same forms. */
  readonly to?: string;
  /** Page size, 1 to 500 (the gateway's default 100). */
  readonly limit?: number;
  /** The `next` cursor of the previous page. */
  readonly after?: string;
}

/** A subject of an audit trail query: by USCC (sent in the request body only) or by pseudonym. */
export type AuditSubject = { readonly uscc: string } | { readonly subjectRef: string };

/** Misuse alerts of `[from, to)` (days `YYYY-MM-DD`, at most 366). */
export interface AuditAlertQuery {
  readonly from: string;
  readonly to: string;
  readonly kind?: AlertKind;
  readonly limit?: number;
  readonly after?: string;
}

/** A provenance bundle as the gateway answered it. */
export interface ProvenanceDownload {
  /** The bundle file, byte for byte (its canonical spelling is part of what the verifier checks). */
  readonly bytes: Uint8Array;
  /** The file name the gateway proposes (`provenance-<reportId>.json`). */
  readonly fileName: string | undefined;
  /** The audit read model's checkpoint (blocks indexed) when the bundle was built. */
  readonly nextBlock: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
]);

type Method = 'GET' | 'POST' | 'DELETE';

/** Checks an Idempotency-Key's form; the gateway applies the same rule. */
export function isIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && IDEMPOTENCY_KEY.test(value);
}

function invalid(message: string): GatewayClientError {
  return new GatewayClientError('INVALID_ARGUMENT', message);
}

function segment(value: string, name: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${name} must be a non-empty string`);
  return encodeURIComponent(value);
}

function limitParam(params: URLSearchParams, limit: number | undefined, max: number): void {
  if (limit === undefined) return;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max)
    throw invalid(`limit must be an integer from 1 to ${max}`);
  params.set('limit', String(limit));
}

function withQuery(path: string, params: URLSearchParams): string {
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

function trailParams(query: AuditTrailQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.from !== undefined) params.set('from', query.from);
  if (query.to !== undefined) params.set('to', query.to);
  limitParam(params, query.limit, 500);
  if (query.after !== undefined) params.set('after', query.after);
  return params;
}

type Answer = {
  readonly status: number;
  readonly type: string;
  readonly retryAfter: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
};

/**
 * A client of one member gateway.
 *
 * @example
 * ```ts
 * const client = new GatewayClient({ url: 'https://localhost:7443', caPem, auth: { token } });
 * try {
 *   const { report } = await client.submitReport({ category: 'basic', schemaVersion: '1.0', uscc, payload });
 * } catch (err) {
 *   if (err instanceof GatewayProblem && err.retryable) {
 *     // same call again with { idempotencyKey: err.idempotencyKey }
 *   }
 * } finally {
 *   client.close();
 * }
 * ```
 */
export class GatewayClient {
  readonly #url: URL;
  readonly #agent: Agent;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #newKey: () => string;

  /**
   * @param options - gateway URL and CA, authentication, timeout
   * @throws {@link GatewayClientError} `INVALID_ARGUMENT` for a URL that is not `https://host[:port]`,
   *   a malformed token, or a certificate without a key
   */
  constructor(options: GatewayClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch (cause) {
      throw new GatewayClientError('INVALID_ARGUMENT', 'the gateway URL is not a URL', { cause });
    }
    if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '')
      throw invalid('the gateway URL must be https://host[:port]');
    if (typeof options.caPem !== 'string' || !options.caPem.includes('BEGIN CERTIFICATE'))
      throw invalid("the gateway's CA must be a PEM certificate");
    const { auth } = options;
    let tls: { cert?: string; key?: string } = {};
    if ('token' in auth) {
      if (!isTokenFormat(auth.token)) throw invalid('the token is not a gateway API token (cc_...)');
      this.#token = auth.token;
    } else {
      if (!auth.certPem.includes('BEGIN CERTIFICATE') || !auth.keyPem.includes('PRIVATE KEY'))
        throw invalid('client certificate authentication needs a PEM certificate and its PEM private key');
      tls = { cert: auth.certPem, key: auth.keyPem };
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0)
      throw invalid('timeoutMs must be a positive integer');
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#newKey = options.newIdempotencyKey ?? randomUUID;
    this.#agent = new Agent({
      keepAlive: true,
      ca: options.caPem,
      ...tls,
      ...(options.servername === undefined ? {} : { servername: options.servername }),
    });
  }

  /** The gateway's URL. */
  get url(): string {
    return this.#url.origin;
  }

  /** Closes idle connections; calls made afterwards open new ones. */
  close(): void {
    this.#agent.destroy();
  }

  // Reports

  /**
   * `POST /v1/reports`: validate, encrypt, store and anchor a report; answers after the commit.
   *
   * @throws {@link GatewayProblem} `SCHEMA_VIOLATION`, `INVALID_USCC`, `UNKNOWN_CATEGORY`, ...;
   *   {@link GatewayClientError}
   */
  submitReport(input: SubmitReportRequest, options?: WriteOptions): Promise<SubmittedReportView> {
    return this.#call('POST', '/v1/reports', input, options);
  }

  /** `GET /v1/reports`: a page of the organisation's reports (no contents), oldest first. */
  listReports(query: ListReportsQuery = {}): Promise<ReportListView> {
    return this.#call('GET', () => {
      const params = new URLSearchParams();
      if (query.subjectRef !== undefined) params.set('subjectRef', query.subjectRef);
      if (query.limit !== undefined) {
        if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > 999)
          throw invalid('limit must be an integer from 1 to 999');
        params.set('limit', String(query.limit));
      }
      if (query.after !== undefined) params.set('after', query.after);
      const text = params.toString();
      return `/v1/reports${text === '' ? '' : `?${text}`}`;
    });
  }

  /**
   * `GET /v1/reports/{reportId}`: one of the organisation's reports, decrypted and checked against its anchor.
   *
   * @throws {@link GatewayProblem} `REPORT_NOT_FOUND`, `REPORT_ERASED`, `INTEGRITY_FAILURE`, ...
   */
  getReport(reportId: string): Promise<ReportContentView> {
    return this.#call('GET', () => `/v1/reports/${segment(reportId, 'reportId')}`);
  }

  /** `POST /v1/reports/{reportId}/corrections`: a report superseding `reportId`. */
  correctReport(
    reportId: string,
    input: CorrectReportRequest,
    options?: WriteOptions,
  ): Promise<SubmittedReportView> {
    return this.#call(
      'POST',
      () => `/v1/reports/${segment(reportId, 'reportId')}/corrections`,
      input,
      options,
    );
  }

  /** `POST /v1/reports/{reportId}/erasure`: ledger tombstone, then crypto-shredding. */
  eraseReport(reportId: string, reason: string, options?: WriteOptions): Promise<ErasedReportView> {
    return this.#call(
      'POST',
      () => `/v1/reports/${segment(reportId, 'reportId')}/erasure`,
      { reason },
      options,
    );
  }

  // Subjects

  /** `POST /v1/subjects/lookup`: a USCC's ledger pseudonym and registration state (changes nothing). */
  lookupSubject(uscc: string): Promise<SubjectView> {
    return this.#call('POST', '/v1/subjects/lookup', { uscc }, {}, false);
  }

  /**
   * `POST /v1/subjects`: register an enterprise's consent-signing key.
   *
   * @throws {@link GatewayProblem} `BAD_SIGNATURE`, `SUBJECT_SIGNER_EXISTS`, `SIGNER_REUSED`, ...
   */
  registerSubject(input: RegisterSubjectRequest, options?: WriteOptions): Promise<SubjectTxView> {
    return this.#call('POST', '/v1/subjects', input, options);
  }

  // Consents

  /**
   * `POST /v1/consents`: record a consent the enterprise signed for this organisation.
   *
   * @throws {@link GatewayProblem} `BAD_SIGNATURE`, `SIGNER_UNKNOWN`, `NONCE_REPLAYED`, `ORG_FORBIDDEN`, ...
   */
  recordConsent(input: RecordConsentRequest, options?: WriteOptions): Promise<ConsentTxView> {
    return this.#call('POST', '/v1/consents', input, options);
  }

  /** `GET /v1/consents/{consentId}`: a consent granted to this organisation. */
  getConsent(consentId: string): Promise<ConsentView> {
    return this.#call('GET', () => `/v1/consents/${segment(consentId, 'consentId')}`);
  }

  /**
   * `POST /v1/consents/{consentId}/revocation`: revoke with the subject's `ConsentRevocation`
   * signature, or as the grantee without one.
   */
  revokeConsent(
    consentId: string,
    input: { readonly signature?: string } = {},
    options?: WriteOptions,
  ): Promise<ConsentTxView> {
    return this.#call(
      'POST',
      () => `/v1/consents/${segment(consentId, 'consentId')}/revocation`,
      input.signature === undefined ? {} : { signature: input.signature },
      options,
    );
  }

  // Retrievals

  /**
   * `POST /v1/retrievals`: another member's report under a consent, verified and decrypted by this gateway.
   *
   * @throws {@link GatewayProblem} `ACCESS_DENIED` (with `reason`), `PROVIDER_UNAVAILABLE` (retryable),
   *   `PROVIDER_REFUSED` (with `providerCode`), `TRANSFER_TAMPERED`
   */
  retrieve(input: RetrieveRequest, options?: WriteOptions): Promise<RetrievedReportView> {
    return this.#call('POST', '/v1/retrievals', input, options);
  }

  // Admin

  /**
   * `POST /v1/admin/tokens`: issue an API token (admin callers). The token is in this answer only.
   *
   * @throws {@link GatewayProblem} `IDENTITY_NOT_FOUND`, `TOKEN_ALREADY_ISSUED` (a retry of an issue
   *   whose answer was lost: revoke the token it names and issue again), `FORBIDDEN`
   */
  issueToken(input: IssueTokenRequest, options?: WriteOptions): Promise<IssuedTokenView> {
    return this.#call('POST', '/v1/admin/tokens', input, options);
  }

  /** `GET /v1/admin/tokens`: every token's metadata (admin callers). */
  async listTokens(): Promise<readonly TokenView[]> {
    return (await this.#call<{ items: TokenView[] }>('GET', '/v1/admin/tokens')).items;
  }

  /**
   * `DELETE /v1/admin/tokens/{tokenId}`: revoke a token (admin callers).
   *
   * @throws {@link GatewayProblem} `TOKEN_NOT_FOUND`
   */
  revokeToken(tokenId: string): Promise<TokenView> {
    return this.#call('DELETE', () => `/v1/admin/tokens/${segment(tokenId, 'tokenId')}`);
  }

  // Audit (regulators: everything; members: what concerns their organisation)

  /** `GET /v1/audit/status`: the audit read model's listener state, checkpoint, alarm and counts. */
  auditStatus(): Promise<AuditStatusView> {
    return this.#call('GET', '/v1/audit/status');
  }

  /**
   * `GET /v1/audit/reports/{reportId}/trail`: a page of a report's trail, oldest first.
   *
   * @throws {@link GatewayProblem} `AUDIT_FORBIDDEN`, `INVALID_CURSOR`, `AUDIT_UNAVAILABLE`, ...
   */
  reportTrail(reportId: string, query: AuditTrailQuery = {}): Promise<AuditPage<AuditEntry>> {
    return this.#call('GET', () =>
      withQuery(`/v1/audit/reports/${segment(reportId, 'reportId')}/trail`, trailParams(query)),
    );
  }

  /**
   * A page of a subject's trail: by USCC with `POST /v1/audit/subjects/trail` (the USCC travels in
   * the body only, never in a URL), or by pseudonym with `GET /v1/audit/subjects/{subjectRef}/trail`.
   * Changes nothing, so it takes no Idempotency-Key.
   */
  subjectTrail(subject: AuditSubject, query: AuditTrailQuery = {}): Promise<SubjectTrail> {
    if ('uscc' in subject) {
      const body: Record<string, unknown> = { uscc: subject.uscc };
      for (const [name, value] of trailParams(query)) body[name] = name === 'limit' ? Number(value) : value;
      return this.#call('POST', '/v1/audit/subjects/trail', body, {}, false);
    }
    return this.#call('GET', () =>
      withQuery(`/v1/audit/subjects/${segment(subject.subjectRef, 'subjectRef')}/trail`, trailParams(query)),
    );
  }

  /** `GET /v1/audit/members/{mspId}/trail`: a page of a member organisation's trail, or of one of its institutions. */
  memberTrail(
    mspId: string,
    query: AuditTrailQuery & { readonly institution?: string } = {},
  ): Promise<AuditPage<AuditEntry>> {
    return this.#call('GET', () => {
      const params = trailParams(query);
      if (query.institution !== undefined) params.set('institution', query.institution);
      return withQuery(`/v1/audit/members/${segment(mspId, 'mspId')}/trail`, params);
    });
  }

  /** `GET /v1/audit/trail`: a page of every trail entry of a period the caller may see. */
  periodTrail(query: AuditTrailQuery = {}): Promise<AuditPage<AuditEntry>> {
    return this.#call('GET', () => withQuery('/v1/audit/trail', trailParams(query)));
  }

  /** `GET /v1/audit/members/{mspId}/usage`: a member's usage statement over `[from, to)` (days, at most 366). */
  usage(mspId: string, from: string, to: string): Promise<UsageView> {
    return this.#call('GET', () =>
      withQuery(`/v1/audit/members/${segment(mspId, 'mspId')}/usage`, new URLSearchParams({ from, to })),
    );
  }

  /** The same statement as CSV (`format=csv`), as the gateway wrote it. */
  async usageCsv(mspId: string, from: string, to: string): Promise<string> {
    const path = `/v1/audit/members/${segment(mspId, 'mspId')}/usage`;
    const answer = await this.#fetch(
      withQuery(path, new URLSearchParams({ from, to, format: 'csv' })),
      'text/csv',
    );
    if (!/^text\/csv/i.test(answer.type))
      throw new GatewayClientError('GATEWAY_BAD_RESPONSE', 'the usage statement did not come as CSV', {
        status: answer.status,
      });
    return answer.body.toString('utf8');
  }

  /** `GET /v1/audit/alerts`: a page of misuse alerts with their evidence, oldest first. */
  alerts(query: AuditAlertQuery): Promise<AuditPage<Alert>> {
    return this.#call('GET', () => {
      const params = new URLSearchParams({ from: query.from, to: query.to });
      if (query.kind !== undefined) params.set('kind', query.kind);
      limitParam(params, query.limit, 500);
      if (query.after !== undefined) params.set('after', query.after);
      return withQuery('/v1/audit/alerts', params);
    });
  }

  /**
   * `GET /v1/audit/reports/{reportId}/provenance`: the report's provenance bundle, byte for byte;
   * check it offline with `verifyProvenanceBundle` (`creditchain proof verify`).
   *
   * @throws {@link GatewayProblem} `REPORT_NOT_FOUND` (also for a report a member is not involved
   *   in), `AUDIT_UNAVAILABLE` (retryable), `AUDIT_FORBIDDEN`
   */
  async provenanceBundle(reportId: string): Promise<ProvenanceDownload> {
    const answer = await this.#fetch(
      `/v1/audit/reports/${segment(reportId, 'reportId')}/provenance`,
      'application/json',
    );
    if (!/^application\/json/i.test(answer.type))
      throw new GatewayClientError('GATEWAY_BAD_RESPONSE', 'the bundle did not come as JSON', {
        status: answer.status,
      });
    const disposition = answer.headers['content-disposition'];
    const next = answer.headers['x-audit-next-block'];
    return {
      bytes: new Uint8Array(answer.body),
      fileName: typeof disposition === 'string' ? /filename="([^"]+)"/.exec(disposition)?.[1] : undefined,
      nextBlock: typeof next === 'string' && /^[0-9]+$/.test(next) ? Number(next) : undefined,
    };
  }

  /** A GET whose successful answer is a file (`accept`), kept as bytes; refusals as for {@link #call}. */
  async #fetch(path: string, accept: string): Promise<Answer> {
    const headers: Record<string, string> = { accept: `${accept}, application/problem+json` };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const answer = await this.#exchange('GET', path, headers, undefined, undefined);
    if (answer.status >= 200 && answer.status < 300) return answer;
    this.#interpret(answer, undefined);
    throw new GatewayClientError('GATEWAY_BAD_RESPONSE', `the gateway answered ${answer.status}`, {
      status: answer.status,
    });
  }

  /** `path` may be a function, so that a malformed argument rejects the call rather than throwing. */
  async #call<T>(
    method: Method,
    path: string | (() => string),
    body?: unknown,
    options: WriteOptions = {},
    idempotent = method === 'POST',
  ): Promise<T> {
    let key: string | undefined;
    if (idempotent) {
      key = options.idempotencyKey ?? this.#newKey();
      if (!isIdempotencyKey(key))
        throw invalid(
          'the Idempotency-Key must be 1 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit',
        );
    }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (key !== undefined) headers['idempotency-key'] = key;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.byteLength);
    }
    const target = typeof path === 'string' ? path : path();
    const answer = await this.#exchange(method, target, headers, payload, key);
    return this.#interpret(answer, key) as T;
  }

  #exchange(
    method: Method,
    path: string,
    headers: Record<string, string>,
    payload: Buffer | undefined,
    key: string | undefined,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(new URL(path, this.#url), { method, headers, agent: this.#agent });
      const timer = setTimeout(() => {
        req.destroy(
          new GatewayClientError(
            'GATEWAY_TIMEOUT',
            `${this.#url.origin} did not answer within ${this.#timeoutMs} ms`,
            key === undefined ? {} : { idempotencyKey: key },
          ),
        );
      }, this.#timeoutMs);
      const fail = (err: unknown): void => {
        clearTimeout(timer);
        reject(this.#transportError(err, key));
      };
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > MAX_ANSWER_BYTES) {
            res.destroy(
              new GatewayClientError('GATEWAY_BAD_RESPONSE', 'the answer exceeds the size limit', {
                status: res.statusCode ?? 0,
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'] ?? '',
            retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      });
      req.end(payload);
    });
  }

  #transportError(err: unknown, key: string | undefined): GatewayClientError {
    if (err instanceof GatewayClientError) return err;
    const withKey = key === undefined ? {} : { idempotencyKey: key };
    const code = (err as { code?: unknown } | null)?.code;
    const where = this.#url.origin;
    if (typeof code === 'string' && UNREACHABLE.has(code))
      return new GatewayClientError('GATEWAY_UNREACHABLE', `${where} cannot be reached (${code})`, {
        cause: err,
        ...withKey,
      });
    if (typeof code === 'string' && /CERT|TLS|SSL|ALTNAME|SIGNATURE|ISSUER/.test(code))
      return new GatewayClientError(
        'GATEWAY_TLS',
        `the TLS connection to ${where} failed (${code}): its certificate does not chain to the given CA or names another host`,
        { cause: err, ...withKey },
      );
    return new GatewayClientError(
      'GATEWAY_UNREACHABLE',
      `the connection to ${where} failed${typeof code === 'string' ? ` (${code})` : ''}`,
      { cause: err, ...withKey },
    );
  }

  #interpret(answer: Answer, key: string | undefined): unknown {
    const withKey = key === undefined ? {} : { idempotencyKey: key };
    let parsed: unknown;
    let isJson = /^application\/(problem\+)?json/i.test(answer.type);
    if (isJson) {
      try {
        parsed = JSON.parse(answer.body.toString('utf8'));
      } catch {
        isJson = false;
      }
    }
    if (answer.status >= 200 && answer.status < 300) {
      if (!isJson)
        throw new GatewayClientError(
          'GATEWAY_BAD_RESPONSE',
          `the gateway answered ${answer.status} without JSON`,
          {
            status: answer.status,
            ...withKey,
          },
        );
      return parsed;
    }
    const fields = isJson ? problemFieldsOf(answer.status, parsed, answer.retryAfter) : undefined;
    if (fields) throw new GatewayProblem(fields, key);
    throw new GatewayClientError(
      'GATEWAY_BAD_RESPONSE',
      `the gateway answered ${answer.status} without a problem document`,
      { status: answer.status, ...withKey },
    );
  }
}
