import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, detectAlerts, windowRuns, type AlertThresholds } from './alerts.js';
import { csvField, toCsv } from './csv.js';
import type { AuditReceipt } from './model.js';
import { usageCsv, usageStatement } from './usage.js';

let seq = 0;
const at = (minute: number, second = 0): string =>
  `2026-03-01T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000000000Z`;

function receipt(over: Partial<AuditReceipt> & { requestedAt: string }): AuditReceipt {
  seq++;
  const id = seq.toString(16).padStart(64, '0');
  return {
    receiptId: id,
    requestId: `req-${seq}`,
    reportId: 'RPT-1',
    consentId: null,
    purpose: 'loan_underwriting',
    requester: { mspId: 'PearlMSP', institution: 'PRD-BANK-01', id: 'x509::/CN=User1::/CN=ca' },
    provider: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01' },
    subjectRef: 'a'.repeat(64),
    category: 'business',
    outcome: 'granted',
    reason: 'CONSENT',
    supervisory: false,
    caseReference: null,
    useNumber: 1,
    delivery: null,
    block: seq,
    txIndex: 0,
    purposeOutsideBusiness: false,
    ...over,
  };
}

const thresholds = (over: Partial<AlertThresholds> = {}): AlertThresholds => ({
  ...DEFAULT_THRESHOLDS,
  ...over,
});

describe('windowed alerts', () => {
  it('marks exactly the receipts that lie in a window meeting the threshold', () => {
    const rs = [0, 10, 20, 30, 200, 205, 210, 600].map((sec) =>
      receipt({ requestedAt: at(Math.floor(sec / 60), sec % 60) }),
    );
    // three within a minute: 0, 10, 20, 30 (one run) and 200, 205, 210 (another); 600 alone
    const runs = windowRuns(rs, 3, 60);
    expect(runs.map((r) => r.length)).toEqual([4, 3]);
    expect(windowRuns(rs, 5, 60)).toEqual([]);
    expect(windowRuns(rs, 1, 60).flat()).toHaveLength(8);
  });

  it('BURST: requests by one member institution on one subject within the window', () => {
    const rs = [
      ...[0, 1, 2, 3, 4].map((m) => receipt({ requestedAt: at(m) })),
      receipt({ requestedAt: at(5), subjectRef: 'b'.repeat(64) }),
      receipt({
        requestedAt: at(6),
        requester: { mspId: 'PearlMSP', institution: 'PRD-BUREAU-01', id: 'x' },
      }),
      receipt({ requestedAt: at(7), supervisory: true }),
    ];
    const alerts = detectAlerts(rs, thresholds({ supervisory: false }));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'BURST',
      member: { mspId: 'PearlMSP', institution: 'PRD-BANK-01' },
      subjectRef: 'a'.repeat(64),
      count: 5,
      firstAt: at(0),
      lastAt: at(4),
      threshold: { count: 5, windowSeconds: 3600 },
    });
    expect(alerts[0]?.evidence.map((e) => e.txId)).toEqual(rs.slice(0, 5).map((r) => r.receiptId));
    expect(detectAlerts(rs.slice(0, 4), thresholds())).toEqual([]);
    // Spread out beyond the window: no burst.
    const slow = [0, 20, 40].map((m) => receipt({ requestedAt: at(m) }));
    expect(detectAlerts(slow, thresholds({ burst: { requests: 3, windowSeconds: 30 * 60 } }))).toEqual([]);
    expect(detectAlerts(slow, thresholds({ burst: { requests: 3, windowSeconds: 40 * 60 } }))).toHaveLength(
      1,
    );
  });

  it('REPEATED_DENIALS: denials by one member institution within the window, whatever the subject', () => {
    const rs = [
      receipt({ requestedAt: at(0), outcome: 'denied', reason: 'CONSENT_EXPIRED' }),
      receipt({ requestedAt: at(1), outcome: 'denied', reason: 'REPORT_NOT_FOUND', subjectRef: null }),
      receipt({ requestedAt: at(2), outcome: 'granted' }),
      receipt({
        requestedAt: at(3),
        outcome: 'denied',
        reason: 'PURPOSE_NOT_CONSENTED',
        subjectRef: 'c'.repeat(64),
      }),
    ];
    const alerts = detectAlerts(rs, thresholds());
    expect(alerts.map((a) => [a.kind, a.count])).toEqual([['REPEATED_DENIALS', 3]]);
    expect(alerts[0]?.evidence.map((e) => e.reason)).toEqual([
      'CONSENT_EXPIRED',
      'REPORT_NOT_FOUND',
      'PURPOSE_NOT_CONSENTED',
    ]);
    expect(detectAlerts(rs, thresholds({ denials: { count: 4, windowSeconds: 3600 } }))).toEqual([]);
  });

  it('PURPOSE_MISMATCH and SUPERVISORY_ACCESS list each receipt, unless switched off', () => {
    const rs = [
      receipt({ requestedAt: at(0), purpose: 'guarantee_review', purposeOutsideBusiness: true }),
      receipt({
        requestedAt: at(1),
        supervisory: true,
        purpose: 'supervision',
        caseReference: 'CASE-7',
        requester: { mspId: 'RegulatorMSP', institution: null, id: 'x' },
      }),
    ];
    const alerts = detectAlerts(rs, thresholds());
    expect(alerts.map((a) => a.kind)).toEqual(['PURPOSE_MISMATCH', 'SUPERVISORY_ACCESS']);
    expect(alerts[1]?.evidence[0]).toMatchObject({ caseReference: 'CASE-7', supervisory: true });
    expect(alerts[0]?.alertId).toMatch(/^[0-9a-f]{32}$/);
    expect(detectAlerts(rs, thresholds())[0]?.alertId).toBe(alerts[0]?.alertId);
    expect(detectAlerts(rs, thresholds({ purposeMismatch: false, supervisory: false }))).toEqual([]);
  });
});

describe('CSV', () => {
  it('escapes separators, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-1)).toBe('-1');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(toCsv(['a', 'b'], [['x,y', 2]])).toBe('a,b\r\n"x,y",2\r\n');
  });

  it('usage statements: lines, totals equal to the receipts, and CSV rows', () => {
    const rs = [
      receipt({ requestedAt: at(0) }),
      receipt({ requestedAt: at(1), outcome: 'denied', reason: 'CONSENT_EXPIRED' }),
      receipt({
        requestedAt: at(2),
        delivery: {
          at: at(3),
          tx: 'd'.repeat(64),
          by: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01', id: 'y' },
        },
      }),
      receipt({
        requestedAt: at(4),
        category: 'warning',
        provider: { mspId: 'JingJinJiMSP', institution: 'JJJ, "BANK"' },
      }),
    ];
    const s = usageStatement('PearlMSP', '2026-03-01', '2026-03-02', rs, []);
    expect(s.totals[0]).toEqual({
      role: 'requester',
      receipts: 4,
      granted: 3,
      denied: 1,
      delivered: 1,
      supervisory: 0,
    });
    expect(s.lines.reduce((n, l) => n + l.receipts, 0)).toBe(4);
    expect(s.lines.reduce((n, l) => n + l.granted + l.denied, 0)).toBe(4);
    expect(s.receiptIds).toEqual(rs.map((r) => r.receiptId).sort());
    const csv = usageCsv(s).split('\r\n');
    expect(csv[0]).toBe(
      'member,from,to,role,counterparty,institution,category,purpose,receipts,granted,denied,delivered,supervisory',
    );
    expect(csv).toContain(
      'PearlMSP,2026-03-01,2026-03-02,requester,YangtzeMSP,PRD-BANK-01,business,loan_underwriting,3,2,1,1,0',
    );
    expect(csv).toContain('PearlMSP,2026-03-01,2026-03-02,requester,TOTAL,,,,4,3,1,1,0');
    expect(csv.at(-1)).toBe('');
  });
});
