/**
 * Statistics of a benchmark round: latency percentiles (nearest rank, as Caliper and most load tools
 * report them) and the rate of completions inside a measurement window.
 */

/** One operation of a round, with times in milliseconds from the round's start. */
export interface Sample {
  /** When the operation was due (open loop: its scheduled time) or started (closed loop). */
  readonly start: number;
  /** When its outcome was known (committed, evaluated or failed). */
  readonly end: number;
  /** The failure cause, or undefined for a success. */
  readonly cause?: string | undefined;
  /** The operation's sequence number in its round. */
  readonly seq?: number;
}

/** Latency distribution in milliseconds; null fields when there were no samples. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * The `p`-th percentile (0 < p ≤ 100) of `sorted` (ascending) by the nearest-rank method: the
 * smallest value with at least p % of the values at or below it. Undefined for an empty array.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Rounds to 0.1 ms (sub-0.1 ms differences are noise at these latencies). */
function ms(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}

/** Count, mean, p50/p95/p99 and max of `values` (milliseconds, any order). */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length === 0 ? undefined : sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    count: sorted.length,
    mean: ms(mean),
    p50: ms(percentile(sorted, 50)),
    p95: ms(percentile(sorted, 95)),
    p99: ms(percentile(sorted, 99)),
    max: ms(sorted[sorted.length - 1]),
  };
}

/** The measurement window of a round: samples are judged by when they ended or started in it. */
export interface Window {
  /** Start of the window (ms from the round start): after the warm-up. */
  readonly from: number;
  /** End of the window: when the round stopped issuing operations. */
  readonly to: number;
}

/** What a round's samples amount to. */
export interface RoundStats {
  /** Operations issued in the whole round (warm-up and drain included). */
  readonly sent: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failures by cause, over the whole round. */
  readonly failures: Readonly<Record<string, number>>;
  /** Successes that completed inside the window, per second of window. */
  readonly throughput: number;
  /** Latency of the successes that started inside the window. */
  readonly latency: LatencySummary;
}

/** Throughput, counts and latency of a round's samples over `window`. */
export function roundStats(samples: readonly Sample[], window: Window): RoundStats {
  if (!(window.to > window.from)) throw new RangeError('the window must have a positive length');
  const failures: Record<string, number> = {};
  let succeeded = 0;
  let inWindow = 0;
  const latencies: number[] = [];
  for (const s of samples) {
    if (s.cause !== undefined) {
      failures[s.cause] = (failures[s.cause] ?? 0) + 1;
      continue;
    }
    succeeded++;
    if (s.end >= window.from && s.end <= window.to) inWindow++;
    if (s.start >= window.from && s.start < window.to) latencies.push(s.end - s.start);
  }
  const sortedFailures = Object.fromEntries(Object.entries(failures).sort(([a], [b]) => a.localeCompare(b)));
  return {
    sent: samples.length,
    succeeded,
    failed: samples.length - succeeded,
    failures: sortedFailures,
    throughput: round1((inWindow * 1000) / (window.to - window.from)),
    latency: summarize(latencies),
  };
}

/** The warm-up excluded from a round's window: a fifth of the round, at most `maxMs`. */
export function warmupMs(durationMs: number, maxMs = 2000): number {
  return Math.min(maxMs, Math.floor(durationMs / 5));
}

/** Rounds to one decimal. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Rounds to three decimals (ratios). */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
