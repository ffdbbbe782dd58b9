import type { FastifyInstance } from 'fastify';
import type { AlertKind } from '../../audit/alerts.js';
import type { AuditService, TrailQuery } from '../../audit/audit-service.js';
import { AuditError } from '../../audit/errors.js';
import { usageCsv } from '../../audit/usage.js';
import { isApiErrorCode } from '../errors.js';
import { EdgeError } from '../problem.js';
import { problems } from '../schemas.js';
import { callerOf } from './common.js';

/*
 * `/v1/audit`: trails, usage statements and misuse alerts from the audit read model, for
 * regulators (everything) and members (their own reports and requests). Who sees what is decided by
 * the audit service, not here. USCCs travel only in request bodies (`POST /v1/audit/subjects/trail`),
 * never in URLs, so they cannot reach access logs.
 */

const ROLES = { roles: ['regulator', 'member'] } as const;
const TAGS = ['audit'];
const nullable = (type: string) => ({ type: [type, 'null'] });
const HEX64 = '^[0-9a-f]{64}$';

const actor = {
  type: 'object',
  properties: { mspId: { type: 'string' }, institution: nullable('string'), id: { type: 'string' } },
} as const;

const alarm = {
  type: ['object', 'null'],
  properties: {
    code: { type: 'string' },
    block: { type: 'integer' },
    reason: { type: 'string' },
    detectedAt: { type: 'string' },
  },
} as const;

const readModel = {
  type: 'object',
  description: 'how far the read model had indexed when it answered, and its integrity alarm',
  properties: { nextBlock: { type: 'integer' }, alarm },
} as const;

const entry = {
  type: 'object',
  properties: {
    entryId: { type: 'string' },
    kind: {
      type: 'string',
      enum: [
        'SUBMITTED',
        'CORRECTED',
        'SUPERSEDED',
        'ACCESS_GRANTED',
        'ACCESS_DENIED',
        'DELIVERED',
        'ERASED',
        'CONSENT_RECORDED',
        'CONSENT_REVOKED',
      ],
    },
    txId: { type: 'string' },
    block: { type: 'integer' },
    txIndex: { type: 'integer' },
    time: { type: 'string', description: 'transaction timestamp, ISO 8601 UTC with nanoseconds' },
    actor,
    parties: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          mspId: { type: 'string' },
          institution: nullable('string'),
          role: { type: 'string', enum: ['provider', 'requester', 'grantee'] },
        },
      },
    },
    reportId: nullable('string'),
    subjectRef: nullable('string'),
    category: nullable('string'),
    receiptId: nullable('string'),
    requestId: nullable('string'),
    consentId: nullable('string'),
    relatedReportId: nullable('string'),
    purpose: nullable('string'),
    reason: nullable('string'),
    supervisory: { type: 'boolean' },
  },
} as const;

const entryPage = {
  type: 'object',
  properties: {
    items: { type: 'array', items: entry },
    next: nullable('string'),
    readModel,
    subjectRef: { type: 'string' },
  },
} as const;

const counts = { type: 'integer' } as const;

const usage = {
  type: 'object',
  properties: {
    mspId: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          role: { type: 'string', enum: ['requester', 'provider'] },
          counterparty: { type: 'string' },
          institution: { type: 'string' },
          category: { type: 'string' },
          purpose: { type: 'string' },
          receipts: counts,
          granted: counts,
          denied: counts,
          delivered: counts,
          supervisory: counts,
        },
      },
    },
    totals: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          role: { type: 'string', enum: ['requester', 'provider'] },
          receipts: counts,
          granted: counts,
          denied: counts,
          delivered: counts,
          supervisory: counts,
        },
      },
    },
    receiptCount: counts,
    receiptIds: { type: 'array', items: { type: 'string' } },
    readModel,
  },
} as const;

const evidence = {
  type: 'object',
  properties: {
    receiptId: { type: 'string' },
    txId: { type: 'string' },
    block: { type: 'integer' },
    time: { type: 'string' },
    requestId: { type: 'string' },
    reportId: { type: 'string' },
    subjectRef: nullable('string'),
    category: nullable('string'),
    purpose: { type: 'string' },
    outcome: { type: 'string', enum: ['granted', 'denied'] },
    reason: { type: 'string' },
    supervisory: { type: 'boolean' },
    caseReference: nullable('string'),
    requester: actor,
    provider: {
      type: ['object', 'null'],
      properties: { mspId: { type: 'string' }, institution: { type: 'string' } },
    },
    delivered: { type: 'boolean' },
  },
} as const;

const alertPage = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          alertId: { type: 'string' },
          kind: {
            type: 'string',
            enum: ['BURST', 'REPEATED_DENIALS', 'PURPOSE_MISMATCH', 'SUPERVISORY_ACCESS'],
          },
          member: {
            type: 'object',
            properties: { mspId: { type: 'string' }, institution: nullable('string') },
          },
          subjectRef: nullable('string'),
          firstAt: { type: 'string' },
          lastAt: { type: 'string' },
          count: counts,
          threshold: {
            type: ['object', 'null'],
            properties: { count: counts, windowSeconds: counts },
          },
          detail: { type: 'string' },
          evidence: { type: 'array', items: evidence },
        },
      },
    },
    next: nullable('string'),
    readModel,
  },
} as const;

const status = {
  type: 'object',
  properties: {
    listener: { type: 'string', enum: ['idle', 'connecting', 'following', 'halted', 'stopped', 'absent'] },
    lastError: nullable('string'),
    nextBlock: { type: 'integer' },
    lastBlockHash: nullable('string'),
    alarm,
    counts: {
      type: 'object',
      properties: {
        blocks: counts,
        transactions: counts,
        invalidTransactions: counts,
        entries: counts,
        receipts: counts,
      },
    },
  },
} as const;

const bound = {
  type: 'string',
  maxLength: 40,
  description: 'YYYY-MM-DD or an ISO 8601 UTC instant',
} as const;
const paging = {
  limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1 to 500, default 100' },
  after: { type: 'string', maxLength: 2048, description: 'the `next` of the previous page' },
} as const;
const trailQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { from: bound, to: bound, ...paging },
} as const;
const day = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;

type TrailQs = { from?: string; to?: string; limit?: string; after?: string };

function trailQuery_(q: TrailQs): TrailQuery {
  return {
    ...(q.from === undefined ? {} : { from: q.from }),
    ...(q.to === undefined ? {} : { to: q.to }),
    ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
    ...(q.after === undefined ? {} : { after: q.after }),
  };
}

/** Runs an audit call, turning its refusals into catalogue codes. */
export async function audited<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AuditError)
      throw new EdgeError(isApiErrorCode(err.code) ? err.code : 'INTERNAL', err.message);
    throw err;
  }
}

/** The audit routes, present when the gateway runs an audit read model. */
export function auditRoutes(app: FastifyInstance, audit: AuditService): void {
  app.get(
    '/readyz/audit',
    {
      schema: {
        tags: ['operations', ...TAGS],
        summary: 'Readiness of the audit read model: following the ledger, no integrity alarm',
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, nextBlock: { type: 'integer' } } },
          ...problems(503),
        },
      },
    },
    () => audited(() => audit.readiness()),
  );

  app.get(
    '/v1/audit/status',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary: 'The read model: listener state, next block, last block hash, counts, integrity alarm',
        response: { 200: status, ...problems(401, 403, 503) },
      },
    },
    (request) => audited(() => audit.status(callerOf(request))),
  );

  app.get<{ Querystring: TrailQs }>(
    '/v1/audit/trail',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary:
          'Every trail entry of a period (members: those concerning their organisation), in time order',
        querystring: trailQuery,
        response: { 200: entryPage, ...problems(400, 401, 403, 503) },
      },
    },
    (request) => audited(() => audit.periodTrail(callerOf(request), trailQuery_(request.query))),
  );

  app.get<{ Params: { reportId: string }; Querystring: TrailQs }>(
    '/v1/audit/reports/:reportId/trail',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary:
          "A report's trail: submission, corrections, receipts granted and denied, deliveries, erasure",
        params: {
          type: 'object',
          required: ['reportId'],
          properties: { reportId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$' } },
        },
        querystring: trailQuery,
        response: { 200: entryPage, ...problems(400, 401, 403, 503) },
      },
    },
    (request) =>
      audited(() =>
        audit.reportTrail(callerOf(request), request.params.reportId, trailQuery_(request.query)),
      ),
  );

  app.get<{ Params: { subjectRef: string }; Querystring: TrailQs }>(
    '/v1/audit/subjects/:subjectRef/trail',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary: "A subject's trail by pseudonym",
        params: {
          type: 'object',
          required: ['subjectRef'],
          properties: { subjectRef: { type: 'string', pattern: HEX64 } },
        },
        querystring: trailQuery,
        response: { 200: entryPage, ...problems(400, 401, 403, 503) },
      },
    },
    (request) =>
      audited(() =>
        audit.subjectTrail(
          callerOf(request),
          { subjectRef: request.params.subjectRef },
          trailQuery_(request.query),
        ),
      ),
  );

  app.post<{ Body: TrailQs & { uscc: string } }>(
    '/v1/audit/subjects/trail',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary: "A subject's trail by USCC: mapped to its pseudonym with the subject key (changes nothing)",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['uscc'],
          properties: {
            uscc: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: 'Unified Social Credit Code; never stored or logged',
            },
            from: bound,
            to: bound,
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            after: paging.after,
          },
        },
        response: { 200: entryPage, ...problems(400, 401, 403, 422, 503) },
      },
    },
    (request) => {
      const { uscc, limit, ...rest } = request.body;
      return audited(() =>
        audit.subjectTrail(
          callerOf(request),
          { uscc },
          { ...trailQuery_(rest), ...(limit === undefined ? {} : { limit: Number(limit) }) },
        ),
      );
    },
  );

  app.get<{ Params: { mspId: string }; Querystring: TrailQs & { institution?: string } }>(
    '/v1/audit/members/:mspId/trail',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary: "A member organisation's trail, or one of its institutions'",
        params: {
          type: 'object',
          required: ['mspId'],
          properties: { mspId: { type: 'string', maxLength: 64 } },
        },
        querystring: {
          ...trailQuery,
          properties: { ...trailQuery.properties, institution: { type: 'string', maxLength: 64 } },
        },
        response: { 200: entryPage, ...problems(400, 401, 403, 503) },
      },
    },
    (request) => {
      const { institution, ...rest } = request.query;
      return audited(() =>
        audit.memberTrail(callerOf(request), request.params.mspId, {
          ...trailQuery_(rest),
          ...(institution === undefined ? {} : { institution }),
        }),
      );
    },
  );

  app.get<{ Params: { mspId: string }; Querystring: { from: string; to: string; format?: 'json' | 'csv' } }>(
    '/v1/audit/members/:mspId/usage',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary:
          "A member's usage statement for billing over [from, to) (days, at most 366): receipts as requester and as provider, by counterparty, institution, category and purpose; JSON or CSV",
        params: {
          type: 'object',
          required: ['mspId'],
          properties: { mspId: { type: 'string', maxLength: 64 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: { from: day, to: day, format: { type: 'string', enum: ['json', 'csv'] } },
        },
        response: { 200: usage, ...problems(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { from, to, format } = request.query;
      const statement = await audited(() => audit.usage(callerOf(request), request.params.mspId, from, to));
      if (format !== 'csv') return statement;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="usage-${statement.mspId}-${from}-${to}.csv"`)
        .send(usageCsv(statement));
    },
  );

  app.get<{ Querystring: TrailQs & { kind?: AlertKind } }>(
    '/v1/audit/alerts',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary:
          'Misuse alerts of [from, to) (days, at most 366) with their evidence receipts: bursts on one subject, repeated denials, purposes outside the member’s business, supervisory accesses',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: {
            from: day,
            to: day,
            kind: {
              type: 'string',
              enum: ['BURST', 'REPEATED_DENIALS', 'PURPOSE_MISMATCH', 'SUPERVISORY_ACCESS'],
            },
            ...paging,
          },
        },
        response: { 200: alertPage, ...problems(400, 401, 403, 503) },
      },
    },
    (request) => {
      const { kind, ...rest } = request.query;
      return audited(() =>
        audit.alerts(callerOf(request), { ...trailQuery_(rest), ...(kind === undefined ? {} : { kind }) }),
      );
    },
  );
}
