import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics, in their own registry (one per app, so tests do not share). */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts refusals and failures by catalogue code. */
  readonly problems: Counter<'code'>;
}

/**
 * Creates the registry with process metrics, HTTP request counts and durations by route and
 * status, and problem counts by code; records them with hooks on `app`.
 */
export function installMetrics(
  app: FastifyInstance,
  options: { readonly processMetrics?: boolean } = {},
): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'creditchain_gateway_' });
  const requests = new Counter({
    name: 'creditchain_gateway_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'creditchain_gateway_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const problems = new Counter({
    name: 'creditchain_gateway_problems_total',
    help: 'Problem answers by code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    await Promise.resolve();
  });
  return { registry, problems };
}
