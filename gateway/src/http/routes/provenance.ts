import type { FastifyInstance } from 'fastify';
import type { AuditService } from '../../audit/audit-service.js';
import { problems } from '../schemas.js';
import { audited } from './audit.js';
import { callerOf } from './common.js';

/*
 * `GET /v1/audit/reports/{reportId}/provenance`: a report's provenance bundle, built from the audit
 * read model (its trail entries and the verified blocks it stored) and answered as a file. The
 * bytes are the bundle's one canonical spelling, sent as built: the verifier refuses any other.
 * Who may have which bundle is decided by the audit service.
 */

/** The provenance route, present when the gateway runs an audit read model. */
export function provenanceRoutes(app: FastifyInstance, audit: AuditService): void {
  app.get<{ Params: { reportId: string } }>(
    '/v1/audit/reports/:reportId/provenance',
    {
      config: { roles: ['regulator', 'member'] },
      schema: {
        tags: ['audit'],
        summary:
          "A report's provenance bundle (creditchain.provenance/1): every trail transaction the caller may see, with the blocks that prove it; check it offline with `creditchain proof verify`",
        params: {
          type: 'object',
          required: ['reportId'],
          properties: { reportId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$' } },
        },
        response: {
          200: {
            description:
              'the bundle file (canonical JSON and one newline), as an attachment `provenance-<reportId>.json`; `x-audit-next-block` is the read model checkpoint it was built at',
            content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
          },
          ...problems(400, 401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const { reportId } = request.params;
      const built = await audited(() => audit.provenance(callerOf(request), reportId));
      // The report id is `[A-Za-z0-9._:-]` (checked above), safe inside a quoted filename.
      return reply
        .type('application/json')
        .header('content-disposition', `attachment; filename="provenance-${reportId}.json"`)
        .header('x-audit-next-block', String(built.nextBlock))
        .send(Buffer.from(built.bytes.buffer, built.bytes.byteOffset, built.bytes.byteLength));
    },
  );
}
