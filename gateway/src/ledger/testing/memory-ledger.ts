import { createHash } from 'node:crypto';
import {
  CONSENT_TYPES,
  SIGNER_BINDING_TYPES,
  consentDigest,
  recoverSigner,
  type ConsentMessage,
} from '../../crypto/eip712-consent.js';
import type {
  AccessRequestInput,
  DeliveryInput,
  Ledger,
  LedgerUser,
  PageRequest,
  ReportAnchorInput,
} from '../../ports/ledger.js';
import { LedgerError, type LedgerErrorCode } from '../../ports/ledger-error.js';
import type {
  Committed,
  LedgerConsent,
  LedgerConsortium,
  LedgerOrgProfile,
  LedgerPage,
  LedgerReceipt,
  LedgerReport,
  LedgerSubject,
  TxCommitStatus,
} from '../../ports/ledger-records.js';

/*
 * A fake of the credit contract for unit tests of the gateway's services: the same results and
 * refusal codes for the paths the services use, no endorsement, no blocks on disk. Every call is
 * logged with the acting user so tests can check who signed what. Not a second contract: scenario
 * tests run the real one on the emulator.
 */

/** Who a fake wallet user is on the ledger. */
export interface FakeActor {
  readonly mspId: string;
  readonly institution: string | null;
  readonly role: 'member' | 'regulator' | 'admin';
  /** The id Fabric records (`x509::<subject>::<issuer>`); the user name when absent. */
  readonly id?: string;
}

/** One logged call. */
export interface FakeCall {
  readonly user: LedgerUser;
  readonly transaction: string;
}

const CATEGORIES = ['basic', 'business', 'credit_enhancement', 'warning', 'asset'];

/** The fake; `unavailable = true` makes every call fail with `LEDGER_UNAVAILABLE`. */
export class MemoryLedger implements Ledger {
  readonly channel: string;
  readonly calls: FakeCall[] = [];
  unavailable = false;
  readonly #actors: ReadonlyMap<LedgerUser, FakeActor>;
  readonly #reports = new Map<string, LedgerReport>();
  readonly #subjects = new Map<string, LedgerSubject>();
  readonly #consents = new Map<string, LedgerConsent>();
  readonly #receipts = new Map<string, LedgerReceipt>();
  readonly #orgs = new Map<string, LedgerOrgProfile>();
  readonly #txs = new Map<string, number>();
  #height = 1;

  constructor(actors: Readonly<Record<LedgerUser, FakeActor>>, channel = 'creditchain') {
    this.#actors = new Map(Object.entries(actors));
    this.channel = channel;
  }

  /** Publishes an organisation key (as its admin would). */
  publishOrgKey(mspId: string, keyId: string, publicKey: string, suite: string): void {
    const at = new Date(0).toISOString();
    const previous = this.#orgs.get(mspId)?.keys ?? [];
    this.#orgs.set(mspId, {
      mspId,
      activeKeyId: keyId,
      keys: [
        ...previous.map((k) => ({ ...k, status: 'retired' as const, retiredAt: at })),
        { keyId, suite, publicKey, status: 'active', publishedAt: at, publishedTx: 'tx', retiredAt: null },
      ],
    });
  }

  /** The stored report, for assertions (no user, no log). */
  peekReport(reportId: string): LedgerReport | undefined {
    return this.#reports.get(reportId);
  }

  submitReport(as: LedgerUser, input: ReportAnchorInput): Promise<Committed<LedgerReport>> {
    return this.#submit(as, 'SubmitReport', (actor, tx, at) => {
      if (!CATEGORIES.includes(input.category)) fail('UNKNOWN_CATEGORY', `no category ${input.category}`);
      if (input.schemaVersion !== '1.0') fail('UNKNOWN_SCHEMA_VERSION', `no version ${input.schemaVersion}`);
      if (this.#reports.has(input.reportId)) fail('REPORT_EXISTS', `report ${input.reportId} already exists`);
      const provider = party(actor);
      let previous: LedgerReport | undefined;
      if (input.supersedes !== undefined) {
        previous = this.#reports.get(input.supersedes);
        if (!previous) fail('REPORT_NOT_FOUND', `report ${input.supersedes} does not exist`);
        if (
          previous.provider.mspId !== provider.mspId ||
          previous.provider.institution !== provider.institution
        )
          fail('NOT_PROVIDER', 'only the institution that provided the report may do this');
        if (previous.status === 'erased') fail('REPORT_ERASED', 'the report was erased');
        if (previous.status === 'superseded') fail('REPORT_SUPERSEDED', 'the report was superseded');
        if (previous.subjectRef !== input.subjectRef || previous.category !== input.category)
          fail('CORRECTION_MISMATCH', 'a correction must keep subject and category');
      }
      const report: LedgerReport = {
        reportId: input.reportId,
        subjectRef: input.subjectRef,
        category: input.category,
        schemaVersion: input.schemaVersion,
        ciphertextHash: input.ciphertextHash,
        commitment: input.commitment,
        sizeBucket: input.sizeBucket,
        eventEndDate: input.eventEndDate ?? null,
        expiresOn: null,
        supersedes: previous?.reportId ?? null,
        supersededBy: null,
        provider,
        submittedBy: { mspId: actor.mspId, institution: actor.institution, id: actor.id ?? as },
        submittedAt: at,
        submitTx: tx,
        status: 'active',
        erasure: null,
      };
      this.#reports.set(report.reportId, report);
      if (previous)
        this.#reports.set(previous.reportId, {
          ...previous,
          status: 'superseded',
          supersededBy: report.reportId,
        });
      return report;
    });
  }

  eraseReport(as: LedgerUser, reportId: string, reason: string): Promise<Committed<LedgerReport>> {
    return this.#submit(as, 'EraseReport', (actor, tx, at) => {
      const report = this.#reports.get(reportId);
      if (!report) fail('REPORT_NOT_FOUND', `report ${reportId} does not exist`);
      if (report.provider.mspId !== actor.mspId || report.provider.institution !== actor.institution)
        fail('NOT_PROVIDER', 'only the institution that provided the report may do this');
      if (report.status === 'erased') fail('REPORT_ERASED', `report ${reportId} was already erased`);
      const erased: LedgerReport = {
        ...report,
        status: 'erased',
        erasure: {
          reason,
          at,
          tx,
          by: { mspId: actor.mspId, institution: actor.institution, id: actor.id ?? as },
        },
      };
      this.#reports.set(reportId, erased);
      return erased;
    });
  }

  getReport(as: LedgerUser, reportId: string): Promise<LedgerReport> {
    return this.#evaluate(
      as,
      'GetReport',
      () => this.#reports.get(reportId) ?? fail('REPORT_NOT_FOUND', 'no report'),
    );
  }

  listReportsBySubject(
    as: LedgerUser,
    subjectRef: string,
    page: PageRequest,
  ): Promise<LedgerPage<LedgerReport>> {
    return this.#evaluate(as, 'ListReportsBySubject', () => {
      const all = [...this.#reports.values()]
        .filter((r) => r.subjectRef === subjectRef)
        .sort((a, b) => a.reportId.localeCompare(b.reportId));
      const start = page.bookmark ? all.findIndex((r) => r.reportId > (page.bookmark ?? '')) : 0;
      const records = start < 0 ? [] : all.slice(start, start + page.pageSize);
      const more = start >= 0 && start + page.pageSize < all.length;
      return { records, bookmark: more ? (records.at(-1)?.reportId ?? '') : '' };
    });
  }

  registerSubjectSigner(
    as: LedgerUser,
    input: { readonly subjectRef: string; readonly signer: string; readonly signature: string },
  ): Promise<Committed<LedgerSubject>> {
    return this.#submit(as, 'RegisterSubjectSigner', (actor, tx, at) => {
      const recovered = recoverSigner(
        this.channel,
        SIGNER_BINDING_TYPES,
        { subjectRef: `0x${input.subjectRef}`, signer: input.signer, action: 'register' },
        input.signature,
      );
      if (recovered === undefined || recovered.toLowerCase() !== input.signer.toLowerCase())
        fail('BAD_SIGNATURE', 'the signature was not made by the signer');
      const existing = this.#subjects.get(input.subjectRef);
      if (existing?.activeSigner) fail('SUBJECT_SIGNER_EXISTS', 'the subject already has an active key');
      const subject: LedgerSubject = {
        subjectRef: input.subjectRef,
        activeSigner: recovered,
        signers: [
          ...(existing?.signers ?? []),
          {
            address: recovered,
            status: 'active',
            registeredAt: at,
            registeredTx: tx,
            registeredBy: party(actor),
            retiredAt: null,
          },
        ],
      };
      this.#subjects.set(input.subjectRef, subject);
      return subject;
    });
  }

  getSubject(as: LedgerUser, subjectRef: string): Promise<LedgerSubject> {
    return this.#evaluate(
      as,
      'GetSubject',
      () => this.#subjects.get(subjectRef) ?? fail('SUBJECT_NOT_FOUND', 'no subject'),
    );
  }

  recordConsent(as: LedgerUser, consentJson: string, signature: string): Promise<Committed<LedgerConsent>> {
    return this.#submit(as, 'RecordConsent', (actor, tx, at) => {
      let message: ConsentMessage;
      try {
        message = JSON.parse(consentJson) as ConsentMessage;
      } catch {
        return fail('INVALID_ARGUMENT', 'consent must be JSON');
      }
      if (actor.mspId !== message.granteeMsp || actor.institution !== message.granteeInstitution)
        fail('ORG_FORBIDDEN', 'a consent is recorded by the grantee institution');
      const subjectRef = message.subjectRef.slice(2);
      const subject = this.#subjects.get(subjectRef) ?? fail('SUBJECT_NOT_FOUND', 'no subject');
      const signer = recoverSigner(this.channel, CONSENT_TYPES, { ...message }, signature);
      if (signer === undefined) fail('BAD_SIGNATURE', 'the signature does not match the message');
      if (subject.activeSigner !== signer) fail('SIGNER_UNKNOWN', 'not a key of the subject');
      const consentId = consentDigest(this.channel, message);
      if (this.#consents.has(consentId)) fail('NONCE_REPLAYED', 'the nonce was used');
      const consent: LedgerConsent = {
        consentId,
        subjectRef,
        signer,
        grantee: { mspId: message.granteeMsp, institution: message.granteeInstitution },
        categories: [...message.categories],
        purpose: message.purpose,
        notBefore: message.notBefore,
        notAfter: message.notAfter,
        maxUses: message.maxUses,
        uses: 0,
        nonce: message.nonce.slice(2),
        signature,
        status: 'active',
        recordedAt: at,
        recordedTx: tx,
        recordedBy: { mspId: actor.mspId, institution: actor.institution, id: actor.id ?? as },
        revocation: null,
      };
      this.#consents.set(consentId, consent);
      return consent;
    });
  }

  revokeConsent(as: LedgerUser, consentId: string, signature?: string): Promise<Committed<LedgerConsent>> {
    return this.#submit(as, 'RevokeConsent', (actor, tx, at) => {
      const consent = this.#consents.get(consentId) ?? fail('CONSENT_NOT_FOUND', 'no consent');
      if (consent.status === 'revoked') fail('CONSENT_REVOKED', 'already revoked');
      if (signature === undefined && consent.grantee.mspId !== actor.mspId)
        fail('ORG_FORBIDDEN', 'only the grantee revokes without a signature');
      const revoked: LedgerConsent = {
        ...consent,
        status: 'revoked',
        revocation: { at, tx, by: signature === undefined ? 'grantee' : 'subject' },
      };
      this.#consents.set(consentId, revoked);
      return revoked;
    });
  }

  getConsent(as: LedgerUser, consentId: string): Promise<LedgerConsent> {
    return this.#evaluate(
      as,
      'GetConsent',
      () => this.#consents.get(consentId) ?? fail('CONSENT_NOT_FOUND', 'no consent'),
    );
  }

  requestAccess(as: LedgerUser, input: AccessRequestInput): Promise<Committed<LedgerReceipt>> {
    return this.#submit(as, 'RequestAccess', (actor, tx, at) => {
      const prior = [...this.#receipts.values()].find(
        (r) => r.requester.mspId === actor.mspId && r.requestId === input.requestId,
      );
      if (prior) {
        if (prior.reportId !== input.reportId || prior.consentId !== input.consentId)
          fail('REQUEST_CONFLICT', 'request id reused');
        return prior;
      }
      const report = this.#reports.get(input.reportId);
      const consent = this.#consents.get(input.consentId);
      const reason = !report
        ? 'REPORT_NOT_FOUND'
        : report.status === 'erased'
          ? 'REPORT_ERASED'
          : !consent
            ? 'CONSENT_NOT_FOUND'
            : consent.status === 'revoked'
              ? 'CONSENT_REVOKED'
              : consent.uses >= consent.maxUses
                ? 'CONSENT_EXHAUSTED'
                : 'CONSENT';
      if (reason === 'CONSENT' && consent)
        this.#consents.set(consent.consentId, { ...consent, uses: consent.uses + 1 });
      const receipt: LedgerReceipt = {
        receiptId: tx,
        requestId: input.requestId,
        reportId: input.reportId,
        consentId: input.consentId,
        purpose: input.purpose,
        requester: { mspId: actor.mspId, institution: actor.institution, id: actor.id ?? as },
        provider: report?.provider ?? null,
        subjectRef: report?.subjectRef ?? null,
        category: report?.category ?? null,
        outcome: reason === 'CONSENT' ? 'granted' : 'denied',
        reason,
        supervisory: false,
        caseReference: null,
        useNumber: reason === 'CONSENT' && consent ? consent.uses + 1 : null,
        requestedAt: at,
        delivery: null,
      };
      this.#receipts.set(receipt.receiptId, receipt);
      return receipt;
    });
  }

  recordDelivery(as: LedgerUser, input: DeliveryInput): Promise<Committed<LedgerReceipt>> {
    return this.#submit(as, 'RecordDelivery', (actor, tx, at) => {
      const receipt = this.#receipts.get(input.receiptId) ?? fail('RECEIPT_NOT_FOUND', 'no receipt');
      if (
        receipt.reportId !== input.reportId ||
        receipt.requester.mspId !== input.requesterMsp ||
        receipt.requestId !== input.requestId
      )
        fail('RECEIPT_MISMATCH', 'the receipt does not match');
      if (receipt.provider?.mspId !== actor.mspId) fail('ORG_FORBIDDEN', 'not the provider');
      if (receipt.outcome !== 'granted') fail('RECEIPT_NOT_GRANTED', 'not granted');
      if (receipt.delivery) fail('RECEIPT_ALREADY_DELIVERED', 'already delivered');
      const delivered: LedgerReceipt = {
        ...receipt,
        delivery: { at, tx, by: { mspId: actor.mspId, institution: actor.institution, id: actor.id ?? as } },
      };
      this.#receipts.set(receipt.receiptId, delivered);
      return delivered;
    });
  }

  getReceipt(as: LedgerUser, receiptId: string): Promise<LedgerReceipt> {
    return this.#evaluate(
      as,
      'GetReceipt',
      () => this.#receipts.get(receiptId) ?? fail('RECEIPT_NOT_FOUND', 'no receipt'),
    );
  }

  getReceiptByRequest(as: LedgerUser, requesterMsp: string, requestId: string): Promise<LedgerReceipt> {
    return this.#evaluate(as, 'GetReceiptByRequest', () => {
      const found = [...this.#receipts.values()].find(
        (r) => r.requester.mspId === requesterMsp && r.requestId === requestId,
      );
      return found ?? fail('RECEIPT_NOT_FOUND', 'no receipt');
    });
  }

  getOrgProfile(as: LedgerUser, mspId: string): Promise<LedgerOrgProfile> {
    return this.#evaluate(
      as,
      'GetOrgProfile',
      () => this.#orgs.get(mspId) ?? fail('ORG_NOT_FOUND', 'no profile'),
    );
  }

  getConsortium(as: LedgerUser): Promise<LedgerConsortium> {
    return this.#evaluate(as, 'GetConsortium', () =>
      fail('NOT_INITIALISED', 'the fake has no configuration'),
    );
  }

  commitStatus(as: LedgerUser, txId: string): Promise<TxCommitStatus> {
    return this.#evaluate(as, 'CommitStatus', () => {
      const block = this.#txs.get(txId);
      if (block === undefined) throw new LedgerError('LEDGER_UNAVAILABLE', 'no such transaction yet');
      return { txId, blockNumber: block, valid: true, validationCode: 'VALID' };
    });
  }

  reachable(): Promise<boolean> {
    return Promise.resolve(!this.unavailable);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #actor(as: LedgerUser, transaction: string): FakeActor {
    if (this.unavailable)
      throw new LedgerError('LEDGER_UNAVAILABLE', `the ledger did not answer ${transaction}`);
    this.calls.push({ user: as, transaction });
    const actor = this.#actors.get(as);
    if (!actor) throw new LedgerError('IDENTITY_NOT_FOUND', `no identity for ${as}`);
    return actor;
  }

  async #evaluate<T>(as: LedgerUser, transaction: string, work: (actor: FakeActor) => T): Promise<T> {
    await Promise.resolve();
    return structuredClone(work(this.#actor(as, transaction)));
  }

  async #submit<T>(
    as: LedgerUser,
    transaction: string,
    work: (actor: FakeActor, txId: string, at: string) => T,
  ): Promise<Committed<T>> {
    await Promise.resolve();
    const actor = this.#actor(as, transaction);
    const txId = createHash('sha256').update(`${this.#height}:${transaction}:${as}`).digest('hex');
    const value = work(actor, txId, new Date().toISOString());
    const blockNumber = this.#height++;
    this.#txs.set(txId, blockNumber);
    return { value: structuredClone(value), txId, blockNumber };
  }
}

function party(actor: FakeActor): { mspId: string; institution: string } {
  if (actor.institution === null) fail('IDENTITY_INCOMPLETE', 'no institution attribute');
  return { mspId: actor.mspId, institution: actor.institution };
}

function fail(code: LedgerErrorCode, message: string): never {
  throw new LedgerError(code, `${code}: ${message}`);
}
