/** The benchmark's result document (`scripts/bench/results/<date>.json`). */
import type { CpuSplit } from './cpu.js';
import type { ProcessMemory } from './memory.js';
import type { ScaleResult } from './scale.js';
import type { LatencySummary } from './stats.js';

/** One round: a workload at one load. */
export interface RoundResult {
  readonly id: string;
  /** The contract transaction. */
  readonly workload: string;
  /**
   * `capacity` (closed loop), `latency` (fixed rate), `reads`, `trail-setup`, `trail`, `retrieval`,
   * `scale` (before and after seeding), `soak` (the long fixed-rate round).
   */
  readonly kind: 'capacity' | 'latency' | 'reads' | 'trail-setup' | 'trail' | 'retrieval' | 'scale' | 'soak';
  readonly mode: 'closed' | 'open';
  readonly concurrency?: number;
  /** Fixed-rate rounds: offered load (per second) and its share of capacity. */
  readonly offeredPerSec?: number;
  readonly loadPercent?: number;
  readonly unit: 'committed tx/s' | 'evaluations/s' | 'retrieved reports/s';
  /** Length of the measurement window (after the warm-up), seconds. */
  readonly windowSeconds: number;
  readonly throughput: number;
  readonly sent: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  /** Submit: from the proposal (open loop: its scheduled time) to the commit status; reads: the evaluation. */
  readonly latencyMs: LatencySummary;
  /**
   * Committing rounds: the phases of the successful transactions that started in the window —
   * endorsement, submission to the orderer, and the wait for the commit status (ordering, block
   * cutting, validation and commit on the peer).
   */
  readonly phasesMs?: {
    readonly endorse: LatencySummary;
    readonly submit: LatencySummary;
    readonly commitWait: LatencySummary;
  };
  /** Blocks cut during the round (committed rounds). */
  readonly blocks?: { readonly count: number; readonly meanTxPerBlock: number };
  /** Retrieval rounds: the JSON size of each retrieved report, and the bytes retrieved per second (10^6). */
  readonly reportBytes?: number;
  readonly mbPerSec?: number;
  readonly cpu: CpuSplit;
  /** Throughput divided by the physical bound's committed tx/s. */
  readonly ratioToBound: number | null;
}

/** The physical bound measured in the same run. */
export interface BoundResult {
  /** Committed tx/s of the pipeline with its crypto on `threads` worker threads (the bound). */
  readonly txPerSec: number;
  readonly threads: number;
  /** The same pipeline on one thread. */
  readonly singleThreadTxPerSec: number;
  readonly txPerBlock: number;
  readonly peers: number;
  readonly endorsements: number;
  readonly operations: {
    readonly perTx: { readonly signatures: number; readonly verifications: number; readonly sha256: number };
    readonly perBlock: {
      readonly signatures: number;
      readonly verifications: number;
      readonly sha256: number;
      readonly syncedBatchWrites: number;
    };
  };
  /** Sizes taken from a committed SubmitReport of this run. */
  readonly shape: {
    readonly envelopeBytes: number;
    readonly payloadBytes: number;
    readonly proposalBytes: number;
    readonly writes: number;
    readonly ledgerBytesPerTxPerPeer: number;
    readonly endorserMsps: readonly string[];
  };
  readonly measuredSeconds: number;
  /** How the block size was chosen. */
  readonly blockSizeRule: string;
  /** The same pipeline (on all threads) with blocks as small as the emulator cut them at capacity. */
  readonly atCapacityBlockSize: { readonly txPerBlock: number; readonly txPerSec: number } | null;
  /** CPU of the bound measurement on all threads (this process), and other programs' load meanwhile. */
  readonly cpu: CpuSplit;
  readonly excludes: readonly string[];
}

/** A workload of the issue this run did not measure, and why. */
export interface NotRun {
  readonly workload: string;
  readonly reason: string;
}

/** One of the targets and how this run did. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** null: not measured. */
  readonly met: boolean | null;
}

/** The 10,000-receipt trail query. */
export interface TrailResult {
  readonly reportId: string;
  readonly receipts: number;
  /** Entries the regulator's walk returned (receipts plus the SUBMITTED entry). */
  readonly entries: number;
  readonly pageSize: number;
  readonly walk: { readonly pages: number; readonly totalMs: number; readonly pageLatencyMs: LatencySummary };
  readonly error?: string;
}

/** The soak: a long fixed-rate SubmitReport round with the processes' memory sampled throughout. */
export interface SoakResult {
  readonly minutes: number;
  readonly offeredPerSec: number;
  /** Transactions on the ledger when the soak started. */
  readonly transactionsAtStart: number;
  readonly sampleIntervalSeconds: number;
  readonly round: RoundResult;
  /** Every process; the load client's is reported but not judged (it keeps every sample it takes). */
  readonly memory: readonly ProcessMemory[];
  /** Whether the network and chaincode processes all stayed flat. */
  readonly flat: boolean;
}

export interface MachineInfo {
  /** Share of the machine used by other programs in the second before the run (0-100). */
  readonly backgroundLoadPercent: number | null;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly availableParallelism: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  readonly commit: string;
}

export interface BenchResult {
  readonly benchmark: 'creditchain';
  readonly date: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'quick' | 'full';
  readonly command: string;
  readonly machine: MachineInfo;
  readonly network: {
    readonly profile: string;
    readonly channel: string;
    readonly peers: readonly string[];
    readonly endorsementPolicy: string;
    readonly tls: boolean;
    readonly batch: { readonly maxMessageCount: number; readonly timeoutMs: number };
    readonly client: string;
  };
  readonly capacity: { readonly txPerSec: number; readonly roundId: string } | null;
  readonly rounds: readonly RoundResult[];
  readonly trail: TrailResult | null;
  readonly scale: ScaleResult | null;
  readonly soak: SoakResult | null;
  readonly bound: BoundResult | null;
  readonly notRun: readonly NotRun[];
  readonly targets: readonly TargetCheck[];
}
