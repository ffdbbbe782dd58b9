/* Test-only: runs the member and enterprise commands in-process, as scripts/creditchain.ts does. */
import { Command, CommanderError } from 'commander';
import type { GatewayCliContext } from '../context.js';
import { registerGatewayCommands } from '../index.js';

/** What a run printed and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** Standard output as one text. */
  readonly stdout: string;
  /** The failure thrown, when the command failed. */
  readonly error: unknown;
}

/** The test context's settings. */
export interface TestContextOptions {
  readonly profileDir: string;
  readonly channel?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => Date;
}

/** Runs `argv` (without the program name); failures print `creditchain: <message>` and `what to do: <hint>`. */
export async function runCli(options: TestContextOptions, argv: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: GatewayCliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    profileDir: () => Promise.resolve(options.profileDir),
    channel: () => Promise.resolve(options.channel ?? 'creditchain'),
    env: options.env ?? {},
    now: options.now ?? (() => new Date()),
  };
  const program = new Command('creditchain').exitOverride().configureOutput({
    writeOut: (text) => out.push(...text.trimEnd().split('\n')),
    writeErr: (text) => err.push(...text.trimEnd().split('\n')),
  });
  registerGatewayCommands(program, ctx);
  let code = 0;
  let error: unknown;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    error = e;
    if (e instanceof CommanderError) code = e.exitCode;
    else {
      code = 1;
      const { message, hint } = e as { message?: unknown; hint?: unknown };
      err.push(...`creditchain: ${String(message)}`.split('\n'));
      if (typeof hint === 'string') err.push(`  what to do: ${hint}`);
    }
  }
  return { code, out, err, stdout: out.join('\n'), error };
}
