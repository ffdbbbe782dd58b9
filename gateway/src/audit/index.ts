export { ALERT_KINDS, DEFAULT_THRESHOLDS, detectAlerts } from './alerts.js';
export type { Alert, AlertEvidence, AlertKind, AlertThresholds } from './alerts.js';
export type { AuditStore, BlockCommit, EntryIndex, ReceiptIndex } from './audit-store.js';
export { AuditService } from './audit-service.js';
export type {
  AuditAudience,
  AuditServiceDeps,
  AuditStatusView,
  SubjectQuery,
  TrailQuery,
} from './audit-service.js';
export type { BlockFeed, BlockSource, BlockStream } from './block-source.js';
export { AuditError, type AuditErrorCode } from './errors.js';
export { FabricBlockFeed, type FabricBlockFeedOptions } from './fabric-block-feed.js';
export { LevelAuditStore } from './level-audit-store.js';
export { reportProvenance, type ReportProvenance } from './report-provenance.js';
export { AuditListener, type AuditListenerOptions, type AuditLog, type ListenerStatus } from './listener.js';
export type * from './model.js';
export { usageCsv, type UsageStatement } from './usage.js';
