/** The load generators, driven by a simulated clock: no wall-clock timing anywhere. */
import { describe, expect, it } from 'vitest';
import { FixedRateSchedule, closedLoop, openLoop, type Clock } from './load.js';

/** A clock whose time only moves when every pending task waits on it. */
class SimClock implements Clock {
  t = 0;
  readonly #timers: Array<{ at: number; resolve: () => void }> = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#timers.push({ at: this.t + ms, resolve }));
  }

  /** Runs `work` to completion, advancing time to the next timer whenever everything is idle. */
  async run<T>(work: Promise<T>): Promise<T> {
    const state = { done: false };
    void work.finally(() => {
      state.done = true;
    });
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (state.done) return work;
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers.shift();
      if (!next) throw new Error('deadlock: nothing to wait for');
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}

describe('FixedRateSchedule', () => {
  it('spaces operations 1/rate apart and fits rate × duration of them in a round', () => {
    const s = new FixedRateSchedule(200, 1000);
    expect(s.total).toBe(200);
    expect(s.dueAt(0)).toBe(0);
    expect(s.dueAt(3)).toBe(15);
    expect(s.dueBy(0)).toBe(1);
    expect(s.dueBy(14.9)).toBe(3);
    expect(s.dueBy(15)).toBe(4);
    expect(s.dueBy(-1)).toBe(0);
    expect(s.dueBy(10_000)).toBe(200);
  });

  it('handles fractional rates', () => {
    const s = new FixedRateSchedule(37.5, 2000);
    expect(s.total).toBe(75);
    expect(s.dueAt(75)).toBe(2000);
  });

  it('refuses non-positive rates and durations', () => {
    expect(() => new FixedRateSchedule(0, 1000)).toThrow(RangeError);
    expect(() => new FixedRateSchedule(Infinity, 1000)).toThrow(RangeError);
    expect(() => new FixedRateSchedule(10, 0)).toThrow(RangeError);
  });
});

describe('openLoop', () => {
  it('issues every operation at its scheduled time, without waiting for earlier ones', async () => {
    const clock = new SimClock();
    const issuedAt: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const op = async (): Promise<undefined> => {
      issuedAt.push(clock.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await clock.sleep(30);
      inFlight--;
      return undefined;
    };
    const samples = await clock.run(openLoop(op, { ratePerSec: 100, durationMs: 500 }, clock));
    expect(samples).toHaveLength(50);
    expect(issuedAt).toEqual(Array.from({ length: 50 }, (_, i) => i * 10));
    expect(maxInFlight).toBe(3); // 30 ms operations every 10 ms
    expect(samples.map((s) => s.end - s.start)).toEqual(Array(50).fill(30));
  });

  it('measures latency from the scheduled time when the scheduler wakes up late', async () => {
    const clock = new SimClock();
    const samples = await clock.run(
      openLoop(() => Promise.resolve(undefined), { ratePerSec: 100, durationMs: 100, tickMs: 25 }, clock),
    );
    expect(samples).toHaveLength(10);
    // Operation 1 was due at 10 ms but issued at the 25 ms wake-up.
    expect(samples[1]).toEqual({ start: 10, end: 25, cause: undefined, seq: 1 });
  });

  it('records failure causes and turns a rejected operation into a client error', async () => {
    const clock = new SimClock();
    const op = (seq: number): Promise<string | undefined> =>
      seq === 1
        ? Promise.resolve('MVCC_READ_CONFLICT')
        : seq === 2
          ? Promise.reject(new TypeError('x'))
          : Promise.resolve(undefined);
    const samples = await clock.run(openLoop(op, { ratePerSec: 10, durationMs: 300 }, clock));
    expect(samples.map((s) => s.cause)).toEqual([undefined, 'MVCC_READ_CONFLICT', 'CLIENT_ERROR:TypeError']);
  });
});

describe('closedLoop', () => {
  it('keeps exactly `concurrency` operations in flight until the duration has passed', async () => {
    const clock = new SimClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const op = async (): Promise<undefined> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await clock.sleep(10);
      inFlight--;
      return undefined;
    };
    const samples = await clock.run(closedLoop(op, { concurrency: 4, durationMs: 100 }, clock));
    expect(maxInFlight).toBe(4);
    expect(samples).toHaveLength(40); // each client starts at 0, 10, …, 90 ms
    expect(Math.max(...samples.map((s) => s.end))).toBe(100);
  });

  it('stops after maxOps operations with unique sequence numbers', async () => {
    const clock = new SimClock();
    const seen: number[] = [];
    const op = async (seq: number): Promise<undefined> => {
      seen.push(seq);
      await clock.sleep(5);
      return undefined;
    };
    const samples = await clock.run(closedLoop(op, { concurrency: 3, maxOps: 10 }, clock));
    expect(samples).toHaveLength(10);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('needs a duration or an operation count, and at least one client', async () => {
    const op = (): Promise<undefined> => Promise.resolve(undefined);
    await expect(closedLoop(op, { concurrency: 1 })).rejects.toThrow(RangeError);
    await expect(closedLoop(op, { concurrency: 0, maxOps: 1 })).rejects.toThrow(RangeError);
  });
});
