import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hasLowS, verifyLowS } from './signing.js';

/** One signature to check: DER ECDSA P-256 over SHA-256(`message`) by `publicKey`, with a low S. */
export interface SignatureCheck {
  readonly publicKey: KeyObject;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Checks signatures exactly as {@link verifyLowS} does, possibly on other threads. Every call checks
 * every signature it is given: nothing is cached but parsed public keys, so each peer that asks
 * verifies for itself.
 */
export interface SignatureVerifier {
  verify(check: SignatureCheck): Promise<boolean>;
  /** The verdicts of `checks`, in order. */
  verifyAll(checks: readonly SignatureCheck[]): Promise<boolean[]>;
}

/** Verifies on the calling thread. */
export const inlineVerifier: SignatureVerifier = {
  verify: (c) => Promise.resolve(verifyLowS(c.publicKey, c.message, c.signature)),
  verifyAll: (checks) => Promise.resolve(checks.map((c) => verifyLowS(c.publicKey, c.message, c.signature))),
};

/*
 * The worker only runs node:crypto's verify over SHA-256 (the low-S rule is checked on the calling
 * thread by signing.ts before a signature is sent). It is plain CommonJS evaluated from this string so
 * that it runs the same from compiled and from TypeScript sources (tests). Public keys arrive once per
 * worker as SPKI DER under a number; a batch is one transferred buffer of messages and signatures.
 * Verdicts: 1 valid, 0 invalid, 2 key unknown to the worker (the caller then verifies itself).
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (m) => {
  if (m.reset) keys.clear();
  for (const [id, der] of m.keys) keys.set(id, createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }));
  const data = Buffer.from(m.data);
  const n = m.kids.length;
  const ok = new Uint8Array(n);
  let off = 0;
  for (let i = 0; i < n; i++) {
    const msg = data.subarray(off, off + m.lens[2 * i]);
    off += m.lens[2 * i];
    const sig = data.subarray(off, off + m.lens[2 * i + 1]);
    off += m.lens[2 * i + 1];
    const key = keys.get(m.kids[i]);
    if (key === undefined) { ok[i] = 2; continue; }
    try { ok[i] = verify('sha256', msg, key, sig) ? 1 : 0; } catch { ok[i] = 0; }
  }
  parentPort.postMessage({ id: m.id, ok }, [ok.buffer]);
});
`;

/** Checks queued in one turn of the event loop below this many go to a single worker. */
const MIN_SPLIT = 16;
/** Keys a worker holds before the pool makes it start over. */
const MAX_WORKER_KEYS = 4096;

interface Queued {
  readonly check: SignatureCheck;
  readonly resolve: (ok: boolean) => void;
}

interface Batch {
  readonly items: readonly Queued[];
}

interface Lane {
  readonly worker: Worker;
  readonly sent: Set<number>;
  readonly batches: Map<number, Batch>;
  load: number;
  dead: boolean;
}

interface KeyRef {
  readonly id: number;
  readonly der: Uint8Array;
}

/**
 * A pool of worker threads that verify signatures. Checks asked for in the same turn of the event
 * loop (a block's worth from a validator, concurrent proposals from endorsers) are sent together,
 * split across the workers. A worker that fails has its checks verified on the calling thread; the
 * verdict never depends on where a signature was checked.
 */
export class VerifyPool implements SignatureVerifier {
  readonly #lanes: Lane[] = [];
  readonly #keyRefs = new WeakMap<KeyObject, KeyRef>();
  #nextKeyId = 1;
  #nextBatchId = 1;
  #queue: Queued[] = [];
  #scheduled = false;
  #closed = false;

  private constructor(threads: number) {
    for (let i = 0; i < threads; i++) this.#lanes.push(this.#spawn());
  }

  /** Starts `threads` workers (at least one). */
  static start(threads: number): VerifyPool {
    return new VerifyPool(Math.max(1, Math.floor(threads)));
  }

  /** Number of live workers. */
  get threads(): number {
    return this.#lanes.filter((l) => !l.dead).length;
  }

  verify(check: SignatureCheck): Promise<boolean> {
    return new Promise((resolve) => {
      this.#enqueue({ check, resolve });
    });
  }

  verifyAll(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    return Promise.all(checks.map((c) => this.verify(c)));
  }

  /** Stops the workers; later checks run on the calling thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const lanes = this.#lanes.splice(0);
    for (const lane of lanes) this.#fail(lane);
    await Promise.all(lanes.map((l) => l.worker.terminate()));
  }

  #spawn(): Lane {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    const lane: Lane = { worker, sent: new Set(), batches: new Map(), load: 0, dead: false };
    worker.on('message', (m: { id: number; ok: Uint8Array }) => {
      this.#settle(lane, m.id, m.ok);
    });
    worker.on('error', () => {
      this.#fail(lane);
    });
    worker.on('exit', () => {
      this.#fail(lane);
    });
    return lane;
  }

  #enqueue(q: Queued): void {
    if (this.#closed || this.threads === 0) {
      q.resolve(verifyLowS(q.check.publicKey, q.check.message, q.check.signature));
      return;
    }
    this.#queue.push(q);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#flush();
      });
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    const send: Queued[] = [];
    for (const q of queue) {
      if (hasLowS(q.check.signature)) send.push(q);
      else q.resolve(false);
    }
    const lanes = this.#lanes.filter((l) => !l.dead).sort((a, b) => a.load - b.load);
    if (send.length === 0) return;
    if (lanes.length === 0) {
      for (const q of send) q.resolve(verifyLowS(q.check.publicKey, q.check.message, q.check.signature));
      return;
    }
    const parts = Math.min(lanes.length, Math.max(1, Math.floor(send.length / MIN_SPLIT)));
    const size = Math.ceil(send.length / parts);
    for (let i = 0; i < parts; i++) {
      const items = send.slice(i * size, (i + 1) * size);
      const lane = lanes[i];
      if (items.length > 0 && lane) this.#post(lane, items);
    }
  }

  #keyRef(key: KeyObject): KeyRef {
    let ref = this.#keyRefs.get(key);
    if (!ref) {
      ref = { id: this.#nextKeyId++, der: new Uint8Array(key.export({ format: 'der', type: 'spki' })) };
      this.#keyRefs.set(key, ref);
    }
    return ref;
  }

  #post(lane: Lane, items: readonly Queued[]): void {
    const reset = lane.sent.size > MAX_WORKER_KEYS;
    if (reset) lane.sent.clear();
    const keys: Array<[number, Uint8Array]> = [];
    const kids = new Int32Array(items.length);
    const lens = new Uint32Array(items.length * 2);
    let total = 0;
    items.forEach(({ check }, i) => {
      const ref = this.#keyRef(check.publicKey);
      kids[i] = ref.id;
      if (!lane.sent.has(ref.id)) {
        lane.sent.add(ref.id);
        keys.push([ref.id, ref.der]);
      }
      lens[2 * i] = check.message.byteLength;
      lens[2 * i + 1] = check.signature.byteLength;
      total += check.message.byteLength + check.signature.byteLength;
    });
    const data = new Uint8Array(total);
    let off = 0;
    for (const { check } of items) {
      data.set(check.message, off);
      off += check.message.byteLength;
      data.set(check.signature, off);
      off += check.signature.byteLength;
    }
    const id = this.#nextBatchId++;
    lane.batches.set(id, { items });
    if (lane.load === 0) lane.worker.ref();
    lane.load += items.length;
    try {
      lane.worker.postMessage({ id, reset, keys, kids, lens, data: data.buffer }, [
        kids.buffer,
        lens.buffer,
        data.buffer,
      ]);
    } catch {
      this.#fail(lane);
    }
  }

  #settle(lane: Lane, id: number, ok: Uint8Array): void {
    const batch = lane.batches.get(id);
    if (!batch) return;
    lane.batches.delete(id);
    lane.load -= batch.items.length;
    if (lane.load === 0) lane.worker.unref();
    batch.items.forEach((q, i) => {
      const verdict = ok[i];
      if (verdict === 0 || verdict === 1) q.resolve(verdict === 1);
      else q.resolve(verifyLowS(q.check.publicKey, q.check.message, q.check.signature));
    });
  }

  /** A worker is gone: its outstanding checks are verified here, and it gets no more work. */
  #fail(lane: Lane): void {
    if (!lane.dead) {
      lane.dead = true;
      lane.worker.unref();
    }
    const batches = [...lane.batches.values()];
    lane.batches.clear();
    lane.load = 0;
    for (const batch of batches) {
      for (const q of batch.items)
        q.resolve(verifyLowS(q.check.publicKey, q.check.message, q.check.signature));
    }
  }
}

/**
 * Worker threads of the process-wide pool: `CREDITCHAIN_VERIFY_THREADS` (0 verifies on the calling
 * thread), else one fewer than the cores (at least one, at most four): the event loop keeps a core.
 */
export function defaultVerifyThreads(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.CREDITCHAIN_VERIFY_THREADS;
  if (configured !== undefined && configured !== '') {
    const n = Number(configured);
    if (Number.isInteger(n) && n >= 0) return n;
  }
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

let shared: { pool: VerifyPool | undefined; users: number } = { pool: undefined, users: 0 };

/** A handle on the process-wide verifier; {@link SharedVerifier.release} when done with it. */
export interface SharedVerifier extends SignatureVerifier {
  release(): void;
}

/**
 * The verifier every peer of this process uses (each peer still submits and checks each of its own
 * signatures; the pool only lends threads). Workers stop when the last user releases it.
 */
export function acquireSharedVerifier(): SharedVerifier {
  const threads = defaultVerifyThreads();
  if (threads > 0 && shared.pool === undefined) shared = { pool: VerifyPool.start(threads), users: 0 };
  shared.users++;
  const verifier: SignatureVerifier = shared.pool ?? inlineVerifier;
  let released = false;
  return {
    verify: (c) => verifier.verify(c),
    verifyAll: (c) => verifier.verifyAll(c),
    release() {
      if (released) return;
      released = true;
      shared.users--;
      if (shared.users <= 0 && shared.pool) {
        void shared.pool.close();
        shared = { pool: undefined, users: 0 };
      }
    },
  };
}
