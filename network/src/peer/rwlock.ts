/**
 * An async readers-writer lock. Simulations hold it shared and block commits hold it exclusively,
 * as a Fabric peer's commit lock does, so no simulation sees a half-committed block.
 * Writers are preferred: once a commit waits, new readers queue behind it.
 */
export class ReadWriteLock {
  #readers = 0;
  #writer = false;
  #waitingWriters: Array<() => void> = [];
  #waitingReaders: Array<() => void> = [];

  /** Runs `fn` holding the lock shared. */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#writer || this.#waitingWriters.length > 0) {
      await new Promise<void>((resolve) => this.#waitingReaders.push(resolve));
    } else {
      this.#readers++;
    }
    try {
      return await fn();
    } finally {
      this.#readers--;
      this.#drain();
    }
  }

  /** Runs `fn` holding the lock exclusively. */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#writer || this.#readers > 0) {
      await new Promise<void>((resolve) => this.#waitingWriters.push(resolve));
    } else {
      this.#writer = true;
    }
    try {
      return await fn();
    } finally {
      this.#writer = false;
      this.#drain();
    }
  }

  #drain(): void {
    if (this.#writer || this.#readers > 0) return;
    const writer = this.#waitingWriters.shift();
    if (writer) {
      this.#writer = true;
      writer();
      return;
    }
    const readers = this.#waitingReaders.splice(0);
    this.#readers += readers.length;
    for (const reader of readers) reader();
  }
}
