import type {
  ActiveReport,
  ErasedReport,
  Erasure,
  IdempotencyRecord,
  ReportPage,
  ReportQuery,
  StoredReport,
  VaultOp,
} from './types.js';

/**
 * The gateway's encrypted report store.
 *
 * Responsibilities: keep each report's ciphertext, commitment salt and wrapped data key under its
 * report id; keep a tombstone when a report is crypto-shredded; remember responses of API calls by
 * idempotency key; list reports by creation time, optionally for one subject. The vault never sees
 * plaintext or unwrapped keys: encryption happens before `putReport`.
 *
 * Every operation is atomic. A write is durable when its promise resolves. Records returned are
 * copies: mutating them does not change the store. All failures are {@link VaultError}s.
 *
 * @example
 * ```ts
 * const vault = await LevelVault.open('/var/lib/creditchain/vault');
 * await vault.batch([
 *   { type: 'putReport', report },
 *   { type: 'putIdempotency', record: { key, requestHash, response, createdAt } },
 * ]);
 * const page = await vault.listReports({ subjectRef, limit: 50 });
 * ```
 */
export interface Vault {
  /**
   * Stores a new report. Storing exactly the same report again is a no-op, so retries are safe.
   *
   * @throws VaultError `REPORT_EXISTS` when a different report has this id, `REPORT_ERASED` when
   * this id was erased, `INVALID_ARGUMENT` when the report is malformed.
   */
  putReport(report: ActiveReport): Promise<void>;

  /** The report or its tombstone, or `undefined` when the id was never stored. */
  getReport(reportId: string): Promise<StoredReport | undefined>;

  /**
   * One page of reports (tombstones included), ordered by `createdAt` then `reportId`.
   *
   * @throws VaultError `INVALID_ARGUMENT` for a limit outside 1..1000 or a malformed cursor.
   */
  listReports(query: ReportQuery): Promise<ReportPage>;

  /**
   * Crypto-shreds a report: destroys its ciphertext, salt and wrapped key and keeps a tombstone with
   * the erasure. Irreversible. Erasing an erased report returns the existing tombstone unchanged.
   *
   * @returns the tombstone
   * @throws VaultError `REPORT_NOT_FOUND` when the id was never stored.
   */
  eraseReport(reportId: string, erasure: Erasure): Promise<ErasedReport>;

  /**
   * Remembers the response of an API call. When the key is already stored for the same request
   * hash, the stored record wins and is returned (the first response is the one replayed).
   *
   * @returns the record now stored under the key
   * @throws VaultError `IDEMPOTENCY_CONFLICT` when the key is stored for another request hash.
   */
  putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord>;

  /**
   * The record stored under `key` for this request, or `undefined` when the key is unused.
   *
   * @throws VaultError `IDEMPOTENCY_CONFLICT` when the key was used for another request hash.
   */
  getIdempotency(key: string, requestHash: string): Promise<IdempotencyRecord | undefined>;

  /**
   * Applies the operations in order, all or nothing: when one fails, nothing is written and the
   * error (with `opIndex`) is thrown. Later operations see the effects of earlier ones. At most
   * 1000 operations.
   */
  batch(ops: readonly VaultOp[]): Promise<void>;

  /** Waits for pending writes and releases the store; later calls fail with `VAULT_CLOSED`. */
  close(): Promise<void>;
}
