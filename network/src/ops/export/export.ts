/**
 * `fabric export`: writes, into one folder, everything an operator with Fabric 2.5 binaries or Docker
 * needs to run the same consortium as a creditchain profile on real Hyperledger Fabric. The folder is
 * written beside its destination and renamed into place, so a failed export leaves nothing half-written.
 */
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeOrgMaterial } from '../../msp/index.js';
import { orgSpecs, type ChaincodeSpec, type NetworkProfile } from '../../profile.js';
import { connectionProfileJson, connectionProfileYaml, domainLabel } from '../connection-profile.js';
import { storedOrgKeys } from '../org-keys.js';
import { ccaasPackage } from './ccaas-package.js';
import { composeBindSources, composeYaml } from './compose.js';
import { configtxYaml } from './configtx.js';
import { coreYamlFragment } from './core-yaml.js';
import { cryptoConfigYaml } from './crypto-config.js';
import { chaincodeDockerfile, DOCKERIGNORE, type ChaincodeFolderFacts } from './dockerfile.js';
import { commonEnvScript, orgEnvScriptPath, orgEnvScriptText } from './env-scripts.js';
import { ExportError } from './errors.js';
import { readme, type KeyInvocation } from './readme.js';
import { buildTopology, referencedCryptoPaths, type ConsortiumInit, type Topology } from './topology.js';

/** Marks a folder as written by {@link exportFabric}, so a later export with `force` may replace it. */
export const EXPORT_MARKER = '.creditchain-export.json';

/** What to export. */
export interface ExportOptions {
  readonly profile: NetworkProfile;
  /** The emulator folder of the profile (`network/.local/<profile>`): its `organizations/` is exported. */
  readonly home: string;
  /** The folder to write; it must not exist, be empty, or (with `force`) be a previous export. */
  readonly out: string;
  readonly chaincodes: readonly ChaincodeSpec[];
  readonly consortium?: ConsortiumInit | undefined;
  /** CA port written into each organisation's connection profile, by MSP id (default: peer port + 3). */
  readonly caPorts?: ReadonlyMap<string, number> | undefined;
  /** Replace a previous export at `out`. */
  readonly force?: boolean;
}

/** A chaincode package written by the export. */
export interface ExportedPackage {
  readonly name: string;
  readonly label: string;
  readonly packageId: string;
  /** Relative to the export folder. */
  readonly file: string;
}

/** What {@link exportFabric} wrote. */
export interface ExportResult {
  /** Absolute path of the export folder. */
  readonly out: string;
  /** `configtxgen -profile` name. */
  readonly configtxProfile: string;
  readonly packages: readonly ExportedPackage[];
  /** Files written besides `organizations/` and the chaincode sources, relative to the export folder. */
  readonly files: readonly string[];
  /** What differs from the emulated network, or was left for the operator. */
  readonly warnings: readonly string[];
}

/** Folder and file names never copied from a chaincode folder. */
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'coverage', '.vitest-cache', '.env']);

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** Checks `out` can be (re)placed; returns whether an old export must be removed first. */
async function checkOut(out: string, home: string, force: boolean): Promise<boolean> {
  if (inside(out, join(home, 'organizations')) || inside(home, out))
    throw new ExportError('OUT_INSIDE_HOME', `${out} overlaps the emulator folder ${home}`, {
      hint: 'choose an output folder outside the profile folder',
    });
  if (!existsSync(out)) return false;
  if (!(await stat(out)).isDirectory())
    throw new ExportError('OUT_NOT_EMPTY', `${out} exists and is not a folder`, {
      hint: 'choose another --out',
    });
  const entries = await readdir(out);
  if (entries.length === 0) return true;
  if (!entries.includes(EXPORT_MARKER))
    throw new ExportError('OUT_NOT_EMPTY', `${out} is not empty and is not a creditchain export`, {
      hint: 'choose a new or empty folder for --out',
    });
  if (!force)
    throw new ExportError('OUT_NOT_EMPTY', `${out} already holds a creditchain export`, {
      hint: 'pass --force to replace it, or choose another --out',
    });
  return true;
}

async function chaincodeFacts(
  source: string,
  name: string,
): Promise<ChaincodeFolderFacts & { warnings: string[] }> {
  let pkg: { scripts?: Record<string, unknown>; dependencies?: Record<string, unknown> };
  try {
    pkg = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as typeof pkg;
  } catch (err) {
    throw new ExportError(
      'BAD_CHAINCODE_FOLDER',
      `chaincode ${name}: cannot read ${join(source, 'package.json')}`,
      {
        hint: "set the chaincode's path to a Node chaincode package folder",
        cause: err,
      },
    );
  }
  const warnings: string[] = [];
  const hasLockfile = existsSync(join(source, 'package-lock.json'));
  if (!hasLockfile)
    warnings.push(
      `chaincode ${name} has no package-lock.json: its image runs npm install, not a reproducible npm ci`,
    );
  if (pkg.dependencies?.['fabric-shim'] === undefined)
    warnings.push(`chaincode ${name} does not depend on fabric-shim, which provides fabric-chaincode-node`);
  return { hasBuild: typeof pkg.scripts?.build === 'string', hasLockfile, warnings };
}

async function copyChaincode(source: string, target: string): Promise<void> {
  await cp(source, target, {
    recursive: true,
    filter: (src) => src === source || (!SKIPPED.has(basename(src)) && !src.endsWith('.log')),
  });
}

/** Relative paths the generated files refer to that are missing under `dir`. */
export function missingReferences(t: Topology, dir: string): string[] {
  const wanted = [
    ...referencedCryptoPaths(t),
    ...composeBindSources(t),
    ...t.chaincodes.map((c) => c.packageFile),
  ];
  return [...new Set(wanted)].filter((p) => !existsSync(join(dir, p)));
}

/**
 * Exports the consortium of `options.profile` for Hyperledger Fabric 2.5. Creates the crypto material in
 * `home` when missing (the same as `network up` would), then writes configtx.yaml, crypto-config.yaml,
 * the MSP folders, a core.yaml fragment, CCaaS packages, chaincode server images, compose.yaml, shell
 * environments and a README with the commands in order.
 * @throws ExportError when the output folder is unusable or the profile cannot run on Fabric as given;
 *   ProfileError for an invalid profile.
 */
export async function exportFabric(options: ExportOptions): Promise<ExportResult> {
  const topology = buildTopology(options);
  const home = resolve(options.home);
  const out = resolve(options.out);
  const replace = await checkOut(out, home, options.force ?? false);
  await mkdir(home, { recursive: true });
  for (const spec of orgSpecs(options.profile)) await writeOrgMaterial(spec, home);

  const stage = `${out}.partial-${process.pid}`;
  await rm(stage, { recursive: true, force: true });
  await mkdir(dirname(out), { recursive: true });
  try {
    const result = await writeExport(topology, home, stage, out, options.caPorts ?? new Map());
    if (replace) await rm(out, { recursive: true, force: true });
    await rename(stage, out);
    return result;
  } catch (err) {
    await rm(stage, { recursive: true, force: true });
    throw err;
  }
}

async function writeExport(
  t: Topology,
  home: string,
  dir: string,
  out: string,
  caPorts: ReadonlyMap<string, number>,
): Promise<ExportResult> {
  const files: string[] = [];
  const write = async (path: string, content: string | Uint8Array): Promise<void> => {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    await chmod(file, 0o644);
    files.push(path);
  };
  const warnings = [...t.warnings];

  await cp(join(home, 'organizations'), join(dir, 'organizations'), { recursive: true });

  const packages: ExportedPackage[] = [];
  const packageIdLines: string[] = [];
  for (const cc of t.chaincodes) {
    if (!existsSync(join(cc.source, 'package.json')))
      throw new ExportError(
        'BAD_CHAINCODE_FOLDER',
        `chaincode ${cc.name}: ${cc.source} has no package.json`,
        {
          hint: "set the chaincode's path to a Node chaincode package folder",
        },
      );
    const facts = await chaincodeFacts(cc.source, cc.name);
    warnings.push(...facts.warnings);
    await copyChaincode(cc.source, join(dir, cc.dir));
    await write(`${cc.dir}/Dockerfile`, chaincodeDockerfile(cc, facts));
    await write(`${cc.dir}/.dockerignore`, DOCKERIGNORE);
    const pkg = ccaasPackage({ name: cc.name, version: cc.version, address: cc.address });
    await write(cc.packageFile, pkg.bytes);
    packages.push({ name: cc.name, label: pkg.label, packageId: pkg.packageId, file: cc.packageFile });
    packageIdLines.push(`${cc.packageIdVar}=${pkg.packageId}`);
  }

  const gatewayFiles: string[] = [];
  for (const org of t.orgs) {
    const input = {
      profileName: t.profileName,
      mspId: org.mspId,
      domain: org.domain,
      peerHost: org.host,
      peerAddress: `${org.clientHost}:${org.port}`,
      tls: true,
      tlsCaPem: await readFile(join(dir, org.tlsCaCert), 'utf8'),
      caPem: await readFile(join(dir, org.caCert), 'utf8'),
      caPort: caPorts.get(org.mspId) ?? Math.min(org.port + 3, 65535),
    };
    const base = `gateway/connection-${domainLabel(org.domain)}`;
    await write(`${base}.json`, connectionProfileJson(input));
    await write(`${base}.yaml`, connectionProfileYaml(input));
    gatewayFiles.push(`${base}.json`, `${base}.yaml`);
  }
  const keyInvocations: KeyInvocation[] = [];
  if (t.consortium) {
    const c = t.consortium;
    await write('consortium/consortium.json', `${c.configJson.trim()}\n`);
    const invocation = { function: 'InitConsortium', Args: [c.configJson.trim()] };
    await write('consortium/init-consortium.json', `${JSON.stringify(invocation)}\n`);
    for (const publisher of c.keyPublishers) {
      const mspId = publisher.org.mspId;
      const key = (await storedOrgKeys(join(home, 'keys'), mspId))
        .filter((k) => k.suite === c.keySuite)
        .at(-1);
      if (!key) {
        warnings.push(
          `${mspId} has no HPKE key under ${join(home, 'keys', mspId)}: run creditchain network up once to create it, then export again`,
        );
        continue;
      }
      const file = `consortium/publish-key-${mspId}.json`;
      await write(
        file,
        `${JSON.stringify({ function: 'PublishOrgKey', Args: [key.keyId, key.suite, key.publicKey] })}\n`,
      );
      keyInvocations.push({ ...publisher, keyId: key.keyId, file });
    }
  } else if (t.chaincodes.length) {
    warnings.push(
      'the profile names no consortium configuration: README step "Initialise the consortium" needs one',
    );
  }

  await write('configtx.yaml', configtxYaml(t));
  await write('crypto-config.yaml', cryptoConfigYaml(t));
  await write('peercfg/core-ccaas.yaml', coreYamlFragment(t));
  await write('compose.yaml', composeYaml(t));
  await write(
    '.env',
    [
      `# Package ids of the chaincode servers (peer lifecycle chaincode calculatepackageid <package>).`,
      ...packageIdLines,
      '',
    ].join('\n'),
  );
  await write('env/common.sh', commonEnvScript(t));
  for (const org of t.orgs) await write(orgEnvScriptPath(org), orgEnvScriptText(org));
  await mkdir(join(dir, 'channel-artifacts'), { recursive: true });
  await write(
    'README.md',
    readme(t, {
      packageIds: new Map(packages.map((p) => [p.name, p.packageId])),
      gatewayFiles,
      keyInvocations,
      warnings,
    }),
  );
  await write(
    EXPORT_MARKER,
    `${JSON.stringify({ generator: 'creditchain fabric export', profile: t.profileName, channel: t.channel }, null, 2)}\n`,
  );

  const missing = missingReferences(t, dir);
  if (missing.length)
    throw new ExportError('INCOMPLETE', `the export refers to missing files: ${missing.join(', ')}`, {
      hint: `check the crypto material under ${join(home, 'organizations')} (creditchain network reset recreates it)`,
    });
  return { out, configtxProfile: t.configtxProfile, packages, files: files.sort(), warnings };
}
