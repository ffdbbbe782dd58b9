/** Checks made before a network starts, so that failures name their cause and their fix. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { OperatorError } from './errors.js';
import type { ChaincodeDeployment, OperatorProfile } from './profile-file.js';

/**
 * Checks that a chaincode folder holds its built entry point (`package.json` `main`).
 * @throws OperatorError `MISSING_BUILD` saying which file is missing and how to build it.
 */
export async function checkChaincodeBuild(
  chaincode: Pick<ChaincodeDeployment, 'name' | 'path'>,
): Promise<void> {
  const pkg = JSON.parse(await readFile(join(chaincode.path, 'package.json'), 'utf8')) as {
    main?: unknown;
    scripts?: Record<string, unknown>;
  };
  const main = resolve(chaincode.path, typeof pkg.main === 'string' ? pkg.main : 'index.js');
  if (existsSync(main) || existsSync(`${main}.js`)) return;
  const builds = typeof pkg.scripts?.build === 'string';
  throw new OperatorError('MISSING_BUILD', `chaincode ${chaincode.name} is not built: ${main} is missing`, {
    hint: builds
      ? `run \`npm run build\` (in the repository root, or in ${chaincode.path} for a chaincode of its own)`
      : `${join(chaincode.path, 'package.json')} "main" must name the chaincode's entry file`,
  });
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => {
      done(false);
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => {
        done(true);
      });
    });
  });
}

/** The address a peer of `host` binds (the emulator binds `localhost` peers to 127.0.0.1). */
export function bindHost(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

/**
 * Checks that every peer port of the profile is free.
 * @throws OperatorError `PORT_IN_USE` naming the port, the organisation and the profile field.
 */
export async function checkPeerPorts(profile: OperatorProfile): Promise<void> {
  for (const [i, org] of profile.network.orgs.entries()) {
    const { host, port } = org.peer;
    if (port === 0 || (await canListen(bindHost(host), port))) continue;
    const field = `orgs[${i}].peer.port`;
    throw new OperatorError(
      'PORT_IN_USE',
      `port ${port} (${org.mspId}'s peer, profile field ${field}) is already in use on ${host}`,
      {
        hint: `stop whatever listens there (\`ss -ltnp | grep :${port}\` shows it), or change ${field} in ${relative(process.cwd(), profile.file) || profile.file}`,
      },
    );
  }
  for (const [i, org] of profile.network.orgs.entries()) {
    const port = profile.gatewayPorts.get(org.mspId);
    if (port === undefined || (await canListen('127.0.0.1', port))) continue;
    const field = `orgs[${i}].gateway.port`;
    throw new OperatorError(
      'PORT_IN_USE',
      `port ${port} (${org.mspId}'s gateway, profile field ${field}) is already in use`,
      {
        hint: `stop whatever listens there (\`ss -ltnp | grep :${port}\` shows it), or change ${field} in ${relative(process.cwd(), profile.file) || profile.file}`,
      },
    );
  }
}
