/**
 * Clients of the member gateway's API: {@link GatewayClient} (HTTPS, typed answers and problems)
 * and the local gateway directory.
 *
 * @packageDocumentation
 */
export { directoryClient, findUser } from './connect.js';
export {
  DIRECTORY_FILE,
  DIRECTORY_VERSION,
  DirectoryError,
  directoryFile,
  findGateway,
  parseDirectory,
  readDirectory,
  type DirectoryGateway,
  type DirectoryUser,
  type GatewayDirectory,
} from './directory.js';
export {
  GatewayClientError,
  GatewayProblem,
  problemFieldsOf,
  type GatewayClientErrorCode,
  type GatewayClientErrorOptions,
  type ProblemFields,
  type ProblemLocation,
} from './errors.js';
export {
  GatewayClient,
  isIdempotencyKey,
  type AuditAlertQuery,
  type AuditSubject,
  type AuditTrailQuery,
  type ConsentTxView,
  type ConsentView,
  type CorrectReportRequest,
  type ErasedReportView,
  type GatewayAuth,
  type GatewayClientOptions,
  type IssuedTokenView,
  type IssueTokenRequest,
  type ListReportsQuery,
  type ProvenanceDownload,
  type RecordConsentRequest,
  type RegisterSubjectRequest,
  type ReportContentView,
  type ReportListView,
  type RetrievedReportView,
  type RetrieveRequest,
  type SubjectTxView,
  type SubjectView,
  type SubmitReportRequest,
  type SubmittedReportView,
  type TokenView,
  type WriteOptions,
} from './gateway-client.js';
