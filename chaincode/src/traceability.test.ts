/**
 * Traceability: report trails (GetReportTrail), receipt listings (ListReceipts), usage statements
 * (GetUsageStatement) and the one-event-per-transaction rule over a whole scenario.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DAY,
  Enterprise,
  T0,
  grantConsent,
  initialisedHarness,
  ok,
  queryRefused,
  refused,
  registerEnterprise,
  reportArgs,
  requestId,
  submitReport,
  type Identities,
} from '../test/fixtures';
import type { ContractHarness, TestIdentity, TxResult } from '../test/harness/index';
import type { Receipt, TrailEntry, UsageLine, UsageStatement, UsageTotals } from './model';

const HOUR = 3600;
const LOAN = 'loan_underwriting';
const MONITORING = 'post_loan_monitoring';

/** ISO instant with nanoseconds, as the contract writes transaction times. */
function instant(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, '.000000000Z');
}

/** `YYYY-MM-DD` of day `d` after T0 (2026-03-01). */
function dayOf(d: number): string {
  return new Date((T0 + d * DAY) * 1000).toISOString().slice(0, 10);
}

/** Follows bookmarks to the end, returning every record and the size of each page. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- caller-asserted record type
async function allPages<T>(
  h: ContractHarness,
  caller: TestIdentity,
  fn: string,
  args: (bookmark: string) => string[],
  pageSize: number,
): Promise<{ records: T[]; sizes: number[] }> {
  const records: T[] = [];
  const sizes: number[] = [];
  let bookmark = '';
  for (let i = 0; i < 200; i++) {
    const res = await h.evaluate(caller, fn, args(bookmark));
    const page = ok<{ records: T[]; bookmark: string }>(res);
    expect(page.records.length).toBeLessThanOrEqual(pageSize);
    records.push(...page.records);
    sizes.push(page.records.length);
    if (page.bookmark === '') return { records, sizes };
    expect(page.bookmark).not.toBe(bookmark);
    bookmark = page.bookmark;
  }
  throw new Error(`${fn} pagination did not end`);
}

function trail(
  h: ContractHarness,
  caller: TestIdentity,
  reportId: string,
  pageSize = 100,
): Promise<{ records: TrailEntry[]; sizes: number[] }> {
  return allPages<TrailEntry>(
    h,
    caller,
    'GetReportTrail',
    (bookmark) => [reportId, String(pageSize), bookmark],
    pageSize,
  );
}

type Filter = Record<'by' | 'value' | 'from' | 'to', string>;

function filter(by: string, value = '', from = '', to = ''): Filter {
  return { by, value, from, to };
}

async function listed(
  h: ContractHarness,
  caller: TestIdentity,
  f: Filter,
  pageSize = 100,
): Promise<Receipt[]> {
  const { records } = await allPages<Receipt>(
    h,
    caller,
    'ListReceipts',
    (bookmark) => [JSON.stringify(f), String(pageSize), bookmark],
    pageSize,
  );
  return records;
}

describe('GetReportTrail', () => {
  interface Expected {
    kind: string;
    txId: string;
    timestamp: string;
    actorMsp: string;
    receiptId: string | null;
    relatedReportId: string | null;
  }
  let h: ContractHarness;
  let id: Identities;
  const rep1: Expected[] = [];
  const rep2: Expected[] = [];

  /** Runs a step at the next hour and returns its result. */
  async function step(
    caller: TestIdentity,
    fn: string,
    args: string[],
  ): Promise<{ res: TxResult; at: string; body: Record<string, unknown> }> {
    h.advance(HOUR);
    const at = instant(h.now);
    const res = await h.submit(caller, fn, args);
    return { res, at, body: ok(res) };
  }

  function entry(
    list: Expected[],
    kind: string,
    s: { res: TxResult; at: string },
    actorMsp: string,
    links: { receiptId?: string; relatedReportId?: string } = {},
  ): void {
    list.push({
      kind,
      txId: s.res.txId,
      timestamp: s.at,
      actorMsp,
      receiptId: links.receiptId ?? null,
      relatedReportId: links.relatedReportId ?? null,
    });
  }

  function shape(records: TrailEntry[]): Expected[] {
    return records.map((r) => ({
      kind: r.kind,
      txId: r.txId,
      timestamp: r.timestamp,
      actorMsp: r.actor.mspId,
      receiptId: r.receiptId,
      relatedReportId: r.relatedReportId,
    }));
  }

  beforeAll(async () => {
    ({ h, id } = await initialisedHarness());
    const e = new Enterprise();
    await registerEnterprise(h, id.bankA, e);
    const pearlConsent = await grantConsent(h, id.pearlBank, 'PEARL-1', e);
    const jjjConsent = await grantConsent(h, id.jjjBank, 'JJJ-1', e);

    const submitted = await step(
      id.bankA,
      'SubmitReport',
      reportArgs('rep-1', e.subjectRef, { ciphertextHash: 'a'.repeat(64), commitment: 'b'.repeat(64) }),
    );
    entry(rep1, 'SUBMITTED', submitted, 'YangtzeMSP');

    const denied = await step(id.pearlBank, 'RequestAccess', [
      requestId(),
      'rep-1',
      pearlConsent,
      MONITORING,
    ]);
    entry(rep1, 'ACCESS_DENIED', denied, 'PearlMSP', { receiptId: denied.res.txId });

    const reqId = requestId();
    const granted = await step(id.pearlBank, 'RequestAccess', [reqId, 'rep-1', pearlConsent, LOAN]);
    entry(rep1, 'ACCESS_GRANTED', granted, 'PearlMSP', { receiptId: granted.res.txId });

    const delivered = await step(id.bankA, 'RecordDelivery', [granted.res.txId, 'rep-1', 'PearlMSP', reqId]);
    entry(rep1, 'DELIVERED', delivered, 'YangtzeMSP', { receiptId: granted.res.txId });

    const jjj = await step(id.jjjBank, 'RequestAccess', [requestId(), 'rep-1', jjjConsent, LOAN]);
    entry(rep1, 'ACCESS_GRANTED', jjj, 'JingJinJiMSP', { receiptId: jjj.res.txId });

    const supervisory = await step(id.regulator, 'RecordSupervisoryAccess', [
      requestId(),
      'rep-1',
      'supervision',
      'CASE-7',
    ]);
    entry(rep1, 'ACCESS_GRANTED', supervisory, 'RegulatorMSP', { receiptId: supervisory.res.txId });

    const corrected = await step(
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', e.subjectRef, {
        ciphertextHash: 'c'.repeat(64),
        commitment: 'd'.repeat(64),
        supersedes: 'rep-1',
      }),
    );
    entry(rep1, 'SUPERSEDED', corrected, 'YangtzeMSP', { relatedReportId: 'rep-2' });
    entry(rep2, 'CORRECTED', corrected, 'YangtzeMSP', { relatedReportId: 'rep-1' });

    const stale = await step(id.pearlBank, 'RequestAccess', [requestId(), 'rep-1', pearlConsent, LOAN]);
    expect(stale.body).toMatchObject({ outcome: 'denied', reason: 'REPORT_SUPERSEDED' });
    entry(rep1, 'ACCESS_DENIED', stale, 'PearlMSP', { receiptId: stale.res.txId });

    const fresh = await step(id.pearlBank, 'RequestAccess', [requestId(), 'rep-2', pearlConsent, LOAN]);
    entry(rep2, 'ACCESS_GRANTED', fresh, 'PearlMSP', { receiptId: fresh.res.txId });

    const erased = await step(id.bankA, 'EraseReport', ['rep-2', 'DATA_ERROR']);
    entry(rep2, 'ERASED', erased, 'YangtzeMSP');
  });

  it('returns the full trail of each report in transaction order to regulators', async () => {
    const one = (await trail(h, id.regulator, 'rep-1')).records;
    expect(shape(one)).toEqual(rep1);
    expect(one.map((t) => t.kind)).toEqual([
      'SUBMITTED',
      'ACCESS_DENIED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_GRANTED',
      'ACCESS_GRANTED',
      'SUPERSEDED',
      'ACCESS_DENIED',
    ]);
    const timestamps = one.map((t) => t.timestamp);
    expect([...timestamps].sort()).toEqual(timestamps);
    expect(new Set(timestamps).size).toBe(timestamps.length);
    expect(one.every((t) => t.reportId === 'rep-1')).toBe(true);
    expect(one[1]).toMatchObject({
      purpose: MONITORING,
      reason: 'PURPOSE_NOT_CONSENTED',
      supervisory: false,
    });
    expect(one[2]).toMatchObject({ purpose: LOAN, reason: 'CONSENT', supervisory: false });
    expect(one[5]).toMatchObject({ purpose: 'supervision', reason: 'SUPERVISORY', supervisory: true });
    expect(one[7]).toMatchObject({ reason: 'REPORT_SUPERSEDED' });

    const two = (await trail(h, id.regulator, 'rep-2')).records;
    expect(shape(two)).toEqual(rep2);
    expect(two.map((t) => t.kind)).toEqual(['CORRECTED', 'ACCESS_GRANTED', 'ERASED']);
    expect(two[2]).toMatchObject({ reason: 'DATA_ERROR' });
  });

  it("shows every entry to the provider's organisation, whichever institution asks", async () => {
    for (const caller of [id.bankA, id.bankB, id.yangtzeAdmin]) {
      expect(shape((await trail(h, caller, 'rep-1')).records)).toEqual(rep1);
      expect(shape((await trail(h, caller, 'rep-2')).records)).toEqual(rep2);
    }
  });

  it('shows another member only the entries its own organisation caused', async () => {
    const pearl = (await trail(h, id.pearlBank, 'rep-1')).records;
    expect(shape(pearl)).toEqual(rep1.filter((t) => t.actorMsp === 'PearlMSP'));
    expect(pearl.map((t) => t.kind)).toEqual(['ACCESS_DENIED', 'ACCESS_GRANTED', 'ACCESS_DENIED']);
    expect(shape((await trail(h, id.pearlBank, 'rep-2')).records)).toEqual(
      rep2.filter((t) => t.actorMsp === 'PearlMSP'),
    );
    expect(shape((await trail(h, id.jjjBank, 'rep-1')).records)).toEqual(
      rep1.filter((t) => t.actorMsp === 'JingJinJiMSP'),
    );
    expect((await trail(h, id.jjjBank, 'rep-2')).records).toEqual([]);
  });

  it('pages through the trail with bookmarks, each entry once', async () => {
    const paged = await trail(h, id.regulator, 'rep-1', 3);
    expect(shape(paged.records)).toEqual(rep1);
    expect(paged.sizes.slice(0, 2)).toEqual([3, 3]);
    const single = await trail(h, id.bankB, 'rep-1', 1);
    expect(shape(single.records)).toEqual(rep1);
    const pearl = await trail(h, id.pearlBank, 'rep-1', 2);
    expect(shape(pearl.records)).toEqual(rep1.filter((t) => t.actorMsp === 'PearlMSP'));
  });

  it('refuses malformed arguments and non-participants', async () => {
    await queryRefused(h, id.regulator, 'GetReportTrail', ['', '10', ''], 'INVALID_ARGUMENT');
    await queryRefused(h, id.regulator, 'GetReportTrail', ['rep-1', '0', ''], 'INVALID_ARGUMENT');
    await queryRefused(h, id.regulator, 'GetReportTrail', ['rep-1', '101', ''], 'INVALID_ARGUMENT');
    await queryRefused(h, id.regulator, 'GetReportTrail', ['rep-1', 'ten', ''], 'INVALID_ARGUMENT');
    await queryRefused(h, id.regulator, 'GetReportTrail', ['rep-1', '10', '\n'], 'INVALID_ARGUMENT');
    await queryRefused(h, id.outsider, 'GetReportTrail', ['rep-1', '10', ''], 'ORG_FORBIDDEN');
    await queryRefused(h, id.fakeRegulator, 'GetReportTrail', ['rep-1', '10', ''], 'ORG_FORBIDDEN');
    await queryRefused(h, id.noRole, 'GetReportTrail', ['rep-1', '10', ''], 'ROLE_FORBIDDEN');
  });
});

/**
 * A scripted consortium history over five days (2026-03-01 to 2026-03-05): several providers,
 * requesters, categories and purposes; granted, denied, delivered and supervisory receipts.
 */
interface Scenario {
  h: ContractHarness;
  id: Identities;
  subjects: string[];
  e1: Enterprise;
  /** Receipts as written, by label r01..r20 in time order. */
  r: Record<string, Receipt>;
  labels: string[];
}

async function scenario(): Promise<Scenario> {
  const { h, id } = await initialisedHarness();
  const [e1, e2, e3] = [new Enterprise(), new Enterprise(), new Enterprise()];
  for (const e of [e1, e2, e3]) await registerEnterprise(h, id.bankA, e);

  // Reports: provider, subject, category.
  await submitReport(h, id.bankA, 'rA1', e1.subjectRef);
  await submitReport(h, id.bankA, 'rA2', e2.subjectRef, { category: 'business' });
  await submitReport(h, id.bankB, 'rB1', e1.subjectRef, { category: 'business' });
  await submitReport(h, id.pearlBank, 'rP1', e2.subjectRef);
  await submitReport(h, id.jjjBank, 'rJ1', e3.subjectRef);
  await submitReport(h, id.bankA, 'rW1', e3.subjectRef, { category: 'warning', eventEndDate: '2025-12-31' });

  const all = ['basic', 'business', 'warning'];
  const cP1 = await grantConsent(h, id.pearlBank, 'PEARL-1', e1, { categories: all, maxUses: 10 });
  const cP2 = await grantConsent(h, id.pearlBank, 'PEARL-1', e1, {
    categories: ['basic', 'business'],
    purpose: MONITORING,
  });
  const cJ1 = await grantConsent(h, id.jjjBank, 'JJJ-1', e2, { categories: ['basic', 'business'] });
  const cJ3 = await grantConsent(h, id.jjjBank, 'JJJ-1', e3, { categories: ['warning'] });
  const cY2 = await grantConsent(h, id.bankB, 'BANK-B', e2, { categories: ['basic'] });
  const cA3 = await grantConsent(h, id.bankA, 'BANK-A', e3, { categories: ['basic'] });
  const cB1 = await grantConsent(h, id.bankB, 'BANK-B', e1, { categories: ['basic'] });

  const r: Record<string, Receipt> = {};
  const labels: string[] = [];
  const at = (day: number, hour: number, seconds = 0): void => {
    h.now = T0 + day * DAY + hour * HOUR + seconds;
  };
  const request = async (
    label: string,
    caller: TestIdentity,
    reportId: string,
    consentId: string,
    purpose = LOAN,
  ): Promise<Receipt> => {
    const receipt = ok<Receipt>(
      await h.submit(caller, 'RequestAccess', [requestId(), reportId, consentId, purpose]),
    );
    r[label] = receipt;
    labels.push(label);
    return receipt;
  };
  const supervise = async (label: string, reportId: string): Promise<void> => {
    r[label] = ok<Receipt>(
      await h.submit(id.regulator, 'RecordSupervisoryAccess', [
        requestId(),
        reportId,
        'supervision',
        `CASE-${label}`,
      ]),
    );
    labels.push(label);
  };
  const deliver = async (label: string, provider: TestIdentity): Promise<void> => {
    const receipt = r[label]!;
    r[label] = ok<Receipt>(
      await h.submit(provider, 'RecordDelivery', [
        receipt.receiptId,
        receipt.reportId,
        receipt.requester.mspId,
        receipt.requestId,
      ]),
    );
  };
  const expectOutcome = (label: string, outcome: string, reason: string): void => {
    expect(r[label], label).toMatchObject({ outcome, reason });
  };

  // Day 0, 2026-03-01.
  at(0, 1);
  await request('r01', id.pearlBank, 'rA1', cP1);
  at(0, 2);
  await request('r02', id.jjjBank, 'rA2', cJ1);
  // Day 1, 2026-03-02.
  at(1, 1);
  await deliver('r01', id.bankA);
  at(1, 2);
  await request('r03', id.pearlBank, 'rA1', cP1);
  at(1, 3);
  await deliver('r03', id.bankA);
  at(1, 4);
  await request('r04', id.pearlBank, 'rB1', cP1);
  at(1, 5);
  await request('r05', id.pearlBank, 'rA1', cP2);
  at(1, 6);
  await request('r06', id.pearlBank, 'rB1', cP2, MONITORING);
  at(1, 7);
  await deliver('r06', id.bankB);
  // Day 2, 2026-03-03.
  at(2, 1);
  await request('r07', id.jjjBank, 'rA2', cJ1);
  at(2, 2);
  await request('r08', id.jjjBank, 'rP1', cJ1);
  at(2, 3);
  await supervise('r09', 'rA1');
  at(2, 4);
  await supervise('r10', 'rP1');
  at(2, 5);
  await deliver('r10', id.pearlBank);
  at(2, 6);
  await request('r11', id.bankB, 'rP1', cY2);
  // Day 3, 2026-03-04.
  at(3, 1);
  await deliver('r07', id.bankA);
  at(3, 2);
  await request('r12', id.bankA, 'rJ1', cA3);
  at(3, 3);
  await request('r13', id.jjjBank, 'rA1', cJ1);
  at(3, 4);
  await request('r14', id.pearlBank, 'rep-missing', cP1);
  at(3, 5);
  await request('r15', id.bankA, 'rA1', cP1);
  at(3, 6);
  await request('r16', id.jjjBank, 'rW1', cJ3);
  at(3, 7);
  await request('r17', id.bankB, 'rA1', cB1);
  at(3, 23, 3599);
  await request('r18', id.pearlBank, 'rA1', cP1);
  // Day 4, 2026-03-05.
  at(4, 0);
  await request('r19', id.pearlBank, 'rA1', cP1);
  at(4, 1);
  await supervise('r20', 'rB1');

  for (const label of [
    'r01',
    'r02',
    'r03',
    'r04',
    'r06',
    'r07',
    'r08',
    'r11',
    'r12',
    'r16',
    'r17',
    'r18',
    'r19',
  ])
    expectOutcome(label, 'granted', 'CONSENT');
  for (const label of ['r09', 'r10', 'r20']) expectOutcome(label, 'granted', 'SUPERVISORY');
  expectOutcome('r05', 'denied', 'PURPOSE_NOT_CONSENTED');
  expectOutcome('r13', 'denied', 'CONSENT_SUBJECT_MISMATCH');
  expectOutcome('r14', 'denied', 'REPORT_NOT_FOUND');
  expectOutcome('r15', 'denied', 'CONSENT_GRANTEE_MISMATCH');
  for (const label of ['r01', 'r03', 'r06', 'r07', 'r10']) expect(r[label]!.delivery, label).not.toBeNull();
  return { h, id, subjects: [e1.subjectRef, e2.subjectRef, e3.subjectRef], e1, r, labels };
}

describe('ListReceipts', () => {
  let s: Scenario;
  const idsOf = (labels: string[]): string[] => labels.map((l) => s.r[l]!.receiptId);
  const ids = (receipts: Receipt[]): string[] => receipts.map((x) => x.receiptId);

  beforeAll(async () => {
    s = await scenario();
  });

  it('lists all receipts in time order to regulators, with their current state', async () => {
    const all = await listed(s.h, s.id.regulator, filter('all'));
    expect(ids(all)).toEqual(idsOf(s.labels));
    expect(all).toEqual(s.labels.map((l) => s.r[l]));
  });

  it("lists a member's own receipts as requester", async () => {
    const pearl = ['r01', 'r03', 'r04', 'r05', 'r06', 'r14', 'r18', 'r19'];
    expect(ids(await listed(s.h, s.id.pearlBank, filter('requester', 'PearlMSP')))).toEqual(idsOf(pearl));
    expect(ids(await listed(s.h, s.id.regulator, filter('requester', 'PearlMSP')))).toEqual(idsOf(pearl));
    expect(ids(await listed(s.h, s.id.bankA, filter('requester', 'YangtzeMSP')))).toEqual(
      idsOf(['r11', 'r12', 'r15', 'r17']),
    );
    expect(ids(await listed(s.h, s.id.regulator, filter('requester', 'RegulatorMSP')))).toEqual(
      idsOf(['r09', 'r10', 'r20']),
    );
  });

  it('lists the receipts for the reports a member provided', async () => {
    expect(ids(await listed(s.h, s.id.bankB, filter('provider', 'YangtzeMSP')))).toEqual(
      idsOf([
        'r01',
        'r02',
        'r03',
        'r04',
        'r05',
        'r06',
        'r07',
        'r09',
        'r13',
        'r15',
        'r16',
        'r17',
        'r18',
        'r19',
        'r20',
      ]),
    );
    expect(ids(await listed(s.h, s.id.pearlBank, filter('provider', 'PearlMSP')))).toEqual(
      idsOf(['r08', 'r10', 'r11']),
    );
    expect(ids(await listed(s.h, s.id.jjjBank, filter('provider', 'JingJinJiMSP')))).toEqual(idsOf(['r12']));
  });

  it('filters by period [from, to) on days', async () => {
    const pearl = (from: string, to: string): Promise<Receipt[]> =>
      listed(s.h, s.id.pearlBank, filter('requester', 'PearlMSP', from, to));
    expect(ids(await pearl(dayOf(1), dayOf(4)))).toEqual(idsOf(['r03', 'r04', 'r05', 'r06', 'r14', 'r18']));
    expect(ids(await pearl(dayOf(3), dayOf(4)))).toEqual(idsOf(['r14', 'r18']));
    expect(ids(await pearl(dayOf(4), ''))).toEqual(idsOf(['r19']));
    expect(ids(await pearl('', dayOf(1)))).toEqual(idsOf(['r01']));
    expect(ids(await pearl(dayOf(5), dayOf(30)))).toEqual([]);
    expect(ids(await listed(s.h, s.id.bankA, filter('provider', 'YangtzeMSP', dayOf(2), dayOf(3))))).toEqual(
      idsOf(['r07', 'r09']),
    );
    expect(ids(await listed(s.h, s.id.regulator, filter('all', '', dayOf(1), dayOf(4))))).toEqual(
      idsOf(s.labels.filter((l) => !['r01', 'r02', 'r19', 'r20'].includes(l))),
    );
  });

  it('filters by subject, showing a member only receipts it requested or provided', async () => {
    const e1 = ['r01', 'r03', 'r04', 'r05', 'r06', 'r09', 'r13', 'r15', 'r17', 'r18', 'r19', 'r20'];
    const bySubject = filter('subject', s.e1.subjectRef);
    expect(ids(await listed(s.h, s.id.regulator, bySubject))).toEqual(idsOf(e1));
    expect(ids(await listed(s.h, s.id.bankA, bySubject))).toEqual(idsOf(e1));
    expect(ids(await listed(s.h, s.id.pearlBank, bySubject))).toEqual(
      idsOf(['r01', 'r03', 'r04', 'r05', 'r06', 'r18', 'r19']),
    );
    expect(ids(await listed(s.h, s.id.jjjBank, bySubject))).toEqual(idsOf(['r13']));
    expect(
      ids(await listed(s.h, s.id.pearlBank, filter('subject', s.e1.subjectRef, dayOf(3), dayOf(4)))),
    ).toEqual(idsOf(['r18']));
    for (const receipt of await listed(s.h, s.id.pearlBank, bySubject)) {
      expect(receipt.subjectRef).toBe(s.e1.subjectRef);
    }
  });

  it('pages with bookmarks, returning each receipt once', async () => {
    for (const size of [1, 3, 7]) {
      const all = await listed(s.h, s.id.regulator, filter('all'), size);
      expect(ids(all)).toEqual(idsOf(s.labels));
    }
    const pearl = await listed(s.h, s.id.pearlBank, filter('subject', s.e1.subjectRef), 2);
    expect(ids(pearl)).toEqual(idsOf(['r01', 'r03', 'r04', 'r05', 'r06', 'r18', 'r19']));
    const yangtze = await listed(s.h, s.id.bankA, filter('provider', 'YangtzeMSP', dayOf(1), dayOf(4)), 4);
    expect(ids(yangtze)).toEqual(
      idsOf(['r03', 'r04', 'r05', 'r06', 'r07', 'r09', 'r13', 'r15', 'r16', 'r17', 'r18']),
    );
  });

  it("refuses members listing all receipts or another organisation's", async () => {
    const list = (caller: TestIdentity, f: Filter, code: string): Promise<TxResult> =>
      queryRefused(s.h, caller, 'ListReceipts', [JSON.stringify(f), '10', ''], code);
    await list(s.id.pearlBank, filter('all'), 'ORG_FORBIDDEN');
    await list(s.id.yangtzeAdmin, filter('all'), 'ORG_FORBIDDEN');
    await list(s.id.pearlBank, filter('requester', 'JingJinJiMSP'), 'ORG_FORBIDDEN');
    await list(s.id.pearlBank, filter('provider', 'YangtzeMSP'), 'ORG_FORBIDDEN');
    await list(s.id.bankA, filter('requester', 'PearlMSP'), 'ORG_FORBIDDEN');
    await list(s.id.outsider, filter('requester', 'UnknownMSP'), 'ORG_FORBIDDEN');
    await list(s.id.fakeRegulator, filter('all'), 'ORG_FORBIDDEN');
    await list(s.id.noRole, filter('requester', 'YangtzeMSP'), 'ROLE_FORBIDDEN');
  });

  it('refuses malformed filters, page sizes and bookmarks with INVALID_ARGUMENT', async () => {
    const bad = async (text: string, pageSize = '10', bookmark = ''): Promise<void> => {
      await queryRefused(s.h, s.id.regulator, 'ListReceipts', [text, pageSize, bookmark], 'INVALID_ARGUMENT');
    };
    const text = (f: Record<string, unknown>): string => JSON.stringify(f);
    await bad(text(filter('institution', 'PearlMSP')));
    await bad(text(filter('', '')));
    await bad(text(filter('requester', 'PearlMSP', dayOf(2), dayOf(2))));
    await bad(text(filter('requester', 'PearlMSP', dayOf(3), dayOf(2))));
    await bad(text(filter('requester', 'PearlMSP', '2026-02-30', '')));
    await bad(text(filter('requester', 'PearlMSP', '', '20260305')));
    await bad(text(filter('requester', 'PearlMSP', '2026-3-1', '')));
    await bad(text(filter('all', 'PearlMSP')));
    await bad(text(filter('requester', '')));
    await bad(text(filter('requester', 'Pearl MSP')));
    await bad(text(filter('subject', 'PearlMSP')));
    await bad(text(filter('subject', s.e1.subjectRef.toUpperCase())));
    await bad(text({ by: 'all', value: '', from: '' }));
    await bad(text({ by: 'all', value: '', from: '', to: '', extra: 1 }));
    await bad(text({ by: 'all', value: null, from: '', to: '' }));
    await bad(text({ by: 'all', value: '', from: 20260301, to: '' }));
    await bad('[]');
    await bad('not json');
    await bad(text(filter('all')), '0');
    await bad(text(filter('all')), '101');
    await bad(text(filter('all')), '10', 'bad\nbookmark');
  });
});

/** A usage statement computed from receipts, independently of the contract. */
function expectedStatement(
  receipts: Receipt[],
  msp: string,
  from: string,
  to: string,
): { lines: UsageLine[]; totals: UsageTotals[]; receiptIds: string[] } {
  const inPeriod = receipts.filter((x) => {
    const day = x.requestedAt.slice(0, 10);
    return day >= from && day < to;
  });
  const lines: UsageLine[] = [];
  const totals: UsageTotals[] = [];
  const ids = new Set<string>();
  for (const role of ['requester', 'provider'] as const) {
    const mine = inPeriod.filter((x) => (role === 'requester' ? x.requester : x.provider)?.mspId === msp);
    const total: UsageTotals = { role, receipts: 0, granted: 0, denied: 0, delivered: 0, supervisory: 0 };
    for (const x of mine) {
      ids.add(x.receiptId);
      const institution = (role === 'requester' ? x.requester.institution : x.provider?.institution) ?? '-';
      const category = x.category ?? '-';
      let line = lines.find(
        (l) =>
          l.role === role &&
          l.institution === institution &&
          l.category === category &&
          l.purpose === x.purpose,
      );
      if (!line) {
        line = {
          role,
          institution,
          category,
          purpose: x.purpose,
          granted: 0,
          denied: 0,
          delivered: 0,
          supervisory: 0,
        };
        lines.push(line);
      }
      for (const target of [line, total]) {
        if (x.outcome === 'granted') target.granted += 1;
        else target.denied += 1;
        if (x.delivery !== null) target.delivered += 1;
        if (x.supervisory) target.supervisory += 1;
      }
      total.receipts += 1;
    }
    totals.push(total);
  }
  return { lines, totals, receiptIds: [...ids].sort() };
}

function lineKey(l: UsageLine): string {
  return [l.role, l.institution, l.category, l.purpose].join('|');
}

function sortLines(lines: UsageLine[]): UsageLine[] {
  return [...lines].sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : lineKey(a) > lineKey(b) ? 1 : 0));
}

describe('GetUsageStatement', () => {
  let s: Scenario;
  let receipts: Receipt[];
  const FROM = dayOf(1);
  const TO = dayOf(4);

  beforeAll(async () => {
    s = await scenario();
    receipts = await listed(s.h, s.id.regulator, filter('all'));
    expect(receipts).toHaveLength(20);
  });

  async function statement(caller: TestIdentity, msp: string, from = FROM, to = TO): Promise<UsageStatement> {
    return ok<UsageStatement>(await s.h.evaluate(caller, 'GetUsageStatement', [msp, from, to]));
  }

  it('counts exactly the receipts an organisation requested or provided in the period', async () => {
    for (const msp of ['YangtzeMSP', 'PearlMSP', 'JingJinJiMSP', 'RegulatorMSP']) {
      const got = await statement(s.id.regulator, msp);
      const want = expectedStatement(receipts, msp, FROM, TO);
      expect(got.mspId).toBe(msp);
      expect(got.from).toBe(FROM);
      expect(got.to).toBe(TO);
      expect(sortLines(got.lines), msp).toEqual(sortLines(want.lines));
      expect(got.totals, msp).toEqual(want.totals);
      expect(got.receiptIds, msp).toEqual(want.receiptIds);
      expect(got.receiptCount).toBe(want.receiptIds.length);

      // receiptIds is the set ListReceipts gives for the organisation as requester or provider.
      const asRequester = await listed(s.h, s.id.regulator, filter('requester', msp, FROM, TO));
      const asProvider = await listed(s.h, s.id.regulator, filter('provider', msp, FROM, TO));
      const union = new Set([...asRequester, ...asProvider].map((x) => x.receiptId));
      expect(got.receiptIds).toEqual([...union].sort());

      // Consistency: the lines of each role add up to its totals.
      for (const total of got.totals) {
        const lines = got.lines.filter((l) => l.role === total.role);
        const sum = (k: 'granted' | 'denied' | 'delivered' | 'supervisory'): number =>
          lines.reduce((n, l) => n + l[k], 0);
        expect(sum('granted'), `${msp} ${total.role}`).toBe(total.granted);
        expect(sum('denied')).toBe(total.denied);
        expect(sum('delivered')).toBe(total.delivered);
        expect(sum('supervisory')).toBe(total.supervisory);
        expect(total.granted + total.denied).toBe(total.receipts);
      }
    }
  });

  it('matches hand-counted totals of the scenario', async () => {
    const yangtze = await statement(s.id.bankA, 'YangtzeMSP');
    expect(yangtze.totals).toEqual([
      { role: 'requester', receipts: 4, granted: 3, denied: 1, delivered: 0, supervisory: 0 },
      { role: 'provider', receipts: 11, granted: 8, denied: 3, delivered: 3, supervisory: 1 },
    ]);
    // r15 and r17 were requested by one Yangtze institution from another: counted once.
    expect(yangtze.receiptCount).toBe(13);
    expect(yangtze.lines).toContainEqual({
      role: 'provider',
      institution: 'BANK-A',
      category: 'basic',
      purpose: LOAN,
      granted: 3,
      denied: 3,
      delivered: 1,
      supervisory: 0,
    });

    const pearl = await statement(s.id.pearlBank, 'PearlMSP');
    expect(pearl.totals).toEqual([
      { role: 'requester', receipts: 6, granted: 4, denied: 2, delivered: 2, supervisory: 0 },
      { role: 'provider', receipts: 3, granted: 3, denied: 0, delivered: 1, supervisory: 1 },
    ]);
    expect(pearl.receiptCount).toBe(9);
    // The request for a missing report has no category.
    expect(pearl.lines).toContainEqual({
      role: 'requester',
      institution: 'PEARL-1',
      category: '-',
      purpose: LOAN,
      granted: 0,
      denied: 1,
      delivered: 0,
      supervisory: 0,
    });

    const regulator = await statement(s.id.regulator, 'RegulatorMSP');
    expect(regulator.totals[0]).toEqual({
      role: 'requester',
      receipts: 2,
      granted: 2,
      denied: 0,
      delivered: 1,
      supervisory: 2,
    });
  });

  it('gives members their own statement and regulators any', async () => {
    const byRegulator = await statement(s.id.regulator, 'YangtzeMSP');
    expect(await statement(s.id.bankB, 'YangtzeMSP')).toEqual(byRegulator);
    expect(await statement(s.id.yangtzeAdmin, 'YangtzeMSP')).toEqual(byRegulator);
    expect((await statement(s.id.jjjBank, 'JingJinJiMSP')).receiptCount).toBeGreaterThan(0);
    const empty = await statement(s.id.pearlBank, 'PearlMSP', dayOf(10), dayOf(20));
    expect(empty).toEqual({
      mspId: 'PearlMSP',
      from: dayOf(10),
      to: dayOf(20),
      lines: [],
      totals: [
        { role: 'requester', receipts: 0, granted: 0, denied: 0, delivered: 0, supervisory: 0 },
        { role: 'provider', receipts: 0, granted: 0, denied: 0, delivered: 0, supervisory: 0 },
      ],
      receiptCount: 0,
      receiptIds: [],
    });
    // A period of exactly 366 days is allowed.
    expect((await statement(s.id.pearlBank, 'PearlMSP', '2026-01-01', '2027-01-02')).receiptCount).toBe(
      (await statement(s.id.pearlBank, 'PearlMSP', '2026-03-01', '2026-03-06')).receiptCount,
    );
  });

  it("refuses a member another organisation's statement and non-participants", async () => {
    await queryRefused(s.h, s.id.pearlBank, 'GetUsageStatement', ['YangtzeMSP', FROM, TO], 'ORG_FORBIDDEN');
    await queryRefused(s.h, s.id.bankA, 'GetUsageStatement', ['RegulatorMSP', FROM, TO], 'ORG_FORBIDDEN');
    await queryRefused(s.h, s.id.outsider, 'GetUsageStatement', ['UnknownMSP', FROM, TO], 'ORG_FORBIDDEN');
    await queryRefused(s.h, s.id.fakeRegulator, 'GetUsageStatement', ['PearlMSP', FROM, TO], 'ORG_FORBIDDEN');
    await queryRefused(s.h, s.id.noRole, 'GetUsageStatement', ['YangtzeMSP', FROM, TO], 'ROLE_FORBIDDEN');
  });

  it('refuses malformed periods with INVALID_ARGUMENT', async () => {
    const bad = (msp: string, from: string, to: string): Promise<TxResult> =>
      queryRefused(s.h, s.id.regulator, 'GetUsageStatement', [msp, from, to], 'INVALID_ARGUMENT');
    await bad('PearlMSP', '2026-01-01', '2027-01-03'); // 367 days
    await bad('PearlMSP', FROM, FROM);
    await bad('PearlMSP', TO, FROM);
    await bad('PearlMSP', '', TO);
    await bad('PearlMSP', FROM, '');
    await bad('PearlMSP', '2026-02-29', TO);
    await bad('PearlMSP', '2026/03/02', TO);
    await bad('', FROM, TO);
    await bad('Pearl MSP', FROM, TO);
  });
});

describe('chaincode events over a full scenario', () => {
  it('emits exactly one event per committed transaction, none naming a subject', async () => {
    const s = await scenario();
    const { h, id } = s;
    const e1 = s.e1;

    // More kinds of transaction: a repeated request, revocations, a correction, an erasure,
    // and refusals (which commit nothing).
    const first = s.r.r18!;
    ok(await h.submit(id.pearlBank, 'RequestAccess', [first.requestId, 'rA1', first.consentId!, LOAN]));
    await refused(
      h,
      id.pearlBank,
      'RequestAccess',
      [first.requestId, 'rA1', first.consentId!, MONITORING],
      'REQUEST_CONFLICT',
    );
    ok(await h.submit(id.pearlBank, 'RevokeConsent', [first.consentId!, '']));
    await submitReport(h, id.bankA, 'rA1-v2', e1.subjectRef, { supersedes: 'rA1' });
    ok(await h.submit(id.bankA, 'EraseReport', ['rA1-v2', 'SUBJECT_REQUEST']));
    ok(
      await h.submit(id.bankA, 'RevokeSubjectSigner', [
        e1.subjectRef,
        e1.address,
        await e1.binding('revoke'),
      ]),
    );
    await refused(h, id.jjjBank, 'EraseReport', ['rJ1', 'BOGUS'], 'INVALID_ARGUMENT');

    const committed = h.ledger.committedTxIds();
    const events = h.ledger.events();
    expect(committed.length).toBeGreaterThan(40);
    expect(events.map((ev) => ev.txId)).toEqual(committed);
    expect(new Set(events.map((ev) => ev.txId)).size).toBe(events.length);
    for (const ev of events) {
      expect(ev.name).toMatch(/^[A-Z][A-Za-z]+$/);
      const text = ev.payload.toString('utf8');
      expect(() => JSON.parse(text) as unknown, ev.name).not.toThrow();
      for (const subjectRef of s.subjects) {
        expect(text.toLowerCase(), ev.name).not.toContain(subjectRef);
      }
    }
    const names = new Set(events.map((ev) => ev.name));
    for (const name of [
      'AccessRecorded',
      'DeliveryRecorded',
      'ReportSubmitted',
      'ReportCorrected',
      'ReportErased',
    ]) {
      expect(names).toContain(name);
    }
  });
});
