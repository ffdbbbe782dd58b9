/**
 * Scenarios of the member gateways on the default consortium (Yangtze provides, Pearl retrieves),
 * each through the gateways' HTTPS API with the real contract deciding: HPKE key rotation by the
 * operator CLI while the gateways run; denials (expired, wrong purpose, revoked, used up) with their
 * receipts on the ledger; a ciphertext tampered with in the provider's vault; a restart on the same
 * vault; erasure; and who may call which `/v1` endpoint.
 *
 * One consortium for the whole file (./support/consortium.ts); the scenarios share it, each with
 * its own reports and consents.
 */
import 'reflect-metadata'; // @peculiar/x509 (tsyringe), loaded through the CLI's command groups
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { Command } from 'commander';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../gateway/src/crypto/canonical.js';
import {
  generateSubjectSigningKey,
  signConsent,
  signSignerBinding,
} from '../../gateway/src/crypto/eip712-consent.js';
import { unwrapDataKey } from '../../gateway/src/crypto/hpke.js';
import { openReport } from '../../gateway/src/crypto/payload.js';
import { usccCheckCharacter } from '../../gateway/src/domain/uscc.js';
import { FileKeyStore } from '../../gateway/src/keystore/file-key-store.js';
import type { TransferPayload } from '../../gateway/src/ports/peer-transport.js';
import { signTransferRequest } from '../../gateway/src/transfer/request-signing.js';
import { LevelVault } from '../../gateway/src/vault/level-vault.js';
import { createContext } from '../../network/src/cli/context.js';
import { register as registerOrg } from '../../network/src/cli/org.js';
import {
  GatewayConsortium,
  PEARL,
  YANGTZE,
  type Answer,
  type Auth,
  type ConsentTerms,
} from './support/consortium.js';

const REPO = join(import.meta.dirname, '..', '..');
const uscc = (first17: string): string => first17 + usccCheckCharacter(first17);
/** The enterprise the reports are about, and a second one the authorisation matrix registers. */
const CORP = uscc('91440300MA5G00001');
const OTHER_CORP = uscc('91310115MA1K00002');

/** A `business` report whose amounts mark it, so that a leak of it can be searched for. */
function business(revenue: string) {
  return {
    periodStart: '2025-01-01',
    periodEnd: '2025-12-31',
    revenue: { amount: revenue, currency: 'CNY' },
    netProfit: { amount: '1730000.55', currency: 'CNY' },
    taxCreditRating: 'A',
    employees: 312,
    source: 'audited_statement',
  };
}

interface OrgProfile {
  readonly activeKeyId: string;
  readonly keys: readonly { readonly keyId: string; readonly status: string }[];
}
interface TrailEntry {
  readonly kind: string;
  readonly receiptId: string | null;
  readonly reason: string | null;
}
interface Receipt {
  readonly receiptId: string;
  readonly reportId: string;
  readonly outcome: string;
  readonly reason: string;
  readonly requester: { readonly mspId: string };
  readonly delivery: unknown;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('member gateway scenarios on the default consortium', () => {
  let net: GatewayConsortium;
  const enterprise = new Wallet(generateSubjectSigningKey().privateKey);
  let subjectRef: string;
  /** Recorded first, valid for a few seconds only: over by the time the denials are tried. */
  let expiring: { readonly consentId: string; readonly notAfter: number };

  const asYangtze = (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) =>
    net.call(YANGTZE, { method, path, auth: { token: net.token(YANGTZE) }, body, key });
  const asPearl = (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) =>
    net.call(PEARL, { method, path, auth: { token: net.token(PEARL) }, body, key });

  async function submit(payload: object, key: string): Promise<string> {
    const res = await asYangtze(
      'POST',
      '/v1/reports',
      { category: 'business', schemaVersion: '1.0', uscc: CORP, payload },
      key,
    );
    expect(res.status, res.text).toBe(201);
    return (res.body.report as { reportId: string }).reportId;
  }

  const terms = (overrides: Partial<ConsentTerms> = {}): ConsentTerms => ({
    subjectRef,
    categories: ['business', 'basic'],
    purpose: 'loan_underwriting',
    maxUses: 3,
    notBefore: nowSeconds() - 60,
    notAfter: nowSeconds() + 3600,
    ...overrides,
  });

  const retrieve = (reportId: string, consentId: string, purpose: string, key: string): Promise<Answer> =>
    asPearl('POST', '/v1/retrievals', { reportId, consentId, purpose }, key);

  const trail = async (reportId: string): Promise<TrailEntry[]> =>
    (await net.regulatorQuery<{ records: TrailEntry[] }>('GetReportTrail', reportId, '100', '')).records;

  /** The keys Yangtze's vault holds these reports' data keys wrapped to (its gateway must be stopped: LevelDB has one owner). */
  async function storedKeyIds(reportIds: readonly string[]): Promise<string[]> {
    const vault = await LevelVault.open(join(net.dataDir(YANGTZE), 'vault'));
    try {
      const ids: string[] = [];
      for (const id of reportIds) {
        const stored = await vault.getReport(id);
        if (stored?.status !== 'active') throw new Error(`report ${id} is not in the vault`);
        ids.push(stored.wrappedKey.keyId);
      }
      return ids;
    } finally {
      await vault.close();
    }
  }

  /** `creditchain --home <home> org key rotate --org <org>`, as an operator runs it; its output. */
  async function rotateKey(org: string): Promise<string[]> {
    const lines: string[] = [];
    const program = new Command('creditchain').exitOverride();
    const ctx = createContext(program, {
      root: REPO,
      env: {},
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });
    registerOrg(program, ctx);
    await program.parseAsync(['--home', join(net.base, 'net'), 'org', 'key', 'rotate', '--org', org], {
      from: 'user',
    });
    return lines;
  }

  /** Pearl's gateway asking Yangtze's `/peer` API directly for a receipt it holds, as its officer. */
  async function transferAsPearl(body: { reportId: string; requestId: string; receiptId: string }) {
    const officer = await net.userCert(PEARL, 'User1');
    const signed = signTransferRequest(
      { mspId: PEARL.mspId, certPem: officer.certPem, privateKeyPem: officer.keyPem },
      { requesterMsp: PEARL.mspId, providerMsp: YANGTZE.mspId, ...body },
      new Date(),
    );
    const tls = net.gatewayTls(PEARL);
    return net.call(YANGTZE, {
      method: 'POST',
      path: '/peer/v1/transfers',
      auth: {
        cert: { certPem: await readFile(tls.certFile, 'utf8'), keyPem: await readFile(tls.keyFile, 'utf8') },
      },
      body: signed,
    });
  }

  beforeAll(async () => {
    net = await GatewayConsortium.start({
      YangtzeMSP: [
        { user: 'Admin', mspId: 'YangtzeMSP', name: 'Admin', role: 'admin' },
        { user: 'Regulator1', mspId: 'RegulatorMSP', name: 'Regulator1', role: 'regulator' },
      ],
    });
    subjectRef = await net.registerEnterprise(CORP, enterprise);
    const notAfter = nowSeconds() + 6;
    expiring = { notAfter, consentId: await net.pearlConsent(enterprise, terms({ notAfter })) };
  });

  afterAll(async () => {
    await net.close();
  });

  it('an organisation rotates its HPKE key while the gateways run; reports wrapped to the old key stay readable', async () => {
    const A = business('100000001.00');
    const B = business('200000002.00');
    const reportA = await submit(A, 'rotation-a');
    const yangtzeBefore = await net.regulatorQuery<OrgProfile>('GetOrgProfile', YANGTZE.mspId);

    const out = await rotateKey('Yangtze');
    const yangtzeAfter = await net.regulatorQuery<OrgProfile>('GetOrgProfile', YANGTZE.mspId);
    expect(yangtzeAfter.activeKeyId).not.toBe(yangtzeBefore.activeKeyId);
    expect(yangtzeAfter.keys.map((k) => [k.keyId, k.status])).toEqual([
      [yangtzeBefore.activeKeyId, 'retired'],
      [yangtzeAfter.activeKeyId, 'active'],
    ]);
    expect(out.join('\n')).toContain(
      `active key is now ${yangtzeAfter.activeKeyId}; ${yangtzeBefore.activeKeyId} is retired`,
    );

    // Same gateway process: A (wrapped to the retired key) still opens, B is wrapped to the new one.
    const readA = await asYangtze('GET', `/v1/reports/${reportA}`);
    expect(readA.status).toBe(200);
    expect(readA.body.payload).toEqual(A);
    const reportB = await submit(B, 'rotation-b');
    expect((await asYangtze('GET', `/v1/reports/${reportB}`)).body.payload).toEqual(B);
    await net.stopGateway(YANGTZE);
    try {
      expect(await storedKeyIds([reportA, reportB])).toEqual([
        yangtzeBefore.activeKeyId,
        yangtzeAfter.activeKeyId,
      ]);
    } finally {
      await net.startGatewayAgain(YANGTZE);
    }

    const pearlBefore = await net.regulatorQuery<OrgProfile>('GetOrgProfile', PEARL.mspId);
    await rotateKey('PearlMSP');
    const pearlAfter = await net.regulatorQuery<OrgProfile>('GetOrgProfile', PEARL.mspId);
    expect(pearlAfter.activeKeyId).not.toBe(pearlBefore.activeKeyId);

    const consentId = await net.pearlConsent(enterprise, terms());
    const got = await retrieve(reportA, consentId, 'loan_underwriting', 'rotation-get-a');
    expect(got.status, got.text).toBe(200);
    expect(got.body.payload).toEqual(A);

    // What the provider releases for that receipt is wrapped to Pearl's new key, and opens with it.
    const again = await transferAsPearl({
      reportId: reportA,
      requestId: got.body.requestId as string,
      receiptId: got.body.receiptId as string,
    });
    expect(again.status, again.text).toBe(200);
    const payload = again.body as unknown as TransferPayload;
    expect(payload.wrappedKey.keyId).toBe(pearlAfter.activeKeyId);
    const pearlKeys = await FileKeyStore.open(join(net.home.keys, PEARL.mspId));
    const privateKey = await pearlKeys.privateKey(pearlAfter.activeKeyId);
    if (!privateKey) throw new Error('Pearl holds no private key for its new key');
    const dataKey = await unwrapDataKey(payload.wrappedKey, privateKey, {
      reportId: reportA,
      receiptId: payload.receiptId,
    });
    const plaintext = openReport({ ciphertext: Buffer.from(payload.ciphertext, 'base64'), dataKey });
    expect(Buffer.from(plaintext).toString()).toBe(Buffer.from(canonicalBytes(A)).toString());
  });

  it('denies after expiry, for another purpose, after revocation and once used up: a denied receipt on the ledger and nothing released', async () => {
    const report = business('300000003.00');
    const reportId = await submit(report, 'denials');
    const expiredAtRecord = await net.recordPearlConsent(
      enterprise,
      terms({ notBefore: nowSeconds() - 120, notAfter: nowSeconds() - 60 }),
    );
    expect([expiredAtRecord.answer.status, expiredAtRecord.answer.body.code]).toEqual([
      422,
      'CONSENT_EXPIRED',
    ]);

    const once = await net.pearlConsent(enterprise, terms({ maxUses: 1 }));
    const first = await retrieve(reportId, once, 'loan_underwriting', 'denials-once');
    expect(first.status, first.text).toBe(200);
    const revoked = await net.pearlConsent(enterprise, terms());
    expect((await asPearl('POST', `/v1/consents/${revoked}/revocation`, {}, 'denials-revoke')).status).toBe(
      200,
    );
    const forUnderwriting = await net.pearlConsent(enterprise, terms());
    // The contract compares the window with the transaction's timestamp: wait (a few seconds at
    // most) until the clock the transactions are stamped with has passed the expiring consent.
    while (nowSeconds() < expiring.notAfter) await new Promise((r) => setTimeout(r, 200));

    const cases: readonly [string, string, string][] = [
      [expiring.consentId, 'loan_underwriting', 'CONSENT_EXPIRED'],
      [forUnderwriting, 'post_loan_monitoring', 'PURPOSE_NOT_CONSENTED'],
      [revoked, 'loan_underwriting', 'CONSENT_REVOKED'],
      [once, 'loan_underwriting', 'CONSENT_EXHAUSTED'],
    ];
    const denied: string[] = [];
    for (const [consentId, purpose, reason] of cases) {
      const res = await retrieve(reportId, consentId, purpose, `denials-${reason}`);
      expect({ status: res.status, code: res.body.code, reason: res.body.reason }).toEqual({
        status: 403,
        code: 'ACCESS_DENIED',
        reason,
      });
      expect(res.text).not.toContain('300000003.00');
      expect(res.body).not.toHaveProperty('payload');
      const receiptId = res.body.receiptId as string;
      const receipt = await net.regulatorQuery<Receipt>('GetReceipt', receiptId);
      expect(receipt).toMatchObject({
        receiptId,
        reportId,
        outcome: 'denied',
        reason,
        requester: { mspId: PEARL.mspId },
        delivery: null,
      });
      denied.push(receiptId);
    }
    const entries = await trail(reportId);
    expect(entries.filter((e) => e.kind === 'DELIVERED').map((e) => e.receiptId)).toEqual([
      first.body.receiptId,
    ]);
    expect(entries.filter((e) => e.kind === 'ACCESS_DENIED').map((e) => [e.receiptId, e.reason])).toEqual(
      cases.map(([, , reason], i) => [denied[i], reason]),
    );
  });

  it('restarts on the same folders: reports still read, an idempotent retry still replays the first answer', async () => {
    const body = {
      category: 'business',
      schemaVersion: '1.0',
      uscc: CORP,
      payload: business('400000004.00'),
    };
    const first = await asYangtze('POST', '/v1/reports', body, 'restart-submit');
    expect(first.status).toBe(201);
    const reportId = (first.body.report as { reportId: string }).reportId;

    await net.stopGateway(YANGTZE);
    await net.startGatewayAgain(YANGTZE);

    expect((await asYangtze('GET', `/v1/reports/${reportId}`)).body.payload).toEqual(body.payload);
    const retry = await asYangtze('POST', '/v1/reports', body, 'restart-submit');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await trail(reportId)).map((e) => e.kind)).toEqual(['SUBMITTED']);
  });

  it('detects a ciphertext tampered with in the provider’s vault: the provider’s read fails, the requester gets nothing', async () => {
    const report = business('500000005.00');
    const reportId = await submit(report, 'tamper');
    const consentId = await net.pearlConsent(enterprise, terms());

    await net.stopGateway(YANGTZE);
    const db = new ClassicLevel<string, string>(join(net.dataDir(YANGTZE), 'vault'), {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
    });
    try {
      const payloads = db.sublevel('payloads', {
        keyEncoding: 'utf8',
        valueEncoding: 'utf8',
      });
      const stored = JSON.parse((await payloads.get(reportId)) ?? 'null') as { ciphertext: string } | null;
      if (!stored) throw new Error('no stored payload');
      const bytes = Buffer.from(stored.ciphertext, 'base64');
      const middle = bytes.length >> 1;
      bytes.writeUInt8((bytes.readUInt8(middle) ^ 0x01) & 0xff, middle);
      await payloads.put(reportId, JSON.stringify({ ...stored, ciphertext: bytes.toString('base64') }));
    } finally {
      await db.close();
    }
    await net.startGatewayAgain(YANGTZE);

    const own = await asYangtze('GET', `/v1/reports/${reportId}`);
    expect([own.status, own.body.code]).toEqual([500, 'INTEGRITY_FAILURE']);
    expect(own.text).not.toContain('500000005.00');
    const got = await retrieve(reportId, consentId, 'loan_underwriting', 'tamper-get');
    expect([got.status, got.body.code]).toEqual([502, 'TRANSFER_TAMPERED']);
    expect(got.body).not.toHaveProperty('payload');
    expect(got.text).not.toContain('500000005.00');
  });

  it('erasure makes a report unreadable everywhere while its trail stays on the ledger', async () => {
    const reportId = await submit(business('600000006.00'), 'erase');
    const consentId = await net.pearlConsent(enterprise, terms());
    const before = await retrieve(reportId, consentId, 'loan_underwriting', 'erase-before');
    expect(before.status).toBe(200);

    const erased = await asYangtze(
      'POST',
      `/v1/reports/${reportId}/erasure`,
      { reason: 'SUBJECT_REQUEST' },
      'erase-it',
    );
    expect(erased.status).toBe(200);
    const own = await asYangtze('GET', `/v1/reports/${reportId}`);
    expect([own.status, own.body.code]).toEqual([410, 'REPORT_ERASED']);
    const after = await retrieve(reportId, consentId, 'loan_underwriting', 'erase-after');
    expect([after.status, after.body.code, after.body.reason]).toEqual([
      403,
      'ACCESS_DENIED',
      'REPORT_ERASED',
    ]);
    expect(after.text).not.toContain('600000006.00');
    // Even the receipt granted before the erasure no longer gets it from the provider.
    const redelivery = await transferAsPearl({
      reportId,
      requestId: before.body.requestId as string,
      receiptId: before.body.receiptId as string,
    });
    expect([redelivery.status, redelivery.body.code]).toEqual([410, 'REPORT_ERASED']);
    expect(redelivery.body).not.toHaveProperty('ciphertext');

    const anchor = await net.regulatorQuery<{ status: string; ciphertextHash: string }>(
      'GetReport',
      reportId,
    );
    expect(anchor).toMatchObject({
      status: 'erased',
      ciphertextHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await trail(reportId)).map((e) => [e.kind, e.reason])).toEqual([
      ['SUBMITTED', null],
      ['ACCESS_GRANTED', 'CONSENT'],
      ['DELIVERED', null],
      ['ERASED', 'SUBJECT_REQUEST'],
      ['ACCESS_DENIED', 'REPORT_ERASED'],
    ]);
  });

  describe('who may call which /v1 endpoint', () => {
    type Caller = 'member' | 'regulator' | 'admin' | 'none' | 'wrongOrg';
    type Expect = readonly [number, string];
    interface Row {
      readonly method: 'GET' | 'POST' | 'DELETE';
      /** The endpoint as OpenAPI names it. */
      readonly route: string;
      /** The concrete path and body. */
      readonly request: () => { path: string; body?: unknown };
      /** The one role the endpoint serves first in the row, and its outcome; every other caller is refused. */
      readonly allowed: Partial<Record<Caller, Expect>>;
    }
    const REFUSED: Record<Caller, Expect> = {
      member: [403, 'FORBIDDEN'],
      regulator: [403, 'FORBIDDEN'],
      admin: [403, 'FORBIDDEN'],
      none: [401, 'AUTH_REQUIRED'],
      wrongOrg: [401, 'CERTIFICATE_INVALID'],
    };
    const CALLERS: readonly Caller[] = ['none', 'wrongOrg', 'admin', 'regulator', 'member'];

    let auths: Record<Caller, Auth>;
    const fixture = {
      reportId: '',
      correctedId: '',
      consentId: '',
      consent: {} as { consent: unknown; signature: string },
      otherSigner: new Wallet(generateSubjectSigningKey().privateKey),
      binding: { signer: '', signature: '' },
      tokenId: '',
    };

    beforeAll(async () => {
      const pearlOfficer = await net.userCert(PEARL, 'User1');
      auths = {
        member: { token: net.token(YANGTZE) },
        regulator: { token: net.token(YANGTZE, 'Regulator1') },
        admin: { token: net.token(YANGTZE, 'Admin') },
        none: { none: true },
        wrongOrg: { cert: pearlOfficer },
      };
      fixture.reportId = await submit(business('700000007.00'), 'matrix-report');
      const signed = await signConsent(enterprise, 'creditchain', {
        subjectRef,
        granteeMsp: YANGTZE.mspId,
        granteeInstitution: YANGTZE.institution,
        categories: ['business'],
        purpose: 'loan_underwriting',
        notBefore: nowSeconds() - 60,
        notAfter: nowSeconds() + 3600,
        maxUses: 1,
      });
      fixture.consent = { consent: signed.consent, signature: signed.signature };
      fixture.consentId = signed.consentId;
      const lookup = await asYangtze('POST', '/v1/subjects/lookup', { uscc: OTHER_CORP });
      const binding = await signSignerBinding(fixture.otherSigner, {
        channelId: 'creditchain',
        subjectRef: lookup.body.subjectRef as string,
        action: 'register',
      });
      fixture.binding = { signer: binding.signer, signature: binding.signature };
      const spare = await net.call(YANGTZE, {
        method: 'POST',
        path: '/v1/admin/tokens',
        auth: { token: net.token(YANGTZE, 'Admin') },
        body: { user: 'User2', role: 'member' },
        key: 'matrix-spare-token',
      });
      expect(spare.status, spare.text).toBe(201);
      fixture.tokenId = spare.body.tokenId as string;
    });

    const rows: readonly Row[] = [
      {
        method: 'POST',
        route: '/v1/reports',
        request: () => ({
          path: '/v1/reports',
          body: { category: 'business', schemaVersion: '1.0', uscc: CORP, payload: business('800000008.00') },
        }),
        allowed: { member: [201, ''] },
      },
      {
        method: 'GET',
        route: '/v1/reports',
        request: () => ({ path: '/v1/reports' }),
        allowed: { member: [200, ''] },
      },
      {
        method: 'GET',
        route: '/v1/reports/{reportId}',
        request: () => ({ path: `/v1/reports/${fixture.reportId}` }),
        allowed: { member: [200, ''] },
      },
      {
        method: 'POST',
        route: '/v1/reports/{reportId}/corrections',
        request: () => ({
          path: `/v1/reports/${fixture.reportId}/corrections`,
          body: { schemaVersion: '1.0', payload: business('700000017.00') },
        }),
        allowed: { member: [201, ''] },
      },
      {
        method: 'POST',
        route: '/v1/reports/{reportId}/erasure',
        request: () => ({
          path: `/v1/reports/${fixture.correctedId}/erasure`,
          body: { reason: 'DATA_ERROR' },
        }),
        allowed: { member: [200, ''] },
      },
      {
        method: 'POST',
        route: '/v1/subjects/lookup',
        request: () => ({ path: '/v1/subjects/lookup', body: { uscc: CORP } }),
        allowed: { member: [200, ''], regulator: [200, ''] },
      },
      {
        method: 'POST',
        route: '/v1/subjects',
        request: () => ({ path: '/v1/subjects', body: { uscc: OTHER_CORP, ...fixture.binding } }),
        allowed: { member: [201, ''] },
      },
      {
        method: 'POST',
        route: '/v1/consents',
        request: () => ({ path: '/v1/consents', body: fixture.consent }),
        allowed: { member: [201, ''] },
      },
      {
        method: 'GET',
        route: '/v1/consents/{consentId}',
        request: () => ({ path: `/v1/consents/${fixture.consentId}` }),
        allowed: { member: [200, ''] },
      },
      {
        method: 'POST',
        route: '/v1/consents/{consentId}/revocation',
        request: () => ({ path: `/v1/consents/${fixture.consentId}/revocation`, body: {} }),
        allowed: { member: [200, ''] },
      },
      {
        // Past the edge, the ledger decides: Yangtze holds no consent with that id.
        method: 'POST',
        route: '/v1/retrievals',
        request: () => ({
          path: '/v1/retrievals',
          body: { reportId: fixture.reportId, consentId: 'f'.repeat(64), purpose: 'loan_underwriting' },
        }),
        allowed: { member: [403, 'ACCESS_DENIED'] },
      },
      {
        method: 'POST',
        route: '/v1/admin/tokens',
        request: () => ({ path: '/v1/admin/tokens', body: { user: 'User1', role: 'member' } }),
        allowed: { admin: [201, ''] },
      },
      {
        method: 'GET',
        route: '/v1/admin/tokens',
        request: () => ({ path: '/v1/admin/tokens' }),
        allowed: { admin: [200, ''] },
      },
      {
        method: 'DELETE',
        route: '/v1/admin/tokens/{tokenId}',
        request: () => ({ path: `/v1/admin/tokens/${fixture.tokenId}` }),
        allowed: { admin: [200, ''] },
      },
    ];

    it('covers every /v1 endpoint the gateway serves', async () => {
      const doc = await net.call(YANGTZE, { method: 'GET', path: '/docs/json', auth: { none: true } });
      const paths = doc.body.paths as Record<string, Record<string, unknown>>;
      const served = Object.entries(paths)
        .filter(([path]) => path.startsWith('/v1/'))
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
        .sort();
      expect(rows.map((r) => `${r.method} ${r.route}`).sort()).toEqual(served);
    });

    const reportsOfSubject = async (): Promise<number> =>
      (await net.regulatorQuery<{ records: unknown[] }>('ListReportsBySubject', subjectRef, '100', ''))
        .records.length;
    const tokenCount = async (): Promise<number> =>
      (
        (await net.call(YANGTZE, { method: 'GET', path: '/v1/admin/tokens', auth: auths.admin })).body
          .items as unknown[]
      ).length;

    it('answers each caller of each endpoint with its status and code; refused calls change nothing', async () => {
      const reportsBefore = await reportsOfSubject();
      const tokensBefore = await tokenCount();
      const table: string[] = [];
      const expected: string[] = [];
      // Refused callers first: the allowed call that ends each row then shows they changed nothing
      // (a second revocation would be CONSENT_REVOKED, a second registration SUBJECT_SIGNER_EXISTS).
      for (const row of rows) {
        for (const caller of CALLERS) {
          const { path, body } = row.request();
          const res = await net.call(YANGTZE, {
            method: row.method,
            path,
            auth: auths[caller],
            body,
            ...(row.method === 'POST'
              ? { key: `matrix-${caller}-${row.route}`.replace(/[^A-Za-z0-9._:-]/g, '.') }
              : {}),
          });
          const [status, code] = row.allowed[caller] ?? REFUSED[caller];
          const got = res.status < 300 ? '' : String(res.body.code);
          table.push(`${row.method} ${row.route} as ${caller}: ${res.status} ${got}`);
          expected.push(`${row.method} ${row.route} as ${caller}: ${status} ${code}`);
          if (row.route === '/v1/reports/{reportId}/corrections' && res.status === 201)
            fixture.correctedId = (res.body.report as { reportId: string }).reportId;
        }
      }
      expect(table).toEqual(expected);
      // Only the member's submission and correction were anchored; only the admin's token issued.
      expect(await reportsOfSubject()).toBe(reportsBefore + 2);
      expect(await tokenCount()).toBe(tokensBefore + 1);
    });
  });
});
