/**
 * The scale round: SubmitReport's committed rate on the ledger as the run found it, then again after
 * the consortium has been seeded with (by default) a million anchored reports; and how long a peer
 * holding them takes to be ready after a restart. The rounds on either side are the same closed-loop
 * load through fabric-gateway, each after a warm-up, with every peer validating in full.
 */
import type { RoundResult } from './results.js';
import type { SeedResult } from './seed.js';

/** What the scale round needs from the running benchmark. */
export interface ScaleHooks {
  /** A measured closed-loop SubmitReport round named `id` on the network as it is now. */
  submitRound(id: string): Promise<RoundResult>;
  /** An unmeasured warm-up round (JIT, caches, connections) after a restart. */
  warmUp(): Promise<void>;
  /** Transactions on the observing peer's ledger now (every envelope of every block). */
  transactionsOnLedger(): Promise<number>;
  /** A VALID SubmitReport envelope committed in the last round. */
  template(): Promise<Uint8Array>;
  /**
   * Stops the client and the network, runs `whileDown` on the network's directory, and starts both
   * again; resolves with the seconds the network took to start (peers serving, chaincodes up).
   */
  restart(whileDown: (dir: string) => Promise<void>): Promise<number>;
  /**
   * Stops one peer and starts it again: seconds from the start until it serves an evaluation through
   * fabric-gateway, and its height then.
   */
  restartPeer(): Promise<{ readonly peer: string; readonly seconds: number; readonly height: number }>;
  /** Bytes under the network's ledger folder (orderer and peers). */
  ledgerBytes(): Promise<number>;
  seed(dir: string, template: Uint8Array, reports: number): Promise<SeedResult>;
  log(line: string): void;
}

/** Measured rounds on each side; the median one is compared (single rounds vary by ±15 % here). */
export const SCALE_REPEATS = 3;

/** The round with the median throughput. */
export function medianRound(rounds: readonly RoundResult[]): RoundResult {
  const sorted = [...rounds].sort((a, b) => a.throughput - b.throughput);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error('no rounds');
  return median;
}

/** The scale round's result. */
export interface ScaleResult {
  readonly reports: number;
  readonly seeding: SeedResult;
  /** Closed-loop clients of both measured rounds. */
  readonly concurrency: number;
  /** Each side: the ledger's transactions, the median round and every round's committed tx/s. */
  readonly before: { readonly transactions: number; readonly round: RoundResult; readonly rates: number[] };
  readonly after: { readonly transactions: number; readonly round: RoundResult; readonly rates: number[] };
  /** after / before committed tx/s of the median rounds. */
  readonly rateRatio: number;
  readonly networkStartSeconds: number;
  readonly peerRestart: { readonly peer: string; readonly seconds: number; readonly transactions: number };
  readonly ledgerBytes: number;
}

/** Runs the scale round; see the file comment. */
export async function runScale(
  hooks: ScaleHooks,
  reports: number,
  concurrency: number,
): Promise<ScaleResult> {
  const measure = async (side: string): Promise<RoundResult[]> => {
    const rounds: RoundResult[] = [];
    for (let i = 1; i <= SCALE_REPEATS; i++)
      rounds.push(await hooks.submitRound(`scale-${side}-${concurrency}-${i}`));
    return rounds;
  };
  const beforeRounds = await measure('before');
  const before = medianRound(beforeRounds);
  const beforeTxs = await hooks.transactionsOnLedger();
  const template = await hooks.template();
  let seeding: SeedResult | undefined;
  hooks.log(`scale: seeding ${reports} reports`);
  const networkStartSeconds = await hooks.restart(async (dir) => {
    seeding = await hooks.seed(dir, template, reports);
    hooks.log(
      `scale: seeded ${seeding.reports} reports in ${seeding.blocks} blocks in ${seeding.seconds} s ` +
        `(${(seeding.reports / seeding.seconds).toFixed(0)}/s)`,
    );
  });
  if (!seeding) throw new Error('seeding did not run');
  hooks.log(`scale: network started on the seeded ledgers in ${networkStartSeconds.toFixed(1)} s`);
  const transactions = await hooks.transactionsOnLedger();
  const peer = await hooks.restartPeer();
  hooks.log(
    `scale: ${peer.peer} restarted with ${transactions} transactions, serving in ${peer.seconds.toFixed(2)} s`,
  );
  await hooks.warmUp();
  const afterRounds = await measure('after');
  const after = medianRound(afterRounds);
  const ledgerBytes = await hooks.ledgerBytes();
  return {
    reports,
    seeding,
    concurrency,
    before: { transactions: beforeTxs, round: before, rates: beforeRounds.map((r) => r.throughput) },
    after: {
      transactions: await hooks.transactionsOnLedger(),
      round: after,
      rates: afterRounds.map((r) => r.throughput),
    },
    rateRatio: before.throughput > 0 ? Math.round((after.throughput / before.throughput) * 1000) / 1000 : 0,
    networkStartSeconds: Math.round(networkStartSeconds * 100) / 100,
    peerRestart: { peer: peer.peer, seconds: Math.round(peer.seconds * 100) / 100, transactions },
    ledgerBytes,
  };
}
