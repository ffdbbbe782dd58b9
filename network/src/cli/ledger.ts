/**
 * `creditchain ledger verify [--peer <org>]`: checks every peer ledger of the profile (hash chain,
 * data hashes, orderer signatures, transaction filters, state replayed from the blocks), through the
 * running network's admin socket, or, when the network is down, by opening the ledgers on disk. Prints
 * one row per peer and the problems found, and exits non-zero when a ledger fails.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LedgerError, PeerLedger } from '../ledger/index.js';
import {
  adminRequest,
  probeAdminSocket,
  type AdminRequestOptions,
  type SocketProbe,
} from '../ops/admin-client.js';
import type { AdminRequest } from '../ops/admin-protocol.js';
import { OperatorError } from '../ops/errors.js';
import { verifyLedger, type PeerVerification } from '../ops/ledger-verify.js';
import { peerMatchesQuery } from '../ops/network-runner.js';
import { parseChannelConfig } from '../orderer/channel-config.js';
import { LevelOrdererStore } from '../orderer/store.js';
import type { CliContext } from './context.js';
import { formatTable } from './table.js';

/** Why `ledger verify` could not run (the failure of a ledger is a result, not an error). */
export type LedgerCommandErrorCode = 'NO_LEDGERS' | 'ORDERER_LEDGER_UNREADABLE';

/** A `ledger verify` failure: `message` says what went wrong, `hint` what to do. */
export class LedgerCommandError extends Error {
  override readonly name = LedgerCommandError.name;

  constructor(
    readonly code: LedgerCommandErrorCode,
    message: string,
    readonly hint: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The `{op: 'verify'}` request; the answer is a {@link PeerVerification} per peer. */
export interface VerifyRequest extends AdminRequest {
  readonly op: 'verify';
  /** Only this peer: MSP id, organisation name, domain, or peer host. */
  readonly peer?: string;
}

/** The outside world of the command (tests replace parts of it). */
export interface LedgerDeps {
  readonly probe: (socket: string) => Promise<SocketProbe>;
  readonly request: <T>(socket: string, request: VerifyRequest, options: AdminRequestOptions) => Promise<T>;
  readonly setExitCode: (code: number) => void;
}

const VERIFY_TIMEOUT_MS = 10 * 60_000;
const ORDERER_LEDGER = 'orderer';

const defaultDeps: LedgerDeps = {
  probe: probeAdminSocket,
  request: adminRequest,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** A peer ledger folder under `ledgers/`, with its organisation when the channel config names it. */
export interface PeerLedgerDir {
  readonly peer: string;
  readonly dir: string;
  readonly mspId?: string;
}

async function readGenesis(ledgersDir: string): Promise<Uint8Array | undefined> {
  const dir = join(ledgersDir, ORDERER_LEDGER);
  let store: LevelOrdererStore;
  try {
    store = await LevelOrdererStore.open(dir);
  } catch (err) {
    throw new LedgerCommandError(
      'ORDERER_LEDGER_UNREADABLE',
      `cannot open the orderer's chain at ${dir}: ${(err as Error).message}`,
      'if a network process is still running without its admin socket, stop it; then verify again',
      { cause: err },
    );
  }
  try {
    return await store.get(0);
  } finally {
    await store.close();
  }
}

/** The peer ledgers stored under `ledgersDir` and the orderer's genesis block (the trust anchor). */
export async function findPeerLedgers(
  ledgersDir: string,
): Promise<{ genesis: Uint8Array | undefined; peers: PeerLedgerDir[] }> {
  let names: string[];
  try {
    const entries = await readdir(ledgersDir, { withFileTypes: true });
    names = entries.filter((e) => e.isDirectory() && e.name !== ORDERER_LEDGER).map((e) => e.name);
  } catch {
    names = [];
  }
  const genesis = names.length === 0 ? undefined : await readGenesis(ledgersDir);
  const hostOrg = new Map<string, string>();
  if (genesis) {
    for (const org of parseChannelConfig(genesis).orgs)
      for (const anchor of org.anchorPeers) hostOrg.set(anchor.host, org.mspId);
  }
  return {
    genesis,
    peers: names.sort().map((peer) => {
      const mspId = hostOrg.get(peer);
      return { peer, dir: join(ledgersDir, peer), ...(mspId === undefined ? {} : { mspId }) };
    }),
  };
}

function failed(target: PeerLedgerDir, problem: string): PeerVerification {
  return {
    peer: target.peer,
    ...(target.mspId === undefined ? {} : { mspId: target.mspId }),
    ok: false,
    height: 0,
    problems: [problem],
    stateKeys: 0,
  };
}

/** Verifies ledgers on disk (the network must be down: LevelDB allows one process per ledger). */
export async function verifyLedgersOnDisk(
  ledgersDir: string,
  query: string | undefined,
): Promise<PeerVerification[]> {
  const { genesis, peers } = await findPeerLedgers(ledgersDir);
  if (peers.length === 0)
    throw new LedgerCommandError(
      'NO_LEDGERS',
      `no peer ledgers under ${ledgersDir}`,
      'the network of this profile has not run yet: start it with `creditchain network up`',
    );
  const chosen =
    query === undefined
      ? peers
      : peers.filter((p) => peerMatchesQuery({ mspId: p.mspId ?? p.peer, hostAlias: p.peer }, query));
  if (chosen.length === 0)
    throw new OperatorError('UNKNOWN_PEER', `no peer matches --peer ${query ?? ''}`, {
      hint: `name one by MSP id, organisation, domain or host: ${peers.map((p) => p.mspId ?? p.peer).join(', ')}`,
    });
  const results: PeerVerification[] = [];
  for (const target of chosen) {
    let ledger: PeerLedger;
    try {
      ledger = await PeerLedger.open(target.dir);
    } catch (err) {
      const locked = err instanceof LedgerError && err.code === 'OPEN_FAILED';
      results.push(
        failed(
          target,
          locked
            ? `cannot open the ledger (${err.message}); is a network process still using it? stop it and verify again`
            : `cannot open the ledger: ${(err as Error).message}`,
        ),
      );
      continue;
    }
    try {
      const verification = await verifyLedger(ledger, genesis ? { genesisBlock: genesis } : {});
      results.push({
        peer: target.peer,
        ...(target.mspId === undefined ? {} : { mspId: target.mspId }),
        ...verification,
      });
    } finally {
      await ledger.close();
    }
  }
  return results;
}

/** The per-peer table and the problems of failed ledgers, as printed. */
export function formatVerification(results: readonly PeerVerification[]): string[] {
  const lines = formatTable([
    ['PEER', 'ORG', 'HEIGHT', 'STATE KEYS', 'RESULT'],
    ...results.map((r) => [
      r.peer,
      r.mspId ?? '-',
      String(r.height),
      String(r.stateKeys),
      r.ok ? 'ok' : r.firstBadBlock === undefined ? 'FAILED' : `FAILED at block ${r.firstBadBlock}`,
    ]),
  ]);
  for (const r of results) {
    if (r.ok) continue;
    lines.push('', `${r.peer}:`);
    for (const p of r.problems) lines.push(`  ${p}`);
  }
  return lines;
}

/**
 * Runs `ledger verify`: via the admin socket when the network runs, else on disk. Prints the table
 * and sets exit code 1 when a ledger fails.
 * @throws LedgerCommandError when there is nothing to verify, OperatorError `UNKNOWN_PEER` when
 *   `--peer` matches no peer.
 */
export async function verifyLedgers(
  options: { readonly peer?: string },
  ctx: CliContext,
  deps: LedgerDeps = defaultDeps,
): Promise<PeerVerification[]> {
  const socket = join(ctx.home, 'admin.sock');
  let results: PeerVerification[];
  if ((await deps.probe(socket)) === 'live') {
    ctx.out(`verifying the ledgers of the running ${ctx.profileName} network`);
    const request: VerifyRequest = {
      op: 'verify',
      ...(options.peer === undefined ? {} : { peer: options.peer }),
    };
    results = await deps.request<PeerVerification[]>(socket, request, { timeoutMs: VERIFY_TIMEOUT_MS });
  } else {
    ctx.out(`the ${ctx.profileName} network is not running: verifying the ledgers on disk`);
    results = await verifyLedgersOnDisk(join(ctx.home, 'ledgers'), options.peer);
  }
  for (const line of formatVerification(results)) ctx.out(line);
  if (results.some((r) => !r.ok)) deps.setExitCode(1);
  return results;
}

/** Registers `ledger verify` on the program. */
export function register(program: Command, ctx: CliContext, deps: LedgerDeps = defaultDeps): void {
  const ledger = program.command('ledger').description('inspect the peers’ ledgers');
  ledger
    .command('verify')
    .description(
      'check hash chain, data hashes, orderer signatures and the state replayed from the blocks of every peer ledger; names the first bad block',
    )
    .option('--peer <org>', 'only this peer (MSP id, organisation, domain or host)')
    .action(async (opts: { peer?: string }) => {
      await verifyLedgers(opts, ctx, deps);
    });
}
