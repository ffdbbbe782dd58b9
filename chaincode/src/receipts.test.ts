/**
 * Access receipts: RequestAccess (consent-based grants and every denial reason), idempotency of
 * request ids, RecordSupervisoryAccess, RecordDelivery and who may read a receipt.
 */
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  DAY,
  Enterprise,
  T0,
  grantConsent,
  hex64,
  initialisedHarness,
  ok,
  queryRefused,
  refused,
  registerEnterprise,
  requestId,
  submitReport,
  type Identities,
} from '../test/fixtures';
import type { ContractHarness, TestIdentity, TxResult } from '../test/harness/index';
import type { ConsentMessage } from './eip712';
import type { Consent, Receipt, Report, TrailEntry, TrailPage } from './model';
import type { DenialReason } from './receipts';

const REPORT = 'rep-0001';
const LOAN = 'loan_underwriting';
const HOUR = 3600;

/** A ledger with a subject, a `basic` report by BANK-A (Yangtze) and a consent for PEARL-1 (Pearl). */
interface World {
  h: ContractHarness;
  id: Identities;
  e: Enterprise;
  report: Report;
  consentId: string;
}

async function world(
  consent: Partial<ConsentMessage> = {},
  report: Parameters<typeof submitReport>[4] = {},
): Promise<World> {
  const { h, id } = await initialisedHarness();
  const e = new Enterprise();
  await registerEnterprise(h, id.bankA, e);
  const anchored = await submitReport(h, id.bankA, REPORT, e.subjectRef, report);
  const consentId = await grantConsent(h, id.pearlBank, 'PEARL-1', e, consent);
  // Later steps happen after the set-up, so trail entries sort by time.
  h.advance(60);
  return { h, id, e, report: anchored, consentId };
}

/** ISO instant with nanoseconds, as the contract writes transaction times. */
function instant(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, '.000000000Z');
}

function access(
  h: ContractHarness,
  caller: TestIdentity,
  reqId: string,
  reportId: string,
  consentId: string,
  purpose = LOAN,
): Promise<TxResult> {
  return h.submit(caller, 'RequestAccess', [reqId, reportId, consentId, purpose]);
}

function eventOf(res: TxResult): { name: string; text: string; payload: Record<string, unknown> } {
  expect(res.event, 'the transaction emitted no chaincode event').toBeDefined();
  const text = res.event!.payload.toString('utf8');
  return { name: res.event!.name, text, payload: JSON.parse(text) as Record<string, unknown> };
}

async function consentOf(w: World, consentId: string): Promise<Consent> {
  return ok<Consent>(await w.h.evaluate(w.id.regulator, 'GetConsent', [consentId]));
}

async function usesOf(w: World, consentId: string): Promise<number> {
  return (await consentOf(w, consentId)).uses;
}

async function trailOf(h: ContractHarness, caller: TestIdentity, reportId: string): Promise<TrailEntry[]> {
  return ok<TrailPage>(await h.evaluate(caller, 'GetReportTrail', [reportId, '100', ''])).records;
}

function receiptKeys(h: ContractHarness): string[] {
  return h.ledger
    .entries()
    .map(([key]) => key)
    .filter((key) => key.startsWith('\u0000receipt\u0000'));
}

function storedReceipt(h: ContractHarness, receiptId: string): Receipt {
  const entry = h.ledger.get(`\u0000receipt\u0000${receiptId}\u0000`);
  expect(entry, `receipt ${receiptId} is not stored`).toBeDefined();
  return JSON.parse(entry!.value.toString('utf8')) as Receipt;
}

/**
 * Submits a RequestAccess that must be committed as a denial with `reason`, and checks the stored
 * receipt, the event, the trail and that `watched` (a consent) was not used.
 */
async function expectDenied(
  w: World,
  caller: TestIdentity,
  args: { requestId: string; reportId: string; consentId: string; purpose?: string },
  reason: DenialReason,
  watched: string | null = args.consentId,
): Promise<Receipt> {
  const { h, id } = w;
  const usesBefore = watched === null ? null : await usesOf(w, watched);
  const keysBefore = receiptKeys(h).length;
  const purpose = args.purpose ?? LOAN;
  const res = await access(h, caller, args.requestId, args.reportId, args.consentId, purpose);
  const receipt = ok<Receipt>(res);
  expect(res.committed).toBe(true);
  expect(receipt).toMatchObject({
    receiptId: res.txId,
    requestId: args.requestId,
    reportId: args.reportId,
    consentId: args.consentId,
    purpose,
    requester: { mspId: caller.mspId },
    outcome: 'denied',
    reason,
    supervisory: false,
    caseReference: null,
    useNumber: null,
    requestedAt: instant(h.now),
    delivery: null,
  });
  // A denial is committed: the receipt is on the ledger and readable.
  expect(storedReceipt(h, receipt.receiptId)).toEqual(receipt);
  expect(ok<Receipt>(await h.evaluate(id.regulator, 'GetReceipt', [receipt.receiptId]))).toEqual(receipt);
  expect(receiptKeys(h)).toHaveLength(keysBefore + 1);
  if (watched !== null) expect(await usesOf(w, watched)).toBe(usesBefore);

  const event = eventOf(res);
  expect(event.name).toBe('AccessRecorded');
  expect(event.payload).toEqual({
    outcome: 'denied',
    providerMsp: receipt.provider?.mspId ?? null,
    reason,
    receiptId: receipt.receiptId,
    reportId: args.reportId,
    requesterMsp: caller.mspId,
    supervisory: false,
  });
  expect(event.text).not.toContain(w.e.subjectRef);

  if (receipt.provider !== null) {
    const entry = (await trailOf(h, id.regulator, args.reportId)).find((t) => t.txId === res.txId);
    expect(entry).toMatchObject({
      kind: 'ACCESS_DENIED',
      txId: res.txId,
      receiptId: receipt.receiptId,
      reason,
      purpose,
      supervisory: false,
      actor: { mspId: caller.mspId },
    });
  }
  return receipt;
}

/** Grants a request by PEARL-1 under the world's consent and returns the receipt. */
async function grant(w: World, reqId = requestId(), reportId = REPORT): Promise<Receipt> {
  const receipt = ok<Receipt>(await access(w.h, w.id.pearlBank, reqId, reportId, w.consentId));
  expect(receipt).toMatchObject({ outcome: 'granted', reason: 'CONSENT' });
  return receipt;
}

describe('RequestAccess: grants', () => {
  it('grants under a valid consent, counts the use and records receipt, trail and event', async () => {
    const w = await world();
    const { h, id, e } = w;
    const reqId = requestId();
    const at = h.now;
    const res = await access(h, id.pearlBank, reqId, REPORT, w.consentId);
    const receipt = ok<Receipt>(res);
    expect(res.committed).toBe(true);
    expect(receipt).toEqual({
      receiptId: res.txId,
      requestId: reqId,
      reportId: REPORT,
      consentId: w.consentId,
      purpose: LOAN,
      requester: { mspId: 'PearlMSP', institution: 'PEARL-1', id: expect.any(String) },
      provider: { mspId: 'YangtzeMSP', institution: 'BANK-A' },
      subjectRef: e.subjectRef,
      category: 'basic',
      outcome: 'granted',
      reason: 'CONSENT',
      supervisory: false,
      caseReference: null,
      useNumber: 1,
      requestedAt: instant(at),
      delivery: null,
    });
    // The requester recorded is the caller's own certificate identity, not a parameter.
    expect(receipt.requester.id).toContain('officer1');
    expect(storedReceipt(h, receipt.receiptId)).toEqual(receipt);
    expect(await usesOf(w, w.consentId)).toBe(1);

    const event = eventOf(res);
    expect(event.name).toBe('AccessRecorded');
    expect(event.payload).toEqual({
      outcome: 'granted',
      providerMsp: 'YangtzeMSP',
      reason: 'CONSENT',
      receiptId: receipt.receiptId,
      reportId: REPORT,
      requesterMsp: 'PearlMSP',
      supervisory: false,
    });
    expect(event.text).not.toContain(e.subjectRef);
    expect(h.ledger.events().at(-1)?.txId).toBe(res.txId);

    const trail = await trailOf(h, id.regulator, REPORT);
    expect(trail.map((t) => t.kind)).toEqual(['SUBMITTED', 'ACCESS_GRANTED']);
    expect(trail[1]).toEqual({
      reportId: REPORT,
      kind: 'ACCESS_GRANTED',
      txId: res.txId,
      timestamp: instant(at),
      actor: receipt.requester,
      receiptId: receipt.receiptId,
      relatedReportId: null,
      purpose: LOAN,
      reason: 'CONSENT',
      supervisory: false,
    });
  });

  it('numbers successive uses of a consent', async () => {
    const w = await world();
    expect((await grant(w)).useNumber).toBe(1);
    w.h.advance(HOUR);
    expect((await grant(w)).useNumber).toBe(2);
    w.h.advance(HOUR);
    // A second officer of the same grantee institution may use the consent too.
    const third = ok<Receipt>(await access(w.h, w.id.pearlBank2, requestId(), REPORT, w.consentId));
    expect(third).toMatchObject({ outcome: 'granted', useNumber: 3 });
    expect(third.requester.id).toContain('officer2');
    expect(await usesOf(w, w.consentId)).toBe(3);
  });

  it('keeps a consent valid when the key that signed it is later rotated', async () => {
    const w = await world();
    const { h, id, e } = w;
    const next = new Wallet(Wallet.createRandom().privateKey);
    ok(
      await h.submit(id.bankA, 'RotateSubjectSigner', [
        e.subjectRef,
        next.address,
        await e.rotation(e.wallet, next, e.wallet),
        await e.rotation(e.wallet, next, next),
      ]),
    );
    h.advance(HOUR);
    const receipt = await grant(w);
    expect(receipt.useNumber).toBe(1);
  });

  it('grants a warning report until the day its retention period ends', async () => {
    // eventEndDate 2021-03-03 + 5 years = 2026-03-03; T0 is 2026-03-01.
    const w = await world({}, { category: 'warning', eventEndDate: '2021-03-03' });
    expect(w.report.expiresOn).toBe('2026-03-03');
    w.h.advance(DAY + 23 * HOUR);
    expect((await grant(w)).category).toBe('warning');
  });
});

describe('RequestAccess: denials are committed receipts', () => {
  it('REPORT_NOT_FOUND', async () => {
    const w = await world();
    const r = await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: 'rep-missing', consentId: w.consentId },
      'REPORT_NOT_FOUND',
    );
    expect(r).toMatchObject({ provider: null, subjectRef: null, category: null });
  });

  it('REPORT_ERASED', async () => {
    const w = await world();
    ok(await w.h.submit(w.id.bankA, 'EraseReport', [REPORT, 'DATA_ERROR']));
    w.h.advance(HOUR);
    const r = await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'REPORT_ERASED',
    );
    expect(r).toMatchObject({
      provider: { mspId: 'YangtzeMSP', institution: 'BANK-A' },
      subjectRef: w.e.subjectRef,
      category: 'basic',
    });
  });

  it('REPORT_SUPERSEDED', async () => {
    const w = await world();
    await submitReport(w.h, w.id.bankA, 'rep-0002', w.e.subjectRef, { supersedes: REPORT });
    w.h.advance(HOUR);
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'REPORT_SUPERSEDED',
    );
    // The correction itself is granted under the same consent.
    w.h.advance(HOUR);
    expect((await grant(w, requestId(), 'rep-0002')).useNumber).toBe(1);
  });

  it('RETENTION_EXPIRED once eventEndDate + retention years is reached', async () => {
    const w = await world({}, { category: 'warning', eventEndDate: '2021-03-03' });
    w.h.advance(2 * DAY); // 2026-03-03T00:00:00Z
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'RETENTION_EXPIRED',
    );
  });

  it('CONSENT_NOT_FOUND', async () => {
    const w = await world();
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: hex64() },
      'CONSENT_NOT_FOUND',
      w.consentId,
    );
  });

  it('CONSENT_SUBJECT_MISMATCH: the consent is by another subject', async () => {
    const w = await world();
    const other = new Enterprise();
    await registerEnterprise(w.h, w.id.bankA, other);
    const otherConsent = await grantConsent(w.h, w.id.pearlBank, 'PEARL-1', other);
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: otherConsent },
      'CONSENT_SUBJECT_MISMATCH',
    );
  });

  it('CONSENT_GRANTEE_MISMATCH: another institution of the grantee MSP', async () => {
    const w = await world();
    const bankAConsent = await grantConsent(w.h, w.id.bankA, 'BANK-A', w.e);
    await expectDenied(
      w,
      w.id.bankB,
      { requestId: requestId(), reportId: REPORT, consentId: bankAConsent },
      'CONSENT_GRANTEE_MISMATCH',
    );
  });

  it('CONSENT_GRANTEE_MISMATCH: another MSP', async () => {
    const w = await world();
    await expectDenied(
      w,
      w.id.jjjBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'CONSENT_GRANTEE_MISMATCH',
    );
  });

  it('CONSENT_REVOKED by the subject', async () => {
    const w = await world();
    const revoked = ok<Consent>(
      await w.h.submit(w.id.jjjBank, 'RevokeConsent', [w.consentId, await w.e.revocation(w.consentId)]),
    );
    expect(revoked.revocation?.by).toBe('subject');
    w.h.advance(HOUR);
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'CONSENT_REVOKED',
    );
  });

  it('CONSENT_REVOKED by the grantee', async () => {
    const w = await world();
    await grant(w);
    w.h.advance(HOUR);
    const revoked = ok<Consent>(await w.h.submit(w.id.pearlBank, 'RevokeConsent', [w.consentId, '']));
    expect(revoked.revocation?.by).toBe('grantee');
    w.h.advance(HOUR);
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'CONSENT_REVOKED',
    );
    expect(await usesOf(w, w.consentId)).toBe(1);
  });

  it('SIGNER_REVOKED: the subject revoked the key that signed the consent', async () => {
    const w = await world();
    await grant(w);
    w.h.advance(HOUR);
    ok(
      await w.h.submit(w.id.bankB, 'RevokeSubjectSigner', [
        w.e.subjectRef,
        w.e.address,
        await w.e.binding('revoke'),
      ]),
    );
    w.h.advance(HOUR);
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'SIGNER_REVOKED',
    );
  });

  it('CATEGORY_NOT_CONSENTED', async () => {
    const w = await world({ categories: ['basic'] });
    await submitReport(w.h, w.id.bankA, 'rep-business', w.e.subjectRef, { category: 'business' });
    w.h.advance(60);
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: 'rep-business', consentId: w.consentId },
      'CATEGORY_NOT_CONSENTED',
    );
  });

  it('PURPOSE_NOT_CONSENTED', async () => {
    const w = await world();
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId, purpose: 'post_loan_monitoring' },
      'PURPOSE_NOT_CONSENTED',
    );
  });

  it('CONSENT_NOT_YET_VALID before notBefore, granted from notBefore', async () => {
    const w = await world({ notBefore: T0 + DAY });
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'CONSENT_NOT_YET_VALID',
    );
    w.h.now = T0 + DAY;
    expect((await grant(w)).useNumber).toBe(1);
  });

  it('CONSENT_EXPIRED from notAfter on', async () => {
    const w = await world({ notAfter: T0 + 2 * DAY });
    w.h.now = T0 + 2 * DAY - 1;
    expect((await grant(w)).useNumber).toBe(1);
    w.h.now = T0 + 2 * DAY;
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'CONSENT_EXPIRED',
    );
  });

  it('CONSENT_EXHAUSTED after maxUses grants', async () => {
    const w = await world({ maxUses: 2 });
    expect((await grant(w)).useNumber).toBe(1);
    w.h.advance(HOUR);
    expect((await grant(w)).useNumber).toBe(2);
    w.h.advance(HOUR);
    await expectDenied(
      w,
      w.id.pearlBank,
      { requestId: requestId(), reportId: REPORT, consentId: w.consentId },
      'CONSENT_EXHAUSTED',
    );
    expect(await usesOf(w, w.consentId)).toBe(2);
  });
});

describe('RequestAccess: refusals change nothing', () => {
  it('refuses an unknown purpose with UNKNOWN_PURPOSE', async () => {
    const w = await world();
    await refused(
      w.h,
      w.id.pearlBank,
      'RequestAccess',
      [requestId(), REPORT, w.consentId, 'marketing'],
      'UNKNOWN_PURPOSE',
    );
  });

  it('refuses a supervisory purpose from a member with PURPOSE_FORBIDDEN', async () => {
    const w = await world();
    await refused(
      w.h,
      w.id.pearlBank,
      'RequestAccess',
      [requestId(), REPORT, w.consentId, 'supervision'],
      'PURPOSE_FORBIDDEN',
    );
  });

  it('refuses malformed arguments with INVALID_ARGUMENT', async () => {
    const w = await world();
    const good = [requestId(), REPORT, w.consentId, LOAN];
    const bad: Array<[number, string]> = [
      [0, ''],
      [0, 'short'],
      [0, 'req with spaces'],
      [0, `-${'a'.repeat(10)}`],
      [0, 'r'.repeat(129)],
      [1, ''],
      [1, 'r/1'],
      [2, ''],
      [2, w.consentId.toUpperCase()],
      [2, w.consentId.slice(1)],
      [3, ''],
      [3, 'Loan_Underwriting'],
    ];
    for (const [index, value] of bad) {
      const args = [...good];
      args[index] = value;
      await refused(w.h, w.id.pearlBank, 'RequestAccess', args, 'INVALID_ARGUMENT');
    }
  });

  it('refuses callers without the member role with ROLE_FORBIDDEN', async () => {
    const w = await world();
    for (const caller of [
      w.id.regulator,
      w.id.yangtzeAdmin,
      w.id.pearlAdmin,
      w.id.noRole,
      w.id.fakeRegulator,
    ]) {
      await refused(w.h, caller, 'RequestAccess', [requestId(), REPORT, w.consentId, LOAN], 'ROLE_FORBIDDEN');
    }
  });

  it('refuses members of unknown or non-member MSPs with ORG_FORBIDDEN', async () => {
    const w = await world();
    for (const caller of [w.id.outsider, w.id.regulatorAsMember]) {
      await refused(w.h, caller, 'RequestAccess', [requestId(), REPORT, w.consentId, LOAN], 'ORG_FORBIDDEN');
    }
  });

  it('refuses a member certificate without institution with IDENTITY_INCOMPLETE', async () => {
    const w = await world();
    await refused(
      w.h,
      w.id.noInstitution,
      'RequestAccess',
      [requestId(), REPORT, w.consentId, LOAN],
      'IDENTITY_INCOMPLETE',
    );
  });
});

describe('RequestAccess: idempotency of request ids', () => {
  it('returns the same receipt for a repeated request without using the consent again', async () => {
    const w = await world();
    const { h, id } = w;
    const reqId = requestId();
    const first = ok<Receipt>(await access(h, id.pearlBank, reqId, REPORT, w.consentId));
    const keys = receiptKeys(h);
    expect(keys).toHaveLength(1);
    const trailLength = (await trailOf(h, id.regulator, REPORT)).length;

    h.advance(HOUR);
    const res = await access(h, id.pearlBank, reqId, REPORT, w.consentId);
    const again = ok<Receipt>(res);
    expect(again).toEqual(first);
    expect(again.receiptId).toBe(first.receiptId);
    expect(receiptKeys(h)).toEqual(keys);
    expect(await usesOf(w, w.consentId)).toBe(1);
    expect(storedReceipt(h, first.receiptId)).toEqual(first);
    expect(await trailOf(h, id.regulator, REPORT)).toHaveLength(trailLength);
    // The retry is still a transaction with its one event, which names no subject.
    expect(eventOf(res).text).not.toContain(w.e.subjectRef);

    // Another officer of the same institution retrying the same request gets the same receipt.
    const third = ok<Receipt>(await access(h, id.pearlBank2, reqId, REPORT, w.consentId));
    expect(third.receiptId).toBe(first.receiptId);
    expect(await usesOf(w, w.consentId)).toBe(1);
    expect(ok<Receipt>(await h.evaluate(id.pearlBank, 'GetReceiptByRequest', ['PearlMSP', reqId]))).toEqual(
      first,
    );
  });

  it('returns the same denied receipt for a repeated denied request', async () => {
    const w = await world({ notBefore: T0 + DAY });
    const reqId = requestId();
    const first = ok<Receipt>(await access(w.h, w.id.pearlBank, reqId, REPORT, w.consentId));
    expect(first).toMatchObject({ outcome: 'denied', reason: 'CONSENT_NOT_YET_VALID' });
    w.h.now = T0 + 2 * DAY;
    const again = ok<Receipt>(await access(w.h, w.id.pearlBank, reqId, REPORT, w.consentId));
    expect(again).toEqual(first);
    expect(receiptKeys(w.h)).toHaveLength(1);
    expect(await usesOf(w, w.consentId)).toBe(0);
  });

  it('refuses a reused request id with different parameters with REQUEST_CONFLICT', async () => {
    const w = await world();
    const { h, id, e } = w;
    const reqId = requestId();
    await grant(w, reqId);
    await submitReport(h, id.bankA, 'rep-0002', e.subjectRef);
    const otherConsent = await grantConsent(h, id.pearlBank, 'PEARL-1', e, {
      purpose: 'post_loan_monitoring',
    });
    h.advance(HOUR);
    const variants: string[][] = [
      [reqId, 'rep-0002', w.consentId, LOAN],
      [reqId, REPORT, otherConsent, LOAN],
      [reqId, REPORT, w.consentId, 'post_loan_monitoring'],
    ];
    for (const args of variants) await refused(h, id.pearlBank, 'RequestAccess', args, 'REQUEST_CONFLICT');
    expect(await usesOf(w, w.consentId)).toBe(1);
    expect(await usesOf(w, otherConsent)).toBe(0);
  });

  it('refuses the same request id from another institution of the same MSP with REQUEST_CONFLICT', async () => {
    const w = await world();
    const { h, id, e } = w;
    const bankAConsent = await grantConsent(h, id.bankA, 'BANK-A', e);
    const bankBConsent = await grantConsent(h, id.bankB, 'BANK-B', e);
    const reqId = requestId();
    ok(await access(h, id.bankA, reqId, REPORT, bankAConsent));
    await refused(h, id.bankB, 'RequestAccess', [reqId, REPORT, bankBConsent, LOAN], 'REQUEST_CONFLICT');
    await refused(h, id.bankB, 'RequestAccess', [reqId, REPORT, bankAConsent, LOAN], 'REQUEST_CONFLICT');
  });

  it('keeps request ids of different MSPs independent', async () => {
    const w = await world();
    const { h, id, e } = w;
    const jjjConsent = await grantConsent(h, id.jjjBank, 'JJJ-1', e);
    const reqId = 'shared-request-0001';
    const pearl = ok<Receipt>(await access(h, id.pearlBank, reqId, REPORT, w.consentId));
    const jjj = ok<Receipt>(await access(h, id.jjjBank, reqId, REPORT, jjjConsent));
    expect(pearl).toMatchObject({ outcome: 'granted', requester: { mspId: 'PearlMSP' } });
    expect(jjj).toMatchObject({ outcome: 'granted', requester: { mspId: 'JingJinJiMSP' }, useNumber: 1 });
    expect(jjj.receiptId).not.toBe(pearl.receiptId);
    expect(receiptKeys(h)).toHaveLength(2);
    expect(ok<Receipt>(await h.evaluate(id.regulator, 'GetReceiptByRequest', ['PearlMSP', reqId]))).toEqual(
      pearl,
    );
    expect(
      ok<Receipt>(await h.evaluate(id.regulator, 'GetReceiptByRequest', ['JingJinJiMSP', reqId])),
    ).toEqual(jjj);
  });
});

describe('RecordSupervisoryAccess', () => {
  const CASE = 'CASE-2026/001';

  it('grants a regulator without consent, flagged supervisory', async () => {
    const w = await world();
    const { h, id, e } = w;
    const reqId = requestId();
    const at = h.now;
    const res = await h.submit(id.regulator, 'RecordSupervisoryAccess', [reqId, REPORT, 'supervision', CASE]);
    const receipt = ok<Receipt>(res);
    expect(receipt).toEqual({
      receiptId: res.txId,
      requestId: reqId,
      reportId: REPORT,
      consentId: null,
      purpose: 'supervision',
      requester: { mspId: 'RegulatorMSP', institution: null, id: expect.any(String) },
      provider: { mspId: 'YangtzeMSP', institution: 'BANK-A' },
      subjectRef: e.subjectRef,
      category: 'basic',
      outcome: 'granted',
      reason: 'SUPERVISORY',
      supervisory: true,
      caseReference: CASE,
      useNumber: null,
      requestedAt: instant(at),
      delivery: null,
    });
    expect(storedReceipt(h, receipt.receiptId)).toEqual(receipt);
    expect(await usesOf(w, w.consentId)).toBe(0);
    const event = eventOf(res);
    expect(event.name).toBe('AccessRecorded');
    expect(event.payload).toEqual({
      outcome: 'granted',
      providerMsp: 'YangtzeMSP',
      reason: 'SUPERVISORY',
      receiptId: receipt.receiptId,
      reportId: REPORT,
      requesterMsp: 'RegulatorMSP',
      supervisory: true,
    });
    expect(event.text).not.toContain(e.subjectRef);
    expect((await trailOf(h, id.bankA, REPORT)).at(-1)).toMatchObject({
      kind: 'ACCESS_GRANTED',
      receiptId: receipt.receiptId,
      purpose: 'supervision',
      reason: 'SUPERVISORY',
      supervisory: true,
      actor: { mspId: 'RegulatorMSP' },
    });

    // A retry returns the same receipt; the same id for another case conflicts.
    h.advance(HOUR);
    expect(
      ok<Receipt>(
        await h.submit(id.regulator, 'RecordSupervisoryAccess', [reqId, REPORT, 'supervision', CASE]),
      ),
    ).toEqual(receipt);
    expect(receiptKeys(h)).toHaveLength(1);
    await refused(
      h,
      id.regulator,
      'RecordSupervisoryAccess',
      [reqId, REPORT, 'supervision', 'CASE-2026/002'],
      'REQUEST_CONFLICT',
    );
  });

  it('denies supervisory access to an erased report with REPORT_ERASED', async () => {
    const w = await world();
    ok(await w.h.submit(w.id.bankA, 'EraseReport', [REPORT, 'LEGAL_ORDER']));
    w.h.advance(HOUR);
    const res = await w.h.submit(w.id.regulator, 'RecordSupervisoryAccess', [
      requestId(),
      REPORT,
      'supervision',
      CASE,
    ]);
    const receipt = ok<Receipt>(res);
    expect(res.committed).toBe(true);
    expect(receipt).toMatchObject({ outcome: 'denied', reason: 'REPORT_ERASED', supervisory: true });
    expect(storedReceipt(w.h, receipt.receiptId)).toEqual(receipt);
    expect((await trailOf(w.h, w.id.regulator, REPORT)).at(-1)).toMatchObject({
      kind: 'ACCESS_DENIED',
      reason: 'REPORT_ERASED',
      supervisory: true,
    });
  });

  it('refuses a non-supervisory purpose with PURPOSE_FORBIDDEN and an unknown one with UNKNOWN_PURPOSE', async () => {
    const w = await world();
    await refused(
      w.h,
      w.id.regulator,
      'RecordSupervisoryAccess',
      [requestId(), REPORT, LOAN, CASE],
      'PURPOSE_FORBIDDEN',
    );
    await refused(
      w.h,
      w.id.regulator,
      'RecordSupervisoryAccess',
      [requestId(), REPORT, 'audit', CASE],
      'UNKNOWN_PURPOSE',
    );
  });

  it('refuses non-regulators', async () => {
    const w = await world();
    const args = (): string[] => [requestId(), REPORT, 'supervision', CASE];
    for (const caller of [
      w.id.pearlBank,
      w.id.bankA,
      w.id.regulatorAdmin,
      w.id.regulatorAsMember,
      w.id.noRole,
    ]) {
      await refused(w.h, caller, 'RecordSupervisoryAccess', args(), 'ROLE_FORBIDDEN');
    }
    // A member MSP's certificate claiming the regulator role.
    await refused(w.h, w.id.fakeRegulator, 'RecordSupervisoryAccess', args(), 'ORG_FORBIDDEN');
  });

  it('refuses malformed arguments with INVALID_ARGUMENT', async () => {
    const w = await world();
    for (const args of [
      ['short', REPORT, 'supervision', CASE],
      [requestId(), '', 'supervision', CASE],
      [requestId(), REPORT, 'Supervision', CASE],
      [requestId(), REPORT, 'supervision', ''],
      [requestId(), REPORT, 'supervision', 'case with spaces'],
    ]) {
      await refused(w.h, w.id.regulator, 'RecordSupervisoryAccess', args, 'INVALID_ARGUMENT');
    }
  });
});

describe('RecordDelivery', () => {
  async function granted(): Promise<World & { receipt: Receipt }> {
    const w = await world();
    const receipt = await grant(w);
    w.h.advance(HOUR);
    return { ...w, receipt };
  }

  function deliveryArgs(r: Receipt): string[] {
    return [r.receiptId, r.reportId, r.requester.mspId, r.requestId];
  }

  it("records the provider's delivery once, with trail entry and event", async () => {
    const w = await granted();
    const { h, id, receipt } = w;
    const at = h.now;
    expect(instant(at)).not.toBe(receipt.requestedAt);
    const res = await h.submit(id.bankA, 'RecordDelivery', deliveryArgs(receipt));
    const delivered = ok<Receipt>(res);
    expect(delivered).toEqual({
      ...receipt,
      delivery: {
        at: instant(at),
        tx: res.txId,
        by: { mspId: 'YangtzeMSP', institution: 'BANK-A', id: expect.any(String) },
      },
    });
    expect(storedReceipt(h, receipt.receiptId)).toEqual(delivered);
    expect(ok<Receipt>(await h.evaluate(id.pearlBank, 'GetReceipt', [receipt.receiptId]))).toEqual(delivered);
    const event = eventOf(res);
    expect(event.name).toBe('DeliveryRecorded');
    expect(event.payload).toEqual({
      providerMsp: 'YangtzeMSP',
      receiptId: receipt.receiptId,
      reportId: REPORT,
      requesterMsp: 'PearlMSP',
    });
    expect(event.text).not.toContain(w.e.subjectRef);
    expect((await trailOf(h, id.regulator, REPORT)).at(-1)).toEqual({
      reportId: REPORT,
      kind: 'DELIVERED',
      txId: res.txId,
      timestamp: instant(at),
      actor: delivered.delivery?.by,
      receiptId: receipt.receiptId,
      relatedReportId: null,
      purpose: LOAN,
      reason: null,
      supervisory: false,
    });

    h.advance(HOUR);
    await refused(h, id.bankA, 'RecordDelivery', deliveryArgs(receipt), 'RECEIPT_ALREADY_DELIVERED');
  });

  it("records delivery of a supervisory receipt by the provider's organisation", async () => {
    const w = await world();
    const receipt = ok<Receipt>(
      await w.h.submit(w.id.regulator, 'RecordSupervisoryAccess', [
        requestId(),
        REPORT,
        'supervision',
        'CASE-1',
      ]),
    );
    w.h.advance(60);
    const delivered = ok<Receipt>(await w.h.submit(w.id.bankA, 'RecordDelivery', deliveryArgs(receipt)));
    expect(delivered.delivery).not.toBeNull();
    expect((await trailOf(w.h, w.id.regulator, REPORT)).at(-1)).toMatchObject({
      kind: 'DELIVERED',
      supervisory: true,
    });
  });

  it('refuses to deliver a denied receipt with RECEIPT_NOT_GRANTED', async () => {
    const w = await world();
    const denied = ok<Receipt>(
      await access(w.h, w.id.pearlBank, requestId(), REPORT, w.consentId, 'guarantee_review'),
    );
    expect(denied.outcome).toBe('denied');
    await refused(w.h, w.id.bankA, 'RecordDelivery', deliveryArgs(denied), 'RECEIPT_NOT_GRANTED');
  });

  it('refuses a mismatching report, requester or request id with RECEIPT_MISMATCH', async () => {
    const w = await granted();
    const { h, id, receipt, e } = w;
    await submitReport(h, id.bankA, 'rep-0002', e.subjectRef);
    for (const args of [
      [receipt.receiptId, 'rep-0002', 'PearlMSP', receipt.requestId],
      [receipt.receiptId, REPORT, 'JingJinJiMSP', receipt.requestId],
      [receipt.receiptId, REPORT, 'PearlMSP', requestId()],
    ]) {
      await refused(h, id.bankA, 'RecordDelivery', args, 'RECEIPT_MISMATCH');
    }
  });

  it("refuses callers outside the provider's organisation with ORG_FORBIDDEN", async () => {
    const w = await granted();
    for (const caller of [w.id.pearlBank, w.id.jjjBank, w.id.regulator, w.id.outsider]) {
      await refused(w.h, caller, 'RecordDelivery', deliveryArgs(w.receipt), 'ORG_FORBIDDEN');
    }
    await refused(w.h, w.id.noRole, 'RecordDelivery', deliveryArgs(w.receipt), 'ROLE_FORBIDDEN');
  });

  it('refuses delivery of a report erased after the grant with REPORT_ERASED', async () => {
    const w = await granted();
    ok(await w.h.submit(w.id.bankA, 'EraseReport', [REPORT, 'SUBJECT_REQUEST']));
    w.h.advance(HOUR);
    await refused(w.h, w.id.bankA, 'RecordDelivery', deliveryArgs(w.receipt), 'REPORT_ERASED');
  });

  it('refuses an unknown receipt with RECEIPT_NOT_FOUND and malformed ids with INVALID_ARGUMENT', async () => {
    const w = await granted();
    const args = deliveryArgs(w.receipt);
    await refused(w.h, w.id.bankA, 'RecordDelivery', [hex64(), ...args.slice(1)], 'RECEIPT_NOT_FOUND');
    for (const [index, value] of [
      [0, 'not-a-receipt'],
      [1, ''],
      [2, 'Pearl MSP'],
      [3, 'short'],
    ] as const) {
      const bad = [...args];
      bad[index] = value;
      await refused(w.h, w.id.bankA, 'RecordDelivery', bad, 'INVALID_ARGUMENT');
    }
  });
});

describe('GetReceipt and GetReceiptByRequest', () => {
  it('shows a receipt to the requester, the provider and regulators only', async () => {
    const w = await world();
    const { h, id } = w;
    const receipt = await grant(w);
    for (const caller of [id.pearlBank, id.pearlBank2, id.bankA, id.bankB, id.yangtzeAdmin, id.regulator]) {
      expect(ok<Receipt>(await h.evaluate(caller, 'GetReceipt', [receipt.receiptId]))).toEqual(receipt);
      expect(
        ok<Receipt>(await h.evaluate(caller, 'GetReceiptByRequest', ['PearlMSP', receipt.requestId])),
      ).toEqual(receipt);
    }
    await queryRefused(h, id.jjjBank, 'GetReceipt', [receipt.receiptId], 'ORG_FORBIDDEN');
    await queryRefused(
      h,
      id.jjjBank,
      'GetReceiptByRequest',
      ['PearlMSP', receipt.requestId],
      'ORG_FORBIDDEN',
    );
    await queryRefused(h, id.outsider, 'GetReceipt', [receipt.receiptId], 'ORG_FORBIDDEN');
    await queryRefused(h, id.noRole, 'GetReceipt', [receipt.receiptId], 'ROLE_FORBIDDEN');
  });

  it('shows a receipt for a missing report to the requester and regulators only', async () => {
    const w = await world();
    const receipt = ok<Receipt>(await access(w.h, w.id.pearlBank, requestId(), 'rep-missing', w.consentId));
    expect(receipt.provider).toBeNull();
    expect(ok<Receipt>(await w.h.evaluate(w.id.pearlBank, 'GetReceipt', [receipt.receiptId]))).toEqual(
      receipt,
    );
    expect(ok<Receipt>(await w.h.evaluate(w.id.regulator, 'GetReceipt', [receipt.receiptId]))).toEqual(
      receipt,
    );
    await queryRefused(w.h, w.id.bankA, 'GetReceipt', [receipt.receiptId], 'ORG_FORBIDDEN');
  });

  it('answers RECEIPT_NOT_FOUND for unknown receipts and requests, INVALID_ARGUMENT for bad ids', async () => {
    const w = await world();
    const receipt = await grant(w);
    await queryRefused(w.h, w.id.regulator, 'GetReceipt', [hex64()], 'RECEIPT_NOT_FOUND');
    await queryRefused(
      w.h,
      w.id.pearlBank,
      'GetReceiptByRequest',
      ['PearlMSP', requestId()],
      'RECEIPT_NOT_FOUND',
    );
    // The request id is per requester MSP.
    await queryRefused(
      w.h,
      w.id.regulator,
      'GetReceiptByRequest',
      ['JingJinJiMSP', receipt.requestId],
      'RECEIPT_NOT_FOUND',
    );
    await queryRefused(w.h, w.id.regulator, 'GetReceipt', ['xyz'], 'INVALID_ARGUMENT');
    await queryRefused(w.h, w.id.regulator, 'GetReceiptByRequest', ['PearlMSP', 'short'], 'INVALID_ARGUMENT');
    await queryRefused(
      w.h,
      w.id.regulator,
      'GetReceiptByRequest',
      ['', receipt.requestId],
      'INVALID_ARGUMENT',
    );
  });
});
