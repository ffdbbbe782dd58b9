import { mkdir } from 'node:fs/promises';
import { ClassicLevel, type BatchOperation } from 'classic-level';
import type {
  AuditStore,
  BlockCommit,
  EntryIndex,
  ReceiptIndex,
  ScanPage,
  ScanRequest,
} from './audit-store.js';
import { AuditError } from './errors.js';
import type {
  AuditCounts,
  AuditEntry,
  AuditReceipt,
  ConsortiumConfig,
  IntegrityAlarm,
  OrdererTrust,
  ReadModelState,
  Report,
} from './model.js';
import { entryInstitutions, entryMsps } from './visibility.js';

/*
 * One LevelDB database (classic-level), split into sublevels:
 *
 *   meta         checkpoint -> next block (decimal); alarm, trust, config, counts -> JSON; format -> "1"
 *   blocks       <block, 20 digits> -> the block's bytes
 *   hashes       <block, 20 digits> -> hex header hash
 *   entries      <entryId> -> AuditEntry JSON
 *   ix-<index>   <partition> NUL <instant> NUL <entryId> -> ""      (report, subject, member, institution, time)
 *   receipts     <receiptId> -> AuditReceipt JSON (latest state: deliveries update it)
 *   rx-<index>   <partition> NUL <requestedAt> NUL <receiptId> -> "" (requester, provider, time)
 *   reports      <reportId> -> the contract's Report JSON (latest state)
 *
 * A block is committed as one batch written with `sync: true`: its bytes, hash, entries, receipts,
 * reports, configuration, counts and the next checkpoint become durable together or not at all.
 */

type Db = ClassicLevel;
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;
const FORMAT_VERSION = '1';
const SEP = '\u0000';
const TOP = '\uffff';
const CHUNK = 256;
const DEFAULT_MAX_SCAN = 20_000;
const ZERO_COUNTS: AuditCounts = {
  blocks: 0,
  transactions: 0,
  invalidTransactions: 0,
  entries: 0,
  receipts: 0,
};

const blockKey = (n: bigint): string => n.toString().padStart(20, '0');

function sublevels(db: Db) {
  const sub = (name: string) => db.sublevel(name, UTF8);
  return {
    meta: sub('meta'),
    blocks: db.sublevel<string, Uint8Array>('blocks', { keyEncoding: 'utf8', valueEncoding: 'view' }),
    hashes: sub('hashes'),
    entries: sub('entries'),
    reports: sub('reports'),
    receipts: sub('receipts'),
    ix: {
      report: sub('ix-report'),
      subject: sub('ix-subject'),
      member: sub('ix-member'),
      institution: sub('ix-institution'),
      time: sub('ix-time'),
    } satisfies Record<EntryIndex, unknown>,
    rx: {
      requester: sub('rx-requester'),
      provider: sub('rx-provider'),
      time: sub('rx-time'),
    } satisfies Record<ReceiptIndex, unknown>,
  };
}

type Stores = ReturnType<typeof sublevels>;
type Sub = Stores['meta'];

interface Op {
  readonly type: 'put';
  readonly sublevel: Sub | Stores['blocks'];
  readonly key: string;
  readonly value: string | Uint8Array;
}

const indexKey = (partition: string, instant: string, id: string): string =>
  `${partition}${SEP}${instant}${SEP}${id}`;

const idOfKey = (key: string): string => key.slice(key.lastIndexOf(SEP) + 1);

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the stored record's type
function parse<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/**
 * {@link AuditStore} on LevelDB. Open with {@link LevelAuditStore.open}; one process at a time
 * (LevelDB locks the directory). Only the block listener writes.
 */
export class LevelAuditStore implements AuditStore {
  readonly #db: Db;
  readonly #s: Stores;
  #closed = false;

  private constructor(db: Db) {
    this.#db = db;
    this.#s = sublevels(db);
  }

  /**
   * Opens (creating when needed) the read model in directory `dir`.
   *
   * @throws {@link AuditError} `AUDIT_UNAVAILABLE` when LevelDB cannot open it or it holds another format
   */
  static async open(dir: string): Promise<LevelAuditStore> {
    const db: Db = new ClassicLevel(dir, UTF8);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await db.open();
    } catch (cause) {
      throw new AuditError('AUDIT_UNAVAILABLE', `cannot open the audit read model at ${dir}`, { cause });
    }
    const store = new LevelAuditStore(db);
    const format = await store.#s.meta.get('format');
    if (format === undefined)
      await db.batch([{ type: 'put', sublevel: store.#s.meta, key: 'format', value: FORMAT_VERSION }], {
        sync: true,
      });
    else if (format !== FORMAT_VERSION) {
      await db.close();
      throw new AuditError('AUDIT_UNAVAILABLE', `audit read model format ${format} is not supported`);
    }
    return store;
  }

  #open(): void {
    if (this.#closed) throw new AuditError('AUDIT_UNAVAILABLE', 'the audit read model is closed');
  }

  async checkpoint(): Promise<bigint> {
    this.#open();
    return BigInt((await this.#s.meta.get('checkpoint')) ?? '0');
  }

  async lastHash(): Promise<Uint8Array> {
    const next = await this.checkpoint();
    if (next === 0n) return new Uint8Array(0);
    return (await this.blockHash(next - 1n)) ?? new Uint8Array(0);
  }

  async blockHash(number: bigint): Promise<Uint8Array | undefined> {
    this.#open();
    const hex = await this.#s.hashes.get(blockKey(number));
    return hex === undefined ? undefined : Buffer.from(hex, 'hex');
  }

  async block(number: bigint): Promise<Uint8Array> {
    this.#open();
    const bytes = number < 0n ? undefined : await this.#s.blocks.get(blockKey(number));
    if (bytes === undefined)
      throw new AuditError('BLOCK_NOT_FOUND', `the read model holds no block ${number}`);
    return bytes;
  }

  async trust(): Promise<OrdererTrust | undefined> {
    this.#open();
    return parse<OrdererTrust>(await this.#s.meta.get('trust'));
  }

  async alarm(): Promise<IntegrityAlarm | undefined> {
    this.#open();
    return parse<IntegrityAlarm>(await this.#s.meta.get('alarm'));
  }

  async config(): Promise<ConsortiumConfig | undefined> {
    this.#open();
    return parse<ConsortiumConfig>(await this.#s.meta.get('config'));
  }

  async report(reportId: string): Promise<Report | undefined> {
    this.#open();
    return parse<Report>(await this.#s.reports.get(reportId));
  }

  async receipt(receiptId: string): Promise<AuditReceipt | undefined> {
    this.#open();
    return parse<AuditReceipt>(await this.#s.receipts.get(receiptId));
  }

  async state(): Promise<ReadModelState> {
    this.#open();
    const snapshot = this.#db.snapshot();
    try {
      const [checkpoint, alarm, counts] = await this.#s.meta.getMany(['checkpoint', 'alarm', 'counts'], {
        snapshot,
      });
      const next = BigInt(checkpoint ?? '0');
      const hash = next === 0n ? undefined : await this.#s.hashes.get(blockKey(next - 1n), { snapshot });
      return {
        nextBlock: Number(next),
        lastBlockHash: hash ?? null,
        alarm: parse<IntegrityAlarm>(alarm) ?? null,
        counts: parse<AuditCounts>(counts) ?? ZERO_COUNTS,
      };
    } finally {
      await snapshot.close();
    }
  }

  async commit(commit: BlockCommit): Promise<void> {
    this.#open();
    const s = this.#s;
    const next = await this.checkpoint();
    if (commit.number !== next) throw new Error(`block ${commit.number} committed where ${next} was due`);
    const counts = parse<AuditCounts>(await s.meta.get('counts')) ?? ZERO_COUNTS;
    const { plan } = commit;
    const ops: Op[] = [];
    const put = (sublevel: Op['sublevel'], key: string, value: string | Uint8Array): void => {
      ops.push({ type: 'put', sublevel, key, value });
    };
    put(s.blocks, blockKey(commit.number), commit.bytes);
    put(s.hashes, blockKey(commit.number), Buffer.from(commit.hash).toString('hex'));
    for (const entry of plan.entries) {
      put(s.entries, entry.entryId, JSON.stringify(entry));
      const at = (index: EntryIndex, partition: string): void => {
        put(s.ix[index], indexKey(partition, entry.time, entry.entryId), '');
      };
      at('time', '');
      if (entry.reportId !== null) at('report', entry.reportId);
      if (entry.subjectRef !== null) at('subject', entry.subjectRef);
      for (const msp of entryMsps(entry)) at('member', msp);
      for (const partition of entryInstitutions(entry).keys()) at('institution', partition);
    }
    let newReceipts = 0;
    for (const { receipt, isNew } of plan.receipts) {
      put(s.receipts, receipt.receiptId, JSON.stringify(receipt));
      if (!isNew) continue;
      newReceipts++;
      const key = (partition: string) => indexKey(partition, receipt.requestedAt, receipt.receiptId);
      put(s.rx.time, key(''), '');
      put(s.rx.requester, key(receipt.requester.mspId), '');
      if (receipt.provider) put(s.rx.provider, key(receipt.provider.mspId), '');
    }
    for (const report of plan.reports) put(s.reports, report.reportId, JSON.stringify(report));
    if (plan.config) put(s.meta, 'config', JSON.stringify(plan.config));
    if (commit.trust) put(s.meta, 'trust', JSON.stringify(commit.trust));
    const updated: AuditCounts = {
      blocks: counts.blocks + 1,
      transactions: counts.transactions + plan.transactions,
      invalidTransactions: counts.invalidTransactions + plan.invalidTransactions,
      entries: counts.entries + plan.entries.length,
      receipts: counts.receipts + newReceipts,
    };
    put(s.meta, 'counts', JSON.stringify(updated));
    put(s.meta, 'checkpoint', (commit.number + 1n).toString());
    await this.#db.batch(ops as unknown as BatchOperation<Db, string, string>[], { sync: true });
  }

  async raiseAlarm(alarm: IntegrityAlarm): Promise<void> {
    this.#open();
    await this.#db.batch(
      [{ type: 'put', sublevel: this.#s.meta, key: 'alarm', value: JSON.stringify(alarm) }],
      {
        sync: true,
      },
    );
  }

  async scanEntries(
    index: EntryIndex,
    request: ScanRequest,
    accept: (entry: AuditEntry) => boolean = () => true,
  ): Promise<ScanPage<AuditEntry>> {
    this.#open();
    const base = `${request.partition}${SEP}`;
    const gte = base + request.from;
    const lt = base + (request.to === '' ? TOP : request.to);
    if (request.after !== undefined && (request.after < gte || request.after >= lt))
      throw new AuditError('INVALID_CURSOR', 'the cursor does not belong to this query');
    const bound = request.after === undefined ? { gte } : { gt: request.after };
    const maxScan = request.maxScan ?? DEFAULT_MAX_SCAN;
    const snapshot = this.#db.snapshot();
    const iterator = this.#s.ix[index].keys({ ...bound, lt, snapshot });
    const items: { key: string; entry: AuditEntry }[] = [];
    let scanned = 0;
    let lastExamined: string | null = null;
    try {
      while (items.length <= request.limit) {
        if (scanned >= maxScan) return { items: items.map((i) => i.entry), lastKey: lastExamined };
        const keys = await iterator.nextv(Math.min(CHUNK, maxScan - scanned));
        if (keys.length === 0) break;
        scanned += keys.length;
        const values = await this.#s.entries.getMany(keys.map(idOfKey), { snapshot });
        for (const [i, key] of keys.entries()) {
          lastExamined = key;
          const text = values[i];
          if (text === undefined)
            throw new AuditError('AUDIT_UNAVAILABLE', 'an index entry has no trail entry');
          const entry = JSON.parse(text) as AuditEntry;
          if (accept(entry)) items.push({ key, entry });
          if (items.length > request.limit) break;
        }
      }
    } finally {
      await iterator.close();
      await snapshot.close();
    }
    if (items.length <= request.limit) return { items: items.map((i) => i.entry), lastKey: null };
    const page = items.slice(0, request.limit);
    return { items: page.map((i) => i.entry), lastKey: page.at(-1)?.key ?? null };
  }

  async receiptsIn(
    index: ReceiptIndex,
    partition: string,
    from: string,
    to: string,
  ): Promise<AuditReceipt[]> {
    this.#open();
    const base = `${partition}${SEP}`;
    const snapshot = this.#db.snapshot();
    try {
      const keys = await this.#s.rx[index]
        .keys({ gte: base + from, lt: base + (to === '' ? TOP : to), snapshot })
        .all();
      const receipts: AuditReceipt[] = [];
      for (let i = 0; i < keys.length; i += CHUNK) {
        const values = await this.#s.receipts.getMany(keys.slice(i, i + CHUNK).map(idOfKey), { snapshot });
        for (const text of values) {
          if (text === undefined)
            throw new AuditError('AUDIT_UNAVAILABLE', 'a receipt index entry has no receipt');
          receipts.push(JSON.parse(text) as AuditReceipt);
        }
      }
      return receipts;
    } finally {
      await snapshot.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }
}
