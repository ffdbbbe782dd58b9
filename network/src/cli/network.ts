/**
 * `creditchain network up|down|status|reset|logs`: run a profile's consortium in the foreground and
 * control it from other terminals through its admin socket.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { adminRequest, probeAdminSocket, runningStatus } from '../ops/admin-client.js';
import type { NetworkStatus } from '../ops/admin-protocol.js';
import { diskStatus, type DiskStatus } from '../ops/disk-status.js';
import { OperatorError } from '../ops/errors.js';
import { runNetwork } from '../ops/network-runner.js';
import { checkChaincodeBuild, checkPeerPorts } from '../ops/preflight.js';
import type { OperatorProfile } from '../ops/profile-file.js';
import type { CliContext, Target } from './context.js';
import { formatTable } from './table.js';

/** How long `down` waits for the network process to finish stopping. */
const DOWN_TIMEOUT_MS = 30_000;
/** After this long a stop is abandoned and the process exits anyway. */
const STOP_GRACE_MS = 20_000;

const HEADER = ['COMPONENT', 'ORG', 'STATE', 'ENDPOINT', 'DETAILS'];

/** The table of a running network: orderer, peers, chaincode processes, connection profiles, socket. */
export function runningStatusLines(status: NetworkStatus): string[] {
  const rows: string[][] = [HEADER];
  rows.push(['orderer', status.orderer.mspId, 'running', 'in-process', status.orderer.host]);
  for (const p of status.peers)
    rows.push([
      'peer',
      p.mspId,
      p.running ? 'running' : 'stopped',
      p.address,
      `${p.hostAlias}, height ${p.height ?? '?'}`,
    ]);
  for (const cc of status.chaincodes)
    for (const r of cc.runtimes)
      rows.push([
        `chaincode ${cc.name} ${cc.version}`,
        r.mspId,
        r.state,
        r.address ?? '-',
        `pid ${r.pid ?? '?'}, sequence ${cc.sequence}`,
      ]);
  for (const g of status.gateways ?? [])
    rows.push([
      'gateway',
      g.mspId,
      g.state,
      g.url,
      `pid ${g.pid ?? '?'}${g.restarts > 0 ? `, restarted ${g.restarts}x` : ''}, API docs ${g.url}/docs, log ${g.logFile}`,
    ]);
  for (const c of status.connectionProfiles)
    rows.push(['connection profile', c.mspId, '', '', `${c.json} (+ .yaml)`]);
  rows.push(['admin socket', '', status.phase, status.socket, `pid ${status.pid}`]);
  return [
    `network ${status.profile}: ${status.phase} since ${status.startedAt}, channel ${status.channel}`,
    ...formatTable(rows),
  ];
}

/** The table of a stopped network: last endpoints and the heights of the ledgers on disk. */
export function stoppedStatusLines(status: DiskStatus): string[] {
  if (!status.exists)
    return [`network ${status.profile} is not running and has never run here (${status.dir})`];
  const last = status.lastRun;
  const how = last
    ? last.stoppedAt === undefined
      ? `it was not stopped cleanly (started ${last.startedAt}, pid ${last.pid})`
      : `last stopped ${last.stoppedAt}`
    : 'no record of a previous run';
  const rows: string[][] = [HEADER];
  for (const p of status.peers)
    rows.push([
      'peer',
      p.mspId,
      'down',
      p.lastAddress ?? '-',
      p.problem ?? `${p.hostAlias}, height ${p.height ?? 'none (no ledger)'} on disk`,
    ]);
  for (const cc of last?.chaincodes ?? [])
    rows.push([`chaincode ${cc.name} ${cc.version}`, '', 'down', '-', `sequence ${cc.sequence}`]);
  return [`network ${status.profile} is not running: ${how}`, ...formatTable(rows)];
}

async function up(ctx: CliContext, options: { freePorts?: boolean; gateways?: boolean }): Promise<void> {
  const { profile, home } = await ctx.target();
  const name = profile.network.name;
  const running = await runningStatus(home.socket);
  if (running) {
    for (const line of runningStatusLines(running)) ctx.out(line);
    throw new OperatorError('ALREADY_RUNNING', `network ${name} is already running (pid ${running.pid})`, {
      hint: 'use the endpoints above, or stop it first with `creditchain network down`',
    });
  }
  await Promise.all(profile.chaincodes.map((cc) => checkChaincodeBuild(cc)));
  const freePorts = options.freePorts === true;
  if (!freePorts) await checkPeerPorts(profile);

  await mkdir(home.logs, { recursive: true });
  const log = createWriteStream(home.networkLog, { flags: 'a' });
  const say = (line: string): void => {
    ctx.out(line);
    log.write(`${new Date().toISOString()} ${line}\n`);
  };
  let signalled = false;
  let requestStop: (reason: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      say(`${signal} again: exiting without a clean stop`);
      process.exit(130);
    }
    signalled = true;
    requestStop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const began = Date.now();
  let stopBegan = 0;
  say(`starting network ${name} from ${profile.file}`);
  say(`  data in ${home.dir}${freePorts ? ' (free ports)' : ''}`);
  try {
    await runNetwork(profile, home, {
      freePorts,
      gateways: options.gateways !== false,
      progress: (line) => {
        say(`  ${line}`);
      },
      stopRequested,
      onReady: (status) => {
        for (const line of runningStatusLines(status)) ctx.out(line);
        say(
          `network ${name} is up (${((Date.now() - began) / 1000).toFixed(1)} s); Ctrl-C or \`creditchain network down\` stops it`,
        );
      },
      onStopping: (reason) => {
        stopBegan = Date.now();
        say(`stopping network ${name} (${reason})…`);
        setTimeout(() => {
          say(`network ${name} did not stop within ${STOP_GRACE_MS / 1000} s: exiting anyway`);
          process.exit(1);
        }, STOP_GRACE_MS).unref();
      },
    });
    say(`network ${name} stopped (${((Date.now() - stopBegan) / 1000).toFixed(1)} s)`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await new Promise<void>((resolve) => log.end(resolve));
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function down(ctx: CliContext): Promise<void> {
  const { profile, home } = await ctx.target();
  const name = profile.network.name;
  const status = await runningStatus(home.socket);
  if (!status) {
    ctx.out(`network ${name} is not running`);
    return;
  }
  ctx.out(`stopping network ${name} (pid ${status.pid})…`);
  await adminRequest(home.socket, { op: 'stop' }, { timeoutMs: 10_000 });
  const deadline = Date.now() + DOWN_TIMEOUT_MS;
  while ((await probeAdminSocket(home.socket)) === 'live' || pidAlive(status.pid)) {
    if (Date.now() > deadline)
      throw new OperatorError(
        'STOP_TIMEOUT',
        `network ${name} (pid ${status.pid}) is still stopping after 30 s`,
        {
          hint: `see ${home.networkLog}; \`kill ${status.pid}\` ends it`,
        },
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  ctx.out(`network ${name} stopped`);
}

async function status(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const { profile, home } = await ctx.target();
  const running = await runningStatus(home.socket);
  if (running) {
    if (options.json === true) ctx.out(JSON.stringify({ running: true, ...running }, null, 2));
    else for (const line of runningStatusLines(running)) ctx.out(line);
    return;
  }
  const stopped = await diskStatus(profile, home);
  if (options.json === true) ctx.out(JSON.stringify({ running: false, ...stopped }, null, 2));
  else for (const line of stoppedStatusLines(stopped)) ctx.out(line);
}

async function reset(ctx: CliContext): Promise<void> {
  const { profile, home } = await ctx.target();
  const name = profile.network.name;
  const running = await runningStatus(home.socket);
  if (running)
    throw new OperatorError(
      'ALREADY_RUNNING',
      `network ${name} is running (pid ${running.pid}): not resetting it`,
      {
        hint: 'stop it first with `creditchain network down`',
      },
    );
  const existed = (await readdir(home.dir).catch(() => undefined)) !== undefined;
  await rm(home.dir, { recursive: true, force: true });
  ctx.out(
    existed
      ? `network ${name} reset: removed ${home.dir} (crypto material, ledgers, keys, logs)`
      : `network ${name} has nothing to reset (${home.dir} does not exist)`,
  );
}

function orgFilter(profile: OperatorProfile, query: string): string {
  const q = query.toLowerCase();
  const org = profile.network.orgs.find((o) =>
    [o.mspId, o.mspId.replace(/MSP$/, ''), o.domain, o.domain.split('.')[0] ?? ''].some(
      (n) => n.toLowerCase() === q,
    ),
  );
  if (!org)
    throw new OperatorError('UNKNOWN_PEER', `no organisation ${query} in profile ${profile.network.name}`, {
      hint: `use one of ${profile.network.orgs.map((o) => o.mspId).join(', ')}`,
    });
  return org.mspId;
}

async function logs(ctx: CliContext, org: string | undefined, options: { lines: string }): Promise<void> {
  const { profile, home }: Target = await ctx.target();
  const mspId = org === undefined ? undefined : orgFilter(profile, org);
  const lines = Number(options.lines);
  if (!Number.isInteger(lines) || lines < 0)
    throw new OperatorError('ADMIN_OP_FAILED', `--lines ${options.lines} is not a whole number`, {
      hint: 'give the number of lines to print per log (0 for all)',
    });
  const files = (await readdir(home.logs).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.log'))
    .filter((f) => mspId === undefined || f.endsWith(`-${mspId}.log`))
    .sort((a, b) =>
      a === basename(home.networkLog) ? -1 : b === basename(home.networkLog) ? 1 : a.localeCompare(b),
    );
  if (files.length === 0) {
    ctx.out(
      `no logs${mspId === undefined ? '' : ` of ${mspId}`} in ${home.logs} (has network ${profile.network.name} run?)`,
    );
    return;
  }
  for (const [i, f] of files.entries()) {
    const text = await readFile(join(home.logs, f), 'utf8');
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    if (i > 0) ctx.out('');
    ctx.out(`==> ${join(home.logs, f)} <==`);
    for (const line of lines === 0 ? all : all.slice(-lines)) ctx.out(line);
  }
}

/** Registers `network up|down|status|reset|logs`. */
export function register(program: Command, ctx: CliContext): void {
  const network = program
    .command('network')
    .description("run the profile's consortium network (in the foreground) and control it");
  network
    .command('up')
    .description(
      'start the network in the foreground: crypto material, orderer, peers, chaincodes, consortium configuration, organisation keys, connection profiles, member gateways; Ctrl-C stops it',
    )
    .option(
      '--free-ports',
      "serve the peers and gateways on free ports instead of the profile's (tests, networks side by side)",
    )
    .option('--no-gateways', 'do not start the member gateways')
    .action(async (options: { freePorts?: boolean; gateways?: boolean }) => {
      await up(ctx, options);
    });
  network
    .command('down')
    .description('stop the running network (through its admin socket) and wait until it has stopped')
    .action(async () => {
      await down(ctx);
    });
  network
    .command('status')
    .description(
      'what runs where: peers with block heights, chaincode processes per organisation; when down, the ledgers on disk',
    )
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      await status(ctx, options);
    });
  network
    .command('reset')
    .description("delete the profile's crypto material, ledgers, keys and logs (refused while it runs)")
    .action(async () => {
      await reset(ctx);
    });
  network
    .command('logs')
    .description('print the network log and the chaincode logs, of every organisation or of one')
    .argument('[org]', 'only this organisation (MSP id, name or domain)')
    .option('-n, --lines <n>', 'last lines of each log (0: all)', '100')
    .action(async (org: string | undefined, options: { lines: string }) => {
      await logs(ctx, org, options);
    });
}
