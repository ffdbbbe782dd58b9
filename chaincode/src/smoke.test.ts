import { describe, expect, it } from 'vitest';
import {
  Enterprise,
  grantConsent,
  initialisedHarness,
  ok,
  registerEnterprise,
  requestId,
  submitReport,
} from '../test/fixtures';

describe('smoke', () => {
  it('runs submit, consent and access end to end', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await registerEnterprise(h, id.bankA, e);
    const report = await submitReport(h, id.bankA, 'rep-1', e.subjectRef);
    expect(report.provider).toEqual({ mspId: 'YangtzeMSP', institution: 'BANK-A' });
    const consentId = await grantConsent(h, id.pearlBank, 'PEARL-1', e);
    const receipt = ok<{ outcome: string; reason: string }>(
      await h.submit(id.pearlBank, 'RequestAccess', [requestId(), 'rep-1', consentId, 'loan_underwriting']),
    );
    expect(receipt).toMatchObject({ outcome: 'granted', reason: 'CONSENT' });
  });
});
