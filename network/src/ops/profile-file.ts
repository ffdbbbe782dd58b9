/**
 * Profile files: the YAML description of a consortium (`network/profiles/*.yaml`), loaded into a
 * {@link NetworkProfile} plus what the operator tooling does on top of it (chaincodes to deploy,
 * consortium initialisation, organisation keys to publish).
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { UserSpec } from '../msp/index.js';
import { parseEndorsementPolicy, policyMspIds } from '../policy/index.js';
import { checkProfile, ProfileError, type NetworkProfile, type PeerOrgProfile } from '../profile.js';
import { OperatorError } from './errors.js';
import { Fields, fieldError, formatPath, parsePath, stringItem, type FieldPath } from './profile-fields.js';

/** HPKE suites the tooling can generate organisation keys for (as the `credit` chaincode names them). */
export const HPKE_SUITES = [
  'DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM',
  'DHKEM(P-256, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM',
] as const;

/** One of {@link HPKE_SUITES}. */
export type HpkeSuite = (typeof HPKE_SUITES)[number];

/** A chaincode `network up` deploys (same version as running: reused; otherwise the sequence goes up). */
export interface ChaincodeDeployment {
  readonly name: string;
  /** Absolute path of the chaincode package folder. */
  readonly path: string;
  readonly version: string;
  readonly policy: string;
  /** Where it is declared, e.g. `chaincodes[0]`. */
  readonly field: string;
}

/** A user of an organisation. */
export interface OrgUserRef {
  readonly mspId: string;
  readonly user: string;
}

/** Organisation HPKE keys to publish, each by that organisation's `user`. */
export interface OrgKeyPublishing {
  readonly suite: HpkeSuite;
  readonly user: string;
  readonly orgs: readonly string[];
}

/** How `network up` initialises the consortium configuration on the ledger. */
export interface ConsortiumBootstrap {
  /** The chaincode that holds it (one of the profile's chaincodes). */
  readonly chaincode: string;
  readonly configFile: string;
  /** The configuration JSON, as `InitConsortium` takes it. */
  readonly configJson: string;
  readonly initBy: OrgUserRef;
  readonly orgKeys: OrgKeyPublishing | undefined;
}

/** A loaded, validated profile file. */
export interface OperatorProfile {
  /** Absolute path of the YAML file. */
  readonly file: string;
  readonly network: NetworkProfile;
  /** Port written into the connection profiles for each organisation's CA, by MSP id. */
  readonly caPorts: ReadonlyMap<string, number>;
  /** Port of each organisation's member gateway, for the organisations that run one. */
  readonly gatewayPorts: ReadonlyMap<string, number>;
  readonly chaincodes: readonly ChaincodeDeployment[];
  readonly consortium: ConsortiumBootstrap | undefined;
}

/** A {@link ProfileError} located in a file (and at a line when the field exists there). */
export class ProfileFileError extends ProfileError {
  override readonly name = ProfileFileError.name;
  readonly file: string;
  readonly line: number | undefined;
  readonly reason: string;

  constructor(file: string, field: string, reason: string, line?: number) {
    super(field, reason);
    this.file = file;
    this.line = line;
    this.reason = reason;
    this.message = `${file}${line === undefined ? '' : `:${line}`}: profile field ${field}: ${reason}`;
  }
}

/** The default profile's name. */
export const DEFAULT_PROFILE = 'creditchain';

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CHAINCODE_NAME = /^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$/;
const CHAINCODE_VERSION = /^[A-Za-z0-9_.+-]+$/;
const OUS = ['client', 'admin', 'peer', 'orderer'] as const;
const DEFAULT_POLICY = 'MAJORITY Endorsement';
const TOP_LEVEL = [
  'description',
  'name',
  'channel',
  'tls',
  'orderer',
  'endorsementPolicy',
  'batch',
  'orgs',
  'chaincodes',
  'consortium',
];

/**
 * The file a `--profile` argument names: a path (anything with a separator or a `.yaml`/`.yml`
 * suffix) or the name of a file in `profilesDir`; the default profile when omitted.
 * @throws OperatorError `PROFILE_NOT_FOUND`, listing the profiles available.
 */
export async function resolveProfileFile(arg: string | undefined, profilesDir: string): Promise<string> {
  const name = arg ?? DEFAULT_PROFILE;
  const isPath = name.includes('/') || name.includes(sep) || /\.ya?ml$/i.test(name);
  const file = isPath ? resolve(name) : join(profilesDir, `${name}.yaml`);
  if (existsSync(file)) return file;
  const inProfiles = join(profilesDir, name);
  if (isPath && !name.includes('/') && !name.includes(sep) && existsSync(inProfiles)) return inProfiles;
  let known: string[] = [];
  try {
    known = (await readdir(profilesDir))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => f.replace(/\.ya?ml$/, ''));
  } catch {
    known = [];
  }
  throw new OperatorError('PROFILE_NOT_FOUND', `profile ${isPath ? file : `"${name}"`} not found`, {
    hint: `use one of ${known.length ? known.join(', ') : '(none)'} from ${profilesDir}, or a path to a profile YAML file`,
  });
}

function lineOf(doc: Document, counter: LineCounter, path: FieldPath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
    const start = node?.range?.[0];
    if (start !== undefined) return counter.linePos(start).line;
  }
  return undefined;
}

/**
 * Reads and validates a profile file.
 * @throws ProfileFileError naming the file, the field (and its line) and the reason.
 */
export async function loadProfileFile(file: string): Promise<OperatorProfile> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new OperatorError('PROFILE_NOT_FOUND', `cannot read profile ${path}: ${(err as Error).message}`, {
      hint: 'check the path given to --profile',
    });
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = counter.linePos(syntax.pos[0]).line;
    throw new ProfileFileError(path, '(syntax)', syntax.message.split('\n')[0] ?? syntax.message, line);
  }
  try {
    return await readProfile(doc.toJS() as unknown, path);
  } catch (err) {
    if (err instanceof ProfileError && !(err instanceof ProfileFileError)) {
      const reason = err.message.replace(/^profile field [^:]*: /, '');
      throw new ProfileFileError(path, err.field, reason, lineOf(doc, counter, parsePath(err.field)));
    }
    throw err;
  }
}

function readUser(value: unknown, path: FieldPath): UserSpec {
  const f = new Fields(value, path, ['name', 'ou', 'attrs']);
  const name = f.string('name');
  const ou = f.string('ou');
  if (!(OUS as readonly string[]).includes(ou))
    throw fieldError([...path, 'ou'], `must be one of ${OUS.join(', ')}, found "${ou}"`);
  const attrs = f.stringMap('attrs');
  return { name, ou: ou as UserSpec['ou'], ...(attrs ? { attrs } : {}) };
}

function readOrg(
  value: unknown,
  path: FieldPath,
  caPorts: Map<string, number>,
  gatewayPorts: Map<string, number>,
): PeerOrgProfile {
  const f = new Fields(value, path, ['mspId', 'domain', 'peer', 'ca', 'gateway', 'users']);
  const mspId = f.string('mspId');
  const domain = f.string('domain');
  const peerFields = f.mapping('peer', ['name', 'host', 'port']);
  const peer = {
    name: peerFields.string('name', 'optional') ?? 'peer0',
    host: peerFields.string('host', 'optional') ?? 'localhost',
    port: peerFields.integer('port', 0, 65535),
  };
  const ca = f.mapping('ca', ['port'], 'optional');
  caPorts.set(mspId, ca?.integer('port', 1, 65535, 'optional') ?? Math.min(peer.port + 3, 65535));
  const gateway = f.mapping('gateway', ['port'], 'optional');
  if (gateway) gatewayPorts.set(mspId, gateway.integer('port', 1, 65535));
  const users = f.list('users', readUser) ?? [];
  if (users.length === 0) throw fieldError([...path, 'users'], 'needs at least one user (e.g. Admin)');
  const seen = new Set<string>();
  users.forEach((u, i) => {
    if (seen.has(u.name)) throw fieldError([...path, 'users', i, 'name'], `user ${u.name} appears twice`);
    seen.add(u.name);
  });
  return { mspId, domain, peer, users };
}

function checkPolicy(policy: string, path: FieldPath, orgs: readonly PeerOrgProfile[]): string {
  let parsed;
  try {
    parsed = parseEndorsementPolicy(policy);
  } catch (err) {
    throw fieldError(path, `is not an endorsement policy: ${(err as Error).message}`);
  }
  if (parsed.kind === 'signature') {
    const unknown = policyMspIds(parsed.policy).filter((m) => !orgs.some((o) => o.mspId === m));
    if (unknown.length)
      throw fieldError(path, `names ${unknown.join(', ')}, which is not a peer organisation of this profile`);
  }
  return policy;
}

async function packageVersion(folder: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

async function readChaincode(
  value: unknown,
  path: FieldPath,
  baseDir: string,
  orgs: readonly PeerOrgProfile[],
  defaultPolicy: string,
): Promise<ChaincodeDeployment> {
  const f = new Fields(value, path, ['name', 'path', 'version', 'policy']);
  const name = f.string('name');
  if (!CHAINCODE_NAME.test(name))
    throw fieldError([...path, 'name'], 'must be letters and digits, optionally joined by - or _');
  const relative = f.string('path');
  const folder = isAbsolute(relative) ? relative : resolve(baseDir, relative);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw fieldError(
      [...path, 'path'],
      `chaincode folder ${folder} not found (paths are relative to the profile file)`,
    );
  if (!existsSync(join(folder, 'package.json')))
    throw fieldError([...path, 'path'], `${folder} has no package.json: it is not a Node chaincode package`);
  let version = f.string('version', 'optional');
  if (version === undefined) {
    version = await packageVersion(folder);
    if (version === undefined)
      throw fieldError([...path, 'version'], `not given, and ${join(folder, 'package.json')} has no version`);
  }
  if (!CHAINCODE_VERSION.test(version))
    throw fieldError([...path, 'version'], `"${version}" must be letters, digits and . _ + -`);
  const policy = checkPolicy(f.string('policy', 'optional') ?? defaultPolicy, [...path, 'policy'], orgs);
  return { name, path: folder, version, policy, field: formatPath(path) };
}

function readUserRef(
  f: Fields,
  orgs: readonly PeerOrgProfile[],
  orgKey: string,
  userKey: string,
): OrgUserRef {
  const mspId = f.string(orgKey);
  const org = orgs.find((o) => o.mspId === mspId);
  if (!org) throw fieldError([...f.path, orgKey], `${mspId} is not a peer organisation of this profile`);
  const user = f.string(userKey, 'optional') ?? 'Admin';
  if (!org.users.some((u) => u.name === user))
    throw fieldError([...f.path, userKey], `${mspId} has no user ${user}`);
  return { mspId, user };
}

async function readConsortium(
  f: Fields,
  baseDir: string,
  orgs: readonly PeerOrgProfile[],
  chaincodes: readonly ChaincodeDeployment[],
): Promise<ConsortiumBootstrap> {
  const chaincode = f.string('chaincode');
  if (!chaincodes.some((c) => c.name === chaincode))
    throw fieldError([...f.path, 'chaincode'], `${chaincode} is not one of this profile's chaincodes`);
  const relative = f.string('config');
  const configFile = isAbsolute(relative) ? relative : resolve(baseDir, relative);
  let configJson: string;
  try {
    configJson = (await readFile(configFile, 'utf8')).trim();
  } catch {
    throw fieldError(
      [...f.path, 'config'],
      `file ${configFile} not found (paths are relative to the profile file)`,
    );
  }
  try {
    JSON.parse(configJson);
  } catch (err) {
    throw fieldError([...f.path, 'config'], `${configFile} is not JSON: ${(err as Error).message}`);
  }
  const initFields = f.mapping('initBy', ['org', 'user']);
  const initBy = readUserRef(initFields, orgs, 'org', 'user');
  const keys = f.mapping('orgKeys', ['suite', 'user', 'orgs'], 'optional');
  let orgKeys: OrgKeyPublishing | undefined;
  if (keys) {
    const suite = keys.string('suite', 'optional') ?? HPKE_SUITES[0];
    if (!(HPKE_SUITES as readonly string[]).includes(suite))
      throw fieldError([...keys.path, 'suite'], `must be one of: ${HPKE_SUITES.join('; ')}`);
    const user = keys.string('user', 'optional') ?? 'Admin';
    const list = keys.list('orgs', stringItem) ?? [];
    list.forEach((mspId, i) => {
      const org = orgs.find((o) => o.mspId === mspId);
      if (!org)
        throw fieldError([...keys.path, 'orgs', i], `${mspId} is not a peer organisation of this profile`);
      if (!org.users.some((u) => u.name === user))
        throw fieldError([...keys.path, 'orgs', i], `${mspId} has no user ${user} to publish its key`);
    });
    orgKeys = { suite: suite as HpkeSuite, user, orgs: list };
  }
  return { chaincode, configFile, configJson, initBy, orgKeys };
}

async function readProfile(value: unknown, file: string): Promise<OperatorProfile> {
  const baseDir = dirname(file);
  const f = new Fields(value, [], TOP_LEVEL);
  f.string('description', 'optional');
  const name = f.string('name', 'optional') ?? basename(file, extname(file));
  if (!PROFILE_NAME.test(name))
    throw fieldError(['name'], 'must be letters, digits, . _ - (it names the folder under network/.local)');
  const channel = f.string('channel');
  const tls = f.boolean('tls', 'optional');
  const ordererFields = f.mapping('orderer', ['mspId', 'domain', 'name']);
  const orderer = {
    mspId: ordererFields.string('mspId'),
    domain: ordererFields.string('domain'),
    name: ordererFields.string('name', 'optional') ?? 'orderer',
  };
  const caPorts = new Map<string, number>();
  const gatewayPorts = new Map<string, number>();
  const orgs = f.list('orgs', (v, p) => readOrg(v, p, caPorts, gatewayPorts)) ?? [];
  const domains = new Map<string, number>();
  orgs.forEach((o, i) => {
    if (o.domain === orderer.domain)
      throw fieldError(['orgs', i, 'domain'], `${o.domain} is also the orderer organisation's domain`);
    if (domains.has(o.domain)) throw fieldError(['orgs', i, 'domain'], `${o.domain} appears twice`);
    domains.set(o.domain, i);
  });
  const batchFields = f.mapping(
    'batch',
    ['maxMessageCount', 'preferredMaxBytes', 'absoluteMaxBytes', 'timeoutMs'],
    'optional',
  );
  const batch = batchFields && {
    ...optionalInt(batchFields, 'maxMessageCount', 1, 100_000),
    ...optionalInt(batchFields, 'preferredMaxBytes', 1, 100 * 1024 * 1024),
    ...optionalInt(batchFields, 'absoluteMaxBytes', 1, 100 * 1024 * 1024),
    ...optionalInt(batchFields, 'timeoutMs', 1, 60_000),
  };

  const network: NetworkProfile = checkProfile({
    name,
    channel,
    ...(tls === undefined ? {} : { tls }),
    orderer,
    orgs,
    ...(batch ? { batch } : {}),
  });
  const endorsementPolicy = checkPolicy(
    f.string('endorsementPolicy', 'optional') ?? DEFAULT_POLICY,
    ['endorsementPolicy'],
    orgs,
  );

  const chaincodes: ChaincodeDeployment[] = [];
  const raw = f.list('chaincodes', (v, p) => ({ v, p }), 'optional') ?? [];
  for (const { v, p } of raw) {
    const cc = await readChaincode(v, p, baseDir, orgs, endorsementPolicy);
    if (chaincodes.some((c) => c.name === cc.name))
      throw fieldError([...p, 'name'], `chaincode ${cc.name} appears twice`);
    chaincodes.push(cc);
  }
  const consortiumFields = f.mapping('consortium', ['chaincode', 'config', 'initBy', 'orgKeys'], 'optional');
  const consortium = consortiumFields
    ? await readConsortium(consortiumFields, baseDir, orgs, chaincodes)
    : undefined;
  const taken = new Map(orgs.map((o, i) => [o.peer.port, i]));
  orgs.forEach((o, i) => {
    const port = gatewayPorts.get(o.mspId);
    if (port === undefined) return;
    if (taken.has(port))
      throw fieldError(
        ['orgs', i, 'gateway', 'port'],
        `${String(port)} is already used by another peer or gateway`,
      );
    taken.set(port, i);
  });
  if (gatewayPorts.size > 0 && !consortium)
    throw fieldError(['orgs'], 'gateways need a consortium section (the chaincode they use)');
  return {
    file,
    network: { ...network, endorsementPolicy },
    caPorts,
    gatewayPorts,
    chaincodes,
    consortium,
  };
}

function optionalInt(f: Fields, key: string, min: number, max: number): Record<string, number> {
  const value = f.integer(key, min, max, 'optional');
  return value === undefined ? {} : { [key]: value };
}
