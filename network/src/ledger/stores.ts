import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { LedgerError } from './errors.js';

/*
 * One LevelDB database per peer, split into sublevels. Keys and values are raw bytes everywhere
 * (layouts in keys.ts and records.ts).
 */

const BINARY = { keyEncoding: 'view', valueEncoding: 'view' } as const;

/**
 * LevelDB tuning for ledgers of millions of transactions. With LevelDB's 2 MiB table files a peer
 * holding a million SubmitReports has about 1,600 of them, more than its table cache keeps open
 * (`maxOpenFiles`, 1,000), so lookups kept reopening files and parsing their index and bloom filter
 * blocks (the benchmark's commit rate on such a ledger went from 71 % to 84 % of an empty ledger's
 * with this change, within the noise of single runs). 32 MiB files keep it to about a hundred (and
 * within a default 1,024 file-descriptor limit with four peers in one process); the larger block
 * cache holds the index and filter blocks of the hot files.
 */
export const LEDGER_DB_OPTIONS = {
  maxFileSize: 32 * 1024 * 1024,
  cacheSize: 32 * 1024 * 1024,
} as const;

/** The root database of a peer ledger. */
export type LedgerDb = ClassicLevel<Uint8Array, Uint8Array>;

/** A LevelDB snapshot of the root database: reads through it see the ledger as it was when taken. */
export type LedgerSnapshot = ReturnType<LedgerDb['snapshot']>;

function sublevels(db: LedgerDb) {
  return {
    /** block number → block bytes as received */
    blocks: db.sublevel<Uint8Array, Uint8Array>('blocks', BINARY),
    /** tx id → first occurrence (block, tx, validation code) */
    txids: db.sublevel<Uint8Array, Uint8Array>('txids', BINARY),
    /** (ns, key) → version and value */
    state: db.sublevel<Uint8Array, Uint8Array>('state', BINARY),
    /** (ns, key) → key metadata */
    stateMeta: db.sublevel<Uint8Array, Uint8Array>('statemeta', BINARY),
    /** (ns, key, block, tx) → tx id, timestamp and value written */
    history: db.sublevel<Uint8Array, Uint8Array>('history', BINARY),
    /** ledger-wide values: the height */
    meta: db.sublevel<Uint8Array, Uint8Array>('meta', BINARY),
  };
}

/** The sublevels of a peer ledger. */
export type LedgerStores = ReturnType<typeof sublevels>;

/** Name of one sublevel. */
export type StoreName = keyof LedgerStores;

/** Opens (creating if needed) the LevelDB database in `dir`, throwing `OPEN_FAILED` on failure. */
export async function openLedgerDb(dir: string): Promise<{ db: LedgerDb; stores: LedgerStores }> {
  const db: LedgerDb = new ClassicLevel<Uint8Array, Uint8Array>(dir, { ...BINARY, ...LEDGER_DB_OPTIONS });
  try {
    await mkdir(dir, { recursive: true });
    await db.open();
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    throw new LedgerError('OPEN_FAILED', `cannot open ledger at ${dir}: ${String(err)} ${cause}`.trim(), {
      cause: err,
    });
  }
  return { db, stores: sublevels(db) };
}
