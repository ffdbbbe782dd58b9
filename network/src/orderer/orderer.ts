import { common } from '@hyperledger/fabric-protos';
import type { SigningIdentity } from '../crypto/signing.js';
import { BlockCutter, envelopeSize, type PendingEnvelope } from './batcher.js';
import { blockHeaderHash, buildBlock, getLastConfigIndex } from './blocks.js';
import { parseChannelConfig, type ChannelConfig } from './channel-config.js';
import type { BatchConfig } from './channel-group.js';
import { OrdererError } from './errors.js';
import type { OrdererStore } from './store.js';

/*
 * A single ordering node for one channel, behaving like Fabric's solo chain
 * (orderer/consensus/solo/consensus.go) behind the Broadcast handler (orderer/common/broadcast): accept
 * or refuse an envelope, cut batches by count/size/timeout, build, sign and persist each block, then
 * announce it to followers.
 */

/** `common.Status` codes the orderer answers with. */
export const STATUS = {
  SUCCESS: common.Status.SUCCESS,
  BAD_REQUEST: common.Status.BAD_REQUEST,
  FORBIDDEN: common.Status.FORBIDDEN,
  NOT_FOUND: common.Status.NOT_FOUND,
  INTERNAL_SERVER_ERROR: common.Status.INTERNAL_SERVER_ERROR,
  SERVICE_UNAVAILABLE: common.Status.SERVICE_UNAVAILABLE,
} as const;

/** Answer of a broadcast, as Fabric's `BroadcastResponse{status, info}`. */
export interface BroadcastResult {
  readonly status: number;
  readonly info: string;
}

/** The parsed parts of a broadcast envelope, handed to {@link Authorise} so it need not decode again. */
export interface BroadcastEnvelope {
  readonly payload: common.Payload;
  readonly channelHeader: common.ChannelHeader;
  readonly signatureHeader: common.SignatureHeader;
}

/** Outcome of authorisation: `'ok'`, or a refusal (403 FORBIDDEN for a bad creator or signature). */
export type AuthoriseResult = 'ok' | { readonly status: 400 | 403; readonly info: string };

/**
 * Decides whether an envelope may be ordered (creator MSP, signature, channel Writers policy). Wired by
 * the network; a thrown error answers 500.
 */
export type Authorise = (
  envelope: common.Envelope,
  parsed: BroadcastEnvelope,
) => AuthoriseResult | Promise<AuthoriseResult>;

/** A block as stored and delivered: followers get bytes and decode their own copy. */
export interface DeliveredBlock {
  readonly number: number;
  readonly bytes: Uint8Array;
}

/** Options of {@link Orderer.open}. */
export interface OrdererOptions {
  readonly store: OrdererStore;
  /** The orderer identity that signs blocks (an OrdererMSP member). */
  readonly signer: SigningIdentity;
  readonly authorise: Authorise;
  /**
   * Block 0: required when the store is empty (it is stored as is); when the store already has a chain
   * it must match the stored block 0 (same header hash), so pass the stored one, not a rebuilt one.
   */
  readonly genesisBlock?: Uint8Array;
  /** Overrides the batch parameters read from the channel configuration. */
  readonly batch?: BatchConfig;
}

function refuse(status: number, info: string): BroadcastResult {
  return { status, info };
}

function parse(
  bytes: Uint8Array,
): { envelope: common.Envelope; parsed: BroadcastEnvelope } | BroadcastResult {
  let envelope: common.Envelope;
  try {
    envelope = common.Envelope.deserializeBinary(bytes);
  } catch (err) {
    return refuse(STATUS.BAD_REQUEST, `bad envelope: ${(err as Error).message}`);
  }
  if (envelope.getPayload_asU8().length === 0) return refuse(STATUS.BAD_REQUEST, 'Message was empty');
  try {
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const header = payload.getHeader();
    if (!header) return refuse(STATUS.BAD_REQUEST, 'bad header: missing header');
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    return { envelope, parsed: { payload, channelHeader, signatureHeader } };
  } catch (err) {
    return refuse(STATUS.BAD_REQUEST, `bad header: ${(err as Error).message}`);
  }
}

const REFUSED_TYPES = new Set<number>([
  common.HeaderType.CONFIG,
  common.HeaderType.CONFIG_UPDATE,
  common.HeaderType.ORDERER_TRANSACTION,
]);

function checkBatch(batch: BatchConfig): BatchConfig {
  const ok = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
  if (
    !ok(batch.maxMessageCount) ||
    !ok(batch.absoluteMaxBytes) ||
    !ok(batch.preferredMaxBytes) ||
    !ok(batch.timeoutMs)
  )
    throw new OrdererError(`invalid batch configuration ${JSON.stringify(batch)}`);
  if (batch.preferredMaxBytes > batch.absoluteMaxBytes)
    throw new OrdererError('preferredMaxBytes must not exceed absoluteMaxBytes');
  return batch;
}

/** Ordering service for one channel: broadcast in, signed and persisted blocks out. */
export class Orderer {
  private readonly cutter: BlockCutter;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  private stopped = false;
  private failure: Error | undefined;

  private constructor(
    private readonly store: OrdererStore,
    private readonly signer: SigningIdentity,
    private readonly authorise: Authorise,
    /** The channel configuration the orderer runs with (from the last config block). */
    readonly config: ChannelConfig,
    /** The batch parameters in force. */
    readonly batch: BatchConfig,
    private count: number,
    private lastHash: Uint8Array,
    private lastConfig: number,
  ) {
    this.cutter = new BlockCutter(batch);
  }

  /**
   * Opens the orderer on a store: writes the genesis block into an empty store, or continues an
   * existing chain from its stored height, last header hash and last config index.
   */
  static async open(options: OrdererOptions): Promise<Orderer> {
    const { store } = options;
    let height = await store.height();
    if (height === 0) {
      if (!options.genesisBlock)
        throw new OrdererError('the orderer store is empty and no genesis block was given');
      let genesis: common.Block;
      try {
        genesis = common.Block.deserializeBinary(options.genesisBlock);
      } catch (err) {
        throw new OrdererError(`malformed genesis block: ${(err as Error).message}`);
      }
      if (genesis.getHeader()?.getNumber() !== 0) throw new OrdererError('the genesis block must be block 0');
      parseChannelConfig(genesis);
      await store.append(0, options.genesisBlock);
      height = 1;
    } else if (options.genesisBlock) {
      const stored = await Orderer.read(store, 0);
      const given = common.Block.deserializeBinary(options.genesisBlock);
      const a = stored.getHeader();
      const b = given.getHeader();
      if (!a || !b || !blockHeaderHash(a).equals(blockHeaderHash(b)))
        throw new OrdererError('the genesis block does not match block 0 of the stored chain');
    }
    const last = await Orderer.read(store, height - 1);
    const lastHeader = last.getHeader();
    if (!lastHeader) throw new OrdererError(`stored block ${height - 1} has no header`);
    const lastConfig = height === 1 ? 0 : getLastConfigIndex(last);
    const config = parseChannelConfig(await Orderer.read(store, lastConfig));
    const batch = checkBatch(options.batch ?? config.batch);
    return new Orderer(
      store,
      options.signer,
      options.authorise,
      config,
      batch,
      height,
      blockHeaderHash(lastHeader),
      lastConfig,
    );
  }

  private static async read(store: OrdererStore, n: number): Promise<common.Block> {
    const bytes = await store.get(n);
    if (!bytes) throw new OrdererError(`block ${n} is missing from the orderer store`);
    return common.Block.deserializeBinary(bytes);
  }

  /** The channel this orderer serves. */
  get channelId(): string {
    return this.config.channelId;
  }

  /** Number of persisted (and announced) blocks. */
  get height(): number {
    return this.count;
  }

  /** Whether the orderer stopped (by {@link stop} or after a store failure). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Submits an envelope. Resolves `{status: 200}` once the envelope is in the pending batch (or in a
   * batch already cut), or a refusal: 400 BAD_REQUEST (malformed, empty, larger than absoluteMaxBytes,
   * config transactions), 404 NOT_FOUND (other channel), 403/400 from `authorise`, 503
   * SERVICE_UNAVAILABLE once stopped.
   */
  async broadcast(envelopeBytes: Uint8Array): Promise<BroadcastResult> {
    if (this.stopped) return this.unavailable();
    const result = parse(envelopeBytes);
    if (!('envelope' in result)) return result;
    const { envelope, parsed } = result;
    const size = envelopeSize(envelope);
    if (size > this.batch.absoluteMaxBytes)
      return refuse(
        STATUS.BAD_REQUEST,
        `message payload is ${size} bytes and exceeds maximum allowed ${this.batch.absoluteMaxBytes} bytes`,
      );
    const channelId = parsed.channelHeader.getChannelId();
    if (channelId !== this.channelId) return refuse(STATUS.NOT_FOUND, `channel ${channelId} not found`);
    const type = parsed.channelHeader.getType();
    if (REFUSED_TYPES.has(type))
      return refuse(STATUS.BAD_REQUEST, `message of type ${type} is not supported by this orderer`);

    let verdict: AuthoriseResult;
    try {
      verdict = await this.authorise(envelope, parsed);
    } catch (err) {
      return refuse(STATUS.INTERNAL_SERVER_ERROR, `authorisation failed: ${(err as Error).message}`);
    }
    if (verdict !== 'ok') return refuse(verdict.status, verdict.info);
    // Re-checked: stop() may have run while authorise was pending.
    if (this.hasStopped()) return this.unavailable();

    this.accept({ bytes: envelope.serializeBinary(), size });
    return { status: STATUS.SUCCESS, info: '' };
  }

  private hasStopped(): boolean {
    return this.stopped;
  }

  private unavailable(): BroadcastResult {
    const why = this.failure ? `: ${this.failure.message}` : '';
    return refuse(STATUS.SERVICE_UNAVAILABLE, `orderer for channel ${this.channelId} is stopped${why}`);
  }

  private accept(envelope: PendingEnvelope): void {
    const { batches, pending } = this.cutter.ordered(envelope);
    if (batches.length > 0) this.clearTimer();
    for (const batch of batches) this.enqueue(batch);
    if (!pending) this.clearTimer();
    else if (this.timer === undefined)
      this.timer = setTimeout(() => {
        this.onTimeout();
      }, this.batch.timeoutMs);
  }

  private onTimeout(): void {
    this.timer = undefined;
    const batch = this.cutter.cut();
    if (batch.length > 0 && !this.stopped) this.enqueue(batch);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private enqueue(batch: PendingEnvelope[]): void {
    this.writes = this.writes.then(() => this.write(batch));
  }

  private async write(batch: PendingEnvelope[]): Promise<void> {
    if (this.failure) return;
    const number = this.count;
    try {
      const { block, bytes } = buildBlock({
        number,
        previousHash: this.lastHash,
        envelopes: batch.map((e) => e.bytes),
        lastConfig: this.lastConfig,
        signer: this.signer,
      });
      const header = block.getHeader();
      if (!header) throw new OrdererError('built block has no header');
      await this.store.append(number, bytes);
      this.lastHash = blockHeaderHash(header);
      this.count = number + 1;
    } catch (err) {
      this.failure = new OrdererError(`writing block ${number} failed: ${(err as Error).message}`);
      this.stopped = true;
      this.clearTimer();
      this.cutter.cut();
    }
    this.notify();
  }

  private notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  /** Resolves once every batch cut so far is persisted and announced. */
  settled(): Promise<void> {
    return this.writes;
  }

  private nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Follows the chain: yields the stored blocks from `from` on, then waits for new ones. Ends when the
   * consumer breaks, when `signal` aborts, or when the orderer stops; throws {@link OrdererError} if the
   * orderer failed to write a block. Each follower iterates independently, so a peer that was down
   * resumes from its own height.
   */
  async *blocks(
    from = 0,
    options: { readonly signal?: AbortSignal } = {},
  ): AsyncGenerator<DeliveredBlock, void> {
    if (!Number.isSafeInteger(from) || from < 0) throw new OrdererError(`invalid start block ${from}`);
    const { signal } = options;
    let next = from;
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.stopped || signal?.aborted) return;
      if (next < this.count) {
        const bytes = await this.store.get(next);
        if (!bytes) throw new OrdererError(`block ${next} is missing from the orderer store`);
        yield { number: next, bytes };
        next++;
      } else {
        await this.nextChange(signal);
      }
    }
  }

  /**
   * Stops the orderer: later and in-flight broadcasts answer 503, the pending (uncut) batch is dropped,
   * batches already cut are still persisted, and followers' iterators end. Does not close the store.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.cutter.cut();
    await this.writes;
    this.notify();
  }
}
