/*
 * Usage statements for billing: a member's receipts over a period of days, as requester (the
 * reports it asked for, by providing organisation, institution, category and purpose) and as
 * provider (the requests for its reports). Every number counts receipts; `receiptIds` lists exactly
 * the receipts counted, and each role's totals are the sums of its lines.
 */
import { toCsv } from './csv.js';
import type { AuditReceipt } from './model.js';

export type UsageRole = 'requester' | 'provider';

/** One line: receipts of one role, counterparty organisation, institution, category and purpose. */
export type UsageLine = {
  readonly role: UsageRole;
  /** The other organisation: the provider for `requester` lines, the requester for `provider` lines. */
  readonly counterparty: string;
  /** The member's own institution in the receipts. */
  readonly institution: string;
  readonly category: string;
  readonly purpose: string;
  readonly receipts: number;
  readonly granted: number;
  readonly denied: number;
  readonly delivered: number;
  readonly supervisory: number;
};

export type UsageTotals = {
  readonly role: UsageRole;
  readonly receipts: number;
  readonly granted: number;
  readonly denied: number;
  readonly delivered: number;
  readonly supervisory: number;
};

/** A member's statement for `[from, to)`. */
export type UsageStatement = {
  readonly mspId: string;
  readonly from: string;
  readonly to: string;
  readonly lines: readonly UsageLine[];
  readonly totals: readonly UsageTotals[];
  readonly receiptCount: number;
  readonly receiptIds: readonly string[];
};

type Counts = { receipts: number; granted: number; denied: number; delivered: number; supervisory: number };

const zero = (): Counts => ({ receipts: 0, granted: 0, denied: 0, delivered: 0, supervisory: 0 });

function count(target: Counts, r: AuditReceipt): void {
  target.receipts++;
  if (r.outcome === 'granted') target.granted++;
  else target.denied++;
  if (r.delivery !== null) target.delivered++;
  if (r.supervisory) target.supervisory++;
}

/** The statement of `mspId` from its receipts as requester and as provider within the period. */
export function usageStatement(
  mspId: string,
  from: string,
  to: string,
  asRequester: readonly AuditReceipt[],
  asProvider: readonly AuditReceipt[],
): UsageStatement {
  const lines = new Map<string, { key: Omit<UsageLine, keyof Counts>; counts: Counts }>();
  const totals: Record<UsageRole, Counts> = { requester: zero(), provider: zero() };
  const ids = new Set<string>();
  const roles: [UsageRole, readonly AuditReceipt[]][] = [
    ['requester', asRequester],
    ['provider', asProvider],
  ];
  for (const [role, receipts] of roles)
    for (const r of receipts) {
      ids.add(r.receiptId);
      const key = {
        role,
        counterparty: (role === 'requester' ? r.provider?.mspId : r.requester.mspId) ?? '-',
        institution: (role === 'requester' ? r.requester.institution : r.provider?.institution) ?? '-',
        category: r.category ?? '-',
        purpose: r.purpose,
      };
      const id = [key.role, key.counterparty, key.institution, key.category, key.purpose].join('\u0000');
      let line = lines.get(id);
      if (!line) {
        line = { key, counts: zero() };
        lines.set(id, line);
      }
      count(line.counts, r);
      count(totals[role], r);
    }
  return {
    mspId,
    from,
    to,
    lines: [...lines.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, l]) => ({ ...l.key, ...l.counts })),
    totals: [
      { role: 'requester', ...totals.requester },
      { role: 'provider', ...totals.provider },
    ],
    receiptCount: ids.size,
    receiptIds: [...ids].sort(),
  };
}

export const USAGE_CSV_HEADER = [
  'member',
  'from',
  'to',
  'role',
  'counterparty',
  'institution',
  'category',
  'purpose',
  'receipts',
  'granted',
  'denied',
  'delivered',
  'supervisory',
] as const;

/** The statement as CSV: one row per line, then one `TOTAL` row per role. */
export function usageCsv(s: UsageStatement): string {
  const rows = [
    ...s.lines.map((l) => [
      s.mspId,
      s.from,
      s.to,
      l.role,
      l.counterparty,
      l.institution,
      l.category,
      l.purpose,
      l.receipts,
      l.granted,
      l.denied,
      l.delivered,
      l.supervisory,
    ]),
    ...s.totals.map((t) => [
      s.mspId,
      s.from,
      s.to,
      t.role,
      'TOTAL',
      '',
      '',
      '',
      t.receipts,
      t.granted,
      t.denied,
      t.delivered,
      t.supervisory,
    ]),
  ];
  return toCsv(USAGE_CSV_HEADER, rows);
}
