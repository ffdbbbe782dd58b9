import { requireMember, requireParticipant } from './authz';
import { findCategory, loadConfig } from './config';
import { fail } from './errors';
import { RecordType, recordKey } from './keys';
import type { Category, Party, Report } from './model';
import { pageByPartialKey, parseJson, type Page } from './query';
import { addYears, parseDay } from './time';
import { appendTrail } from './trail';
import type { Tx } from './tx';
import * as v from './validate';

/** What a provider anchors for a report; never its contents. */
export interface ReportInput {
  reportId: string;
  subjectRef: string;
  category: string;
  schemaVersion: string;
  ciphertextHash: string;
  commitment: string;
  sizeBucket: string;
  /** `YYYY-MM-DD` on which the reported (adverse) event ended, or empty while it goes on. */
  eventEndDate: string;
  /** The report this one corrects, or empty. */
  supersedes: string;
}

const REPORT_INPUT_FIELDS = [
  'reportId',
  'subjectRef',
  'category',
  'schemaVersion',
  'ciphertextHash',
  'commitment',
  'sizeBucket',
  'eventEndDate',
  'supersedes',
] as const satisfies ReadonlyArray<keyof ReportInput>;

/**
 * The `SubmitReport` argument: a JSON object with exactly the fields of {@link ReportInput}, each a
 * string (`eventEndDate` and `supersedes` empty when not applicable); {@link submitReport} checks
 * their formats.
 */
export function parseReportInput(text: string): ReportInput {
  const raw = v.jsonObject(text, 'report', REPORT_INPUT_FIELDS);
  const field = (name: (typeof REPORT_INPUT_FIELDS)[number]): string => v.str(raw[name], name);
  return {
    reportId: field('reportId'),
    subjectRef: field('subjectRef'),
    category: field('category'),
    schemaVersion: field('schemaVersion'),
    ciphertextHash: field('ciphertextHash'),
    commitment: field('commitment'),
    sizeBucket: field('sizeBucket'),
    eventEndDate: field('eventEndDate'),
    supersedes: field('supersedes'),
  };
}

export function reportKey(tx: Tx, reportId: string): string {
  return recordKey(tx.stub, RecordType.report, reportId);
}

export async function findReport(tx: Tx, reportId: string): Promise<Report | undefined> {
  return tx.get<Report>(reportKey(tx, reportId));
}

/** First day on which a report of `category` whose event ended on `eventEndDate` is past retention. */
export function expiryOf(category: Category, eventEndDate: string | null): string | null {
  if (category.retentionYears === null || eventEndDate === null) return null;
  return addYears(eventEndDate, category.retentionYears);
}

/** True once the transaction day reaches the report's expiry day. */
export function isExpired(tx: Tx, report: Pick<Report, 'expiresOn'>): boolean {
  return report.expiresOn !== null && tx.today >= (parseDay(report.expiresOn) ?? Number.POSITIVE_INFINITY);
}

function isProvider(report: Report, party: Party): boolean {
  return report.provider.mspId === party.mspId && report.provider.institution === party.institution;
}

/** Anchors a report, or a correction of an earlier one, for the calling institution. */
export async function submitReport(tx: Tx, input: ReportInput): Promise<Report> {
  v.identifier(input.reportId, 'reportId');
  v.hex64(input.subjectRef, 'subjectRef');
  v.code(input.category, 'category');
  v.schemaVersion(input.schemaVersion);
  v.hex64(input.ciphertextHash, 'ciphertextHash');
  v.hex64(input.commitment, 'commitment');
  v.oneOf(input.sizeBucket, v.SIZE_BUCKETS, 'sizeBucket');
  const eventEnd = input.eventEndDate === '' ? null : input.eventEndDate;
  if (eventEnd !== null && v.day(eventEnd, 'eventEndDate') > tx.today) {
    fail('INVALID_ARGUMENT', 'eventEndDate must not be in the future');
  }
  if (input.supersedes !== '') v.identifier(input.supersedes, 'supersedes');

  const config = await loadConfig(tx);
  const provider = requireMember(tx, config);
  const category = findCategory(config, input.category);
  if (!category.schemaVersions.includes(input.schemaVersion)) {
    fail('UNKNOWN_SCHEMA_VERSION', `category ${category.code} has no schema version ${input.schemaVersion}`);
  }
  const expiresOn = expiryOf(category, eventEnd);
  if (expiresOn !== null && tx.today >= (parseDay(expiresOn) ?? 0)) {
    fail(
      'RETENTION_EXPIRED',
      `a ${category.code} report whose event ended ${eventEnd ?? ''} expired on ${expiresOn}`,
    );
  }
  if (await tx.exists(reportKey(tx, input.reportId)))
    fail('REPORT_EXISTS', `report ${input.reportId} already exists`);

  let previous: Report | undefined;
  if (input.supersedes !== '') {
    previous = await findReport(tx, input.supersedes);
    if (!previous) fail('REPORT_NOT_FOUND', `report ${input.supersedes} does not exist`);
    if (!isProvider(previous, provider)) fail('NOT_PROVIDER');
    if (previous.status === 'erased') fail('REPORT_ERASED', `report ${previous.reportId} was erased`);
    if (previous.status === 'superseded')
      fail(
        'REPORT_SUPERSEDED',
        `report ${previous.reportId} was superseded by ${previous.supersededBy ?? ''}`,
      );
    if (previous.subjectRef !== input.subjectRef || previous.category !== input.category)
      fail('CORRECTION_MISMATCH');
  }

  const report: Report = {
    reportId: input.reportId,
    subjectRef: input.subjectRef,
    category: input.category,
    schemaVersion: input.schemaVersion,
    ciphertextHash: input.ciphertextHash,
    commitment: input.commitment,
    sizeBucket: input.sizeBucket,
    eventEndDate: eventEnd,
    expiresOn,
    supersedes: previous ? previous.reportId : null,
    supersededBy: null,
    provider,
    submittedBy: tx.actor(),
    submittedAt: tx.at,
    submitTx: tx.txId,
    status: 'active',
    erasure: null,
  };
  await tx.put(reportKey(tx, report.reportId), report);
  await tx.put(recordKey(tx.stub, RecordType.reportBySubject, report.subjectRef, report.reportId), {
    reportId: report.reportId,
  });
  if (previous) {
    await tx.put(reportKey(tx, previous.reportId), {
      ...previous,
      status: 'superseded',
      supersededBy: report.reportId,
    });
    await appendTrail(tx, previous.reportId, 'SUPERSEDED', { relatedReportId: report.reportId });
    await appendTrail(tx, report.reportId, 'CORRECTED', { relatedReportId: previous.reportId });
  } else {
    await appendTrail(tx, report.reportId, 'SUBMITTED');
  }
  tx.emit(previous ? 'ReportCorrected' : 'ReportSubmitted', {
    category: report.category,
    providerMsp: provider.mspId,
    reportId: report.reportId,
    supersedes: report.supersedes,
  });
  return report;
}

/**
 * Erases a report: the provider has destroyed the payload's data key; the ledger keeps the anchor
 * and its hashes as a tombstone with the reason.
 */
export async function eraseReport(tx: Tx, reportId: string, reason: string): Promise<Report> {
  v.identifier(reportId, 'reportId');
  v.oneOf(reason, v.ERASURE_REASONS, 'reason');
  const provider = requireMember(tx, await loadConfig(tx));
  const report = await findReport(tx, reportId);
  if (!report) fail('REPORT_NOT_FOUND', `report ${reportId} does not exist`);
  if (!isProvider(report, provider)) fail('NOT_PROVIDER');
  if (report.status === 'erased') fail('REPORT_ERASED', `report ${reportId} was already erased`);
  const erased: Report = {
    ...report,
    status: 'erased',
    erasure: { reason, at: tx.at, tx: tx.txId, by: tx.actor() },
  };
  await tx.put(reportKey(tx, reportId), erased);
  await appendTrail(tx, reportId, 'ERASED', { reason });
  tx.emit('ReportErased', { providerMsp: provider.mspId, reason, reportId });
  return erased;
}

/** A report anchor; visible to every participant (it holds no contents). */
export async function getReport(tx: Tx, reportId: string): Promise<Report> {
  v.identifier(reportId, 'reportId');
  requireParticipant(tx, await loadConfig(tx));
  const report = await findReport(tx, reportId);
  if (!report) fail('REPORT_NOT_FOUND', `report ${reportId} does not exist`);
  return report;
}

/** The reports anchored about a subject, oldest report id first, a page at a time. */
export async function listReportsBySubject(
  tx: Tx,
  subjectRef: string,
  size: number,
  bookmark: string,
): Promise<Page<Report>> {
  v.hex64(subjectRef, 'subjectRef');
  requireParticipant(tx, await loadConfig(tx));
  return pageByPartialKey(tx, RecordType.reportBySubject, [subjectRef], size, bookmark, (_key, value) => {
    const { reportId } = parseJson(value) as { reportId: string };
    return findReport(tx, reportId);
  });
}
