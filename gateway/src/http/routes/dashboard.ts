/*
 * The audit dashboard: a static page at `/dashboard` (HTML, one JavaScript module, one style sheet,
 * no third-party code, served under a strict Content-Security-Policy) that calls `/v1/audit/*` and
 * the two aggregates below with a bearer token the user pastes in. The page itself needs no
 * authentication: it holds no data. Subject identifiers never travel in URLs: the page sends a
 * USCC search in the body of `POST /v1/audit/subjects/trail`.
 *
 * - `GET /v1/dashboard/summary`: flows between organisations, activity by day and category, from
 *   the period's trail entries the caller may see;
 * - `GET /v1/dashboard/health`: the read model's verified height and last verified block, and this
 *   gateway's peer (reachable, height as delivered to the read model). The emulator has no `qscc`
 *   and the gateway reaches no other organisation's peer, so other peers' heights are not shown.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditService } from '../../audit/audit-service.js';
import { AuditError } from '../../audit/errors.js';
import type { ReadModelView } from '../../audit/model.js';
import { dayPeriod } from '../../audit/period.js';
import type { DashboardAssets } from '../../dashboard/assets.js';
import { SummaryBuilder } from '../../dashboard/summary.js';
import type { Clock } from '../../ports/clock.js';
import type { Ledger } from '../../ports/ledger.js';
import { isApiErrorCode } from '../errors.js';
import { EdgeError } from '../problem.js';
import { problems } from '../schemas.js';
import { callerOf } from './common.js';

/** What the dashboard routes need. */
export interface DashboardDeps {
  readonly audit: AuditService;
  readonly ledger: Pick<Ledger, 'reachable'>;
  readonly clock: Clock;
  readonly mspId: string;
  /** The page's files; the page answers `404` when they are not installed. */
  readonly assets: DashboardAssets | undefined;
}

/** Longest summary period, in days (as the audit API's statements). */
export const SUMMARY_MAX_DAYS = 366;
/** Most trail entries one summary reads; beyond, it says `truncated`. */
export const SUMMARY_MAX_ENTRIES = 20_000;
const PAGE = 500;

/**
 * The page's Content-Security-Policy: its own script and style sheet only, no inline code, no
 * `eval`, DOM sinks closed by Trusted Types (the page builds nodes, never HTML strings), requests
 * to this origin only, never framed.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cache-control': 'no-cache',
};

const ROLES = { roles: ['regulator', 'member'] } as const;
const TAGS = ['dashboard'];
const FILE = /^[a-z]+\.(?:js|css|svg)$/;

async function audited<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AuditError)
      throw new EdgeError(isApiErrorCode(err.code) ? err.code : 'INTERNAL', err.message);
    throw err;
  }
}

const count = { type: 'integer' } as const;
const activity = { submitted: count, granted: count, denied: count, delivered: count } as const;
const readModel = {
  type: 'object',
  properties: {
    nextBlock: count,
    alarm: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

const summarySchema = {
  type: 'object',
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    entries: count,
    truncated: { type: 'boolean' },
    organisations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          mspId: { type: 'string' },
          submitted: count,
          provided: count,
          received: count,
          deniedRequests: count,
        },
      },
    },
    flows: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          provider: { type: 'string' },
          requester: { type: 'string' },
          granted: count,
          denied: count,
          delivered: count,
          supervisory: count,
        },
      },
    },
    byDay: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, ...activity } } },
    byCategory: {
      type: 'array',
      items: { type: 'object', properties: { category: { type: 'string' }, ...activity } },
    },
    readModel,
  },
} as const;

const healthSchema = {
  type: 'object',
  properties: {
    mspId: { type: 'string' },
    checkedAt: { type: 'string' },
    readModel: {
      type: 'object',
      properties: {
        listener: { type: 'string' },
        lastError: { type: ['string', 'null'] },
        verifiedBlocks: { ...count, description: 'blocks 0 to verifiedBlocks - 1 are verified and indexed' },
        lastVerifiedBlock: { type: ['integer', 'null'] },
        lastBlockHash: { type: ['string', 'null'] },
        alarm: { type: ['object', 'null'], additionalProperties: true },
        counts: { type: 'object', additionalProperties: count },
      },
    },
    peers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          mspId: { type: 'string' },
          role: { type: 'string', enum: ['own'] },
          reachable: { type: 'boolean' },
          height: { type: ['integer', 'null'] },
          heightSource: { type: 'string' },
        },
      },
    },
  },
} as const;

function sendAsset(reply: FastifyReply, assets: DashboardAssets | undefined, name: string): FastifyReply {
  const asset = assets?.get(name);
  if (!asset)
    throw new EdgeError(
      'NOT_FOUND',
      assets ? `no dashboard file ${name}` : 'the dashboard files are not installed with this gateway',
    );
  return reply.headers(SECURITY_HEADERS).type(asset.contentType).send(asset.body);
}

/** The dashboard page and its aggregates; registered when the gateway runs an audit read model. */
export function dashboardRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  const hidden = { hide: true } as const;
  app.get('/dashboard', { schema: hidden }, async (_request, reply) => {
    await Promise.resolve();
    return sendAsset(reply, deps.assets, 'index.html');
  });
  app.get('/dashboard/', { schema: hidden }, async (_request, reply) => {
    await Promise.resolve();
    return reply.redirect('/dashboard', 308);
  });
  app.get<{ Params: { file: string } }>('/dashboard/:file', { schema: hidden }, async (request, reply) => {
    await Promise.resolve();
    const { file } = request.params;
    if (!FILE.test(file)) throw new EdgeError('NOT_FOUND', 'no such dashboard file');
    return sendAsset(reply, deps.assets, file);
  });

  app.get<{ Querystring: { from: string; to: string } }>(
    '/v1/dashboard/summary',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary:
          'The period [from, to) at a glance: data flows between organisations (provider → requester, granted receipts), activity by day and by category, per organisation — from the trail entries the caller may see',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: {
            from: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
            to: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
          },
        },
        response: { 200: summarySchema, ...problems(400, 401, 403, 503) },
      },
    },
    (request) =>
      audited(async () => {
        const caller = callerOf(request);
        const period = dayPeriod(request.query.from, request.query.to, SUMMARY_MAX_DAYS);
        const builder = new SummaryBuilder();
        let after: string | undefined;
        let read = 0;
        let truncated = false;
        let view: ReadModelView | undefined;
        for (;;) {
          const page = await deps.audit.periodTrail(caller, {
            ...period,
            limit: PAGE,
            ...(after === undefined ? {} : { after }),
          });
          for (const entry of page.items) builder.add(entry);
          read += page.items.length;
          view = page.readModel;
          if (page.next === null) break;
          if (read >= SUMMARY_MAX_ENTRIES) {
            truncated = true;
            break;
          }
          after = page.next;
        }
        return { ...builder.build(period, truncated), readModel: view };
      }),
  );

  app.get(
    '/v1/dashboard/health',
    {
      config: ROLES,
      schema: {
        tags: TAGS,
        summary:
          "Ledger health as this gateway sees it: the read model's verified blocks and last verified block, and this gateway's peer (reachable; height as its blocks reached the read model)",
        response: { 200: healthSchema, ...problems(401, 403, 503) },
      },
    },
    (request) =>
      audited(async () => {
        const [status, reachable] = await Promise.all([
          deps.audit.status(callerOf(request)),
          deps.ledger.reachable(),
        ]);
        const following = status.listener === 'following';
        return {
          mspId: deps.mspId,
          checkedAt: deps.clock.now().toISOString(),
          readModel: {
            listener: status.listener,
            lastError: status.lastError,
            verifiedBlocks: status.nextBlock,
            lastVerifiedBlock: status.nextBlock > 0 ? status.nextBlock - 1 : null,
            lastBlockHash: status.lastBlockHash,
            alarm: status.alarm,
            counts: status.counts,
          },
          peers: [
            {
              mspId: deps.mspId,
              role: 'own',
              reachable,
              // The peer delivered every block the read model verified: its height is at least that.
              height: following || status.nextBlock > 0 ? status.nextBlock : null,
              heightSource: following
                ? 'blocks delivered by this peer to the read model (at least)'
                : `blocks delivered before the read model stopped following (${status.listener})`,
            },
          ],
        };
      }),
  );
}
