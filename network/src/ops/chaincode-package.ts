/**
 * Readies a fabric-contract-api Node chaincode folder for deployment, as Fabric's test-network
 * `network.sh deployCC` does for Node and TypeScript chaincode: install its dependencies when they are
 * not there, build it when it has a build script, then check that what the shim will load exports
 * contracts. Loading happens in a child process, so a chaincode that throws or hangs while loading
 * cannot take the operator down.
 */
import { spawn } from 'node:child_process';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Why a chaincode folder cannot be deployed. */
export type ChaincodePackageErrorCode =
  /** The folder does not exist or is not a directory. */
  | 'NO_FOLDER'
  /** The folder has no `package.json`. */
  | 'NO_PACKAGE_JSON'
  /** `package.json` is not a JSON object, or a field of it has the wrong type. */
  | 'BAD_PACKAGE_JSON'
  /** `npm ci` / `npm install` failed. */
  | 'INSTALL_FAILED'
  /** `npm run build` failed. */
  | 'BUILD_FAILED'
  /** A command could not be started (npm missing from PATH). */
  | 'COMMAND_UNAVAILABLE'
  /** `package.json` has no `main`. */
  | 'NO_MAIN'
  /** The file `main` names does not exist (typically: not built). */
  | 'MAIN_MISSING'
  /** Loading `main` threw, exited or timed out. */
  | 'LOAD_FAILED'
  /** `main` loads but exports no usable `contracts` array. */
  | 'NO_CONTRACTS';

/**
 * A chaincode folder that cannot be deployed: `message` says what went wrong, `hint` what to do
 * (the shape of the operator's `OperatorError`, so the CLI prints both the same way).
 */
export class ChaincodePackageError extends Error {
  override readonly name = ChaincodePackageError.name;

  /**
   * @param code - stable reason
   * @param message - what went wrong
   * @param hint - what the operator should do
   */
  constructor(
    readonly code: ChaincodePackageErrorCode,
    message: string,
    readonly hint: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How a command ended: its exit code (null when killed) and its interleaved output. */
export interface CommandResult {
  readonly exitCode: number | null;
  readonly output: string;
}

/** Runs one command; the port through which packaging runs npm (tests inject a recorder). */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly timeoutMs: number },
) => Promise<CommandResult>;

/** Options of {@link prepareChaincodeFolder}. */
export interface PrepareOptions {
  /** Progress lines (which command runs, what was found). */
  readonly log?: (line: string) => void;
  /** Runs npm (default: {@link spawnCommand}). */
  readonly run?: CommandRunner;
  /** Limit for each npm command (default 10 minutes). */
  readonly commandTimeoutMs?: number;
  /** Limit for loading `main` (default 60 s). */
  readonly loadTimeoutMs?: number;
}

/** A chaincode folder ready to deploy. */
export interface PreparedChaincode {
  /** Absolute path of the folder. */
  readonly folder: string;
  /** Absolute path of the file `package.json` `main` names. */
  readonly main: string;
  readonly language: 'typescript' | 'javascript';
  /** `package.json` `version`, when it has one. */
  readonly packageVersion?: string;
  /** Names of the exported contracts, the default one first. */
  readonly contracts: readonly string[];
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly main?: string;
  readonly scripts: Readonly<Record<string, string>>;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
}

const OUTPUT_TAIL_CHARS = 4000;
const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_LOAD_TIMEOUT_MS = 60_000;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function tail(output: string): string {
  const trimmed = output.trim();
  if (trimmed === '') return '(no output)';
  return trimmed.length > OUTPUT_TAIL_CHARS ? `…${trimmed.slice(-OUTPUT_TAIL_CHARS)}` : trimmed;
}

function stringRecord(value: unknown, field: string, file: string): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ChaincodePackageError(
      'BAD_PACKAGE_JSON',
      `${file}: "${field}" is not an object`,
      `make "${field}" an object of names to strings (or remove it)`,
    );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new ChaincodePackageError(
        'BAD_PACKAGE_JSON',
        `${file}: "${field}.${k}" is not a string`,
        `give "${field}.${k}" a string value`,
      );
    out[k] = v;
  }
  return out;
}

async function readPackageJson(folder: string): Promise<PackageJson> {
  const file = join(folder, 'package.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ChaincodePackageError(
      'NO_PACKAGE_JSON',
      `${folder} has no package.json, so it is not a Node chaincode`,
      'point --path at the folder holding the chaincode package.json (a fabric-contract-api project whose "main" exports `contracts`)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ChaincodePackageError(
      'BAD_PACKAGE_JSON',
      `${file} is not valid JSON: ${(err as Error).message}`,
      'fix the JSON syntax of package.json',
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new ChaincodePackageError(
      'BAD_PACKAGE_JSON',
      `${file} is not a JSON object`,
      'package.json must be an object with at least "name" and "main"',
    );
  const pkg = json as Record<string, unknown>;
  if (pkg['main'] !== undefined && typeof pkg['main'] !== 'string')
    throw new ChaincodePackageError(
      'BAD_PACKAGE_JSON',
      `${file}: "main" is not a string`,
      'set "main" to the chaincode entry file, e.g. "dist/index.js"',
    );
  return {
    ...(typeof pkg['name'] === 'string' ? { name: pkg['name'] } : {}),
    ...(typeof pkg['version'] === 'string' ? { version: pkg['version'] } : {}),
    ...(typeof pkg['main'] === 'string' ? { main: pkg['main'] } : {}),
    scripts: stringRecord(pkg['scripts'], 'scripts', file),
    dependencies: Object.keys(stringRecord(pkg['dependencies'], 'dependencies', file)),
    devDependencies: Object.keys(stringRecord(pkg['devDependencies'], 'devDependencies', file)),
  };
}

/** Whether Node's module resolution from `folder` finds an installed package `name`. */
async function installed(folder: string, name: string): Promise<boolean> {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (await exists(join(dir, 'node_modules', name, 'package.json'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

/** Declared packages (devDependencies too when a build needs them) that do not resolve from `folder`. */
async function missingPackages(folder: string, pkg: PackageJson, building: boolean): Promise<string[]> {
  const wanted = building ? [...pkg.dependencies, ...pkg.devDependencies] : pkg.dependencies;
  const missing: string[] = [];
  for (const name of wanted) if (!(await installed(folder, name))) missing.push(name);
  return missing;
}

async function detectLanguage(folder: string, pkg: PackageJson): Promise<'typescript' | 'javascript'> {
  if (await exists(join(folder, 'tsconfig.json'))) return 'typescript';
  return [...pkg.dependencies, ...pkg.devDependencies].includes('typescript') ? 'typescript' : 'javascript';
}

async function runStep(
  run: CommandRunner,
  args: readonly string[],
  folder: string,
  timeoutMs: number,
  fail: (result: CommandResult, command: string) => ChaincodePackageError,
): Promise<void> {
  const command = `npm ${args.join(' ')}`;
  let result: CommandResult;
  try {
    result = await run('npm', args, { cwd: folder, timeoutMs });
  } catch (err) {
    throw new ChaincodePackageError(
      'COMMAND_UNAVAILABLE',
      `could not run \`${command}\` in ${folder}: ${(err as Error).message}`,
      'install Node.js with npm and make sure `npm` is on PATH',
      { cause: err },
    );
  }
  if (result.exitCode !== 0) throw fail(result, command);
}

async function installDependencies(
  folder: string,
  missing: readonly string[],
  run: CommandRunner,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const locked =
    (await exists(join(folder, 'package-lock.json'))) || (await exists(join(folder, 'npm-shrinkwrap.json')));
  const args = locked ? ['ci'] : ['install'];
  log(`installing chaincode dependencies (${missing.join(', ')} not found): npm ${args.join(' ')}`);
  await runStep(run, args, folder, timeoutMs, (result, command) => {
    return new ChaincodePackageError(
      'INSTALL_FAILED',
      `\`${command}\` failed in ${folder} (exit ${String(result.exitCode)}):\n${tail(result.output)}`,
      locked
        ? 'check the registry is reachable; if package-lock.json is out of date with package.json, run `npm install` in the chaincode folder to refresh it'
        : 'check the registry is reachable and the dependency versions in package.json exist, then run `npm install` in the chaincode folder to see the full error',
    );
  });
}

async function build(folder: string, run: CommandRunner, timeoutMs: number, log: (line: string) => void) {
  log('building chaincode: npm run build');
  await runStep(run, ['run', 'build'], folder, timeoutMs, (result, command) => {
    return new ChaincodePackageError(
      'BUILD_FAILED',
      `\`${command}\` failed in ${folder} (exit ${String(result.exitCode)}):\n${tail(result.output)}`,
      'fix the compile errors above (run `npm run build` in the chaincode folder to reproduce), then deploy again',
    );
  });
}

/** The script the child process runs: load `main`, report its contracts over IPC, exit. */
const LOAD_SCRIPT = `
const send = (m) => process.send(m, () => process.exit(0));
try {
  const mod = require(process.argv[1]);
  const contracts = mod === null || mod === undefined ? undefined : mod.contracts;
  if (!Array.isArray(contracts)) {
    send({ kind: 'no-contracts', exported: mod === null || typeof mod !== 'object' && typeof mod !== 'function' ? typeof mod : Object.keys(mod) });
  } else {
    const names = [];
    const bad = [];
    contracts.forEach((C, i) => {
      try {
        if (typeof C !== 'function') throw new Error('is a ' + typeof C + ', not a class');
        const instance = new C();
        if (typeof instance.getName !== 'function') throw new Error('does not extend fabric-contract-api Contract');
        names.push(String(instance.getName()));
      } catch (e) {
        bad.push('contracts[' + i + '] ' + (e && e.message ? e.message : String(e)));
      }
    });
    send({ kind: 'contracts', names, bad });
  }
} catch (e) {
  send({ kind: 'threw', message: e && e.stack ? String(e.stack) : String(e) });
}
`;

type LoadReport =
  | { readonly kind: 'contracts'; readonly names: string[]; readonly bad: string[] }
  | { readonly kind: 'no-contracts'; readonly exported: string | string[] }
  | { readonly kind: 'threw'; readonly message: string };

/** Loads `main` in a child node process (cwd = the folder) and reports what it exports. */
function loadInChild(folder: string, main: string, timeoutMs: number): Promise<LoadReport> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', LOAD_SCRIPT, main], {
      cwd: folder,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: 'CRITICAL' },
    });
    let output = '';
    let report: LoadReport | undefined;
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m) => {
      report = m as LoadReport;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (report) resolvePromise(report);
      else if (signal === 'SIGKILL')
        resolvePromise({ kind: 'threw', message: `loading did not finish within ${timeoutMs} ms` });
      else
        resolvePromise({
          kind: 'threw',
          message: `the loader exited (${signal ?? `code ${String(code)}`}) before reporting:\n${tail(output)}`,
        });
    });
  });
}

async function checkContracts(
  folder: string,
  main: string,
  mainField: string,
  timeoutMs: number,
): Promise<string[]> {
  let report: LoadReport;
  try {
    report = await loadInChild(folder, main, timeoutMs);
  } catch (err) {
    throw new ChaincodePackageError(
      'LOAD_FAILED',
      `could not start node to load ${main}: ${(err as Error).message}`,
      'check that the node executable running this command is still installed',
      { cause: err },
    );
  }
  switch (report.kind) {
    case 'threw':
      throw new ChaincodePackageError(
        'LOAD_FAILED',
        `loading ${main} (package.json "main") failed:\n${report.message}`,
        'fix the error above (run `node -e "require(\'./\')"` in the chaincode folder to reproduce); missing modules mean dependencies are not installed',
      );
    case 'no-contracts':
      throw new ChaincodePackageError(
        'NO_CONTRACTS',
        `${mainField} does not export a "contracts" array (it exports: ${
          Array.isArray(report.exported) ? report.exported.join(', ') || 'nothing' : report.exported
        })`,
        'export the contract classes from the main file: `export const contracts = [MyContract];` (TypeScript) or `module.exports.contracts = [MyContract];`',
      );
    case 'contracts':
      if (report.bad.length > 0)
        throw new ChaincodePackageError(
          'NO_CONTRACTS',
          `${mainField} exports unusable contracts: ${report.bad.join('; ')}`,
          'list only classes that extend fabric-contract-api `Contract` and construct without arguments',
        );
      if (report.names.length === 0)
        throw new ChaincodePackageError(
          'NO_CONTRACTS',
          `${mainField} exports an empty "contracts" array`,
          'add at least one contract class: `export const contracts = [MyContract];`',
        );
      return report.names;
  }
}

/**
 * Prepares a fabric-contract-api chaincode folder (JavaScript or TypeScript) for deployment:
 * 1. checks it has a `package.json`;
 * 2. runs `npm ci` (with a lockfile) or `npm install` when its dependencies (and devDependencies, if it
 *    has a build script) do not resolve from the folder;
 * 3. runs `npm run build` when it has a `build` script;
 * 4. loads `main` in a child node process and checks it exports a non-empty `contracts` array of
 *    `Contract` classes.
 * @throws ChaincodePackageError naming what went wrong and what to do.
 */
export async function prepareChaincodeFolder(
  path: string,
  options: PrepareOptions = {},
): Promise<PreparedChaincode> {
  const folder = resolve(path);
  const log = options.log ?? (() => undefined);
  const run = options.run ?? spawnCommand;
  const commandTimeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const isDir = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir)
    throw new ChaincodePackageError(
      'NO_FOLDER',
      `chaincode folder ${folder} does not exist or is not a directory`,
      'pass --path the folder holding the chaincode package.json',
    );
  const pkg = await readPackageJson(folder);
  const language = await detectLanguage(folder, pkg);
  const hasBuild = pkg.scripts['build'] !== undefined;

  const missing = await missingPackages(folder, pkg, hasBuild);
  if (missing.length > 0) await installDependencies(folder, missing, run, commandTimeout, log);
  if (hasBuild) await build(folder, run, commandTimeout, log);

  if (pkg.main === undefined)
    throw new ChaincodePackageError(
      'NO_MAIN',
      `${join(folder, 'package.json')} has no "main", so fabric-chaincode-node cannot find the chaincode`,
      language === 'typescript'
        ? 'add "main": "dist/index.js" (the compiled entry) to package.json'
        : 'add "main": "index.js" (the file exporting `contracts`) to package.json',
    );
  const main = resolve(folder, pkg.main);
  if (!(await exists(main)))
    throw new ChaincodePackageError(
      'MAIN_MISSING',
      `"main" names ${main}, which does not exist`,
      hasBuild
        ? 'make the build write that file (check outDir in tsconfig.json) or correct "main"'
        : language === 'typescript'
          ? 'add a "build": "tsc" script to package.json so the chaincode is compiled, or correct "main"'
          : 'correct "main" in package.json',
    );
  const contracts = await checkContracts(
    folder,
    main,
    `"main" (${pkg.main})`,
    options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS,
  );
  log(`chaincode ${pkg.name ?? folder} ready: ${pkg.main} exports ${contracts.join(', ')}`);
  return {
    folder,
    main,
    language,
    ...(pkg.version === undefined ? {} : { packageVersion: pkg.version }),
    contracts,
  };
}

/** The default {@link CommandRunner}: spawns the command without a shell, output captured. */
export const spawnCommand: CommandRunner = (command, args, options) =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.length > 4 * OUTPUT_TAIL_CHARS) output = output.slice(-2 * OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n(killed after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code, output });
    });
  });
