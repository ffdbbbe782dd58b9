/**
 * CPU time per process over a round: this process through `process.cpuUsage()`, other processes
 * (the load client, the chaincode servers) through `/proc/<pid>/stat` (utime + stime, Linux).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicksPerSecond(): number {
  try {
    const out = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(out) && out > 0 ? out : 100;
  } catch {
    return 100;
  }
}

/**
 * utime + stime in clock ticks from the text of `/proc/<pid>/stat`. The command name (field 2) is
 * in parentheses and may contain spaces and parentheses, so fields are counted after the last `)`.
 */
export function parseProcStatTicks(text: string): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line');
  // After ")": field 3 (state) is index 0, so utime (field 14) is index 11 and stime (15) index 12.
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('no utime/stime fields');
  return utime + stime;
}

/**
 * Busy and total clock ticks of the whole machine from the text of `/proc/stat` (its `cpu` line):
 * busy is everything but idle and iowait.
 */
export function parseMachineTicks(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 5 || v.some((x) => !Number.isFinite(x))) throw new Error('bad cpu line in /proc/stat');
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    return parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Share of the machine (0-100) busy over the next `ms` milliseconds, or null without `/proc/stat`. */
export async function machineBusyPercent(ms: number): Promise<number | null> {
  const a = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = machineTicks();
  if (!a || !b || b.total <= a.total) return null;
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10;
}

/** A process whose CPU time is measured. */
export interface CpuTarget {
  readonly name: string;
  /** `'self'` for this process. */
  readonly pid: number | 'self';
}

/** CPU seconds used by one process over a round, and as a percentage of one core. */
export interface ProcessCpu {
  readonly name: string;
  readonly pid: number;
  readonly cpuSeconds: number;
  readonly percentOfCore: number;
}

/** CPU split of a round. */
export interface CpuSplit {
  readonly wallSeconds: number;
  readonly cores: number;
  readonly processes: readonly ProcessCpu[];
  /** Sum over the processes, as a percentage of the machine (all cores). */
  readonly percentOfMachine: number;
  /**
   * CPU used by everything else on the machine meanwhile (other programs), as a percentage of the
   * machine; null where `/proc/stat` is not readable. A high value means the round competed for CPU.
   */
  readonly otherPercentOfMachine: number | null;
}

function cpuSecondsOf(target: CpuTarget, ticksPerSecond: number): number | undefined {
  if (target.pid === 'self') {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  try {
    return parseProcStatTicks(readFileSync(`/proc/${target.pid}/stat`, 'utf8')) / ticksPerSecond;
  } catch {
    return undefined; // the process is gone
  }
}

/** A running measurement: {@link startCpu} now, `stop()` at the end of the round. */
export interface CpuMeasurement {
  stop(): CpuSplit;
}

/** Starts measuring the CPU time of `targets`; processes that exit meanwhile are left out. */
export function startCpu(
  targets: readonly CpuTarget[],
  cores: number,
  ticksPerSecond: number,
): CpuMeasurement {
  const t0 = performance.now();
  const machine0 = machineTicks();
  const before = targets.map((t) => cpuSecondsOf(t, ticksPerSecond));
  return {
    stop(): CpuSplit {
      const wallSeconds = (performance.now() - t0) / 1000;
      const processes: ProcessCpu[] = [];
      targets.forEach((t, i) => {
        const start = before[i];
        const end = cpuSecondsOf(t, ticksPerSecond);
        if (start === undefined || end === undefined) return;
        processes.push(processCpu(t, end - start, wallSeconds));
      });
      const machine1 = machineTicks();
      const machine =
        machine0 && machine1
          ? { busy: machine1.busy - machine0.busy, total: machine1.total - machine0.total }
          : undefined;
      return cpuSplit(wallSeconds, cores, processes, machine, ticksPerSecond);
    },
  };
}

function processCpu(target: CpuTarget, cpuSeconds: number, wallSeconds: number): ProcessCpu {
  return {
    name: target.name,
    pid: target.pid === 'self' ? process.pid : target.pid,
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    percentOfCore: wallSeconds > 0 ? Math.round((cpuSeconds / wallSeconds) * 1000) / 10 : 0,
  };
}

/**
 * Builds a split from per-process CPU seconds and, when known, the machine's busy and total ticks
 * over the same time (exported for tests).
 */
export function cpuSplit(
  wallSeconds: number,
  cores: number,
  processes: readonly ProcessCpu[],
  machine?: { busy: number; total: number },
  ticksPerSecond = 100,
): CpuSplit {
  const ours = processes.reduce((s, p) => s + p.cpuSeconds, 0);
  let other: number | null = null;
  if (machine && machine.total > 0) {
    const busySeconds = machine.busy / ticksPerSecond;
    const totalSeconds = machine.total / ticksPerSecond;
    other = Math.round(Math.max(0, (busySeconds - ours) / totalSeconds) * 1000) / 10;
  }
  return {
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    cores,
    processes,
    percentOfMachine: wallSeconds > 0 ? Math.round((ours / (wallSeconds * cores)) * 1000) / 10 : 0,
    otherPercentOfMachine: other,
  };
}
