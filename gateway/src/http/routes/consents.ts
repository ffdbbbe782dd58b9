import type { FastifyInstance } from 'fastify';
import type { RecordConsentInput } from '../../services/consent-service.js';
import {
  consentIdParams,
  idempotencyHeaders,
  problems,
  recordConsentBody,
  revokeConsentBody,
} from '../schemas.js';
import type { HttpServices } from '../types.js';
import { callerOf, idempotencyKeyOf, sendOutcome } from './common.js';

const MEMBERS = { roles: ['member'] } as const;
const TAGS = ['consents'];

/** `/v1/consents`: record, read and revoke consents granted to this organisation. */
export function consentRoutes(app: FastifyInstance, { consents }: HttpServices): void {
  app.post<{ Body: RecordConsentInput }>(
    '/v1/consents',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: 'Record a consent the enterprise signed (EIP-712) for this institution',
        headers: idempotencyHeaders,
        body: recordConsentBody,
        response: { 201: { $ref: 'CommittedConsent#' }, ...problems(400, 401, 403, 404, 409, 422, 428, 503) },
      },
    },
    async (request, reply) =>
      sendOutcome(reply, await consents.record(callerOf(request), request.body, idempotencyKeyOf(request))),
  );

  app.get<{ Params: { consentId: string } }>(
    '/v1/consents/:consentId',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: 'A consent granted to this organisation',
        params: consentIdParams,
        response: { 200: { $ref: 'Consent#' }, ...problems(400, 401, 403, 404, 503) },
      },
    },
    async (request) => consents.get(callerOf(request), request.params.consentId),
  );

  app.post<{ Params: { consentId: string }; Body: { signature?: string } | undefined }>(
    '/v1/consents/:consentId/revocation',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: "Revoke a consent: with the subject's signature, or as the grantee without one",
        headers: idempotencyHeaders,
        params: consentIdParams,
        body: revokeConsentBody,
        response: { 200: { $ref: 'CommittedConsent#' }, ...problems(400, 401, 403, 404, 409, 422, 428, 503) },
      },
    },
    async (request, reply) =>
      sendOutcome(
        reply,
        await consents.revoke(
          callerOf(request),
          request.params.consentId,
          request.body?.signature,
          idempotencyKeyOf(request),
        ),
      ),
  );
}
