import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { canonicalObject } from './canonical';
import { getConsortium, initConsortium, updateConsortium } from './consortium';
import { getConsent, listConsentsBySubject, recordConsent, revokeConsent } from './consents';
import type {
  Consent,
  ConsentPage,
  ConsortiumConfig,
  OrgProfile,
  Receipt,
  ReceiptPage,
  Report,
  ReportPage,
  Subject,
  TrailPage,
  UsageStatement,
} from './model';
import { getOrgProfile, publishOrgKey } from './orgs';
import {
  getReceipt,
  getReceiptByRequest,
  listReceipts,
  parseReceiptFilter,
  recordDelivery,
  recordSupervisoryAccess,
  requestAccess,
} from './receipts';
import {
  eraseReport,
  findReport,
  getReport,
  listReportsBySubject,
  parseReportInput,
  submitReport,
} from './reports';
import { getSubject, registerSigner, revokeSigner, rotateSigner } from './subjects';
import { requireParticipant } from './authz';
import { loadConfig } from './config';
import { pageTrail } from './trail';
import { Tx } from './tx';
import { usageStatement } from './usage';
import './schema';
import * as v from './validate';

/**
 * The `credit` contract: consortium configuration, organisation keys, subjects' consent-signing
 * keys, report anchors, consents, access receipts and their trails. Thin: each transaction builds a
 * {@link Tx} and delegates to a module; results are returned with sorted keys.
 */
@Info({ title: 'credit', description: 'creditchain credit-report anchors, consents and access receipts' })
export class CreditContract extends Contract {
  constructor() {
    super('credit');
  }

  override async unknownTransaction(ctx: Context): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    await Promise.resolve();
    throw new Error(`INVALID_ARGUMENT: unknown transaction ${fcn}`);
  }

  // Consortium configuration

  @Transaction()
  @Param('config', 'string', 'consortium configuration as JSON')
  @Returns('ConsortiumConfig')
  async InitConsortium(ctx: Context, config: string): Promise<ConsortiumConfig> {
    return canonicalObject(await initConsortium(new Tx(ctx), config));
  }

  @Transaction()
  @Param('config', 'string', 'the complete new consortium configuration as JSON')
  @Returns('ConsortiumConfig')
  async UpdateConsortium(ctx: Context, config: string): Promise<ConsortiumConfig> {
    return canonicalObject(await updateConsortium(new Tx(ctx), config));
  }

  @Transaction(false)
  @Returns('ConsortiumConfig')
  async GetConsortium(ctx: Context): Promise<ConsortiumConfig> {
    return canonicalObject(await getConsortium(new Tx(ctx)));
  }

  // Organisation profiles

  @Transaction()
  @Param('keyId', 'string', 'identifier of the new key, unique within the organisation')
  @Param('suite', 'string', 'HPKE suite of the key')
  @Param('publicKey', 'string', 'base64 of the serialised KEM public key')
  @Returns('OrgProfile')
  async PublishOrgKey(ctx: Context, keyId: string, suite: string, publicKey: string): Promise<OrgProfile> {
    return canonicalObject(await publishOrgKey(new Tx(ctx), keyId, suite, publicKey));
  }

  @Transaction(false)
  @Param('mspId', 'string')
  @Returns('OrgProfile')
  async GetOrgProfile(ctx: Context, mspId: string): Promise<OrgProfile> {
    return canonicalObject(await getOrgProfile(new Tx(ctx), mspId));
  }

  // Subjects

  @Transaction()
  @Param('subjectRef', 'string', 'pseudonym of the subject (hex keyed hash)')
  @Param('signer', 'string', 'Ethereum address of the consent-signing key')
  @Param('signature', 'string', 'EIP-712 SignerBinding signature by that key, action register')
  @Returns('Subject')
  async RegisterSubjectSigner(
    ctx: Context,
    subjectRef: string,
    signer: string,
    signature: string,
  ): Promise<Subject> {
    return canonicalObject(await registerSigner(new Tx(ctx), subjectRef, signer, signature));
  }

  @Transaction()
  @Param('subjectRef', 'string')
  @Param('newSigner', 'string', 'Ethereum address of the new key')
  @Param('currentSignature', 'string', 'EIP-712 SignerRotation signature by the active key')
  @Param('newSignature', 'string', 'EIP-712 SignerRotation signature by the new key')
  @Returns('Subject')
  async RotateSubjectSigner(
    ctx: Context,
    subjectRef: string,
    newSigner: string,
    currentSignature: string,
    newSignature: string,
  ): Promise<Subject> {
    return canonicalObject(
      await rotateSigner(new Tx(ctx), subjectRef, newSigner, currentSignature, newSignature),
    );
  }

  @Transaction()
  @Param('subjectRef', 'string')
  @Param('signer', 'string', 'the active key to revoke')
  @Param(
    'signature',
    'string',
    'EIP-712 SignerBinding signature by that key, action revoke; empty when the registering institution revokes',
  )
  @Returns('Subject')
  async RevokeSubjectSigner(
    ctx: Context,
    subjectRef: string,
    signer: string,
    signature: string,
  ): Promise<Subject> {
    return canonicalObject(await revokeSigner(new Tx(ctx), subjectRef, signer, signature));
  }

  @Transaction(false)
  @Param('subjectRef', 'string')
  @Returns('Subject')
  async GetSubject(ctx: Context, subjectRef: string): Promise<Subject> {
    return canonicalObject(await getSubject(new Tx(ctx), subjectRef));
  }

  // Reports

  /*
   * One JSON argument rather than nine strings: fabric-shim checks every declared parameter of every
   * call against a JSON schema that embeds all of the contract's types, which cost more than the whole
   * transaction logic.
   */
  @Transaction()
  @Param(
    'report',
    'string',
    'the anchor as JSON {reportId, subjectRef, category, schemaVersion, ciphertextHash, commitment, sizeBucket, eventEndDate, supersedes}; eventEndDate and supersedes may be empty',
  )
  @Returns('Report')
  async SubmitReport(ctx: Context, report: string): Promise<Report> {
    return canonicalObject(await submitReport(new Tx(ctx), parseReportInput(report)));
  }

  @Transaction()
  @Param('reportId', 'string')
  @Param(
    'reason',
    'string',
    'SUBJECT_REQUEST, RETENTION_EXPIRED, DATA_ERROR, LEGAL_ORDER or PROVIDER_WITHDRAWAL',
  )
  @Returns('Report')
  async EraseReport(ctx: Context, reportId: string, reason: string): Promise<Report> {
    return canonicalObject(await eraseReport(new Tx(ctx), reportId, reason));
  }

  @Transaction(false)
  @Param('reportId', 'string')
  @Returns('Report')
  async GetReport(ctx: Context, reportId: string): Promise<Report> {
    return canonicalObject(await getReport(new Tx(ctx), reportId));
  }

  @Transaction(false)
  @Param('subjectRef', 'string')
  @Param('pageSize', 'string', '1 to 100')
  @Param('bookmark', 'string', 'from the previous page, or empty')
  @Returns('ReportPage')
  async ListReportsBySubject(
    ctx: Context,
    subjectRef: string,
    pageSize: string,
    bookmark: string,
  ): Promise<ReportPage> {
    const page = await listReportsBySubject(
      new Tx(ctx),
      subjectRef,
      v.pageSize(pageSize),
      v.bookmark(bookmark),
    );
    return canonicalObject(page);
  }

  @Transaction(false)
  @Param('reportId', 'string')
  @Param('pageSize', 'string', '1 to 100')
  @Param('bookmark', 'string', 'from the previous page, or empty')
  @Returns('TrailPage')
  async GetReportTrail(
    ctx: Context,
    reportId: string,
    pageSize: string,
    bookmark: string,
  ): Promise<TrailPage> {
    v.identifier(reportId, 'reportId');
    const size = v.pageSize(pageSize);
    const tx = new Tx(ctx);
    const audience = requireParticipant(tx, await loadConfig(tx));
    const report = await findReport(tx, reportId);
    return canonicalObject(await pageTrail(tx, reportId, report, audience, size, v.bookmark(bookmark)));
  }

  // Consents

  @Transaction()
  @Param('consent', 'string', 'the EIP-712 Consent message as JSON')
  @Param('signature', 'string', "the subject's EIP-712 signature")
  @Returns('Consent')
  async RecordConsent(ctx: Context, consent: string, signature: string): Promise<Consent> {
    return canonicalObject(await recordConsent(new Tx(ctx), consent, signature));
  }

  @Transaction()
  @Param('consentId', 'string')
  @Param(
    'signature',
    'string',
    "the subject's EIP-712 ConsentRevocation signature; empty when the grantee revokes",
  )
  @Returns('Consent')
  async RevokeConsent(ctx: Context, consentId: string, signature: string): Promise<Consent> {
    return canonicalObject(await revokeConsent(new Tx(ctx), consentId, signature));
  }

  @Transaction(false)
  @Param('consentId', 'string')
  @Returns('Consent')
  async GetConsent(ctx: Context, consentId: string): Promise<Consent> {
    return canonicalObject(await getConsent(new Tx(ctx), consentId));
  }

  @Transaction(false)
  @Param('subjectRef', 'string')
  @Param('pageSize', 'string', '1 to 100')
  @Param('bookmark', 'string', 'from the previous page, or empty')
  @Returns('ConsentPage')
  async ListConsentsBySubject(
    ctx: Context,
    subjectRef: string,
    pageSize: string,
    bookmark: string,
  ): Promise<ConsentPage> {
    const page = await listConsentsBySubject(
      new Tx(ctx),
      subjectRef,
      v.pageSize(pageSize),
      v.bookmark(bookmark),
    );
    return canonicalObject(page);
  }

  // Access receipts

  @Transaction()
  @Param('requestId', 'string', "the requester's idempotency key")
  @Param('reportId', 'string')
  @Param('consentId', 'string')
  @Param('purpose', 'string')
  @Returns('Receipt')
  async RequestAccess(
    ctx: Context,
    requestId: string,
    reportId: string,
    consentId: string,
    purpose: string,
  ): Promise<Receipt> {
    return canonicalObject(await requestAccess(new Tx(ctx), requestId, reportId, consentId, purpose));
  }

  @Transaction()
  @Param('requestId', 'string', "the regulator's idempotency key")
  @Param('reportId', 'string')
  @Param('purpose', 'string', 'a supervisory purpose code')
  @Param('caseReference', 'string', 'the supervisory case the access serves')
  @Returns('Receipt')
  async RecordSupervisoryAccess(
    ctx: Context,
    requestId: string,
    reportId: string,
    purpose: string,
    caseReference: string,
  ): Promise<Receipt> {
    return canonicalObject(
      await recordSupervisoryAccess(new Tx(ctx), requestId, reportId, purpose, caseReference),
    );
  }

  @Transaction()
  @Param('receiptId', 'string')
  @Param('reportId', 'string')
  @Param('requesterMsp', 'string')
  @Param('requestId', 'string')
  @Returns('Receipt')
  async RecordDelivery(
    ctx: Context,
    receiptId: string,
    reportId: string,
    requesterMsp: string,
    requestId: string,
  ): Promise<Receipt> {
    return canonicalObject(await recordDelivery(new Tx(ctx), receiptId, reportId, requesterMsp, requestId));
  }

  @Transaction(false)
  @Param('receiptId', 'string')
  @Returns('Receipt')
  async GetReceipt(ctx: Context, receiptId: string): Promise<Receipt> {
    return canonicalObject(await getReceipt(new Tx(ctx), receiptId));
  }

  @Transaction(false)
  @Param('requesterMsp', 'string')
  @Param('requestId', 'string')
  @Returns('Receipt')
  async GetReceiptByRequest(ctx: Context, requesterMsp: string, requestId: string): Promise<Receipt> {
    return canonicalObject(await getReceiptByRequest(new Tx(ctx), requesterMsp, requestId));
  }

  @Transaction(false)
  @Param('filter', 'string', 'JSON {by: requester|provider|subject|all, value, from, to}')
  @Param('pageSize', 'string', '1 to 100')
  @Param('bookmark', 'string', 'from the previous page, or empty')
  @Returns('ReceiptPage')
  async ListReceipts(ctx: Context, filter: string, pageSize: string, bookmark: string): Promise<ReceiptPage> {
    const parsed = parseReceiptFilter(filter);
    const page = await listReceipts(new Tx(ctx), parsed, v.pageSize(pageSize), v.bookmark(bookmark));
    return canonicalObject(page);
  }

  @Transaction(false)
  @Param('mspId', 'string')
  @Param('from', 'string', 'first day, YYYY-MM-DD')
  @Param('to', 'string', 'day after the last, YYYY-MM-DD')
  @Returns('UsageStatement')
  async GetUsageStatement(ctx: Context, mspId: string, from: string, to: string): Promise<UsageStatement> {
    return canonicalObject(await usageStatement(new Tx(ctx), mspId, from, to));
  }
}
