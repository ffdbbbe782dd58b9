/**
 * Retrieval between two member gateways on the default consortium, through their composition root
 * (`startGateway`): HTTPS with mutual TLS between the gateways (each with its organisation's TLS
 * certificate), officers authenticated by token (Yangtze) and by client certificate (Pearl), the
 * real contract deciding every access. An enterprise registers its key and signs consents; Pearl
 * retrieves Yangtze's report; denials come back with the receipt's reason; a provider gateway that
 * is down makes the requester fail closed, and the retry after it is back completes with one receipt.
 */
import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelTokenStore } from '../../gateway/src/auth/level-token-store.js';
import { ApiTokens } from '../../gateway/src/auth/tokens.js';
import { parseConfig } from '../../gateway/src/config.js';
import {
  generateSubjectSigningKey,
  signConsent,
  signSignerBinding,
} from '../../gateway/src/crypto/eip712-consent.js';
import { startGateway, type RunningGateway } from '../../gateway/src/main.js';
import { FileWallet } from '../../gateway/src/wallet/file-wallet.js';
import { connectGateway, type GatewaySession } from '../../network/src/ops/gateway-client.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const USCC = '91110000600037341L';
const REPORT = {
  periodStart: '2025-01-01',
  periodEnd: '2025-12-31',
  revenue: { amount: '386500000.00', currency: 'CNY' },
  netProfit: { amount: '21730000.55', currency: 'CNY' },
  taxCreditRating: 'A',
  employees: 1312,
  source: 'audited_statement',
};
const SECRET = 'wallet secret';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface Org {
  readonly mspId: string;
  readonly domain: string;
}
const YANGTZE: Org = { mspId: 'YangtzeMSP', domain: 'yangtze.creditchain.example' };
const PEARL: Org = { mspId: 'PearlMSP', domain: 'pearl.creditchain.example' };

describe('retrieval between member gateways on the default consortium', () => {
  let base: string;
  let home: ProfileHome;
  let session: NetworkSession;
  let yangtze: RunningGateway;
  let pearl: RunningGateway;
  let yangtzeConfig: ReturnType<typeof parseConfig>;
  let yangtzeToken: string;
  let regulator: GatewaySession;
  const subjectKey = randomBytes(32).toString('base64');
  const enterprise = new Wallet(generateSubjectSigningKey().privateKey);
  let reportId: string;
  let subjectRef: string;

  const orgDir = (o: Org) => join(home.dir, 'organizations', 'peerOrganizations', o.domain);
  const tlsDir = (o: Org) => join(orgDir(o), 'peers', `peer0.${o.domain}`, 'tls');
  const tlsCa = (o: Org) => join(orgDir(o), 'tlsca', `tlsca.${o.domain}-cert.pem`);
  const signingCa = (o: Org) => join(orgDir(o), 'ca', `ca.${o.domain}-cert.pem`);
  const userMsp = (o: Org, user: string) => join(orgDir(o), 'users', `${user}@${o.domain}`, 'msp');

  /** An HTTPS call to a gateway, with a token or with the officer's client certificate. */
  async function call(
    gw: RunningGateway,
    org: Org,
    method: 'GET' | 'POST',
    path: string,
    auth: { token: string } | { certUser: string },
    body?: unknown,
    key?: string,
  ): Promise<Answer> {
    const clientCert =
      'certUser' in auth
        ? {
            cert: await readFile(join(userMsp(org, auth.certUser), 'signcerts', 'cert.pem')),
            key: await readFile(join(userMsp(org, auth.certUser), 'keystore', 'priv_sk')),
          }
        : {};
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, gw.url),
        {
          method,
          ca: [readFileSyncCached(tlsCa(org))],
          ...clientCert,
          headers: {
            ...('token' in auth ? { authorization: `Bearer ${auth.token}` } : {}),
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(key === undefined ? {} : { 'idempotency-key': key }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
  const pems = new Map<string, Buffer>();
  function readFileSyncCached(file: string): Buffer {
    const pem = pems.get(file);
    if (!pem) throw new Error(`${file} not loaded`);
    return pem;
  }

  async function gatewayConfig(org: Org, peer: Org, port: number, peerUrl?: string) {
    const dir = join(base, org.mspId);
    const wallet = await FileWallet.open(join(dir, 'wallet'), SECRET);
    for (const user of ['User1', 'User2']) {
      const id = session.net.identity(org.mspId, user);
      await wallet.put(user, { mspId: org.mspId, certPem: id.certPem, privateKeyPem: id.keyPem });
    }
    return parseConfig(
      {
        mspId: org.mspId,
        listen: { host: '127.0.0.1', port },
        tls: {
          certFile: join(tlsDir(org), 'server.crt'),
          keyFile: join(tlsDir(org), 'server.key'),
          clientCaFiles: [signingCa(org)],
        },
        ledger: {
          connectionProfile: join(home.dir, `connection-${org.domain.split('.')[0] ?? ''}.json`),
          channel: 'creditchain',
        },
        vaultDir: join(dir, 'vault'),
        walletDir: join(dir, 'wallet'),
        tokensDir: join(dir, 'tokens'),
        keysDir: join(home.keys, org.mspId),
        subjectKey: { env: 'TEST_SUBJECT_KEY' },
        clientCertificates: [{ subjectCn: `User1@${org.domain}`, user: 'User1', role: 'member' }],
        transfers: {
          transferUser: 'User1',
          peers: {
            [peer.mspId]: {
              ...(peerUrl === undefined ? {} : { url: peerUrl }),
              tlsCaFile: tlsCa(peer),
              signingCaFiles: [signingCa(peer)],
            },
          },
        },
        logLevel: 'silent',
      },
      base,
    );
  }

  const env = () => ({ CREDITCHAIN_WALLET_SECRET: SECRET, TEST_SUBJECT_KEY: subjectKey });
  const asYangtze = (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) =>
    call(yangtze, YANGTZE, method, path, { token: yangtzeToken }, body, key);
  const asPearl = (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) =>
    call(pearl, PEARL, method, path, { certUser: 'User1' }, body, key);

  async function consent(maxUses: number, nonceByte: string, purpose = 'loan_underwriting'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const signed = await signConsent(enterprise, 'creditchain', {
      subjectRef,
      granteeMsp: 'PearlMSP',
      granteeInstitution: 'PRD-BANK-01',
      categories: ['business'],
      purpose,
      notBefore: now - 60,
      notAfter: now + 3600,
      maxUses,
      nonce: `0x${nonceByte.repeat(64)}`,
    });
    const res = await asPearl(
      'POST',
      '/v1/consents',
      { consent: signed.consent, signature: signed.signature },
      `consent-${nonceByte}`,
    );
    expect(res.status).toBe(201);
    return signed.consentId;
  }

  const trail = async (): Promise<{ kind: string; receiptId: string | null; reason: string | null }[]> =>
    (
      JSON.parse(
        Buffer.from(
          await regulator.gateway
            .getNetwork('creditchain')
            .getContract('credit')
            .evaluateTransaction('GetReportTrail', reportId, '100', ''),
        ).toString(),
      ) as { records: { kind: string; receiptId: string | null; reason: string | null }[] }
    ).records;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-xfer-'));
    home = profileHome(join(base, 'net'), 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
    });
    for (const o of [YANGTZE, PEARL]) pems.set(tlsCa(o), await readFile(tlsCa(o)));
    const tokens = await LevelTokenStore.open(join(base, YANGTZE.mspId, 'tokens'));
    yangtzeToken = (await new ApiTokens(tokens).issue({ user: 'User1', role: 'member' })).token;
    await tokens.close();
    yangtzeConfig = await gatewayConfig(YANGTZE, PEARL, 0);
    yangtze = await startGateway(yangtzeConfig, env());
    pearl = await startGateway(await gatewayConfig(PEARL, YANGTZE, 0, yangtze.url), env());
    const regulatorPeer = session.net.peers.find((p) => p.mspId === 'RegulatorMSP');
    if (!regulatorPeer) throw new Error('no regulator peer');
    regulator = connectGateway(regulatorPeer, session.net.identity('RegulatorMSP', 'Regulator1'));
  });

  afterAll(async () => {
    regulator.close();
    await pearl.close();
    await yangtze.close();
    await session.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('Yangtze registers the enterprise and submits a report; Pearl records the enterprise’s consent', async () => {
    const lookup = await asYangtze('POST', '/v1/subjects/lookup', { uscc: USCC });
    subjectRef = lookup.body.subjectRef as string;
    expect(lookup.body).toEqual({
      subjectRef: expect.stringMatching(/^[0-9a-f]{64}$/),
      registered: false,
      activeSigner: null,
    });
    const binding = await signSignerBinding(enterprise, {
      channelId: 'creditchain',
      subjectRef,
      action: 'register',
    });
    const reg = await asYangtze(
      'POST',
      '/v1/subjects',
      { uscc: USCC, signer: binding.signer, signature: binding.signature },
      'reg',
    );
    expect(reg.status).toBe(201);
    // Both gateways hold the consortium subject key: Pearl sees the same pseudonym.
    expect((await asPearl('POST', '/v1/subjects/lookup', { uscc: USCC })).body).toMatchObject({
      subjectRef,
      registered: true,
    });
    const sub = await asYangtze(
      'POST',
      '/v1/reports',
      { category: 'business', schemaVersion: '1.0', uscc: USCC, payload: REPORT },
      'rep',
    );
    expect(sub.status).toBe(201);
    reportId = (sub.body.report as { reportId: string }).reportId;
  });

  it('Pearl retrieves it under the consent: verified, decrypted, delivered once, trailed', async () => {
    const consentId = await consent(1, 'a');
    const got = await asPearl(
      'POST',
      '/v1/retrievals',
      { reportId, consentId, purpose: 'loan_underwriting' },
      'get-1',
    );
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      reportId,
      providerMsp: 'YangtzeMSP',
      category: 'business',
      payload: REPORT,
    });
    const again = await asPearl(
      'POST',
      '/v1/retrievals',
      { reportId, consentId, purpose: 'loan_underwriting' },
      'get-1',
    );
    expect(again.body).toEqual(got.body);
    const receiptId = got.body.receiptId as string;
    const kinds = (await trail()).filter((e) => e.receiptId === receiptId).map((e) => e.kind);
    expect(kinds).toEqual(['ACCESS_GRANTED', 'DELIVERED']);
  });

  it('denies with the receipt’s reason: used up, wrong purpose, no consent, revoked', async () => {
    const used = await consent(1, 'b');
    expect(
      (
        await asPearl(
          'POST',
          '/v1/retrievals',
          { reportId, consentId: used, purpose: 'loan_underwriting' },
          'd0',
        )
      ).status,
    ).toBe(200);
    const cases: [string, string, string][] = [
      [used, 'loan_underwriting', 'CONSENT_EXHAUSTED'],
      [await consent(3, 'c'), 'post_loan_monitoring', 'PURPOSE_NOT_CONSENTED'],
      ['9'.repeat(64), 'loan_underwriting', 'CONSENT_NOT_FOUND'],
    ];
    const revoked = await consent(3, 'd');
    expect((await asPearl('POST', `/v1/consents/${revoked}/revocation`, {}, 'revoke')).status).toBe(200);
    cases.push([revoked, 'loan_underwriting', 'CONSENT_REVOKED']);
    for (const [consentId, purpose, reason] of cases) {
      const res = await asPearl('POST', '/v1/retrievals', { reportId, consentId, purpose }, `deny-${reason}`);
      expect({ status: res.status, code: res.body.code, reason: res.body.reason }).toEqual({
        status: 403,
        code: 'ACCESS_DENIED',
        reason,
      });
      expect(res.body).not.toHaveProperty('payload');
    }
  });

  it('fails closed while Yangtze’s gateway is down, then completes with one receipt', async () => {
    const consentId = await consent(5, 'e');
    const port = Number(new URL(yangtze.url).port);
    await yangtze.close();
    const down = await asPearl(
      'POST',
      '/v1/retrievals',
      { reportId, consentId, purpose: 'guarantee_review' },
      'down',
    );
    expect(down.status).toBe(403); // consent is for loan_underwriting: denied on the ledger before any transfer
    const input = { reportId, consentId, purpose: 'loan_underwriting' };
    const failed = await asPearl('POST', '/v1/retrievals', input, 'retry');
    expect({ status: failed.status, code: failed.body.code, retryable: failed.body.retryable }).toEqual({
      status: 503,
      code: 'PROVIDER_UNAVAILABLE',
      retryable: true,
    });
    const grantedBefore = (await trail()).filter((e) => e.kind === 'ACCESS_GRANTED').length;
    yangtze = await startGateway({ ...yangtzeConfig, listen: { host: '127.0.0.1', port } }, env());
    const done = await asPearl('POST', '/v1/retrievals', input, 'retry');
    expect(done.status).toBe(200);
    expect(done.body.payload).toEqual(REPORT);
    const entries = (await trail()).filter((e) => e.receiptId === done.body.receiptId);
    expect(entries.map((e) => e.kind)).toEqual(['ACCESS_GRANTED', 'DELIVERED']);
    expect((await trail()).filter((e) => e.kind === 'ACCESS_GRANTED').length).toBe(grantedBefore);
  });

  it('wrote no report content and no USCC into any block', async () => {
    const forbidden = [USCC, '386500000.00', '21730000.55', 'audited_statement', JSON.stringify(REPORT)];
    for (const { mspId } of session.net.peers) {
      const ledger = session.net.peer(mspId).ledger;
      for (let n = 0; n < ledger.height; n++) {
        const bytes = Buffer.from((await ledger.getBlockBytes(n)) ?? new Uint8Array());
        for (const text of forbidden)
          expect(bytes.includes(Buffer.from(text)), `${text} in block ${n} of ${mspId}`).toBe(false);
      }
    }
  });
});
