import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  generateSubjectSigningKey,
  signConsent,
  signConsentRevocation,
  signSignerBinding,
} from '../crypto/eip712-consent.js';
import { LedgerError } from '../ports/ledger-error.js';
import { OFFICER, OTHER_USCC, USCC, harness, interpose, type Harness } from './testing/harness.js';

const enterpriseKey = (): Wallet => new Wallet(generateSubjectSigningKey().privateKey);
const PEARL_OFFICER = { user: 'PearlUser1', role: 'member' } as const;

async function registered(h: Harness, enterprise: Wallet): Promise<string> {
  const { subjectRef } = await h.subjects.lookup(OFFICER, USCC);
  const binding = await signSignerBinding(enterprise, {
    channelId: 'creditchain',
    subjectRef,
    action: 'register',
  });
  await h.subjects.register(
    OFFICER,
    { uscc: USCC, signer: binding.signer, signature: binding.signature },
    'reg-1',
  );
  return subjectRef;
}

async function consentFor(enterprise: Wallet, subjectRef: string, nonce = `0x${'1'.repeat(64)}`) {
  return signConsent(enterprise, 'creditchain', {
    subjectRef,
    granteeMsp: 'PearlMSP',
    granteeInstitution: 'PRD-BANK-01',
    categories: ['basic'],
    purpose: 'loan_underwriting',
    notBefore: 1_700_000_000,
    notAfter: 1_900_000_000,
    maxUses: 2,
    nonce,
  });
}

describe('SubjectService', () => {
  it('turns a USCC into its pseudonym with the subject key, case and spaces aside', async () => {
    const h = await harness();
    const a = await h.subjects.lookup(OFFICER, USCC);
    expect(a).toEqual({
      subjectRef: expect.stringMatching(/^[0-9a-f]{64}$/),
      registered: false,
      activeSigner: null,
    });
    expect((await h.subjects.lookup(OFFICER, ` ${USCC.toLowerCase()} `)).subjectRef).toBe(a.subjectRef);
    expect((await h.subjects.lookup(OFFICER, OTHER_USCC)).subjectRef).not.toBe(a.subjectRef);
    await expect(h.subjects.lookup(OFFICER, '91350100M000100Y44')).rejects.toMatchObject({
      code: 'INVALID_USCC',
    });
  });

  it('registers the enterprise’s signing key with its own binding signature', async () => {
    const h = await harness();
    const enterprise = enterpriseKey();
    const subjectRef = await registered(h, enterprise);
    expect(await h.subjects.lookup(OFFICER, USCC)).toEqual({
      subjectRef,
      registered: true,
      activeSigner: enterprise.address,
    });
    expect(h.ledger.calls.filter((c) => c.transaction === 'RegisterSubjectSigner')).toEqual([
      { user: 'User1', transaction: 'RegisterSubjectSigner' },
    ]);
  });

  it('refuses a binding signed by another key (forged) and malformed input', async () => {
    const h = await harness();
    const { subjectRef } = await h.subjects.lookup(OFFICER, USCC);
    const forger = enterpriseKey();
    const binding = await signSignerBinding(forger, {
      channelId: 'creditchain',
      subjectRef,
      action: 'register',
    });
    const victim = enterpriseKey().address;
    await expect(
      h.subjects.register(OFFICER, { uscc: USCC, signer: victim, signature: binding.signature }, 'r1'),
    ).rejects.toMatchObject({
      name: 'LedgerError',
      code: 'BAD_SIGNATURE',
    });
    await expect(
      h.subjects.register(OFFICER, { uscc: USCC, signer: 'nope', signature: binding.signature }, 'r2'),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect((await h.subjects.lookup(OFFICER, USCC)).registered).toBe(false);
  });

  it('recovers a registration that committed but lost its answer', async () => {
    let lose = true;
    const h = await harness({
      wrapLedger: (inner) =>
        interpose(inner, {
          registerSubjectSigner: async (as, input) => {
            const done = await inner.registerSubjectSigner(as, input);
            if (lose) throw new LedgerError('LEDGER_UNAVAILABLE', 'lost');
            return done;
          },
        }),
    });
    const enterprise = enterpriseKey();
    await expect(registered(h, enterprise)).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    lose = false;
    const { subjectRef } = await h.subjects.lookup(OFFICER, USCC);
    const binding = await signSignerBinding(enterprise, {
      channelId: 'creditchain',
      subjectRef,
      action: 'register',
    });
    const again = await h.subjects.register(
      OFFICER,
      { uscc: USCC, signer: binding.signer, signature: binding.signature },
      'reg-1',
    );
    expect(again.body.subject).toEqual({ subjectRef, registered: true, activeSigner: enterprise.address });
  });
});

describe('ConsentService', () => {
  it('records a subject-signed consent as the grantee officer, then revokes it as grantee', async () => {
    const h = await harness();
    const enterprise = enterpriseKey();
    const subjectRef = await registered(h, enterprise);
    const signed = await consentFor(enterprise, subjectRef);
    const recorded = await h.consents.record(
      PEARL_OFFICER,
      { consent: signed.consent, signature: signed.signature },
      'c1',
    );
    expect(recorded.body.consent).toMatchObject({
      consentId: signed.consentId,
      subjectRef,
      signer: enterprise.address,
      grantee: { mspId: 'PearlMSP', institution: 'PRD-BANK-01' },
      status: 'active',
      revokedBy: null,
    });
    expect(await h.consents.get(PEARL_OFFICER, signed.consentId)).toEqual(recorded.body.consent);
    const revoked = await h.consents.revoke(PEARL_OFFICER, signed.consentId, undefined, 'c2');
    expect(revoked.body.consent).toMatchObject({ status: 'revoked', revokedBy: 'grantee' });
    // Revoking is idempotent for the same party: a second revocation answers with the first.
    const again = await h.consents.revoke(PEARL_OFFICER, signed.consentId, undefined, 'c3');
    expect(again.body.txId).toBe(revoked.body.txId);
    const sig = await signConsentRevocation(enterprise, {
      channelId: 'creditchain',
      consentId: signed.consentId,
    });
    await expect(h.consents.revoke(PEARL_OFFICER, signed.consentId, sig, 'c4')).rejects.toMatchObject({
      code: 'CONSENT_REVOKED',
    });
  });

  it('revokes with the subject’s signature', async () => {
    const h = await harness();
    const enterprise = enterpriseKey();
    const subjectRef = await registered(h, enterprise);
    const signed = await consentFor(enterprise, subjectRef);
    await h.consents.record(PEARL_OFFICER, { consent: signed.consent, signature: signed.signature }, 'c1');
    const sig = await signConsentRevocation(enterprise, {
      channelId: 'creditchain',
      consentId: signed.consentId,
    });
    expect((await h.consents.revoke(PEARL_OFFICER, signed.consentId, sig, 'c2')).body.consent.revokedBy).toBe(
      'subject',
    );
  });

  it('refuses a consent recorded by another institution than the grantee, a forged one and malformed ones', async () => {
    const h = await harness();
    const enterprise = enterpriseKey();
    const subjectRef = await registered(h, enterprise);
    const signed = await consentFor(enterprise, subjectRef);
    await expect(
      h.consents.record(OFFICER, { consent: signed.consent, signature: signed.signature }, 'c1'),
    ).rejects.toMatchObject({
      code: 'ORG_FORBIDDEN',
    });
    const forged = await consentFor(enterpriseKey(), subjectRef, `0x${'2'.repeat(64)}`);
    await expect(
      h.consents.record(PEARL_OFFICER, { consent: forged.consent, signature: forged.signature }, 'c2'),
    ).rejects.toMatchObject({
      code: 'SIGNER_UNKNOWN',
    });
    await expect(
      h.consents.record(
        PEARL_OFFICER,
        { consent: { ...signed.consent, extra: 1 }, signature: signed.signature },
        'c3',
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(
      h.consents.record(PEARL_OFFICER, { consent: signed.consent, signature: '0x12' }, 'c4'),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(h.consents.get(PEARL_OFFICER, 'XYZ')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('replays a recorded consent for the same key', async () => {
    const h = await harness();
    const enterprise = enterpriseKey();
    const subjectRef = await registered(h, enterprise);
    const signed = await consentFor(enterprise, subjectRef);
    const input = { consent: signed.consent, signature: signed.signature };
    const first = await h.consents.record(PEARL_OFFICER, input, 'c1');
    expect(await h.consents.record(PEARL_OFFICER, input, 'c1')).toEqual({ ...first, replayed: true });
  });
});
