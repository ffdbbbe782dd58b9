import { TestChain } from './blocks.js';
import { hex64, TestContract, testOfficers, type TestOfficers } from './contract.js';

/*
 * Test-only: a small consortium history in signed blocks.
 *
 *   1  configuration
 *   2  Yangtze submits RPT-1 (subject A); Pearl submits RPT-2 (subject B)
 *   3  Pearl records a consent for A; Pearl's request for RPT-1 is granted
 *   4  Yangtze delivers it; JingJinJi's request for RPT-1 is denied; an invalid (MVCC) Pearl request
 *   5  Yangtze corrects RPT-1 with RPT-1B; Pearl erases RPT-2
 *   6  the regulator's supervisory access to RPT-1B; Pearl asks for a report that does not exist;
 *      Pearl revokes its consent
 */
export interface Scenario {
  readonly chain: TestChain;
  readonly officers: TestOfficers;
  readonly contract: TestContract;
  readonly subjectA: string;
  readonly subjectB: string;
  readonly grantedReceipt: string;
  readonly deniedReceipt: string;
  readonly invalidTx: string;
  readonly supervisoryReceipt: string;
  readonly missingReceipt: string;
  readonly consentId: string;
}

export async function scenario(subjects: { a?: string; b?: string } = {}): Promise<Scenario> {
  const chain = await TestChain.create();
  const officers = await testOfficers();
  const { admin, yangtze, pearl, jingjinji, regulator } = officers;
  const c = new TestContract();
  const subjectA = subjects.a ?? hex64();
  const subjectB = subjects.b ?? hex64();

  chain.block([c.configure(admin).envelope]);
  chain.block([c.submit(yangtze, 'RPT-1', subjectA).envelope, c.submit(pearl, 'RPT-2', subjectB).envelope]);
  const consent = c.recordConsent(pearl, subjectA);
  const granted = c.request(pearl, 'RPT-1', { consentId: consent.consentId });
  chain.block([consent.envelope, granted.envelope]);
  const delivered = c.deliver(yangtze, granted.receiptId);
  const denied = c.request(jingjinji, 'RPT-1', { denial: 'CONSENT_NOT_FOUND' });
  const invalid = c.request(pearl, 'RPT-1', { consentId: consent.consentId });
  chain.block([delivered.envelope, denied.envelope, invalid.envelope], {
    codes: [0, 0, 11],
  });
  c.receipts.delete(invalid.receiptId);
  chain.block([c.submit(yangtze, 'RPT-1B', subjectA, 'RPT-1').envelope, c.erase(pearl, 'RPT-2').envelope]);
  const supervisory = c.request(regulator, 'RPT-1B', { supervisory: true });
  const missing = c.request(pearl, 'NO-SUCH-REPORT', { denial: 'REPORT_NOT_FOUND' });
  chain.block([supervisory.envelope, missing.envelope, c.revokeConsent(pearl, consent.consentId).envelope]);
  return {
    chain,
    officers,
    contract: c,
    subjectA,
    subjectB,
    grantedReceipt: granted.receiptId,
    deniedReceipt: denied.receiptId,
    invalidTx: invalid.txId,
    supervisoryReceipt: supervisory.receiptId,
    missingReceipt: missing.receiptId,
    consentId: consent.consentId,
  };
}
