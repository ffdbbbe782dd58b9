/**
 * The local gateway directory: a JSON file an operator's tooling writes when it starts gateways
 * (`npm start` writes `<home>/<profile>/gateways/gateways.json`), and that clients such as the
 * `creditchain report|consent|subject|gateway` commands read to find a gateway's URL, the CA that
 * signs its TLS certificate, and the certificate files of the officers who may call it.
 *
 * It holds paths only, never secrets: private keys stay in their (0600) files.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { CallerRole } from '../services/context.js';

/** Current format version of the directory file. */
export const DIRECTORY_VERSION = 1;

/** File name of the directory inside `<home>/<profile>/gateways/`. */
export const DIRECTORY_FILE = 'gateways.json';

/** An officer who may call a gateway with a TLS client certificate. */
export interface DirectoryUser {
  /** Wallet user name (`User1`, `Admin`, `Regulator1`). */
  readonly name: string;
  readonly role: CallerRole;
  /** PEM client certificate (the officer's enrolment certificate). */
  readonly certFile: string;
  /** PEM private key of that certificate. */
  readonly keyFile: string;
}

/** One organisation's gateway. */
export interface DirectoryGateway {
  readonly mspId: string;
  /** Short organisation name (`yangtze`), accepted wherever an MSP id is. */
  readonly org: string;
  /** `https://host:port`. */
  readonly url: string;
  /** PEM CA certificate that issued the gateway's TLS server certificate. */
  readonly tlsCaFile: string;
  /** The gateway's configuration file. */
  readonly configFile: string;
  readonly users: readonly DirectoryUser[];
}

/** The whole directory. */
export interface GatewayDirectory {
  readonly version: number;
  readonly profile: string;
  readonly gateways: readonly DirectoryGateway[];
}

/** The directory file is missing or malformed. */
export class DirectoryError extends Error {
  readonly code = 'GATEWAY_DIRECTORY_INVALID';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DirectoryError';
  }
}

const ROLES: readonly CallerRole[] = ['member', 'regulator', 'admin'];

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DirectoryError(`${where} must be an object`);
  return value as Record<string, unknown>;
}

function text(o: Record<string, unknown>, field: string, where: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '')
    throw new DirectoryError(`${where}.${field} must be a non-empty string`);
  return v;
}

function path(o: Record<string, unknown>, field: string, where: string, base: string): string {
  const v = text(o, field, where);
  return isAbsolute(v) ? v : resolve(base, v);
}

/**
 * Validates a parsed directory; relative paths are resolved against `baseDir`.
 * @throws {@link DirectoryError}
 */
export function parseDirectory(raw: unknown, baseDir: string): GatewayDirectory {
  const top = record(raw, 'directory');
  if (top.version !== DIRECTORY_VERSION)
    throw new DirectoryError(`directory.version must be ${DIRECTORY_VERSION}`);
  if (!Array.isArray(top.gateways)) throw new DirectoryError('directory.gateways must be an array');
  const gateways = top.gateways.map((g: unknown, i): DirectoryGateway => {
    const where = `gateways[${i}]`;
    const o = record(g, where);
    const url = text(o, 'url', where);
    if (!/^https:\/\/[^/]+$/.test(url)) throw new DirectoryError(`${where}.url must be https://host:port`);
    if (!Array.isArray(o.users)) throw new DirectoryError(`${where}.users must be an array`);
    return {
      mspId: text(o, 'mspId', where),
      org: text(o, 'org', where),
      url,
      tlsCaFile: path(o, 'tlsCaFile', where, baseDir),
      configFile: path(o, 'configFile', where, baseDir),
      users: o.users.map((u: unknown, j): DirectoryUser => {
        const at = `${where}.users[${j}]`;
        const user = record(u, at);
        const role = user.role;
        if (!ROLES.includes(role as CallerRole))
          throw new DirectoryError(`${at}.role must be one of ${ROLES.join(', ')}`);
        return {
          name: text(user, 'name', at),
          role: role as CallerRole,
          certFile: path(user, 'certFile', at, baseDir),
          keyFile: path(user, 'keyFile', at, baseDir),
        };
      }),
    };
  });
  return { version: DIRECTORY_VERSION, profile: text(top, 'profile', 'directory'), gateways };
}

/**
 * Reads the directory of the profile folder `profileDir` (`<profileDir>/gateways/gateways.json`).
 * @throws {@link DirectoryError} when it is missing (no gateways were started) or malformed
 */
export async function readDirectory(profileDir: string): Promise<GatewayDirectory> {
  const file = directoryFile(profileDir);
  let body: string;
  try {
    body = await readFile(file, 'utf8');
  } catch (err) {
    throw new DirectoryError(`${file} cannot be read: are the gateways running (npm start)?`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new DirectoryError(`${file} is not JSON`, { cause: err });
  }
  return parseDirectory(raw, dirname(file));
}

/** `<profileDir>/gateways/gateways.json`. */
export function directoryFile(profileDir: string): string {
  return join(profileDir, 'gateways', DIRECTORY_FILE);
}

/**
 * The gateway of `org`: an MSP id (`YangtzeMSP`) or short name (`yangtze`), any case.
 * @throws {@link DirectoryError} naming the known ones
 */
export function findGateway(directory: GatewayDirectory, org: string): DirectoryGateway {
  const q = org.toLowerCase();
  const found = directory.gateways.find((g) => g.mspId.toLowerCase() === q || g.org.toLowerCase() === q);
  if (!found)
    throw new DirectoryError(
      `no gateway for "${org}"; known: ${directory.gateways.map((g) => `${g.org} (${g.mspId})`).join(', ')}`,
    );
  return found;
}
