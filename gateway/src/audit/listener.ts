/*
 * The block listener that feeds the audit read model: streams blocks from the store's checkpoint,
 * verifies each one (number, hash chain, data hash, orderer signature), derives its index entries
 * and commits block, entries and next checkpoint in one atomic write. A restart resumes exactly at
 * the checkpoint; a block delivered again is recognised by its hash and skipped, so nothing is
 * counted twice. A block that fails verification raises a persisted integrity alarm and indexing
 * stops for good (the model keeps answering for the blocks before it).
 */
import type { Clock } from '../ports/clock.js';
import type { AuditStore } from './audit-store.js';
import { BlockFormatError, decodeBlock, decodeTransactions, type DecodedTx } from './block-decode.js';
import type { BlockFeed, BlockStream } from './block-source.js';
import {
  blockHash,
  ChannelConfigError,
  ordererTrustOf,
  verifyChain,
  verifySignatures,
} from './block-verify.js';
import type { VerificationFailure } from './block-verify.js';
import { buildPlan } from './index-builder.js';
import type { IntegrityAlarm, OrdererTrust } from './model.js';

/** What the listener tells its operator; never subjects, never keys. */
export interface AuditLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link AuditListener}. */
export interface AuditListenerOptions {
  readonly store: AuditStore;
  readonly feed: BlockFeed;
  /** The chaincode whose transactions are indexed (default `credit`). */
  readonly chaincode?: string;
  /**
   * Orderer CAs pinned by the gateway's configuration. Absent: the orderer organisations of the
   * channel's genesis block (and later CONFIG blocks) are trusted.
   */
  readonly pinnedTrust?: OrdererTrust;
  readonly clock: Clock;
  readonly log?: AuditLog;
  /** Reconnection back-off, in milliseconds (default 500 doubling to 30 000). */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
}

/** What became of one delivered block. */
export type IngestOutcome = 'indexed' | 'duplicate' | 'alarm' | 'halted';

/** Where the listener is. */
export type ListenerState = 'idle' | 'connecting' | 'following' | 'halted' | 'stopped';

/** The listener's own status (the store has checkpoint, counts and alarm). */
export interface ListenerStatus {
  readonly state: ListenerState;
  /** Why the last stream failed, when it did (a short message, no data). */
  readonly lastError: string | null;
}

const silent: AuditLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

class Halt extends Error {
  readonly failure: VerificationFailure;
  readonly block: bigint;

  constructor(block: bigint, failure: VerificationFailure) {
    super(failure.reason);
    this.failure = failure;
    this.block = block;
  }
}

/** Feeds an {@link AuditStore} from a {@link BlockFeed}; see the module comment. */
export class AuditListener {
  readonly #o: AuditListenerOptions;
  readonly #log: AuditLog;
  readonly #chaincode: string;
  #state: ListenerState = 'idle';
  #lastError: string | null = null;
  #stream: BlockStream | undefined;
  #run: Promise<void> | undefined;
  #closing = false;
  #wake: (() => void) | undefined;
  #ingesting: Promise<unknown> = Promise.resolve();
  readonly #waiters = new Set<{ target: bigint; resolve: () => void }>();

  constructor(options: AuditListenerOptions) {
    this.#o = options;
    this.#log = options.log ?? silent;
    this.#chaincode = options.chaincode ?? 'credit';
  }

  status(): ListenerStatus {
    return { state: this.#state, lastError: this.#lastError };
  }

  /** Starts following the ledger in the background. */
  start(): void {
    if (this.#run) return;
    this.#closing = false;
    this.#run = this.#loop();
  }

  /** Stops following; resolves once the block being indexed (if any) is committed or dropped. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#stream?.close();
    this.#wake?.();
    await this.#run;
    await this.#ingesting.catch(() => undefined);
    this.#run = undefined;
    if (this.#state !== 'halted') this.#state = 'stopped';
    for (const w of this.#waiters) w.resolve();
    this.#waiters.clear();
  }

  /**
   * Resolves once block `number - 1` is indexed (checkpoint ≥ `number`), or the listener halts or
   * closes; rejects after `timeoutMs`.
   */
  async indexedUpTo(number: bigint, timeoutMs = 30_000): Promise<void> {
    if ((await this.#o.store.checkpoint()) >= number) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        target: number,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`block ${number - 1n} was not indexed within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /**
   * Verifies and indexes one delivered block. Blocks are ingested one at a time, in order.
   */
  ingest(bytes: Uint8Array): Promise<IngestOutcome> {
    const run = this.#ingesting.then(() => this.#ingest(bytes));
    this.#ingesting = run.catch(() => undefined);
    return run;
  }

  async #ingest(bytes: Uint8Array): Promise<IngestOutcome> {
    const store = this.#o.store;
    if (await store.alarm()) return 'halted';
    const expected = await store.checkpoint();
    try {
      let decoded;
      try {
        decoded = decodeBlock(bytes).decoded;
      } catch (err) {
        throw new Halt(expected, { code: 'BLOCK_MALFORMED', reason: (err as Error).message });
      }
      if (decoded.number < expected) {
        const stored = await store.blockHash(decoded.number);
        if (stored && Buffer.from(stored).equals(blockHash(decoded))) return 'duplicate';
        throw new Halt(decoded.number, {
          code: 'BLOCK_REWRITTEN',
          reason: `block ${decoded.number} was delivered again with a different header`,
        });
      }
      const chain = verifyChain(decoded, expected, await store.lastHash());
      if (chain) throw new Halt(expected, chain);
      let txs: DecodedTx[];
      try {
        txs = decodeTransactions(decoded, this.#chaincode);
      } catch (err) {
        throw new Halt(expected, { code: 'BLOCK_MALFORMED', reason: (err as Error).message });
      }
      const trust = this.#o.pinnedTrust ?? (expected === 0n ? genesisTrust(txs) : await store.trust());
      if (!trust)
        throw new Halt(expected, { code: 'CHANNEL_CONFIG_INVALID', reason: 'no orderer trust is stored' });
      const signatures = verifySignatures(decoded, trust);
      if (signatures) throw new Halt(expected, signatures);
      let plan;
      try {
        plan = await buildPlan(Number(expected), txs, store);
      } catch (err) {
        if (err instanceof BlockFormatError)
          throw new Halt(expected, { code: 'BLOCK_MALFORMED', reason: err.message });
        throw err;
      }
      let nextTrust: OrdererTrust | null = expected === 0n && !this.#o.pinnedTrust ? trust : null;
      if (!this.#o.pinnedTrust && expected > 0n)
        for (const config of plan.channelConfigs) nextTrust = channelTrust(config, expected);
      await store.commit({ number: expected, bytes, hash: blockHash(decoded), plan, trust: nextTrust });
      this.#notify(expected + 1n);
      return 'indexed';
    } catch (err) {
      if (!(err instanceof Halt)) throw err;
      const alarm: IntegrityAlarm = {
        code: err.failure.code,
        block: Number(err.block),
        reason: err.failure.reason,
        detectedAt: this.#o.clock.now().toISOString(),
      };
      await store.raiseAlarm(alarm);
      this.#log.error({ alarm: alarm.code, block: alarm.block }, 'audit integrity alarm: indexing stopped');
      this.#state = 'halted';
      this.#notify(-1n);
      return 'alarm';
    }
  }

  #notify(checkpoint: bigint): void {
    for (const w of this.#waiters)
      if (checkpoint < 0n || w.target <= checkpoint) {
        this.#waiters.delete(w);
        w.resolve();
      }
  }

  /** Whether {@link close} was called (a method, so that checks after awaits are not narrowed away). */
  #stopping(): boolean {
    return this.#closing;
  }

  async #loop(): Promise<void> {
    const retry = this.#o.retry ?? { initialMs: 500, maxMs: 30_000 };
    let delay = retry.initialMs;
    while (!this.#stopping()) {
      if (await this.#o.store.alarm()) {
        this.#state = 'halted';
        this.#notify(-1n);
        return;
      }
      try {
        this.#state = 'connecting';
        const start = await this.#o.store.checkpoint();
        this.#stream = await this.#o.feed.open(start);
        if (this.#stopping()) break;
        this.#state = 'following';
        this.#log.info({ block: Number(start) }, 'audit listener following blocks');
        for await (const bytes of this.#stream) {
          const outcome = await this.ingest(bytes);
          delay = retry.initialMs;
          if (outcome === 'alarm' || outcome === 'halted') return;
          if (this.#stopping()) break;
        }
      } catch (err) {
        if (this.#stopping()) break;
        this.#state = 'connecting';
        this.#lastError = err instanceof Error ? err.message : String(err);
        this.#log.warn({ err: this.#lastError }, 'audit block stream failed; reconnecting');
      } finally {
        this.#stream?.close();
        this.#stream = undefined;
      }
      if (this.#stopping()) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      delay = Math.min(delay * 2, retry.maxMs);
    }
  }
}

function channelTrust(config: Uint8Array, block: bigint): OrdererTrust {
  try {
    return ordererTrustOf(config, Number(block));
  } catch (err) {
    if (err instanceof ChannelConfigError)
      throw new Halt(block, { code: 'CHANNEL_CONFIG_INVALID', reason: err.message });
    throw err;
  }
}

function genesisTrust(txs: readonly DecodedTx[]): OrdererTrust {
  const config = txs.find((t) => t.config !== null)?.config;
  if (!config)
    throw new Halt(0n, {
      code: 'CHANNEL_CONFIG_INVALID',
      reason: 'block 0 carries no channel configuration',
    });
  return channelTrust(config, 0n);
}
