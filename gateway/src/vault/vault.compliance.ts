import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultError, type VaultErrorCode } from './errors.js';
import type { ActiveReport, IdempotencyRecord, ReportSummary } from './types.js';
import type { Vault } from './vault.js';

/*
 * The behaviour every Vault adapter must show. Each adapter's test file calls runVaultCompliance
 * with a factory; durable adapters also pass the reopen tests.
 */

/** What the suite needs from an adapter under test. */
export interface VaultHarness {
  /** Opens the vault; called once per test, and again after `close` when `durable`. */
  open(): Promise<Vault>;
  /** Whether a vault opened again after `close` sees what was written before. */
  readonly durable: boolean;
  /** Removes everything the harness created. */
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2024-05-01T08:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const hash = (n: number): string => n.toString(16).padStart(64, '0');

/** A valid active report; `overrides` replace fields. */
export function sampleReport(reportId: string, overrides: Partial<ActiveReport> = {}): ActiveReport {
  return {
    reportId,
    subjectRef: 'a'.repeat(64),
    category: 'loan_default',
    schemaVersion: '1.0',
    createdAt: at(0),
    status: 'active',
    ciphertext: Uint8Array.from(randomBytes(256)),
    salt: Uint8Array.from(randomBytes(32)),
    wrappedKey: {
      keyId: 'org-key-1',
      enc: Uint8Array.from(randomBytes(32)),
      ciphertext: Uint8Array.from(randomBytes(48)),
    },
    ...overrides,
  };
}

function sampleRecord(
  key: string,
  requestHash = hash(1),
  response: IdempotencyRecord['response'] = { ok: true },
) {
  return { key, requestHash, response, createdAt: at(0) } satisfies IdempotencyRecord;
}

async function refusal(work: Promise<unknown>): Promise<VaultError> {
  const err: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VaultError);
  return err as VaultError;
}

async function expectCode(work: Promise<unknown>, code: VaultErrorCode, fields: Partial<VaultError> = {}) {
  const err = await refusal(work);
  expect({ name: err.name, code: err.code, ...pick(err, fields) }).toEqual({
    name: 'VaultError',
    code,
    ...fields,
  });
}

function pick(err: VaultError, fields: Partial<VaultError>): Partial<VaultError> {
  return Object.fromEntries(Object.keys(fields).map((k) => [k, err[k as keyof VaultError]]));
}

function summaryOf(r: ActiveReport): ReportSummary {
  const { reportId, subjectRef, category, schemaVersion, createdAt } = r;
  return { reportId, subjectRef, category, schemaVersion, createdAt, status: 'active' };
}

async function listAll(vault: Vault, limit: number, subjectRef?: string): Promise<ReportSummary[][]> {
  const pages: ReportSummary[][] = [];
  let after: string | undefined;
  do {
    const page = await vault.listReports({
      limit,
      ...(subjectRef === undefined ? {} : { subjectRef }),
      ...(after === undefined ? {} : { after }),
    });
    pages.push([...page.items]);
    after = page.next;
  } while (after !== undefined && pages.length < 100);
  return pages;
}

/**
 * Registers the Vault compliance suite for one adapter.
 *
 * @param name - adapter name shown in test titles
 * @param factory - creates a fresh, empty harness for every test
 */
export function runVaultCompliance(name: string, factory: () => Promise<VaultHarness>): void {
  describe(`Vault compliance: ${name}`, () => {
    let harness: VaultHarness;
    let vault: Vault;

    beforeEach(async () => {
      harness = await factory();
      vault = await harness.open();
    });

    afterEach(async () => {
      await vault.close();
      await harness.cleanup();
    });

    describe('putReport / getReport', () => {
      it('returns what was stored, as plain Uint8Arrays', async () => {
        const report = sampleReport('rep-1');
        await vault.putReport(report);
        const stored = await vault.getReport('rep-1');
        expect(stored).toEqual(report);
        if (stored?.status !== 'active') throw new Error('expected an active report');
        expect(Object.getPrototypeOf(stored.ciphertext)).toBe(Uint8Array.prototype);
        expect(Object.getPrototypeOf(stored.wrappedKey.enc)).toBe(Uint8Array.prototype);
      });

      it('answers undefined for an unknown id', async () => {
        expect(await vault.getReport('nope-1')).toBeUndefined();
      });

      it('accepts the identical report again', async () => {
        const report = sampleReport('rep-1');
        await vault.putReport(report);
        await vault.putReport(
          sampleReport('rep-1', { ...report, ciphertext: Uint8Array.from(report.ciphertext) }),
        );
        expect(await vault.getReport('rep-1')).toEqual(report);
      });

      it.each([
        ['ciphertext', { ciphertext: Uint8Array.of(1, 2, 3) }],
        ['salt', { salt: Uint8Array.of(9) }],
        ['createdAt', { createdAt: at(1) }],
        ['subjectRef', { subjectRef: 'b'.repeat(64) }],
        ['schemaVersion', { schemaVersion: '2' }],
        [
          'wrapped key id',
          { wrappedKey: { keyId: 'org-key-2', enc: Uint8Array.of(1), ciphertext: Uint8Array.of(2) } },
        ],
      ] as const)('refuses a report differing in %s with REPORT_EXISTS', async (_field, change) => {
        const report = sampleReport('rep-1');
        await vault.putReport(report);
        await expectCode(vault.putReport({ ...report, ...change }), 'REPORT_EXISTS', { reportId: 'rep-1' });
        expect(await vault.getReport('rep-1')).toEqual(report);
      });

      it('shares no bytes with callers', async () => {
        const report = sampleReport('rep-1');
        const original = structuredClone(report);
        await vault.putReport(report);
        report.ciphertext.fill(0);
        report.wrappedKey.enc.fill(0);
        const out = await vault.getReport('rep-1');
        if (out?.status !== 'active') throw new Error('expected an active report');
        out.salt.fill(0);
        expect(await vault.getReport('rep-1')).toEqual(original);
      });

      it.each([
        ['a short report id', { reportId: 'ab' }],
        ['a report id with a slash', { reportId: 'rep/1' }],
        ['a subjectRef with NUL', { subjectRef: 'ab\u0000c' }],
        ['a non-ISO createdAt', { createdAt: '2024-05-01T08:00:00Z' }],
        ['an impossible createdAt', { createdAt: '2024-02-30T08:00:00.000Z' }],
        ['empty ciphertext', { ciphertext: new Uint8Array(0) }],
        ['a string salt', { salt: 'salt' as unknown as Uint8Array }],
        ['a bad schema version', { schemaVersion: 'v1' }],
        ['status erased', { status: 'erased' as unknown as 'active' }],
        ['a bad key id', { wrappedKey: { keyId: '', enc: Uint8Array.of(1), ciphertext: Uint8Array.of(1) } }],
      ] as const)('refuses %s with INVALID_ARGUMENT', async (_what, change) => {
        await expectCode(vault.putReport(sampleReport('rep-1', change)), 'INVALID_ARGUMENT');
        expect((await vault.listReports({ limit: 10 })).items).toEqual([]);
      });

      it('refuses a malformed id on read', async () => {
        await expectCode(vault.getReport('x'), 'INVALID_ARGUMENT');
      });
    });

    describe('eraseReport', () => {
      const erasure = { erasedAt: at(60), reason: 'SUBJECT_REQUEST' };

      it('replaces the report with a tombstone holding no contents', async () => {
        const report = sampleReport('rep-1');
        await vault.putReport(report);
        const tombstone = await vault.eraseReport('rep-1', erasure);
        const expected = { ...summaryOf(report), status: 'erased', ...erasure };
        expect(tombstone).toEqual(expected);
        const stored = await vault.getReport('rep-1');
        expect(stored).toEqual(expected);
        expect(Object.keys(stored ?? {}).sort()).toEqual([
          'category',
          'createdAt',
          'erasedAt',
          'reason',
          'reportId',
          'schemaVersion',
          'status',
          'subjectRef',
        ]);
      });

      it('is irreversible: the id can never be written again', async () => {
        const report = sampleReport('rep-1');
        await vault.putReport(report);
        await vault.eraseReport('rep-1', erasure);
        await expectCode(vault.putReport(report), 'REPORT_ERASED', { reportId: 'rep-1' });
        await expectCode(vault.batch([{ type: 'putReport', report }]), 'REPORT_ERASED', { opIndex: 0 });
        expect((await vault.getReport('rep-1'))?.status).toBe('erased');
      });

      it('keeps the first tombstone when erased again', async () => {
        await vault.putReport(sampleReport('rep-1'));
        const first = await vault.eraseReport('rep-1', erasure);
        const again = await vault.eraseReport('rep-1', { erasedAt: at(90), reason: 'RETENTION_EXPIRED' });
        expect(again).toEqual(first);
        expect(await vault.getReport('rep-1')).toEqual(first);
      });

      it('refuses an unknown id with REPORT_NOT_FOUND', async () => {
        await expectCode(vault.eraseReport('nope-1', erasure), 'REPORT_NOT_FOUND', { reportId: 'nope-1' });
      });

      it.each([
        ['an empty reason', { erasedAt: at(1), reason: '' }],
        ['a reason with a newline', { erasedAt: at(1), reason: 'a\nb' }],
        ['a bad erasedAt', { erasedAt: 'yesterday', reason: 'SUBJECT_REQUEST' }],
      ])('refuses %s with INVALID_ARGUMENT and keeps the report', async (_what, bad) => {
        const report = sampleReport('rep-1');
        await vault.putReport(report);
        await expectCode(vault.eraseReport('rep-1', bad), 'INVALID_ARGUMENT');
        expect(await vault.getReport('rep-1')).toEqual(report);
      });
    });

    describe('idempotency records', () => {
      it('answers undefined for an unused key', async () => {
        expect(await vault.getIdempotency('key-1', hash(1))).toBeUndefined();
      });

      it('returns the stored record for the same request', async () => {
        const record = sampleRecord('key-1', hash(1), {
          status: 201,
          body: { reportId: 'rep-1', tags: [1, 'a', null] },
        });
        expect(await vault.putIdempotency(record)).toEqual(record);
        expect(await vault.getIdempotency('key-1', hash(1))).toEqual(record);
      });

      it('keeps the first response when stored again for the same request', async () => {
        const first = sampleRecord('key-1', hash(1), 'first');
        await vault.putIdempotency(first);
        expect(await vault.putIdempotency(sampleRecord('key-1', hash(1), 'second'))).toEqual(first);
        expect(await vault.getIdempotency('key-1', hash(1))).toEqual(first);
      });

      it('refuses the key for another request with IDEMPOTENCY_CONFLICT', async () => {
        await vault.putIdempotency(sampleRecord('key-1', hash(1)));
        await expectCode(vault.putIdempotency(sampleRecord('key-1', hash(2))), 'IDEMPOTENCY_CONFLICT', {
          idempotencyKey: 'key-1',
        });
        await expectCode(vault.getIdempotency('key-1', hash(2)), 'IDEMPOTENCY_CONFLICT', {
          idempotencyKey: 'key-1',
        });
      });

      it('returns copies', async () => {
        await vault.putIdempotency(sampleRecord('key-1', hash(1), { list: [1] }));
        const out = await vault.getIdempotency('key-1', hash(1));
        (out?.response as { list: number[] }).list.push(2);
        expect((await vault.getIdempotency('key-1', hash(1)))?.response).toEqual({ list: [1] });
      });

      it.each([
        ['an upper-case hash', sampleRecord('key-1', 'A'.repeat(64))],
        ['a short hash', sampleRecord('key-1', 'ab')],
        ['a key with a space', sampleRecord('key 1')],
        ['an undefined response', { ...sampleRecord('key-1'), response: undefined as unknown as null }],
        ['a function response', { ...sampleRecord('key-1'), response: (() => 1) as unknown as null }],
      ])('refuses %s with INVALID_ARGUMENT', async (_what, record) => {
        await expectCode(vault.putIdempotency(record), 'INVALID_ARGUMENT');
      });
    });

    describe('batch', () => {
      it('applies every operation', async () => {
        const report = sampleReport('rep-1');
        const record = sampleRecord('key-1');
        await vault.batch([
          { type: 'putReport', report },
          { type: 'putIdempotency', record },
        ]);
        expect(await vault.getReport('rep-1')).toEqual(report);
        expect(await vault.getIdempotency('key-1', hash(1))).toEqual(record);
      });

      it('writes nothing when one operation fails', async () => {
        const existing = sampleReport('rep-0');
        await vault.putReport(existing);
        await expectCode(
          vault.batch([
            { type: 'putReport', report: sampleReport('rep-1') },
            { type: 'putIdempotency', record: sampleRecord('key-1') },
            { type: 'eraseReport', reportId: 'rep-0', erasure: { erasedAt: at(5), reason: 'DATA_ERROR' } },
            { type: 'putReport', report: sampleReport('rep-0') },
          ]),
          'REPORT_ERASED',
          { opIndex: 3, reportId: 'rep-0' },
        );
        expect(await vault.getReport('rep-1')).toBeUndefined();
        expect(await vault.getIdempotency('key-1', hash(1))).toBeUndefined();
        expect(await vault.getReport('rep-0')).toEqual(existing);
        expect((await vault.listReports({ limit: 10 })).items).toEqual([summaryOf(existing)]);
      });

      it('writes nothing when an operation is malformed', async () => {
        await expectCode(
          vault.batch([{ type: 'putReport', report: sampleReport('rep-1') }, { type: 'dropTable' } as never]),
          'INVALID_ARGUMENT',
          { opIndex: 1 },
        );
        expect(await vault.getReport('rep-1')).toBeUndefined();
      });

      it('lets later operations see earlier ones', async () => {
        const report = sampleReport('rep-1');
        await vault.batch([
          { type: 'putReport', report },
          { type: 'eraseReport', reportId: 'rep-1', erasure: { erasedAt: at(1), reason: 'DATA_ERROR' } },
        ]);
        expect((await vault.getReport('rep-1'))?.status).toBe('erased');
        await expectCode(
          vault.batch([
            { type: 'putReport', report: sampleReport('rep-2') },
            { type: 'putReport', report: sampleReport('rep-2') },
          ]),
          'REPORT_EXISTS',
          { opIndex: 1 },
        );
        await expectCode(
          vault.batch([
            { type: 'putIdempotency', record: sampleRecord('key-1', hash(1)) },
            { type: 'putIdempotency', record: sampleRecord('key-1', hash(2)) },
          ]),
          'IDEMPOTENCY_CONFLICT',
          { opIndex: 1 },
        );
        expect(await vault.getReport('rep-2')).toBeUndefined();
        expect(await vault.getIdempotency('key-1', hash(1))).toBeUndefined();
      });

      it('accepts an empty batch and refuses more than 1000 operations', async () => {
        await vault.batch([]);
        const ops = Array.from({ length: 1001 }, (_, i) => ({
          type: 'putIdempotency' as const,
          record: sampleRecord(`key-${i}`),
        }));
        await expectCode(vault.batch(ops), 'INVALID_ARGUMENT');
        expect(await vault.getIdempotency('key-0', hash(1))).toBeUndefined();
      });

      it('serialises concurrent writers: one of two different reports with the same id wins', async () => {
        const a = sampleReport('rep-1');
        const b = sampleReport('rep-1');
        const results = await Promise.allSettled([vault.putReport(a), vault.putReport(b)]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = results.find((r) => r.status === 'rejected');
        expect((rejected?.reason as VaultError).code).toBe('REPORT_EXISTS');
        const winner = results[0].status === 'fulfilled' ? a : b;
        expect(await vault.getReport('rep-1')).toEqual(winner);
      });

      it('serialises concurrent idempotency claims: one request hash wins', async () => {
        const results = await Promise.allSettled(
          [1, 2, 3].map((n) => vault.putIdempotency(sampleRecord('key-1', hash(n)))),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      });
    });

    describe('listReports', () => {
      const subjectA = 'a'.repeat(64);
      const subjectB = 'b'.repeat(64);

      async function seed(): Promise<ActiveReport[]> {
        const reports = [
          sampleReport('rep-e', { createdAt: at(3), subjectRef: subjectA }),
          sampleReport('rep-a', { createdAt: at(1), subjectRef: subjectB }),
          sampleReport('rep-c', { createdAt: at(2), subjectRef: subjectA }),
          sampleReport('rep-b', { createdAt: at(2), subjectRef: subjectB }),
          sampleReport('rep-d', { createdAt: at(0), subjectRef: subjectA }),
        ];
        for (const r of reports) await vault.putReport(r);
        return reports;
      }

      it('lists nothing in an empty vault', async () => {
        expect(await vault.listReports({ limit: 5 })).toEqual({ items: [] });
        expect(await vault.listReports({ limit: 5, subjectRef: subjectA })).toEqual({ items: [] });
      });

      it('orders by createdAt then reportId, without contents', async () => {
        const reports = await seed();
        const byId = new Map(reports.map((r) => [r.reportId, summaryOf(r)]));
        const page = await vault.listReports({ limit: 10 });
        expect(page).toEqual({
          items: ['rep-d', 'rep-a', 'rep-b', 'rep-c', 'rep-e'].map((id) => byId.get(id)),
        });
      });

      it('pages with cursors until the last page, which has none', async () => {
        await seed();
        const pages = await listAll(vault, 2);
        expect(pages.map((p) => p.map((s) => s.reportId))).toEqual([
          ['rep-d', 'rep-a'],
          ['rep-b', 'rep-c'],
          ['rep-e'],
        ]);
        const exact = await listAll(vault, 5);
        expect(exact).toHaveLength(1);
      });

      it('filters by subject, with pagination', async () => {
        await seed();
        await vault.putReport(sampleReport('rep-f', { subjectRef: `${subjectA}0`, createdAt: at(0) }));
        const pages = await listAll(vault, 1, subjectA);
        expect(pages.map((p) => p.map((s) => s.reportId))).toEqual([['rep-d'], ['rep-c'], ['rep-e']]);
        const b = await vault.listReports({ limit: 10, subjectRef: subjectB });
        expect(b.items.map((s) => s.reportId)).toEqual(['rep-a', 'rep-b']);
      });

      it('lists tombstones in place', async () => {
        await seed();
        await vault.eraseReport('rep-c', { erasedAt: at(9), reason: 'LEGAL_ORDER' });
        const page = await vault.listReports({ limit: 10, subjectRef: subjectA });
        expect(page.items.map((s) => [s.reportId, s.status])).toEqual([
          ['rep-d', 'active'],
          ['rep-c', 'erased'],
          ['rep-e', 'active'],
        ]);
        expect(page.items[1]).toMatchObject({ erasedAt: at(9), reason: 'LEGAL_ORDER' });
      });

      it('resumes after the cursor position even when reports are added meanwhile', async () => {
        await seed();
        const first = await vault.listReports({ limit: 2 });
        await vault.putReport(sampleReport('rep-0', { createdAt: at(-5) }));
        await vault.putReport(sampleReport('rep-z', { createdAt: at(2) }));
        const second = await vault.listReports({ limit: 10, after: first.next as string });
        expect(second.items.map((s) => s.reportId)).toEqual(['rep-b', 'rep-c', 'rep-z', 'rep-e']);
      });

      it.each([0, 1001, 1.5, Number.NaN])('refuses limit %s with INVALID_ARGUMENT', async (limit) => {
        await expectCode(vault.listReports({ limit }), 'INVALID_ARGUMENT');
      });

      it.each([
        'not a cursor',
        'AAAA',
        Buffer.from('2024-05-01T08:00:00.000Z\u0000../x').toString('base64url'),
      ])('refuses cursor %j with INVALID_ARGUMENT', async (after) => {
        await expectCode(vault.listReports({ limit: 5, after }), 'INVALID_ARGUMENT');
      });

      it('refuses a malformed subjectRef with INVALID_ARGUMENT', async () => {
        await expectCode(vault.listReports({ limit: 5, subjectRef: 'a\u0000' }), 'INVALID_ARGUMENT');
      });
    });

    describe('close', () => {
      it('finishes pending writes, then refuses every call with VAULT_CLOSED', async () => {
        const pending = vault.putReport(sampleReport('rep-1'));
        await vault.close();
        await pending;
        await vault.close();
        await expectCode(vault.getReport('rep-1'), 'VAULT_CLOSED');
        await expectCode(vault.putReport(sampleReport('rep-2')), 'VAULT_CLOSED');
        await expectCode(vault.listReports({ limit: 1 }), 'VAULT_CLOSED');
        await expectCode(vault.eraseReport('rep-1', { erasedAt: at(1), reason: 'X' }), 'VAULT_CLOSED');
        await expectCode(vault.getIdempotency('key-1', hash(1)), 'VAULT_CLOSED');
        await expectCode(vault.putIdempotency(sampleRecord('key-1')), 'VAULT_CLOSED');
        await expectCode(vault.batch([]), 'VAULT_CLOSED');
      });
    });

    describe('persistence', () => {
      it('keeps everything across close and reopen (durable adapters)', async ({ skip }) => {
        if (!harness.durable) skip('not a durable adapter');
        const kept = sampleReport('rep-1', { createdAt: at(1) });
        const shredded = sampleReport('rep-2', { createdAt: at(2) });
        const record = sampleRecord('key-1', hash(7), { status: 201 });
        await vault.batch([
          { type: 'putReport', report: kept },
          { type: 'putReport', report: shredded },
          { type: 'putIdempotency', record },
        ]);
        const tombstone = await vault.eraseReport('rep-2', { erasedAt: at(3), reason: 'SUBJECT_REQUEST' });
        const listing = await vault.listReports({ limit: 10 });
        await vault.close();

        vault = await harness.open();
        expect(await vault.getReport('rep-1')).toEqual(kept);
        expect(await vault.getReport('rep-2')).toEqual(tombstone);
        expect(await vault.getIdempotency('key-1', hash(7))).toEqual(record);
        expect(await vault.listReports({ limit: 10 })).toEqual(listing);
        await expectCode(vault.putReport(shredded), 'REPORT_ERASED');
      });
    });
  });
}
