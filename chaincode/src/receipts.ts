import { requireMember, requireParticipant, requireRegulator, type Audience } from './authz';
import { findPurpose, loadConfig } from './config';
import { consentKey, findConsent } from './consents';
import { fail } from './errors';
import { OrderedIndex, RecordType, orderedKey, orderedRange, recordKey } from './keys';
import type { Consent, Party, Receipt, Report } from './model';
import { pageByRange, parseJson, type Page } from './query';
import { findReport, isExpired } from './reports';
import { findSubject } from './subjects';
import { appendTrail } from './trail';
import type { Tx } from './tx';
import * as v from './validate';

/** Why an access request was denied; written into the receipt, never thrown. */
export type DenialReason =
  | 'REPORT_NOT_FOUND'
  | 'REPORT_ERASED'
  | 'REPORT_SUPERSEDED'
  | 'RETENTION_EXPIRED'
  | 'CONSENT_NOT_FOUND'
  | 'CONSENT_SUBJECT_MISMATCH'
  | 'CONSENT_GRANTEE_MISMATCH'
  | 'CONSENT_REVOKED'
  | 'SIGNER_REVOKED'
  | 'CATEGORY_NOT_CONSENTED'
  | 'PURPOSE_NOT_CONSENTED'
  | 'CONSENT_NOT_YET_VALID'
  | 'CONSENT_EXPIRED'
  | 'CONSENT_EXHAUSTED';

function receiptKey(tx: Tx, receiptId: string): string {
  return recordKey(tx.stub, RecordType.receipt, receiptId);
}

function requestKey(tx: Tx, requesterMsp: string, id: string): string {
  return recordKey(tx.stub, RecordType.receiptByRequest, requesterMsp, id);
}

async function findReceipt(tx: Tx, receiptId: string): Promise<Receipt | undefined> {
  return tx.get<Receipt>(receiptKey(tx, receiptId));
}

function reportDenial(tx: Tx, report: Report | undefined): DenialReason | undefined {
  if (!report) return 'REPORT_NOT_FOUND';
  if (report.status === 'erased') return 'REPORT_ERASED';
  if (report.status === 'superseded') return 'REPORT_SUPERSEDED';
  if (isExpired(tx, report)) return 'RETENTION_EXPIRED';
  return undefined;
}

async function consentDenial(
  tx: Tx,
  report: Report,
  consent: Consent | undefined,
  requester: Party,
  purpose: string,
): Promise<DenialReason | undefined> {
  if (!consent) return 'CONSENT_NOT_FOUND';
  if (consent.subjectRef !== report.subjectRef) return 'CONSENT_SUBJECT_MISMATCH';
  if (consent.grantee.mspId !== requester.mspId || consent.grantee.institution !== requester.institution) {
    return 'CONSENT_GRANTEE_MISMATCH';
  }
  if (consent.status === 'revoked') return 'CONSENT_REVOKED';
  const subject = await findSubject(tx, consent.subjectRef);
  if (subject?.signers.find((s) => s.address === consent.signer)?.status === 'revoked')
    return 'SIGNER_REVOKED';
  if (!consent.categories.includes(report.category)) return 'CATEGORY_NOT_CONSENTED';
  if (consent.purpose !== purpose) return 'PURPOSE_NOT_CONSENTED';
  if (tx.time.seconds < consent.notBefore) return 'CONSENT_NOT_YET_VALID';
  if (tx.time.seconds >= consent.notAfter) return 'CONSENT_EXPIRED';
  if (consent.uses >= consent.maxUses) return 'CONSENT_EXHAUSTED';
  return undefined;
}

/**
 * Returns the receipt already written for this requester's request id, refusing a reuse of the id
 * for a different request. Retries of one request therefore never create a second receipt.
 */
async function priorReceipt(tx: Tx, id: string, same: (r: Receipt) => boolean): Promise<Receipt | undefined> {
  const prior = await tx.get<{ receiptId: string }>(requestKey(tx, tx.caller.mspId, id));
  if (!prior) return undefined;
  const receipt = await findReceipt(tx, prior.receiptId);
  if (!receipt || !same(receipt))
    fail('REQUEST_CONFLICT', `request id ${id} was used for a different request`);
  return receipt;
}

async function writeReceipt(tx: Tx, receipt: Receipt): Promise<void> {
  const id = receipt.receiptId;
  await tx.put(receiptKey(tx, id), receipt);
  await tx.put(requestKey(tx, receipt.requester.mspId, receipt.requestId), { receiptId: id });
  const ref = { receiptId: id };
  await tx.put(orderedKey(OrderedIndex.receiptsByRequester, receipt.requester.mspId, tx.at, id), ref);
  await tx.put(orderedKey(OrderedIndex.receiptsByTime, '', tx.at, id), ref);
  if (receipt.provider)
    await tx.put(orderedKey(OrderedIndex.receiptsByProvider, receipt.provider.mspId, tx.at, id), ref);
  if (receipt.subjectRef !== null)
    await tx.put(orderedKey(OrderedIndex.receiptsBySubject, receipt.subjectRef, tx.at, id), ref);
  if (receipt.provider) {
    await appendTrail(
      tx,
      receipt.reportId,
      receipt.outcome === 'granted' ? 'ACCESS_GRANTED' : 'ACCESS_DENIED',
      {
        receiptId: id,
        purpose: receipt.purpose,
        reason: receipt.reason,
        supervisory: receipt.supervisory,
      },
    );
  }
  tx.emit('AccessRecorded', {
    outcome: receipt.outcome,
    providerMsp: receipt.provider?.mspId ?? null,
    reason: receipt.reason,
    receiptId: id,
    reportId: receipt.reportId,
    requesterMsp: receipt.requester.mspId,
    supervisory: receipt.supervisory,
  });
}

function baseReceipt(
  tx: Tx,
  id: string,
  reportId: string,
  purpose: string,
  report: Report | undefined,
): Omit<Receipt, 'outcome' | 'reason' | 'consentId' | 'supervisory' | 'caseReference' | 'useNumber'> {
  return {
    receiptId: tx.txId,
    requestId: id,
    reportId,
    purpose,
    requester: tx.actor(),
    provider: report ? report.provider : null,
    subjectRef: report ? report.subjectRef : null,
    category: report ? report.category : null,
    requestedAt: tx.at,
    delivery: null,
  };
}

/**
 * Records a member's request to read a report under a consent. Writes a receipt with outcome
 * `granted` (and counts one use of the consent) or `denied` with a reason, and returns it.
 */
export async function requestAccess(
  tx: Tx,
  id: string,
  reportId: string,
  consentId: string,
  purpose: string,
): Promise<Receipt> {
  v.requestId(id);
  v.identifier(reportId, 'reportId');
  v.hex64(consentId, 'consentId');
  v.code(purpose, 'purpose');
  const config = await loadConfig(tx);
  const requester = requireMember(tx, config);
  if (findPurpose(config, purpose).supervisory)
    fail('PURPOSE_FORBIDDEN', `${purpose} is a supervisory purpose`);

  const prior = await priorReceipt(
    tx,
    id,
    (r) =>
      r.reportId === reportId &&
      r.consentId === consentId &&
      r.purpose === purpose &&
      r.requester.institution === requester.institution &&
      !r.supervisory,
  );
  if (prior) {
    tx.emit('AccessRequestRepeated', { receiptId: prior.receiptId });
    return prior;
  }

  const report = await findReport(tx, reportId);
  const consent = report ? await findConsent(tx, consentId) : undefined;
  const denial =
    reportDenial(tx, report) ??
    (report ? await consentDenial(tx, report, consent, requester, purpose) : undefined);
  const granted = denial === undefined && consent !== undefined;
  const receipt: Receipt = {
    ...baseReceipt(tx, id, reportId, purpose, report),
    consentId,
    outcome: granted ? 'granted' : 'denied',
    reason: denial ?? 'CONSENT',
    supervisory: false,
    caseReference: null,
    useNumber: granted ? consent.uses + 1 : null,
  };
  if (granted) await tx.put(consentKey(tx, consentId), { ...consent, uses: consent.uses + 1 });
  await writeReceipt(tx, receipt);
  return receipt;
}

/** Records a regulator's supervisory access to a report: no consent, always receipted and flagged. */
export async function recordSupervisoryAccess(
  tx: Tx,
  id: string,
  reportId: string,
  purpose: string,
  caseReference: string,
): Promise<Receipt> {
  v.requestId(id);
  v.identifier(reportId, 'reportId');
  v.code(purpose, 'purpose');
  v.caseReference(caseReference);
  const config = await loadConfig(tx);
  requireRegulator(tx, config);
  if (!findPurpose(config, purpose).supervisory)
    fail('PURPOSE_FORBIDDEN', `${purpose} is not a supervisory purpose`);

  const prior = await priorReceipt(
    tx,
    id,
    (r) =>
      r.reportId === reportId && r.purpose === purpose && r.caseReference === caseReference && r.supervisory,
  );
  if (prior) {
    tx.emit('AccessRequestRepeated', { receiptId: prior.receiptId });
    return prior;
  }
  const report = await findReport(tx, reportId);
  const denial = reportDenial(tx, report);
  const receipt: Receipt = {
    ...baseReceipt(tx, id, reportId, purpose, report),
    consentId: null,
    outcome: denial === undefined ? 'granted' : 'denied',
    reason: denial ?? 'SUPERVISORY',
    supervisory: true,
    caseReference,
    useNumber: null,
  };
  await writeReceipt(tx, receipt);
  return receipt;
}

/**
 * Records that the provider released the report for a granted receipt. Called by the provider's
 * gateway before it returns the payload; a receipt is delivered at most once.
 */
export async function recordDelivery(
  tx: Tx,
  receiptId: string,
  reportId: string,
  requesterMsp: string,
  id: string,
): Promise<Receipt> {
  v.hex64(receiptId, 'receiptId');
  v.identifier(reportId, 'reportId');
  v.mspId(requesterMsp, 'requesterMsp');
  v.requestId(id);
  const config = await loadConfig(tx);
  const audience = requireParticipant(tx, config);
  const receipt = await findReceipt(tx, receiptId);
  if (!receipt) fail('RECEIPT_NOT_FOUND');
  if (audience.kind !== 'member' || receipt.provider?.mspId !== audience.mspId) {
    fail('ORG_FORBIDDEN', "only the provider's organisation records deliveries");
  }
  if (receipt.reportId !== reportId || receipt.requester.mspId !== requesterMsp || receipt.requestId !== id)
    fail('RECEIPT_MISMATCH');
  if (receipt.outcome !== 'granted') fail('RECEIPT_NOT_GRANTED', `the receipt was denied: ${receipt.reason}`);
  if (receipt.delivery !== null) fail('RECEIPT_ALREADY_DELIVERED');
  const report = await findReport(tx, reportId);
  if (report?.status === 'erased') fail('REPORT_ERASED', `report ${reportId} was erased`);
  const delivered: Receipt = { ...receipt, delivery: { at: tx.at, tx: tx.txId, by: tx.actor() } };
  await tx.put(receiptKey(tx, receiptId), delivered);
  await appendTrail(tx, reportId, 'DELIVERED', {
    receiptId,
    purpose: receipt.purpose,
    supervisory: receipt.supervisory,
  });
  tx.emit('DeliveryRecorded', { providerMsp: audience.mspId, receiptId, reportId, requesterMsp });
  return delivered;
}

function visibleTo(audience: Audience, receipt: Receipt): boolean {
  return (
    audience.kind === 'regulator' ||
    receipt.requester.mspId === audience.mspId ||
    receipt.provider?.mspId === audience.mspId
  );
}

/** A receipt; visible to regulators, the requester's and the provider's organisations. */
export async function getReceipt(tx: Tx, receiptId: string): Promise<Receipt> {
  v.hex64(receiptId, 'receiptId');
  const audience = requireParticipant(tx, await loadConfig(tx));
  const receipt = await findReceipt(tx, receiptId);
  if (!receipt) fail('RECEIPT_NOT_FOUND');
  if (!visibleTo(audience, receipt)) fail('ORG_FORBIDDEN', 'the receipt concerns other organisations');
  return receipt;
}

/** The receipt written for a requester's request id. */
export async function getReceiptByRequest(tx: Tx, requesterMsp: string, id: string): Promise<Receipt> {
  v.mspId(requesterMsp, 'requesterMsp');
  v.requestId(id);
  const audience = requireParticipant(tx, await loadConfig(tx));
  const ref = await tx.get<{ receiptId: string }>(requestKey(tx, requesterMsp, id));
  const receipt = ref ? await findReceipt(tx, ref.receiptId) : undefined;
  if (!receipt) fail('RECEIPT_NOT_FOUND');
  if (!visibleTo(audience, receipt)) fail('ORG_FORBIDDEN', 'the receipt concerns other organisations');
  return receipt;
}

/** Which receipts to list: by requester MSP, provider MSP, subject, or all; within [from, to). */
export interface ReceiptFilter {
  by: 'requester' | 'provider' | 'subject' | 'all';
  value: string;
  /** Inclusive first day `YYYY-MM-DD`, or empty. */
  from: string;
  /** Exclusive last day `YYYY-MM-DD`, or empty. */
  to: string;
}

export function parseReceiptFilter(text: string): ReceiptFilter {
  const raw = v.jsonObject(text, 'filter', ['by', 'value', 'from', 'to']);
  const by = v.oneOf(
    v.str(raw.by, 'filter.by'),
    ['requester', 'provider', 'subject', 'all'] as const,
    'filter.by',
  );
  const value = v.str(raw.value, 'filter.value');
  if (by === 'subject') v.hex64(value, 'filter.value');
  else if (by === 'all') {
    if (value !== '') fail('INVALID_ARGUMENT', 'filter.value must be empty when listing all receipts');
  } else v.mspId(value, 'filter.value');
  const from = v.str(raw.from, 'filter.from');
  const to = v.str(raw.to, 'filter.to');
  const fromDay = from === '' ? undefined : v.day(from, 'filter.from');
  const toDay = to === '' ? undefined : v.day(to, 'filter.to');
  if (fromDay !== undefined && toDay !== undefined && toDay <= fromDay)
    fail('INVALID_ARGUMENT', 'filter.to must be after filter.from');
  return { by, value, from, to };
}

const INDEX_OF = {
  requester: OrderedIndex.receiptsByRequester,
  provider: OrderedIndex.receiptsByProvider,
  subject: OrderedIndex.receiptsBySubject,
  all: OrderedIndex.receiptsByTime,
} as const;

/**
 * Receipts in time order, filtered by requester, provider or subject and by period. Regulators see
 * all; a member lists its own organisation's requests or the requests for its own reports.
 */
export async function listReceipts(
  tx: Tx,
  filter: ReceiptFilter,
  size: number,
  bookmark: string,
): Promise<Page<Receipt>> {
  const audience = requireParticipant(tx, await loadConfig(tx));
  if (audience.kind === 'member') {
    if (filter.by === 'all') fail('ORG_FORBIDDEN', 'only regulators list all receipts');
    if ((filter.by === 'requester' || filter.by === 'provider') && filter.value !== audience.mspId) {
      fail('ORG_FORBIDDEN', "members list their own organisation's receipts");
    }
  }
  const { start, end } = orderedRange(
    INDEX_OF[filter.by],
    filter.by === 'all' ? '' : filter.value,
    filter.from,
    filter.to,
  );
  return pageByRange(tx, start, end, size, bookmark, async (_key, value) => {
    const { receiptId } = parseJson(value) as { receiptId: string };
    const receipt = await findReceipt(tx, receiptId);
    return receipt && visibleTo(audience, receipt) ? receipt : undefined;
  });
}

export { findReceipt };
