import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChaincodePackageError,
  prepareChaincodeFolder,
  type CommandResult,
  type CommandRunner,
} from './chaincode-package.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const TS_FIXTURE = join(REPO, 'test', 'fixtures', 'ts-chaincode');

const temps: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'creditchain-ccpkg-'));
  temps.push(dir);
  return dir;
}

/** A copy of the TypeScript fixture; with `linked`, the repository's node_modules stands in for `npm install`. */
async function tsCopy(linked: boolean): Promise<string> {
  const folder = join(await tempDir(), 'cc');
  await cp(TS_FIXTURE, folder, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
  });
  if (linked) await symlink(join(REPO, 'node_modules'), join(folder, 'node_modules'), 'dir');
  return folder;
}

/** A JavaScript chaincode folder whose index.js is `code`, dependencies resolved from the repository. */
async function jsFolder(code: string, pkg: Record<string, unknown> = { main: 'index.js' }): Promise<string> {
  const folder = join(await tempDir(), 'js');
  await mkdir(folder);
  await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'js-cc', version: '1.0.0', ...pkg }));
  await writeFile(join(folder, 'index.js'), code);
  await symlink(join(REPO, 'node_modules'), join(folder, 'node_modules'), 'dir');
  return folder;
}

/** A runner that records the commands and answers each with `answer`. */
function recorder(answer: (args: readonly string[]) => CommandResult = () => ({ exitCode: 0, output: '' })): {
  run: CommandRunner;
  calls: Array<{ command: string; args: readonly string[]; cwd: string }>;
} {
  const calls: Array<{ command: string; args: readonly string[]; cwd: string }> = [];
  return {
    calls,
    run: (command, args, options) => {
      calls.push({ command, args, cwd: options.cwd });
      return Promise.resolve(answer(args));
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<ChaincodePackageError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ChaincodePackageError);
    return err as ChaincodePackageError;
  }
  throw new Error('expected prepareChaincodeFolder to fail');
}

const KV_CONTRACT = `
const { Contract } = require('fabric-contract-api');
class Kv extends Contract { constructor() { super('kvjs'); } async Get() { return ''; } }
`;

afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('prepareChaincodeFolder', () => {
  it('builds a TypeScript chaincode whose dependencies are installed and checks its contracts', async () => {
    const folder = await tsCopy(true);
    const lines: string[] = [];
    const prepared = await prepareChaincodeFolder(folder, { log: (l) => lines.push(l) });
    expect(prepared).toEqual({
      folder,
      main: join(folder, 'dist', 'index.js'),
      language: 'typescript',
      packageVersion: '1.0.0',
      contracts: ['kv'],
    });
    expect(lines).toEqual([
      'building chaincode: npm run build',
      'chaincode ts-chaincode-fixture ready: dist/index.js exports kv',
    ]);
  });

  it('runs npm install when the dependencies are missing, and npm ci when there is a lockfile', async () => {
    const folder = await tsCopy(false);
    const { run, calls } = recorder();
    const lines: string[] = [];
    const err = await failure(prepareChaincodeFolder(folder, { run, log: (l) => lines.push(l) }));
    expect(calls).toEqual([
      { command: 'npm', args: ['install'], cwd: folder },
      { command: 'npm', args: ['run', 'build'], cwd: folder },
    ]);
    expect(lines[0]).toBe(
      'installing chaincode dependencies (fabric-contract-api, fabric-shim, @types/node, typescript not found): npm install',
    );
    // The recorder built nothing, so the compiled entry is missing.
    expect(err.code).toBe('MAIN_MISSING');
    expect(err.hint).toContain('outDir');

    await writeFile(join(folder, 'package-lock.json'), '{}');
    const locked = recorder();
    await failure(prepareChaincodeFolder(folder, { run: locked.run }));
    expect(locked.calls.map((c) => c.args)).toEqual([['ci'], ['run', 'build']]);
  });

  it('skips the build of a JavaScript chaincode without a build script', async () => {
    const folder = await jsFolder(`${KV_CONTRACT}\nmodule.exports.contracts = [Kv];`);
    const { run, calls } = recorder();
    const prepared = await prepareChaincodeFolder(folder, { run });
    expect(calls).toEqual([]);
    expect(prepared).toMatchObject({ language: 'javascript', contracts: ['kvjs'] });
  });

  it('says what failed when npm install fails', async () => {
    const folder = await tsCopy(false);
    const { run } = recorder(() => ({ exitCode: 1, output: 'npm ERR! network ENOTFOUND registry' }));
    const err = await failure(prepareChaincodeFolder(folder, { run }));
    expect(err.code).toBe('INSTALL_FAILED');
    expect(err.message).toContain('`npm install` failed');
    expect(err.message).toContain('npm ERR! network ENOTFOUND registry');
    expect(err.hint).toContain('registry is reachable');
  });

  it('says npm is missing when it cannot be started', async () => {
    const folder = await tsCopy(false);
    const run: CommandRunner = () => Promise.reject(new Error('spawn npm ENOENT'));
    const err = await failure(prepareChaincodeFolder(folder, { run }));
    expect(err.code).toBe('COMMAND_UNAVAILABLE');
    expect(err.hint).toContain('`npm` is on PATH');
  });

  it('reports compile errors of the build', async () => {
    const folder = await tsCopy(true);
    await writeFile(join(folder, 'src', 'version.ts'), 'export const VERSION: number = "1";\n');
    const err = await failure(prepareChaincodeFolder(folder));
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toContain('`npm run build` failed');
    expect(err.message).toContain('TS2322');
    expect(err.hint).toContain('fix the compile errors');
  });

  it('refuses a folder without package.json, and a missing folder', async () => {
    const empty = await tempDir();
    const noPkg = await failure(prepareChaincodeFolder(empty));
    expect(noPkg.code).toBe('NO_PACKAGE_JSON');
    expect(noPkg.message).toContain(`${empty} has no package.json`);
    expect(noPkg.hint).toContain('point --path at the folder');
    expect((await failure(prepareChaincodeFolder(join(empty, 'nope')))).code).toBe('NO_FOLDER');
  });

  it('refuses a package.json that is not JSON or has no main', async () => {
    const folder = await jsFolder(KV_CONTRACT, {});
    expect((await failure(prepareChaincodeFolder(folder))).code).toBe('NO_MAIN');
    await writeFile(join(folder, 'package.json'), '{ "main": ');
    expect((await failure(prepareChaincodeFolder(folder))).code).toBe('BAD_PACKAGE_JSON');
  });

  it('refuses a main without a contracts array', async () => {
    const missing = await failure(
      prepareChaincodeFolder(await jsFolder(`${KV_CONTRACT}\nmodule.exports.Kv = Kv;`)),
    );
    expect(missing.code).toBe('NO_CONTRACTS');
    expect(missing.message).toContain('does not export a "contracts" array (it exports: Kv)');
    expect(missing.hint).toContain('export const contracts = [MyContract];');

    const empty = await failure(prepareChaincodeFolder(await jsFolder('module.exports.contracts = [];')));
    expect(empty.message).toContain('empty "contracts" array');

    const notContracts = await failure(
      prepareChaincodeFolder(await jsFolder('module.exports.contracts = [42, class X {}];')),
    );
    expect(notContracts.message).toContain('contracts[0] is a number, not a class');
    expect(notContracts.message).toContain('contracts[1] does not extend fabric-contract-api Contract');
  });

  it('survives chaincode that throws, exits or hangs while loading', async () => {
    const threw = await failure(prepareChaincodeFolder(await jsFolder('throw new Error("kaboom at load");')));
    expect(threw.code).toBe('LOAD_FAILED');
    expect(threw.message).toContain('kaboom at load');

    const exited = await failure(
      prepareChaincodeFolder(await jsFolder('console.error("bye"); process.exit(3);')),
    );
    expect(exited.code).toBe('LOAD_FAILED');
    expect(exited.message).toContain('code 3');
    expect(exited.message).toContain('bye');

    const hung = await failure(
      prepareChaincodeFolder(await jsFolder('for (;;) {}'), { loadTimeoutMs: 1000 }),
    );
    expect(hung.code).toBe('LOAD_FAILED');
    expect(hung.message).toContain('did not finish within 1000 ms');
  });
});
