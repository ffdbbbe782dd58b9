import { indexEntries, reportIdOf, type IndexName, type IndexRange } from './ordered-index.js';
import type { VaultWrite } from './plan.js';
import { copyReport, summaryOf } from './records.js';
import { SortedKeys } from './sorted-keys.js';
import type { IdempotencyRecord, StoredReport } from './types.js';
import { VaultEngine, type IndexRow } from './vault-engine.js';
import { VaultError } from './errors.js';

/**
 * In-memory {@link Vault} for unit tests and throwaway gateways: same semantics as
 * {@link LevelVault}, nothing survives the process. Records are copied in and out; erasing a
 * report overwrites its ciphertext, salt and wrapped key with zeros before dropping them.
 */
export class MemoryVault extends VaultEngine {
  readonly #reports = new Map<string, StoredReport>();
  readonly #idempotency = new Map<string, IdempotencyRecord>();
  readonly #indexes: Record<IndexName, SortedKeys> = {
    byTime: new SortedKeys(),
    bySubject: new SortedKeys(),
  };

  protected readReport(reportId: string): Promise<StoredReport | undefined> {
    const report = this.#reports.get(reportId);
    return Promise.resolve(report && copyReport(report));
  }

  protected readIdempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.#idempotency.get(key);
    return Promise.resolve(record && (JSON.parse(JSON.stringify(record)) as IdempotencyRecord));
  }

  protected scan(range: IndexRange, limit: number): Promise<IndexRow[]> {
    const keys = this.#indexes[range.index].range(range.gt, range.lt, limit);
    return Promise.resolve(
      keys.map((key) => {
        const report = this.#reports.get(reportIdOf(key));
        if (!report) throw new VaultError('VAULT_CORRUPT', 'index entry without report');
        return { key, summary: summaryOf(report) };
      }),
    );
  }

  protected apply(writes: readonly VaultWrite[]): Promise<void> {
    for (const write of writes) {
      if (write.kind === 'putReport') {
        this.#reports.set(write.report.reportId, copyReport(write.report));
        for (const { index, key } of indexEntries(write.report)) this.#indexes[index].add(key);
      } else if (write.kind === 'eraseReport') {
        const before = this.#reports.get(write.tombstone.reportId);
        if (before?.status === 'active') {
          before.ciphertext.fill(0);
          before.salt.fill(0);
          before.wrappedKey.enc.fill(0);
          before.wrappedKey.ciphertext.fill(0);
        }
        this.#reports.set(write.tombstone.reportId, copyReport(write.tombstone));
      } else {
        this.#idempotency.set(
          write.record.key,
          JSON.parse(JSON.stringify(write.record)) as IdempotencyRecord,
        );
      }
    }
    return Promise.resolve();
  }

  protected release(): Promise<void> {
    return Promise.resolve();
  }
}
