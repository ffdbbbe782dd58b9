import { describe, expect, it } from 'vitest';
import { cpuSplit, parseMachineTicks, parseProcStatTicks } from './cpu.js';

describe('parseProcStatTicks', () => {
  it('adds utime and stime, counting fields after the command name', () => {
    const line = '4242 (node) S 1 4242 4242 0 -1 4194304 1000 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    expect(parseProcStatTicks(line)).toBe(300);
  });

  it('copes with spaces and parentheses in the command name', () => {
    const line = '7 (my (odd) cmd) R 1 7 7 0 -1 0 0 0 0 0 12 3 0 0 20 0 1 0 5 0 0';
    expect(parseProcStatTicks(line)).toBe(15);
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseProcStatTicks('hello')).toThrow();
    expect(() => parseProcStatTicks('1 (x) S 1')).toThrow();
  });
});

describe('parseMachineTicks', () => {
  it('counts everything but idle and iowait as busy', () => {
    const text = 'cpu  100 5 20 800 10 1 2 3 0 0\ncpu0 50 2 10 400 5 0 1 1 0 0\n';
    expect(parseMachineTicks(text)).toEqual({ busy: 131, total: 941 });
  });
});

describe('cpuSplit', () => {
  const processes = [
    { name: 'network', pid: 1, cpuSeconds: 1.5, percentOfCore: 75 },
    { name: 'client', pid: 2, cpuSeconds: 0.5, percentOfCore: 25 },
  ];

  it('sums the processes as a share of all cores', () => {
    expect(cpuSplit(2, 2, processes).percentOfMachine).toBe(50);
  });

  it("attributes the machine's remaining busy time to other programs", () => {
    // 2 s on 2 cores = 400 ticks; 300 busy, of which 200 (2 s) are ours.
    const split = cpuSplit(2, 2, processes, { busy: 300, total: 400 }, 100);
    expect(split.otherPercentOfMachine).toBe(25);
    expect(cpuSplit(2, 2, processes).otherPercentOfMachine).toBeNull();
  });
});
