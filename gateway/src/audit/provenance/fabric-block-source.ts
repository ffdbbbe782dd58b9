import type { CloseableAsyncIterable, Network } from '@hyperledger/fabric-gateway';
import type { common } from '@hyperledger/fabric-protos';
import type { BlockSource } from './block-source.js';
import { ProvenanceError } from './errors.js';

/** Options of {@link FabricBlockSource}. */
export interface FabricBlockSourceOptions {
  /** How long to wait for one block before giving up (default 30 s). */
  readonly timeoutMs?: number;
}

interface OpenStream {
  readonly events: CloseableAsyncIterable<common.Block>;
  readonly iterator: AsyncIterator<common.Block>;
  next: bigint;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * {@link BlockSource} over the block events of the unmodified `@hyperledger/fabric-gateway` client
 * (the peer's `Deliver` service; a peer has no other way for a client to read a block by number
 * without the `qscc` system chaincode, which the emulator does not run). Requests for consecutive
 * numbers share one event stream; any other number reopens it at that block. Not for concurrent use
 * by several builders; call {@link FabricBlockSource.close} when done.
 */
export class FabricBlockSource implements BlockSource {
  readonly #network: Network;
  readonly #timeoutMs: number;
  #stream: OpenStream | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(network: Network, options: FabricBlockSourceOptions = {}) {
    this.#network = network;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  block(number: bigint): Promise<Uint8Array> {
    const result = this.#queue.then(() => this.#read(number));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the open event stream, if any. */
  close(): void {
    this.#stream?.events.close();
    this.#stream = undefined;
  }

  async #read(number: bigint): Promise<Uint8Array> {
    const fail = (message: string, cause?: unknown): ProvenanceError =>
      new ProvenanceError('BLOCK_UNAVAILABLE', `block ${number}: ${message}`, {
        block: Number(number),
        cause,
      });
    let stream = this.#stream;
    if (stream?.next !== number) {
      this.close();
      try {
        const events = await this.#network.getBlockEvents({ startBlock: number });
        stream = { events, iterator: events[Symbol.asyncIterator](), next: number };
        this.#stream = stream;
      } catch (err) {
        throw fail('the peer refused block events', err);
      }
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = stream.iterator.next();
      pending.catch(() => undefined);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(fail(`no block within ${this.#timeoutMs} ms`));
        }, this.#timeoutMs);
      });
      const result = await Promise.race([pending, timeout]);
      if (result.done === true) throw fail('the event stream ended');
      const header = result.value.getHeader();
      if (BigInt(header?.getNumber() ?? -1) !== number)
        throw fail(`the peer sent block ${header?.getNumber() ?? '?'} instead`);
      stream.next = number + 1n;
      return result.value.serializeBinary();
    } catch (err) {
      this.close();
      throw err instanceof ProvenanceError ? err : fail('reading block events failed', err);
    } finally {
      clearTimeout(timer);
    }
  }
}
