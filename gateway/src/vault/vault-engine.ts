import { VaultError } from './errors.js';
import { cursorAfter, rangeOf, type IndexRange } from './ordered-index.js';
import { conflict, planBatch, type Plan, type VaultWrite } from './plan.js';
import { copyReport } from './records.js';
import { Serial } from './serial.js';
import type {
  ActiveReport,
  ErasedReport,
  Erasure,
  IdempotencyRecord,
  ReportPage,
  ReportQuery,
  ReportSummary,
  StoredReport,
  VaultOp,
} from './types.js';
import type { Vault } from './vault.js';
import { checkIdempotencyKey, checkReportId, checkRequestHash } from './validate.js';

/** Largest page a listing returns. */
export const MAX_PAGE = 1000;

/** One index entry and the summary of the report it points to. */
export interface IndexRow {
  readonly key: string;
  readonly summary: ReportSummary;
}

/**
 * The {@link Vault} operations, implemented once over a few storage primitives that each adapter
 * provides. Writes are planned and applied one batch at a time, so checks and writes never
 * interleave; reads go straight to the store, which must answer each from one consistent state.
 */
export abstract class VaultEngine implements Vault {
  readonly #serial = new Serial();
  #closed = false;

  /** The report or tombstone stored under `reportId`, as a fresh object. */
  protected abstract readReport(reportId: string): Promise<StoredReport | undefined>;
  /** The idempotency record stored under `key`, as a fresh object. */
  protected abstract readIdempotency(key: string): Promise<IdempotencyRecord | undefined>;
  /** The first `limit` entries of `range`, ascending, with their summaries, from one state. */
  protected abstract scan(range: IndexRange, limit: number): Promise<IndexRow[]>;
  /** Applies a batch's writes atomically and durably, in order. */
  protected abstract apply(writes: readonly VaultWrite[]): Promise<void>;
  /** Releases the store; called once, after every pending write. */
  protected abstract release(): Promise<void>;

  async putReport(report: ActiveReport): Promise<void> {
    await this.#write([{ type: 'putReport', report }], false);
  }

  async getReport(reportId: string): Promise<StoredReport | undefined> {
    this.#ensureOpen();
    return this.#io(this.readReport(checkReportId(reportId)));
  }

  async listReports(query: ReportQuery): Promise<ReportPage> {
    this.#ensureOpen();
    const limit = (query as Partial<ReportQuery> | undefined)?.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw new VaultError('INVALID_ARGUMENT', `limit must be an integer from 1 to ${MAX_PAGE}`);
    const rows = await this.#io(this.scan(rangeOf(query), limit + 1));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const items = page.map((row) => row.summary);
    return rows.length > limit && last ? { items, next: cursorAfter(last.key) } : { items };
  }

  async eraseReport(reportId: string, erasure: Erasure): Promise<ErasedReport> {
    const plan = await this.#write([{ type: 'eraseReport', reportId, erasure }], false);
    const tombstone = plan.reports.get(reportId);
    if (tombstone?.status !== 'erased') throw new VaultError('VAULT_CORRUPT', 'erasure left no tombstone');
    return copyReport(tombstone);
  }

  async putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    const plan = await this.#write([{ type: 'putIdempotency', record }], false);
    const stored = plan.idempotency.get(record.key);
    if (!stored) throw new VaultError('VAULT_CORRUPT', 'idempotency record was not stored');
    return { ...stored };
  }

  async getIdempotency(key: string, requestHash: string): Promise<IdempotencyRecord | undefined> {
    this.#ensureOpen();
    checkIdempotencyKey(key);
    checkRequestHash(requestHash);
    const stored = await this.#io(this.readIdempotency(key));
    if (stored && stored.requestHash !== requestHash) throw conflict(key);
    return stored;
  }

  async batch(ops: readonly VaultOp[]): Promise<void> {
    await this.#write(ops, true);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#serial.run(() => this.#io(this.release()));
  }

  #write(ops: readonly VaultOp[], annotate: boolean): Promise<Plan> {
    this.#ensureOpen();
    return this.#serial.run(async () => {
      const plan = await planBatch(
        ops,
        {
          report: (id) => this.#io(this.readReport(id)),
          idempotency: (key) => this.#io(this.readIdempotency(key)),
        },
        annotate,
      );
      if (plan.writes.length > 0) await this.#io(this.apply(plan.writes));
      return plan;
    });
  }

  #ensureOpen(): void {
    if (this.#closed) throw new VaultError('VAULT_CLOSED', 'the vault is closed');
  }

  async #io<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      if (err instanceof VaultError) throw err;
      throw new VaultError('VAULT_IO', `vault storage failed: ${String(err)}`, { cause: err });
    }
  }
}
