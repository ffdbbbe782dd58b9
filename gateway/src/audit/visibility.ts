/*
 * Which organisations an entry or a receipt concerns. A member sees exactly these (its own reports
 * and its own requests); the store indexes entries by them, so a member's queries read only its
 * own partitions.
 */
import type { AuditEntry, AuditReceipt } from './model.js';

/** MSP ids of the parties and of the actor of an entry. */
export function entryMsps(entry: AuditEntry): Set<string> {
  return new Set([...entry.parties.map((p) => p.mspId), entry.actor.mspId]);
}

/** `(msp, institution)` pairs of the parties and of the actor of an entry. */
export function entryInstitutions(entry: AuditEntry): Map<string, { mspId: string; institution: string }> {
  const pairs = new Map<string, { mspId: string; institution: string }>();
  for (const p of [...entry.parties, entry.actor])
    if (p.institution !== null)
      pairs.set(institutionPartition(p.mspId, p.institution), {
        mspId: p.mspId,
        institution: p.institution,
      });
  return pairs;
}

/** The partition of the institution index. */
export function institutionPartition(mspId: string, institution: string): string {
  return `${mspId}\u0001${institution}`;
}

/** Whether `mspId` requested the receipt or provides its report. */
export function receiptConcerns(receipt: AuditReceipt, mspId: string): boolean {
  return receipt.requester.mspId === mspId || receipt.provider?.mspId === mspId;
}
