/**
 * Everything a member gateway of the local consortium needs before it can start, written under
 * `<home>/<profile>/gateways/<org>/`: a TLS certificate from the organisation's TLS CA (server and
 * client auth, so the same certificate dials the other gateways), a wallet holding the
 * organisation's users (keys encrypted at rest under a generated secret kept 0600), and the
 * gateway's configuration file. The consortium subject key (one for all gateways) is generated
 * once, 0600. Re-provisioning reuses secrets, certificates and data, so a restart keeps vaults,
 * tokens and wallets.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GatewayConfig } from '../../../../gateway/src/config.js';
import type { CallerRole } from '../../../../gateway/src/services/context.js';
import { FileWallet } from '../../../../gateway/src/wallet/file-wallet.js';
import { CertificateAuthority } from '../../msp/ca.js';
import type { UserSpec } from '../../msp/index.js';
import type { PeerOrgProfile } from '../../profile.js';
import { domainLabel } from '../connection-profile.js';
import { writeFileAtomic } from '../state.js';

/** What provisioning needs to know about one organisation's gateway. */
export interface GatewayOrg {
  readonly org: PeerOrgProfile;
  /** The port to listen on (0 picks a free one at start). */
  readonly port: number;
}

/** Where the organisations' material lives and how the network is reached. */
export interface ProvisionInput {
  /** `<home>/<profile>`. */
  readonly profileDir: string;
  /** `<home>/<profile>/keys` (the organisations' HPKE keys). */
  readonly keysDir: string;
  readonly channel: string;
  readonly chaincode: string;
  readonly orgs: readonly GatewayOrg[];
  /** The enrolment certificate and key of user `name` of `mspId`. */
  identity(
    mspId: string,
    name: string,
  ): { certPem: string; keyPem: string; certPath: string; keyPath: string };
}

/** A provisioned gateway, ready to be started. */
export interface ProvisionedGateway {
  readonly mspId: string;
  /** `yangtze`. */
  readonly org: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly configFile: string;
  /** The wallet secret, handed to the process in its environment. */
  readonly walletSecret: string;
  readonly tlsCaFile: string;
  readonly users: readonly { name: string; role: CallerRole; certFile: string; keyFile: string }[];
}

/** The environment variable the local gateways read their wallet secret from. */
export const WALLET_SECRET_ENV = 'CREDITCHAIN_WALLET_SECRET';

const orgDir = (profileDir: string, domain: string) =>
  join(profileDir, 'organizations', 'peerOrganizations', domain);

/** The role a user acts in at the gateway: from the `role` attribute of the profile, else its OU. */
export function callerRole(user: UserSpec): CallerRole {
  const role = user.attrs?.role;
  if (role === 'admin' || role === 'regulator' || role === 'member') return role;
  return user.ou === 'admin' ? 'admin' : 'member';
}

async function readOrCreateSecret(file: string, bytes: number): Promise<string> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (Buffer.from(text, 'base64').byteLength === bytes) return text;
  } catch {
    // not there yet
  }
  const secret = randomBytes(bytes).toString('base64');
  await writeFileAtomic(file, `${secret}\n`, 0o600);
  return secret;
}

async function tlsCertificate(profileDir: string, domain: string, dir: string, host: string) {
  const certFile = join(dir, 'tls', 'server.crt');
  const keyFile = join(dir, 'tls', 'server.key');
  const tlsCaDir = join(orgDir(profileDir, domain), 'tlsca');
  const tlsCaFile = join(tlsCaDir, `tlsca.${domain}-cert.pem`);
  try {
    const cert = new X509Certificate(await readFile(certFile, 'utf8'));
    const ca = new X509Certificate(await readFile(tlsCaFile, 'utf8'));
    if (cert.verify(ca.publicKey) && Date.parse(cert.validTo) > Date.now() + 86_400_000)
      return { certFile, keyFile, tlsCaFile };
  } catch {
    // missing or unreadable: issue a new one
  }
  const tlsCa = await CertificateAuthority.fromFiles(tlsCaFile, join(tlsCaDir, 'priv_sk'));
  const issued = await tlsCa.issue({
    commonName: host,
    sans: [host, 'localhost', '127.0.0.1'],
    tls: true,
  });
  await writeFileAtomic(keyFile, issued.keyPem, 0o600);
  await writeFileAtomic(certFile, issued.certPem);
  return { certFile, keyFile, tlsCaFile };
}

/** The configuration file body of one gateway (paths relative to its folder where they are inside). */
function gatewayConfig(
  input: ProvisionInput,
  self: GatewayOrg,
  tls: { certFile: string; keyFile: string },
  subjectKeyFile: string,
  users: ProvisionedGateway['users'],
  fingerprints: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const { org } = self;
  const label = domainLabel(org.domain);
  const signingCa = (domain: string) => join(orgDir(input.profileDir, domain), 'ca', `ca.${domain}-cert.pem`);
  const tlsCa = (domain: string) =>
    join(orgDir(input.profileDir, domain), 'tlsca', `tlsca.${domain}-cert.pem`);
  const transferUser =
    users.find((u) => u.role === 'member')?.name ?? users.find((u) => u.role === 'regulator')?.name;
  // The audit read model signs its block stream requests as a regulator where there is one; every
  // gateway runs one (a member's sees its own organisation's trail, a regulator's everything).
  const auditUser =
    users.find((u) => u.role === 'regulator')?.name ?? users.find((u) => u.role === 'member')?.name;
  const peers = Object.fromEntries(
    input.orgs
      .filter((o) => o.org.mspId !== org.mspId)
      .map((o) => [
        o.org.mspId,
        {
          url: `https://localhost:${String(o.port)}`,
          servername: `gateway.${o.org.domain}`,
          tlsCaFile: tlsCa(o.org.domain),
          signingCaFiles: [signingCa(o.org.domain)],
        },
      ]),
  );
  return {
    mspId: org.mspId,
    listen: { host: '127.0.0.1', port: self.port },
    tls: { certFile: tls.certFile, keyFile: tls.keyFile, clientCaFiles: [signingCa(org.domain)] },
    ledger: {
      connectionProfile: join(input.profileDir, `connection-${label}.json`),
      channel: input.channel,
      chaincode: input.chaincode,
    },
    vaultDir: 'data/vault',
    walletDir: 'data/wallet',
    tokensDir: 'data/tokens',
    keysDir: join(input.keysDir, org.mspId),
    walletSecretEnv: WALLET_SECRET_ENV,
    subjectKey: { file: subjectKeyFile },
    clientCertificates: users.map((u) => ({
      user: u.name,
      role: u.role,
      fingerprint256: fingerprints.get(u.name),
    })),
    ...(transferUser === undefined ? {} : { transfers: { transferUser, peers } }),
    ...(auditUser === undefined ? {} : { audit: { dataDir: 'data/audit', user: auditUser } }),
    logLevel: 'info',
  } satisfies Partial<Record<keyof GatewayConfig, unknown>>;
}

/**
 * Writes (or refreshes) the material and configuration of every gateway in `input.orgs`. Ports
 * must be final: each configuration names the other gateways' URLs.
 */
export async function provisionGateways(input: ProvisionInput): Promise<ProvisionedGateway[]> {
  const base = join(input.profileDir, 'gateways');
  await mkdir(base, { recursive: true, mode: 0o700 });
  const subjectKeyFile = join(base, 'subject.key');
  await readOrCreateSecret(subjectKeyFile, 32);
  const out: ProvisionedGateway[] = [];
  for (const self of input.orgs) {
    const { org } = self;
    const label = domainLabel(org.domain);
    const dir = join(base, label);
    await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 });
    const host = `gateway.${org.domain}`;
    const tls = await tlsCertificate(input.profileDir, org.domain, dir, host);
    const walletSecret = await readOrCreateSecret(join(dir, 'wallet.secret'), 32);
    const wallet = await FileWallet.open(join(dir, 'data', 'wallet'), walletSecret);
    const users: ProvisionedGateway['users'][number][] = [];
    const fingerprints = new Map<string, string>();
    for (const user of org.users) {
      const id = input.identity(org.mspId, user.name);
      await wallet.put(user.name, { mspId: org.mspId, certPem: id.certPem, privateKeyPem: id.keyPem });
      fingerprints.set(user.name, new X509Certificate(id.certPem).fingerprint256);
      users.push({ name: user.name, role: callerRole(user), certFile: id.certPath, keyFile: id.keyPath });
    }
    const configFile = join(dir, 'gateway.json');
    const config = gatewayConfig(input, self, tls, subjectKeyFile, users, fingerprints);
    await writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`, 0o600);
    out.push({
      mspId: org.mspId,
      org: label,
      host,
      port: self.port,
      dir,
      configFile,
      walletSecret,
      tlsCaFile: tls.tlsCaFile,
      users,
    });
  }
  return out;
}
