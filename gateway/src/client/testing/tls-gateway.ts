/*
 * Test-only: a gateway app over the in-memory services harness, listening on 127.0.0.1 with TLS
 * (server certificate of a test TLS CA, client certificates of a test organisation CA), and a
 * gateway directory describing it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildApp, type GatewayApp } from '../../app.js';
import { MemoryTokenStore } from '../../auth/memory-token-store.js';
import { ApiTokens } from '../../auth/tokens.js';
import { harness, type Harness } from '../../services/testing/harness.js';
import { MemoryWallet } from '../../wallet/memory-wallet.js';
import { makeIdentity } from '../../wallet/testing/identity.js';
import { DIRECTORY_FILE, DIRECTORY_VERSION } from '../directory.js';
import { createTestCa, type IssuedPem } from './pki.js';

const DOMAIN = 'yangtze.test';

/** A listening test gateway and the credentials to call it. */
export interface TlsGateway {
  readonly h: Harness;
  readonly app: GatewayApp;
  readonly tokens: ApiTokens;
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** PEM of the CA of the gateway's TLS certificate. */
  readonly tlsCaPem: string;
  /** Tokens of User1 (member), Regulator1 (regulator) and Admin (admin). */
  readonly token: { readonly member: string; readonly regulator: string; readonly admin: string };
  /** Client certificates of the organisation CA: User1 and Admin are mapped, Stranger is not. */
  readonly cert: { readonly user1: IssuedPem; readonly admin: IssuedPem; readonly stranger: IssuedPem };
  /** PEM of a CA that signed none of the gateway's certificates. */
  readonly foreignCaPem: string;
  close(): Promise<void>;
}

/** Starts a test gateway on an ephemeral port. */
export async function startTlsGateway(): Promise<TlsGateway> {
  const h = await harness();
  const tlsCa = await createTestCa(`tlsca.${DOMAIN}`);
  const orgCa = await createTestCa(`ca.${DOMAIN}`);
  const foreign = await createTestCa('tlsca.foreign.test');
  const server = await tlsCa.issue({
    commonName: `gateway.${DOMAIN}`,
    sans: ['localhost', '127.0.0.1'],
    usage: 'server',
  });
  const cert = {
    user1: await orgCa.issue({ commonName: `User1@${DOMAIN}`, usage: 'client' }),
    admin: await orgCa.issue({ commonName: `Admin@${DOMAIN}`, usage: 'client' }),
    stranger: await orgCa.issue({ commonName: `Stranger@${DOMAIN}`, usage: 'client' }),
  };
  const wallet = new MemoryWallet('wallet secret');
  for (const user of ['User1', 'User2', 'Admin'])
    await wallet.put(user, await makeIdentity('YangtzeMSP', `${user}@${DOMAIN}`));
  const tokens = new ApiTokens(new MemoryTokenStore(), { now: () => h.clock.now() });
  const issue = async (user: string, role: 'member' | 'regulator' | 'admin') =>
    (await tokens.issue({ user, role })).token;
  const token = {
    member: await issue('User1', 'member'),
    regulator: await issue('Regulator1', 'regulator'),
    admin: await issue('Admin', 'admin'),
  };
  const app = await buildApp({
    deps: h.deps,
    tokens,
    wallet,
    clientCaPems: [orgCa.certPem],
    clientCertificates: [
      { subjectCn: `User1@${DOMAIN}`, user: 'User1', role: 'member' },
      { subjectCn: `Admin@${DOMAIN}`, user: 'Admin', role: 'admin' },
    ],
    processMetrics: false,
    https: {
      cert: server.certPem,
      key: server.keyPem,
      ca: [orgCa.certPem],
      requestCert: true,
      rejectUnauthorized: false,
    },
  });
  const address = await app.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    h,
    app,
    tokens,
    url: address.replace('localhost', '127.0.0.1'),
    tlsCaPem: tlsCa.certPem,
    token,
    cert,
    foreignCaPem: foreign.certPem,
    close: () => app.app.close(),
  };
}

/**
 * Writes `<profileDir>/gateways/gateways.json` naming `gateway` as YangtzeMSP's, with User1 and
 * Admin and their certificate files (keys 0600).
 */
export async function writeTestDirectory(profileDir: string, gateway: TlsGateway): Promise<string> {
  const dir = join(profileDir, 'gateways');
  await mkdir(join(dir, 'yangtze'), { recursive: true });
  await writeFile(join(dir, 'yangtze', 'tlsca.pem'), gateway.tlsCaPem);
  const users = [];
  for (const [name, role, pem] of [
    ['User1', 'member', gateway.cert.user1],
    ['Admin', 'admin', gateway.cert.admin],
  ] as const) {
    await writeFile(join(dir, 'yangtze', `${name}.crt`), pem.certPem);
    await writeFile(join(dir, 'yangtze', `${name}.key`), pem.keyPem, { mode: 0o600 });
    users.push({ name, role, certFile: `yangtze/${name}.crt`, keyFile: `yangtze/${name}.key` });
  }
  const file = join(dir, DIRECTORY_FILE);
  await writeFile(
    file,
    JSON.stringify({
      version: DIRECTORY_VERSION,
      profile: 'test',
      gateways: [
        {
          mspId: 'YangtzeMSP',
          org: 'yangtze',
          url: gateway.url,
          tlsCaFile: 'yangtze/tlsca.pem',
          configFile: 'yangtze/gateway.json',
          users,
        },
      ],
    }),
  );
  return file;
}
