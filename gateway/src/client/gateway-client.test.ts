import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSubjectSigningKey,
  signConsent,
  signConsentRevocation,
  signSignerBinding,
} from '../crypto/eip712-consent.js';
import { VALID_REPORTS } from '../schemas/testing/examples.js';
import { USCC } from '../services/testing/harness.js';
import { GatewayClientError, GatewayProblem } from './errors.js';
import { GatewayClient, type GatewayAuth } from './gateway-client.js';
import { startTlsGateway, type TlsGateway } from './testing/tls-gateway.js';

let gw: TlsGateway;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  gw = await startTlsGateway();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await gw.close();
});

function client(
  auth: GatewayAuth,
  over: { caPem?: string; url?: string; keys?: string[] } = {},
): GatewayClient {
  const keys = over.keys;
  const c = new GatewayClient({
    url: over.url ?? gw.url,
    caPem: over.caPem ?? gw.tlsCaPem,
    auth,
    timeoutMs: 20_000,
    ...(keys ? { newIdempotencyKey: () => keys.shift() ?? 'exhausted' } : {}),
  });
  clients.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const submit = { category: 'basic', schemaVersion: '1.0', uscc: USCC, payload: VALID_REPORTS.basic };

describe('GatewayClient over TLS', () => {
  it('submits, replays by key, lists, reads, corrects and erases reports with a bearer token', async () => {
    const c = client({ token: gw.token.member });
    const first = await c.submitReport(submit, { idempotencyKey: 'client-sub-1' });
    expect(first.report).toMatchObject({ category: 'basic', status: 'active' });
    const again = await c.submitReport(submit, { idempotencyKey: 'client-sub-1' });
    expect(again).toEqual(first);
    const { reportId, subjectRef } = first.report;

    const page = await c.listReports({ subjectRef, limit: 10 });
    expect(page.items.map((i) => i.reportId)).toContain(reportId);
    const read = await c.getReport(reportId);
    expect(read.payload).toEqual(VALID_REPORTS.basic);

    const corrected = await c.correctReport(reportId, {
      schemaVersion: '1.0',
      payload: { ...(VALID_REPORTS.basic as object), employees: 121 },
    });
    expect(corrected.report.supersedes).toBe(reportId);
    const erased = await c.eraseReport(corrected.report.reportId, 'DATA_ERROR');
    expect(erased.report.status).toBe('erased');
    const gone = await rejection(c.getReport(corrected.report.reportId));
    expect(gone).toBeInstanceOf(GatewayProblem);
    expect(gone).toMatchObject({ status: 410, code: 'REPORT_ERASED', retryable: false });
  });

  it('generates a fresh Idempotency-Key per call unless one is given', async () => {
    const keys = ['gen-a', 'gen-b'];
    const c = client({ token: gw.token.member }, { keys });
    const a = await c.submitReport(submit);
    const b = await c.submitReport(submit);
    expect(a.report.reportId).not.toBe(b.report.reportId);
    expect(keys).toEqual([]);
    const rand = client({ token: gw.token.member });
    const c1 = await rand.submitReport(submit);
    const c2 = await rand.submitReport(submit);
    expect(c1.report.reportId).not.toBe(c2.report.reportId);
  });

  it('turns problems into typed GatewayProblems with their extension members', async () => {
    const c = client({ token: gw.token.member });
    const schema = await rejection(
      c.submitReport({ ...submit, payload: { ...(VALID_REPORTS.basic as object), establishedOn: 'x' } }),
    );
    expect(schema).toBeInstanceOf(GatewayProblem);
    const p = schema as GatewayProblem;
    expect(p).toMatchObject({ status: 422, code: 'SCHEMA_VIOLATION', retryable: false });
    expect(p.violations).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '$.establishedOn' })]),
    );
    expect(p.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.message).toBe(`SCHEMA_VIOLATION: ${p.detail}`);
    expect(p.instance).toMatch(/^urn:creditchain:request:/);

    const shape = (await rejection(c.eraseReport('rpt-none', 'BECAUSE'))) as GatewayProblem;
    expect(shape).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(shape.errors?.[0]?.path).toBe('body.reason');

    expect(await rejection(c.getReport('rpt-none'))).toMatchObject({ status: 404, code: 'REPORT_NOT_FOUND' });
    expect(await rejection(c.listTokens())).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    // This gateway retrieves from nobody: the endpoint does not exist.
    expect(
      await rejection(
        c.retrieve({ reportId: 'rpt-none', consentId: 'a'.repeat(64), purpose: 'loan_underwriting' }),
      ),
    ).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('marks retryable refusals with Retry-After and the key to retry with; the retry succeeds', async () => {
    const c = client({ token: gw.token.member });
    gw.h.ledger.unavailable = true;
    let failed: unknown;
    try {
      failed = await rejection(c.submitReport(submit, { idempotencyKey: 'retry-me' }));
    } finally {
      gw.h.ledger.unavailable = false;
    }
    expect(failed).toMatchObject({
      status: 503,
      code: 'LEDGER_UNAVAILABLE',
      retryable: true,
      retryAfterSeconds: 5,
      idempotencyKey: 'retry-me',
    });
    const done = await c.submitReport(submit, { idempotencyKey: 'retry-me' });
    expect(done.report.status).toBe('active');
  });

  it('authenticates by client certificate; refuses an unmapped one', async () => {
    const officer = client({ certPem: gw.cert.user1.certPem, keyPem: gw.cert.user1.keyPem });
    const subject = await officer.lookupSubject(USCC);
    expect(subject).toEqual({
      subjectRef: expect.stringMatching(/^[0-9a-f]{64}$/),
      registered: false,
      activeSigner: null,
    });
    const stranger = client({ certPem: gw.cert.stranger.certPem, keyPem: gw.cert.stranger.keyPem });
    expect(await rejection(stranger.lookupSubject(USCC))).toMatchObject({
      status: 401,
      code: 'CERTIFICATE_UNKNOWN',
    });
  });

  it('registers a subject, records, reads and revokes a consent', async () => {
    const c = client({ token: gw.token.member });
    const key = generateSubjectSigningKey();
    const { subjectRef } = await c.lookupSubject(USCC);
    const binding = await signSignerBinding(key.privateKey, {
      channelId: 'creditchain',
      subjectRef,
      action: 'register',
    });
    const registered = await c.registerSubject({
      uscc: USCC,
      signer: binding.signer,
      signature: binding.signature,
    });
    expect(registered.subject).toEqual({ subjectRef, registered: true, activeSigner: key.address });
    const now = Math.floor(gw.h.clock.now().getTime() / 1000);
    const signed = await signConsent(key.privateKey, 'creditchain', {
      subjectRef,
      granteeMsp: 'YangtzeMSP',
      granteeInstitution: 'YRD-BANK-01',
      categories: ['basic'],
      purpose: 'loan_underwriting',
      notBefore: now - 60,
      notAfter: now + 3600,
      maxUses: 2,
    });
    const recorded = await c.recordConsent({ consent: signed.consent, signature: signed.signature });
    expect(recorded.consent).toMatchObject({ consentId: signed.consentId, status: 'active', maxUses: 2 });
    expect(await c.getConsent(signed.consentId)).toMatchObject({ consentId: signed.consentId });
    const signature = await signConsentRevocation(key.privateKey, {
      channelId: 'creditchain',
      consentId: signed.consentId,
    });
    const revoked = await c.revokeConsent(signed.consentId, { signature });
    expect(revoked.consent).toMatchObject({ status: 'revoked', revokedBy: 'subject' });
  });

  it('issues, lists and revokes tokens as the admin (client certificate)', async () => {
    const admin = client({ certPem: gw.cert.admin.certPem, keyPem: gw.cert.admin.keyPem });
    const issued = await admin.issueToken(
      { user: 'User2', role: 'member', ttlSeconds: 600 },
      { idempotencyKey: 'tok-1' },
    );
    expect(issued.token).toMatch(/^cc_/);
    const replay = await rejection(
      admin.issueToken({ user: 'User2', role: 'member', ttlSeconds: 600 }, { idempotencyKey: 'tok-1' }),
    );
    expect(replay).toMatchObject({ status: 409, code: 'TOKEN_ALREADY_ISSUED' });
    const bureau = client({ token: issued.token });
    expect((await bureau.listReports()).items).toBeDefined();
    const listed = await admin.listTokens();
    expect(listed.find((t) => t.tokenId === issued.tokenId)).toMatchObject({
      user: 'User2',
      status: 'active',
    });
    expect(JSON.stringify(listed)).not.toContain(issued.token.slice(3));
    expect(await admin.revokeToken(issued.tokenId)).toMatchObject({ status: 'revoked' });
    expect(await rejection(bureau.listReports())).toMatchObject({ status: 401, code: 'TOKEN_REVOKED' });
    expect(await rejection(admin.revokeToken('tok_nope'))).toMatchObject({
      status: 404,
      code: 'TOKEN_NOT_FOUND',
    });
  });

  it('refuses a gateway whose certificate does not chain to the given CA', async () => {
    const c = client({ token: gw.token.member }, { caPem: gw.foreignCaPem });
    const err = await rejection(c.listReports());
    expect(err).toBeInstanceOf(GatewayClientError);
    expect(err).toMatchObject({ code: 'GATEWAY_TLS', retryable: false });
  });

  it('reports an unreachable gateway as retryable, with the key of the attempt', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const address = s.address();
        s.close(() => {
          resolve(typeof address === 'object' && address ? address.port : 0);
        });
      });
    });
    const c = client({ token: gw.token.member }, { url: `https://127.0.0.1:${port}` });
    const err = await rejection(c.submitReport(submit, { idempotencyKey: 'down-1' }));
    expect(err).toMatchObject({ code: 'GATEWAY_UNREACHABLE', retryable: true, idempotencyKey: 'down-1' });
  });

  it('refuses malformed arguments before sending anything', () => {
    const invalid = { name: 'GatewayClientError', code: 'INVALID_ARGUMENT' };
    expect(() => client({ token: gw.token.member }, { url: gw.url.replace('https', 'http') })).toThrow(
      expect.objectContaining(invalid),
    );
    expect(() => client({ token: 'not-a-token' })).toThrow(expect.objectContaining(invalid));
    expect(() => client({ certPem: gw.cert.user1.certPem, keyPem: '' })).toThrow(
      expect.objectContaining(invalid),
    );
    expect(() => client({ token: gw.token.member }, { caPem: 'nope' })).toThrow(
      expect.objectContaining(invalid),
    );
    const c = client({ token: gw.token.member });
    const calls = gw.h.ledger.calls.length;
    return Promise.all([
      expect(c.submitReport(submit, { idempotencyKey: 'bad key' })).rejects.toMatchObject(invalid),
      expect(c.listReports({ limit: 0 })).rejects.toMatchObject(invalid),
      expect(c.getReport('')).rejects.toMatchObject(invalid),
    ]).then(() => {
      expect(gw.h.ledger.calls.length).toBe(calls);
    });
  });
});
