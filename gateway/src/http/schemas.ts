/*
 * JSON Schemas of the HTTP API: request validation by Fastify and the OpenAPI description at /docs.
 * Report payloads are `{}` here: each category's schema is checked by the report service.
 */

const nullable = (type: string) => ({ type: [type, 'null'] });
const HEX64 = '^[0-9a-f]{64}$';
const REPORT_ID = '^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$';

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable (see gateway/README.md)',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    retryable: { type: 'boolean' },
    violations: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
    reason: { type: 'string', description: "the access receipt's denial reason" },
    receiptId: { type: 'string' },
    providerCode: { type: 'string', description: "the provider gateway's code (PROVIDER_REFUSED)" },
  },
  // Problem extension members are never dropped by the serializer.
  additionalProperties: true,
  required: ['type', 'title', 'status', 'code', 'detail', 'instance', 'retryable'],
} as const;

const party = {
  type: 'object',
  properties: { mspId: { type: 'string' }, institution: { type: 'string' } },
  required: ['mspId', 'institution'],
} as const;

export const anchorSchema = {
  $id: 'ReportAnchor',
  type: 'object',
  description: 'A report anchor as the ledger holds it: hashes and metadata, never contents',
  properties: {
    reportId: { type: 'string' },
    subjectRef: { type: 'string' },
    category: { type: 'string' },
    schemaVersion: { type: 'string' },
    status: { type: 'string', enum: ['active', 'superseded', 'erased'] },
    ciphertextHash: { type: 'string' },
    commitment: { type: 'string' },
    sizeBucket: { type: 'string' },
    eventEndDate: nullable('string'),
    expiresOn: nullable('string'),
    supersedes: nullable('string'),
    supersededBy: nullable('string'),
    provider: party,
    submittedBy: { type: 'string' },
    submittedAt: { type: 'string' },
    submitTx: { type: 'string' },
    erasure: {
      type: ['object', 'null'],
      properties: { reason: { type: 'string' }, at: { type: 'string' }, tx: { type: 'string' } },
    },
  },
} as const;

const committed = {
  txId: { type: 'string', description: 'Fabric transaction id' },
  block: { type: 'integer', description: 'block the transaction was committed in' },
} as const;

export const committedReportSchema = {
  $id: 'CommittedReport',
  type: 'object',
  properties: { ...committed, report: { $ref: 'ReportAnchor#' } },
} as const;

export const reportContentSchema = {
  $id: 'ReportContent',
  type: 'object',
  properties: {
    reportId: { type: 'string' },
    category: { type: 'string' },
    schemaVersion: { type: 'string' },
    subjectRef: { type: 'string' },
    payload: { description: 'the decrypted report' },
    anchor: { $ref: 'ReportAnchor#' },
  },
} as const;

export const reportListSchema = {
  $id: 'ReportList',
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          reportId: { type: 'string' },
          subjectRef: { type: 'string' },
          category: { type: 'string' },
          schemaVersion: { type: 'string' },
          createdAt: { type: 'string' },
          status: { type: 'string', enum: ['active', 'erased'] },
          erasedAt: nullable('string'),
          erasureReason: nullable('string'),
        },
      },
    },
    next: nullable('string'),
  },
} as const;

const consentProperties = {
  consentId: { type: 'string' },
  subjectRef: { type: 'string' },
  signer: { type: 'string' },
  grantee: party,
  categories: { type: 'array', items: { type: 'string' } },
  purpose: { type: 'string' },
  notBefore: { type: 'integer' },
  notAfter: { type: 'integer' },
  maxUses: { type: 'integer' },
  uses: { type: 'integer' },
  status: { type: 'string', enum: ['active', 'revoked'] },
  recordedAt: { type: 'string' },
  revokedBy: { type: ['string', 'null'], enum: ['subject', 'grantee', null] },
} as const;

export const consentSchema = { $id: 'Consent', type: 'object', properties: consentProperties } as const;

export const committedConsentSchema = {
  $id: 'CommittedConsent',
  type: 'object',
  properties: { ...committed, consent: { $ref: 'Consent#' } },
} as const;

const subjectProperties = {
  subjectRef: { type: 'string' },
  registered: { type: 'boolean' },
  activeSigner: nullable('string'),
} as const;

export const subjectSchema = { $id: 'Subject', type: 'object', properties: subjectProperties } as const;

export const committedSubjectSchema = {
  $id: 'CommittedSubject',
  type: 'object',
  properties: { ...committed, subject: { $ref: 'Subject#' } },
} as const;

/** Schemas registered with `app.addSchema` (referenced by `$id`). */
export const SHARED_SCHEMAS = [
  problemSchema,
  anchorSchema,
  committedReportSchema,
  reportContentSchema,
  reportListSchema,
  consentSchema,
  committedConsentSchema,
  subjectSchema,
  committedSubjectSchema,
] as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description:
        'Required on every POST: 1 to 128 characters of [A-Za-z0-9._:-]; a retry with the same key and body gets the same answer',
    },
  },
} as const;

export const reportIdParams = {
  type: 'object',
  required: ['reportId'],
  properties: { reportId: { type: 'string', pattern: REPORT_ID } },
} as const;

export const consentIdParams = {
  type: 'object',
  required: ['consentId'],
  properties: { consentId: { type: 'string', pattern: HEX64 } },
} as const;

const uscc = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'Unified Social Credit Code; never stored or logged',
} as const;

export const submitReportBody = {
  type: 'object',
  additionalProperties: false,
  required: ['category', 'schemaVersion', 'uscc', 'payload'],
  properties: {
    category: { type: 'string', minLength: 1, maxLength: 64 },
    schemaVersion: { type: 'string', minLength: 1, maxLength: 16 },
    uscc,
    eventEndDate: { type: 'string', description: 'YYYY-MM-DD on which the reported event ended' },
    payload: { description: 'the report, conforming to the category schema' },
  },
} as const;

export const correctReportBody = {
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'payload'],
  properties: {
    schemaVersion: { type: 'string', minLength: 1, maxLength: 16 },
    eventEndDate: { type: 'string' },
    payload: {},
  },
} as const;

export const eraseReportBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    reason: {
      type: 'string',
      enum: ['SUBJECT_REQUEST', 'RETENTION_EXPIRED', 'DATA_ERROR', 'LEGAL_ORDER', 'PROVIDER_WITHDRAWAL'],
    },
  },
} as const;

export const listReportsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subjectRef: { type: 'string', pattern: HEX64 },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
    after: { type: 'string', maxLength: 512 },
  },
} as const;

export const subjectLookupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['uscc'],
  properties: { uscc },
} as const;

export const registerSubjectBody = {
  type: 'object',
  additionalProperties: false,
  required: ['uscc', 'signer', 'signature'],
  properties: {
    uscc,
    signer: { type: 'string', description: "the enterprise's consent-signing Ethereum address" },
    signature: { type: 'string', description: 'EIP-712 SignerBinding (action "register") signed by signer' },
  },
} as const;

export const recordConsentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['consent', 'signature'],
  properties: {
    consent: { type: 'object', description: 'the EIP-712 Consent message the enterprise signed' },
    signature: { type: 'string' },
  },
} as const;

export const revokeConsentBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    signature: {
      type: 'string',
      description: "the subject's ConsentRevocation signature; absent when the grantee revokes",
    },
  },
} as const;

/** Problem responses for the OpenAPI description. */
export function problems(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: 'problem details',
        content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
      },
    ]),
  );
}
