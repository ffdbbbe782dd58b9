import { createHash } from 'node:crypto';

/**
 * The ledger report id of a submission: derived from the organisation and the scoped idempotency
 * key, so a retried submission anchors under the same id and can never create a second report.
 * 128 bits of SHA-256: ids of different requests do not collide.
 */
export function reportIdFor(mspId: string, scopedKey: string): string {
  const digest = createHash('sha256')
    .update(`creditchain/report-id/v1\0${mspId}\0${scopedKey}`, 'utf8')
    .digest('hex');
  return `rpt-${digest.slice(0, 32)}`;
}
