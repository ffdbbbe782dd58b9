import { describe, expect, it } from 'vitest';
import { actorOfCreator } from './actor.js';
import { decodeBlock, decodeTransactions } from './block-decode.js';
import { buildPlan, type IndexState } from './index-builder.js';
import type { AuditReceipt, ConsortiumConfig, Report } from './model.js';
import { scenario } from './testing/scenario.js';

/** The builder over a chain, with the state carried from block to block in memory. */
async function plans(blocks: readonly Uint8Array[]) {
  const reports = new Map<string, Report>();
  const receipts = new Map<string, AuditReceipt>();
  let config: ConsortiumConfig | undefined;
  const state: IndexState = {
    report: (id) => Promise.resolve(reports.get(id)),
    receipt: (id) => Promise.resolve(receipts.get(id)),
    config: () => Promise.resolve(config),
  };
  const out = [];
  for (const [n, bytes] of blocks.entries()) {
    const plan = await buildPlan(n, decodeTransactions(decodeBlock(bytes).decoded, 'credit'), state);
    for (const r of plan.reports) reports.set(r.reportId, r);
    for (const { receipt } of plan.receipts) receipts.set(receipt.receiptId, receipt);
    if (plan.config) config = plan.config;
    out.push(plan);
  }
  return out;
}

describe('index builder', () => {
  it('derives trail entries, receipts and reports from the committed write sets', async () => {
    const s = await scenario();
    const p = await plans(s.chain.blocks);
    expect(p[0]?.channelConfigs).toHaveLength(1);
    expect(p[1]?.config?.organisations.map((o) => o.mspId)).toContain('RegulatorMSP');
    expect(p.map((b) => b.entries.map((e) => e.kind))).toEqual([
      [],
      [],
      ['SUBMITTED', 'SUBMITTED'],
      ['CONSENT_RECORDED', 'ACCESS_GRANTED'],
      ['DELIVERED', 'ACCESS_DENIED'],
      ['SUPERSEDED', 'CORRECTED', 'ERASED'],
      ['ACCESS_GRANTED', 'ACCESS_DENIED', 'CONSENT_REVOKED'],
    ]);
    const granted = p[3]?.entries[1];
    expect(granted).toMatchObject({
      kind: 'ACCESS_GRANTED',
      block: 3,
      txIndex: 1,
      txId: s.grantedReceipt,
      receiptId: s.grantedReceipt,
      reportId: 'RPT-1',
      subjectRef: s.subjectA,
      category: 'business',
      purpose: 'loan_underwriting',
      reason: 'CONSENT',
      actor: s.officers.pearl.actor,
      parties: [
        { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01', role: 'provider' },
        { mspId: 'PearlMSP', institution: 'PRD-BANK-01', role: 'requester' },
      ],
    });
    expect(granted?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    expect(granted?.entryId).toBe(`${'3'.padStart(20, '0')}:000001:0000`);
  });

  it('counts invalid transactions without indexing them', async () => {
    const s = await scenario();
    const p = await plans(s.chain.blocks);
    expect(p[4]?.transactions).toBe(3);
    expect(p[4]?.invalidTransactions).toBe(1);
    const all = p.flatMap((b) => [
      ...b.entries.map((e) => e.txId),
      ...b.receipts.map((r) => r.receipt.receiptId),
    ]);
    expect(all).not.toContain(s.invalidTx);
  });

  it('updates a delivered receipt in place and keeps where it was committed', async () => {
    const s = await scenario();
    const p = await plans(s.chain.blocks);
    expect(p[3]?.receipts).toEqual([
      { receipt: expect.objectContaining({ block: 3, delivery: null }), isNew: true },
    ]);
    const delivered = p[4]?.receipts.find((r) => r.receipt.receiptId === s.grantedReceipt);
    expect(delivered).toMatchObject({ isNew: false, receipt: { block: 3, txIndex: 1 } });
    expect(delivered?.receipt.delivery?.by).toEqual(s.officers.yangtze.actor);
    expect(p[4]?.entries[0]).toMatchObject({
      kind: 'DELIVERED',
      actor: s.officers.yangtze.actor,
      subjectRef: s.subjectA,
    });
  });

  it('records requests for missing reports, supervisory accesses and consent revocations', async () => {
    const s = await scenario();
    const [supervisory, missing, revoked] = (await plans(s.chain.blocks))[6]?.entries ?? [];
    expect(supervisory).toMatchObject({
      supervisory: true,
      reason: 'SUPERVISORY',
      reportId: 'RPT-1B',
      subjectRef: s.subjectA,
    });
    expect(missing).toMatchObject({
      kind: 'ACCESS_DENIED',
      reason: 'REPORT_NOT_FOUND',
      subjectRef: null,
      parties: [{ mspId: 'PearlMSP', institution: 'PRD-BANK-01', role: 'requester' }],
    });
    // The revocation names no actor in its records: it comes from the creator certificate.
    expect(revoked).toMatchObject({ kind: 'CONSENT_REVOKED', reason: 'grantee', consentId: s.consentId });
    expect(revoked?.actor).toEqual(actorOfCreator('PearlMSP', s.officers.pearl.cert.certPem));
    expect(revoked?.actor.institution).toBe('PRD-BANK-01');
    expect(revoked?.actor.id).toMatch(/^x509::\/.*CN=User1@pearl::\/.*CN=ca\.PearlMSP/);
  });

  it('flags requests whose purpose is outside the requester’s business at the time', async () => {
    const s = await scenario();
    const p = await plans(s.chain.blocks);
    const receipts = p.flatMap((b) => b.receipts.map((r) => r.receipt));
    // Pearl's configured purposes include loan_underwriting; supervisory access is never flagged.
    expect(receipts.every((r) => !r.purposeOutsideBusiness)).toBe(true);
  });
});
