import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../../services/context.js';
import type { IdempotentOutcome } from '../../services/idempotency.js';
import type { JsonValue } from '../../vault/types.js';
import { EdgeError } from '../problem.js';

/** The authenticated caller of a `/v1` request. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new EdgeError('AUTH_REQUIRED', 'present a bearer token or a client certificate');
  return request.caller;
}

/** The `Idempotency-Key` header, when given once. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}

/** Sends an idempotent outcome with its status; replays are marked `Idempotent-Replayed: true`. */
export function sendOutcome<T extends JsonValue>(
  reply: FastifyReply,
  outcome: IdempotentOutcome<T>,
): FastifyReply {
  if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.code(outcome.status).send(outcome.body);
}
