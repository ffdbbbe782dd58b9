/** The targets for this 2-core machine, checked against a run's results. */
import type { BenchResult, NotRun, RoundResult, TargetCheck } from './results.js';

/** Workloads of the issue that this version of the benchmark does not run. */
export const NOT_RUN: readonly NotRun[] = [
  {
    workload: 'Cross-org retrieval of 2 KiB reports (each a committed receipt)',
    reason: 'not run: needs the member gateway',
  },
  { workload: 'Cross-org retrieval of 1 MiB reports', reason: 'not run: needs the member gateway' },
  {
    workload: 'RequestAccess granted against recorded consents',
    reason: 'not run: the receipt workload here is RequestAccess denied for an unknown consent',
  },
  {
    workload: 'Scale: 1,000,000 anchored reports, peer restart, 30-minute soak',
    reason: 'not run: not implemented in this version of the benchmark',
  },
];

const fmt = (v: number | null | undefined, unit: string, digits = 1): string =>
  v === null || v === undefined ? 'not measured' : `${v.toFixed(digits)} ${unit}`;

function best(rounds: readonly RoundResult[], kind: RoundResult['kind']): RoundResult | undefined {
  return rounds
    .filter((r) => r.kind === kind)
    .reduce<RoundResult | undefined>(
      (a, r) => (a === undefined || r.throughput > a.throughput ? r : a),
      undefined,
    );
}

/** Each target with the measured value and whether it was met. */
export function checkTargets(result: Pick<BenchResult, 'capacity' | 'rounds' | 'bound'>): TargetCheck[] {
  const capacity = result.capacity?.txPerSec;
  const bound = result.bound?.txPerSec;
  const ratio = capacity !== undefined && bound !== undefined && bound > 0 ? capacity / bound : undefined;
  const half = result.rounds.find((r) => r.kind === 'latency' && r.loadPercent === 50);
  const p99 = half?.latencyMs.p99 ?? undefined;
  const reads = best(result.rounds, 'reads')?.throughput;
  const check = (v: number | undefined, ok: (v: number) => boolean): boolean | null =>
    v === undefined ? null : ok(v);
  return [
    {
      target: 'SubmitReport: at least 600 committed tx/s',
      measured: fmt(capacity, 'tx/s'),
      met: check(capacity, (v) => v >= 600),
    },
    {
      target: 'SubmitReport: at least 50 % of the in-run physical bound',
      measured:
        ratio === undefined || bound === undefined
          ? 'not measured'
          : `${(ratio * 100).toFixed(1)} % of ${bound.toFixed(1)} tx/s`,
      met: check(ratio, (v) => v >= 0.5),
    },
    {
      target: 'SubmitReport: p99 commit latency at half of capacity at most 300 ms',
      measured: fmt(p99, 'ms'),
      met: check(p99, (v) => v <= 300),
    },
    {
      target: 'Reads: at least 3,000 evaluations/s',
      measured: fmt(reads, 'evaluations/s'),
      met: check(reads, (v) => v >= 3000),
    },
    {
      target: 'Cross-org retrieval: 300 reports/s (2 KiB), 100 MB/s (1 MiB)',
      measured: 'not run: needs the member gateway',
      met: null,
    },
    {
      target: 'Scale: 1,000,000 reports within 20 %, restart in 30 s, flat memory over a 30-minute soak',
      measured: 'not run',
      met: null,
    },
  ];
}
