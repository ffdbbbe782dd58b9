/**
 * The member gateway's domain services: pure logic over the ports.
 *
 * @packageDocumentation
 */
export { UNANCHORED_REASON } from './anchoring.js';
export { ConsentService, type RecordConsentInput } from './consent-service.js';
export {
  DEFAULT_LIMITS,
  type Caller,
  type CallerRole,
  type ServiceDeps,
  type ServiceLimits,
} from './context.js';
export { ReplayedRefusal, ServiceError, type ServiceErrorCode, type ServiceErrorOptions } from './errors.js';
export {
  Idempotency,
  type IdempotentOutcome,
  type IdempotentRequest,
  type StoredAnswer,
} from './idempotency.js';
export { SELF_RECEIPT_ID } from './own-key.js';
export {
  ERASURE_REASONS,
  ReportService,
  type CorrectReportInput,
  type ListReportsInput,
  type SubmitReportInput,
} from './report-service.js';
export { SubjectService, type RegisterSubjectInput } from './subject-service.js';
export type * from './views.js';
