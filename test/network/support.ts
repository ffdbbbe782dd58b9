/**
 * Test support for the emulator: starts networks in temporary folders and connects the real,
 * unmodified `@hyperledger/fabric-gateway` client to them over TLS.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, type Gateway, type Identity } from '@hyperledger/fabric-gateway';
import { startNetwork, type NetworkHandle } from '../../network/src/network.js';
import { testNetworkProfile, type NetworkProfile } from '../../network/src/profile.js';

export const ASSET_CHAINCODE = join(import.meta.dirname, '..', 'fixtures', 'asset-chaincode');

/** A started network in a temporary folder, removed by `close()`. */
export interface TestNetwork {
  readonly net: NetworkHandle;
  close(): Promise<void>;
}

/** Starts `profile` (default: test-network) on free ports with the asset chaincode deployed. */
export async function startTestNetwork(
  profile: NetworkProfile = testNetworkProfile(),
  policy = 'MAJORITY Endorsement',
): Promise<TestNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'creditchain-net-'));
  const net = await startNetwork(profile, { dir, freePorts: true });
  await net.deploy({ name: 'asset', path: ASSET_CHAINCODE, version: '1.0', policy });
  return {
    net,
    async close() {
      await net.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A gateway connection as user `user` of `mspId`, through that org's peer. */
export function connectAs(
  net: NetworkHandle,
  mspId: string,
  user = 'User1',
  peerMsp = mspId,
): { gateway: Gateway; client: grpc.Client } {
  const endpoint = net.peers.find((p) => p.mspId === peerMsp);
  if (!endpoint) throw new Error(`no peer for ${peerMsp}`);
  const credentials = grpc.credentials.createSsl(Buffer.from(endpoint.tlsRootCertPem));
  const client = new grpc.Client(endpoint.address, credentials, {
    'grpc.ssl_target_name_override': endpoint.hostAlias,
  });
  const material = net.identity(mspId, user);
  const identity: Identity = { mspId, credentials: Buffer.from(material.certPem) };
  const signer = signers.newPrivateKeySigner(createPrivateKey(material.keyPem));
  const gateway = connect({
    client,
    identity,
    signer,
    evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 30_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return { gateway, client };
}
