import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { failureText, markdownReport, markdownTable } from './markdown.js';
import { summarizeMemory } from './memory.js';
import type { BenchResult, BoundResult, RoundResult, SoakResult } from './results.js';
import type { ScaleResult } from './scale.js';
import { checkTargets, NOT_RUN, scaleTargets } from './targets.js';

const prettierOptions = {
  parser: 'markdown',
  printWidth: 110,
  singleQuote: true,
  trailingComma: 'all',
} as const;

const cpu = {
  wallSeconds: 8,
  cores: 2,
  processes: [
    { name: 'network (orderer + peers)', pid: 1, cpuSeconds: 6, percentOfCore: 75 },
    { name: 'client (fabric-gateway)', pid: 2, cpuSeconds: 2, percentOfCore: 25 },
    { name: 'chaincode credit YangtzeMSP', pid: 3, cpuSeconds: 1, percentOfCore: 12.5 },
    { name: 'chaincode credit PearlMSP', pid: 4, cpuSeconds: 1, percentOfCore: 12.5 },
  ],
  percentOfMachine: 62.5,
  otherPercentOfMachine: 3,
};

function round(overrides: Partial<RoundResult>): RoundResult {
  return {
    id: 'submit-closed-32',
    workload: 'SubmitReport',
    kind: 'capacity',
    mode: 'closed',
    concurrency: 32,
    unit: 'committed tx/s',
    windowSeconds: 6.4,
    throughput: 412.5,
    sent: 3000,
    succeeded: 2998,
    failed: 2,
    failures: { MVCC_READ_CONFLICT: 1, TIMEOUT: 1 },
    latencyMs: { count: 2500, mean: 70, p50: 66.1, p95: 90, p99: 120.4, max: 300 },
    phasesMs: {
      endorse: { count: 2500, mean: 20, p50: 18.2, p95: 30, p99: 41, max: 60 },
      submit: { count: 2500, mean: 2, p50: 1.5, p95: 3, p99: 4, max: 9 },
      commitWait: { count: 2500, mean: 48, p50: 46.3, p95: 60, p99: 75.1, max: 240 },
    },
    blocks: { count: 40, meanTxPerBlock: 75 },
    cpu,
    ratioToBound: 0.5,
    ...overrides,
  };
}

function withoutPhases(r: RoundResult): RoundResult {
  return Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'phasesMs')) as unknown as RoundResult;
}

function result(): BenchResult {
  const rounds = [
    round({}),
    round({
      id: 'submit-rate-50',
      kind: 'latency',
      mode: 'open',
      offeredPerSec: 206.3,
      loadPercent: 50,
      failures: {},
      failed: 0,
    }),
    withoutPhases(
      round({
        id: 'read-closed-64',
        workload: 'GetReport',
        kind: 'reads',
        unit: 'evaluations/s',
        throughput: 3100,
      }),
    ),
  ];
  const bound: BoundResult = {
    txPerSec: 825,
    threads: 2,
    singleThreadTxPerSec: 480.2,
    txPerBlock: 206,
    peers: 4,
    endorsements: 3,
    operations: {
      perTx: { signatures: 5, verifications: 16, sha256: 9 },
      perBlock: { signatures: 1, verifications: 4, sha256: 5, syncedBatchWrites: 4 },
    },
    shape: {
      envelopeBytes: 9119,
      payloadBytes: 9000,
      proposalBytes: 1800,
      writes: 3,
      ledgerBytesPerTxPerPeer: 12982,
      endorserMsps: ['PearlMSP', 'YangtzeMSP', 'RegulatorMSP'],
    },
    measuredSeconds: 4,
    blockSizeRule: 'the block the orderer cuts at that rate',
    atCapacityBlockSize: { txPerBlock: 75, txPerSec: 700.4 },
    cpu: { ...cpu, processes: [], otherPercentOfMachine: 0 },
    excludes: ['state reads'],
  };
  const partial = {
    capacity: { txPerSec: 412.5, roundId: 'submit-closed-32' },
    rounds,
    bound,
    scale: scaleResult(),
    soak: soakResult(),
  };
  return {
    benchmark: 'creditchain',
    date: '2026-11-26',
    startedAt: '2026-11-26T10:00:00.000Z',
    finishedAt: '2026-11-26T10:05:00.000Z',
    mode: 'quick',
    command: 'npm run bench -- --quick',
    machine: {
      backgroundLoadPercent: 1,
      cpuModel: 'Test CPU',
      cpus: 2,
      availableParallelism: 2,
      memoryGiB: 8,
      node: 'v20.19.0',
      platform: 'linux-x64',
      kernel: '6.1',
      commit: 'abc1234',
    },
    network: {
      profile: 'creditchain',
      channel: 'creditchain',
      peers: ['YangtzeMSP', 'PearlMSP'],
      endorsementPolicy: 'MAJORITY Endorsement',
      tls: true,
      batch: { maxMessageCount: 500, timeoutMs: 250 },
      client: 'fabric-gateway',
    },
    ...partial,
    trail: null,
    notRun: NOT_RUN,
    targets: checkTargets(partial),
  };
}

function scaleResult(reports = 1_000_000): ScaleResult {
  return {
    reports,
    seeding: {
      reports,
      blocks: 4405,
      firstBlock: 40,
      lastBlock: 4444,
      seconds: 612.3,
      compactionSeconds: 80.1,
      meanTxPerBlock: 227,
      sampleReportIds: ['seed-a'],
    },
    concurrency: 128,
    before: {
      transactions: 2310,
      round: round({ id: 'scale-before-128-2', kind: 'scale', throughput: 100 }),
      rates: [96, 100, 104],
    },
    after: {
      transactions: 1_003_500,
      round: round({ id: 'scale-after-128-3', kind: 'scale', throughput: 85 }),
      rates: [90, 80, 85],
    },
    rateRatio: 0.85,
    networkStartSeconds: 6.4,
    peerRestart: { peer: 'YangtzeMSP', seconds: 1.25, transactions: 1_002_310 },
    ledgerBytes: 40 * 2 ** 30,
  };
}

function soakResult(minutes = 30, leak = 0): SoakResult {
  const series = Array.from({ length: 181 }, (_, i): [number, number] => [i * 10, 300 + i * leak]);
  const memory = [
    summarizeMemory('network (orderer + peers)', series),
    summarizeMemory(
      'client (fabric-gateway)',
      series.map(([t, v]) => [t, v + t / 10]),
    ),
  ];
  return {
    minutes,
    offeredPerSec: 50,
    transactionsAtStart: 1_003_500,
    sampleIntervalSeconds: 10,
    round: round({ id: 'soak-30min', kind: 'soak', mode: 'open', offeredPerSec: 50, throughput: 49.9 }),
    memory,
    flat: memory[0]?.flat ?? false,
  };
}

describe('scaleTargets', () => {
  it('judges the rate ratio, the restart time and the soak', () => {
    const [rate, restart, soak] = scaleTargets({ scale: scaleResult(), soak: soakResult() });
    expect(rate?.met).toBe(true);
    expect(rate?.measured).toContain('85.0 tx/s with 1,000,000 seeded reports');
    expect(rate?.measured).toContain('85.0 %');
    expect(restart).toMatchObject({ met: true });
    expect(restart?.measured).toContain('1.25 s with 1,002,310 transactions');
    expect(soak?.met).toBe(true);
  });

  it('fails a rate below 80 %, a leak, and judges nothing measured below the targets’ size', () => {
    const slow = { ...scaleResult(), rateRatio: 0.79 };
    expect(scaleTargets({ scale: slow, soak: soakResult(30, 0.5) }).map((t) => t.met)).toEqual([
      false,
      true,
      false,
    ]);
    expect(scaleTargets({ scale: scaleResult(50_000), soak: soakResult(5) }).map((t) => t.met)).toEqual([
      null,
      true,
      null,
    ]);
    expect(scaleTargets({ scale: null, soak: null }).map((t) => t.measured)).toEqual([
      'not run',
      'not run',
      'not run',
    ]);
  });
});

describe('markdownTable', () => {
  it('pads cells to the column width and right-aligns numeric columns', () => {
    const table = markdownTable(
      ['name', 'rate'],
      [
        ['a', '1.0'],
        ['longer', '100.5'],
      ],
      ['left', 'right'],
    );
    expect(table).toBe(
      ['| name   |  rate |', '| ------ | ----: |', '| a      |   1.0 |', '| longer | 100.5 |'].join('\n'),
    );
  });

  it('escapes pipes and keeps each row on one line', () => {
    const table = markdownTable(['x'], [['a|b\nc']]);
    expect(table.split('\n')[2]).toBe('| a\\|b c |');
  });

  it('is laid out exactly as Prettier lays it out', async () => {
    const table = markdownTable(
      ['target', 'measured', 'met'],
      [
        ['a', 'b', 'yes'],
        ['ccc', 'dddd', 'no'],
      ],
    );
    expect(await format(`${table}\n`, prettierOptions)).toBe(`${table}\n`);
  });
});

describe('failureText', () => {
  it('lists the causes after the count', () => {
    expect(failureText({ failed: 2, failures: { MVCC_READ_CONFLICT: 1, TIMEOUT: 1 } })).toBe(
      '2 (MVCC_READ_CONFLICT 1, TIMEOUT 1)',
    );
    expect(failureText({ failed: 0, failures: {} })).toBe('0');
  });
});

describe('markdownReport', () => {
  const md = markdownReport(result(), '2026-11-26.svg');

  it('has the targets, every round, the plot and the workloads not run', () => {
    expect(md).toContain('# creditchain benchmark, 2026-11-26 (quick)');
    expect(md).toContain('| SubmitReport: at least 600 committed tx/s');
    for (const id of ['submit-closed-32', 'submit-rate-50', 'read-closed-64'])
      expect(md).toContain(`| ${id}`);
    expect(md).toContain('open, 206.3/s (50 %)');
    expect(md).toContain('2 (MVCC_READ_CONFLICT 1, TIMEOUT 1)');
    expect(md).toContain('![p50 and p99 latency against offered load](2026-11-26.svg)');
    expect(md).toContain('granted receipts are committed by every retrieval');
    expect(md).toContain(' 75 / 25 / 25 |');
  });

  it('breaks committed latency into phases and describes the bound', () => {
    expect(md).toMatch(
      /\| submit-closed-32 +\| +18\.2 \/ 41\.0 \| +1\.5 \/ 4\.0 \| +46\.3 \/ 75\.1 \| +66\.1 \/ 120\.4 \|/,
    );
    expect(md).not.toMatch(/\| read-closed-64 +\| +18/);
    expect(md).toContain('**825.0 tx/s** with the crypto on 2 worker threads (480.2 tx/s on one thread)');
    expect(md).toContain('With the 75-transaction blocks the emulator cut at capacity: 700.4 tx/s.');
  });

  it('describes the scale round and the soak, the load generator not judged', () => {
    expect(md).toContain(
      'after seeding 1,000,000 reports: **85.0 tx/s** (median of 90.0, 80.0, 85.0), 85.0 % of the first rate',
    );
    expect(md).toContain('(80 s of it compacting)');
    expect(md).toContain('answered an evaluation through fabric-gateway 1.25 s after it was started again');
    expect(md).toContain('**flat**');
    expect(md).toMatch(/\| client \(fabric-gateway\) +\|.*not judged \(load generator\) \|/);
  });

  it('is already formatted as Prettier would format it', async () => {
    expect(await format(md, prettierOptions)).toBe(md);
  });
});
