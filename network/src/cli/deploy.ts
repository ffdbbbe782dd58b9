/**
 * `creditchain deploy --name <cc> --path <dir> [--policy <expr>] [--version <v>]`: prepares a
 * chaincode folder (install, build, check its contracts) and defines it on the running network
 * through the admin socket; deploying it again upgrades it (the sequence goes up).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  adminRequest,
  probeAdminSocket,
  type AdminRequestOptions,
  type SocketProbe,
} from '../ops/admin-client.js';
import type { DeployRequest } from '../ops/admin-protocol.js';
import {
  prepareChaincodeFolder,
  type PreparedChaincode,
  type PrepareOptions,
} from '../ops/chaincode-package.js';
import { OperatorError } from '../ops/errors.js';
import type { CliContext } from './context.js';

/** The outside world of the command (tests replace parts of it). */
export interface DeployDeps {
  readonly prepare: (path: string, options: PrepareOptions) => Promise<PreparedChaincode>;
  readonly probe: (socket: string) => Promise<SocketProbe>;
  readonly request: <T>(socket: string, request: DeployRequest, options: AdminRequestOptions) => Promise<T>;
}

/** Options of {@link deployChaincode}, as given on the command line. */
export interface DeployOptions {
  readonly name: string;
  readonly path: string;
  /** Default: the profile's `endorsementPolicy`, else {@link DEFAULT_POLICY}. */
  readonly policy?: string;
  /** Default: the chaincode's package.json version. */
  readonly version?: string;
}

/** The endorsement policy of chaincodes when neither `--policy` nor the profile names one. */
export const DEFAULT_POLICY = 'MAJORITY Endorsement';

/** Deploys take a while: chaincode processes start on every peer organisation. */
const DEPLOY_TIMEOUT_MS = 5 * 60_000;

const defaultDeps: DeployDeps = {
  prepare: prepareChaincodeFolder,
  probe: probeAdminSocket,
  request: adminRequest,
};

function describeDefinition(result: unknown, fallback: { name: string; version: string }): string {
  const r = (result ?? {}) as { name?: unknown; version?: unknown; sequence?: unknown };
  const name = typeof r.name === 'string' ? r.name : fallback.name;
  const version = typeof r.version === 'string' ? r.version : fallback.version;
  const sequence = typeof r.sequence === 'number' ? `, sequence ${r.sequence}` : '';
  return `${name} version ${version}${sequence}`;
}

/**
 * Prepares the folder and asks the running network to define the chaincode.
 * @throws OperatorError `NOT_RUNNING` when the profile's network is down (checked before building),
 *   ChaincodePackageError when the folder cannot be deployed, the server's error when the deploy fails.
 */
export async function deployChaincode(
  options: DeployOptions,
  ctx: CliContext,
  deps: DeployDeps = defaultDeps,
): Promise<unknown> {
  const socket = join(ctx.home, 'admin.sock');
  if ((await deps.probe(socket)) !== 'live')
    throw new OperatorError('NOT_RUNNING', `the ${ctx.profileName} network is not running`, {
      hint: `start it with \`creditchain network up --profile ${ctx.profileName}\` (in another terminal), then deploy again`,
    });
  ctx.out(`preparing ${options.path}`);
  const prepared = await deps.prepare(options.path, {
    log: (line) => {
      ctx.out(`  ${line}`);
    },
  });
  const version = options.version ?? prepared.packageVersion;
  if (version === undefined)
    throw new OperatorError(
      'ADMIN_OP_FAILED',
      `no version given and ${prepared.folder}/package.json has none`,
      {
        hint: 'pass --version <v> (a new version upgrades the chaincode)',
      },
    );
  const request: DeployRequest = {
    op: 'deploy',
    name: options.name,
    path: prepared.folder,
    version,
    policy: options.policy ?? (await ctx.target()).profile.network.endorsementPolicy ?? DEFAULT_POLICY,
  };
  ctx.out(
    `deploying ${options.name} version ${version}${options.version === undefined ? ' (from package.json)' : ''} with policy ${request.policy}`,
  );
  const result = await deps.request<unknown>(socket, request, { timeoutMs: DEPLOY_TIMEOUT_MS });
  ctx.out(`deployed ${describeDefinition(result, { name: options.name, version })}`);
  return result;
}

/** Registers `deploy` on the program. */
export function register(program: Command, ctx: CliContext, deps: DeployDeps = defaultDeps): void {
  program
    .command('deploy')
    .description(
      'install, build and check a fabric-contract-api chaincode folder, then define it on the running network (again: upgrade, sequence + 1)',
    )
    .requiredOption('--name <cc>', 'chaincode name on the channel')
    .requiredOption('--path <dir>', 'chaincode folder (its package.json "main" exports `contracts`)')
    .option('--policy <expr>', `endorsement policy (default: the profile's, else "${DEFAULT_POLICY}")`)
    .option('--version <v>', 'chaincode version (default: package.json version)')
    .action(async (opts: DeployOptions) => {
      await deployChaincode(opts, ctx, deps);
    });
}
