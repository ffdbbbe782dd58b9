import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { OrdererStoreError } from './errors.js';

/*
 * The orderer's chain store port and its two adapters: LevelDB (durable, one synced write per block)
 * and in-memory (tests).
 */

/** Where the orderer keeps its chain: block bytes by number, appended contiguously. */
export interface OrdererStore {
  /** Number of stored blocks, i.e. the number the next block gets. */
  height(): Promise<number>;
  /** The bytes of block `number`, or undefined when it is not stored. */
  get(number: number): Promise<Uint8Array | undefined>;
  /** Stores block `number`, which must equal the current height; durable once the promise resolves. */
  append(number: number, bytes: Uint8Array): Promise<void>;
  /** Releases the store; further calls fail. */
  close(): Promise<void>;
}

function checkAppend(number: number, height: number): void {
  if (number !== height)
    throw new OrdererStoreError(`cannot append block ${number}: the store holds ${height} blocks`);
}

/** In-memory {@link OrdererStore} (tests, throwaway networks). Copies bytes in and out. */
export class MemoryOrdererStore implements OrdererStore {
  private readonly blocks: Uint8Array[] = [];
  private closed = false;

  /** Current number of blocks, synchronously. */
  get size(): number {
    return this.blocks.length;
  }

  height(): Promise<number> {
    return Promise.resolve(this.blocks.length);
  }

  get(number: number): Promise<Uint8Array | undefined> {
    const b = this.blocks[number];
    return Promise.resolve(b && Uint8Array.from(b));
  }

  append(number: number, bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new OrdererStoreError('store is closed'));
    try {
      checkAppend(number, this.blocks.length);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new OrdererStoreError(String(err)));
    }
    this.blocks.push(Uint8Array.from(bytes));
    return Promise.resolve();
  }

  /** Marks the store closed for appends; its blocks stay readable so a new orderer can reuse it. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Reopens a closed store (simulates a restart on the same data). */
  reopen(): this {
    this.closed = false;
    return this;
  }
}

const PREFIX = 'block:';
const key = (n: number): string => `${PREFIX}${n.toString(16).padStart(16, '0')}`;

/**
 * LevelDB {@link OrdererStore} (classic-level). Keys are `block:<16 hex digits>`; each append is one
 * `sync: true` put, so a block is on disk before `append` resolves. The height is derived from the
 * last key at open.
 */
export class LevelOrdererStore implements OrdererStore {
  private constructor(
    private readonly db: ClassicLevel<string, Uint8Array>,
    private count: number,
  ) {}

  private writing = false;

  /** Opens (creating if needed) the store in directory `dir`. */
  static async open(dir: string): Promise<LevelOrdererStore> {
    await mkdir(dir, { recursive: true });
    // Large table files, as for the peer ledgers (LEDGER_DB_OPTIONS): a million transactions' blocks
    // in 2 MiB files would be more files than LevelDB keeps open.
    const db = new ClassicLevel<string, Uint8Array>(dir, {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
      maxFileSize: 32 * 1024 * 1024,
    });
    await db.open();
    const last = await db.keys({ gte: PREFIX, lt: `${PREFIX}~`, reverse: true, limit: 1 }).all();
    const lastKey = last[0];
    const count = lastKey === undefined ? 0 : parseInt(lastKey.slice(PREFIX.length), 16) + 1;
    if (!Number.isSafeInteger(count)) {
      await db.close();
      throw new OrdererStoreError(`corrupt orderer store at ${dir}: bad key ${String(lastKey)}`);
    }
    return new LevelOrdererStore(db, count);
  }

  height(): Promise<number> {
    return Promise.resolve(this.count);
  }

  async get(number: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(number) || number < 0 || number >= this.count) return undefined;
    return this.db.get(key(number));
  }

  async append(number: number, bytes: Uint8Array): Promise<void> {
    if (this.writing)
      throw new OrdererStoreError(`cannot append block ${number}: another append is in progress`);
    checkAppend(number, this.count);
    this.writing = true;
    try {
      await this.db.put(key(number), bytes, { sync: true });
      this.count = number + 1;
    } finally {
      this.writing = false;
    }
  }

  /** Compacts the stored blocks (LevelDB's `compactRange`), e.g. after a bulk load. */
  async compact(): Promise<void> {
    await this.db.compactRange(PREFIX, `${PREFIX}~`);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
