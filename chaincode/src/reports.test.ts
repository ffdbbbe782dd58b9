/**
 * Report anchors: SubmitReport (with retention and corrections), EraseReport, GetReport,
 * ListReportsBySubject and the report trail, run through the real contract on the test harness.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONFIG,
  DAY,
  T0,
  hex64,
  initialisedHarness,
  ok,
  queryRefused,
  refused,
  reportArgs,
  submitReport,
  type Identities,
} from '../test/fixtures';
import type { ContractHarness, TestIdentity, TxResult } from '../test/harness/index';
import type { Report, ReportPage, TrailEntry, TrailPage } from './model';

/** Composite key of a report record (`\0report\0<id>\0`). */
function reportKey(reportId: string): string {
  return `\u0000report\u0000${reportId}\u0000`;
}

/** Composite key of a report's entry in the by-subject index. */
function subjectIndexKey(subjectRef: string, reportId: string): string {
  return `\u0000report~subject\u0000${subjectRef}\u0000${reportId}\u0000`;
}

/** `ctx.clientIdentity.getID()` of a fixture identity (fixture CAs are `ca.<msp lower-case>`). */
function certId(commonName: string, ou: string, mspId: string): string {
  return (
    `x509::/C=US/ST=North Carolina/O=Hyperledger/OU=${ou}/CN=${commonName}` +
    `::/C=US/ST=North Carolina/L=Durham/O=${mspId}/CN=ca.${mspId.toLowerCase()}`
  );
}

const BANK_A_ACTOR = {
  mspId: 'YangtzeMSP',
  institution: 'BANK-A',
  id: certId('officer1', 'client', 'YangtzeMSP'),
};

/** The committed value of `key`, parsed. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- caller-asserted record type
function stored<T>(h: ContractHarness, key: string): T | undefined {
  const entry = h.ledger.get(key);
  return entry && (JSON.parse(entry.value.toString('utf8')) as T);
}

/** The committed value of `key` as text. */
function storedText(h: ContractHarness, key: string): string | undefined {
  return h.ledger.get(key)?.value.toString('utf8');
}

/** Sorted-key JSON, to check that the contract writes canonical JSON. */
function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/**
 * The transaction's chaincode event, after checking that it is the one (and only) event the
 * transaction committed and that it does not mention `subjectRef`.
 */
function eventOf(
  h: ContractHarness,
  res: TxResult,
  subjectRef: string,
): { name: string; payload: Record<string, unknown> } {
  expect(res.committed).toBe(true);
  expect(res.event).toBeDefined();
  const text = res.event!.payload.toString('utf8');
  expect(text).not.toContain(subjectRef);
  expect(text).not.toContain('subjectRef');
  const committed = h.ledger.events().filter((e) => e.txId === res.txId);
  expect(committed).toHaveLength(1);
  expect(committed[0]!.name).toBe(res.event!.name);
  expect(committed[0]!.payload.toString('utf8')).toBe(text);
  return { name: res.event!.name, payload: JSON.parse(text) as Record<string, unknown> };
}

/** Every trail entry of a report as `caller` sees it. */
async function trailOf(h: ContractHarness, caller: TestIdentity, reportId: string): Promise<TrailEntry[]> {
  return ok<TrailPage>(await h.evaluate(caller, 'GetReportTrail', [reportId, '100', ''])).records;
}

const HEX = 'ab'.repeat(32);
const BAD_HEX: Array<[string, string]> = [
  ['upper-case', HEX.toUpperCase()],
  ['63 characters', HEX.slice(1)],
  ['65 characters', `${HEX}a`],
  ['non-hex', `${HEX.slice(2)}zz`],
  ['0x-prefixed', `0x${HEX.slice(2)}`],
  ['empty', ''],
];

let id: Identities;

beforeAll(async () => {
  ({ id } = await initialisedHarness());
});

describe('SubmitReport', () => {
  it('anchors a report for the calling institution and returns the anchor', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const hash = hex64();
    const commitment = hex64();
    const res = await h.submit(
      id.bankA,
      'SubmitReport',
      reportArgs('rep-1', subject, { ciphertextHash: hash, commitment, sizeBucket: 'M' }),
      { timestampNanos: 123456789 },
    );
    const report = ok<Report>(res);
    expect(report).toEqual({
      reportId: 'rep-1',
      subjectRef: subject,
      category: 'basic',
      schemaVersion: '1.0',
      ciphertextHash: hash,
      commitment,
      sizeBucket: 'M',
      eventEndDate: null,
      expiresOn: null,
      supersedes: null,
      supersededBy: null,
      provider: { mspId: 'YangtzeMSP', institution: 'BANK-A' },
      submittedBy: BANK_A_ACTOR,
      submittedAt: '2026-03-01T00:00:00.123456789Z',
      submitTx: res.txId,
      status: 'active',
      erasure: null,
    });
  });

  it('stores the anchor as sorted-key JSON at its composite key and indexes it by subject', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const res = await h.submit(id.bankA, 'SubmitReport', reportArgs('rep-1', subject));
    const report = ok<Report>(res);
    const text = storedText(h, reportKey('rep-1'));
    expect(text).toBeDefined();
    expect(JSON.parse(text!)).toEqual(report);
    expect(text).toBe(sortedJson(report));
    expect(stored(h, subjectIndexKey(subject, 'rep-1'))).toEqual({ reportId: 'rep-1' });
    // the transaction wrote the anchor, its index entry and one trail entry, nothing else
    expect(res.writeSet.writes.size).toBe(3);
  });

  it('emits ReportSubmitted without the subject', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const res = await h.submit(id.bankA, 'SubmitReport', reportArgs('rep-1', subject));
    ok(res);
    expect(eventOf(h, res, subject)).toEqual({
      name: 'ReportSubmitted',
      payload: { category: 'basic', providerMsp: 'YangtzeMSP', reportId: 'rep-1', supersedes: null },
    });
  });

  it('records a SUBMITTED entry in the trail', async () => {
    const { h } = await initialisedHarness();
    h.advance(3600);
    const res = await h.submit(id.bankA, 'SubmitReport', reportArgs('rep-1', hex64()));
    ok(res);
    expect(await trailOf(h, id.bankA, 'rep-1')).toEqual([
      {
        reportId: 'rep-1',
        kind: 'SUBMITTED',
        txId: res.txId,
        timestamp: '2026-03-01T01:00:00.000000000Z',
        actor: BANK_A_ACTOR,
        receiptId: null,
        relatedReportId: null,
        purpose: null,
        reason: null,
        supervisory: false,
      },
    ]);
  });

  it('accepts every size bucket, the shortest and the longest report id', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    for (const bucket of ['XS', 'S', 'M', 'L', 'XL']) {
      const report = await submitReport(h, id.bankA, `rep-${bucket}`, subject, { sizeBucket: bucket });
      expect(report.sizeBucket).toBe(bucket);
    }
    await submitReport(h, id.bankA, 'r-1', subject);
    const longest = `R${'a._:-9'.repeat(21)}x`;
    expect(longest).toHaveLength(128);
    expect((await submitReport(h, id.bankA, longest, subject)).reportId).toBe(longest);
  });

  it('takes categories and schema versions from the ledger configuration', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-1', subject, { category: 'litigation' }),
      'UNKNOWN_CATEGORY',
    );
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-1', subject, { schemaVersion: '2.0' }),
      'UNKNOWN_SCHEMA_VERSION',
    );
    const updated = {
      ...CONFIG,
      categories: [
        ...CONFIG.categories.map((c) => (c.code === 'basic' ? { ...c, schemaVersions: ['1.0', '2.0'] } : c)),
        { code: 'litigation', name: 'Litigation', adverse: true, retentionYears: 3, schemaVersions: ['1.0'] },
      ],
    };
    ok(await h.submit(id.yangtzeAdmin, 'UpdateConsortium', [JSON.stringify(updated)]));
    const litigation = await submitReport(h, id.bankA, 'rep-1', subject, {
      category: 'litigation',
      eventEndDate: '2025-12-31',
    });
    expect(litigation.expiresOn).toBe('2028-12-31');
    expect((await submitReport(h, id.bankA, 'rep-2', subject, { schemaVersion: '2.0' })).schemaVersion).toBe(
      '2.0',
    );
  });

  describe('retention', () => {
    it('sets expiresOn of an adverse report to its event end date plus the retention years', async () => {
      const { h } = await initialisedHarness();
      const report = await submitReport(h, id.bankA, 'rep-1', hex64(), {
        category: 'warning',
        eventEndDate: '2025-06-30',
      });
      expect(report).toMatchObject({ eventEndDate: '2025-06-30', expiresOn: '2030-06-30' });
      expect(stored<Report>(h, reportKey('rep-1'))?.expiresOn).toBe('2030-06-30');
    });

    it('maps an event ended on 29 February to 28 February of the expiry year', async () => {
      const { h } = await initialisedHarness();
      const report = await submitReport(h, id.bankA, 'rep-1', hex64(), {
        category: 'warning',
        eventEndDate: '2024-02-29',
      });
      expect(report.expiresOn).toBe('2029-02-28');
    });

    it('leaves an adverse report whose event goes on without expiry', async () => {
      const { h } = await initialisedHarness();
      const report = await submitReport(h, id.bankA, 'rep-1', hex64(), { category: 'warning' });
      expect(report).toMatchObject({ eventEndDate: null, expiresOn: null });
    });

    it('never expires a non-adverse report, however old its event', async () => {
      const { h } = await initialisedHarness();
      const report = await submitReport(h, id.bankA, 'rep-1', hex64(), { eventEndDate: '2000-01-01' });
      expect(report).toMatchObject({ eventEndDate: '2000-01-01', expiresOn: null });
    });

    it('accepts an event that ended today and the last day still within retention', async () => {
      const { h } = await initialisedHarness();
      const subject = hex64();
      expect(
        (
          await submitReport(h, id.bankA, 'rep-1', subject, {
            category: 'warning',
            eventEndDate: '2026-03-01',
          })
        ).expiresOn,
      ).toBe('2031-03-01');
      expect(
        (
          await submitReport(h, id.bankA, 'rep-2', subject, {
            category: 'warning',
            eventEndDate: '2021-03-02',
          })
        ).expiresOn,
      ).toBe('2026-03-02');
    });

    it.each([
      ['more than five years before the transaction day', '2021-02-28'],
      ['exactly five years before the transaction day (the expiry day)', '2021-03-01'],
      ['long ago', '2010-07-15'],
    ])('refuses a warning whose event ended %s with RETENTION_EXPIRED', async (_what, date) => {
      const { h } = await initialisedHarness();
      await refused(
        h,
        id.bankA,
        'SubmitReport',
        reportArgs('rep-1', hex64(), { category: 'warning', eventEndDate: date }),
        'RETENTION_EXPIRED',
      );
    });

    it('measures retention from the transaction day', async () => {
      const { h } = await initialisedHarness();
      const args = reportArgs('rep-1', hex64(), { category: 'warning', eventEndDate: '2021-06-01' });
      h.advance(92 * DAY); // 2026-06-01
      await refused(h, id.bankA, 'SubmitReport', args, 'RETENTION_EXPIRED');
      ok(await h.submit(id.bankA, 'SubmitReport', args, { timestamp: T0 }));
    });

    it.each([
      ['tomorrow', '2026-03-02', 'basic'],
      ['next year', '2027-01-01', 'warning'],
    ])(
      'refuses an event end date in the future (%s) with INVALID_ARGUMENT',
      async (_what, date, category) => {
        const { h } = await initialisedHarness();
        await refused(
          h,
          id.bankA,
          'SubmitReport',
          reportArgs('rep-1', hex64(), { category, eventEndDate: date }),
          'INVALID_ARGUMENT',
        );
      },
    );

    it.each(['2026-02-30', '2026-13-01', '26-01-01', '2025-02-29', '2026-00-10', '2026-1-01', '2026/01/01'])(
      'refuses the invalid event end date %s with INVALID_ARGUMENT',
      async (date) => {
        const { h } = await initialisedHarness();
        await refused(
          h,
          id.bankA,
          'SubmitReport',
          reportArgs('rep-1', hex64(), { category: 'warning', eventEndDate: date }),
          'INVALID_ARGUMENT',
        );
      },
    );
  });

  describe('refusals', () => {
    it('refuses a report id that is already anchored with REPORT_EXISTS', async () => {
      const { h } = await initialisedHarness();
      const subject = hex64();
      await submitReport(h, id.bankA, 'rep-1', subject);
      await refused(h, id.bankA, 'SubmitReport', reportArgs('rep-1', subject), 'REPORT_EXISTS');
      await refused(h, id.pearlBank, 'SubmitReport', reportArgs('rep-1', hex64()), 'REPORT_EXISTS');
    });

    it('refuses an unconfigured category with UNKNOWN_CATEGORY', async () => {
      const { h } = await initialisedHarness();
      await refused(
        h,
        id.bankA,
        'SubmitReport',
        reportArgs('rep-1', hex64(), { category: 'mortgage' }),
        'UNKNOWN_CATEGORY',
      );
    });

    it('refuses a malformed category code with INVALID_ARGUMENT', async () => {
      const { h } = await initialisedHarness();
      for (const category of ['Basic', '', 'b', 'basic-info']) {
        await refused(
          h,
          id.bankA,
          'SubmitReport',
          reportArgs('rep-1', hex64(), { category }),
          'INVALID_ARGUMENT',
        );
      }
    });

    it('refuses a schema version the category lacks with UNKNOWN_SCHEMA_VERSION', async () => {
      const { h } = await initialisedHarness();
      for (const schemaVersion of ['2.0', '1', '1.0.0']) {
        await refused(
          h,
          id.bankA,
          'SubmitReport',
          reportArgs('rep-1', hex64(), { schemaVersion }),
          'UNKNOWN_SCHEMA_VERSION',
        );
      }
    });

    it('refuses an anchor that is not a JSON object of exactly its string fields', async () => {
      const { h } = await initialisedHarness();
      const good = JSON.parse(reportArgs('rep-1', hex64())[0] ?? '') as Record<string, unknown>;
      const missing = { ...good };
      delete missing.supersedes;
      for (const [text, reason] of [
        ['rep-1', /report must be a JSON object/],
        ['[]', /report must be a JSON object/],
        [JSON.stringify(missing), /report is missing field supersedes/],
        [JSON.stringify({ ...good, subject: 'x' }), /report has unknown field subject/],
        [JSON.stringify({ ...good, sizeBucket: 1 }), /sizeBucket must be a string/],
      ] as const) {
        const res = await h.submit(id.bankA, 'SubmitReport', [text]);
        expect(res.status).toBe(500);
        expect(res.message).toMatch(/^INVALID_ARGUMENT: /);
        expect(res.message).toMatch(reason);
      }
      const extra = await h.submit(id.bankA, 'SubmitReport', [...reportArgs('rep-1', hex64()), '']);
      expect(extra.status).toBe(500);
    });

    it('refuses a malformed schema version with INVALID_ARGUMENT', async () => {
      const { h } = await initialisedHarness();
      for (const schemaVersion of ['v1', '', '1.0.0.0', '1.']) {
        await refused(
          h,
          id.bankA,
          'SubmitReport',
          reportArgs('rep-1', hex64(), { schemaVersion }),
          'INVALID_ARGUMENT',
        );
      }
    });

    it.each(BAD_HEX)('refuses a subjectRef that is %s with INVALID_ARGUMENT', async (_what, value) => {
      const { h } = await initialisedHarness();
      await refused(h, id.bankA, 'SubmitReport', reportArgs('rep-1', value), 'INVALID_ARGUMENT');
    });

    it.each(BAD_HEX)('refuses a ciphertextHash that is %s with INVALID_ARGUMENT', async (_what, value) => {
      const { h } = await initialisedHarness();
      await refused(
        h,
        id.bankA,
        'SubmitReport',
        reportArgs('rep-1', hex64(), { ciphertextHash: value }),
        'INVALID_ARGUMENT',
      );
    });

    it.each(BAD_HEX)('refuses a commitment that is %s with INVALID_ARGUMENT', async (_what, value) => {
      const { h } = await initialisedHarness();
      await refused(
        h,
        id.bankA,
        'SubmitReport',
        reportArgs('rep-1', hex64(), { commitment: value }),
        'INVALID_ARGUMENT',
      );
    });

    it.each(['XXL', 'xs', 'm', '', 'MEDIUM'])(
      'refuses the size bucket "%s" with INVALID_ARGUMENT',
      async (sizeBucket) => {
        const { h } = await initialisedHarness();
        await refused(
          h,
          id.bankA,
          'SubmitReport',
          reportArgs('rep-1', hex64(), { sizeBucket }),
          'INVALID_ARGUMENT',
        );
      },
    );

    it.each([
      ['too short', 'r1'],
      ['empty', ''],
      ['129 characters', `r${'a'.repeat(128)}`],
      ['a slash', 'rep/1'],
      ['a space', 'rep 1'],
      ['a leading dash', '-rep-1'],
      ['a leading dot', '.rep-1'],
      ['a non-ASCII letter', 'rép-1'],
      ['a NUL character', 'rep\u00001'],
    ])('refuses a report id with %s with INVALID_ARGUMENT', async (_what, reportId) => {
      const { h } = await initialisedHarness();
      await refused(h, id.bankA, 'SubmitReport', reportArgs(reportId, hex64()), 'INVALID_ARGUMENT');
    });

    it('refuses a malformed supersedes id with INVALID_ARGUMENT', async () => {
      const { h } = await initialisedHarness();
      const subject = hex64();
      await submitReport(h, id.bankA, 'rep-1', subject);
      await refused(
        h,
        id.bankA,
        'SubmitReport',
        reportArgs('rep-2', subject, { supersedes: 'rep/1' }),
        'INVALID_ARGUMENT',
      );
    });

    it.each([
      ['a regulator', 'regulator'],
      ['an administrator', 'yangtzeAdmin'],
      ['a certificate without a role', 'noRole'],
      ['a member-MSP certificate claiming the regulator role', 'fakeRegulator'],
    ] as const)('refuses %s with ROLE_FORBIDDEN', async (_what, who) => {
      const { h } = await initialisedHarness();
      await refused(h, id[who], 'SubmitReport', reportArgs('rep-1', hex64()), 'ROLE_FORBIDDEN');
    });

    it('refuses a member-role certificate of the regulator MSP with ORG_FORBIDDEN', async () => {
      const { h } = await initialisedHarness();
      await refused(h, id.regulatorAsMember, 'SubmitReport', reportArgs('rep-1', hex64()), 'ORG_FORBIDDEN');
    });

    it('refuses a member of an MSP outside the consortium with ORG_FORBIDDEN', async () => {
      const { h } = await initialisedHarness();
      await refused(h, id.outsider, 'SubmitReport', reportArgs('rep-1', hex64()), 'ORG_FORBIDDEN');
    });

    it('refuses a member certificate without the institution attribute with IDENTITY_INCOMPLETE', async () => {
      const { h } = await initialisedHarness();
      await refused(h, id.noInstitution, 'SubmitReport', reportArgs('rep-1', hex64()), 'IDENTITY_INCOMPLETE');
    });
  });
});

describe('corrections', () => {
  it('anchors a correction that supersedes the earlier report', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const original = await submitReport(h, id.bankA, 'rep-1', subject, {
      category: 'warning',
      eventEndDate: '2025-01-10',
    });
    h.advance(DAY);
    const res = await h.submit(
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', subject, { category: 'warning', eventEndDate: '2025-01-20', supersedes: 'rep-1' }),
    );
    const correction = ok<Report>(res);
    expect(correction).toMatchObject({
      reportId: 'rep-2',
      subjectRef: subject,
      category: 'warning',
      eventEndDate: '2025-01-20',
      expiresOn: '2030-01-20',
      supersedes: 'rep-1',
      supersededBy: null,
      status: 'active',
      submittedAt: '2026-03-02T00:00:00.000000000Z',
      submitTx: res.txId,
      erasure: null,
    });
    expect(stored(h, reportKey('rep-2'))).toEqual(correction);
    expect(stored(h, subjectIndexKey(subject, 'rep-2'))).toEqual({ reportId: 'rep-2' });

    // the earlier report keeps everything but its status and the link to its correction
    const old = stored<Report>(h, reportKey('rep-1'));
    expect(old).toEqual({ ...original, status: 'superseded', supersededBy: 'rep-2' });
    expect(ok<Report>(await h.evaluate(id.pearlBank, 'GetReport', ['rep-1']))).toEqual(old);
  });

  it('records CORRECTED on the correction and SUPERSEDED on the earlier report', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const first = await h.submit(id.bankA, 'SubmitReport', reportArgs('rep-1', subject));
    ok(first);
    h.advance(60);
    const res = await h.submit(
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', subject, { supersedes: 'rep-1' }),
    );
    ok(res);
    const common = {
      txId: res.txId,
      timestamp: '2026-03-01T00:01:00.000000000Z',
      actor: BANK_A_ACTOR,
      receiptId: null,
      purpose: null,
      reason: null,
      supervisory: false,
    };
    expect(await trailOf(h, id.bankA, 'rep-2')).toEqual([
      { ...common, reportId: 'rep-2', kind: 'CORRECTED', relatedReportId: 'rep-1' },
    ]);
    const oldTrail = await trailOf(h, id.bankA, 'rep-1');
    expect(oldTrail.map((e) => [e.kind, e.txId, e.relatedReportId])).toEqual([
      ['SUBMITTED', first.txId, null],
      ['SUPERSEDED', res.txId, 'rep-2'],
    ]);
    expect(oldTrail[1]).toEqual({
      ...common,
      reportId: 'rep-1',
      kind: 'SUPERSEDED',
      relatedReportId: 'rep-2',
    });
  });

  it('emits ReportCorrected without the subject', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    const res = await h.submit(
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', subject, { supersedes: 'rep-1' }),
    );
    ok(res);
    expect(eventOf(h, res, subject)).toEqual({
      name: 'ReportCorrected',
      payload: { category: 'basic', providerMsp: 'YangtzeMSP', reportId: 'rep-2', supersedes: 'rep-1' },
    });
  });

  it('lets another officer of the providing institution correct, and a correction be corrected', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.pearlBank, 'rep-1', subject);
    const second = await submitReport(h, id.pearlBank2, 'rep-2', subject, { supersedes: 'rep-1' });
    expect(second.provider).toEqual({ mspId: 'PearlMSP', institution: 'PEARL-1' });
    expect(second.submittedBy).toEqual({
      mspId: 'PearlMSP',
      institution: 'PEARL-1',
      id: certId('officer2', 'client', 'PearlMSP'),
    });
    const third = await submitReport(h, id.pearlBank, 'rep-3', subject, { supersedes: 'rep-2' });
    expect(third.supersedes).toBe('rep-2');
    expect(stored<Report>(h, reportKey('rep-2'))).toMatchObject({
      status: 'superseded',
      supersedes: 'rep-1',
      supersededBy: 'rep-3',
    });
    expect(stored<Report>(h, reportKey('rep-1'))).toMatchObject({
      status: 'superseded',
      supersededBy: 'rep-2',
    });
  });

  it('refuses another institution of the same MSP with NOT_PROVIDER', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    await refused(
      h,
      id.bankB,
      'SubmitReport',
      reportArgs('rep-2', subject, { supersedes: 'rep-1' }),
      'NOT_PROVIDER',
    );
  });

  it('refuses a member of another MSP with NOT_PROVIDER', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    await refused(
      h,
      id.pearlBank,
      'SubmitReport',
      reportArgs('rep-2', subject, { supersedes: 'rep-1' }),
      'NOT_PROVIDER',
    );
  });

  it('refuses a correction about a different subject with CORRECTION_MISMATCH', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', hex64(), { supersedes: 'rep-1' }),
      'CORRECTION_MISMATCH',
    );
  });

  it('refuses a correction of a different category with CORRECTION_MISMATCH', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', subject, { category: 'business', supersedes: 'rep-1' }),
      'CORRECTION_MISMATCH',
    );
  });

  it('refuses to supersede a report that was already superseded with REPORT_SUPERSEDED', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    await submitReport(h, id.bankA, 'rep-2', subject, { supersedes: 'rep-1' });
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-3', subject, { supersedes: 'rep-1' }),
      'REPORT_SUPERSEDED',
    );
  });

  it('refuses to supersede an erased report with REPORT_ERASED', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    ok(await h.submit(id.bankA, 'EraseReport', ['rep-1', 'DATA_ERROR']));
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', subject, { supersedes: 'rep-1' }),
      'REPORT_ERASED',
    );
  });

  it('refuses to supersede a report that does not exist with REPORT_NOT_FOUND', async () => {
    const { h } = await initialisedHarness();
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', hex64(), { supersedes: 'rep-1' }),
      'REPORT_NOT_FOUND',
    );
  });

  it('refuses a correction whose own id is already anchored with REPORT_EXISTS', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    await submitReport(h, id.bankA, 'rep-2', subject);
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', subject, { supersedes: 'rep-1' }),
      'REPORT_EXISTS',
    );
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-1', subject, { supersedes: 'rep-1' }),
      'REPORT_EXISTS',
    );
  });
});

describe('EraseReport', () => {
  it('turns the report into a tombstone that keeps its hashes', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const original = await submitReport(h, id.bankA, 'rep-1', subject, {
      category: 'warning',
      eventEndDate: '2025-05-05',
    });
    h.advance(DAY);
    const res = await h.submit(id.bankA, 'EraseReport', ['rep-1', 'SUBJECT_REQUEST'], {
      timestampNanos: 5,
    });
    const erased = ok<Report>(res);
    expect(erased).toEqual({
      ...original,
      status: 'erased',
      erasure: {
        reason: 'SUBJECT_REQUEST',
        at: '2026-03-02T00:00:00.000000005Z',
        tx: res.txId,
        by: BANK_A_ACTOR,
      },
    });
    expect(erased.ciphertextHash).toBe(original.ciphertextHash);
    expect(erased.commitment).toBe(original.commitment);
    expect(storedText(h, reportKey('rep-1'))).toBe(sortedJson(erased));
    expect(ok<Report>(await h.evaluate(id.regulator, 'GetReport', ['rep-1']))).toEqual(erased);
  });

  it('records an ERASED entry with the reason in the trail', async () => {
    const { h } = await initialisedHarness();
    const first = await h.submit(id.bankA, 'SubmitReport', reportArgs('rep-1', hex64()));
    ok(first);
    h.advance(DAY);
    const res = await h.submit(id.bankA, 'EraseReport', ['rep-1', 'LEGAL_ORDER']);
    ok(res);
    expect(await trailOf(h, id.bankA, 'rep-1')).toEqual([
      expect.objectContaining({ kind: 'SUBMITTED', txId: first.txId }),
      {
        reportId: 'rep-1',
        kind: 'ERASED',
        txId: res.txId,
        timestamp: '2026-03-02T00:00:00.000000000Z',
        actor: BANK_A_ACTOR,
        receiptId: null,
        relatedReportId: null,
        purpose: null,
        reason: 'LEGAL_ORDER',
        supervisory: false,
      },
    ]);
  });

  it('emits ReportErased without the subject', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    const res = await h.submit(id.bankA, 'EraseReport', ['rep-1', 'PROVIDER_WITHDRAWAL']);
    ok(res);
    expect(eventOf(h, res, subject)).toEqual({
      name: 'ReportErased',
      payload: { providerMsp: 'YangtzeMSP', reason: 'PROVIDER_WITHDRAWAL', reportId: 'rep-1' },
    });
  });

  it.each(['SUBJECT_REQUEST', 'RETENTION_EXPIRED', 'DATA_ERROR', 'LEGAL_ORDER', 'PROVIDER_WITHDRAWAL'])(
    'accepts the reason %s',
    async (reason) => {
      const { h } = await initialisedHarness();
      await submitReport(h, id.bankA, 'rep-1', hex64());
      expect(ok<Report>(await h.submit(id.bankA, 'EraseReport', ['rep-1', reason])).erasure?.reason).toBe(
        reason,
      );
    },
  );

  it('lets another officer of the providing institution erase', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.pearlBank, 'rep-1', hex64());
    const erased = ok<Report>(await h.submit(id.pearlBank2, 'EraseReport', ['rep-1', 'DATA_ERROR']));
    expect(erased.status).toBe('erased');
    expect(erased.erasure?.by).toEqual({
      mspId: 'PearlMSP',
      institution: 'PEARL-1',
      id: certId('officer2', 'client', 'PearlMSP'),
    });
  });

  it('erases a superseded version and keeps its link to the correction', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    const correction = await submitReport(h, id.bankA, 'rep-2', subject, { supersedes: 'rep-1' });
    const erased = ok<Report>(await h.submit(id.bankA, 'EraseReport', ['rep-1', 'DATA_ERROR']));
    expect(erased).toMatchObject({ status: 'erased', supersededBy: 'rep-2' });
    expect(stored(h, reportKey('rep-2'))).toEqual(correction);
  });

  it('refuses another institution of the same MSP with NOT_PROVIDER', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    await refused(h, id.bankB, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'NOT_PROVIDER');
  });

  it('refuses a member of another MSP with NOT_PROVIDER', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    await refused(h, id.pearlBank, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'NOT_PROVIDER');
    await refused(h, id.jjjBank, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'NOT_PROVIDER');
  });

  it.each([
    ['a regulator', 'regulator'],
    ['an administrator of the providing MSP', 'yangtzeAdmin'],
    ['a certificate without a role', 'noRole'],
  ] as const)('refuses %s with ROLE_FORBIDDEN', async (_what, who) => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    await refused(h, id[who], 'EraseReport', ['rep-1', 'LEGAL_ORDER'], 'ROLE_FORBIDDEN');
  });

  it('refuses callers outside the member organisations with ORG_FORBIDDEN', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    await refused(h, id.outsider, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'ORG_FORBIDDEN');
    await refused(h, id.regulatorAsMember, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'ORG_FORBIDDEN');
  });

  it('refuses a member certificate without the institution attribute with IDENTITY_INCOMPLETE', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    await refused(h, id.noInstitution, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'IDENTITY_INCOMPLETE');
  });

  it('refuses to erase twice with REPORT_ERASED', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    ok(await h.submit(id.bankA, 'EraseReport', ['rep-1', 'DATA_ERROR']));
    await refused(h, id.bankA, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'REPORT_ERASED');
    await refused(h, id.bankA, 'EraseReport', ['rep-1', 'SUBJECT_REQUEST'], 'REPORT_ERASED');
  });

  it('refuses a report that does not exist with REPORT_NOT_FOUND', async () => {
    const { h } = await initialisedHarness();
    await refused(h, id.bankA, 'EraseReport', ['rep-1', 'DATA_ERROR'], 'REPORT_NOT_FOUND');
  });

  it.each(['', 'subject_request', 'OTHER', 'DATA_ERROR '])(
    'refuses the reason "%s" with INVALID_ARGUMENT',
    async (reason) => {
      const { h } = await initialisedHarness();
      await submitReport(h, id.bankA, 'rep-1', hex64());
      await refused(h, id.bankA, 'EraseReport', ['rep-1', reason], 'INVALID_ARGUMENT');
    },
  );

  it('refuses a malformed report id with INVALID_ARGUMENT', async () => {
    const { h } = await initialisedHarness();
    for (const reportId of ['', 'r1', 'rep/1']) {
      await refused(h, id.bankA, 'EraseReport', [reportId, 'DATA_ERROR'], 'INVALID_ARGUMENT');
    }
  });
});

describe('GetReport', () => {
  it.each([
    ['the provider', 'bankA'],
    ['another institution of the same MSP', 'bankB'],
    ['a member of another MSP', 'pearlBank'],
    ['a member of a third MSP', 'jjjBank'],
    ['a regulator', 'regulator'],
    ['an administrator', 'pearlAdmin'],
  ] as const)('shows the anchor to %s without changing the ledger', async (_what, who) => {
    const { h } = await initialisedHarness();
    const report = await submitReport(h, id.bankA, 'rep-1', hex64());
    const before = h.ledger.snapshot();
    const res = await h.evaluate(id[who], 'GetReport', ['rep-1']);
    expect(ok<Report>(res)).toEqual(report);
    expect(res.committed).toBe(false);
    expect(h.ledger.snapshot()).toBe(before);
  });

  it('refuses a report that does not exist with REPORT_NOT_FOUND', async () => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.pearlBank, 'GetReport', ['rep-1'], 'REPORT_NOT_FOUND');
  });

  it('refuses a malformed report id with INVALID_ARGUMENT', async () => {
    const { h } = await initialisedHarness();
    for (const reportId of ['', 'r1', 'rep 1', `r${'a'.repeat(128)}`]) {
      await queryRefused(h, id.pearlBank, 'GetReport', [reportId], 'INVALID_ARGUMENT');
    }
  });

  it('refuses callers that are not participants', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    await queryRefused(h, id.outsider, 'GetReport', ['rep-1'], 'ORG_FORBIDDEN');
    await queryRefused(h, id.noRole, 'GetReport', ['rep-1'], 'ROLE_FORBIDDEN');
    await queryRefused(h, id.fakeRegulator, 'GetReport', ['rep-1'], 'ORG_FORBIDDEN');
  });
});

describe('ListReportsBySubject', () => {
  it('pages through every report of the subject exactly once, and only those', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const other = hex64();
    const providers = [id.bankA, id.bankB, id.pearlBank, id.jjjBank];
    const expected: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const reportId = `rep-${String(i).padStart(2, '0')}`;
      expected.push(reportId);
      await submitReport(h, providers[i % providers.length]!, reportId, subject);
      // reports of other subjects, interleaved by id and by time
      await submitReport(h, id.bankA, `${reportId}-x`, other);
      await submitReport(h, id.pearlBank, `zz-${i}`, hex64());
    }

    const before = h.ledger.snapshot();
    const pages: ReportPage[] = [];
    let bookmark = '';
    do {
      const page = ok<ReportPage>(
        await h.evaluate(id.regulator, 'ListReportsBySubject', [subject, '5', bookmark]),
      );
      pages.push(page);
      bookmark = page.bookmark;
    } while (bookmark !== '' && pages.length < 10);

    expect(pages.map((p) => p.records.length)).toEqual([5, 5, 2]);
    expect(pages.map((p) => p.fetchedCount)).toEqual([5, 5, 2]);
    expect(pages[0]!.bookmark).not.toBe('');
    expect(pages[1]!.bookmark).not.toBe('');
    expect(pages[1]!.bookmark).not.toBe(pages[0]!.bookmark);
    expect(pages[2]!.bookmark).toBe('');
    const records = pages.flatMap((p) => p.records);
    expect(records.map((r) => r.reportId)).toEqual(expected);
    for (const r of records) {
      expect(r.subjectRef).toBe(subject);
      expect(r).toEqual(stored(h, reportKey(r.reportId)));
    }
    expect(h.ledger.snapshot()).toBe(before);
  });

  it('lists erased and superseded versions with their status', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    await submitReport(h, id.bankA, 'rep-2', subject, { supersedes: 'rep-1' });
    await submitReport(h, id.bankA, 'rep-3', subject);
    ok(await h.submit(id.bankA, 'EraseReport', ['rep-3', 'SUBJECT_REQUEST']));
    const page = ok<ReportPage>(await h.evaluate(id.pearlBank, 'ListReportsBySubject', [subject, '100', '']));
    expect(page.records.map((r) => [r.reportId, r.status])).toEqual([
      ['rep-1', 'superseded'],
      ['rep-2', 'active'],
      ['rep-3', 'erased'],
    ]);
    expect(page.bookmark).toBe('');
  });

  it('ends cleanly when the report count is a multiple of the page size', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const expected: string[] = [];
    for (let i = 1; i <= 10; i++) {
      expected.push(`rep-${String(i).padStart(2, '0')}`);
      await submitReport(h, id.bankA, expected[i - 1]!, subject);
    }
    const seen: string[] = [];
    let bookmark = '';
    let calls = 0;
    do {
      const page = ok<ReportPage>(
        await h.evaluate(id.pearlBank, 'ListReportsBySubject', [subject, '5', bookmark]),
      );
      seen.push(...page.records.map((r) => r.reportId));
      bookmark = page.bookmark;
      calls++;
    } while (bookmark !== '' && calls < 10);
    expect(seen).toEqual(expected);
    expect(bookmark).toBe('');
  });

  it('returns an empty page for a subject without reports', async () => {
    const { h } = await initialisedHarness();
    await submitReport(h, id.bankA, 'rep-1', hex64());
    const page = ok<ReportPage>(await h.evaluate(id.bankA, 'ListReportsBySubject', [hex64(), '10', '']));
    expect(page).toEqual({ records: [], bookmark: '', fetchedCount: 0 });
  });

  it('accepts page sizes 1 and 100', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    await submitReport(h, id.bankA, 'rep-1', subject);
    await submitReport(h, id.bankA, 'rep-2', subject);
    const one = ok<ReportPage>(await h.evaluate(id.bankA, 'ListReportsBySubject', [subject, '1', '']));
    expect(one.records.map((r) => r.reportId)).toEqual(['rep-1']);
    expect(one.bookmark).not.toBe('');
    const rest = ok<ReportPage>(
      await h.evaluate(id.bankA, 'ListReportsBySubject', [subject, '1', one.bookmark]),
    );
    expect(rest.records.map((r) => r.reportId)).toEqual(['rep-2']);
    const all = ok<ReportPage>(await h.evaluate(id.bankA, 'ListReportsBySubject', [subject, '100', '']));
    expect(all.records.map((r) => r.reportId)).toEqual(['rep-1', 'rep-2']);
  });

  it.each(['0', '101', 'abc', '', '-1', '1.5', '05', '1000'])(
    'refuses the page size "%s" with INVALID_ARGUMENT',
    async (pageSize) => {
      const { h } = await initialisedHarness();
      await queryRefused(h, id.bankA, 'ListReportsBySubject', [hex64(), pageSize, ''], 'INVALID_ARGUMENT');
    },
  );

  it.each(BAD_HEX)('refuses a subjectRef that is %s with INVALID_ARGUMENT', async (_what, value) => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.bankA, 'ListReportsBySubject', [value, '10', ''], 'INVALID_ARGUMENT');
  });

  it('refuses callers that are not participants', async () => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.outsider, 'ListReportsBySubject', [hex64(), '10', ''], 'ORG_FORBIDDEN');
    await queryRefused(h, id.noRole, 'ListReportsBySubject', [hex64(), '10', ''], 'ROLE_FORBIDDEN');
  });
});

describe('report history', () => {
  it('keeps every version of a corrected and erased report, newest first', async () => {
    const { h } = await initialisedHarness();
    const subject = hex64();
    const submitted = await h.submit(id.bankA, 'SubmitReport', reportArgs('rep-1', subject));
    const v1 = ok<Report>(submitted);
    h.advance(DAY);
    const corrected = await h.submit(
      id.bankA,
      'SubmitReport',
      reportArgs('rep-2', subject, { supersedes: 'rep-1' }),
    );
    ok(corrected);
    h.advance(DAY);
    const erasedRes = await h.submit(id.bankA, 'EraseReport', ['rep-1', 'DATA_ERROR']);
    const v3 = ok<Report>(erasedRes);

    // Fabric's GetHistoryForKey returns the newest modification first; the harness stores oldest first.
    const history = h.ledger.history(reportKey('rep-1')).reverse();
    expect(history.map((e) => e.txId)).toEqual([erasedRes.txId, corrected.txId, submitted.txId]);
    expect(history.map((e) => e.isDelete)).toEqual([false, false, false]);
    expect(history.map((e) => e.timestamp.seconds)).toEqual([T0 + 2 * DAY, T0 + DAY, T0]);
    const versions = history.map((e) => JSON.parse(e.value.toString('utf8')) as Report);
    expect(versions).toEqual([v3, { ...v1, status: 'superseded', supersededBy: 'rep-2' }, v1]);
    expect(versions.map((v) => v.status)).toEqual(['erased', 'superseded', 'active']);
    // the tombstone is still the current state: the anchor was never deleted
    expect(stored(h, reportKey('rep-1'))).toEqual(v3);
    expect(v3.ciphertextHash).toBe(v1.ciphertextHash);
    expect(v3.commitment).toBe(v1.commitment);
  });
});
