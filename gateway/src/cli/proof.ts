/**
 * `creditchain proof verify <bundle> --roots <pem files...> [--json]`: checks a report's provenance
 * bundle offline, with nothing but the consortium's root CA certificates. Exit code 0 when it is
 * valid, 1 when it is not (the first failing check is named) or cannot be read.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  verifyProvenanceBundle,
  type ProvenanceCheck,
  type ProvenanceVerification,
} from '../audit/provenance/index.js';

/** What the `proof` commands need from the program that hosts them. */
export interface ProofCliContext {
  /** Prints a line on standard output. */
  readonly out: (line: string) => void;
  /** Prints a line on standard error. */
  readonly err: (line: string) => void;
  /** Sets the process exit code (default: `process.exitCode`). */
  readonly setExitCode?: (code: number) => void;
}

/** A file given to `proof verify` cannot be read; `hint` says what to do. */
export class ProofCommandError extends Error {
  override readonly name = ProofCommandError.name;

  constructor(
    message: string,
    readonly hint: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

interface VerifyOptions {
  readonly roots: string[];
  readonly json?: boolean;
}

async function read(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    throw new ProofCommandError(`cannot read ${what} ${file}`, `check the path of the ${what}`, { cause });
  }
}

function where(check: ProvenanceCheck): string {
  const parts: string[] = [check.check];
  if (check.block !== undefined) parts.push(`block ${check.block}`);
  if (check.txId !== undefined) parts.push(`tx ${check.txId}`);
  return parts.join(', ');
}

function printHuman(file: string, result: ProvenanceVerification, ctx: ProofCliContext): void {
  const { failure } = result;
  if (result.ok) {
    ctx.out(
      `${file}: VALID provenance of report ${result.reportId ?? '?'} on channel ${result.channel ?? '?'}, ` +
        `${result.transactions.length} transactions`,
    );
    for (const tx of result.transactions)
      ctx.out(
        `  block ${tx.block} tx ${tx.index} ${tx.timestamp} ${tx.function} by ${tx.creator.mspId} ${tx.creator.name}, ` +
          `endorsed by ${tx.endorsers.join(', ')}  ${tx.txId}`,
      );
    ctx.out(`  ${result.checks.length} checks passed`);
    return;
  }
  if (failure) ctx.out(`${file}: INVALID: ${failure.code ?? ''} (${where(failure)}): ${failure.message}`);
  else ctx.out(`${file}: INVALID`);
  for (const check of result.checks.filter((c) => !c.ok && c !== failure))
    ctx.out(`  also ${check.code ?? ''} (${where(check)}): ${check.message}`);
}

/** Adds the `proof` command group to `program`. */
export function registerProof(program: Command, ctx: ProofCliContext): void {
  const setExitCode =
    ctx.setExitCode ??
    ((code: number) => {
      process.exitCode = code;
    });
  const proof = program.command('proof').description("credit reports' provenance bundles");
  proof
    .command('verify')
    .description(
      'verify a provenance bundle offline against the consortium root CA certificates (the orderer ' +
        "organisation's and every peer organisation's): hash chain, data hashes, orderer signatures, " +
        'creator signatures, endorsements and policy, and that every transaction belongs to the report',
    )
    .argument('<bundle>', 'the bundle file (creditchain.provenance/1)')
    .requiredOption('--roots <pem...>', 'root CA certificate files, PEM (one or more certificates each)')
    .option('--json', 'print the whole verification as JSON')
    .action(async (file: string, options: VerifyOptions) => {
      const bundle = await read(file, 'bundle');
      const roots = await Promise.all(
        options.roots.map(async (f) => (await read(f, 'root certificate')).toString('utf8')),
      );
      const result = verifyProvenanceBundle(bundle, { roots });
      if (options.json === true) ctx.out(JSON.stringify(result, null, 2));
      else printHuman(file, result, ctx);
      setExitCode(result.ok ? 0 : 1);
    });
}

/** {@link registerProof} under the name the CLI's command groups use. */
export const register = registerProof;
