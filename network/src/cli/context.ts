/**
 * What every command group of the `creditchain` CLI gets: the selected profile and its folder
 * (global options `--profile` and `--home`), and where to print. Command groups export
 * `register(program, ctx)`; `scripts/creditchain.ts` composes them.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { homeBase, HOME_ENV, profileHome, type ProfileHome } from '../ops/home.js';
import { loadProfileFile, resolveProfileFile, type OperatorProfile } from '../ops/profile-file.js';

/** The profile a command works on. */
export interface Target {
  readonly profile: OperatorProfile;
  readonly home: ProfileHome;
}

/** The CLI context handed to each command group's `register`. */
export interface CliContext {
  /** The selected profile's folder `<home>/<profile>` (valid inside actions). */
  readonly home: string;
  /** The selected profile's name (valid inside actions). */
  readonly profileName: string;
  /** Prints a line on standard output. */
  readonly out: (line: string) => void;
  /** Prints a line on standard error. */
  readonly err: (line: string) => void;
  /** The repository root (where `network/profiles/` lives). */
  readonly root: string;
  /** The selected profile, loaded and validated, and its folders. */
  target(): Promise<Target>;
}

/** A command group. */
export type Register = (program: Command, ctx: CliContext) => void;

/** Global options every command understands. */
export interface GlobalOptions {
  readonly profile?: string;
  readonly home?: string;
}

/** Where the CLI runs. */
export interface CliEnvironment {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * Adds `--profile` and `--home` to `program` and returns a context that resolves them before each
 * action runs. A profile that fails to load fails only the commands that use it.
 */
export function createContext(program: Command, environment: CliEnvironment): CliContext {
  const profilesDir = join(environment.root, 'network', 'profiles');
  program
    .option(
      '--profile <name|file>',
      'consortium profile: a name in network/profiles/ or a YAML file',
      'creditchain',
    )
    .option(
      '--home <dir>',
      `folder of the profiles' runtime data (default $${HOME_ENV}, else network/.local)`,
    );
  let loaded: Promise<Target> | undefined;
  let resolved: { target?: Target; error?: unknown } = {};
  program.hook('preAction', async (_program, action) => {
    const options = action.optsWithGlobals<GlobalOptions>();
    loaded = (async () => {
      const profile = await loadProfileFile(await resolveProfileFile(options.profile, profilesDir));
      const base = homeBase(options.home, environment.env, environment.root);
      return { profile, home: profileHome(base, profile.network.name) };
    })();
    resolved = await loaded.then(
      (target) => ({ target }),
      (error: unknown) => ({ error }),
    );
  });
  const current = (): Target => {
    if (resolved.target) return resolved.target;
    if (resolved.error instanceof Error) throw resolved.error;
    if (resolved.error !== undefined)
      throw new Error('the profile could not be loaded', { cause: resolved.error });
    throw new Error('the profile is resolved when a command runs');
  };
  return {
    get home() {
      return current().home.dir;
    },
    get profileName() {
      return current().profile.network.name;
    },
    out: environment.out,
    err: environment.err,
    root: environment.root,
    target: () => loaded ?? Promise.reject(new Error('the profile is resolved when a command runs')),
  };
}
