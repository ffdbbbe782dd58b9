/**
 * `creditchain org key rotate --org <org>`: rotates an organisation's HPKE key. A new key pair is
 * created under `<home>/keys/<MSP>/`, published on the ledger by the organisation's administrator
 * (`PublishOrgKey`, which retires the previous key), and then becomes the key the organisation's
 * gateways wrap new reports to; the old keys stay so that everything wrapped to them still opens.
 *
 * The publication goes through `@hyperledger/fabric-gateway` to the organisation's own peer (from
 * the connection profile the network wrote), signed with the administrator's enrolment from the
 * home's crypto material: a key publication is the organisation's own act, which on a real Fabric
 * network no operator process could sign for it. The emulator's admin socket is its control plane
 * (deploys, status) and is not involved, so this works the same against any peer that runs `credit`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Command } from 'commander';
import { domainLabel, orgName } from '../ops/connection-profile.js';
import {
  connectGateway,
  gatewayErrorText,
  type GatewayPeer,
  type GatewayUser,
} from '../ops/gateway-client.js';
import {
  OrgKeyError,
  rotateOrgKey,
  type LedgerOrgKeys,
  type OrgKey,
  type OrgKeyLedger,
  type RotationResult,
} from '../ops/org-keys.js';
import { HPKE_SUITES, type HpkeSuite } from '../ops/profile-file.js';
import type { PeerOrgProfile } from '../profile.js';
import type { CliContext } from './context.js';

/** Evaluations and submissions give up after this long. */
const LEDGER_TIMEOUT_MS = 30_000;

/** What `org key rotate` is given on the command line. */
export interface RotateOptions {
  /** MSP id, organisation name (`Yangtze`), domain or its first label. */
  readonly org: string;
  /** The administrator who publishes; default the profile's `consortium.orgKeys.user`, else `Admin`. */
  readonly user?: string;
}

/** Where the organisation's ledger is reached and as whom. */
export interface OrgLedgerTarget {
  readonly mspId: string;
  readonly channel: string;
  readonly chaincode: string;
  readonly peer: GatewayPeer;
  readonly user: GatewayUser & { readonly name: string };
}

/** The outside world of the command (tests replace it). */
export interface OrgDeps {
  readonly ledger: (target: OrgLedgerTarget) => OrgKeyLedger & { close(): void };
}

/** The organisation of the profile that `query` names. */
export function findOrg(orgs: readonly PeerOrgProfile[], query: string): PeerOrgProfile {
  const q = query.toLowerCase();
  const org = orgs.find((o) =>
    [o.mspId, orgName(o.mspId), o.domain, domainLabel(o.domain)].some((n) => n.toLowerCase() === q),
  );
  if (!org)
    throw new OrgKeyError('UNKNOWN_ORG', `no organisation of the profile is called ${query}`, {
      hint: `name one by MSP id, organisation or domain: ${orgs.map((o) => o.mspId).join(', ')}`,
    });
  return org;
}

async function readText(file: string, code: 'NO_CONNECTION_PROFILE' | 'NO_ADMIN_IDENTITY', hint: string) {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new OrgKeyError(code, `cannot read ${file}`, { hint, cause });
  }
}

/** The organisation's peer, from `connection-<label>.json` (Fabric common connection profile). */
export async function peerFromConnectionProfile(homeDir: string, org: PeerOrgProfile): Promise<GatewayPeer> {
  const file = join(homeDir, `connection-${domainLabel(org.domain)}.json`);
  const text = await readText(
    file,
    'NO_CONNECTION_PROFILE',
    'the network writes it when it starts: run `creditchain network up` first',
  );
  const invalid = (why: string) =>
    new OrgKeyError('NO_CONNECTION_PROFILE', `${file} ${why}`, {
      hint: 'restart the network (`creditchain network up`) to write it again',
    });
  let ccp: {
    organizations?: Record<string, { mspid?: unknown; peers?: unknown }>;
    peers?: Record<
      string,
      { url?: unknown; tlsCACerts?: { pem?: unknown }; grpcOptions?: Record<string, unknown> }
    >;
  };
  try {
    ccp = JSON.parse(text) as typeof ccp;
  } catch {
    throw invalid('is not JSON');
  }
  const entry = Object.values(ccp.organizations ?? {}).find((o) => o.mspid === org.mspId);
  const host = Array.isArray(entry?.peers) ? (entry.peers as unknown[])[0] : undefined;
  const peer = typeof host === 'string' ? ccp.peers?.[host] : undefined;
  const url = typeof peer?.url === 'string' ? /^(grpcs?):\/\/(.+)$/.exec(peer.url) : null;
  if (!peer || !url || typeof host !== 'string') throw invalid(`names no peer of ${org.mspId}`);
  const tls = url[1] === 'grpcs';
  const pem = peer.tlsCACerts?.pem;
  if (tls && typeof pem !== 'string') throw invalid(`has no TLS CA certificate for ${host}`);
  const override = peer.grpcOptions?.['ssl-target-name-override'];
  return {
    address: url[2] ?? '',
    hostAlias: typeof override === 'string' ? override : host,
    tls,
    tlsRootCertPem: typeof pem === 'string' ? pem : '',
  };
}

/** A user's enrolment from the home's crypto material (Fabric test-network layout). */
export async function userFromHome(homeDir: string, org: PeerOrgProfile, user: string): Promise<GatewayUser> {
  const msp = join(
    homeDir,
    'organizations',
    'peerOrganizations',
    org.domain,
    'users',
    `${user}@${org.domain}`,
    'msp',
  );
  const hint = `the profile lists ${org.mspId}'s users; the administrator that publishes keys must be one (role admin)`;
  return {
    mspId: org.mspId,
    certPem: await readText(join(msp, 'signcerts', 'cert.pem'), 'NO_ADMIN_IDENTITY', hint),
    keyPem: await readText(join(msp, 'keystore', 'priv_sk'), 'NO_ADMIN_IDENTITY', hint),
  };
}

function parseProfile(bytes: Uint8Array): LedgerOrgKeys {
  return JSON.parse(Buffer.from(bytes).toString()) as LedgerOrgKeys;
}

function ledgerFailure(target: OrgLedgerTarget, step: string, err: unknown): OrgKeyError {
  const code = (err as { code?: unknown }).code;
  if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED)
    return new OrgKeyError(
      'LEDGER_UNAVAILABLE',
      `the peer of ${target.mspId} at ${target.peer.address} does not answer`,
      {
        hint: 'is the network running? start it with `creditchain network up`, then run this again',
        cause: err,
      },
    );
  return new OrgKeyError(
    'PUBLISH_FAILED',
    `${step} as ${target.user.name}@${target.mspId} failed: ${gatewayErrorText(err)}`,
    { hint: 'see the chaincode logs (`creditchain network logs`)', cause: err },
  );
}

/** {@link OrgKeyLedger} through the Fabric gateway of the organisation's peer, as its administrator. */
export function fabricOrgKeyLedger(target: OrgLedgerTarget): OrgKeyLedger & { close(): void } {
  const session = connectGateway(target.peer, target.user, LEDGER_TIMEOUT_MS);
  const contract = session.gateway.getNetwork(target.channel).getContract(target.chaincode);
  return {
    async profile() {
      try {
        return parseProfile(await contract.evaluateTransaction('GetOrgProfile', target.mspId));
      } catch (err) {
        if (gatewayErrorText(err).includes('ORG_NOT_FOUND')) return undefined;
        throw ledgerFailure(target, 'GetOrgProfile', err);
      }
    },
    async publish(key: OrgKey) {
      try {
        const tx = await contract
          .newProposal('PublishOrgKey', { arguments: [key.keyId, key.suite, key.publicKey] })
          .endorse();
        const submitted = await tx.submit();
        const status = await submitted.getStatus();
        if (!status.successful)
          throw new OrgKeyError(
            'PUBLISH_FAILED',
            `PublishOrgKey ${status.transactionId} was not committed (validation code ${String(status.code)})`,
            { hint: 'run the same command again' },
          );
        return {
          profile: parseProfile(submitted.getResult()),
          txId: status.transactionId,
          block: status.blockNumber,
        };
      } catch (err) {
        if (err instanceof OrgKeyError) throw err;
        throw ledgerFailure(target, 'PublishOrgKey', err);
      }
    },
    close() {
      session.close();
    },
  };
}

const defaultDeps: OrgDeps = { ledger: fabricOrgKeyLedger };

/**
 * Runs `org key rotate` on the selected profile's network and prints what it did.
 * @throws {@link OrgKeyError} naming what failed and what to do
 */
export async function rotateCommand(
  options: RotateOptions,
  ctx: CliContext,
  deps: OrgDeps = defaultDeps,
): Promise<RotationResult> {
  const { profile, home } = await ctx.target();
  const org = findOrg(profile.network.orgs, options.org);
  const consortium = profile.consortium;
  if (!consortium)
    throw new OrgKeyError('NO_CONSORTIUM', `profile ${profile.network.name} names no consortium chaincode`, {
      hint: 'organisation keys live in the chaincode named by the profile field consortium.chaincode',
    });
  const suite: HpkeSuite = consortium.orgKeys?.suite ?? HPKE_SUITES[0];
  const userName = options.user ?? consortium.orgKeys?.user ?? 'Admin';
  const target: OrgLedgerTarget = {
    mspId: org.mspId,
    channel: profile.network.channel,
    chaincode: consortium.chaincode,
    peer: await peerFromConnectionProfile(home.dir, org),
    user: { ...(await userFromHome(home.dir, org, userName)), name: userName },
  };
  const ledger = deps.ledger(target);
  let result: RotationResult;
  try {
    result = await rotateOrgKey({
      keysDir: home.keys,
      mspId: org.mspId,
      suite,
      ledger,
      log: ctx.out,
    });
  } finally {
    ledger.close();
  }
  const { key, previousKeyId } = result;
  if (result.txId !== undefined)
    ctx.out(
      `${org.mspId}: published ${key.keyId} as ${userName}@${org.mspId} in transaction ${result.txId} (block ${String(result.block)})`,
    );
  ctx.out(
    `${org.mspId}: active key is now ${key.keyId}${previousKeyId === undefined ? '' : `; ${previousKeyId} is retired`}`,
  );
  ctx.out(
    `${org.mspId}: gateways reading ${join(home.keys, org.mspId)} wrap new reports to ${key.keyId} from their next request; keep the older keys there: reports wrapped to them still need them`,
  );
  return result;
}

/** Registers `org key rotate` on the program. */
export function register(program: Command, ctx: CliContext, deps: OrgDeps = defaultDeps): void {
  const org = program.command('org').description('operate an organisation of the consortium');
  const key = org
    .command('key')
    .description('the organisation’s HPKE key (payload encryption between gateways)');
  key
    .command('rotate')
    .description(
      'create a new HPKE key, publish it on the ledger as the organisation’s administrator (the previous key is retired) and make it the key its gateways wrap to; older keys are kept for reading',
    )
    .requiredOption('--org <org>', 'the organisation: MSP id, name or domain')
    .option(
      '--user <name>',
      'the administrator who publishes (default: the profile’s consortium.orgKeys.user)',
    )
    .action(async (opts: RotateOptions) => {
      await rotateCommand(opts, ctx, deps);
    });
}
