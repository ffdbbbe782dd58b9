/**
 * `npm run bench`: the benchmark's composition root. Starts the default consortium in a temporary
 * home on free ports, forks a load client that talks to the peers through the real
 * `@hyperledger/fabric-gateway` client over TLS, runs Caliper-style rounds (closed loop to find
 * capacity, then fixed rates at 25-100 % of it), the read and trail workloads, then measures the
 * machine's physical bound in this same process, and writes `<out>/<date>.json`, `.md` and `.svg`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { profileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';
import { DEFAULT_BATCH } from '../../network/src/profile.js';
import { boundOperationCounts, generateBoundKeys } from './bound-core.js';
import { measureBound } from './bound.js';
import { ClientProcess } from './client-process.js';
import { connectGateway } from '../../network/src/ops/gateway-client.js';
import { MemorySampler } from './memory.js';
import { ReportTxTemplate } from './report-tx.js';
import { runScale, type ScaleResult } from './scale.js';
import { seedReports } from './seed.js';
import { clockTicksPerSecond, machineBusyPercent, startCpu, type CpuTarget } from './cpu.js';
import { markdownReport } from './markdown.js';
import type { ClientConnection, LoadSpec, WirePhases, Workload } from './protocol.js';
import type {
  BenchResult,
  BoundResult,
  MachineInfo,
  RoundResult,
  SoakResult,
  TrailResult,
} from './results.js';
import { round1, round3, roundStats, summarize, warmupMs, type Sample } from './stats.js';
import { latencyPlotSvg } from './svg.js';
import { runRetrieval, type RetrievalClass } from './retrieval.js';
import { NOT_RUN, RETRIEVAL_NOT_RUN, SCALE_REPORTS, SOAK_MINUTES, checkTargets } from './targets.js';
import { endorserMsps, txShapeOfBlock, type TxShape } from './tx-shape.js';

/** What a run does. */
interface Plan {
  readonly mode: 'quick' | 'full';
  readonly roundMs: number;
  readonly warmupRoundMs: number;
  /**
   * Closed-loop client counts to try, in order; the search stops at the first level that does not
   * raise the best committed rate by 10 %.
   */
  readonly capacityLevels: readonly number[];
  readonly loadPercents: readonly number[];
  readonly readLevels: readonly number[];
  readonly trailReceipts: number;
  readonly boundMs: number;
}

const QUICK: Plan = {
  mode: 'quick',
  roundMs: 8000,
  warmupRoundMs: 3000,
  capacityLevels: [8, 32, 128, 512],
  loadPercents: [25, 50, 75, 100],
  readLevels: [16, 64, 256],
  trailReceipts: 10_000,
  boundMs: 4000,
};

const FULL: Plan = {
  mode: 'full',
  roundMs: 30_000,
  warmupRoundMs: 10_000,
  capacityLevels: [8, 16, 32, 64, 128, 256, 512, 1024],
  loadPercents: [25, 50, 75, 100],
  readLevels: [8, 32, 128, 256, 512],
  trailReceipts: 10_000,
  boundMs: 15_000,
};

const TRAIL_PAGE = 100;
/** Minimum length of the scale round's two measured rounds. */
const SCALE_ROUND_MS = 20_000;

/** Retrieval size classes of the issue, 2 KiB and 1 MiB, with their closed-loop client counts. */
const RETRIEVAL_CLASSES: readonly RetrievalClass[] = [
  { label: '2KiB', targetBytes: 2048, levels: [8, 32] },
  { label: '1MiB', targetBytes: 1024 * 1024, levels: [2, 8] },
];

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** The repository root: the nearest folder above this file with `network/profiles`. */
function repositoryRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'network', 'profiles'))) return dir;
  }
  throw new Error('cannot find the repository root (network/profiles) above the benchmark');
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function machineInfo(root: string, backgroundLoadPercent: number | null): MachineInfo {
  const commit = git(root, ['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    backgroundLoadPercent,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    kernel: os.release(),
    commit: dirty ? `${commit} (with uncommitted changes)` : commit,
  };
}

/** Everything a round needs from the running network and client. */
interface Context {
  /** Replaced when the scale round restarts the network. */
  session: NetworkSession;
  client: ClientProcess;
  readonly ticks: number;
  /** The peer whose ledger is read for block statistics. */
  readonly observer: string;
  /** The last block of the latest committed round that was a SubmitReport block. */
  lastSubmitBlock: TxShape | undefined;
}

function cpuTargets(ctx: Context): CpuTarget[] {
  const targets: CpuTarget[] = [{ name: 'network (orderer + peers)', pid: 'self' }];
  if (ctx.client.pid !== undefined) targets.push({ name: 'client (fabric-gateway)', pid: ctx.client.pid });
  for (const r of ctx.session.net.chaincodeRuntimes()) {
    if (r.pid !== undefined) targets.push({ name: `chaincode ${r.name} ${r.mspId}`, pid: r.pid });
  }
  return targets;
}

interface RoundDef {
  readonly id: string;
  readonly workload: Workload;
  readonly label: string;
  readonly kind: RoundResult['kind'];
  readonly load: LoadSpec;
  readonly loadPercent?: number;
  readonly reportId?: string;
  readonly bookmarks?: readonly string[];
}

const COMMITTING: ReadonlySet<Workload> = new Set(['submit', 'access']);

async function blockStats(
  ctx: Context,
  from: number,
  to: number,
  workload: Workload,
): Promise<{ count: number; meanTxPerBlock: number }> {
  const ledger = ctx.session.net.peer(ctx.observer).ledger;
  let txs = 0;
  for (let n = from; n < to; n++) {
    const block = await ledger.getBlock(n);
    if (!block) continue;
    txs += block.getData()?.getDataList().length ?? 0;
    if (n === to - 1 && workload === 'submit')
      ctx.lastSubmitBlock = txShapeOfBlock(block) ?? ctx.lastSubmitBlock;
  }
  const count = to - from;
  return { count, meanTxPerBlock: count > 0 ? round1(txs / count) : 0 };
}

/** Phase summaries of the successful transactions that started inside the window. */
function phaseSummaries(
  samples: readonly Sample[],
  phases: readonly WirePhases[],
  window: { from: number; to: number },
): NonNullable<RoundResult['phasesMs']> {
  const inWindow = new Set(
    samples
      .filter((s) => s.cause === undefined && s.start >= window.from && s.start < window.to)
      .map((s) => s.seq),
  );
  const kept = phases.filter(([seq]) => inWindow.has(seq));
  return {
    endorse: summarize(kept.map((p) => p[1])),
    submit: summarize(kept.map((p) => p[2])),
    commitWait: summarize(kept.map((p) => p[3])),
  };
}

async function runRound(ctx: Context, def: RoundDef): Promise<{ result: RoundResult; samples: Sample[] }> {
  const ledger = ctx.session.net.peer(ctx.observer).ledger;
  const h0 = ledger.height;
  const cpu = startCpu(cpuTargets(ctx), os.availableParallelism(), ctx.ticks);
  const done = await ctx.client.request(
    {
      type: 'round',
      workload: def.workload,
      load: def.load,
      ...(def.reportId === undefined ? {} : { reportId: def.reportId }),
      ...(def.bookmarks === undefined ? {} : { bookmarks: def.bookmarks }),
    },
    'round-done',
  );
  const split = cpu.stop();
  const samples: Sample[] = done.samples.map(([start, end, cause, seq]) => ({
    start,
    end,
    cause: cause ?? undefined,
    seq,
  }));
  const h1 = ledger.height;
  const committing = COMMITTING.has(def.workload);
  const blocks = committing ? await blockStats(ctx, h0, h1, def.workload) : undefined;
  const durationMs = def.load.durationMs ?? Math.max(1, ...samples.map((s) => s.end));
  const window =
    def.load.durationMs === undefined
      ? { from: 0, to: durationMs }
      : { from: warmupMs(durationMs), to: durationMs };
  const stats = roundStats(samples, window);
  const phasesMs = committing ? phaseSummaries(samples, done.phases, window) : undefined;
  const result: RoundResult = {
    id: def.id,
    workload: def.label,
    kind: def.kind,
    mode: def.load.mode,
    ...(def.load.mode === 'closed' ? { concurrency: def.load.concurrency } : {}),
    ...(def.load.mode === 'open' ? { offeredPerSec: round1(def.load.ratePerSec) } : {}),
    ...(def.loadPercent === undefined ? {} : { loadPercent: def.loadPercent }),
    unit: committing ? 'committed tx/s' : 'evaluations/s',
    windowSeconds: round3((window.to - window.from) / 1000),
    throughput: stats.throughput,
    sent: stats.sent,
    succeeded: stats.succeeded,
    failed: stats.failed,
    failures: stats.failures,
    latencyMs: stats.latency,
    ...(phasesMs ? { phasesMs } : {}),
    ...(blocks ? { blocks } : {}),
    cpu: split,
    ratioToBound: null,
  };
  const cpuLine =
    split.processes.map((p) => `${p.name.split(' ')[0] ?? ''} ${p.percentOfCore.toFixed(0)}%`).join(', ') +
    (split.otherPercentOfMachine === null
      ? ''
      : `; other programs ${split.otherPercentOfMachine}% of the machine`);
  log(
    `${def.id}: ${result.throughput} ${committing ? 'tx/s' : 'eval/s'}, ok ${stats.succeeded}, failed ${stats.failed}` +
      `${stats.failed > 0 ? ` ${JSON.stringify(stats.failures)}` : ''}, p50 ${stats.latency.p50 ?? '–'} ms, p99 ${stats.latency.p99 ?? '–'} ms` +
      `${blocks ? `, ${blocks.meanTxPerBlock} tx/block` : ''}; CPU ${cpuLine}`,
  );
  return { result, samples };
}

function connections(session: NetworkSession): ClientConnection[] {
  const net = session.net;
  const out: ClientConnection[] = [];
  for (const org of session.profile.network.orgs) {
    const peer = net.peers.find((p) => p.mspId === org.mspId);
    if (!peer) throw new Error(`no peer of ${org.mspId}`);
    const member = org.users.find((u) => u.attrs?.role === 'member');
    const regulator = org.users.find((u) => u.attrs?.role === 'regulator');
    const user = member ?? regulator;
    if (!user) continue;
    const id = net.identity(org.mspId, user.name);
    out.push({
      mspId: org.mspId,
      role: member ? 'member' : 'regulator',
      peer: {
        address: peer.address,
        hostAlias: peer.hostAlias,
        tls: peer.tls,
        tlsRootCertPem: peer.tlsRootCertPem,
      },
      user: { mspId: id.mspId, certPem: id.certPem, keyPem: id.keyPem },
    });
  }
  return out;
}

/** Endorsements the chaincode's policy needs: MAJORITY of the organisations, ANY one, ALL of them. */
function endorsementsNeeded(policy: string, orgs: number): number {
  if (/^\s*ANY\b/i.test(policy)) return 1;
  if (/^\s*ALL\b/i.test(policy)) return orgs;
  return Math.floor(orgs / 2) + 1;
}

/** Groups of rounds a run can be limited to (`--rounds`). */
const ROUND_GROUPS = ['capacity', 'latency', 'reads', 'trail', 'retrieval', 'scale', 'soak'] as const;
type RoundGroup = (typeof ROUND_GROUPS)[number];
/**
 * Groups run without `--rounds`. Retrieval needs the member gateways, whose processes (audit read
 * models following every block) would take CPU from the other rounds; scale (a million reports, tens
 * of GiB of ledgers) and the 30-minute soak take long: they run when asked for.
 */
const DEFAULT_GROUPS: readonly RoundGroup[] = ['capacity', 'latency', 'reads', 'trail'];

interface Options {
  readonly quick?: boolean;
  readonly full?: boolean;
  readonly out: string;
  readonly duration?: number;
  readonly trailReceipts?: number;
  readonly keep?: boolean;
  readonly rounds?: readonly RoundGroup[];
  readonly levels?: readonly number[];
  readonly rates?: readonly number[];
  readonly bound: boolean;
  readonly scaleReports: number;
  readonly soakMinutes: number;
  readonly soakRate?: number;
}

async function run(opts: Options, argv: readonly string[]): Promise<void> {
  const base = opts.full ? FULL : QUICK;
  const plan: Plan = {
    ...base,
    ...(opts.duration === undefined ? {} : { roundMs: opts.duration * 1000 }),
    ...(opts.trailReceipts === undefined ? {} : { trailReceipts: opts.trailReceipts }),
    ...(opts.levels === undefined ? {} : { capacityLevels: opts.levels }),
  };
  const groups = new Set<RoundGroup>(opts.rounds ?? DEFAULT_GROUPS);
  const root = repositoryRoot();
  const startedAt = new Date();
  const profile = await loadProfileFile(join(root, 'network', 'profiles', 'creditchain.yaml'));
  const tmp = await mkdtemp(join(os.tmpdir(), 'ccbench-'));
  const home = profileHome(tmp, profile.network.name);
  const policy = profile.chaincodes[0]?.policy ?? 'MAJORITY Endorsement';
  const chaincode = profile.chaincodes[0]?.name ?? 'credit';
  log(`${plan.mode} run; network home ${tmp}`);
  const background = await machineBusyPercent(1000);
  if (background !== null && background > 10) {
    log(
      `warning: other programs keep ${background}% of the machine busy; the numbers will be lower than on an idle machine`,
    );
  }

  let session: NetworkSession | undefined;
  let client: ClientProcess | undefined;
  const rounds: RoundResult[] = [];
  const latencySamples = new Map<string, Sample[]>();
  let trail: TrailResult | null = null;
  let scale: ScaleResult | null = null;
  let soak: SoakResult | null = null;
  let shape: TxShape | undefined;
  let capacityRound: RoundResult | undefined;
  const stopAll = async (): Promise<void> => {
    await client?.stop().catch(() => undefined);
    client = undefined;
    await session?.stop().catch(() => undefined);
    session = undefined;
  };
  const onSignal = (): void => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const startSession = (): Promise<NetworkSession> =>
      NetworkSession.start(profile, {
        home,
        freePorts: true,
        progress: log,
        gateways: groups.has('retrieval'),
      });
    const startClient = (s: NetworkSession): Promise<ClientProcess> =>
      ClientProcess.start({
        type: 'setup',
        channel: s.net.channelId,
        chaincode,
        timeoutMs: 30_000,
        connections: connections(s),
      });
    const t0 = performance.now();
    session = await startSession();
    log(`network up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    client = await startClient(session);
    const observer = session.net.peers[0]?.mspId ?? '';
    const ctx: Context = {
      session,
      client,
      ticks: clockTicksPerSecond(),
      observer,
      lastSubmitBlock: undefined,
    };

    // Warm-up (JIT, connections, chaincode caches); not reported.
    const warmUp = async (): Promise<void> => {
      await runRound(ctx, {
        id: 'warm-up',
        workload: 'submit',
        label: 'SubmitReport',
        kind: 'capacity',
        load: { mode: 'closed', concurrency: 64, durationMs: plan.warmupRoundMs },
      });
    };
    await warmUp();

    const searchCapacity = groups.has('capacity') || (groups.has('latency') && opts.rates === undefined);
    for (const n of searchCapacity ? plan.capacityLevels : []) {
      const { result } = await runRound(ctx, {
        id: `submit-closed-${n}`,
        workload: 'submit',
        label: 'SubmitReport',
        kind: 'capacity',
        load: { mode: 'closed', concurrency: n, durationMs: plan.roundMs },
      });
      rounds.push(result);
      const previousBest = capacityRound?.throughput ?? 0;
      if (!capacityRound || result.throughput > capacityRound.throughput) {
        capacityRound = result;
        shape = ctx.lastSubmitBlock ?? shape;
      }
      if (previousBest > 0 && result.throughput < previousBest * 1.1) break;
    }
    shape ??= ctx.lastSubmitBlock;
    const capacity = capacityRound?.throughput ?? 0;
    log(`capacity ${capacity} tx/s (${capacityRound?.id ?? 'none'})`);

    // Fixed-rate rounds: shares of the capacity found, or the absolute rates asked for (--rates).
    const offered: Array<{ id: string; rate: number; pct?: number }> = !groups.has('latency')
      ? []
      : opts.rates !== undefined
        ? opts.rates.map((rate) => ({ id: `submit-at-${rate}`, rate }))
        : capacity > 0
          ? plan.loadPercents.map((pct) => ({ id: `submit-rate-${pct}`, rate: (capacity * pct) / 100, pct }))
          : [];
    for (const { id, rate, pct } of offered) {
      const { result, samples } = await runRound(ctx, {
        id,
        workload: 'submit',
        label: 'SubmitReport',
        kind: 'latency',
        load: { mode: 'open', ratePerSec: rate, durationMs: plan.roundMs },
        ...(pct === undefined ? {} : { loadPercent: pct }),
      });
      rounds.push(result);
      latencySamples.set(result.id, samples);
    }

    for (const n of groups.has('reads') ? plan.readLevels : []) {
      const { result } = await runRound(ctx, {
        id: `read-closed-${n}`,
        workload: 'read',
        label: 'GetReport',
        kind: 'reads',
        load: { mode: 'closed', concurrency: n, durationMs: plan.roundMs },
      });
      rounds.push(result);
    }

    if (plan.trailReceipts > 0 && groups.has('trail'))
      trail = await runTrail(ctx, plan, capacityRound?.concurrency ?? 128, rounds);

    if (groups.has('retrieval')) {
      rounds.push(
        ...(await runRetrieval({
          session,
          classes: RETRIEVAL_CLASSES,
          roundMs: plan.roundMs,
          cpuTargets: cpuTargets(ctx),
          ticks: ctx.ticks,
          threads: os.availableParallelism(),
          log,
        })),
      );
    }

    const ledgerTxs = { height: 0, txs: 0 };
    const transactionsOnLedger = async (): Promise<number> => {
      const ledger = ctx.session.net.peer(ctx.observer).ledger;
      for (let n = ledgerTxs.height; n < ledger.height; n++)
        ledgerTxs.txs += (await ledger.getBlock(n))?.getData()?.getDataList_asU8().length ?? 0;
      ledgerTxs.height = Math.max(ledgerTxs.height, ledger.height);
      return ledgerTxs.txs;
    };

    if (groups.has('scale')) {
      let sampleReportId = '';
      const concurrency = capacityRound?.concurrency ?? 128;
      scale = await runScale(
        {
          submitRound: async (id) => {
            const { result } = await runRound(ctx, {
              id,
              workload: 'submit',
              label: 'SubmitReport',
              kind: 'scale',
              // Longer than the other rounds: the two rates are compared with each other.
              load: { mode: 'closed', concurrency, durationMs: Math.max(plan.roundMs, SCALE_ROUND_MS) },
            });
            rounds.push(result);
            return result;
          },
          warmUp,
          transactionsOnLedger,
          template: () => lastValidSubmit(ctx),
          restart: async (whileDown) => {
            await transactionsOnLedger();
            const dir = ctx.session.net.dir;
            await stopAll();
            await whileDown(dir);
            const started = performance.now();
            session = await startSession();
            const seconds = (performance.now() - started) / 1000;
            client = await startClient(session);
            ctx.session = session;
            ctx.client = client;
            return seconds;
          },
          restartPeer: () => restartPeer(ctx, sampleReportId),
          ledgerBytes: () => directoryBytes(join(ctx.session.net.dir, 'ledgers')),
          seed: async (dir, template, reports) => {
            const seeded = await seedReports({
              dir,
              profile: profile.network,
              template,
              reports,
              tag: startedAt.getTime().toString(36),
              progress: (line) => {
                log(`scale: ${line}`);
              },
            });
            if (ledgerTxs.height !== seeded.firstBlock)
              throw new Error(`ledger counted to ${ledgerTxs.height}, seeding began at ${seeded.firstBlock}`);
            ledgerTxs.height = seeded.lastBlock + 1;
            ledgerTxs.txs += seeded.reports;
            sampleReportId = seeded.sampleReportIds[1] ?? seeded.sampleReportIds[0] ?? '';
            return seeded;
          },
          log,
        },
        opts.scaleReports,
        concurrency,
      );
    }

    if (groups.has('soak')) {
      const rate = opts.soakRate ?? (capacity > 0 ? capacity / 2 : 50);
      const durationMs = opts.soakMinutes * 60_000;
      const intervalMs = Math.max(1000, Math.round(durationMs / 360));
      const transactionsAtStart = await transactionsOnLedger();
      log(`soak: ${opts.soakMinutes} min at ${rate.toFixed(1)} tx/s, memory every ${intervalMs / 1000} s`);
      const sampler = new MemorySampler(cpuTargets(ctx), intervalMs);
      const { result } = await runRound(ctx, {
        id: `soak-${opts.soakMinutes}min`,
        workload: 'submit',
        label: 'SubmitReport',
        kind: 'soak',
        load: { mode: 'open', ratePerSec: rate, durationMs },
      });
      const memory = sampler.stop();
      rounds.push(result);
      for (const m of memory)
        log(
          `soak: ${m.name}: ${m.firstMiB} -> ${m.lastMiB} MiB, ${m.slopeMiBPerHour} MiB/h, ${m.flat ? 'flat' : 'growing'}`,
        );
      soak = {
        minutes: opts.soakMinutes,
        offeredPerSec: round1(rate),
        transactionsAtStart,
        sampleIntervalSeconds: intervalMs / 1000,
        round: result,
        memory,
        flat: memory.filter((m) => !m.name.startsWith('client')).every((m) => m.flat),
      };
    }

    await stopAll();

    const batch = { ...DEFAULT_BATCH, ...profile.network.batch };
    const bound =
      shape && opts.bound
        ? await runBound({
            plan,
            shape,
            capacityRound,
            endorsements: endorsementsNeeded(policy, profile.network.orgs.length),
            peers: profile.network.orgs.length,
            batch,
            ticks: clockTicksPerSecond(),
          })
        : null;
    const finishedAt = new Date();
    const withRatios = rounds.map((r) => ({
      ...r,
      ratioToBound: bound && bound.txPerSec > 0 ? round3(r.throughput / bound.txPerSec) : null,
    }));
    const partial = {
      capacity: capacityRound ? { txPerSec: capacityRound.throughput, roundId: capacityRound.id } : null,
      rounds: withRatios,
      bound,
      scale,
      soak,
    };
    const result: BenchResult = {
      benchmark: 'creditchain',
      date: startedAt.toISOString().slice(0, 10),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      mode: plan.mode,
      command: `npm run bench -- ${argv.join(' ')}`.trim(),
      machine: machineInfo(root, background),
      network: {
        profile: profile.network.name,
        channel: profile.network.channel,
        peers: profile.network.orgs.map((o) => o.mspId),
        endorsementPolicy: policy,
        tls: profile.network.tls ?? true,
        batch: { maxMessageCount: batch.maxMessageCount, timeoutMs: batch.timeoutMs },
        client: '@hyperledger/fabric-gateway over TLS in a separate process, one connection per organisation',
      },
      ...partial,
      trail,
      notRun: [
        ...(groups.has('retrieval') ? [] : [RETRIEVAL_NOT_RUN]),
        ...NOT_RUN,
        ...(scale
          ? []
          : [
              {
                workload: `Scale: ${SCALE_REPORTS.toLocaleString('en-US')} anchored reports and a peer restart`,
                reason:
                  'not run: --rounds without scale (it takes about half an hour and tens of GiB of disk)',
              },
            ]),
        ...(soak
          ? []
          : [
              {
                workload: `Scale: memory during a ${SOAK_MINUTES}-minute soak`,
                reason: 'not run: --rounds without soak',
              },
            ]),
        ...(plan.trailReceipts > 0 && groups.has('trail')
          ? []
          : [
              {
                workload: 'Trail query on a report with 10,000 receipts',
                reason: 'not run: --trail-receipts 0 or --rounds without trail',
              },
            ]),
      ],
      targets: checkTargets(partial),
    };
    // A run of other groups than the default ones gets its own files (`<date>-scale-soak.json`).
    const isDefault = groups.size === DEFAULT_GROUPS.length && DEFAULT_GROUPS.every((g) => groups.has(g));
    const name = isDefault
      ? result.date
      : `${result.date}-${ROUND_GROUPS.filter((g) => groups.has(g)).join('-')}`;
    await writeResults(result, opts.out, root, name);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
    if (!opts.keep) await rm(tmp, { recursive: true, force: true });
  }
}

/** The newest VALID SubmitReport envelope on the observing peer (the scale round's template). */
async function lastValidSubmit(ctx: Context): Promise<Uint8Array> {
  const ledger = ctx.session.net.peer(ctx.observer).ledger;
  for (let n = ledger.height - 1; n > 0; n--) {
    const block = await ledger.getBlock(n);
    const filter = block?.getMetadata()?.getMetadataList_asU8()[2] ?? new Uint8Array();
    for (const [i, envelope] of (block?.getData()?.getDataList_asU8() ?? []).entries()) {
      if (filter[i] !== 0) continue;
      try {
        new ReportTxTemplate(envelope);
        return envelope;
      } catch {
        // another transaction: keep looking
      }
    }
  }
  throw new Error('no committed SubmitReport transaction to seed from');
}

/**
 * Stops the observing peer and starts it again; the time until it answers an evaluation of
 * `reportId` through fabric-gateway.
 */
async function restartPeer(
  ctx: Context,
  reportId: string,
): Promise<{ peer: string; seconds: number; height: number }> {
  const net = ctx.session.net;
  const mspId = ctx.observer;
  const endpoint = net.peers.find((p) => p.mspId === mspId);
  const user = ctx.session.profile.network.orgs
    .find((o) => o.mspId === mspId)
    ?.users.find((u) => u.attrs?.role === 'member');
  if (!endpoint || !user) throw new Error(`no peer or member user of ${mspId}`);
  const id = net.identity(mspId, user.name);
  await net.stopPeer(mspId);
  const started = performance.now();
  await net.startPeer(mspId);
  const gw = connectGateway(endpoint, { mspId, certPem: id.certPem, keyPem: id.keyPem }, 10_000);
  try {
    const contract = gw.gateway.getNetwork(net.channelId).getContract(net.chaincodes()[0]?.name ?? 'credit');
    for (;;) {
      try {
        await contract.evaluateTransaction('GetReport', reportId);
        break;
      } catch (err) {
        if (performance.now() - started > 300_000) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return {
      peer: mspId,
      seconds: (performance.now() - started) / 1000,
      height: net.peer(mspId).ledger.height,
    };
  } finally {
    gw.close();
  }
}

/** Bytes of the files under `dir`. */
async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    // LevelDB compactions delete files meanwhile.
    if (entry.isFile())
      total += (await stat(join(entry.parentPath, entry.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

async function runTrail(
  ctx: Context,
  plan: Plan,
  concurrency: number,
  rounds: RoundResult[],
): Promise<TrailResult> {
  const reportId = `trail-${Date.now().toString(36)}`;
  const submitted = await ctx.client.request({ type: 'submit-one', reportId }, 'submit-one-done');
  const failed = (error: string): TrailResult => ({
    reportId,
    receipts: 0,
    entries: 0,
    pageSize: TRAIL_PAGE,
    walk: { pages: 0, totalMs: 0, pageLatencyMs: summarize([]) },
    error,
  });
  if (submitted.cause !== null)
    return failed(`SubmitReport of the trail's report failed: ${submitted.cause}`);
  let receipts = 0;
  for (let attempt = 1; attempt <= 3 && receipts < plan.trailReceipts; attempt++) {
    const { result } = await runRound(ctx, {
      id: `access-closed-${concurrency}${attempt > 1 ? `-${attempt}` : ''}`,
      workload: 'access',
      label: 'RequestAccess (denied receipt)',
      kind: 'trail-setup',
      load: { mode: 'closed', concurrency, maxOps: plan.trailReceipts - receipts },
      reportId,
    });
    rounds.push(result);
    receipts += result.succeeded;
  }
  const walk = await ctx.client.request({ type: 'walk', reportId, pageSize: TRAIL_PAGE }, 'walk-done');
  if (walk.cause !== null) return failed(`trail walk failed: ${walk.cause}`);
  const last = walk.pages[walk.pages.length - 1];
  log(
    `trail walk: ${walk.records} entries in ${walk.pages.length} pages, ${last ? last[1].toFixed(0) : 0} ms`,
  );
  const { result } = await runRound(ctx, {
    id: 'trail-closed-16',
    workload: 'trail-page',
    label: `GetReportTrail (page of ${TRAIL_PAGE})`,
    kind: 'trail',
    load: { mode: 'closed', concurrency: 16, durationMs: plan.roundMs },
    reportId,
    bookmarks: walk.bookmarks,
  });
  rounds.push(result);
  return {
    reportId,
    receipts,
    entries: walk.records,
    pageSize: TRAIL_PAGE,
    walk: {
      pages: walk.pages.length,
      totalMs: round1(last?.[1] ?? 0),
      pageLatencyMs: summarize(walk.pages.map(([s, e]) => e - s)),
    },
  };
}

interface BoundInput {
  readonly plan: Plan;
  readonly shape: TxShape;
  readonly capacityRound: RoundResult | undefined;
  readonly endorsements: number;
  readonly peers: number;
  readonly batch: { readonly maxMessageCount: number; readonly timeoutMs: number };
  readonly ticks: number;
}

/**
 * Measures the physical bound. Blocks are as large as the orderer would cut them at the bound's
 * own rate (min(maxMessageCount, rate × batch timeout)): a first measurement with the largest
 * blocks gives the rate, a second one at the block size that rate implies gives the bound.
 */
async function runBound(input: BoundInput): Promise<BoundResult> {
  const { plan, shape, capacityRound, endorsements, peers, batch } = input;
  const threads = os.availableParallelism();
  const config = { shape, keys: generateBoundKeys(endorsements), peers };
  const workerUrl = new URL('./bound-worker.js', import.meta.url);
  const dir = await mkdtemp(join(os.tmpdir(), 'ccbound-'));
  let run = 0;
  const measure = (txPerBlock: number, withThreads: number) =>
    measureBound({
      config,
      txPerBlock,
      threads: withThreads,
      durationMs: plan.boundMs,
      warmupBlocks: 2,
      workerUrl,
      dir: join(dir, String(run++)),
    });
  try {
    log(`physical bound: ${endorsements} endorsements, ${peers} peers, ${threads} threads…`);
    const cpu = startCpu([{ name: 'bound (this process)', pid: 'self' }], threads, input.ticks);
    const probe = await measure(batch.maxMessageCount, threads);
    let split = cpu.stop();
    const txPerBlock = Math.min(
      batch.maxMessageCount,
      Math.max(1, Math.round((probe.txPerSec * batch.timeoutMs) / 1000)),
    );
    let parallel = probe;
    if (txPerBlock !== batch.maxMessageCount) {
      const again = startCpu([{ name: 'bound (this process)', pid: 'self' }], threads, input.ticks);
      parallel = await measure(txPerBlock, threads);
      split = again.stop();
    }
    log(`physical bound: ${parallel.txPerSec} tx/s in blocks of ${txPerBlock} on ${threads} threads`);
    const single = await measure(txPerBlock, 0);
    log(`physical bound on 1 thread: ${single.txPerSec} tx/s`);
    const capacityBlock = capacityRound?.blocks
      ? Math.max(1, Math.round(capacityRound.blocks.meanTxPerBlock))
      : undefined;
    const atCapacity = capacityBlock === undefined ? undefined : await measure(capacityBlock, threads);
    if (atCapacity && capacityBlock !== undefined) {
      log(
        `physical bound with the emulator's ${capacityBlock}-transaction blocks: ${atCapacity.txPerSec} tx/s`,
      );
    }
    return {
      txPerSec: parallel.txPerSec,
      threads,
      singleThreadTxPerSec: single.txPerSec,
      txPerBlock,
      peers,
      endorsements,
      operations: boundOperationCounts(endorsements, peers),
      shape: {
        envelopeBytes: shape.envelopeBytes,
        payloadBytes: shape.payload.length,
        proposalBytes: shape.proposal.length,
        writes: shape.writes.length,
        ledgerBytesPerTxPerPeer: parallel.ledgerBytesPerTx,
        endorserMsps: endorserMsps(shape),
      },
      measuredSeconds: parallel.seconds,
      blockSizeRule: `the block the orderer cuts at that rate, min(maxMessageCount ${batch.maxMessageCount}, rate × batch timeout ${batch.timeoutMs} ms)`,
      atCapacityBlockSize:
        atCapacity && capacityBlock !== undefined
          ? { txPerBlock: capacityBlock, txPerSec: atCapacity.txPerSec }
          : null,
      cpu: split,
      excludes: [
        "endorsers' verification of the proposal signature",
        "the orderer's verification of the envelope signature",
        'certificate parsing and MSP validation (public keys are parsed once)',
        'state reads for MVCC and duplicate-txid checks',
        'chaincode execution, protobuf encoding, gRPC and TLS',
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeResults(result: BenchResult, outDir: string, root: string, name: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const stem = join(outDir, name);
  const svgName = `${name}.svg`;
  const points = result.rounds
    .filter((r) => r.kind === 'latency')
    .map((r) => ({ offered: r.offeredPerSec ?? 0, p50: r.latencyMs.p50, p99: r.latencyMs.p99 }));
  const svg = latencyPlotSvg(points, {
    title: `SubmitReport commit latency vs offered load (${result.date}, ${result.mode})`,
    xLabel: 'offered load (tx/s)',
    yLabel: 'latency, scheduled to committed (ms)',
    ...(result.capacity ? { capacity: result.capacity.txPerSec } : {}),
  });
  await writeFile(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(`${stem}.md`, markdownReport(result, svgName));
  await writeFile(`${stem}.svg`, svg);
  log(`results: ${relative(root, `${stem}.json`)}, .md, .svg`);
  for (const t of result.targets) {
    log(`target ${t.target}: ${t.measured}${t.met === null ? '' : t.met ? ' (met)' : ' (missed)'}`);
  }
}

/** Parses `argv` and runs the benchmark; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const root = repositoryRoot();
  const program = new Command('bench')
    .description(
      'creditchain benchmark: throughput and latency of the default consortium, against the physical bound',
    )
    .addOption(new Option('--quick', 'a few minutes on 2 cores (default)').conflicts('full'))
    .addOption(new Option('--full', 'longer rounds and more load levels').conflicts('quick'))
    .option(
      '--out <dir>',
      'where to write <date>.json, .md and .svg',
      join(root, 'scripts', 'bench', 'results'),
    )
    .option('--duration <seconds>', 'length of each round', (v) => {
      const n = Number(v);
      if (!(n >= 2)) throw new Error('--duration must be at least 2 seconds');
      return n;
    })
    .option('--trail-receipts <count>', 'receipts written for the trail query (0 skips it)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error('--trail-receipts must be a non-negative integer');
      return n;
    })
    .option('--keep', "keep the network's temporary home")
    .option(
      '--rounds <groups>',
      `only these groups of rounds, comma-separated (${ROUND_GROUPS.join(', ')}; default all but retrieval); latency implies the capacity search`,
      (v) =>
        v.split(',').map((g) => {
          const name = g.trim() as RoundGroup;
          if (!ROUND_GROUPS.includes(name)) throw new Error(`--rounds: unknown group ${g}`);
          return name;
        }),
    )
    .option('--levels <counts>', 'closed-loop client counts of the capacity search, comma-separated', (v) =>
      v.split(',').map((c) => {
        const n = Number(c);
        if (!Number.isInteger(n) || n < 1) throw new Error('--levels: client counts are positive integers');
        return n;
      }),
    )
    .option(
      '--rates <tx/s>',
      'fixed-rate SubmitReport rounds at these rates, comma-separated, instead of shares of capacity',
      (v) =>
        v.split(',').map((r) => {
          const n = Number(r);
          if (!(n > 0) || !Number.isFinite(n)) throw new Error('--rates: rates are positive numbers');
          return n;
        }),
    )
    .option('--no-bound', 'skip the physical bound measurement')
    .option(
      '--scale-reports <count>',
      'reports the scale round seeds',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error('--scale-reports must be a positive integer');
        return n;
      },
      SCALE_REPORTS,
    )
    .option(
      '--soak-minutes <minutes>',
      'length of the soak round',
      (v) => {
        const n = Number(v);
        if (!(n > 0)) throw new Error('--soak-minutes must be positive');
        return n;
      },
      SOAK_MINUTES,
    )
    .option('--soak-rate <tx/s>', 'offered load of the soak (default: half of the capacity found)', (v) => {
      const n = Number(v);
      if (!(n > 0) || !Number.isFinite(n)) throw new Error('--soak-rate must be a positive number');
      return n;
    })
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  await run(program.opts<Options>(), argv);
  return 0;
}

const code = await main(process.argv.slice(2)).catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
});
// Everything was stopped; do not wait for stray handles (gRPC channels close lazily).
process.exit(code);
