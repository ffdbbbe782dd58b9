/**
 * Runs an emulated network in the foreground until SIGTERM/SIGINT:
 *
 *   node dist/network/src/run-network.js --dir <dir> [--profile test-network] [--free-ports]
 *     [--chaincode <folder> [--chaincode-name asset] [--chaincode-version 1.0] [--policy 'MAJORITY Endorsement']]
 *
 * Prints one JSON line `{"ready":true,"peers":[...],"users":[...]}` on stdout once every peer serves
 * clients. The peers' ports are kept in `<dir>/ports.json`, so a restart on the same folder (after a
 * crash too) serves the same endpoints and clients can reconnect.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startNetwork, type NetworkHandle } from './network.js';
import { testNetworkProfile, type NetworkProfile } from './profile.js';

const PROFILES: Record<string, () => NetworkProfile> = { 'test-network': testNetworkProfile };

/** Ports chosen for each organisation's peer, by MSP id. */
type Ports = Record<string, number>;

async function readPorts(file: string): Promise<Ports | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as unknown;
  if (parsed === null || typeof parsed !== 'object') throw new Error(`${file} is not a JSON object`);
  for (const [mspId, port] of Object.entries(parsed)) {
    if (!Number.isInteger(port)) throw new Error(`${file}: port of ${mspId} is not an integer`);
  }
  return parsed as Ports;
}

function withPorts(profile: NetworkProfile, ports: Ports): NetworkProfile {
  return {
    ...profile,
    orgs: profile.orgs.map((org) => {
      const port = ports[org.mspId];
      return port === undefined ? org : { ...org, peer: { ...org.peer, port } };
    }),
  };
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      profile: { type: 'string', default: 'test-network' },
      'free-ports': { type: 'boolean', default: false },
      chaincode: { type: 'string' },
      'chaincode-name': { type: 'string', default: 'asset' },
      'chaincode-version': { type: 'string', default: '1.0' },
      policy: { type: 'string', default: 'MAJORITY Endorsement' },
    },
    strict: true,
  });
  if (values.dir === undefined) throw new Error('--dir <folder> is required');
  const makeProfile = PROFILES[values.profile];
  if (!makeProfile)
    throw new Error(`unknown profile ${values.profile} (known: ${Object.keys(PROFILES).join(', ')})`);
  const dir = resolve(values.dir);
  const portsFile = join(dir, 'ports.json');

  const saved = await readPorts(portsFile);
  const profile = saved ? withPorts(makeProfile(), saved) : makeProfile();
  const net: NetworkHandle = await startNetwork(profile, { dir, freePorts: !saved && values['free-ports'] });
  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    stopping ??= net.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`run-network: stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  if (!saved) {
    const ports: Ports = Object.fromEntries(net.peers.map((p) => [p.mspId, portOf(p.address)]));
    await writeFile(portsFile, `${JSON.stringify(ports, null, 2)}\n`);
  }
  const name = values['chaincode-name'];
  if (values.chaincode !== undefined && !net.chaincodes().some((c) => c.name === name)) {
    await net.deploy({
      name,
      path: values.chaincode,
      version: values['chaincode-version'],
      policy: values.policy,
    });
  }
  const users = profile.orgs.flatMap((org) =>
    org.users.map((u) => {
      const { mspId, certPath, keyPath } = net.identity(org.mspId, u.name);
      return { mspId, name: u.name, certPath, keyPath };
    }),
  );
  process.stdout.write(
    `${JSON.stringify({ ready: true, dir, channel: net.channelId, peers: net.peers, users })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`run-network: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
