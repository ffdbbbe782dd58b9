import type { FastifyInstance } from 'fastify';
import type { Ledger } from '../../ports/ledger.js';
import type { GatewayMetrics } from '../metrics.js';
import { EdgeError } from '../problem.js';

const TAGS = ['operations'];

/** `/healthz` (the process answers), `/readyz` (the ledger is reachable) and `/metrics` (Prometheus). */
export function operationRoutes(app: FastifyInstance, ledger: Ledger, metrics: GatewayMetrics): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: TAGS,
        summary: 'Liveness',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => {
      await Promise.resolve();
      return { status: 'ok' };
    },
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: TAGS,
        summary: 'Readiness: the ledger peer is reachable',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => {
      if (!(await ledger.reachable()))
        throw new EdgeError('LEDGER_UNAVAILABLE', 'the ledger peer cannot be reached');
      return { status: 'ready' };
    },
  );

  app.get('/metrics', { schema: { tags: TAGS, summary: 'Prometheus metrics' } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
