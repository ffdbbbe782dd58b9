import { describe, expect, it } from 'vitest';
import { generateHpkeKeyPair } from '../crypto/hpke.js';
import { ciphertextHashOf } from '../crypto/payload.js';
import { LedgerError } from '../ports/ledger-error.js';
import { VALID_REPORTS } from '../schemas/testing/examples.js';
import { ReplayedRefusal, ServiceError } from './errors.js';
import { BUREAU_OFFICER, OFFICER, USCC, harness, interpose } from './testing/harness.js';

const basic = (over: Record<string, unknown> = {}) => ({
  category: 'basic',
  schemaVersion: '1.0',
  uscc: USCC,
  payload: { ...(VALID_REPORTS.basic as object), ...over },
});

async function refusal(work: Promise<unknown>): Promise<{ name: string; code: string }> {
  const err: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected a refusal');
  return { name: err.name, code: (err as unknown as { code: string }).code };
}

describe('ReportService.submit', () => {
  it('seals, stores and anchors as the acting officer, answering with the commit', async () => {
    const h = await harness();
    const { status, body, replayed } = await h.reports.submit(OFFICER, basic(), 'key-1');
    expect({ status, replayed }).toEqual({ status: 201, replayed: false });
    expect(body.report).toMatchObject({
      category: 'basic',
      schemaVersion: '1.0',
      status: 'active',
      sizeBucket: 'XS',
      provider: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01' },
      submittedBy: 'User1',
    });
    expect(body.report.reportId).toMatch(/^rpt-[0-9a-f]{32}$/);
    expect(body.report.subjectRef).toMatch(/^[0-9a-f]{64}$/);
    expect(body.block).toBeGreaterThan(0);
    expect(h.ledger.calls).toEqual([{ user: 'User1', transaction: 'SubmitReport' }]);
    const stored = await h.vault.getReport(body.report.reportId);
    expect(stored?.status).toBe('active');
    if (stored?.status !== 'active') return;
    expect(ciphertextHashOf(stored.ciphertext)).toBe(body.report.ciphertextHash);
    expect(Buffer.from(stored.ciphertext).toString()).not.toContain('杭州');
    expect(JSON.stringify(body)).not.toContain(USCC);
  });

  it('reads the report back decrypted and checked against its anchor', async () => {
    const h = await harness();
    const { body } = await h.reports.submit(OFFICER, basic(), 'key-1');
    const got = await h.reports.get(OFFICER, body.report.reportId);
    expect(got).toEqual({
      reportId: body.report.reportId,
      category: 'basic',
      schemaVersion: '1.0',
      subjectRef: body.report.subjectRef,
      payload: VALID_REPORTS.basic,
      anchor: body.report,
    });
  });

  it('replays the answer for the same key and body, and refuses another body under that key', async () => {
    const h = await harness();
    const first = await h.reports.submit(OFFICER, basic(), 'key-1');
    const again = await h.reports.submit(OFFICER, basic(), 'key-1');
    expect(again).toEqual({ ...first, replayed: true });
    expect(await refusal(h.reports.submit(OFFICER, basic({ employees: 1 }), 'key-1'))).toEqual({
      name: 'ServiceError',
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(h.ledger.calls.filter((c) => c.transaction === 'SubmitReport')).toHaveLength(1);
  });

  it('scopes keys per user: the same key of another officer is another report', async () => {
    const h = await harness();
    const a = await h.reports.submit(OFFICER, basic(), 'key-1');
    const b = await h.reports.submit(BUREAU_OFFICER, basic(), 'key-1');
    expect(b.body.report.reportId).not.toBe(a.body.report.reportId);
    expect(b.body.report.provider.institution).toBe('YRD-BUREAU-01');
  });

  it('runs concurrent duplicates once', async () => {
    const h = await harness();
    const [a, b] = await Promise.all([
      h.reports.submit(OFFICER, basic(), 'k'),
      h.reports.submit(OFFICER, basic(), 'k'),
    ]);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(a.body).toEqual(b.body);
  });

  it('fails closed and retryably while the ledger is down, then completes the same report', async () => {
    const h = await harness();
    h.ledger.unavailable = true;
    const err = await h.reports.submit(OFFICER, basic(), 'key-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect(err).toMatchObject({ code: 'LEDGER_UNAVAILABLE', retryable: true });
    const pending = await h.vault.listReports({ limit: 10 });
    expect(pending.items).toHaveLength(1);
    h.ledger.unavailable = false;
    const done = await h.reports.submit(OFFICER, basic(), 'key-1');
    expect(done.body.report.reportId).toBe(pending.items[0]?.reportId);
    expect((await h.vault.listReports({ limit: 10 })).items).toHaveLength(1);
  });

  it('recovers the answer of a submission that committed but whose answer was lost', async () => {
    let loseAnswer = true;
    const h = await harness({
      wrapLedger: (inner) =>
        interpose(inner, {
          submitReport: async (as, input) => {
            const committed = await inner.submitReport(as, input);
            if (loseAnswer) throw new LedgerError('LEDGER_UNAVAILABLE', 'commit status lost');
            return committed;
          },
        }),
    });
    await expect(h.reports.submit(OFFICER, basic(), 'key-1')).rejects.toMatchObject({
      code: 'LEDGER_UNAVAILABLE',
    });
    loseAnswer = false;
    const { body } = await h.reports.submit(OFFICER, basic(), 'key-1');
    const anchored = h.ledger.peekReport(body.report.reportId);
    expect(body).toMatchObject({
      txId: anchored?.submitTx,
      report: { ciphertextHash: anchored?.ciphertextHash },
    });
    expect(h.ledger.calls.filter((c) => c.transaction === 'SubmitReport')).toHaveLength(1);
    expect(h.ledger.calls.map((c) => c.transaction)).toContain('CommitStatus');
  });

  it('crypto-shreds the unanchored payload when the ledger refuses, and replays the refusal', async () => {
    const h = await harness({
      wrapLedger: (inner) =>
        interpose(inner, {
          submitReport: () =>
            Promise.reject(new LedgerError('UNKNOWN_CATEGORY', 'UNKNOWN_CATEGORY: not configured')),
        }),
    });
    expect(await refusal(h.reports.submit(OFFICER, basic(), 'key-1'))).toEqual({
      name: 'LedgerError',
      code: 'UNKNOWN_CATEGORY',
    });
    const raw = await h.vault.listReports({ limit: 10 });
    expect(raw.items).toEqual([expect.objectContaining({ status: 'erased', reason: 'UNANCHORED' })]);
    expect((await h.reports.list(OFFICER, {})).items).toEqual([]);
    const replay = await h.reports.submit(OFFICER, basic(), 'key-1').catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(ReplayedRefusal);
    expect(replay).toMatchObject({ code: 'UNKNOWN_CATEGORY' });
  });

  it.each([
    ['a bad USCC', { uscc: '91350100M000100Y44' }, 'INVALID_USCC'],
    ['an unknown category', { category: 'gossip' }, 'UNKNOWN_CATEGORY'],
    ['an unknown version', { schemaVersion: '9.9' }, 'UNKNOWN_SCHEMA_VERSION'],
    ['a schema violation', { payload: { enterpriseName: 'x' } }, 'SCHEMA_VIOLATION'],
    ['a bad eventEndDate', { eventEndDate: '2026-02-30' }, 'INVALID_REQUEST'],
  ])('refuses %s before touching vault or ledger', async (_what, change, code) => {
    const h = await harness();
    expect(await refusal(h.reports.submit(OFFICER, { ...basic(), ...change }, 'key-1'))).toEqual({
      name: 'ServiceError',
      code,
    });
    expect(h.ledger.calls).toEqual([]);
    expect((await h.vault.listReports({ limit: 10 })).items).toEqual([]);
  });

  it('refuses an oversized report and a missing idempotency key', async () => {
    const h = await harness({ maxReportBytes: 100 });
    expect(await refusal(h.reports.submit(OFFICER, basic(), 'k'))).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    const h2 = await harness();
    expect(await refusal(h2.reports.submit(OFFICER, basic(), undefined))).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REQUIRED',
    });
    expect(await refusal(h2.reports.submit(OFFICER, basic(), 'bad key'))).toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('never puts the USCC or a rejected value in an error', async () => {
    const h = await harness();
    const err = await h.reports
      .submit(OFFICER, { ...basic(), uscc: '91350100M000100Y44' }, 'k')
      .catch((e: unknown) => e);
    expect((err as Error).message).not.toContain('91350100');
    const err2 = (await h.reports
      .submit(OFFICER, basic({ businessStatus: 'SECRET-STATUS' }), 'k')
      .catch((e: unknown) => e)) as ServiceError;
    expect(JSON.stringify({ m: err2.message, v: err2.violations })).not.toContain('SECRET-STATUS');
  });
});

describe('ReportService corrections, erasure, reading, listing', () => {
  it('corrects a report: the old anchor is superseded, both stay readable', async () => {
    const h = await harness();
    const first = await h.reports.submit(OFFICER, basic(), 'k1');
    const id = first.body.report.reportId;
    const fix = await h.reports.correct(
      OFFICER,
      id,
      { schemaVersion: '1.0', payload: { ...(VALID_REPORTS.basic as object), employees: 121 } },
      'k2',
    );
    expect(fix.body.report).toMatchObject({
      supersedes: id,
      subjectRef: first.body.report.subjectRef,
      category: 'basic',
    });
    expect((await h.reports.get(OFFICER, id)).anchor.status).toBe('superseded');
    expect((await h.reports.get(OFFICER, fix.body.report.reportId)).payload).toMatchObject({
      employees: 121,
    });
    expect(
      await refusal(h.reports.correct(OFFICER, 'rpt-unknown', { schemaVersion: '1.0', payload: {} }, 'k3')),
    ).toMatchObject({
      code: 'REPORT_NOT_FOUND',
    });
  });

  it('erases: ledger tombstone first, then the vault shreds the payload; reading is refused', async () => {
    const h = await harness();
    const { body } = await h.reports.submit(OFFICER, basic(), 'k1');
    const id = body.report.reportId;
    const erased = await h.reports.erase(OFFICER, id, 'SUBJECT_REQUEST', 'k2');
    expect(erased.body.report).toMatchObject({ status: 'erased', erasure: { reason: 'SUBJECT_REQUEST' } });
    expect((await h.vault.getReport(id))?.status).toBe('erased');
    expect(h.ledger.peekReport(id)?.ciphertextHash).toBe(body.report.ciphertextHash);
    expect(await refusal(h.reports.get(OFFICER, id))).toMatchObject({ code: 'REPORT_ERASED' });
    expect(await h.reports.erase(OFFICER, id, 'SUBJECT_REQUEST', 'k2')).toMatchObject({ replayed: true });
    expect(await refusal(h.reports.erase(OFFICER, id, 'SUBJECT_REQUEST', 'k3'))).toMatchObject({
      code: 'REPORT_ERASED',
    });
    expect(await refusal(h.reports.erase(OFFICER, id, 'BORED', 'k4'))).toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('completes an erasure whose vault step did not happen', async () => {
    const h = await harness();
    const { body } = await h.reports.submit(OFFICER, basic(), 'k1');
    const id = body.report.reportId;
    const onLedger = await h.ledger.eraseReport('User1', id, 'DATA_ERROR');
    const erased = await h.reports.erase(OFFICER, id, 'DATA_ERROR', 'k2');
    expect(erased.body).toMatchObject({ txId: onLedger.txId, block: onLedger.blockNumber });
    expect((await h.vault.getReport(id))?.status).toBe('erased');
  });

  it('refuses to erase when the ledger refuses, destroying nothing', async () => {
    const h = await harness();
    const { body } = await h.reports.submit(OFFICER, basic(), 'k1');
    expect(
      await refusal(h.reports.erase(BUREAU_OFFICER, body.report.reportId, 'DATA_ERROR', 'k2')),
    ).toMatchObject({
      code: 'NOT_PROVIDER',
    });
    expect((await h.reports.get(OFFICER, body.report.reportId)).payload).toEqual(VALID_REPORTS.basic);
  });

  it('detects a vault whose contents no longer match the anchor', async () => {
    const h = await harness({
      wrapLedger: (inner) =>
        interpose(inner, {
          getReport: async (as, id) => ({
            ...(await inner.getReport(as, id)),
            ciphertextHash: 'f'.repeat(64),
          }),
        }),
    });
    const { body } = await h.reports.submit(OFFICER, basic(), 'k1');
    expect(await refusal(h.reports.get(OFFICER, body.report.reportId))).toMatchObject({
      code: 'INTEGRITY_FAILURE',
    });
  });

  it('keeps reports wrapped to a retired key readable after a key rotation', async () => {
    const h = await harness();
    const before = await h.reports.submit(OFFICER, basic(), 'k1');
    await h.keys.add('x25519-second', await generateHpkeKeyPair());
    const after = await h.reports.submit(OFFICER, basic({ employees: 7 }), 'k2');
    const wrappedTo = async (id: string) => {
      const r = await h.vault.getReport(id);
      return r?.status === 'active' ? r.wrappedKey.keyId : undefined;
    };
    expect(await wrappedTo(before.body.report.reportId)).toBe('x25519-first');
    expect(await wrappedTo(after.body.report.reportId)).toBe('x25519-second');
    expect((await h.reports.get(OFFICER, before.body.report.reportId)).payload).toEqual(VALID_REPORTS.basic);
  });

  it('lists own reports by subject, oldest first, with tombstones and a cursor', async () => {
    const h = await harness();
    const a = await h.reports.submit(OFFICER, basic(), 'k1');
    h.clock.advance(1000);
    const b = await h.reports.submit(
      OFFICER,
      { ...basic(), category: 'warning', payload: VALID_REPORTS.warning },
      'k2',
    );
    await h.reports.erase(OFFICER, a.body.report.reportId, 'DATA_ERROR', 'k3');
    const page1 = await h.reports.list(OFFICER, { subjectRef: a.body.report.subjectRef, limit: 1 });
    expect(page1.items).toEqual([
      expect.objectContaining({
        reportId: a.body.report.reportId,
        status: 'erased',
        erasureReason: 'DATA_ERROR',
      }),
    ]);
    const page2 = await h.reports.list(OFFICER, {
      subjectRef: a.body.report.subjectRef,
      limit: 1,
      after: page1.next ?? '',
    });
    expect(page2).toEqual({
      items: [expect.objectContaining({ reportId: b.body.report.reportId, status: 'active' })],
      next: null,
    });
    expect(await refusal(h.reports.list(OFFICER, { limit: 0 }))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await refusal(h.reports.list(OFFICER, { after: '!!' }))).toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});

describe('erasure reasons', () => {
  it('are exactly the contract’s', async () => {
    const { ERASURE_REASONS: contract } = await import('../../../chaincode/src/validate.js');
    const { ERASURE_REASONS } = await import('./report-service.js');
    expect([...ERASURE_REASONS]).toEqual([...contract]);
  });
});
