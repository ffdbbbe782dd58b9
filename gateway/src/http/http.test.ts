import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { VALID_REPORTS } from '../schemas/testing/examples.js';
import { USCC } from '../services/testing/harness.js';
import { derOf, officer, testOrg } from '../../../test/gateway/support/pki.js';
import { ERROR_CATALOGUE } from './errors.js';
import { appHarness, type AppHarness } from './testing/app-harness.js';

let h: AppHarness;
afterEach(async () => {
  await (h as AppHarness | undefined)?.gateway.app.close();
  h = undefined as unknown as AppHarness;
});

const submitBody = (over: Record<string, unknown> = {}) => ({
  category: 'basic',
  schemaVersion: '1.0',
  uscc: USCC,
  payload: VALID_REPORTS.basic,
  ...over,
});

interface Req {
  method?: 'GET' | 'POST';
  url: string;
  body?: unknown;
  raw?: string;
  token?: string | null;
  key?: string | null;
  headers?: Record<string, string>;
}

async function call(req: Req): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...req.headers };
  const token = req.token === undefined ? h.token.member : req.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (req.key !== null && (req.method ?? 'GET') === 'POST')
    headers['idempotency-key'] = req.key ?? `k-${Math.random().toString(36).slice(2)}`;
  if (req.raw !== undefined) headers['content-type'] ??= 'application/json';
  return h.gateway.app.inject({
    method: req.method ?? 'GET',
    url: req.url,
    headers,
    ...(req.raw !== undefined
      ? { payload: req.raw }
      : req.body !== undefined
        ? { payload: req.body as object }
        : {}),
  });
}

function problem(res: LightMyRequestResponse): { status: number; code: string } {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<{ status: number; code: string; type: string; instance: string }>();
  expect(body.status).toBe(res.statusCode);
  expect(body.type).toBe(`urn:creditchain:problem:${body.code}`);
  expect(body.instance).toMatch(/^urn:creditchain:request:/);
  return { status: res.statusCode, code: body.code };
}

async function nothingChanged(): Promise<void> {
  expect((await h.vault.listReports({ limit: 10 })).items).toEqual([]);
  expect(h.ledger.calls.filter((c) => !c.transaction.startsWith('Get'))).toEqual([]);
}

describe('operations endpoints', () => {
  it('answers liveness, readiness, metrics and the OpenAPI description', async () => {
    h = await appHarness();
    expect((await call({ url: '/healthz', token: null })).json()).toEqual({ status: 'ok' });
    expect((await call({ url: '/readyz', token: null })).json()).toEqual({ status: 'ready' });
    h.ledger.unavailable = true;
    const notReady = await call({ url: '/readyz', token: null });
    expect(problem(notReady)).toEqual({ status: 503, code: 'LEDGER_UNAVAILABLE' });
    expect(notReady.headers['retry-after']).toBe('5');
    const metrics = await call({ url: '/metrics', token: null });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain(
      'creditchain_gateway_http_requests_total{method="GET",route="/healthz",status="200"} 1',
    );
    expect(metrics.body).toContain('creditchain_gateway_problems_total{code="LEDGER_UNAVAILABLE"} 1');
    const spec = (await call({ url: '/docs/json', token: null })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/reports',
        '/v1/reports/{reportId}',
        '/v1/reports/{reportId}/corrections',
        '/v1/reports/{reportId}/erasure',
        '/v1/subjects',
        '/v1/subjects/lookup',
        '/v1/consents',
        '/v1/consents/{consentId}',
        '/v1/consents/{consentId}/revocation',
      ]),
    );
    const ui = await call({ url: '/docs/', token: null });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('reports over HTTP', () => {
  it('submits, replays, reads back, lists, corrects and erases', async () => {
    h = await appHarness();
    const submitted = await call({ method: 'POST', url: '/v1/reports', body: submitBody(), key: 'sub-1' });
    expect(submitted.statusCode).toBe(201);
    const { report, txId, block } = submitted.json<{
      report: { reportId: string; subjectRef: string };
      txId: string;
      block: number;
    }>();
    expect(typeof txId).toBe('string');
    expect(block).toBeGreaterThan(0);
    const replay = await call({ method: 'POST', url: '/v1/reports', body: submitBody(), key: 'sub-1' });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(submitted.json());

    const got = await call({ url: `/v1/reports/${report.reportId}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      reportId: report.reportId,
      payload: VALID_REPORTS.basic,
      anchor: { status: 'active' },
    });
    // The response schemas serialise every field the services answer.
    expect(got.json()).toEqual(await h.reports.get({ user: 'User1', role: 'member' }, report.reportId));
    expect((await call({ url: '/v1/reports' })).json()).toEqual(
      await h.reports.list({ user: 'User1', role: 'member' }, {}),
    );
    expect(submitted.json()).toEqual({
      txId,
      block,
      report: await h.reports.get({ user: 'User1', role: 'member' }, report.reportId).then((r) => r.anchor),
    });

    const listed = await call({ url: `/v1/reports?subjectRef=${report.subjectRef}&limit=10` });
    expect(listed.json()).toEqual({
      items: [expect.objectContaining({ reportId: report.reportId, status: 'active' })],
      next: null,
    });

    const corrected = await call({
      method: 'POST',
      url: `/v1/reports/${report.reportId}/corrections`,
      body: { schemaVersion: '1.0', payload: { ...(VALID_REPORTS.basic as object), employees: 3 } },
    });
    expect(corrected.statusCode).toBe(201);
    expect(corrected.json()).toMatchObject({ report: { supersedes: report.reportId } });

    const erased = await call({
      method: 'POST',
      url: `/v1/reports/${report.reportId}/erasure`,
      body: { reason: 'SUBJECT_REQUEST' },
    });
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({
      report: { status: 'erased', erasure: { reason: 'SUBJECT_REQUEST' } },
    });
    expect(problem(await call({ url: `/v1/reports/${report.reportId}` }))).toEqual({
      status: 410,
      code: 'REPORT_ERASED',
    });
  });

  const big = 'x'.repeat(700 * 1024);
  it.each<[string, Req, number, string]>([
    [
      'malformed JSON',
      { method: 'POST', url: '/v1/reports', raw: '{"category": "basic",' },
      400,
      'MALFORMED_JSON',
    ],
    ['an empty JSON body', { method: 'POST', url: '/v1/reports', raw: '' }, 400, 'MALFORMED_JSON'],
    [
      'a prototype-poisoning body',
      { method: 'POST', url: '/v1/reports', raw: '{"__proto__": {"x": 1}}' },
      400,
      'MALFORMED_JSON',
    ],
    [
      'a non-JSON media type',
      { method: 'POST', url: '/v1/reports', raw: 'hello', headers: { 'content-type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a missing field',
      { method: 'POST', url: '/v1/reports', body: { category: 'basic', uscc: USCC, payload: {} } },
      400,
      'INVALID_REQUEST',
    ],
    [
      'an unexpected field',
      { method: 'POST', url: '/v1/reports', body: submitBody({ extra: 1 }) },
      400,
      'INVALID_REQUEST',
    ],
    [
      'a wrong field type',
      { method: 'POST', url: '/v1/reports', body: submitBody({ schemaVersion: 1 }) },
      400,
      'INVALID_REQUEST',
    ],
    [
      'an unknown category',
      { method: 'POST', url: '/v1/reports', body: submitBody({ category: 'gossip' }) },
      422,
      'UNKNOWN_CATEGORY',
    ],
    [
      'an unknown schema version',
      { method: 'POST', url: '/v1/reports', body: submitBody({ schemaVersion: '2.0' }) },
      422,
      'UNKNOWN_SCHEMA_VERSION',
    ],
    [
      'a schema violation',
      { method: 'POST', url: '/v1/reports', body: submitBody({ payload: { enterpriseName: 'x' } }) },
      422,
      'SCHEMA_VIOLATION',
    ],
    [
      'a bad USCC',
      { method: 'POST', url: '/v1/reports', body: submitBody({ uscc: '91350100M000100Y44' }) },
      422,
      'INVALID_USCC',
    ],
    [
      'an oversized body',
      { method: 'POST', url: '/v1/reports', raw: JSON.stringify(submitBody({ payload: { big } })) },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'no Idempotency-Key',
      { method: 'POST', url: '/v1/reports', body: submitBody(), key: null },
      428,
      'IDEMPOTENCY_KEY_REQUIRED',
    ],
    [
      'a malformed Idempotency-Key',
      { method: 'POST', url: '/v1/reports', body: submitBody(), key: 'a b' },
      400,
      'INVALID_REQUEST',
    ],
    ['an unknown report', { url: '/v1/reports/rpt-nothing-here' }, 404, 'REPORT_NOT_FOUND'],
    ['a malformed report id', { url: '/v1/reports/x!' }, 400, 'INVALID_REQUEST'],
    [
      'a correction of an unknown report',
      {
        method: 'POST',
        url: '/v1/reports/rpt-none/corrections',
        body: { schemaVersion: '1.0', payload: {} },
      },
      404,
      'REPORT_NOT_FOUND',
    ],
    [
      'an erasure of an unknown report',
      { method: 'POST', url: '/v1/reports/rpt-none/erasure', body: { reason: 'DATA_ERROR' } },
      404,
      'REPORT_NOT_FOUND',
    ],
    [
      'an unknown erasure reason',
      { method: 'POST', url: '/v1/reports/rpt-none/erasure', body: { reason: 'BORED' } },
      400,
      'INVALID_REQUEST',
    ],
    ['a bad limit', { url: '/v1/reports?limit=0' }, 400, 'INVALID_REQUEST'],
    ['an unknown query parameter', { url: '/v1/reports?uscc=91350100M000100Y43' }, 400, 'INVALID_REQUEST'],
    [
      'no credentials',
      { method: 'POST', url: '/v1/reports', body: submitBody(), token: null },
      401,
      'AUTH_REQUIRED',
    ],
    [
      'an unknown token',
      { method: 'POST', url: '/v1/reports', body: submitBody(), token: `cc_${'A'.repeat(43)}` },
      401,
      'TOKEN_INVALID',
    ],
    [
      'a token of the wrong form',
      { method: 'POST', url: '/v1/reports', body: submitBody(), token: 'hello' },
      401,
      'TOKEN_INVALID',
    ],
    [
      'a non-bearer Authorization header',
      {
        method: 'POST',
        url: '/v1/reports',
        body: submitBody(),
        token: null,
        headers: { authorization: 'Basic dXNlcjpwdw==' },
      },
      401,
      'TOKEN_INVALID',
    ],
    ['an unknown endpoint', { url: '/v1/nothing' }, 404, 'NOT_FOUND'],
  ])('refuses %s with the right code and changes nothing', async (_what, req, status, code) => {
    h = await appHarness({ maxReportBytes: 300 * 1024 });
    expect(problem(await call(req))).toEqual({ status, code });
    await nothingChanged();
  });

  it('refuses a report over the configured size limit with 413 and changes nothing', async () => {
    h = await appHarness({ maxReportBytes: 100 });
    expect(problem(await call({ method: 'POST', url: '/v1/reports', body: submitBody() }))).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    await nothingChanged();
  });

  it('refuses unauthenticated requests before reading their body', async () => {
    h = await appHarness();
    expect(
      problem(await call({ method: 'POST', url: '/v1/reports', raw: '{not json', token: null })),
    ).toEqual({
      status: 401,
      code: 'AUTH_REQUIRED',
    });
  });

  it('answers the schema violations by location, without values', async () => {
    h = await appHarness();
    const res = await call({
      method: 'POST',
      url: '/v1/reports',
      body: submitBody({ payload: { ...(VALID_REPORTS.basic as object), businessStatus: 'SECRET' } }),
    });
    expect(res.json()).toMatchObject({
      code: 'SCHEMA_VIOLATION',
      violations: [{ path: '$.businessStatus' }],
    });
    expect(res.body).not.toContain('SECRET');
  });

  it('refuses a reused key with another body (409), expired and revoked tokens (401)', async () => {
    h = await appHarness();
    expect(
      (await call({ method: 'POST', url: '/v1/reports', body: submitBody(), key: 'same' })).statusCode,
    ).toBe(201);
    expect(
      problem(
        await call({
          method: 'POST',
          url: '/v1/reports',
          body: submitBody({ category: 'warning', payload: VALID_REPORTS.warning }),
          key: 'same',
        }),
      ),
    ).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    const expiring = await h.tokens.issue({
      user: 'User1',
      role: 'member',
      expiresAt: new Date(h.clock.now().getTime() + 1000),
    });
    h.clock.advance(2000);
    expect(problem(await call({ url: '/v1/reports', token: expiring.token }))).toEqual({
      status: 401,
      code: 'TOKEN_EXPIRED',
    });
    const revoked = await h.tokens.issue({ user: 'User1', role: 'member' });
    await h.tokens.revoke(revoked.info.tokenId);
    expect(problem(await call({ url: '/v1/reports', token: revoked.token }))).toEqual({
      status: 401,
      code: 'TOKEN_REVOKED',
    });
  });

  it('fails closed with a retryable 503 while the ledger is down', async () => {
    h = await appHarness();
    h.ledger.unavailable = true;
    const res = await call({ method: 'POST', url: '/v1/reports', body: submitBody(), key: 'down' });
    expect(problem(res)).toEqual({ status: 503, code: 'LEDGER_UNAVAILABLE' });
    expect(res.json()).toMatchObject({ retryable: true });
    expect(res.headers['retry-after']).toBe('5');
    h.ledger.unavailable = false;
    expect(
      (await call({ method: 'POST', url: '/v1/reports', body: submitBody(), key: 'down' })).statusCode,
    ).toBe(201);
  });

  it('passes contract refusals through with their codes', async () => {
    h = await appHarness();
    const { report } = (await call({ method: 'POST', url: '/v1/reports', body: submitBody() })).json<{
      report: { reportId: string };
    }>();
    const res = await call({
      method: 'POST',
      url: `/v1/reports/${report.reportId}/erasure`,
      body: { reason: 'DATA_ERROR' },
      token: h.token.bureau,
    });
    expect(problem(res)).toEqual({ status: 403, code: 'NOT_PROVIDER' });
  });
});

describe('subjects and consents over HTTP', () => {
  it('looks up a pseudonym and refuses a bad USCC and a forged binding', async () => {
    h = await appHarness();
    const found = await call({ method: 'POST', url: '/v1/subjects/lookup', body: { uscc: USCC }, key: null });
    expect(found.json()).toEqual({
      subjectRef: expect.stringMatching(/^[0-9a-f]{64}$/),
      registered: false,
      activeSigner: null,
    });
    expect(
      problem(await call({ method: 'POST', url: '/v1/subjects/lookup', body: { uscc: 'nope' } })),
    ).toEqual({ status: 422, code: 'INVALID_USCC' });
    const forged = await call({
      method: 'POST',
      url: '/v1/subjects',
      body: { uscc: USCC, signer: `0x${'1'.repeat(40)}`, signature: `0x${'2'.repeat(130)}` },
    });
    expect(problem(forged)).toEqual({ status: 422, code: 'BAD_SIGNATURE' });
    expect(problem(await call({ url: `/v1/consents/${'a'.repeat(64)}` }))).toEqual({
      status: 404,
      code: 'CONSENT_NOT_FOUND',
    });
    expect(problem(await call({ url: '/v1/consents/xyz' }))).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
    });
  });
});

describe('authorisation matrix', () => {
  const endpoints: [string, Req][] = [
    ['submit', { method: 'POST', url: '/v1/reports', body: submitBody() }],
    ['list', { url: '/v1/reports' }],
    ['read', { url: '/v1/reports/rpt-none' }],
    [
      'correct',
      {
        method: 'POST',
        url: '/v1/reports/rpt-none/corrections',
        body: { schemaVersion: '1.0', payload: {} },
      },
    ],
    ['erase', { method: 'POST', url: '/v1/reports/rpt-none/erasure', body: { reason: 'DATA_ERROR' } }],
    ['lookup subject', { method: 'POST', url: '/v1/subjects/lookup', body: { uscc: USCC } }],
    [
      'register subject',
      { method: 'POST', url: '/v1/subjects', body: { uscc: USCC, signer: 'x', signature: 'y' } },
    ],
    ['record consent', { method: 'POST', url: '/v1/consents', body: { consent: {}, signature: 'x' } }],
    ['read consent', { url: `/v1/consents/${'a'.repeat(64)}` }],
    ['revoke consent', { method: 'POST', url: `/v1/consents/${'a'.repeat(64)}/revocation`, body: {} }],
  ];
  const allowed: Record<string, readonly string[]> = {
    member: endpoints.map(([name]) => name),
    regulator: ['lookup subject'],
    admin: [],
  };
  it.each(['member', 'regulator', 'admin'] as const)(
    'lets the %s role call exactly its endpoints',
    async (role) => {
      h = await appHarness();
      for (const [name, req] of endpoints) {
        const res = await call({ ...req, token: h.token[role] });
        const forbidden = res.statusCode === 403 && res.json<{ code: string }>().code === 'FORBIDDEN';
        expect({ name, forbidden }).toEqual({ name, forbidden: !allowed[role]?.includes(name) });
      }
    },
  );
});

describe('mutual TLS callers', () => {
  it('maps a certificate of the organisation’s CA to its user, and refuses unknown or foreign ones', async () => {
    const yangtze = await testOrg('YangtzeMSP', 'yangtze.creditchain.example');
    const pearl = await testOrg('PearlMSP', 'pearl.creditchain.example');
    h = await appHarness({
      clientCaPems: [yangtze.ca.certPem],
      clientCertificates: [{ subjectCn: 'User1@yangtze.creditchain.example', user: 'User1', role: 'member' }],
    });
    const user1 = await officer(yangtze, 'User1', 'YRD-BANK-01');
    h.peer = { authorized: true, raw: derOf(user1.identity.certPem) };
    const ok = await call({ method: 'POST', url: '/v1/reports', body: submitBody(), token: null });
    expect(ok.statusCode).toBe(201);
    expect(h.ledger.calls.at(-1)).toEqual({ user: 'User1', transaction: 'SubmitReport' });

    const stranger = await officer(yangtze, 'Stranger', 'YRD-BANK-01');
    h.peer = { authorized: true, raw: derOf(stranger.identity.certPem) };
    expect(problem(await call({ url: '/v1/reports', token: null }))).toEqual({
      status: 401,
      code: 'CERTIFICATE_UNKNOWN',
    });

    // Another organisation's CA issuing the same name: the handshake may accept it (the server trusts
    // other members' CAs for the peer API), the officer authenticator must not.
    const impostor = await officer({ ...pearl, domain: 'yangtze.creditchain.example' }, 'User1', 'X');
    h.peer = { authorized: true, raw: derOf(impostor.identity.certPem) };
    expect(problem(await call({ url: '/v1/reports', token: null }))).toEqual({
      status: 401,
      code: 'CERTIFICATE_INVALID',
    });
    h.peer = { authorized: false, raw: derOf(user1.identity.certPem) };
    expect(problem(await call({ url: '/v1/reports', token: null }))).toEqual({
      status: 401,
      code: 'CERTIFICATE_INVALID',
    });
  });
});

describe('logs', () => {
  it('never contain tokens, USCCs or report contents', async () => {
    h = await appHarness();
    await call({ method: 'POST', url: '/v1/reports', body: submitBody() });
    await call({ method: 'POST', url: '/v1/reports', body: submitBody({ uscc: `${USCC.slice(0, 17)}4` }) });
    await call({ method: 'POST', url: '/v1/reports', raw: `{"uscc": "${USCC}", ` });
    await call({ method: 'POST', url: '/v1/subjects/lookup', body: { uscc: USCC } });
    await call({ url: `/v1/reports?after=${USCC}` });
    await call({ url: `/v1/${USCC}` });
    const text = h.logs.join('');
    expect(h.logs.length).toBeGreaterThan(10);
    for (const secret of [USCC, USCC.slice(0, 17), '杭州示例科技', h.token.member.slice(3)])
      expect(text).not.toContain(secret);
    expect(text).toContain('"code":"INVALID_USCC"');
  });
});

describe('error catalogue', () => {
  it('is documented in gateway/README.md, one row per code with its status', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(readme, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${entry.status}\\s*\\|`));
    }
  });
});
