import { requireParticipant } from './authz';
import { loadConfig } from './config';
import { fail } from './errors';
import { OrderedIndex, orderedRange } from './keys';
import type { Receipt, UsageLine, UsageStatement, UsageTotals } from './model';
import { parseJson, scanRange } from './query';
import { findReceipt } from './receipts';
import type { Tx } from './tx';
import * as v from './validate';

/** Longest period one statement may cover, in days. */
export const MAX_STATEMENT_DAYS = 366;

type Role = 'requester' | 'provider';

function emptyTotals(role: Role): UsageTotals {
  return { role, receipts: 0, granted: 0, denied: 0, delivered: 0, supervisory: 0 };
}

function count(
  target: { granted: number; denied: number; delivered: number; supervisory: number },
  receipt: Receipt,
): void {
  if (receipt.outcome === 'granted') target.granted++;
  else target.denied++;
  if (receipt.delivery !== null) target.delivered++;
  if (receipt.supervisory) target.supervisory++;
}

/**
 * A member's usage statement for billing over `[from, to)`: one line per role, institution,
 * category and purpose, and totals per role. Every number is a count of receipts, and
 * `receiptIds` lists exactly the receipts counted.
 */
export async function usageStatement(tx: Tx, msp: string, from: string, to: string): Promise<UsageStatement> {
  v.mspId(msp);
  const fromDay = v.day(from, 'from');
  const toDay = v.day(to, 'to');
  if (toDay <= fromDay || toDay - fromDay > MAX_STATEMENT_DAYS) {
    fail('INVALID_ARGUMENT', `to must be after from, at most ${MAX_STATEMENT_DAYS} days later`);
  }
  const audience = requireParticipant(tx, await loadConfig(tx));
  if (audience.kind === 'member' && audience.mspId !== msp)
    fail('ORG_FORBIDDEN', 'members get statements for their own organisation');

  const lines = new Map<string, UsageLine>();
  const totals = { requester: emptyTotals('requester'), provider: emptyTotals('provider') };
  const ids = new Set<string>();
  const roles: Array<
    [Role, typeof OrderedIndex.receiptsByRequester | typeof OrderedIndex.receiptsByProvider]
  > = [
    ['requester', OrderedIndex.receiptsByRequester],
    ['provider', OrderedIndex.receiptsByProvider],
  ];
  for (const [role, index] of roles) {
    const { start, end } = orderedRange(index, msp, from, to);
    const receipts = await scanRange(tx, start, end, (_key, value) => {
      const { receiptId } = parseJson(value) as { receiptId: string };
      return findReceipt(tx, receiptId);
    });
    for (const receipt of receipts) {
      ids.add(receipt.receiptId);
      const institution =
        (role === 'requester' ? receipt.requester.institution : receipt.provider?.institution) ?? '-';
      const category = receipt.category ?? '-';
      const lineKey = [role, institution, category, receipt.purpose].join('\u0000');
      let line = lines.get(lineKey);
      if (!line) {
        line = {
          role,
          institution,
          category,
          purpose: receipt.purpose,
          granted: 0,
          denied: 0,
          delivered: 0,
          supervisory: 0,
        };
        lines.set(lineKey, line);
      }
      count(line, receipt);
      count(totals[role], receipt);
      totals[role].receipts++;
    }
  }
  const sortedLines = [...lines.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, line]) => line);
  return {
    mspId: msp,
    from,
    to,
    lines: sortedLines,
    totals: [totals.requester, totals.provider],
    receiptCount: ids.size,
    receiptIds: [...ids].sort(),
  };
}
