import { mkdir } from 'node:fs/promises';
import { ClassicLevel, type BatchOperation } from 'classic-level';
import { VaultError } from './errors.js';
import {
  decodeIdempotency,
  decodeReport,
  decodeSummary,
  encodeIdempotency,
  encodeMeta,
  encodePayload,
} from './level-codec.js';
import { indexEntries, reportIdOf, type IndexName, type IndexRange } from './ordered-index.js';
import type { VaultWrite } from './plan.js';
import type { IdempotencyRecord, StoredReport } from './types.js';
import { VaultEngine, type IndexRow } from './vault-engine.js';

/*
 * One LevelDB database (classic-level) with UTF-8 keys and values, split into sublevels:
 *
 *   format       "version" -> "1"
 *   reports      <reportId> -> metadata or tombstone JSON          (level-codec.ts)
 *   payloads     <reportId> -> contents JSON; deleted on erasure   (level-codec.ts)
 *   by-time      <createdAt> NUL <reportId> -> ""                  (ordered-index.ts)
 *   by-subject   <subjectRef> NUL <createdAt> NUL <reportId> -> ""
 *   idempotency  <key> -> record JSON                              (level-codec.ts)
 *
 * Each vault write is one LevelDB batch written with `sync: true`, so it is atomic and on disk
 * before the promise resolves. Reads of several values use an explicit snapshot.
 */

type Db = ClassicLevel;
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;
const FORMAT_VERSION = '1';

function sublevels(db: Db) {
  const sub = (name: string) => db.sublevel(name, UTF8);
  return {
    format: sub('format'),
    reports: sub('reports'),
    payloads: sub('payloads'),
    indexes: { byTime: sub('by-time'), bySubject: sub('by-subject') } satisfies Record<IndexName, unknown>,
    idempotency: sub('idempotency'),
  };
}

type Sub = ReturnType<typeof sublevels>['reports'];

/**
 * Durable {@link Vault} on LevelDB. Open with {@link LevelVault.open}; one process at a time
 * (LevelDB locks the directory).
 *
 * Erasure deletes the contents value in the same synced batch that writes the tombstone, and
 * compacts that key before and after, so LevelDB rewrites its log and table files without the old
 * value (a read snapshot open at that moment can keep it alive until the next compaction). Copies
 * outside the database (backups, file-system or SSD remnants of deleted files) are beyond its
 * reach: keep vault disks encrypted and back up only what may be restored.
 */
export class LevelVault extends VaultEngine {
  readonly #db: Db;
  readonly #stores: ReturnType<typeof sublevels>;

  private constructor(db: Db) {
    super();
    this.#db = db;
    this.#stores = sublevels(db);
  }

  /**
   * Opens (creating when needed) the vault in directory `dir`.
   *
   * @throws VaultError `VAULT_OPEN_FAILED` when LevelDB cannot open the directory (another process
   * holds it, permissions) or it holds another format version
   */
  static async open(dir: string): Promise<LevelVault> {
    const db: Db = new ClassicLevel<string, string>(dir, UTF8);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await db.open();
    } catch (err) {
      const detail = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      throw new VaultError('VAULT_OPEN_FAILED', `cannot open vault at ${dir}${detail}`, { cause: err });
    }
    const vault = new LevelVault(db);
    try {
      await vault.#checkFormat();
    } catch (err) {
      await db.close();
      throw err;
    }
    return vault;
  }

  async #checkFormat(): Promise<void> {
    const version = await this.#stores.format.get('version');
    if (version === undefined)
      await this.#db.batch(
        [{ type: 'put', sublevel: this.#stores.format, key: 'version', value: FORMAT_VERSION }],
        {
          sync: true,
        },
      );
    else if (version !== FORMAT_VERSION)
      throw new VaultError('VAULT_OPEN_FAILED', `vault format version ${version} is not supported`);
  }

  protected async readReport(reportId: string): Promise<StoredReport | undefined> {
    const snapshot = this.#db.snapshot();
    try {
      const meta = await this.#stores.reports.get(reportId, { snapshot });
      if (meta === undefined) return undefined;
      const payload = await this.#stores.payloads.get(reportId, { snapshot });
      return decodeReport(reportId, meta, payload);
    } finally {
      await snapshot.close();
    }
  }

  protected async readIdempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const text = await this.#stores.idempotency.get(key);
    return text === undefined ? undefined : decodeIdempotency(key, text);
  }

  protected async scan(range: IndexRange, limit: number): Promise<IndexRow[]> {
    const snapshot = this.#db.snapshot();
    try {
      const keys = await this.#stores.indexes[range.index]
        .keys({ gt: range.gt, ...(range.lt === undefined ? {} : { lt: range.lt }), limit, snapshot })
        .all();
      const ids = keys.map(reportIdOf);
      const metas = await this.#stores.reports.getMany(ids, { snapshot });
      return keys.map((key, i) => {
        const id = ids[i] as string;
        const meta = metas[i];
        if (meta === undefined) throw new VaultError('VAULT_CORRUPT', `index entry without report ${id}`);
        return { key, summary: decodeSummary(id, meta) };
      });
    } finally {
      await snapshot.close();
    }
  }

  protected async apply(writes: readonly VaultWrite[]): Promise<void> {
    const { reports, payloads, indexes, idempotency } = this.#stores;
    const ops: BatchOperation<Db, string, string>[] = [];
    const put = (sublevel: Sub, key: string, value: string) =>
      ops.push({ type: 'put', sublevel, key, value });
    const erased: string[] = [];
    for (const write of writes) {
      if (write.kind === 'putReport') {
        const { report } = write;
        put(reports, report.reportId, encodeMeta(report));
        put(payloads, report.reportId, encodePayload(report));
        for (const { index, key } of indexEntries(report)) put(indexes[index], key, '');
      } else if (write.kind === 'eraseReport') {
        const { tombstone } = write;
        put(reports, tombstone.reportId, encodeMeta(tombstone));
        ops.push({ type: 'del', sublevel: payloads, key: tombstone.reportId });
        erased.push(tombstone.reportId);
      } else {
        put(idempotency, write.record.key, encodeIdempotency(write.record));
      }
    }
    // LevelDB only drops an overwritten value when a compaction merges it with the newer entry, and
    // never rewrites the bottom level on request. Flushing the contents to a table first puts the
    // deletion in a newer, higher table, so the compaction after the write merges the two.
    await this.#compact(erased);
    await this.#db.batch(ops, { sync: true });
    await this.#compact(erased);
  }

  async #compact(reportIds: readonly string[]): Promise<void> {
    for (const reportId of reportIds) {
      const key = this.#stores.payloads.prefixKey(reportId, 'utf8');
      await this.#db.compactRange(key, key);
    }
  }

  protected async release(): Promise<void> {
    await this.#db.close();
  }
}
