import type { CloseableAsyncIterable, Network } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { ProvenanceError } from './errors.js';
import { FabricBlockSource } from './fabric-block-source.js';

function block(n: number): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(n);
  const b = new common.Block();
  b.setHeader(header);
  return b;
}

/** A network whose block event streams serve blocks up to `height - 1`, then wait. */
function fakeNetwork(height: number, opened: number[], closed: { count: number }): Network {
  return {
    getBlockEvents(options?: {
      startBlock?: bigint | number;
    }): Promise<CloseableAsyncIterable<common.Block>> {
      let next = Number(options?.startBlock ?? 0);
      opened.push(next);
      const events = {
        close: () => {
          closed.count++;
        },
        [Symbol.asyncIterator]: () => ({
          next: () =>
            next < height
              ? Promise.resolve({ done: false, value: block(next++) })
              : new Promise<IteratorResult<common.Block>>(() => undefined),
        }),
      };
      return Promise.resolve(events as unknown as CloseableAsyncIterable<common.Block>);
    },
  } as unknown as Network;
}

describe('FabricBlockSource', () => {
  it('reads consecutive blocks from one event stream and reopens it for any other number', async () => {
    const opened: number[] = [];
    const closed = { count: 0 };
    const source = new FabricBlockSource(fakeNetwork(10, opened, closed));
    for (const n of [0n, 1n, 2n, 5n, 6n, 1n])
      expect(
        common.Block.deserializeBinary(await source.block(n))
          .getHeader()
          ?.getNumber(),
      ).toBe(Number(n));
    expect(opened).toEqual([0, 5, 1]);
    source.close();
    expect(closed.count).toBe(3);
  });

  it('gives up on a block that does not come', async () => {
    const source = new FabricBlockSource(fakeNetwork(3, [], { count: 0 }), { timeoutMs: 20 });
    const err = await source.block(7n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvenanceError);
    expect(err).toMatchObject({ code: 'BLOCK_UNAVAILABLE', block: 7 });
    expect(
      common.Block.deserializeBinary(await source.block(2n))
        .getHeader()
        ?.getNumber(),
    ).toBe(2);
  });
});
