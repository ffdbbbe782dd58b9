/**
 * Runs tasks one at a time, in call order. A vault's read-check-write sequences (planning a batch,
 * then writing it) must not interleave; LevelDB locks its directory to one process, so an in-process
 * queue is enough.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled; resolves or rejects as it does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
