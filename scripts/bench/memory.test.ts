/** The soak's memory verdict: flat, leaking and saw-tooth series, and reading /proc. */
import { describe, expect, it } from 'vitest';
import { residentBytes, summarizeMemory } from './memory.js';

const series = (f: (t: number) => number, seconds = 1800, every = 10): Array<[number, number]> =>
  Array.from({ length: seconds / every + 1 }, (_, i) => [i * every, f(i * every)]);

describe('summarizeMemory', () => {
  it('calls a series flat when it only rises during the warm-up', () => {
    const m = summarizeMemory(
      'net',
      series((t) => (t < 300 ? 100 + t / 3 : 200)),
    );
    expect(m.flat).toBe(true);
    expect(m.meanMiB).toBe(200);
    expect(m.growthPercent).toBe(0);
  });

  it('calls a steady leak not flat, whatever the noise', () => {
    // 200 MiB growing 20 MiB per 10 minutes: +48 MiB over the last 24 minutes.
    const m = summarizeMemory(
      'net',
      series((t) => 200 + (t / 600) * 20 + ((t / 10) % 3) - 1),
    );
    expect(m.flat).toBe(false);
    expect(m.slopeMiBPerHour).toBeCloseTo(120, 0);
    expect(m.growthPercent).toBeGreaterThan(10);
  });

  it('calls garbage-collection saw teeth flat', () => {
    const m = summarizeMemory(
      'cc',
      series((t) => 150 + ((t / 10) % 12) * 5),
    );
    expect(m.flat).toBe(true);
    expect(m.maxMiB).toBe(205);
  });

  it('gives no verdict of flat on too few samples', () => {
    expect(summarizeMemory('x', [[0, 10]]).flat).toBe(false);
  });
});

describe('residentBytes', () => {
  it('reads this process and nothing for a missing one', () => {
    expect(residentBytes('self')).toBeGreaterThan(10 * 2 ** 20);
    expect(residentBytes(2 ** 30)).toBeUndefined();
  });
});
