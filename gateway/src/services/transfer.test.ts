import { Wallet } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../app.js';
import { MemoryTokenStore } from '../auth/memory-token-store.js';
import { ApiTokens } from '../auth/tokens.js';
import { decodeBase64, encodeBase64 } from '../crypto/bytes.js';
import { generateSubjectSigningKey, signConsent, signSignerBinding } from '../crypto/eip712-consent.js';
import type { PeerCertificate } from '../http/auth.js';
import { MemoryLedger } from '../ledger/testing/memory-ledger.js';
import { LedgerError } from '../ports/ledger-error.js';
import type { SignedTransferRequest } from '../ports/peer-transport.js';
import { VALID_REPORTS } from '../schemas/testing/examples.js';
import { parseCas } from '../transfer/certificates.js';
import { signTransferRequest } from '../transfer/request-signing.js';
import { InjectTransport } from '../transfer/testing/inject-transport.js';
import { derOf, officer, testOrg, tlsCertificate } from '../../../test/gateway/support/pki.js';
import type { Identity } from '../wallet/wallet.js';
import { RetrievalService } from './retrieval-service.js';
import { OFFICER, USCC, harness, interpose, type Harness } from './testing/harness.js';

const PEARL = { user: 'PearlUser1', role: 'member' } as const;

interface World {
  readonly provider: Harness;
  readonly requester: Harness;
  readonly ledger: MemoryLedger;
  readonly app: GatewayApp;
  readonly transport: InjectTransport;
  readonly retrievals: RetrievalService;
  readonly identities: Readonly<Record<string, Identity>>;
  readonly pearlTls: PeerCertificate;
  readonly reportId: string;
  readonly enterprise: Wallet;
  readonly subjectRef: string;
  present(cert: PeerCertificate | undefined): void;
  consent(maxUses: number, nonce: string, purpose?: string): Promise<string>;
}

let world: World;
afterEach(async () => {
  await world.app.app.close();
});

async function setup(options: { providerPeerBehind?: number } = {}): Promise<World> {
  const yangtzeOrg = await testOrg('YangtzeMSP', 'yangtze.creditchain.example');
  const pearlOrg = await testOrg('PearlMSP', 'pearl.creditchain.example');
  const pearl1 = await officer(pearlOrg, 'User1', 'PRD-BANK-01');
  const pearl2 = await officer(pearlOrg, 'User2', 'PRD-BUREAU-01');
  const ledger = new MemoryLedger({
    User1: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01', role: 'member' },
    PearlUser1: { mspId: 'PearlMSP', institution: 'PRD-BANK-01', role: 'member', id: pearl1.actorId },
    PearlUser2: { mspId: 'PearlMSP', institution: 'PRD-BUREAU-01', role: 'member', id: pearl2.actorId },
  });
  let behind = options.providerPeerBehind ?? 0;
  const provider = await harness({
    ledger,
    mspId: 'YangtzeMSP',
    // The provider's peer has not committed the requester's latest block yet: its first reads miss.
    wrapLedger: (inner) =>
      interpose(inner, {
        getReceipt: (user, receiptId) => {
          if (behind-- > 0)
            return Promise.reject(new LedgerError('RECEIPT_NOT_FOUND', `receipt ${receiptId} not found`));
          return inner.getReceipt(user, receiptId);
        },
      }),
  });
  const requester = await harness({ ledger, mspId: 'PearlMSP' });
  const state: { peer: PeerCertificate | undefined } = { peer: undefined };
  const app = await buildApp({
    deps: provider.deps,
    tokens: new ApiTokens(new MemoryTokenStore()),
    processMetrics: false,
    peerCertificate: () => state.peer,
    delivery: {
      transferUser: 'User1',
      signingCas: new Map([['PearlMSP', parseCas([pearlOrg.ca.certPem])]]),
      peerGateways: [
        { mspId: 'PearlMSP', tlsCaPems: [pearlOrg.tlsCa.certPem] },
        { mspId: 'YangtzeMSP', tlsCaPems: [yangtzeOrg.tlsCa.certPem] },
      ],
    },
  });
  const pearlTls: PeerCertificate = {
    authorized: true,
    raw: derOf((await tlsCertificate(pearlOrg, 'gw.pearl')).certPem),
  };
  const present = (cert: PeerCertificate | undefined) => {
    state.peer = cert;
  };
  const transport = new InjectTransport(new Map([['YangtzeMSP', app.app]]), present, pearlTls);
  const identities = { PearlUser1: pearl1.identity, PearlUser2: pearl2.identity };
  const retrievals = new RetrievalService(requester.deps, {
    transport,
    identityOf: (user) => Promise.resolve((identities as Record<string, Identity | undefined>)[user]),
  });
  const submitted = await provider.reports.submit(
    OFFICER,
    { category: 'basic', schemaVersion: '1.0', uscc: USCC, payload: VALID_REPORTS.basic },
    'r1',
  );
  const enterprise = new Wallet(generateSubjectSigningKey().privateKey);
  const { subjectRef } = await provider.subjects.lookup(OFFICER, USCC);
  const binding = await signSignerBinding(enterprise, {
    channelId: 'creditchain',
    subjectRef,
    action: 'register',
  });
  await provider.subjects.register(
    OFFICER,
    { uscc: USCC, signer: binding.signer, signature: binding.signature },
    's1',
  );
  const consent = async (maxUses: number, nonce: string, purpose = 'loan_underwriting') => {
    const now = Math.floor(Date.now() / 1000);
    const signed = await signConsent(enterprise, 'creditchain', {
      subjectRef,
      granteeMsp: 'PearlMSP',
      granteeInstitution: 'PRD-BANK-01',
      categories: ['basic'],
      purpose,
      notBefore: now - 60,
      notAfter: now + 3600,
      maxUses,
      nonce,
    });
    await requester.consents.record(
      PEARL,
      { consent: signed.consent, signature: signed.signature },
      `c-${nonce}`,
    );
    return signed.consentId;
  };
  return {
    provider,
    requester,
    ledger,
    app,
    transport,
    retrievals,
    identities,
    pearlTls,
    reportId: submitted.body.report.reportId,
    enterprise,
    subjectRef,
    present,
    consent,
  };
}

const nonce = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const transactions = (name: string) => world.ledger.calls.filter((c) => c.transaction === name);

describe('retrieval between gateways', () => {
  it('retrieves, verifies and decrypts a report under a granted receipt, delivered once', async () => {
    world = await setup();
    const consentId = await world.consent(2, nonce(1));
    const got = await world.retrievals.retrieve(
      PEARL,
      { reportId: world.reportId, consentId, purpose: 'loan_underwriting' },
      'get-1',
    );
    expect(got.body).toMatchObject({
      reportId: world.reportId,
      providerMsp: 'YangtzeMSP',
      category: 'basic',
      payload: VALID_REPORTS.basic,
      anchor: { status: 'active' },
    });
    const receipt = await world.ledger.getReceipt('User1', got.body.receiptId);
    expect(receipt).toMatchObject({
      outcome: 'granted',
      requestId: got.body.requestId,
      delivery: { by: { id: 'User1' } },
    });
    expect(transactions('RequestAccess')).toEqual([{ user: 'PearlUser1', transaction: 'RequestAccess' }]);
    expect(transactions('RecordDelivery')).toEqual([{ user: 'User1', transaction: 'RecordDelivery' }]);

    const again = await world.retrievals.retrieve(
      PEARL,
      { reportId: world.reportId, consentId, purpose: 'loan_underwriting' },
      'get-1',
    );
    expect(again).toMatchObject({
      replayed: true,
      body: { receiptId: got.body.receiptId, payload: VALID_REPORTS.basic },
    });
    expect(transactions('RequestAccess')).toHaveLength(1);
    expect(transactions('RecordDelivery')).toHaveLength(1);
  });

  it('answers a denial with the receipt’s reason, and the same denial to a retry', async () => {
    world = await setup();
    const consentId = await world.consent(1, nonce(2));
    await world.retrievals.retrieve(
      PEARL,
      { reportId: world.reportId, consentId, purpose: 'loan_underwriting' },
      'a',
    );
    const denied = await world.retrievals
      .retrieve(PEARL, { reportId: world.reportId, consentId, purpose: 'loan_underwriting' }, 'b')
      .catch((e: unknown) => e);
    expect(denied).toMatchObject({
      name: 'ServiceError',
      code: 'ACCESS_DENIED',
      details: { reason: 'CONSENT_EXHAUSTED' },
    });
    const replay = await world.retrievals
      .retrieve(PEARL, { reportId: world.reportId, consentId, purpose: 'loan_underwriting' }, 'b')
      .catch((e: unknown) => e);
    expect(replay).toMatchObject({
      name: 'ReplayedRefusal',
      code: 'ACCESS_DENIED',
      details: { reason: 'CONSENT_EXHAUSTED' },
    });
    const unknown = await world.retrievals
      .retrieve(
        PEARL,
        { reportId: world.reportId, consentId: 'f'.repeat(64), purpose: 'loan_underwriting' },
        'c',
      )
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'ACCESS_DENIED', details: { reason: 'CONSENT_NOT_FOUND' } });
    expect(transactions('RecordDelivery')).toHaveLength(1);
  });

  it('fails closed while the provider is down, then succeeds on retry with one receipt', async () => {
    world = await setup();
    const consentId = await world.consent(3, nonce(3));
    const input = { reportId: world.reportId, consentId, purpose: 'loan_underwriting' };
    world.transport.down.add('YangtzeMSP');
    await expect(world.retrievals.retrieve(PEARL, input, 'k')).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      retryable: true,
    });
    expect(transactions('RecordDelivery')).toHaveLength(0);
    world.transport.down.delete('YangtzeMSP');
    const got = await world.retrievals.retrieve(PEARL, input, 'k');
    expect(got.body.payload).toEqual(VALID_REPORTS.basic);
    expect(transactions('RequestAccess')).toHaveLength(1);
    expect((await world.ledger.getConsent('PearlUser1', consentId)).uses).toBe(1);
  });

  it('waits for a provider peer that is a block behind, then delivers once', async () => {
    world = await setup({ providerPeerBehind: 3 });
    const consentId = await world.consent(1, nonce(9));
    const got = await world.retrievals.retrieve(
      PEARL,
      { reportId: world.reportId, consentId, purpose: 'loan_underwriting' },
      'lag-1',
    );
    expect(got.body.payload).toEqual(VALID_REPORTS.basic);
    expect(transactions('RecordDelivery')).toHaveLength(1);
  });

  it('fails closed while the provider’s ledger is down: nothing is released', async () => {
    world = await setup();
    const consentId = await world.consent(3, nonce(4));
    const input = { reportId: world.reportId, consentId, purpose: 'loan_underwriting' };
    const { body } = await world.retrievals.retrieve(PEARL, input, 'k1');
    world.transport.tamper = () => {
      throw new Error('the payload must not be released');
    };
    world.ledger.unavailable = true;
    await expect(world.retrievals.retrieve(PEARL, input, 'k2')).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
    });
    world.ledger.unavailable = false;
    expect(body.payload).toEqual(VALID_REPORTS.basic);
  });

  it.each([
    ['a changed ciphertext', (p: { ciphertext: string }) => flip(p, 'ciphertext')],
    ['a changed salt', (p: { salt: string }) => flip(p, 'salt')],
    [
      'a changed wrapped key',
      (p: { wrappedKey: { ciphertext: string } }) => ({ ...p, wrappedKey: flip(p.wrappedKey, 'ciphertext') }),
    ],
  ])('detects %s and returns nothing', async (_what, change) => {
    world = await setup();
    const consentId = await world.consent(2, nonce(5));
    world.transport.tamper = change as never;
    const err = await world.retrievals
      .retrieve(PEARL, { reportId: world.reportId, consentId, purpose: 'loan_underwriting' }, 'k')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ServiceError', code: 'TRANSFER_TAMPERED' });
    expect(JSON.stringify(err)).not.toContain('杭州');
  });
});

function flip<T extends object>(obj: T, key: keyof T): T {
  const bytes = decodeBase64(obj[key] as string) ?? new Uint8Array(1);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return { ...obj, [key]: encodeBase64(bytes) };
}

describe('the provider refuses transfers it cannot justify', () => {
  async function granted(): Promise<{ requestId: string; receiptId: string }> {
    const consentId = await world.consent(5, nonce(9));
    const committed = await world.ledger.requestAccess('PearlUser1', {
      requestId: 'req-manual-1',
      reportId: world.reportId,
      consentId,
      purpose: 'loan_underwriting',
    });
    return { requestId: 'req-manual-1', receiptId: committed.value.receiptId };
  }

  async function send(signed: SignedTransferRequest, cert: PeerCertificate | null = world.pearlTls) {
    world.present(cert ?? undefined);
    const res = await world.app.app.inject({
      method: 'POST',
      url: '/peer/v1/transfers',
      payload: signed as unknown as object,
    });
    return { status: res.statusCode, code: res.json<{ code?: string }>().code };
  }

  const sign = (
    user: string,
    fields: { requestId: string; receiptId: string; reportId?: string; requesterMsp?: string },
    at = new Date(),
  ) =>
    signTransferRequest(
      world.identities[user] as Identity,
      { requesterMsp: 'PearlMSP', providerMsp: 'YangtzeMSP', reportId: world.reportId, ...fields },
      at,
    );

  it('answers a correctly signed request and nothing else', async () => {
    world = await setup();
    const ids = await granted();
    const ok = sign('PearlUser1', ids);
    expect(await send(ok)).toEqual({ status: 200, code: undefined });

    expect(await send(ok, null)).toEqual({ status: 401, code: 'AUTH_REQUIRED' });
    const yangtzeTls = {
      authorized: true,
      raw: derOf((await tlsCertificate(await testOrg('X', 'x.example'), 'x')).certPem),
    };
    expect(await send(ok, yangtzeTls)).toEqual({ status: 401, code: 'CERTIFICATE_INVALID' });
    expect(await send({ ...ok, signature: sign('PearlUser1', ids).signature })).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
    expect(await send(sign('PearlUser1', ids, new Date(Date.now() - 3_600_000)))).toEqual({
      status: 401,
      code: 'REQUEST_EXPIRED',
    });
    expect(await send({ ...ok, request: { ...ok.request, requestId: 'req-other-1' } })).toEqual({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
    expect(await send(sign('PearlUser2', ids))).toEqual({ status: 403, code: 'TRANSFER_FORBIDDEN' });
    expect(await send(sign('PearlUser1', { ...ids, requestId: 'req-other-1' }))).toEqual({
      status: 409,
      code: 'RECEIPT_MISMATCH',
    });
    expect(await send(sign('PearlUser1', { ...ids, requesterMsp: 'JingJinJiMSP' }))).toEqual({
      status: 403,
      code: 'TRANSFER_FORBIDDEN',
    });
    expect(await send(sign('PearlUser1', { ...ids, receiptId: 'e'.repeat(64) }))).toEqual({
      status: 404,
      code: 'RECEIPT_NOT_FOUND',
    });
    expect(await send({ ...ok, request: { ...ok.request, v: 2 as 1 } })).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
    });
    expect(transactions('RecordDelivery')).toHaveLength(1);
  });

  it('refuses a nonce reused for another request', async () => {
    world = await setup();
    const ids = await granted();
    const first = sign('PearlUser1', ids);
    expect((await send(first)).status).toBe(200);
    expect((await send(first)).status).toBe(200); // the same request again: a retry
    const identity = world.identities.PearlUser1 as Identity;
    const { createPrivateKey, sign: rawSign } = await import('node:crypto');
    const { canonicalBytes } = await import('../crypto/canonical.js');
    const request = { ...first.request, issuedAt: new Date(Date.now() + 1000).toISOString() };
    const reused = {
      request,
      signerCertPem: identity.certPem,
      signature: rawSign(
        'sha256',
        canonicalBytes(request),
        createPrivateKey(identity.privateKeyPem),
      ).toString('base64'),
    };
    expect(await send(reused)).toEqual({ status: 409, code: 'REQUEST_REPLAYED' });
  });

  it('releases nothing for an erased report', async () => {
    world = await setup();
    const ids = await granted();
    await world.provider.reports.erase(OFFICER, world.reportId, 'SUBJECT_REQUEST', 'erase');
    expect(await send(sign('PearlUser1', ids))).toEqual({ status: 410, code: 'REPORT_ERASED' });
    expect(transactions('RecordDelivery')).toHaveLength(0);
  });

  it('does not deliver a receipt again after the redelivery window', async () => {
    world = await setup();
    const ids = await granted();
    expect((await send(sign('PearlUser1', ids))).status).toBe(200);
    world.provider.clock.advance(2 * 3_600_000);
    world.requester.clock.advance(2 * 3_600_000);
    const late = sign('PearlUser1', ids, world.provider.clock.now());
    expect(await send(late)).toEqual({ status: 409, code: 'RECEIPT_ALREADY_DELIVERED' });
  });
});
