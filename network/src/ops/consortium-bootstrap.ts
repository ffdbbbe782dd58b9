/**
 * Brings a freshly deployed `credit` chaincode to a usable state, through the real Fabric gateway
 * client as the organisations' administrators: `InitConsortium` once, then `PublishOrgKey` for every
 * organisation that has no key yet. Running it again changes nothing.
 */
import type { Contract } from '@hyperledger/fabric-gateway';
import type { NetworkHandle } from '../network.js';
import { OperatorError } from './errors.js';
import { connectGateway, gatewayErrorText, type GatewaySession } from './gateway-client.js';
import { createOrgKey, storedOrgKeys } from './org-keys.js';
import type { ConsortiumBootstrap, OrgUserRef } from './profile-file.js';

/** What the bootstrap did, one line per step, for the operator. */
export type BootstrapLog = (line: string) => void;

/** The parts of a running network the bootstrap uses. */
export type BootstrapNetwork = Pick<NetworkHandle, 'channelId' | 'peers' | 'identity'>;

function session(net: BootstrapNetwork, ref: OrgUserRef): GatewaySession {
  const peer = net.peers.find((p) => p.mspId === ref.mspId);
  if (!peer) throw new Error(`no peer of ${ref.mspId} runs`);
  return connectGateway(peer, net.identity(ref.mspId, ref.user));
}

async function withContract<T>(
  net: BootstrapNetwork,
  ref: OrgUserRef,
  chaincode: string,
  fn: (contract: Contract) => Promise<T>,
): Promise<T> {
  const s = session(net, ref);
  try {
    return await fn(s.gateway.getNetwork(net.channelId).getContract(chaincode));
  } finally {
    s.close();
  }
}

function failed(step: string, ref: OrgUserRef, err: unknown): OperatorError {
  return new OperatorError(
    'BOOTSTRAP_FAILED',
    `${step} as ${ref.user}@${ref.mspId} failed: ${gatewayErrorText(err)}`,
    {
      hint: 'see the chaincode logs (`creditchain network logs`); `creditchain network reset` starts from scratch',
      cause: err,
    },
  );
}

async function initConsortium(
  net: BootstrapNetwork,
  spec: ConsortiumBootstrap,
  log: BootstrapLog,
): Promise<void> {
  await withContract(net, spec.initBy, spec.chaincode, async (contract) => {
    try {
      const current = JSON.parse(
        Buffer.from(await contract.evaluateTransaction('GetConsortium')).toString(),
      ) as {
        version?: unknown;
      };
      log(`consortium configuration already on the ledger (version ${String(current.version)})`);
      return;
    } catch (err) {
      if (!gatewayErrorText(err).includes('NOT_INITIALISED')) throw failed('GetConsortium', spec.initBy, err);
    }
    try {
      await contract.submitTransaction('InitConsortium', spec.configJson);
    } catch (err) {
      if (!gatewayErrorText(err).includes('ALREADY_INITIALISED'))
        throw failed('InitConsortium', spec.initBy, err);
    }
    log(`consortium configured from ${spec.configFile} by ${spec.initBy.user}@${spec.initBy.mspId}`);
  });
}

async function publishKey(
  net: BootstrapNetwork,
  spec: ConsortiumBootstrap,
  mspId: string,
  keysDir: string,
  log: BootstrapLog,
): Promise<void> {
  const keys = spec.orgKeys;
  if (!keys) return;
  const ref = { mspId, user: keys.user };
  await withContract(net, ref, spec.chaincode, async (contract) => {
    let active: string | undefined;
    try {
      const profile = JSON.parse(
        Buffer.from(await contract.evaluateTransaction('GetOrgProfile', mspId)).toString(),
      ) as { activeKeyId?: unknown };
      active = typeof profile.activeKeyId === 'string' ? profile.activeKeyId : undefined;
    } catch (err) {
      if (!gatewayErrorText(err).includes('ORG_NOT_FOUND')) throw failed('GetOrgProfile', ref, err);
    }
    const stored = await storedOrgKeys(keysDir, mspId);
    if (active !== undefined) {
      if (stored.some((k) => k.keyId === active)) log(`${mspId} key ${active} already published`);
      else log(`${mspId} has key ${active} on the ledger, with no private key here: left as it is`);
      return;
    }
    const key =
      stored.filter((k) => k.suite === keys.suite).at(-1) ?? (await createOrgKey(keysDir, mspId, keys.suite));
    try {
      await contract.submitTransaction('PublishOrgKey', key.keyId, key.suite, key.publicKey);
    } catch (err) {
      throw failed('PublishOrgKey', ref, err);
    }
    log(`${mspId} published key ${key.keyId} (private key ${key.privateKeyFile})`);
  });
}

/**
 * Initialises the consortium configuration unless the ledger has one, then publishes a key for each
 * listed organisation that has none (in parallel: the organisations' writes do not conflict).
 * @throws OperatorError `BOOTSTRAP_FAILED` naming the step, the identity and the chaincode's error.
 */
export async function bootstrapConsortium(
  net: BootstrapNetwork,
  spec: ConsortiumBootstrap,
  keysDir: string,
  log: BootstrapLog,
): Promise<void> {
  await initConsortium(net, spec, log);
  await Promise.all((spec.orgKeys?.orgs ?? []).map((mspId) => publishKey(net, spec, mspId, keysDir, log)));
}
