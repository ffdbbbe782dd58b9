/**
 * Deploying a TypeScript chaincode folder to a running test-network and driving it the way a Fabric
 * sample application does: nothing but a common connection profile and the test-network crypto layout
 * (users/User1@org1.example.com/msp/{signcerts,keystore}), with the real fabric-gateway client.
 */
import { createPrivateKey } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetwork, type NetworkHandle } from '../../network/src/network.js';
import { prepareChaincodeFolder } from '../../network/src/ops/chaincode-package.js';
import { writeConnectionProfile } from '../../network/src/ops/connection-profile.js';
import { testNetworkProfile } from '../../network/src/profile.js';

const REPO = join(import.meta.dirname, '..', '..');
const TS_FIXTURE = join(REPO, 'test', 'fixtures', 'ts-chaincode');

/** The parts of a Fabric common connection profile a gateway application reads. */
interface ConnectionProfile {
  readonly organizations: Record<string, { readonly mspid: string; readonly peers: readonly string[] }>;
  readonly peers: Record<
    string,
    {
      readonly url: string;
      readonly tlsCACerts: { readonly pem: string };
      readonly grpcOptions: Record<string, string>;
    }
  >;
}

async function firstFile(dir: string): Promise<Buffer> {
  const [name] = await readdir(dir);
  if (name === undefined) throw new Error(`${dir} is empty`);
  return readFile(join(dir, name));
}

/** A gateway connection built the way fabric-samples' application-gateway-typescript builds it. */
async function connectWithProfile(
  profileFile: string,
  cryptoPath: string,
  user: string,
): Promise<{ gateway: Gateway; client: grpc.Client }> {
  const ccp = JSON.parse(await readFile(profileFile, 'utf8')) as ConnectionProfile;
  const [org] = Object.values(ccp.organizations);
  const peerName = org?.peers[0];
  const peer = peerName === undefined ? undefined : ccp.peers[peerName];
  if (!org || !peer) throw new Error(`${profileFile} names no peer`);
  const client = new grpc.Client(
    peer.url.replace(/^grpcs?:\/\//, ''),
    grpc.credentials.createSsl(Buffer.from(peer.tlsCACerts.pem)),
    { 'grpc.ssl_target_name_override': peer.grpcOptions['ssl-target-name-override'] ?? '' },
  );
  const msp = join(cryptoPath, 'users', user, 'msp');
  const gateway = connect({
    client,
    identity: { mspId: org.mspid, credentials: await firstFile(join(msp, 'signcerts')) },
    signer: signers.newPrivateKeySigner(createPrivateKey(await firstFile(join(msp, 'keystore')))),
    evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 30_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return { gateway, client };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('deploying a TypeScript chaincode folder', () => {
  let dir: string;
  let work: string;
  let net: NetworkHandle;
  let connection: { gateway: Gateway; client: grpc.Client };
  let kv: Contract;

  /** A copy of the fixture with `version.ts` saying `version`; the repository's node_modules linked in. */
  async function fixtureCopy(version: string): Promise<string> {
    const folder = join(work, `kv-${version}`);
    await cp(TS_FIXTURE, folder, {
      recursive: true,
      filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
    });
    await writeFile(join(folder, 'src', 'version.ts'), `export const VERSION = '${version}';\n`);
    await symlink(join(REPO, 'node_modules'), join(folder, 'node_modules'), 'dir');
    return folder;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'creditchain-deploy-'));
    work = await mkdtemp(join(tmpdir(), 'creditchain-deploy-cc-'));
    net = await startNetwork(testNetworkProfile(), { dir, freePorts: true });
  });

  afterAll(async () => {
    connection.gateway.close();
    connection.client.close();
    await net.stop();
    await Promise.all([dir, work].map((d) => rm(d, { recursive: true, force: true })));
  });

  it('prepares, deploys and serves it to an application configured by a connection profile', async () => {
    const prepared = await prepareChaincodeFolder(await fixtureCopy('1'));
    expect(prepared).toMatchObject({ language: 'typescript', contracts: ['kv'] });
    const def = await net.deploy({
      name: 'kv',
      path: prepared.folder,
      version: '1',
      policy: 'MAJORITY Endorsement',
    });
    expect(def).toMatchObject({ name: 'kv', version: '1', sequence: 1 });

    const peer = net.peers.find((p) => p.mspId === 'Org1MSP');
    if (!peer) throw new Error('no Org1 peer');
    const files = await writeConnectionProfile(dir, {
      profileName: 'test-network',
      mspId: 'Org1MSP',
      domain: 'org1.example.com',
      peerHost: peer.hostAlias,
      peerAddress: peer.address,
      tls: true,
      tlsCaPem: peer.tlsRootCertPem,
      caPort: 7054,
    });
    expect(files.json).toBe(join(dir, 'connection-org1.json'));
    connection = await connectWithProfile(
      files.json,
      join(dir, 'organizations', 'peerOrganizations', 'org1.example.com'),
      'User1@org1.example.com',
    );
    kv = connection.gateway.getNetwork('mychannel').getContract('kv');

    await kv.submitTransaction('Put', 'greeting', 'hello');
    expect(text(await kv.evaluateTransaction('Get', 'greeting'))).toBe('hello');
    expect(text(await kv.evaluateTransaction('CodeVersion'))).toBe('kv 1');
  });

  it('upgrades: a new version bumps the sequence, runs the new code and keeps the state', async () => {
    const prepared = await prepareChaincodeFolder(await fixtureCopy('2'));
    const def = await net.deploy({
      name: 'kv',
      path: prepared.folder,
      version: '2',
      policy: 'MAJORITY Endorsement',
    });
    expect(def).toMatchObject({ name: 'kv', version: '2', sequence: 2 });
    expect(net.chaincodes().map((c) => [c.name, c.version, c.sequence])).toEqual([['kv', '2', 2]]);

    expect(text(await kv.evaluateTransaction('CodeVersion'))).toBe('kv 2');
    expect(text(await kv.evaluateTransaction('Get', 'greeting'))).toBe('hello');
    await kv.submitTransaction('Delete', 'greeting');
    await expect(kv.evaluateTransaction('Get', 'greeting')).rejects.toThrow('key greeting does not exist');
  });
});
