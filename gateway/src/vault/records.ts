import type { ActiveReport, ReportSummary, StoredReport } from './types.js';

/* Copying, comparing and summarising records; shared by the adapters and the batch planner. */

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Whether two reports are the same in every field and byte. */
export function sameReport(a: ActiveReport, b: ActiveReport): boolean {
  return (
    a.reportId === b.reportId &&
    a.subjectRef === b.subjectRef &&
    a.category === b.category &&
    a.schemaVersion === b.schemaVersion &&
    a.createdAt === b.createdAt &&
    bytesEqual(a.ciphertext, b.ciphertext) &&
    bytesEqual(a.salt, b.salt) &&
    a.wrappedKey.keyId === b.wrappedKey.keyId &&
    bytesEqual(a.wrappedKey.enc, b.wrappedKey.enc) &&
    bytesEqual(a.wrappedKey.ciphertext, b.wrappedKey.ciphertext)
  );
}

/** A copy sharing no mutable state with `report`, with plain `Uint8Array`s. */
export function copyReport<R extends StoredReport>(report: R): R {
  if (report.status === 'erased') return { ...report };
  return {
    ...report,
    ciphertext: Uint8Array.from(report.ciphertext),
    salt: Uint8Array.from(report.salt),
    wrappedKey: {
      keyId: report.wrappedKey.keyId,
      enc: Uint8Array.from(report.wrappedKey.enc),
      ciphertext: Uint8Array.from(report.wrappedKey.ciphertext),
    },
  };
}

/** The listing entry of a report: everything but its contents. */
export function summaryOf(report: StoredReport): ReportSummary {
  if (report.status === 'erased') return { ...report };
  const { reportId, subjectRef, category, schemaVersion, createdAt } = report;
  return { reportId, subjectRef, category, schemaVersion, createdAt, status: 'active' };
}
