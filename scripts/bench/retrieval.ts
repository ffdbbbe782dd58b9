/**
 * The cross-org retrieval round: Yangtze's gateway holds reports about one enterprise, the
 * enterprise consents to Pearl (one consent per report), and Pearl's User1 retrieves them through
 * Pearl's gateway (`POST /v1/retrievals`: a committed `RequestAccess` receipt, the transfer from
 * Yangtze's gateway, the delivery receipt). Closed loop; each client retrieves its own report
 * under its own consent, so clients do not contend on a consent's use counter.
 */
import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import { directoryClient } from '../../gateway/src/client/connect.js';
import { readDirectory } from '../../gateway/src/client/directory.js';
import {
  generateSubjectSigningKey,
  signConsent,
  signSignerBinding,
} from '../../gateway/src/crypto/eip712-consent.js';
import type { NetworkSession } from '../../network/src/ops/network-session.js';
import { closedLoop } from './load.js';
import type { RoundResult } from './results.js';
import { round1, round3, roundStats, warmupMs, type Sample } from './stats.js';
import { startCpu, type CpuTarget } from './cpu.js';

const USCC = '91350100M000100Y43';
const PURPOSE = 'loan_underwriting';
const DESCRIPTION_MAX = 500;
/** `asset` 1.1 admits 5,000 assets (1.0: 500), enough for a 1 MiB report. */
const ASSET_SCHEMA_VERSION = '1.1';
const ASSETS_MAX = 5000;

/** An `asset` 1.1 payload whose JSON is at most `targetBytes` long and as close to it as the schema allows. */
export function assetPayload(targetBytes: number): { assets: Record<string, unknown>[] } {
  const item = (description: string): Record<string, unknown> => ({
    type: 'equipment',
    description,
    valuation: { amount: '1000000.00', currency: 'CNY' },
    valuedOn: '2025-06-30',
  });
  const size = (assets: Record<string, unknown>[]) => JSON.stringify({ assets }).length;
  const assets: Record<string, unknown>[] = [];
  while (assets.length < ASSETS_MAX) {
    const full = [...assets, item('x'.repeat(DESCRIPTION_MAX))];
    if (size(full) <= targetBytes) {
      assets.push(item('x'.repeat(DESCRIPTION_MAX)));
      continue;
    }
    const room = targetBytes - size([...assets, item('')]);
    if (room >= 1) assets.push(item('x'.repeat(Math.min(DESCRIPTION_MAX, room))));
    break;
  }
  if (assets.length === 0) throw new RangeError(`no asset payload fits in ${targetBytes} bytes`);
  return { assets };
}

/** Reports/s and MB/s (10^6 bytes) of a round that retrieved `reportBytes`-byte reports at `perSec`. */
export function retrievalRates(
  perSec: number,
  reportBytes: number,
): { reportsPerSec: number; mbPerSec: number } {
  return { reportsPerSec: round1(perSec), mbPerSec: round3((perSec * reportBytes) / 1e6) };
}

/** The failure cause of a gateway call: its problem code, client error code, or the error's name. */
export function retrievalCause(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return `CLIENT_ERROR:${err instanceof Error ? err.name : 'unknown'}`;
}

/** One size class of the round. */
export interface RetrievalClass {
  readonly label: string;
  /** Target size of the report's JSON payload. */
  readonly targetBytes: number;
  readonly levels: readonly number[];
}

interface Prepared {
  readonly reportId: string;
  readonly consentId: string;
  readonly bytes: number;
}

async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** Runs the retrieval rounds; `cpu` names the processes to account. */
export async function runRetrieval(input: {
  readonly session: NetworkSession;
  readonly classes: readonly RetrievalClass[];
  readonly roundMs: number;
  readonly cpuTargets: CpuTarget[];
  readonly ticks: number;
  readonly threads: number;
  readonly log: (line: string) => void;
}): Promise<RoundResult[]> {
  const { session, log } = input;
  const directory = await readDirectory(session.home.dir);
  const yangtze = await directoryClient(directory, 'yangtze', 'User1');
  const pearl = await directoryClient(directory, 'pearl', 'User1');
  const gateways = session.status('ready').gateways ?? [];
  const targets: CpuTarget[] = [
    ...input.cpuTargets,
    ...gateways.flatMap((g) => (g.pid === undefined ? [] : [{ name: `gateway ${g.mspId}`, pid: g.pid }])),
  ];
  const rounds: RoundResult[] = [];
  try {
    const enterprise = new Wallet(generateSubjectSigningKey().privateKey);
    const { subjectRef } = await yangtze.lookupSubject(USCC);
    const binding = await signSignerBinding(enterprise, {
      channelId: session.net.channelId,
      subjectRef,
      action: 'register',
    });
    await yangtze.registerSubject({ uscc: USCC, signer: binding.signer, signature: binding.signature });
    const now = Math.floor(Date.now() / 1000);
    for (const cls of input.classes) {
      const count = Math.max(...cls.levels);
      const payload = assetPayload(cls.targetBytes);
      const bytes = JSON.stringify(payload).length;
      const t0 = performance.now();
      const prepared = await pool<Prepared>(count, 16, async () => {
        const submitted = await yangtze.submitReport({
          category: 'asset',
          schemaVersion: ASSET_SCHEMA_VERSION,
          uscc: USCC,
          payload,
        });
        const signed = await signConsent(enterprise, session.net.channelId, {
          subjectRef,
          granteeMsp: 'PearlMSP',
          granteeInstitution: 'PRD-BANK-01',
          categories: ['asset'],
          purpose: PURPOSE,
          notBefore: now - 60,
          notAfter: now + 24 * 3600,
          maxUses: 1_000_000,
          nonce: `0x${randomBytes(32).toString('hex')}`,
        });
        await pearl.recordConsent({ consent: signed.consent, signature: signed.signature });
        return { reportId: submitted.report.reportId, consentId: signed.consentId, bytes };
      });
      log(
        `retrieval setup (${cls.label}): ${count} reports of ${bytes} bytes and their consents in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      for (const c of cls.levels) {
        const cpu = startCpu(targets, input.threads, input.ticks);
        const samples: Sample[] = await closedLoop(
          async (seq) => {
            const p = prepared[seq % c];
            if (!p) return 'NO_REPORT';
            try {
              await pearl.retrieve({ reportId: p.reportId, consentId: p.consentId, purpose: PURPOSE });
              return undefined;
            } catch (err) {
              return retrievalCause(err);
            }
          },
          { concurrency: c, durationMs: input.roundMs },
        );
        const split = cpu.stop();
        const window = { from: warmupMs(input.roundMs), to: input.roundMs };
        const stats = roundStats(samples, window);
        const rates = retrievalRates(stats.throughput, bytes);
        const result: RoundResult = {
          id: `retrieve-${cls.label}-closed-${c}`,
          workload: `POST /v1/retrievals (Pearl ← Yangtze, ${cls.label})`,
          kind: 'retrieval',
          mode: 'closed',
          concurrency: c,
          unit: 'retrieved reports/s',
          windowSeconds: round3((window.to - window.from) / 1000),
          throughput: stats.throughput,
          sent: stats.sent,
          succeeded: stats.succeeded,
          failed: stats.failed,
          failures: stats.failures,
          latencyMs: stats.latency,
          reportBytes: bytes,
          mbPerSec: rates.mbPerSec,
          cpu: split,
          ratioToBound: null,
        };
        log(
          `${result.id}: ${rates.reportsPerSec} reports/s, ${rates.mbPerSec} MB/s, ok ${stats.succeeded}, failed ${stats.failed}` +
            `${stats.failed > 0 ? ` ${JSON.stringify(stats.failures)}` : ''}, p50 ${stats.latency.p50 ?? '–'} ms, p99 ${stats.latency.p99 ?? '–'} ms`,
        );
        rounds.push(result);
      }
    }
  } finally {
    yangtze.close();
    pearl.close();
  }
  return rounds;
}
