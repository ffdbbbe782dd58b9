/**
 * `creditchain`: the operator CLI (composition root). Each operator command group lives in
 * `network/src/cli/<group>.ts`; the member, enterprise and regulator groups (`report`, `subject`,
 * `consent`, `gateway`, `audit`) live in `gateway/src/cli/` and get their own small context, adapted
 * here (gateway code does not import `network/`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerGatewayCommands } from '../gateway/src/cli/index.js';
import { registerProof } from '../gateway/src/cli/proof.js';
import { createContext } from '../network/src/cli/context.js';
import { register as registerDeploy } from '../network/src/cli/deploy.js';
import { describeFailure } from '../network/src/cli/errors.js';
import { register as registerFabric } from '../network/src/cli/fabric.js';
import { register as registerLedger } from '../network/src/cli/ledger.js';
import { register as registerNetwork } from '../network/src/cli/network.js';
import { register as registerOrg } from '../network/src/cli/org.js';

/** The repository root: the nearest folder above this file with `network/profiles` (from `scripts/` or `dist/scripts/`). */
function repositoryRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'network', 'profiles'))) return dir;
  }
  return join(here, '..');
}

function line(stream: NodeJS.WriteStream): (text: string) => void {
  return (text) => {
    stream.write(`${text}\n`);
  };
}

/** Builds the program (without parsing), for `main` and for tests. */
export function buildProgram(): Command {
  const program = new Command('creditchain')
    .description(
      'creditchain CLI: run and operate a Fabric-compatible consortium network; submit, retrieve and consent to credit reports through member gateways',
    )
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  const ctx = createContext(program, {
    root: repositoryRoot(),
    env: process.env,
    out: line(process.stdout),
    err: line(process.stderr),
  });
  registerNetwork(program, ctx);
  registerDeploy(program, ctx);
  registerLedger(program, ctx);
  registerFabric(program, ctx);
  registerProof(program, ctx);
  registerOrg(program, ctx);
  registerGatewayCommands(program, {
    out: ctx.out,
    err: ctx.err,
    profileDir: async () => (await ctx.target()).home.dir,
    channel: async () => (await ctx.target()).profile.network.channel,
    env: process.env,
    now: () => new Date(),
  });
  return program;
}

/** Runs the CLI with `argv`; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const { message, hint } = describeFailure(err);
    process.stderr.write(`creditchain: ${message}\n`);
    if (hint !== undefined) process.stderr.write(`  what to do: ${hint}\n`);
    return 1;
  }
}
