/** The issue's targets for this 2-core machine, checked against a run's results. */
import type { BenchResult, NotRun, RoundResult, TargetCheck } from './results.js';

/** Workloads of the issue that this version of the benchmark does not run. */
export const NOT_RUN: readonly NotRun[] = [
  {
    workload: 'RequestAccess granted against recorded consents, directly through fabric-gateway',
    reason:
      'not run as its own round: the receipt round here commits RequestAccess denied for an unknown consent; granted receipts are committed by every retrieval of the retrieval round',
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

/** Not run when the retrieval rounds were skipped. */
export const RETRIEVAL_NOT_RUN: NotRun = {
  workload: 'Cross-org retrieval of 2 KiB and 1 MiB reports (each a committed receipt)',
  reason: 'not run: --rounds without retrieval',
};

/** The retrieval target: best 2 KiB reports/s and best MB/s of the large reports, against 300/s and 100 MB/s. */
export function retrievalTarget(rounds: readonly RoundResult[]): TargetCheck {
  const retrieval = rounds.filter((r) => r.kind === 'retrieval' && r.reportBytes !== undefined);
  const small = retrieval.filter((r) => (r.reportBytes ?? 0) <= 4096);
  const large = retrieval.filter((r) => (r.reportBytes ?? 0) > 4096);
  const target = 'Cross-org retrieval: 300 reports/s (2 KiB), 100 MB/s (1 MiB)';
  if (small.length === 0 && large.length === 0) return { target, measured: 'not run', met: null };
  const bestSmall = small.reduce<RoundResult | undefined>(
    (a, r) => (a === undefined || r.throughput > a.throughput ? r : a),
    undefined,
  );
  const bestLarge = large.reduce<RoundResult | undefined>(
    (a, r) => (a === undefined || (r.mbPerSec ?? 0) > (a.mbPerSec ?? 0) ? r : a),
    undefined,
  );
  const parts = [
    bestSmall
      ? `${bestSmall.throughput.toFixed(1)} reports/s of ${String(bestSmall.reportBytes)} B`
      : '2 KiB not measured',
    bestLarge
      ? `${(bestLarge.mbPerSec ?? 0).toFixed(2)} MB/s with ${String(bestLarge.reportBytes)} B reports`
      : 'large reports not measured',
  ];
  const met =
    bestSmall === undefined || bestLarge === undefined
      ? null
      : bestSmall.throughput >= 300 && (bestLarge.mbPerSec ?? 0) >= 100;
  return { target, measured: parts.join('; '), met };
}

/** Reports the scale targets are set for, and the soak's length. */
export const SCALE_REPORTS = 1_000_000;
export const SOAK_MINUTES = 30;

const count = (n: number): string => n.toLocaleString('en-US');

/** The three scale targets: commit rate with a million reports, peer restart, flat memory in the soak. */
export function scaleTargets(result: Pick<BenchResult, 'scale' | 'soak'>): TargetCheck[] {
  const s = result.scale;
  const rate: TargetCheck = {
    target: 'Scale: commit rate with 1,000,000 anchored reports within 20 % of the rate on an empty ledger',
    measured: s
      ? `${s.after.round.throughput.toFixed(1)} tx/s with ${count(s.reports)} seeded reports (${count(s.after.transactions)} transactions) vs ${s.before.round.throughput.toFixed(1)} tx/s with ${count(s.before.transactions)} transactions: ${(s.rateRatio * 100).toFixed(1)} %`
      : 'not run',
    met: s && s.reports >= SCALE_REPORTS ? s.rateRatio >= 0.8 : null,
  };
  const restart: TargetCheck = {
    target: 'Scale: a peer holding 1,000,000 transactions ready at most 30 s after a restart',
    measured: s
      ? `${s.peerRestart.seconds.toFixed(2)} s with ${count(s.peerRestart.transactions)} transactions (whole network: ${s.networkStartSeconds.toFixed(1)} s)`
      : 'not run',
    met: s && s.peerRestart.transactions >= SCALE_REPORTS ? s.peerRestart.seconds <= 30 : null,
  };
  const k = result.soak;
  const judged = k?.memory.filter((m) => !m.name.startsWith('client')) ?? [];
  const worst = judged.reduce<(typeof judged)[number] | undefined>(
    (a, m) => (a === undefined || m.growthPercent > a.growthPercent ? m : a),
    undefined,
  );
  const soak: TargetCheck = {
    target: 'Scale: memory flat during a 30-minute soak',
    measured: k
      ? `${k.minutes} min at ${k.offeredPerSec.toFixed(1)} tx/s: ${k.flat ? 'flat' : 'growing'}; largest growth ${worst ? `${worst.growthPercent.toFixed(1)} % (${worst.name}, ${worst.slopeMiBPerHour.toFixed(1)} MiB/h)` : '–'}`
      : 'not run',
    met: k && k.minutes >= SOAK_MINUTES ? k.flat : null,
  };
  return [rate, restart, soak];
}

/** Each target with the measured value and whether it was met. */
export function checkTargets(
  result: Pick<BenchResult, 'capacity' | 'rounds' | 'bound' | 'scale' | 'soak'>,
): TargetCheck[] {
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
    retrievalTarget(result.rounds),
    ...scaleTargets(result),
  ];
}
