/**
 * Memory of the benchmark's processes over a long round (the soak): resident set sizes sampled from
 * `/proc/<pid>/status`, and whether each stayed flat — a least-squares line through the samples after
 * the warm-up, whose rise over that window must stay under a tenth of the mean.
 */
import { readFileSync } from 'node:fs';

/** A process to watch: `self` is this process (the network's orderer and peers run here). */
export interface MemoryTarget {
  readonly name: string;
  readonly pid: number | 'self';
}

/** One process's samples and verdict. */
export interface ProcessMemory {
  readonly name: string;
  /** [seconds since the start, resident MiB]. */
  readonly samples: ReadonlyArray<readonly [number, number]>;
  /** Mean of the samples after the warm-up, MiB. */
  readonly meanMiB: number;
  readonly firstMiB: number;
  readonly lastMiB: number;
  readonly maxMiB: number;
  /** Slope of the fitted line after the warm-up, MiB per hour. */
  readonly slopeMiBPerHour: number;
  /** The fitted line's rise over the post-warm-up window, as a percentage of the mean. */
  readonly growthPercent: number;
  readonly flat: boolean;
}

/** Growth of the fitted line over the window, in percent of the mean, below which memory is flat. */
export const FLAT_GROWTH_PERCENT = 10;

/** Resident set size of `pid` in bytes, or undefined when the process is gone or /proc is absent. */
export function residentBytes(pid: number | 'self'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid === 'self' ? 'self' : String(pid)}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/**
 * The verdict on one process's samples: the first `warmupFraction` of the time is left out (caches
 * filling, JIT), a line is fitted through the rest.
 */
export function summarizeMemory(
  name: string,
  samples: ReadonlyArray<readonly [number, number]>,
  warmupFraction = 0.2,
): ProcessMemory {
  const end = samples.at(-1)?.[0] ?? 0;
  const kept = samples.filter(([t]) => t >= end * warmupFraction);
  const n = kept.length;
  const mean = n > 0 ? kept.reduce((s, [, v]) => s + v, 0) / n : 0;
  const meanT = n > 0 ? kept.reduce((s, [t]) => s + t, 0) / n : 0;
  let num = 0;
  let den = 0;
  for (const [t, v] of kept) {
    num += (t - meanT) * (v - mean);
    den += (t - meanT) ** 2;
  }
  const slope = den > 0 ? num / den : 0;
  const window = n > 1 ? (kept.at(-1)?.[0] ?? 0) - (kept[0]?.[0] ?? 0) : 0;
  const growthPercent = mean > 0 ? ((slope * window) / mean) * 100 : 0;
  return {
    name,
    samples,
    meanMiB: round1(mean),
    firstMiB: round1(kept[0]?.[1] ?? 0),
    lastMiB: round1(kept.at(-1)?.[1] ?? 0),
    maxMiB: round1(Math.max(0, ...samples.map(([, v]) => v))),
    slopeMiBPerHour: round1(slope * 3600),
    growthPercent: round1(growthPercent),
    flat: n >= 3 && growthPercent < FLAT_GROWTH_PERCENT,
  };
}

/** Samples the resident memory of `targets` every `intervalMs` until stopped. */
export class MemorySampler {
  readonly #series = new Map<string, Array<[number, number]>>();
  readonly #timer: NodeJS.Timeout;
  readonly #t0 = performance.now();

  constructor(
    private readonly targets: readonly MemoryTarget[],
    intervalMs: number,
  ) {
    for (const t of targets) this.#series.set(t.name, []);
    this.#sample();
    this.#timer = setInterval(() => {
      this.#sample();
    }, intervalMs);
  }

  #sample(): void {
    const t = (performance.now() - this.#t0) / 1000;
    for (const target of this.targets) {
      const bytes = residentBytes(target.pid);
      if (bytes !== undefined) this.#series.get(target.name)?.push([round1(t), round1(bytes / 2 ** 20)]);
    }
  }

  /** Stops sampling (after one last sample) and returns each process's verdict. */
  stop(): ProcessMemory[] {
    clearInterval(this.#timer);
    this.#sample();
    return this.targets.map((t) => summarizeMemory(t.name, this.#series.get(t.name) ?? []));
  }
}
