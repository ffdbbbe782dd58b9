import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../app.js';
import { DEFAULT_THRESHOLDS } from '../../audit/alerts.js';
import { AuditService } from '../../audit/audit-service.js';
import type { AuditStore } from '../../audit/audit-store.js';
import { AuditError } from '../../audit/errors.js';
import { LevelAuditStore } from '../../audit/level-audit-store.js';
import { AuditListener } from '../../audit/listener.js';
import { parseProvenanceBundle, serializeProvenanceBundle } from '../../audit/provenance/format.js';
import { scenario, type Scenario } from '../../audit/testing/scenario.js';
import { MemoryTokenStore } from '../../auth/memory-token-store.js';
import { ApiTokens } from '../../auth/tokens.js';
import { ManualClock } from '../../ports/clock.js';
import { harness } from '../../services/testing/harness.js';

const subjectKey = randomBytes(32);

let dir: string;
let store: LevelAuditStore;
let s: Scenario;
const apps: GatewayApp[] = [];

/** A gateway of `mspId` over `auditStore`, and a token per role. */
async function gatewayOf(mspId: string, auditStore: AuditStore = store) {
  const world = await harness({ mspId });
  const tokens = new ApiTokens(new MemoryTokenStore(), { now: () => world.clock.now() });
  const built = await buildApp({
    deps: { ...world.deps, subjectKey },
    tokens,
    processMetrics: false,
    audit: new AuditService({ store: auditStore, mspId, subjectKey, thresholds: DEFAULT_THRESHOLDS }),
  });
  apps.push(built);
  const issue = async (user: string, role: 'regulator' | 'member' | 'admin') =>
    (await tokens.issue({ user, role })).token;
  return {
    app: built.app,
    regulator: await issue('Regulator1', 'regulator'),
    member: await issue('User1', 'member'),
    admin: await issue('Admin', 'admin'),
  };
}

type Gateway = Awaited<ReturnType<typeof gatewayOf>>;
let regulator: Gateway;
let yangtze: Gateway;
let pearl: Gateway;

function get(gw: Gateway, reportId: string, bearer: string = gw.regulator): Promise<LightMyRequestResponse> {
  return gw.app.inject({
    method: 'GET',
    url: `/v1/audit/reports/${reportId}/provenance`,
    headers: { authorization: `Bearer ${bearer}` },
  });
}

const problem = (res: LightMyRequestResponse) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return { status: res.statusCode, code: res.json<{ code: string }>().code };
};

/** The txIds of a report's trail entries of the given kinds, in ledger order. */
async function trailTxIds(reportId: string, accept: (kind: string, msps: string[]) => boolean) {
  const service = new AuditService({
    store,
    mspId: 'RegulatorMSP',
    subjectKey,
    thresholds: DEFAULT_THRESHOLDS,
  });
  const page = await service.reportTrail({ user: 'Regulator1', role: 'regulator' }, reportId, { limit: 500 });
  const ids = page.items
    .filter((e) => accept(e.kind, [e.actor.mspId, ...e.parties.map((p) => p.mspId)]))
    .map((e) => e.txId);
  return [...new Set(ids)];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-provenance-http-'));
  store = await LevelAuditStore.open(dir);
  s = await scenario();
  const listener = new AuditListener({
    store,
    feed: { open: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() },
    clock: new ManualClock('2026-03-02T00:00:00Z'),
  });
  for (const b of s.chain.blocks) await listener.ingest(b);
  regulator = await gatewayOf('RegulatorMSP');
  yangtze = await gatewayOf('YangtzeMSP');
  pearl = await gatewayOf('PearlMSP');
});

afterAll(async () => {
  for (const a of apps) await a.app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /v1/audit/reports/{reportId}/provenance', () => {
  it('answers a regulator the bundle of every trail transaction, as a canonical JSON attachment', async () => {
    const res = await get(regulator, 'RPT-1');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="provenance-RPT-1.json"');
    expect(res.headers['x-audit-next-block']).toBe('7');
    const bundle = parseProvenanceBundle(res.rawPayload);
    // Byte for byte the canonical spelling: nothing re-serialised it on the way.
    expect(Buffer.from(serializeProvenanceBundle(bundle)).equals(res.rawPayload)).toBe(true);
    expect(bundle.reportId).toBe('RPT-1');
    expect(bundle.chaincode).toBe('credit');
    // Submission, grant, delivery and denial, and the correction that superseded it.
    expect(bundle.transactions.map((t) => t.txId)).toEqual(await trailTxIds('RPT-1', () => true));
    expect(bundle.transactions.map((t) => t.block)).toEqual([2, 3, 4, 4, 5]);
    expect(bundle.blocks.map((b) => b.number)).toEqual([2, 3, 4, 5]);
    expect(bundle.chain.map((c) => c.number)).toEqual([1]);
  });

  it('leaves out what the contract did not write to the trail: a request for a report that did not exist', async () => {
    expect(problem(await get(regulator, 'NO-SUCH-REPORT'))).toEqual({
      status: 404,
      code: 'REPORT_NOT_FOUND',
    });
    expect(problem(await get(regulator, 'RPT-404'))).toEqual({ status: 404, code: 'REPORT_NOT_FOUND' });
  });

  it('gives a member its own reports whole, and of another’s only its own requests and their deliveries', async () => {
    const own = await get(yangtze, 'RPT-1', yangtze.member);
    expect(own.statusCode).toBe(200);
    expect(parseProvenanceBundle(own.rawPayload).transactions).toHaveLength(5);

    const requested = await get(pearl, 'RPT-1', pearl.member);
    expect(requested.statusCode).toBe(200);
    const txs = parseProvenanceBundle(requested.rawPayload).transactions.map((t) => t.txId);
    expect(txs).toEqual(await trailTxIds('RPT-1', (_kind, msps) => msps.includes('PearlMSP')));
    expect(txs).toHaveLength(2); // the grant and its delivery

    // Yangtze never touched Pearl's report: not found, whether it exists or not.
    expect(problem(await get(yangtze, 'RPT-2', yangtze.member))).toEqual({
      status: 404,
      code: 'REPORT_NOT_FOUND',
    });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await regulator.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    }>();
    const op = doc.paths['/v1/audit/reports/{reportId}/provenance']?.get;
    expect(Object.keys(op?.responses ?? {})).toEqual(['200', '400', '401', '403', '404', '503']);
  });

  it('authorises like the other audit routes', async () => {
    expect(problem(await get(regulator, 'RPT-1', regulator.admin))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(problem(await get(yangtze, 'RPT-1', yangtze.regulator))).toEqual({
      status: 403,
      code: 'AUDIT_FORBIDDEN',
    });
    const anonymous = await regulator.app.inject({
      method: 'GET',
      url: '/v1/audit/reports/RPT-1/provenance',
    });
    expect(problem(anonymous)).toEqual({ status: 401, code: 'AUTH_REQUIRED' });
    expect(problem(await get(regulator, '%20bad'))).toEqual({ status: 400, code: 'INVALID_REQUEST' });
  });

  it('is unavailable, not short, while a block of the trail is missing from the read model', async () => {
    const behind = (override: Partial<AuditStore>): AuditStore =>
      new Proxy(store, {
        get(target, name, receiver) {
          if (typeof name === 'string' && name in override) return override[name as keyof AuditStore];
          const value: unknown = Reflect.get(target, name, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    const missingBlock = await gatewayOf(
      'RegulatorMSP',
      behind({
        block: (n: bigint) =>
          n === 3n ? Promise.reject(new AuditError('BLOCK_NOT_FOUND', 'gone')) : store.block(n),
      }),
    );
    const res = await get(missingBlock, 'RPT-1');
    expect(problem(res)).toEqual({ status: 503, code: 'AUDIT_UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('5');

    const checkpointBehind = await gatewayOf(
      'RegulatorMSP',
      behind({ state: async () => ({ ...(await store.state()), nextBlock: 4 }) }),
    );
    expect(problem(await get(checkpointBehind, 'RPT-1'))).toEqual({ status: 503, code: 'AUDIT_UNAVAILABLE' });
  });
});
