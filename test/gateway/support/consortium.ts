/*
 * Test-only: the default consortium (network/profiles/creditchain.yaml) on free ports, with the
 * member gateways of YangtzeMSP and PearlMSP started through their composition root
 * (`startGateway`): HTTPS, mutual TLS between the gateways, each organisation's HPKE keys read from
 * `<home>/keys/<MSP>/` as the operator tooling writes them. One instance per test file.
 */
import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import type { Wallet as EthersWallet } from 'ethers';
import { LevelTokenStore } from '../../../gateway/src/auth/level-token-store.js';
import type { TokenRole } from '../../../gateway/src/auth/token-store.js';
import { ApiTokens } from '../../../gateway/src/auth/tokens.js';
import { parseConfig, type GatewayConfig } from '../../../gateway/src/config.js';
import { signConsent, signSignerBinding } from '../../../gateway/src/crypto/eip712-consent.js';
import { startGateway, type RunningGateway } from '../../../gateway/src/main.js';
import { FileWallet } from '../../../gateway/src/wallet/file-wallet.js';
import { connectGateway, type GatewaySession } from '../../../network/src/ops/gateway-client.js';
import { profileHome, type ProfileHome } from '../../../network/src/ops/home.js';
import { NetworkSession } from '../../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../../network/src/ops/profile-file.js';

export const PROFILE = join(import.meta.dirname, '..', '..', '..', 'network', 'profiles', 'creditchain.yaml');
const WALLET_SECRET = 'wallet secret of the scenario gateways';

/** A member organisation of the default consortium with a gateway. */
export interface Org {
  readonly mspId: 'YangtzeMSP' | 'PearlMSP';
  readonly domain: string;
  /** Its officers' institution (User1). */
  readonly institution: string;
}
export const YANGTZE: Org = {
  mspId: 'YangtzeMSP',
  domain: 'yangtze.creditchain.example',
  institution: 'YRD-BANK-01',
};
export const PEARL: Org = {
  mspId: 'PearlMSP',
  domain: 'pearl.creditchain.example',
  institution: 'PRD-BANK-01',
};

/** How a request authenticates. */
export type Auth =
  | { readonly token: string }
  | { readonly cert: { readonly certPem: string; readonly keyPem: string } }
  | { readonly none: true };

/** A gateway's answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
  /** The raw body, for checks that nothing was released. */
  readonly text: string;
}

/** A request to a gateway. */
export interface Call {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly auth: Auth;
  readonly body?: unknown;
  readonly key?: string | undefined;
}

/** The wallet users each gateway holds: its officers, plus extra identities a test adds. */
interface ExtraIdentity {
  readonly user: string;
  readonly mspId: string;
  readonly name: string;
}

/** The fields of an enterprise's EIP-712 consent a test chooses. */
export interface ConsentTerms {
  readonly subjectRef: string;
  readonly categories: readonly string[];
  readonly purpose: string;
  readonly maxUses: number;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** The default consortium with the Yangtze and Pearl gateways. */
export class GatewayConsortium {
  readonly base: string;
  readonly home: ProfileHome;
  readonly session: NetworkSession;
  readonly subjectKey = randomBytes(32).toString('base64');
  readonly #configs = new Map<string, GatewayConfig>();
  readonly #gateways = new Map<string, RunningGateway>();
  readonly #tokens = new Map<string, string>();
  readonly #pems = new Map<string, Buffer>();
  #regulator: GatewaySession | undefined;

  private constructor(base: string, home: ProfileHome, session: NetworkSession) {
    this.base = base;
    this.home = home;
    this.session = session;
  }

  /**
   * Starts the network and both gateways. `extra` adds ledger identities to a gateway's wallet
   * (with an API token of `role` for each), e.g. the organisation's Admin.
   */
  static async start(
    extra: Partial<Record<Org['mspId'], readonly (ExtraIdentity & { readonly role: TokenRole })[]>> = {},
  ): Promise<GatewayConsortium> {
    const base = await mkdtemp(join(tmpdir(), 'cc-scn-'));
    const home = profileHome(join(base, 'net'), 'creditchain');
    const session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
    });
    const c = new GatewayConsortium(base, home, session);
    try {
      for (const org of [YANGTZE, PEARL]) {
        c.#pems.set(org.mspId, await readFile(c.tlsCaFile(org)));
        const identities = [
          { user: 'User1', mspId: org.mspId, name: 'User1', role: 'member' as const },
          { user: 'User2', mspId: org.mspId, name: 'User2', role: 'member' as const },
          ...(extra[org.mspId] ?? []),
        ];
        await c.#prepare(org, identities);
      }
      await c.#start(YANGTZE, PEARL, 0);
      await c.#start(PEARL, YANGTZE, 0, c.gateway(YANGTZE).url);
      const regulatorPeer = session.net.peers.find((p) => p.mspId === 'RegulatorMSP');
      if (!regulatorPeer) throw new Error('no regulator peer');
      c.#regulator = connectGateway(regulatorPeer, session.net.identity('RegulatorMSP', 'Regulator1'));
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  orgDir(org: Org): string {
    return join(this.home.dir, 'organizations', 'peerOrganizations', org.domain);
  }
  tlsCaFile(org: Org): string {
    return join(this.orgDir(org), 'tlsca', `tlsca.${org.domain}-cert.pem`);
  }
  signingCaFile(org: Org): string {
    return join(this.orgDir(org), 'ca', `ca.${org.domain}-cert.pem`);
  }
  /** The gateway's TLS server certificate and key (also its client certificate towards other gateways). */
  gatewayTls(org: Org): { certFile: string; keyFile: string } {
    const dir = join(this.orgDir(org), 'peers', `peer0.${org.domain}`, 'tls');
    return { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
  }
  /** A user's enrolment certificate and key from the crypto material (also a TLS client certificate). */
  async userCert(org: Org, user: string): Promise<{ certPem: string; keyPem: string }> {
    const msp = join(this.orgDir(org), 'users', `${user}@${org.domain}`, 'msp');
    return {
      certPem: await readFile(join(msp, 'signcerts', 'cert.pem'), 'utf8'),
      keyPem: await readFile(join(msp, 'keystore', 'priv_sk'), 'utf8'),
    };
  }
  /** Where the gateway of `org` keeps its data. */
  dataDir(org: Org): string {
    return join(this.base, org.mspId);
  }

  async #prepare(
    org: Org,
    identities: readonly (ExtraIdentity & { readonly role: TokenRole })[],
  ): Promise<void> {
    const dir = this.dataDir(org);
    const wallet = await FileWallet.open(join(dir, 'wallet'), WALLET_SECRET);
    const store = await LevelTokenStore.open(join(dir, 'tokens'));
    try {
      const tokens = new ApiTokens(store);
      for (const id of identities) {
        const material = this.session.net.identity(id.mspId, id.name);
        await wallet.put(id.user, {
          mspId: id.mspId,
          certPem: material.certPem,
          privateKeyPem: material.keyPem,
        });
        this.#tokens.set(
          `${org.mspId}/${id.user}`,
          (await tokens.issue({ user: id.user, role: id.role })).token,
        );
      }
    } finally {
      await store.close();
    }
  }

  async #start(org: Org, other: Org, port: number, otherUrl?: string): Promise<void> {
    const dir = this.dataDir(org);
    const config = parseConfig(
      {
        mspId: org.mspId,
        listen: { host: '127.0.0.1', port },
        tls: { ...this.gatewayTls(org), clientCaFiles: [this.signingCaFile(org)] },
        ledger: {
          connectionProfile: join(this.home.dir, `connection-${org.domain.split('.')[0] ?? ''}.json`),
          channel: 'creditchain',
        },
        vaultDir: join(dir, 'vault'),
        walletDir: join(dir, 'wallet'),
        tokensDir: join(dir, 'tokens'),
        keysDir: join(this.home.keys, org.mspId),
        subjectKey: { env: 'TEST_SUBJECT_KEY' },
        clientCertificates: [{ subjectCn: `User1@${org.domain}`, user: 'User1', role: 'member' }],
        transfers: {
          transferUser: 'User1',
          peers: {
            [other.mspId]: {
              ...(otherUrl === undefined ? {} : { url: otherUrl }),
              tlsCaFile: this.tlsCaFile(other),
              signingCaFiles: [this.signingCaFile(other)],
            },
          },
        },
        logLevel: 'silent',
      },
      this.base,
    );
    this.#configs.set(org.mspId, config);
    this.#gateways.set(org.mspId, await startGateway(config, this.#env()));
  }

  #env(): NodeJS.ProcessEnv {
    return { CREDITCHAIN_WALLET_SECRET: WALLET_SECRET, TEST_SUBJECT_KEY: this.subjectKey };
  }

  gateway(org: Org): RunningGateway {
    const gw = this.#gateways.get(org.mspId);
    if (!gw) throw new Error(`the gateway of ${org.mspId} is not running`);
    return gw;
  }

  /** The API token issued for `user` of `org`'s gateway. */
  token(org: Org, user = 'User1'): string {
    const token = this.#tokens.get(`${org.mspId}/${user}`);
    if (token === undefined) throw new Error(`no token for ${user} at ${org.mspId}`);
    return token;
  }

  /** Stops `org`'s gateway; its folders stay, and {@link startGatewayAgain} reuses them and its port. */
  async stopGateway(org: Org): Promise<void> {
    const gw = this.gateway(org);
    const config = this.#configs.get(org.mspId);
    if (!config) throw new Error(`${org.mspId} never ran`);
    this.#configs.set(org.mspId, {
      ...config,
      listen: { ...config.listen, port: Number(new URL(gw.url).port) },
    });
    this.#gateways.delete(org.mspId);
    await gw.close();
  }

  /** Starts `org`'s stopped gateway again on the same folders and port. */
  async startGatewayAgain(org: Org): Promise<void> {
    const config = this.#configs.get(org.mspId);
    if (!config || this.#gateways.has(org.mspId)) throw new Error(`${org.mspId} is not stopped`);
    this.#gateways.set(org.mspId, await startGateway(config, this.#env()));
  }

  /** One HTTPS request to `org`'s gateway (the client trusts `org`'s TLS CA). */
  async call(org: Org, c: Call): Promise<Answer> {
    const payload = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
    const ca = this.#pems.get(org.mspId);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(c.path, this.gateway(org).url),
        {
          method: c.method,
          ...(ca ? { ca: [ca] } : {}),
          ...('cert' in c.auth ? { cert: c.auth.cert.certPem, key: c.auth.cert.keyPem } : {}),
          headers: {
            ...('token' in c.auth ? { authorization: `Bearer ${c.auth.token}` } : {}),
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(c.key === undefined ? {} : { 'idempotency-key': c.key }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let body: Record<string, unknown> = {};
            try {
              body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
            } catch {
              body = { unparsed: text };
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The credit contract as the regulator (sees every trail entry and receipt). */
  regulator(): Contract {
    if (!this.#regulator) throw new Error('not started');
    return this.#regulator.gateway.getNetwork('creditchain').getContract('credit');
  }

  async regulatorQuery<T>(fn: string, ...args: string[]): Promise<T> {
    return JSON.parse(Buffer.from(await this.regulator().evaluateTransaction(fn, ...args)).toString()) as T;
  }

  /** Registers `enterprise` as the consent-signing key of `uscc`, through Yangtze's gateway; its subjectRef. */
  async registerEnterprise(uscc: string, enterprise: EthersWallet): Promise<string> {
    const auth = { token: this.token(YANGTZE) };
    const lookup = await this.call(YANGTZE, {
      method: 'POST',
      path: '/v1/subjects/lookup',
      auth,
      body: { uscc },
    });
    const subjectRef = lookup.body.subjectRef;
    if (typeof subjectRef !== 'string') throw new Error(`lookup failed: ${lookup.text}`);
    const binding = await signSignerBinding(enterprise, {
      channelId: 'creditchain',
      subjectRef,
      action: 'register',
    });
    const reg = await this.call(YANGTZE, {
      method: 'POST',
      path: '/v1/subjects',
      auth,
      body: { uscc, signer: binding.signer, signature: binding.signature },
      key: `register-${subjectRef.slice(0, 16)}`,
    });
    if (reg.status !== 201) throw new Error(`registration failed: ${reg.text}`);
    return subjectRef;
  }

  /** The enterprise signs a consent for Pearl's User1 institution and Pearl's officer records it. */
  async recordPearlConsent(
    enterprise: EthersWallet,
    terms: ConsentTerms,
  ): Promise<{ readonly consentId: string; readonly answer: Answer }> {
    const signed = await signConsent(enterprise, 'creditchain', {
      ...terms,
      granteeMsp: PEARL.mspId,
      granteeInstitution: PEARL.institution,
    });
    const answer = await this.call(PEARL, {
      method: 'POST',
      path: '/v1/consents',
      auth: { token: this.token(PEARL) },
      body: { consent: signed.consent, signature: signed.signature },
      key: `consent-${signed.consentId.slice(0, 32)}`,
    });
    return { consentId: signed.consentId, answer };
  }

  /** {@link recordPearlConsent}, which must succeed; the consent id. */
  async pearlConsent(enterprise: EthersWallet, terms: ConsentTerms): Promise<string> {
    const { consentId, answer } = await this.recordPearlConsent(enterprise, terms);
    if (answer.status !== 201) throw new Error(`consent not recorded: ${answer.status} ${answer.text}`);
    return consentId;
  }

  async close(): Promise<void> {
    this.#regulator?.close();
    for (const gw of this.#gateways.values()) await gw.close().catch(() => undefined);
    this.#gateways.clear();
    await this.session.stop().catch(() => undefined);
    await rm(this.base, { recursive: true, force: true });
  }
}
