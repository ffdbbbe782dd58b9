import type { FastifyInstance } from 'fastify';
import type { RegisterSubjectInput } from '../../services/subject-service.js';
import { idempotencyHeaders, problems, registerSubjectBody, subjectLookupBody } from '../schemas.js';
import type { HttpServices } from '../types.js';
import { callerOf, idempotencyKeyOf, sendOutcome } from './common.js';

const TAGS = ['subjects'];

/** `/v1/subjects`: pseudonyms of USCCs and registration of enterprises' consent-signing keys. */
export function subjectRoutes(app: FastifyInstance, { subjects }: HttpServices): void {
  app.post<{ Body: { uscc: string } }>(
    '/v1/subjects/lookup',
    {
      config: { roles: ['member', 'regulator'] },
      schema: {
        tags: TAGS,
        summary:
          "A USCC's ledger pseudonym and whether a consent-signing key is registered (changes nothing)",
        body: subjectLookupBody,
        response: { 200: { $ref: 'Subject#' }, ...problems(400, 401, 403, 422, 503) },
      },
    },
    async (request) => subjects.lookup(callerOf(request), request.body.uscc),
  );

  app.post<{ Body: RegisterSubjectInput }>(
    '/v1/subjects',
    {
      config: { roles: ['member'] },
      schema: {
        tags: TAGS,
        summary: "Register an enterprise's consent-signing key, proven by its own EIP-712 signature",
        headers: idempotencyHeaders,
        body: registerSubjectBody,
        response: { 201: { $ref: 'CommittedSubject#' }, ...problems(400, 401, 403, 409, 422, 428, 503) },
      },
    },
    async (request, reply) =>
      sendOutcome(reply, await subjects.register(callerOf(request), request.body, idempotencyKeyOf(request))),
  );
}
