/**
 * The member gateway's HTTP application, built without listening: `main.ts` listens with HTTPS;
 * tests call it in-process with `inject()`.
 *
 * @packageDocumentation
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ServerOptions } from 'node:https';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AuditService } from './audit/audit-service.js';
import type { ApiTokens } from './auth/tokens.js';
import { dashboardDir, loadDashboardAssets } from './dashboard/assets.js';
import {
  Authenticator,
  type ClientCertificateMapping,
  type PeerCertificateReader,
  type PeerGatewayTrust,
} from './http/auth.js';
import { entryOf } from './http/errors.js';
import { adminRoutes } from './http/routes/admin.js';
import { scrub } from './http/logging.js';
import { installMetrics, type GatewayMetrics } from './http/metrics.js';
import { EdgeError, problemOf } from './http/problem.js';
import { auditRoutes } from './http/routes/audit.js';
import { consentRoutes } from './http/routes/consents.js';
import { dashboardRoutes } from './http/routes/dashboard.js';
import { operationRoutes } from './http/routes/operations.js';
import { provenanceRoutes } from './http/routes/provenance.js';
import { reportRoutes } from './http/routes/reports.js';
import { subjectRoutes } from './http/routes/subjects.js';
import { transferRoutes } from './http/routes/transfers.js';
import { SHARED_SCHEMAS } from './http/schemas.js';
import type { HttpServices } from './http/types.js';
import { ConsentService } from './services/consent-service.js';
import type { ServiceDeps } from './services/context.js';
import { DeliveryService, type DeliveryDeps } from './services/delivery-service.js';
import { ReportService } from './services/report-service.js';
import { RetrievalService, type RetrievalDeps } from './services/retrieval-service.js';
import { SubjectService } from './services/subject-service.js';
import type { Wallet } from './wallet/wallet.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** The domain services' dependencies (adapters chosen by the composition root). */
  readonly deps: ServiceDeps;
  /** API tokens issued by the gateway's admin. */
  readonly tokens: ApiTokens;
  /**
   * The wallet, only listed: `POST /v1/admin/tokens` refuses users it holds no identity for (and
   * refuses every issue when absent).
   */
  readonly wallet?: Pick<Wallet, 'list'>;
  /** PEM certificates of the CAs whose client certificates may be officers' (the organisation's CA). */
  readonly clientCaPems?: readonly string[];
  /** Officers' client certificates, mapped to wallet users (mTLS). */
  readonly clientCertificates?: readonly ClientCertificateMapping[];
  /** Enables `POST /v1/retrievals`: retrieving other members' reports. */
  readonly retrieval?: RetrievalDeps;
  /** Enables `POST /peer/v1/transfers` for the listed member gateways: delivering this organisation's reports. */
  readonly delivery?: DeliveryDeps & { readonly peerGateways: readonly PeerGatewayTrust[] };
  /** How to read a request's client certificate; Node's TLS socket by default. */
  readonly peerCertificate?: PeerCertificateReader;
  /** The logger (pino, configured with `loggerOptions`); silent when absent. */
  readonly logger?: FastifyBaseLogger;
  /** Whether `/metrics` includes process metrics (default true). */
  readonly processMetrics?: boolean;
  /**
   * Enables `/v1/audit` and `/readyz/audit` (trails, usage statements and alerts from the audit read
   * model), and the dashboard over them (`/dashboard`, `/v1/dashboard`).
   */
  readonly audit?: AuditService;
  /** HTTPS server options (certificate, key, client CAs); plain HTTP when absent (tests only). */
  readonly https?: ServerOptions;
}

/** Bytes a request body may have beyond the report limit (envelope fields, JSON escaping). */
const BODY_OVERHEAD = 64 * 1024;

/** The built application and what tests may look at. */
export interface GatewayApp {
  readonly app: FastifyInstance;
  readonly metrics: GatewayMetrics;
}

/**
 * Builds the gateway: routes under `/v1` (reports, subjects, consents, retrievals, admin tokens), `/healthz`, `/readyz`,
 * `/metrics`, OpenAPI at `/docs`; authentication of every `/v1` request before its body is read;
 * every error as `application/problem+json` with a catalogue code.
 */
export async function buildApp(options: AppOptions): Promise<GatewayApp> {
  const { deps } = options;
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: deps.limits.maxReportBytes * 2 + BODY_OVERHEAD,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true },
    },
    return503OnClosing: true,
  });
  // JSON only: a text/plain body is refused as an unsupported media type, not parsed as a string.
  app.removeContentTypeParser('text/plain');
  const services: HttpServices = {
    reports: new ReportService(deps),
    subjects: new SubjectService(deps),
    consents: new ConsentService(deps),
    ...(options.retrieval ? { retrievals: new RetrievalService(deps, options.retrieval) } : {}),
    ...(options.delivery ? { deliveries: new DeliveryService(deps, options.delivery) } : {}),
  };
  const authenticator = new Authenticator({
    tokens: options.tokens,
    clock: deps.clock,
    ...(options.clientCaPems === undefined ? {} : { clientCaPems: options.clientCaPems }),
    ...(options.clientCertificates === undefined ? {} : { clientCertificates: options.clientCertificates }),
    ...(options.delivery ? { peerGateways: options.delivery.peerGateways } : {}),
    ...(options.peerCertificate === undefined ? {} : { peerCertificate: options.peerCertificate }),
  });
  const metrics = installMetrics(
    app,
    options.processMetrics === undefined ? {} : { processMetrics: options.processMetrics },
  );

  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: `creditchain member gateway (${deps.mspId})`,
        version: '1.0.0',
        description:
          'Encrypted off-chain credit reports anchored on the creditchain ledger. Callers authenticate with a bearer token or a TLS client certificate from the organisation’s CA (mutual TLS). Every POST needs an Idempotency-Key. Errors are RFC 9457 problems with stable codes (gateway/README.md).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token issued by the gateway admin' },
        },
      },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.decorateRequest('caller', null);
  app.decorateRequest('peerMsp', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.peer === true) {
      request.peerMsp = authenticator.authenticatePeer(request);
      return;
    }
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return;
    const caller = await authenticator.authenticate(request);
    if (!roles.includes(caller.role))
      throw new EdgeError(
        'FORBIDDEN',
        `the ${caller.role} role may not call ${request.method} ${request.routeOptions.url ?? ''}`,
      );
    request.caller = caller;
  });

  app.setErrorHandler(async (error, request, reply) => {
    const problem = problemOf(error, request.id);
    metrics.problems.inc({ code: problem.code });
    if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code, detail: scrub(problem.detail) }, 'request refused');
    if (entryOf(problem.code).retryable) void reply.header('retry-after', '5');
    await Promise.resolve();
    return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
  });
  app.setNotFoundHandler(async (request) => {
    await Promise.resolve();
    throw new EdgeError(
      'NOT_FOUND',
      `no endpoint ${request.method} ${scrub(request.url.split('?')[0] ?? '')}`,
    );
  });

  operationRoutes(app, deps.ledger, metrics);
  reportRoutes(app, services);
  subjectRoutes(app, services);
  consentRoutes(app, services);
  transferRoutes(app, services);
  adminRoutes(app, {
    tokens: options.tokens,
    idempotency: deps.idempotency,
    clock: deps.clock,
    wallet: options.wallet,
  });
  if (options.audit) {
    auditRoutes(app, options.audit);
    provenanceRoutes(app, options.audit);
    dashboardRoutes(app, {
      audit: options.audit,
      ledger: deps.ledger,
      clock: deps.clock,
      mspId: deps.mspId,
      assets: loadDashboardAssets(dashboardDir()),
    });
  }
  await app.ready();
  return { app, metrics };
}
