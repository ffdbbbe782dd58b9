import type { BlockFeed, BlockStream } from '../block-source.js';

/*
 * Test-only: a BlockFeed over an array of blocks that may grow, optionally failing streams to
 * exercise reconnection, and replacing blocks to deliver tampered ones.
 */
export class MemoryBlockFeed implements BlockFeed {
  readonly blocks: Uint8Array[];
  /** Start blocks of every stream opened. */
  readonly opened: bigint[] = [];
  /** The next `open` fails with this error. */
  failOpen: Error | undefined;
  /** Streams fail after delivering this many blocks. */
  failAfter: number | undefined;
  #wake = new Set<() => void>();

  constructor(blocks: Uint8Array[] = []) {
    this.blocks = blocks;
  }

  /** Appends blocks and wakes the streams waiting for them. */
  append(...blocks: Uint8Array[]): void {
    this.blocks.push(...blocks);
    for (const w of this.#wake) w();
  }

  open(startBlock: bigint): Promise<BlockStream> {
    this.opened.push(startBlock);
    const failure = this.failOpen;
    this.failOpen = undefined;
    if (failure) return Promise.reject(failure);
    let closed = false;
    let wake: (() => void) | undefined;
    const blockAt = (n: number): Uint8Array | undefined => this.blocks[n];
    const waiters = this.#wake;
    const failAfter = this.failAfter;
    return Promise.resolve({
      close: () => {
        closed = true;
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        let n = Number(startBlock);
        let delivered = 0;
        while (!closed) {
          const block = blockAt(n);
          if (block) {
            if (failAfter !== undefined && delivered >= failAfter) throw new Error('stream broken');
            n++;
            delivered++;
            yield block;
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            waiters.add(resolve);
          });
          if (wake) waiters.delete(wake);
        }
      },
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
