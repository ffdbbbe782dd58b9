import { describe, expect, it } from 'vitest';
import { percentile, roundStats, summarize, warmupMs, type Sample } from './stats.js';

describe('percentile (nearest rank)', () => {
  const values = [15, 20, 35, 40, 50];

  it('gives the smallest value with at least p % of the values at or below it', () => {
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
  });

  it('on 100 values, p99 is the 99th and p50 the 50th', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
  });

  it('is the only value for one sample and undefined for none', () => {
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('refuses percentiles outside (0, 100]', () => {
    expect(() => percentile(values, 0)).toThrow(RangeError);
    expect(() => percentile(values, 101)).toThrow(RangeError);
    expect(() => percentile(values, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts, rounds to 0.1 ms and reports count, mean and max', () => {
    expect(summarize([3.04, 1, 2])).toEqual({ count: 3, mean: 2, p50: 2, p95: 3, p99: 3, max: 3 });
  });

  it('gives nulls without samples', () => {
    expect(summarize([])).toEqual({ count: 0, mean: null, p50: null, p95: null, p99: null, max: null });
  });
});

describe('roundStats', () => {
  const samples: Sample[] = [
    { start: 0, end: 50 }, // ended in the warm-up: not in throughput, not in latency
    { start: 90, end: 150 }, // started in the warm-up, ended in the window: throughput only
    { start: 200, end: 300 },
    { start: 400, end: 420 },
    { start: 500, end: 1200 }, // ended after the window (drain): latency only
    { start: 600, end: 700, cause: 'MVCC_READ_CONFLICT' },
    { start: 700, end: 900, cause: 'TIMEOUT' },
    { start: 800, end: 950, cause: 'MVCC_READ_CONFLICT' },
  ];

  it('counts successes ending in the window per second, and latency of those starting in it', () => {
    const s = roundStats(samples, { from: 100, to: 1100 });
    expect(s.throughput).toBe(3);
    expect(s.latency.count).toBe(3);
    expect(s.latency.max).toBe(700);
    expect(s.latency.p50).toBe(100);
  });

  it('counts every failure by cause, over the whole round', () => {
    const s = roundStats(samples, { from: 100, to: 1100 });
    expect(s).toMatchObject({ sent: 8, succeeded: 5, failed: 3 });
    expect(s.failures).toEqual({ MVCC_READ_CONFLICT: 2, TIMEOUT: 1 });
    expect(Object.keys(s.failures)).toEqual(['MVCC_READ_CONFLICT', 'TIMEOUT']);
  });

  it('refuses an empty window', () => {
    expect(() => roundStats(samples, { from: 5, to: 5 })).toThrow(RangeError);
  });
});

describe('warmupMs', () => {
  it('is a fifth of the round, at most the cap', () => {
    expect(warmupMs(5000)).toBe(1000);
    expect(warmupMs(30_000)).toBe(2000);
    expect(warmupMs(30_000, 5000)).toBe(5000);
  });
});
