/**
 * Where the gateway's peer is and how to trust it: given directly in configuration, or read from a
 * Fabric common connection profile (`connection-org1.json` as fabric-samples' test-network writes
 * it, or as any Fabric operator hands it out).
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A peer endpoint to connect the Fabric gateway client to. */
export interface PeerConnection {
  /** `host:port` to dial. */
  readonly endpoint: string;
  /** PEM of the TLS root certificate(s) to trust; plaintext gRPC when absent. */
  readonly tlsRootCertPem?: string;
  /** Host name the peer's TLS certificate is issued for (`ssl_target_name_override`), when it differs from `endpoint`'s. */
  readonly hostAlias?: string;
}

/** A malformed connection profile or peer configuration. */
export class ConnectionConfigError extends Error {
  readonly code = 'CONNECTION_CONFIG_INVALID';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ConnectionConfigError.name;
  }
}

type Json = Readonly<Record<string, unknown>>;

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConnectionConfigError(`${where} must be an object`);
  return value as Json;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new ConnectionConfigError(`${where} must be a string`);
  return value;
}

async function tlsPem(tls: unknown, where: string, baseDir: string): Promise<string | undefined> {
  if (tls === undefined) return undefined;
  const t = object(tls, where);
  if (typeof t.pem === 'string') return t.pem;
  if (Array.isArray(t.pem)) return t.pem.map((p, i) => text(p, `${where}.pem[${i}]`)).join('\n');
  if (typeof t.path === 'string') {
    try {
      return await readFile(resolve(baseDir, t.path), 'utf8');
    } catch (cause) {
      throw new ConnectionConfigError(`${where}.path cannot be read`, { cause });
    }
  }
  throw new ConnectionConfigError(`${where} must have pem or path`);
}

/**
 * The peer of a connection profile: the first peer of `organization` (default: the profile's
 * `client.organization`, or the organisation whose `mspid` is `mspId`).
 *
 * @param profile - the parsed JSON profile
 * @param options.mspId - picks the organisation by MSP id
 * @param options.baseDir - resolves relative `tlsCACerts.path`s
 * @throws {@link ConnectionConfigError} when the profile lacks what is needed
 */
export async function peerFromConnectionProfile(
  profile: unknown,
  options: { readonly mspId?: string; readonly baseDir?: string } = {},
): Promise<PeerConnection> {
  const root = object(profile, 'connection profile');
  const orgs = object(root.organizations, 'organizations');
  let orgName: string | undefined;
  if (options.mspId !== undefined) {
    orgName = Object.keys(orgs).find(
      (name) => object(orgs[name], `organizations.${name}`).mspid === options.mspId,
    );
    if (orgName === undefined)
      throw new ConnectionConfigError(
        `no organisation with mspid ${options.mspId} in the connection profile`,
      );
  } else {
    const client = object(root.client, 'client');
    orgName = text(client.organization, 'client.organization');
  }
  const org = object(orgs[orgName], `organizations.${orgName}`);
  const peerNames = org.peers;
  if (!Array.isArray(peerNames) || peerNames.length === 0)
    throw new ConnectionConfigError(`organizations.${orgName}.peers must list a peer`);
  const peerName = text(peerNames[0], `organizations.${orgName}.peers[0]`);
  const peer = object(object(root.peers, 'peers')[peerName], `peers.${peerName}`);
  const url = text(peer.url, `peers.${peerName}.url`);
  const match = /^(grpcs?):\/\/([^/]+)$/.exec(url);
  if (!match)
    throw new ConnectionConfigError(`peers.${peerName}.url must be grpc://host:port or grpcs://host:port`);
  const [, scheme, endpoint] = match as unknown as [string, string, string];
  const grpcOptions =
    peer.grpcOptions === undefined ? {} : object(peer.grpcOptions, `peers.${peerName}.grpcOptions`);
  const override = grpcOptions['ssl-target-name-override'] ?? grpcOptions.hostnameOverride;
  const pem =
    scheme === 'grpcs'
      ? await tlsPem(peer.tlsCACerts, `peers.${peerName}.tlsCACerts`, options.baseDir ?? '.')
      : undefined;
  if (scheme === 'grpcs' && pem === undefined)
    throw new ConnectionConfigError(`peers.${peerName}.tlsCACerts is required for grpcs`);
  return {
    endpoint,
    ...(pem === undefined ? {} : { tlsRootCertPem: pem }),
    hostAlias: typeof override === 'string' && override !== '' ? override : peerName,
  };
}

/**
 * Reads a JSON connection profile file and returns its peer (see {@link peerFromConnectionProfile}).
 *
 * @throws {@link ConnectionConfigError}
 */
export async function readConnectionProfile(file: string, mspId?: string): Promise<PeerConnection> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new ConnectionConfigError(`connection profile ${file} is not readable JSON`, { cause });
  }
  return peerFromConnectionProfile(parsed, {
    baseDir: dirname(file),
    ...(mspId === undefined ? {} : { mspId }),
  });
}
