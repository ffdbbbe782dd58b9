import { common } from '@hyperledger/fabric-protos';
import type { PeerLedger } from '../ledger/index.js';
import { setTransactionsFilter } from '../orderer/blocks.js';
import type { CommitNotifier } from './commit-notifier.js';
import type { BlockValidator, ValidatedTx } from './validator.js';

/** Where a peer gets ordered blocks from: the orderer's delivery, from a given height on. */
export interface BlockSource {
  blocks(
    from: number,
    options?: { signal?: AbortSignal },
  ): AsyncIterable<{ number: number; bytes: Uint8Array }>;
}

/** The config transaction of block 0, which commits as VALID without state changes. */
function configTx(block: common.Block): ValidatedTx[] {
  const env = common.Envelope.deserializeBinary(block.getData()?.getDataList_asU8()[0] ?? new Uint8Array());
  const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
  const chdr = common.ChannelHeader.deserializeBinary(
    payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
  );
  const ts = chdr.getTimestamp();
  return [
    {
      txNum: 0,
      txId: chdr.getTxId(),
      code: 0,
      timestamp: { seconds: ts?.getSeconds() ?? 0, nanos: ts?.getNanos() ?? 0 },
      writes: [],
      metadataWrites: [],
    },
  ];
}

/**
 * Pulls blocks from the ordering service from the ledger's height on, validates each one, writes
 * the validation codes into its TRANSACTIONS_FILTER and commits it atomically, then notifies
 * waiters. A peer that was down resumes from its own height.
 */
export class Committer {
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #failure: Error | undefined;

  constructor(
    private readonly ledger: PeerLedger,
    private readonly validator: BlockValidator,
    private readonly source: BlockSource,
    private readonly notifier: CommitNotifier,
    /** Checks the ordering service's signature on a delivered block (the channel's BlockValidation policy). */
    private readonly verifyBlock: (block: common.Block) => boolean,
  ) {}

  /** The error that stopped committing, if any. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  start(): void {
    this.#loop ??= this.#run().catch((err: unknown) => {
      if (!this.#abort.signal.aborted) this.#failure = err as Error;
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    for await (const { number, bytes } of this.source.blocks(this.ledger.height, {
      signal: this.#abort.signal,
    })) {
      if (this.#abort.signal.aborted) return;
      if (number !== this.ledger.height) continue;
      await this.commitBlock(common.Block.deserializeBinary(bytes));
    }
  }

  /**
   * Validates and commits one block (the next one); exposed for catch-up and tests. Calls are
   * serialised. Only this committer changes the ledger, one block at a time, so the committed state
   * validation reads cannot move while it validates; simulations read from snapshots of the ledger
   * and never see part of a block, so a commit never waits for them (see {@link idle}).
   */
  commitBlock(block: common.Block): Promise<void> {
    const run = this.#serial.then(() => this.#commitBlock(block));
    this.#serial = run.catch(() => undefined);
    return run;
  }

  #serial: Promise<void> = Promise.resolve();

  /**
   * Resolves once the blocks this committer has received so far are committed (or failed). A
   * simulation starting meanwhile waits for them, as behind a Fabric peer's commit lock, so a peer
   * that has a block in hand endorses against it; commits never wait for simulations.
   */
  idle(): Promise<void> {
    return this.#serial;
  }

  async #commitBlock(block: common.Block): Promise<void> {
    const number = block.getHeader()?.getNumber() ?? 0;
    if (number > 0 && !this.verifyBlock(block)) {
      throw new Error(`block ${number} is not signed by the ordering service; refusing to commit it`);
    }
    const txs = number === 0 ? configTx(block) : await this.validator.validate(block);
    setTransactionsFilter(
      block,
      txs.map((t) => t.code),
    );
    const bytes = block.serializeBinary();
    await this.ledger.commit(
      bytes,
      block,
      txs.map((t) => ({
        txId: t.txId,
        txNum: t.txNum,
        code: t.code,
        timestamp: t.timestamp,
        writes: t.writes,
        metadataWrites: t.metadataWrites,
      })),
    );
    this.notifier.committed({ number, block, bytes, txs });
  }
}
