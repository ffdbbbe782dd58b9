import { randomBytes } from 'node:crypto';
import type {
  Actor,
  Consent,
  ConsortiumConfig,
  Party,
  Receipt,
  Report,
  TrailEntry,
} from '../../../../chaincode/src/model.js';
import { formatInstant } from '../../../../chaincode/src/time.js';
import { actorOfCreator } from '../actor.js';
import { endorserTx, TestCa, type TestCert, type TestWrite } from './blocks.js';

/*
 * Test-only: the write sets the credit contract commits for the transactions the audit indexes
 * (records and trail entries as `chaincode/README.md` "Key schema" lays them out), built from the
 * contract's own model types, as endorser transactions ready to put into blocks.
 */

export const composite = (type: string, ...attrs: string[]): string =>
  `\u0000${type}\u0000${attrs.map((a) => `${a}\u0000`).join('')}`;

const ordered = (index: string, partition: string, instant: string, id: string): string =>
  `idx\u0001${index}\u0001${partition}\u0001${instant}\u0001${id}`;

export const hex64 = (): string => randomBytes(32).toString('hex');

/** An officer: the actor the contract records and the certificate that signs. */
export interface TestOfficer {
  readonly actor: Actor;
  readonly cert: TestCert;
}

/** A committed-to-be transaction. */
export interface TestTx {
  readonly txId: string;
  readonly time: string;
  readonly envelope: Uint8Array;
}

export const CONFIG: ConsortiumConfig = {
  adminMsps: ['YangtzeMSP'],
  alliances: [
    { code: 'yangtze', name: 'Yangtze' },
    { code: 'pearl', name: 'Pearl' },
  ],
  organisations: [
    { mspId: 'YangtzeMSP', alliance: 'yangtze', kind: 'member', businessPurposes: ['loan_underwriting'] },
    {
      mspId: 'PearlMSP',
      alliance: 'pearl',
      kind: 'member',
      businessPurposes: ['loan_underwriting', 'guarantee_review'],
    },
    { mspId: 'JingJinJiMSP', alliance: 'pearl', kind: 'member', businessPurposes: ['loan_underwriting'] },
    { mspId: 'RegulatorMSP', alliance: null, kind: 'regulator', businessPurposes: ['supervision'] },
  ],
  categories: [
    { code: 'business', name: 'Business', adverse: false, retentionYears: null, schemaVersions: ['1.0'] },
  ],
  purposes: [
    { code: 'loan_underwriting', name: 'Loans', supervisory: false },
    { code: 'guarantee_review', name: 'Guarantees', supervisory: false },
    { code: 'supervision', name: 'Supervision', supervisory: true },
  ],
  version: 1,
  updatedAt: '2026-01-01T00:00:00.000000000Z',
  updatedTx: 'genesis',
};

/** The contract's state, and the transactions that change it. */
export class TestContract {
  readonly reports = new Map<string, Report>();
  readonly receipts = new Map<string, Receipt>();
  readonly consents = new Map<string, Consent>();
  #clock: number;

  constructor(start = Date.parse('2026-03-01T09:00:00Z')) {
    this.#clock = start;
  }

  /** Moves the transaction clock forward. */
  advance(seconds: number): void {
    this.#clock += seconds * 1000;
  }

  /** Applies `make(time, txId)` to get the writes once time and id are known. */
  #txWith(
    by: TestOfficer,
    make: (time: string, txId: string) => { writes: TestWrite[]; event: { name: string; payload: unknown } },
  ): TestTx {
    const txId = hex64();
    const date = new Date(this.#clock);
    this.#clock += 1000;
    const time = formatInstant({
      seconds: Math.floor(date.getTime() / 1000),
      nanos: (date.getTime() % 1000) * 1e6,
    });
    const { writes, event } = make(time, txId);
    return {
      txId,
      time,
      envelope: endorserTx({
        txId,
        time: date,
        creator: { mspId: by.actor.mspId, certPem: by.cert.certPem },
        writes,
        event,
      }),
    };
  }

  configure(by: TestOfficer, config: ConsortiumConfig = CONFIG): TestTx {
    return this.#txWith(by, () => ({
      writes: [{ key: composite('config'), value: config }],
      event: { name: 'ConsortiumConfigured', payload: { version: config.version } },
    }));
  }

  #trail(
    reportId: string,
    kind: string,
    time: string,
    txId: string,
    actor: Actor,
    details: Partial<TrailEntry> = {},
  ): TestWrite {
    const entry: TrailEntry = {
      reportId,
      kind,
      txId,
      timestamp: time,
      actor,
      receiptId: details.receiptId ?? null,
      relatedReportId: details.relatedReportId ?? null,
      purpose: details.purpose ?? null,
      reason: details.reason ?? null,
      supervisory: details.supervisory ?? false,
    };
    return { key: ordered('trail', reportId, time, txId), value: entry };
  }

  submit(by: TestOfficer, reportId: string, subjectRef: string, supersedes?: string): TestTx {
    return this.#txWith(by, (time, txId) => {
      const provider: Party = { mspId: by.actor.mspId, institution: by.actor.institution ?? '' };
      const report: Report = {
        reportId,
        subjectRef,
        category: 'business',
        schemaVersion: '1.0',
        ciphertextHash: hex64(),
        commitment: hex64(),
        sizeBucket: 'XS',
        eventEndDate: null,
        expiresOn: null,
        supersedes: supersedes ?? null,
        supersededBy: null,
        provider,
        submittedBy: by.actor,
        submittedAt: time,
        submitTx: txId,
        status: 'active',
        erasure: null,
      };
      this.reports.set(reportId, report);
      const writes: TestWrite[] = [
        { key: composite('report', reportId), value: report },
        { key: composite('report~subject', subjectRef, reportId), value: { reportId } },
      ];
      if (supersedes !== undefined) {
        const previous = this.reports.get(supersedes);
        if (!previous) throw new Error(`no report ${supersedes}`);
        const superseded: Report = { ...previous, status: 'superseded', supersededBy: reportId };
        this.reports.set(supersedes, superseded);
        writes.push({ key: composite('report', supersedes), value: superseded });
        writes.push(
          this.#trail(supersedes, 'SUPERSEDED', time, txId, by.actor, { relatedReportId: reportId }),
        );
        writes.push(
          this.#trail(reportId, 'CORRECTED', time, txId, by.actor, { relatedReportId: supersedes }),
        );
      } else writes.push(this.#trail(reportId, 'SUBMITTED', time, txId, by.actor));
      return {
        writes,
        event: {
          name: supersedes === undefined ? 'ReportSubmitted' : 'ReportCorrected',
          payload: {
            reportId,
            category: 'business',
            providerMsp: provider.mspId,
            supersedes: supersedes ?? null,
          },
        },
      };
    });
  }

  erase(by: TestOfficer, reportId: string, reason = 'SUBJECT_REQUEST'): TestTx {
    return this.#txWith(by, (time, txId) => {
      const report = this.reports.get(reportId);
      if (!report) throw new Error(`no report ${reportId}`);
      const erased: Report = {
        ...report,
        status: 'erased',
        erasure: { reason, at: time, tx: txId, by: by.actor },
      };
      this.reports.set(reportId, erased);
      return {
        writes: [
          { key: composite('report', reportId), value: erased },
          this.#trail(reportId, 'ERASED', time, txId, by.actor, { reason }),
        ],
        event: { name: 'ReportErased', payload: { reportId, providerMsp: report.provider.mspId, reason } },
      };
    });
  }

  recordConsent(
    by: TestOfficer,
    subjectRef: string,
    purpose = 'loan_underwriting',
  ): TestTx & { consentId: string } {
    const consentId = hex64();
    const tx = this.#txWith(by, (time, txId) => {
      const consent: Consent = {
        consentId,
        subjectRef,
        signer: '0x0000000000000000000000000000000000000001',
        grantee: { mspId: by.actor.mspId, institution: by.actor.institution ?? '' },
        categories: ['business'],
        purpose,
        notBefore: 0,
        notAfter: 4_000_000_000,
        maxUses: 100,
        uses: 0,
        nonce: hex64(),
        signature: '0x',
        status: 'active',
        recordedAt: time,
        recordedTx: txId,
        recordedBy: by.actor,
        revocation: null,
      };
      this.consents.set(consentId, consent);
      return {
        writes: [
          { key: composite('consent', consentId), value: consent },
          { key: composite('consent~subject', subjectRef, consentId), value: { consentId } },
        ],
        event: { name: 'ConsentRecorded', payload: { consentId, granteeMsp: by.actor.mspId, purpose } },
      };
    });
    return { ...tx, consentId };
  }

  revokeConsent(by: TestOfficer, consentId: string): TestTx {
    return this.#txWith(by, (time, txId) => {
      const consent = this.consents.get(consentId);
      if (!consent) throw new Error(`no consent ${consentId}`);
      const revoked: Consent = {
        ...consent,
        status: 'revoked',
        revocation: { at: time, tx: txId, by: 'grantee' },
      };
      this.consents.set(consentId, revoked);
      return {
        writes: [{ key: composite('consent', consentId), value: revoked }],
        event: {
          name: 'ConsentRevoked',
          payload: { consentId, by: 'grantee', granteeMsp: consent.grantee.mspId },
        },
      };
    });
  }

  /** `RequestAccess` (or `RecordSupervisoryAccess`): granted unless `denial` is given or the report is missing. */
  request(
    by: TestOfficer,
    reportId: string,
    options: {
      purpose?: string;
      denial?: string;
      consentId?: string;
      supervisory?: boolean;
      requestId?: string;
    } = {},
  ): TestTx & { receiptId: string } {
    const tx = this.#txWith(by, (time, txId) => {
      const report = this.reports.get(reportId);
      const denial = report ? options.denial : 'REPORT_NOT_FOUND';
      const supervisory = options.supervisory ?? false;
      const receipt: Receipt = {
        receiptId: txId,
        requestId: options.requestId ?? `req-${txId.slice(0, 12)}`,
        reportId,
        consentId: supervisory ? null : (options.consentId ?? hex64()),
        purpose: options.purpose ?? (supervisory ? 'supervision' : 'loan_underwriting'),
        requester: by.actor,
        provider: report ? report.provider : null,
        subjectRef: report ? report.subjectRef : null,
        category: report ? report.category : null,
        outcome: denial === undefined ? 'granted' : 'denied',
        reason: denial ?? (supervisory ? 'SUPERVISORY' : 'CONSENT'),
        supervisory,
        caseReference: supervisory ? 'CASE-1' : null,
        useNumber: denial === undefined && !supervisory ? 1 : null,
        requestedAt: time,
        delivery: null,
      };
      this.receipts.set(txId, receipt);
      const ref = { receiptId: txId };
      const writes: TestWrite[] = [
        { key: composite('receipt', txId), value: receipt },
        { key: composite('receipt~request', by.actor.mspId, receipt.requestId), value: ref },
        { key: ordered('rcpt-requester', by.actor.mspId, time, txId), value: ref },
        { key: ordered('rcpt-time', '', time, txId), value: ref },
      ];
      if (report) {
        writes.push({ key: ordered('rcpt-provider', report.provider.mspId, time, txId), value: ref });
        writes.push({ key: ordered('rcpt-subject', report.subjectRef, time, txId), value: ref });
        writes.push(
          this.#trail(
            reportId,
            receipt.outcome === 'granted' ? 'ACCESS_GRANTED' : 'ACCESS_DENIED',
            time,
            txId,
            by.actor,
            {
              receiptId: txId,
              purpose: receipt.purpose,
              reason: receipt.reason,
              supervisory,
            },
          ),
        );
      }
      return {
        writes,
        event: {
          name: 'AccessRecorded',
          payload: { receiptId: txId, reportId, outcome: receipt.outcome, reason: receipt.reason },
        },
      };
    });
    return { ...tx, receiptId: tx.txId };
  }

  deliver(by: TestOfficer, receiptId: string): TestTx {
    return this.#txWith(by, (time, txId) => {
      const receipt = this.receipts.get(receiptId);
      if (!receipt) throw new Error(`no receipt ${receiptId}`);
      const delivered: Receipt = { ...receipt, delivery: { at: time, tx: txId, by: by.actor } };
      this.receipts.set(receiptId, delivered);
      return {
        writes: [
          { key: composite('receipt', receiptId), value: delivered },
          this.#trail(receipt.reportId, 'DELIVERED', time, txId, by.actor, {
            receiptId,
            purpose: receipt.purpose,
            supervisory: receipt.supervisory,
          }),
        ],
        event: { name: 'DeliveryRecorded', payload: { receiptId, reportId: receipt.reportId } },
      };
    });
  }
}

/** Officers of the test consortium, each with a certificate of its organisation's CA. */
export interface TestOfficers {
  readonly admin: TestOfficer;
  readonly yangtze: TestOfficer;
  readonly pearl: TestOfficer;
  readonly jingjinji: TestOfficer;
  readonly regulator: TestOfficer;
}

/** Issues the officers (actors as the contract records them: `x509::<subject>::<issuer>`). */
export async function testOfficers(): Promise<TestOfficers> {
  const officer = async (
    mspId: string,
    name: string,
    attrs: Record<string, string>,
  ): Promise<TestOfficer> => {
    const ca = await TestCa.create(mspId);
    const cert = await ca.issue(name, attrs);
    return { actor: actorOfCreator(mspId, cert.certPem), cert };
  };
  return {
    admin: await officer('YangtzeMSP', 'Admin@yangtze', { role: 'admin' }),
    yangtze: await officer('YangtzeMSP', 'User1@yangtze', { role: 'member', institution: 'YRD-BANK-01' }),
    pearl: await officer('PearlMSP', 'User1@pearl', { role: 'member', institution: 'PRD-BANK-01' }),
    jingjinji: await officer('JingJinJiMSP', 'User1@jingjinji', {
      role: 'member',
      institution: 'JJJ-BANK-01',
    }),
    regulator: await officer('RegulatorMSP', 'Regulator1@regulator', { role: 'regulator' }),
  };
}
