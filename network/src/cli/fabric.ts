/**
 * `creditchain fabric export --out <dir> [--force]` (with the global `--profile`/`--home`): writes the
 * profile's consortium as real Hyperledger Fabric 2.5 artifacts (configtx.yaml, MSP folders, core.yaml
 * fragment, CCaaS packages, chaincode server images, compose.yaml, README with the commands in order).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { exportFabric, type ExportOptions, type ExportResult } from '../ops/export/index.js';
import type { CliContext } from './context.js';

/** The outside world of the command (tests replace it). */
export interface FabricDeps {
  readonly exportFabric: (options: ExportOptions) => Promise<ExportResult>;
}

/** Options of `fabric export`. */
export interface FabricExportOptions {
  readonly out: string;
  readonly force?: boolean;
}

const defaultDeps: FabricDeps = { exportFabric };

/** Runs `fabric export` for the selected profile; resolves to what was written. */
export async function runFabricExport(
  options: FabricExportOptions,
  ctx: CliContext,
  deps: FabricDeps = defaultDeps,
): Promise<ExportResult> {
  const { profile, home } = await ctx.target();
  ctx.out(`exporting profile ${profile.network.name} (${profile.file}) for Hyperledger Fabric 2.5`);
  const result = await deps.exportFabric({
    profile: profile.network,
    home: home.dir,
    out: options.out,
    chaincodes: profile.chaincodes,
    consortium: profile.consortium,
    caPorts: profile.caPorts,
    force: options.force ?? false,
  });
  ctx.out(`wrote ${result.out}`);
  ctx.out(`  channel profile   ${result.configtxProfile} (configtx.yaml)`);
  for (const p of result.packages) ctx.out(`  chaincode package ${p.file}  id ${p.packageId}`);
  for (const w of result.warnings) ctx.out(`  note: ${w}`);
  ctx.out(`next: follow ${join(result.out, 'README.md')}`);
  return result;
}

/** Adds the `fabric` command group (`fabric export`) to `program`. */
export function register(program: Command, ctx: CliContext, deps: FabricDeps = defaultDeps): void {
  program
    .command('fabric')
    .description('real Hyperledger Fabric deployment artifacts')
    .command('export')
    .description(
      'write configtx.yaml, MSP folders, a core.yaml fragment, CCaaS packages, compose.yaml and a README to run this consortium on Fabric 2.5',
    )
    .requiredOption('--out <dir>', 'folder to write (new, empty, or a previous export with --force)')
    .option('--force', 'replace a previous export in --out')
    .action(async (opts: FabricExportOptions) => {
      await runFabricExport(opts, ctx, deps);
    });
}
