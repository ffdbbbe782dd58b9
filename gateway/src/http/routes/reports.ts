import type { FastifyInstance } from 'fastify';
import type { CorrectReportInput, SubmitReportInput } from '../../services/report-service.js';
import {
  correctReportBody,
  eraseReportBody,
  idempotencyHeaders,
  listReportsQuery,
  problems,
  reportIdParams,
  submitReportBody,
} from '../schemas.js';
import type { HttpServices } from '../types.js';
import { callerOf, idempotencyKeyOf, sendOutcome } from './common.js';

const MEMBERS = { roles: ['member'] } as const;
const TAGS = ['reports'];

/** `/v1/reports`: submit, list, read, correct and erase the organisation's reports. */
export function reportRoutes(app: FastifyInstance, { reports }: HttpServices): void {
  app.post<{ Body: SubmitReportInput }>(
    '/v1/reports',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: 'Submit a report: validate, encrypt, store, anchor; answers after the commit',
        headers: idempotencyHeaders,
        body: submitReportBody,
        response: { 201: { $ref: 'CommittedReport#' }, ...problems(400, 401, 403, 409, 413, 422, 428, 503) },
      },
    },
    async (request, reply) =>
      sendOutcome(reply, await reports.submit(callerOf(request), request.body, idempotencyKeyOf(request))),
  );

  app.get<{ Querystring: { subjectRef?: string; limit?: string; after?: string } }>(
    '/v1/reports',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: "List this organisation's reports (no contents), oldest first",
        querystring: listReportsQuery,
        response: { 200: { $ref: 'ReportList#' }, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { subjectRef, limit, after } = request.query;
      return reports.list(callerOf(request), {
        ...(subjectRef === undefined ? {} : { subjectRef }),
        ...(limit === undefined ? {} : { limit: Number(limit) }),
        ...(after === undefined ? {} : { after }),
      });
    },
  );

  app.get<{ Params: { reportId: string } }>(
    '/v1/reports/:reportId',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: 'Read one of this organisation’s reports, decrypted and checked against its anchor',
        params: reportIdParams,
        response: { 200: { $ref: 'ReportContent#' }, ...problems(401, 403, 404, 410, 500, 503) },
      },
    },
    async (request) => reports.get(callerOf(request), request.params.reportId),
  );

  app.post<{ Params: { reportId: string }; Body: CorrectReportInput }>(
    '/v1/reports/:reportId/corrections',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: 'Submit a correction that supersedes the report (same subject and category)',
        headers: idempotencyHeaders,
        params: reportIdParams,
        body: correctReportBody,
        response: {
          201: { $ref: 'CommittedReport#' },
          ...problems(400, 401, 403, 404, 409, 410, 413, 422, 428, 503),
        },
      },
    },
    async (request, reply) =>
      sendOutcome(
        reply,
        await reports.correct(
          callerOf(request),
          request.params.reportId,
          request.body,
          idempotencyKeyOf(request),
        ),
      ),
  );

  app.post<{ Params: { reportId: string }; Body: { reason: string } }>(
    '/v1/reports/:reportId/erasure',
    {
      config: MEMBERS,
      schema: {
        tags: TAGS,
        summary: 'Erase the report: ledger tombstone, then the data key is destroyed (crypto-shredding)',
        headers: idempotencyHeaders,
        params: reportIdParams,
        body: eraseReportBody,
        response: { 200: { $ref: 'CommittedReport#' }, ...problems(400, 401, 403, 404, 409, 410, 428, 503) },
      },
    },
    async (request, reply) =>
      sendOutcome(
        reply,
        await reports.erase(
          callerOf(request),
          request.params.reportId,
          request.body.reason,
          idempotencyKeyOf(request),
        ),
      ),
  );
}
