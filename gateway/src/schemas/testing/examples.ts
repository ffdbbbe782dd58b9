/* Test-only example payloads. */

/** One valid example per shipped category, version 1.0. */
export const VALID_REPORTS: Readonly<Record<string, unknown>> = {
  basic: {
    enterpriseName: '杭州示例科技有限公司',
    legalRepresentative: '张三',
    establishedOn: '2015-03-18',
    registeredCapital: { amount: '5000000.00', currency: 'CNY' },
    industryCode: 'I6513',
    businessStatus: 'active',
    employees: 120,
  },
  business: {
    periodStart: '2025-01-01',
    periodEnd: '2025-12-31',
    revenue: { amount: '82000000', currency: 'CNY' },
    netProfit: { amount: '-150000.50', currency: 'CNY' },
    taxCreditRating: 'A',
    source: 'tax_filing',
  },
  credit_enhancement: {
    enhancements: [
      {
        type: 'guarantee',
        provider: 'Zhejiang Guarantee Co.',
        amount: { amount: '3000000', currency: 'CNY' },
        validFrom: '2025-06-01',
      },
    ],
  },
  warning: {
    severity: 'high',
    events: [
      {
        type: 'overdue',
        occurredOn: '2025-09-01',
        daysOverdue: 95,
        amount: { amount: '1200000', currency: 'CNY' },
      },
    ],
  },
  asset: {
    assets: [
      {
        type: 'real_estate',
        description: 'Factory building, Xiaoshan',
        valuation: { amount: '45000000', currency: 'CNY' },
        valuedOn: '2025-04-30',
        encumbered: true,
      },
    ],
  },
};
