export { VaultError, type VaultErrorCode, type VaultErrorOptions } from './errors.js';
export { LevelVault } from './level-vault.js';
export { MemoryVault } from './memory-vault.js';
export { MAX_BATCH } from './plan.js';
export type {
  ActiveReport,
  ActiveReportSummary,
  ErasedReport,
  Erasure,
  IdempotencyRecord,
  JsonValue,
  ReportMeta,
  ReportPage,
  ReportQuery,
  ReportSummary,
  StoredReport,
  VaultOp,
  WrappedKey,
} from './types.js';
export type { Vault } from './vault.js';
export { MAX_PAGE, VaultEngine, type IndexRow } from './vault-engine.js';
export type { IndexName, IndexRange } from './ordered-index.js';
export type { VaultWrite } from './plan.js';
