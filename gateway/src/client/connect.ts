/**
 * Clients for the gateways of the local gateway directory (`directory.ts`): the gateway's URL and
 * TLS CA, and an officer's client certificate, all by organisation and user name.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { DirectoryError, findGateway, type DirectoryUser, type GatewayDirectory } from './directory.js';
import { GatewayClient, type GatewayClientOptions } from './gateway-client.js';

/**
 * The officer `user` of `org`'s gateway.
 *
 * @throws {@link DirectoryError} naming the users the directory knows
 */
export function findUser(directory: GatewayDirectory, org: string, user: string): DirectoryUser {
  const gateway = findGateway(directory, org);
  const found = gateway.users.find((u) => u.name.toLowerCase() === user.toLowerCase());
  if (!found)
    throw new DirectoryError(
      `the gateway of ${gateway.mspId} has no user "${user}"; known: ${gateway.users.map((u) => `${u.name} (${u.role})`).join(', ') || 'none'}`,
    );
  return found;
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new DirectoryError(`${what} ${file} cannot be read`, { cause });
  }
}

/**
 * A client of `org`'s gateway authenticated by the TLS client certificate of its officer `user`.
 *
 * @param options - client options other than URL, CA and authentication
 * @throws {@link DirectoryError} for an unknown organisation or user, or unreadable files
 */
export async function directoryClient(
  directory: GatewayDirectory,
  org: string,
  user: string,
  options: Omit<GatewayClientOptions, 'url' | 'caPem' | 'auth'> = {},
): Promise<GatewayClient> {
  const gateway = findGateway(directory, org);
  const officer = findUser(directory, org, user);
  const [caPem, certPem, keyPem] = await Promise.all([
    readPem(gateway.tlsCaFile, `the TLS CA of ${gateway.mspId}'s gateway`),
    readPem(officer.certFile, `the certificate of ${officer.name}`),
    readPem(officer.keyFile, `the private key of ${officer.name}`),
  ]);
  return new GatewayClient({ ...options, url: gateway.url, caPem, auth: { certPem, keyPem } });
}
