import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../app.js';
import { DEFAULT_THRESHOLDS } from '../audit/alerts.js';
import { AuditService } from '../audit/audit-service.js';
import { LevelAuditStore } from '../audit/level-audit-store.js';
import { AuditListener } from '../audit/listener.js';
import { scenario } from '../audit/testing/scenario.js';
import { MemoryTokenStore } from '../auth/memory-token-store.js';
import { ApiTokens } from '../auth/tokens.js';
import { DASHBOARD_CSP } from '../http/routes/dashboard.js';
import { ManualClock } from '../ports/clock.js';
import { harness } from '../services/testing/harness.js';
import { dashboardDir, loadDashboardAssets } from './assets.js';

const subjectKey = randomBytes(32);
const PERIOD = 'from=2026-03-01&to=2026-03-02';

let dir: string;
let store: LevelAuditStore;
const gateways: GatewayApp[] = [];
const token = { regulator: '', member: '', admin: '', yangtze: '' };

async function app(mspId: string, reachable = true): Promise<{ gateway: GatewayApp; tokens: ApiTokens }> {
  const world = await harness({ mspId });
  const tokens = new ApiTokens(new MemoryTokenStore(), { now: () => world.clock.now() });
  const ledger = Object.assign(Object.create(world.deps.ledger) as typeof world.deps.ledger, {
    reachable: () => Promise.resolve(reachable),
  });
  const gateway = await buildApp({
    deps: { ...world.deps, ledger, subjectKey, clock: new ManualClock('2026-03-02T08:00:00Z') },
    tokens,
    processMetrics: false,
    audit: new AuditService({ store, mspId, subjectKey, thresholds: DEFAULT_THRESHOLDS }),
  });
  gateways.push(gateway);
  return { gateway, tokens };
}

let regulator: GatewayApp;
let yangtze: GatewayApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-dashboard-'));
  store = await LevelAuditStore.open(dir);
  const s = await scenario();
  const listener = new AuditListener({
    store,
    feed: { open: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() },
    clock: new ManualClock('2026-03-02T00:00:00Z'),
  });
  for (const b of s.chain.blocks) await listener.ingest(b);
  const r = await app('RegulatorMSP');
  regulator = r.gateway;
  token.regulator = (await r.tokens.issue({ user: 'Regulator1', role: 'regulator' })).token;
  token.member = (await r.tokens.issue({ user: 'User1', role: 'member' })).token;
  token.admin = (await r.tokens.issue({ user: 'Admin', role: 'admin' })).token;
  const y = await app('YangtzeMSP', false);
  yangtze = y.gateway;
  token.yangtze = (await y.tokens.issue({ user: 'User1', role: 'member' })).token;
});

afterAll(async () => {
  for (const g of gateways) await g.app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, bearer?: string, on: GatewayApp = regulator): Promise<LightMyRequestResponse> =>
  on.app.inject({
    method: 'GET',
    url,
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
  });

describe('the dashboard page', () => {
  it('is served without authentication, under a strict Content-Security-Policy', async () => {
    const page = await get('/dashboard');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('<script type="module" src="/dashboard/dashboard.js"></script>');
    // Everything the page loads comes from this gateway.
    expect(page.body).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.body).not.toMatch(/\sstyle=|\son[a-z]+=/);

    const js = await get('/dashboard/dashboard.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(js.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect((await get('/dashboard/dashboard.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/dashboard/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    expect((await get('/dashboard/')).statusCode).toBe(308);
    for (const missing of ['/dashboard/nope.js', '/dashboard/..%2fapp.ts', '/dashboard/index.html'])
      expect((await get(missing)).statusCode).toBe(404);
  });

  it('finds its files beside the module (the build copies them to dist/), else in the sources', () => {
    const here = dashboardDir();
    expect(here).toBe(join(import.meta.dirname, 'public'));
    // A module with no public/ beside it, inside the repository: the sources' files.
    expect(dashboardDir(join(import.meta.dirname, '..'))).toBe(here);
    expect(loadDashboardAssets(undefined)).toBeUndefined();
    expect([...(loadDashboardAssets(here) ?? new Map()).keys()].sort()).toEqual([
      'dashboard.css',
      'dashboard.js',
      'favicon.svg',
      'index.html',
    ]);
  });
});

describe('/v1/dashboard', () => {
  it('summarises a period: flows provider → requester, activity by day and category', async () => {
    expect((await get(`/v1/dashboard/summary?${PERIOD}`)).statusCode).toBe(401);
    expect((await get(`/v1/dashboard/summary?${PERIOD}`, token.admin)).statusCode).toBe(403);
    const res = await get(`/v1/dashboard/summary?${PERIOD}`, token.regulator);
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      from: '2026-03-01',
      to: '2026-03-02',
      entries: 12,
      truncated: false,
      readModel: { nextBlock: 7, alarm: null },
    });
    expect(body.flows).toEqual([
      {
        provider: 'YangtzeMSP',
        requester: 'JingJinJiMSP',
        granted: 0,
        denied: 1,
        delivered: 0,
        supervisory: 0,
      },
      { provider: 'YangtzeMSP', requester: 'PearlMSP', granted: 1, denied: 0, delivered: 1, supervisory: 0 },
      {
        provider: 'YangtzeMSP',
        requester: 'RegulatorMSP',
        granted: 1,
        denied: 0,
        delivered: 0,
        supervisory: 1,
      },
    ]);
    expect(body.byDay).toEqual([{ day: '2026-03-01', submitted: 3, granted: 2, denied: 2, delivered: 1 }]);
    expect(body.byCategory).toEqual([
      expect.objectContaining({ category: 'business' }),
      expect.objectContaining({ category: 'unknown', denied: 1 }),
    ]);
    expect(body.organisations).toContainEqual({
      mspId: 'PearlMSP',
      submitted: 1,
      provided: 0,
      received: 1,
      deniedRequests: 1,
    });
    expect(
      (await get('/v1/dashboard/summary?from=2026-03-02&to=2026-03-01', token.regulator)).json<{
        code: string;
      }>().code,
    ).toBe('INVALID_REQUEST');
    expect((await get('/v1/dashboard/summary?from=2026-03-01', token.regulator)).statusCode).toBe(400);
  });

  it('shows members only what concerns their organisation', async () => {
    const res = await get(`/v1/dashboard/summary?${PERIOD}`, token.yangtze, yangtze);
    const body = res.json<{ flows: { requester: string }[]; organisations: { mspId: string }[] }>();
    expect(body.flows.map((f) => f.requester)).toEqual(['JingJinJiMSP', 'PearlMSP', 'RegulatorMSP']);
    const own = await get(`/v1/dashboard/summary?${PERIOD}`, token.member);
    expect(own.json<{ flows: unknown[] }>().flows).toEqual([
      {
        provider: 'YangtzeMSP',
        requester: 'RegulatorMSP',
        granted: 1,
        denied: 0,
        delivered: 0,
        supervisory: 1,
      },
    ]);
  });

  it('reports ledger health: verified blocks, last verified block, this gateway’s peer', async () => {
    const res = await get('/v1/dashboard/health', token.regulator);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      mspId: 'RegulatorMSP',
      checkedAt: '2026-03-02T08:00:00.000Z',
      readModel: {
        listener: 'absent',
        lastError: null,
        verifiedBlocks: 7,
        lastVerifiedBlock: 6,
        lastBlockHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        alarm: null,
        counts: expect.objectContaining({ blocks: 7 }),
      },
      peers: [
        {
          mspId: 'RegulatorMSP',
          role: 'own',
          reachable: true,
          height: 7,
          heightSource: 'blocks delivered before the read model stopped following (absent)',
        },
      ],
    });
    const member = await get('/v1/dashboard/health', token.yangtze, yangtze);
    expect(member.json()).toMatchObject({ mspId: 'YangtzeMSP', peers: [{ reachable: false }] });
    expect((await get('/v1/dashboard/health', token.admin)).statusCode).toBe(403);
  });
});
