import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../app.js';
import { MemoryTokenStore } from '../auth/memory-token-store.js';
import { ApiTokens } from '../auth/tokens.js';
import { subjectRef } from '../crypto/pseudonym.js';
import { loggerOptions } from '../http/logging.js';
import { ManualClock } from '../ports/clock.js';
import { harness } from '../services/testing/harness.js';
import { DEFAULT_THRESHOLDS } from './alerts.js';
import { AuditService } from './audit-service.js';
import { LevelAuditStore } from './level-audit-store.js';
import { AuditListener } from './listener.js';
import { scenario, type Scenario } from './testing/scenario.js';

const USCC = '91350100M000100Y43';
const subjectKey = randomBytes(32);

let dir: string;
let store: LevelAuditStore;
let s: Scenario;
let gateway: GatewayApp;
let memberGateway: GatewayApp;
const logs: string[] = [];
const token = { regulator: '', member: '', admin: '' };
const yangtzeToken = { member: '', regulator: '' };

async function app(mspId: string): Promise<{ gateway: GatewayApp; tokens: ApiTokens }> {
  const world = await harness({ mspId });
  const tokens = new ApiTokens(new MemoryTokenStore(), { now: () => world.clock.now() });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const built = await buildApp({
    deps: { ...world.deps, subjectKey },
    tokens,
    logger: pino(loggerOptions('debug'), sink),
    processMetrics: false,
    audit: new AuditService({ store, mspId, subjectKey, thresholds: DEFAULT_THRESHOLDS }),
  });
  return { gateway: built, tokens };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-audit-http-'));
  store = await LevelAuditStore.open(dir);
  s = await scenario({ a: subjectRef(USCC, subjectKey) });
  const listener = new AuditListener({
    store,
    feed: { open: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() },
    clock: new ManualClock('2026-03-02T00:00:00Z'),
  });
  for (const b of s.chain.blocks) await listener.ingest(b);
  const regulator = await app('RegulatorMSP');
  gateway = regulator.gateway;
  token.regulator = (await regulator.tokens.issue({ user: 'Regulator1', role: 'regulator' })).token;
  token.member = (await regulator.tokens.issue({ user: 'User1', role: 'member' })).token;
  token.admin = (await regulator.tokens.issue({ user: 'Admin', role: 'admin' })).token;
  const yangtze = await app('YangtzeMSP');
  memberGateway = yangtze.gateway;
  yangtzeToken.member = (await yangtze.tokens.issue({ user: 'User1', role: 'member' })).token;
  yangtzeToken.regulator = (await yangtze.tokens.issue({ user: 'Regulator1', role: 'regulator' })).token;
});

afterAll(async () => {
  await gateway.app.close();
  await memberGateway.app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function call(
  url: string,
  bearer: string | null = token.regulator,
  options: { method?: 'GET' | 'POST'; body?: object; on?: GatewayApp } = {},
): Promise<LightMyRequestResponse> {
  return (options.on ?? gateway).app.inject({
    method: options.method ?? 'GET',
    url,
    headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
    ...(options.body === undefined ? {} : { payload: options.body }),
  });
}

const problem = (res: LightMyRequestResponse) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return { status: res.statusCode, code: res.json<{ code: string }>().code };
};

describe('/v1/audit', () => {
  it('authenticates and authorises: regulators and members, not admins', async () => {
    expect(problem(await call('/v1/audit/trail', null))).toEqual({ status: 401, code: 'AUTH_REQUIRED' });
    expect(problem(await call('/v1/audit/trail', token.admin))).toEqual({ status: 403, code: 'FORBIDDEN' });
    const all = await call('/v1/audit/trail');
    expect(all.statusCode).toBe(200);
    expect(all.json<{ items: unknown[] }>().items).toHaveLength(12);
    // A member of the regulator's own organisation sees only what concerns RegulatorMSP.
    const own = await call('/v1/audit/trail', token.member);
    expect(own.json<{ items: { kind: string }[] }>().items.map((e) => e.kind)).toEqual(['ACCESS_GRANTED']);
    // At a member's gateway the regulator role sees nothing; its members see their own organisation's.
    expect(problem(await call('/v1/audit/trail', yangtzeToken.regulator, { on: memberGateway }))).toEqual({
      status: 403,
      code: 'AUDIT_FORBIDDEN',
    });
    const yangtze = await call('/v1/audit/trail', yangtzeToken.member, { on: memberGateway });
    expect(yangtze.json<{ items: { parties: { mspId: string }[] }[] }>().items).toHaveLength(7);
  });

  it('answers every field of the entries the service returns, with the read model’s progress', async () => {
    const res = await call('/v1/audit/reports/RPT-1/trail?limit=2');
    const body = res.json<{ items: unknown[]; next: string; readModel: unknown }>();
    expect(body.items).toEqual(
      (
        await new AuditService({
          store,
          mspId: 'RegulatorMSP',
          subjectKey,
          thresholds: DEFAULT_THRESHOLDS,
        }).reportTrail({ user: 'Regulator1', role: 'regulator' }, 'RPT-1', { limit: 2 })
      ).items,
    );
    expect(body.readModel).toEqual({ nextBlock: 7, alarm: null });
    const next = await call(`/v1/audit/reports/RPT-1/trail?limit=2&after=${body.next}`);
    expect(next.json<{ items: { kind: string }[] }>().items.map((e) => e.kind)).toEqual([
      'DELIVERED',
      'ACCESS_DENIED',
    ]);
    expect(problem(await call('/v1/audit/reports/RPT-1/trail?after=Zm9v'))).toEqual({
      status: 400,
      code: 'INVALID_CURSOR',
    });
    expect(problem(await call('/v1/audit/trail?from=yesterday'))).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
    });
  });

  it('takes a USCC only in the body, and never logs it', async () => {
    const res = await call('/v1/audit/subjects/trail', token.regulator, {
      method: 'POST',
      body: { uscc: USCC, limit: 3 },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ subjectRef: string; items: unknown[]; next: string | null }>();
    expect(body.subjectRef).toBe(s.subjectA);
    expect(body.items).toHaveLength(3);
    expect(body.next).not.toBeNull();
    expect(res.body).not.toContain(USCC);
    const byRef = await call(`/v1/audit/subjects/${s.subjectA}/trail?limit=3`);
    expect(byRef.json<{ items: unknown[] }>().items).toEqual(body.items);
    expect(
      problem(
        await call('/v1/audit/subjects/trail', token.regulator, { method: 'POST', body: { uscc: '123' } }),
      ),
    ).toEqual({
      status: 422,
      code: 'INVALID_USCC',
    });
    expect(logs.join('\n')).not.toContain(USCC);
  });

  it('member trails and usage statements; members only their own', async () => {
    const pearl = await call('/v1/audit/members/PearlMSP/trail?institution=PRD-BANK-01');
    expect(pearl.json<{ items: unknown[] }>().items).toHaveLength(7);
    expect(problem(await call('/v1/audit/members/PearlMSP/trail', token.member)).code).toBe(
      'AUDIT_FORBIDDEN',
    );
    const usage = await call('/v1/audit/members/YangtzeMSP/usage?from=2026-03-01&to=2026-03-02');
    expect(usage.json()).toMatchObject({
      mspId: 'YangtzeMSP',
      receiptCount: 3,
      totals: [
        { role: 'requester', receipts: 0 },
        { role: 'provider', receipts: 3, granted: 2, denied: 1, delivered: 1, supervisory: 1 },
      ],
      readModel: { nextBlock: 7 },
    });
    const csv = await call('/v1/audit/members/YangtzeMSP/usage?from=2026-03-01&to=2026-03-02&format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="usage-YangtzeMSP-2026-03-01-2026-03-02.csv"',
    );
    expect(csv.body.split('\r\n')).toEqual([
      'member,from,to,role,counterparty,institution,category,purpose,receipts,granted,denied,delivered,supervisory',
      'YangtzeMSP,2026-03-01,2026-03-02,provider,JingJinJiMSP,YRD-BANK-01,business,loan_underwriting,1,0,1,0,0',
      'YangtzeMSP,2026-03-01,2026-03-02,provider,PearlMSP,YRD-BANK-01,business,loan_underwriting,1,1,0,1,0',
      'YangtzeMSP,2026-03-01,2026-03-02,provider,RegulatorMSP,YRD-BANK-01,business,supervision,1,1,0,0,1',
      'YangtzeMSP,2026-03-01,2026-03-02,requester,TOTAL,,,,0,0,0,0,0',
      'YangtzeMSP,2026-03-01,2026-03-02,provider,TOTAL,,,,3,2,1,1,1',
      '',
    ]);
    expect(problem(await call('/v1/audit/members/YangtzeMSP/usage?from=2026-03-01')).code).toBe(
      'INVALID_REQUEST',
    );
    expect(
      problem(await call('/v1/audit/members/YangtzeMSP/usage?from=2026-03-01&to=2026-03-02', token.member))
        .code,
    ).toBe('AUDIT_FORBIDDEN');
  });

  it('alerts with evidence, status, readiness, and the OpenAPI description', async () => {
    const alerts = await call('/v1/audit/alerts?from=2026-03-01&to=2026-03-02');
    expect(alerts.json()).toMatchObject({
      items: [
        {
          kind: 'SUPERVISORY_ACCESS',
          evidence: [{ txId: s.supervisoryReceipt, supervisory: true, block: 6 }],
        },
      ],
      next: null,
    });
    expect(problem(await call('/v1/audit/alerts?from=2026-03-01&to=2026-03-02&kind=NOPE')).code).toBe(
      'INVALID_REQUEST',
    );
    const status = await call('/v1/audit/status');
    expect(status.json()).toMatchObject({
      listener: 'absent',
      nextBlock: 7,
      alarm: null,
      counts: { blocks: 7, invalidTransactions: 1, receipts: 4 },
    });
    expect((await call('/readyz/audit', null)).json()).toEqual({ status: 'ready', nextBlock: 7 });
    const spec = (await call('/docs/json', null)).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/audit/trail',
        '/v1/audit/reports/{reportId}/trail',
        '/v1/audit/subjects/trail',
        '/v1/audit/members/{mspId}/usage',
        '/v1/audit/alerts',
        '/readyz/audit',
      ]),
    );
  });

  it('an integrity alarm shows in readiness, status and every answer', async () => {
    await store.raiseAlarm({
      code: 'DATA_HASH_MISMATCH',
      block: 7,
      reason: 'test',
      detectedAt: '2026-03-02T00:00:00.000Z',
    });
    expect(problem(await call('/readyz/audit', null))).toEqual({
      status: 503,
      code: 'AUDIT_INTEGRITY_ALARM',
    });
    expect((await call('/v1/audit/status')).json()).toMatchObject({
      alarm: { code: 'DATA_HASH_MISMATCH', block: 7 },
    });
    expect((await call('/v1/audit/trail?limit=1')).json()).toMatchObject({
      readModel: { nextBlock: 7, alarm: { code: 'DATA_HASH_MISMATCH' } },
    });
  });
});
