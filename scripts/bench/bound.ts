/**
 * The physical bound of this machine for one committed transaction, measured in the benchmark's own
 * process: blocks of transactions go through {@link BoundCrypto} (on worker threads, one per core,
 * or inline) and are then committed to one LevelDB database per peer — one synced batch per block
 * per peer holding the block, the txid index entries and each write's state and history records,
 * the four peers writing concurrently as the emulator's committers do.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ClassicLevel } from 'classic-level';
import { BoundCrypto, type BoundBlock, type BoundConfig } from './bound-core.js';

type Db = ClassicLevel<Uint8Array, Uint8Array>;
const BINARY = { keyEncoding: 'view', valueEncoding: 'view' } as const;

const enc = (text: string): Buffer => Buffer.from(text, 'utf8');
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** One LevelDB database per peer. */
export class BoundLedgers {
  readonly #dbs: Db[];
  /** Bytes written per peer (keys and values, before LevelDB's compression). */
  bytesPerPeer = 0;

  private constructor(dbs: Db[]) {
    this.#dbs = dbs;
  }

  static async open(dir: string, peers: number): Promise<BoundLedgers> {
    const dbs: Db[] = [];
    for (let p = 0; p < peers; p++) {
      const path = join(dir, `peer${p}`);
      await mkdir(path, { recursive: true });
      const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(path, BINARY);
      await db.open();
      dbs.push(db);
    }
    return new BoundLedgers(dbs);
  }

  /** Commits `block` on every peer: one synced batch each, all peers at once. */
  async commit(block: BoundBlock): Promise<void> {
    const ops: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }> = [
      { type: 'put', key: Buffer.concat([enc('b/'), u64(block.number)]), value: block.bytes },
    ];
    block.txIds.forEach((txId, txNum) => {
      const status = Buffer.alloc(15);
      status.writeUInt32BE(block.number, 5);
      status.writeUInt32BE(txNum, 9);
      ops.push({ type: 'put', key: enc(`t/${txId}`), value: status });
      for (const w of block.writes[txNum] ?? []) {
        const version = Buffer.alloc(13);
        version.writeUInt32BE(block.number, 5);
        version.writeUInt32BE(txNum, 9);
        ops.push({ type: 'put', key: enc(`s/${w.key}`), value: Buffer.concat([version, w.value]) });
        const history = Buffer.alloc(16);
        ops.push({
          type: 'put',
          key: Buffer.concat([enc(`h/${w.key}/`), u64(block.number), u64(txNum).subarray(4)]),
          value: Buffer.concat([history, enc(txId), w.value]),
        });
      }
    });
    ops.push({ type: 'put', key: enc('m/height'), value: u64(block.number + 1) });
    this.bytesPerPeer += ops.reduce((s, o) => s + o.key.length + o.value.length, 0);
    await Promise.all(this.#dbs.map((db) => db.batch(ops, { sync: true })));
  }

  async close(): Promise<void> {
    await Promise.all(this.#dbs.map((db) => db.close()));
  }
}

/** Options of {@link measureBound}. */
export interface BoundOptions {
  readonly config: BoundConfig;
  readonly txPerBlock: number;
  /** Worker threads for the crypto; 0 runs it on this thread. */
  readonly threads: number;
  readonly durationMs: number;
  /** Blocks committed before timing starts (JIT, LevelDB files). */
  readonly warmupBlocks: number;
  /** Scratch folder for the peers' databases (removed afterwards). */
  readonly dir: string;
  /** Where the compiled worker is (`bound-worker.js` next to this module). */
  readonly workerUrl: URL;
}

/** What one bound measurement gave. */
export interface BoundMeasurement {
  readonly threads: number;
  readonly txPerSec: number;
  readonly blocks: number;
  readonly txs: number;
  readonly seconds: number;
  /** Key and value bytes written to each peer's database per transaction. */
  readonly ledgerBytesPerTx: number;
}

/** Hands blocks to worker threads, one job per idle worker; results come back in any order. */
class WorkerPool {
  readonly #workers: Worker[];
  readonly #idle: Worker[];
  readonly #pending = new Map<
    Worker,
    { resolve: (block: BoundBlock) => void; reject: (err: unknown) => void }
  >();

  constructor(count: number, url: URL, config: BoundConfig) {
    this.#workers = Array.from({ length: count }, () => new Worker(url, { workerData: config }));
    this.#idle = [...this.#workers];
    for (const w of this.#workers) {
      w.on('message', (block: BoundBlock) => {
        const job = this.#pending.get(w);
        this.#pending.delete(w);
        this.#idle.push(w);
        job?.resolve(block);
      });
      w.on('error', (err) => {
        const job = this.#pending.get(w);
        this.#pending.delete(w);
        job?.reject(err);
      });
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  run(number: number, txCount: number): Promise<BoundBlock> {
    const w = this.#idle.pop();
    if (!w) throw new Error('no idle worker');
    return new Promise((resolve, reject) => {
      this.#pending.set(w, { resolve, reject });
      w.postMessage({ number, txCount });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/**
 * Runs the pipeline for `durationMs` after `warmupBlocks` blocks and reports committed
 * transactions per second. Crypto of the next blocks overlaps the writes of the current one; blocks
 * are committed in order.
 */
export async function measureBound(options: BoundOptions): Promise<BoundMeasurement> {
  const { config, txPerBlock, threads } = options;
  await rm(options.dir, { recursive: true, force: true });
  const ledgers = await BoundLedgers.open(options.dir, config.peers);
  const pool = threads > 0 ? new WorkerPool(threads, options.workerUrl, config) : undefined;
  const inline = pool ? undefined : new BoundCrypto(config);
  try {
    let next = 0;
    const produce = (): Promise<BoundBlock> => {
      const n = next++;
      if (pool) return pool.run(n, txPerBlock);
      if (!inline) throw new Error('no crypto');
      return Promise.resolve(inline.block(n, txPerBlock));
    };
    const depth = pool ? pool.size : 1;
    // Blocks in production, in block order.
    const queue: Array<Promise<BoundBlock>> = [];
    let committing: Promise<void> = Promise.resolve();
    let committed = 0;
    let t0 = 0;
    let bytesAtStart = 0;
    for (;;) {
      while (queue.length < depth) queue.push(produce());
      const block = await (queue.shift() ?? produce());
      // Start the next block's crypto at once: it overlaps the writes (inline: it runs right here,
      // while the previous block's synced batches are written on LevelDB's threads).
      while (queue.length < depth) queue.push(produce());
      await committing;
      if (committed === options.warmupBlocks) {
        t0 = performance.now();
        bytesAtStart = ledgers.bytesPerPeer;
      }
      if (committed > options.warmupBlocks && performance.now() - t0 >= options.durationMs) break;
      committing = ledgers.commit(block);
      committed++;
    }
    await committing;
    await Promise.allSettled(queue);
    const seconds = (performance.now() - t0) / 1000;
    const blocks = committed - options.warmupBlocks;
    const txs = blocks * txPerBlock;
    return {
      threads,
      txPerSec: Math.round((txs / seconds) * 10) / 10,
      blocks,
      txs,
      seconds: Math.round(seconds * 1000) / 1000,
      ledgerBytesPerTx: Math.round((ledgers.bytesPerPeer - bytesAtStart) / Math.max(1, txs)),
    };
  } finally {
    await pool?.close();
    await ledgers.close();
    await rm(options.dir, { recursive: true, force: true });
  }
}
