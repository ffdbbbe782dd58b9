import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectRef } from '../crypto/pseudonym.js';
import { ManualClock } from '../ports/clock.js';
import type { Caller } from '../services/context.js';
import { DEFAULT_THRESHOLDS } from './alerts.js';
import { AuditService } from './audit-service.js';
import { LevelAuditStore } from './level-audit-store.js';
import { AuditListener } from './listener.js';
import type { AuditEntry } from './model.js';
import { scenario, type Scenario } from './testing/scenario.js';

const USCC = '91350100M000100Y43';
const REGULATOR: Caller = { user: 'Regulator1', role: 'regulator' };
const MEMBER: Caller = { user: 'User1', role: 'member' };
const ADMIN: Caller = { user: 'Admin', role: 'admin' };
const subjectKey = randomBytes(32);

let dir: string;
let store: LevelAuditStore;
let s: Scenario;

const service = (mspId: string) =>
  new AuditService({ store, mspId, subjectKey, thresholds: DEFAULT_THRESHOLDS });

/** Every entry of a trail, page by page. */
async function all(
  read: (after: string | undefined) => Promise<{ items: readonly AuditEntry[]; next: string | null }>,
): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await read(after);
    out.push(...page.items);
    if (page.next === null) return out;
    after = page.next;
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-audit-svc-'));
  store = await LevelAuditStore.open(dir);
  s = await scenario({ a: subjectRef(USCC, subjectKey) });
  const listener = new AuditListener({
    store,
    feed: { open: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() },
    clock: new ManualClock('2026-03-02T00:00:00Z'),
  });
  for (const b of s.chain.blocks) expect(await listener.ingest(b)).toBe('indexed');
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('who sees what', () => {
  it('regulators see everything, only at a regulator organisation’s gateway', async () => {
    const trail = await service('RegulatorMSP').periodTrail(REGULATOR);
    expect(trail.items).toHaveLength(12);
    await expect(service('YangtzeMSP').periodTrail(REGULATOR)).rejects.toMatchObject({
      code: 'AUDIT_FORBIDDEN',
    });
    await expect(service('RegulatorMSP').periodTrail(ADMIN)).rejects.toMatchObject({
      code: 'AUDIT_FORBIDDEN',
    });
    await expect(service('RegulatorMSP').status(ADMIN)).rejects.toMatchObject({ code: 'AUDIT_FORBIDDEN' });
    expect((await service('RegulatorMSP').status(REGULATOR)).counts).toMatchObject({
      entries: 12,
      receipts: 4,
    });
    // Members get the channel-level counts their own peer has, nothing about others' receipts.
    expect((await service('PearlMSP').status(MEMBER)).counts).toEqual({
      blocks: 7,
      transactions: 14,
      invalidTransactions: 1,
    });
  });

  it('a member sees only entries of its own reports and requests, in every view', async () => {
    const regulator = service('RegulatorMSP');
    for (const msp of ['YangtzeMSP', 'PearlMSP', 'JingJinJiMSP']) {
      const member = service(msp);
      const involves = (e: AuditEntry) => e.parties.some((p) => p.mspId === msp) || e.actor.mspId === msp;
      const everything = (await regulator.periodTrail(REGULATOR)).items;
      const expected = everything.filter(involves);
      expect((await member.periodTrail(MEMBER)).items).toEqual(expected);
      expect((await member.memberTrail(MEMBER, msp)).items).toEqual(expected);
      for (const reportId of ['RPT-1', 'RPT-1B', 'RPT-2', 'NO-SUCH-REPORT'])
        expect((await member.reportTrail(MEMBER, reportId)).items).toEqual(
          everything.filter((e) => e.reportId === reportId && involves(e)),
        );
      expect((await member.subjectTrail(MEMBER, { subjectRef: s.subjectA })).items).toEqual(
        everything.filter((e) => e.subjectRef === s.subjectA && involves(e)),
      );
      for (const other of ['YangtzeMSP', 'PearlMSP', 'JingJinJiMSP', 'RegulatorMSP'].filter(
        (o) => o !== msp,
      )) {
        await expect(member.memberTrail(MEMBER, other)).rejects.toMatchObject({ code: 'AUDIT_FORBIDDEN' });
        await expect(member.usage(MEMBER, other, '2026-03-01', '2026-03-02')).rejects.toMatchObject({
          code: 'AUDIT_FORBIDDEN',
        });
      }
      const alerts = await member.alerts(MEMBER, { from: '2026-03-01', to: '2026-03-02' });
      for (const alert of alerts.items)
        for (const e of alert.evidence) expect([e.requester.mspId, e.provider?.mspId]).toContain(msp);
    }
    // JingJinJi sees its own denied request on Yangtze's report and nothing else about R1.
    const jjj = (await service('JingJinJiMSP').reportTrail(MEMBER, 'RPT-1')).items;
    expect(jjj.map((e) => [e.kind, e.receiptId])).toEqual([['ACCESS_DENIED', s.deniedReceipt]]);
  });

  it('a cursor cannot reach another partition', async () => {
    const pearl = service('PearlMSP');
    const page = await pearl.memberTrail(MEMBER, 'PearlMSP', { limit: 1 });
    expect(page.next).not.toBeNull();
    const forged = Buffer.from('YangtzeMSP\u00002026\u0000x').toString('base64url');
    await expect(pearl.memberTrail(MEMBER, 'PearlMSP', { after: forged })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(pearl.memberTrail(MEMBER, 'PearlMSP', { after: 'not base64!' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});

describe('trails', () => {
  it('a report’s trail, page by page, with block, time, actor and organisation', async () => {
    const regulator = service('RegulatorMSP');
    const entries = await all((after) =>
      regulator.reportTrail(REGULATOR, 'RPT-1', { limit: 2, ...(after === undefined ? {} : { after }) }),
    );
    expect(entries.map((e) => e.kind)).toEqual([
      'SUBMITTED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
      'SUPERSEDED',
    ]);
    expect(entries[0]).toMatchObject({
      block: 2,
      actor: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01' },
      subjectRef: s.subjectA,
    });
    expect(entries[3]).toMatchObject({ receiptId: s.deniedReceipt, reason: 'CONSENT_NOT_FOUND', block: 4 });
    const page = await regulator.reportTrail(REGULATOR, 'RPT-1', { limit: 5 });
    expect(page.next).toBeNull();
    expect(page.readModel).toEqual({ nextBlock: 7, alarm: null });
  });

  it('a subject’s trail from its USCC (mapped with the subject key), never echoing it', async () => {
    const trail = await service('RegulatorMSP').subjectTrail(REGULATOR, { uscc: USCC });
    expect(trail.subjectRef).toBe(s.subjectA);
    expect(trail.items.map((e) => e.kind)).toEqual([
      'SUBMITTED',
      'CONSENT_RECORDED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
      'SUPERSEDED',
      'CORRECTED',
      'ACCESS_GRANTED',
      'CONSENT_REVOKED',
    ]);
    expect(JSON.stringify(trail)).not.toContain(USCC);
    await expect(service('RegulatorMSP').subjectTrail(REGULATOR, { uscc: 'nope' })).rejects.toMatchObject({
      code: 'INVALID_USCC',
    });
  });

  it('a member institution’s trail, and a period’s', async () => {
    const regulator = service('RegulatorMSP');
    const pearlBank = await regulator.memberTrail(REGULATOR, 'PearlMSP', { institution: 'PRD-BANK-01' });
    expect(pearlBank.items.map((e) => e.kind)).toEqual([
      'SUBMITTED',
      'CONSENT_RECORDED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ERASED',
      'ACCESS_DENIED',
      'CONSENT_REVOKED',
    ]);
    expect(
      (await regulator.memberTrail(REGULATOR, 'PearlMSP', { institution: 'PRD-BUREAU-01' })).items,
    ).toEqual([]);
    const all = (await regulator.periodTrail(REGULATOR)).items;
    const middle = all[5]!.time;
    const before = await regulator.periodTrail(REGULATOR, { to: middle });
    const after = await regulator.periodTrail(REGULATOR, { from: middle });
    expect([...before.items, ...after.items]).toEqual(all);
    await expect(regulator.periodTrail(REGULATOR, { from: '2026-13-01' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});

describe('usage statements', () => {
  it('count exactly the receipts, per role, counterparty and category', async () => {
    const statement = await service('RegulatorMSP').usage(
      REGULATOR,
      'YangtzeMSP',
      '2026-03-01',
      '2026-03-02',
    );
    expect(statement.totals).toEqual([
      { role: 'requester', receipts: 0, granted: 0, denied: 0, delivered: 0, supervisory: 0 },
      { role: 'provider', receipts: 3, granted: 2, denied: 1, delivered: 1, supervisory: 1 },
    ]);
    expect(statement.receiptIds).toEqual([s.grantedReceipt, s.deniedReceipt, s.supervisoryReceipt].sort());
    expect(statement.lines).toEqual([
      expect.objectContaining({ counterparty: 'JingJinJiMSP', denied: 1, receipts: 1 }),
      expect.objectContaining({
        counterparty: 'PearlMSP',
        granted: 1,
        delivered: 1,
        purpose: 'loan_underwriting',
      }),
      expect.objectContaining({
        counterparty: 'RegulatorMSP',
        granted: 1,
        supervisory: 1,
        purpose: 'supervision',
      }),
    ]);
    const pearl = await service('PearlMSP').usage(MEMBER, 'PearlMSP', '2026-03-01', '2026-03-02');
    expect(pearl.totals[0]).toMatchObject({ role: 'requester', receipts: 2, granted: 1, denied: 1 });
    expect(pearl.receiptIds).toEqual([s.grantedReceipt, s.missingReceipt].sort());
    const none = await service('PearlMSP').usage(MEMBER, 'PearlMSP', '2026-03-02', '2026-03-03');
    expect(none.receiptCount).toBe(0);
    await expect(
      service('PearlMSP').usage(MEMBER, 'PearlMSP', '2026-03-01', '2027-03-03'),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});

describe('alerts', () => {
  it('lists supervisory accesses with their receipts as evidence', async () => {
    const alerts = await service('RegulatorMSP').alerts(REGULATOR, { from: '2026-03-01', to: '2026-03-02' });
    expect(alerts.items.map((a) => a.kind)).toEqual(['SUPERVISORY_ACCESS']);
    expect(alerts.items[0]?.evidence.map((e) => e.txId)).toEqual([s.supervisoryReceipt]);
  });

  it('applies the configured thresholds', async () => {
    const strict = new AuditService({
      store,
      mspId: 'RegulatorMSP',
      subjectKey,
      thresholds: {
        ...DEFAULT_THRESHOLDS,
        burst: { requests: 2, windowSeconds: 60 },
        denials: { count: 1, windowSeconds: 3600 },
      },
    });
    const alerts = await strict.alerts(REGULATOR, { from: '2026-03-01', to: '2026-03-02' });
    expect(alerts.items.map((a) => a.kind).sort()).toEqual([
      'REPEATED_DENIALS',
      'REPEATED_DENIALS',
      'SUPERVISORY_ACCESS',
    ]);
    const denials = alerts.items.filter((a) => a.kind === 'REPEATED_DENIALS');
    expect(denials.map((a) => [a.member.mspId, a.evidence.map((e) => e.txId)])).toEqual([
      ['JingJinJiMSP', [s.deniedReceipt]],
      ['PearlMSP', [s.missingReceipt]],
    ]);
  });
});
