/**
 * Load generators, as Caliper's rate controllers: a closed loop (N clients, each sending its next
 * operation when the previous one completed) to find capacity, and an open loop (operations due at
 * a fixed rate whether or not earlier ones completed) for latency at a given offered load.
 */
import type { Sample } from './stats.js';

/** Time source and sleep, injectable so tests never depend on the wall clock. */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
  /** Resolves after about `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
};

/** An operation: resolves to undefined on success or to a failure cause; must not reject. */
export type Operation = (seq: number) => Promise<string | undefined>;

/**
 * When the operations of a fixed-rate round are due: operation `i` (from 0) at `i / rate` seconds
 * after the start, and `floor(rate × duration)` operations in a round.
 */
export class FixedRateSchedule {
  readonly ratePerSec: number;
  readonly total: number;

  constructor(ratePerSec: number, durationMs: number) {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec))
      throw new RangeError(`rate must be positive, got ${ratePerSec}`);
    if (!(durationMs > 0)) throw new RangeError(`duration must be positive, got ${durationMs}`);
    this.ratePerSec = ratePerSec;
    this.total = Math.floor((ratePerSec * durationMs) / 1000);
  }

  /** Milliseconds from the start at which operation `i` is due. */
  dueAt(i: number): number {
    return (i * 1000) / this.ratePerSec;
  }

  /** How many operations are due `elapsedMs` after the start (including the one due exactly then). */
  dueBy(elapsedMs: number): number {
    if (elapsedMs < 0) return 0;
    return Math.min(this.total, Math.floor((elapsedMs * this.ratePerSec) / 1000) + 1);
  }
}

async function timed(op: Operation, seq: number, start: number, t0: number, clock: Clock): Promise<Sample> {
  let cause: string | undefined;
  try {
    cause = await op(seq);
  } catch (err) {
    cause = `CLIENT_ERROR:${err instanceof Error ? err.name : 'unknown'}`;
  }
  return { start: start - t0, end: clock.now() - t0, cause, seq };
}

/** Options of {@link closedLoop}. */
export interface ClosedLoopOptions {
  readonly concurrency: number;
  /** Stop issuing after this long (ms); operations in flight then still complete. */
  readonly durationMs?: number;
  /** Stop issuing after this many operations. */
  readonly maxOps?: number;
}

/**
 * Runs `concurrency` clients, each issuing its next operation as soon as its previous one completed,
 * until the duration has passed or `maxOps` operations were issued. Samples' start is the send time.
 */
export async function closedLoop(
  op: Operation,
  options: ClosedLoopOptions,
  clock: Clock = realClock,
): Promise<Sample[]> {
  const { concurrency, durationMs = Infinity, maxOps = Infinity } = options;
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, got ${concurrency}`);
  if (durationMs === Infinity && maxOps === Infinity) throw new RangeError('give a duration or maxOps');
  const samples: Sample[] = [];
  const t0 = clock.now();
  let seq = 0;
  const client = async (): Promise<void> => {
    while (seq < maxOps && clock.now() - t0 < durationMs) {
      const mine = seq++;
      samples.push(await timed(op, mine, clock.now(), t0, clock));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return samples;
}

/** Options of {@link openLoop}. */
export interface OpenLoopOptions {
  readonly ratePerSec: number;
  readonly durationMs: number;
  /** How often the scheduler wakes up to issue what is due (ms). */
  readonly tickMs?: number;
}

/**
 * Issues operations at a fixed rate for the duration, without waiting for earlier ones, then waits
 * for all of them. A sample's start is the operation's scheduled time, so time an operation waited
 * for the client's event loop counts in its latency (no coordinated omission).
 */
export async function openLoop(
  op: Operation,
  options: OpenLoopOptions,
  clock: Clock = realClock,
): Promise<Sample[]> {
  const schedule = new FixedRateSchedule(options.ratePerSec, options.durationMs);
  const tick = options.tickMs ?? 1;
  const t0 = clock.now();
  const inFlight: Array<Promise<Sample>> = [];
  let issued = 0;
  while (issued < schedule.total) {
    const due = schedule.dueBy(clock.now() - t0);
    while (issued < due) {
      inFlight.push(timed(op, issued, t0 + schedule.dueAt(issued), t0, clock));
      issued++;
    }
    if (issued < schedule.total) await clock.sleep(tick);
  }
  return Promise.all(inFlight);
}
