/** The Markdown report next to the JSON results: tables laid out as Prettier would. */
import type { BenchResult, RoundResult } from './results.js';

export type Align = 'left' | 'right';

/** A Markdown table with cells padded to the column width (Prettier's layout). */
export function markdownTable(
  headers: readonly string[],
  rows: readonly string[][],
  align?: readonly Align[],
): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const body = rows.map((r) => headers.map((_, i) => cell(r[i] ?? '')));
  const head = headers.map(cell);
  const widths = head.map((h, i) => Math.max(3, h.length, ...body.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number): string => {
    const w = widths[i] ?? 3;
    return align?.[i] === 'right' ? text.padStart(w) : text.padEnd(w);
  };
  const line = (cells: readonly string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align?.[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

const num = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '–' : v.toFixed(digits);

/** `3 (MVCC_READ_CONFLICT 2, TIMEOUT 1)` or `0`. */
export function failureText(r: Pick<RoundResult, 'failed' | 'failures'>): string {
  const parts = Object.entries(r.failures).map(([cause, n]) => `${cause} ${n}`);
  return parts.length === 0 ? String(r.failed) : `${r.failed} (${parts.join(', ')})`;
}

function loadText(r: RoundResult): string {
  if (r.mode === 'closed') return `closed, ${r.concurrency ?? '?'} clients`;
  const pct = r.loadPercent === undefined ? '' : ` (${r.loadPercent} %)`;
  return `open, ${num(r.offeredPerSec)}/s${pct}`;
}

/** CPU % of one core: network process / load client / chaincode processes (summed). */
export function cpuText(r: RoundResult): string {
  let network = 0;
  let client = 0;
  let chaincode = 0;
  for (const p of r.cpu.processes) {
    if (p.name.startsWith('chaincode')) chaincode += p.percentOfCore;
    else if (p.name.startsWith('client')) client += p.percentOfCore;
    else network += p.percentOfCore;
  }
  return `${network.toFixed(0)} / ${client.toFixed(0)} / ${chaincode.toFixed(0)}`;
}

function roundsTable(rounds: readonly RoundResult[]): string {
  const headers = [
    'round',
    'workload',
    'load',
    'rate',
    'ok',
    'failed',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'tx/block',
    'CPU % net / client / cc',
    'other load',
    'of bound',
  ];
  const rows = rounds.map((r) => [
    r.id,
    r.workload,
    loadText(r),
    rateText(r),
    String(r.succeeded),
    failureText(r),
    num(r.latencyMs.p50),
    num(r.latencyMs.p95),
    num(r.latencyMs.p99),
    num(r.latencyMs.max),
    r.blocks ? num(r.blocks.meanTxPerBlock) : '–',
    cpuText(r),
    r.cpu.otherPercentOfMachine === null ? '–' : `${r.cpu.otherPercentOfMachine.toFixed(0)} %`,
    r.ratioToBound === null ? '–' : `${(r.ratioToBound * 100).toFixed(1)} %`,
  ]);
  const right: Align[] = headers.map((_, i) => (i >= 3 && i !== 5 ? 'right' : 'left'));
  return markdownTable(headers, rows, right);
}

function rateText(r: RoundResult): string {
  if (r.unit === 'retrieved reports/s')
    return `${num(r.throughput)} reports/s${r.mbPerSec === undefined ? '' : ` (${r.mbPerSec.toFixed(2)} MB/s)`}`;
  return `${num(r.throughput)} ${r.unit === 'committed tx/s' ? 'tx/s' : 'eval/s'}`;
}

/** The whole report. `svgName` is the plot's file name next to it. */
export function markdownReport(result: BenchResult, svgName: string): string {
  const m = result.machine;
  const out: string[] = [
    `# creditchain benchmark, ${result.date} (${result.mode})`,
    '',
    `\`${result.command}\` on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform} ${m.kernel}, commit ${m.commit}.`,
    `Other programs kept ${m.backgroundLoadPercent === null ? 'an unknown share' : `${m.backgroundLoadPercent.toFixed(0)} %`} of the machine busy just before the run.`,
    `Network: profile \`${result.network.profile}\` (${result.network.peers.join(', ')}; ${result.network.endorsementPolicy}; TLS ${result.network.tls ? 'on' : 'off'}; blocks of at most ${result.network.batch.maxMessageCount} transactions or ${result.network.batch.timeoutMs} ms), started by the benchmark; load from ${result.network.client}.`,
    '',
    '## Targets',
    '',
    markdownTable(
      ['target', 'measured', 'met'],
      result.targets.map((t) => [
        t.target,
        t.measured,
        t.met === null ? 'not measured' : t.met ? 'yes' : 'no',
      ]),
    ),
    '',
    '## Rounds',
    '',
    result.capacity
      ? `Capacity (best closed-loop round, \`${result.capacity.roundId}\`): **${num(result.capacity.txPerSec)} committed tx/s**. Fixed-rate rounds offer 25–100 % of it; their latency is measured from each transaction's scheduled time to its commit status.`
      : 'Capacity was not measured.',
    '',
    roundsTable(result.rounds),
    '',
    'CPU is the percentage of one core used during the round by the network process (orderer and the four peers), the load client process and the four chaincode processes together; other load is the share of the whole machine used meanwhile by programs outside the benchmark (from `/proc/stat`).',
    '',
    `![p50 and p99 latency against offered load](${svgName})`,
    '',
  ];
  const phased = result.rounds.filter((r) => r.phasesMs !== undefined);
  if (phased.length > 0) {
    const pair = (s: { p50: number | null; p99: number | null }): string => `${num(s.p50)} / ${num(s.p99)}`;
    out.push(
      'Where the time of a committed transaction goes (p50 / p99 ms, successful transactions started in the window): endorsement (the gateway peer and the other endorsers simulate), submission to the orderer, and the wait for the commit status (block cutting, every peer validating and committing).',
      '',
      markdownTable(
        ['round', 'endorse', 'submit', 'commit wait', 'total'],
        phased.map((r) => [
          r.id,
          pair(r.phasesMs?.endorse ?? { p50: null, p99: null }),
          pair(r.phasesMs?.submit ?? { p50: null, p99: null }),
          pair(r.phasesMs?.commitWait ?? { p50: null, p99: null }),
          pair(r.latencyMs),
        ]),
        ['left', 'right', 'right', 'right', 'right'],
      ),
      '',
    );
  }
  const b = result.bound;
  if (b) {
    out.push(
      '## Physical bound',
      '',
      `Measured in the same process after the rounds: **${num(b.txPerSec)} tx/s** with the crypto on ${b.threads} worker threads (${num(b.singleThreadTxPerSec)} tx/s on one thread), in blocks of ${b.txPerBlock} transactions, ${b.blockSizeRule}.` +
        (b.atCapacityBlockSize
          ? ` With the ${b.atCapacityBlockSize.txPerBlock}-transaction blocks the emulator cut at capacity: ${num(b.atCapacityBlockSize.txPerSec)} tx/s.`
          : '') +
        (b.cpu.otherPercentOfMachine === null
          ? ''
          : ` Other programs used ${b.cpu.otherPercentOfMachine.toFixed(0)} % of the machine meanwhile.`),
      `Per transaction: ${b.operations.perTx.signatures} ECDSA P-256 signatures (client proposal and envelope, ${b.endorsements} endorsements), ${b.operations.perTx.verifications} verifications (${b.peers} peers × creator + ${b.endorsements} endorsements), ${b.operations.perTx.sha256} SHA-256 (txid, txid and proposal hash on each peer). Per block: the orderer's signature and data hash, each peer's check of both, and one synced LevelDB batch per peer (${b.shape.ledgerBytesPerTxPerPeer} bytes per transaction per peer).`,
      `Sizes from a committed SubmitReport of this run: envelope ${b.shape.envelopeBytes} bytes, ${b.shape.writes} state writes, endorsed by ${b.shape.endorserMsps.join(', ')}.`,
      `Not included: ${b.excludes.join('; ')}.`,
      '',
    );
  }
  const t = result.trail;
  if (t) {
    out.push(
      '## Trail of a report with many receipts',
      '',
      t.error
        ? `Failed: ${t.error}.`
        : `Report \`${t.reportId}\` with ${t.receipts} receipts: the regulator read its ${t.entries} trail entries in ${t.walk.pages} pages of ${t.pageSize} in ${num(t.walk.totalMs, 0)} ms (page latency p50 ${num(t.walk.pageLatencyMs.p50)} ms, p99 ${num(t.walk.pageLatencyMs.p99)} ms).`,
      '',
    );
  }
  out.push(...scaleSection(result), ...soakSection(result));
  if (result.notRun.length > 0) {
    out.push(
      '## Not run',
      '',
      markdownTable(
        ['workload', 'why'],
        result.notRun.map((n) => [n.workload, n.reason]),
      ),
      '',
    );
  }
  return out.join('\n');
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
const count = (n: number): string => n.toLocaleString('en-US');

function scaleSection(result: BenchResult): string[] {
  const s = result.scale;
  if (!s) return [];
  const seed = s.seeding;
  return [
    '## Scale',
    '',
    `SubmitReport at ${s.concurrency} closed-loop clients on the ledger as the run found it (${count(s.before.transactions)} transactions): **${num(s.before.round.throughput)} tx/s** (median of ${s.before.rates.map((r) => num(r)).join(', ')}); ` +
      `after seeding ${count(s.reports)} reports: **${num(s.after.round.throughput)} tx/s** (median of ${s.after.rates.map((r) => num(r)).join(', ')}), ${(s.rateRatio * 100).toFixed(1)} % of the first rate ` +
      `(p99 ${num(s.before.round.latencyMs.p99)} → ${num(s.after.round.latencyMs.p99)} ms).`,
    `Seeding wrote ${count(seed.reports)} complete SubmitReport transactions (new identifiers, endorsed and signed anew by the same identities) in ${count(seed.blocks)} orderer-signed blocks of ${num(seed.meanTxPerBlock)} transactions ` +
      `to the orderer's store and committed them with the peer ledger's code, without validating them again, then compacted the databases, in ${num(seed.seconds, 0)} s (${num(seed.compactionSeconds, 0)} s of it compacting); ` +
      `the ledgers then took ${gib(s.ledgerBytes)} on disk (orderer and ${result.network.peers.length} peers).`,
    `Restart: the whole network started on the seeded ledgers in ${num(s.networkStartSeconds, 2)} s (peers, orderer, chaincode processes); ` +
      `${s.peerRestart.peer}'s peer, holding ${count(s.peerRestart.transactions)} transactions, answered an evaluation through fabric-gateway ${num(s.peerRestart.seconds, 2)} s after it was started again.`,
    '',
  ];
}

function soakSection(result: BenchResult): string[] {
  const k = result.soak;
  if (!k) return [];
  return [
    '## Soak',
    '',
    `SubmitReport at ${num(k.offeredPerSec)} tx/s for ${k.minutes} minutes from a ledger of ${count(k.transactionsAtStart)} transactions: ${num(k.round.throughput)} tx/s committed, ${k.round.succeeded} ok, ${failureText(k.round)} failed, p99 ${num(k.round.latencyMs.p99)} ms. ` +
      `Resident memory every ${k.sampleIntervalSeconds} s; the first fifth is warm-up, a line is fitted through the rest, and memory is flat when the line rises less than 10 % of the mean over that time: **${k.flat ? 'flat' : 'not flat'}**.`,
    '',
    markdownTable(
      ['process', 'mean MiB', 'after warm-up', 'end', 'max', 'MiB/h', 'growth %', 'flat'],
      k.memory.map((m) => [
        m.name,
        num(m.meanMiB),
        num(m.firstMiB),
        num(m.lastMiB),
        num(m.maxMiB),
        num(m.slopeMiBPerHour),
        num(m.growthPercent),
        m.name.startsWith('client') ? 'not judged (load generator)' : m.flat ? 'yes' : 'no',
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
  ];
}
