import type { FastifyInstance } from 'fastify';
import type { SignedTransferRequest } from '../../ports/peer-transport.js';
import type { RetrieveInput } from '../../services/retrieval-service.js';
import { EdgeError } from '../problem.js';
import { idempotencyHeaders, problems } from '../schemas.js';
import type { HttpServices } from '../types.js';
import { callerOf, idempotencyKeyOf, sendOutcome } from './common.js';

const HEX64 = '^[0-9a-f]{64}$';
const REPORT_ID = '^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$';

const retrieveBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reportId', 'consentId', 'purpose'],
  properties: {
    reportId: { type: 'string', pattern: REPORT_ID },
    consentId: { type: 'string', pattern: HEX64 },
    purpose: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,31}$' },
  },
} as const;

const transferBody = {
  type: 'object',
  additionalProperties: false,
  required: ['request', 'signerCertPem', 'signature'],
  properties: {
    request: {
      type: 'object',
      description:
        'the transfer request (requesterMsp, providerMsp, requestId, receiptId, reportId, nonce, issuedAt, v)',
    },
    signerCertPem: { type: 'string', maxLength: 16384 },
    signature: { type: 'string', maxLength: 1024 },
  },
} as const;

/**
 * `POST /v1/retrievals` (officers: retrieve another member's report) and `POST /peer/v1/transfers`
 * (other members' gateways, mutual TLS: deliver one of this organisation's reports).
 */
export function transferRoutes(app: FastifyInstance, { retrievals, deliveries }: HttpServices): void {
  if (retrievals) {
    app.post<{ Body: RetrieveInput }>(
      '/v1/retrievals',
      {
        config: { roles: ['member'] },
        schema: {
          tags: ['retrievals'],
          summary:
            "Retrieve another member's report under a consent: RequestAccess, transfer from the provider, verify, decrypt",
          headers: idempotencyHeaders,
          body: retrieveBody,
          response: problems(400, 401, 403, 404, 409, 428, 502, 503),
        },
      },
      async (request, reply) =>
        sendOutcome(
          reply,
          await retrievals.retrieve(callerOf(request), request.body, idempotencyKeyOf(request)),
        ),
    );
  }
  if (deliveries) {
    app.post<{ Body: SignedTransferRequest }>(
      '/peer/v1/transfers',
      {
        config: { peer: true },
        schema: {
          tags: ['peer'],
          summary: 'Gateway to gateway: release a report under a granted, committed receipt (mutual TLS)',
          body: transferBody,
          response: problems(400, 401, 403, 404, 409, 410, 503),
        },
      },
      async (request) => {
        const peerMsp = request.peerMsp;
        if (peerMsp === null)
          throw new EdgeError('AUTH_REQUIRED', 'present a member gateway client certificate');
        return deliveries.deliver(peerMsp, request.body);
      },
    );
  }
}
