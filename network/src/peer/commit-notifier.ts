import type { common } from '@hyperledger/fabric-protos';
import type { ValidatedTx } from './validator.js';

/** A committed block with the verdict on each of its transactions. */
export interface CommittedBlock {
  readonly number: number;
  readonly block: common.Block;
  readonly bytes: Uint8Array;
  readonly txs: readonly ValidatedTx[];
}

/** Fans committed blocks out to waiters: commit-status calls and event streams. */
export class CommitNotifier {
  readonly #txWaiters = new Map<string, Set<(status: { code: number; blockNumber: number }) => void>>();
  readonly #blockWaiters = new Set<() => void>();

  /** Resolves when `txId` commits (first occurrence), unless `signal` aborts first. */
  waitForTx(txId: string, signal?: AbortSignal): Promise<{ code: number; blockNumber: number }> {
    return new Promise((resolve, reject) => {
      let set = this.#txWaiters.get(txId);
      if (!set) {
        set = new Set();
        this.#txWaiters.set(txId, set);
      }
      const waiter = (status: { code: number; blockNumber: number }): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(status);
      };
      const onAbort = (): void => {
        set.delete(waiter);
        if (set.size === 0) this.#txWaiters.delete(txId);
        reject(new Error('cancelled'));
      };
      set.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves at the next committed block, or when `signal` aborts. */
  nextBlock(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#blockWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#blockWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Called by the committer after each block is durably committed. */
  committed(block: CommittedBlock): void {
    const seen = new Set<string>();
    for (const tx of block.txs) {
      if (tx.txId === '' || seen.has(tx.txId)) continue;
      seen.add(tx.txId);
      const waiters = this.#txWaiters.get(tx.txId);
      if (!waiters) continue;
      this.#txWaiters.delete(tx.txId);
      for (const w of waiters) w({ code: tx.code, blockNumber: block.number });
    }
    for (const w of [...this.#blockWaiters]) w();
  }
}
