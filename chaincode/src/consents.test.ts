import { TypedDataEncoder, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL,
  DAY,
  Enterprise,
  T0,
  grantConsent,
  hex64,
  initialisedHarness,
  ok,
  queryRefused,
  refused,
  registerEnterprise,
  requestId,
  submitReport,
  type Identities,
} from '../test/fixtures';
import type { ContractHarness, TestIdentity, TxResult } from '../test/harness/index';
import { CONSENT_REVOCATION_TYPES, CONSENT_TYPES, eip712Domain, type ConsentMessage } from './eip712';
import type { Consent, ConsentPage, Receipt } from './model';

/** 2026-03-01T00:00:00Z (the harness clock T0) as the contract writes instants. */
const AT_T0 = '2026-03-01T00:00:00.000000000Z';
const PEARL = { mspId: 'PearlMSP', institution: 'PEARL-1' };
const BANK_A = { mspId: 'YangtzeMSP', institution: 'BANK-A' };

function newWallet(): Wallet {
  return new Wallet(Wallet.createRandom().privateKey);
}

/** Fabric composite key `\0type\0attr...\0`. */
function compositeKey(type: string, ...attributes: string[]): string {
  return `\u0000${type}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;
}

function stored(h: ContractHarness, key: string): unknown {
  const entry = h.ledger.get(key);
  return entry && (JSON.parse(entry.value.toString('utf8')) as unknown);
}

function storedConsent(h: ContractHarness, consentId: string): Consent | undefined {
  return stored(h, compositeKey('consent', consentId)) as Consent | undefined;
}

/** The consent id a client computes: the EIP-712 digest of the message, without 0x. */
function expectedConsentId(message: ConsentMessage): string {
  return TypedDataEncoder.hash(eip712Domain(CHANNEL), CONSENT_TYPES, { ...message }).slice(2);
}

function eventPayload(res: TxResult): unknown {
  return JSON.parse(res.event?.payload.toString('utf8') ?? 'null');
}

/** A consortium with an enterprise whose key BANK-A registered. */
async function setup(): Promise<{ h: ContractHarness; id: Identities; e: Enterprise }> {
  const { h, id } = await initialisedHarness();
  const e = new Enterprise();
  await registerEnterprise(h, id.bankA, e);
  return { h, id, e };
}

async function recordArgs(e: Enterprise, message: ConsentMessage, wallet?: Wallet): Promise<string[]> {
  return [JSON.stringify(message), await e.signConsent(message, wallet)];
}

function record(h: ContractHarness, caller: TestIdentity, args: string[]): Promise<TxResult> {
  return h.submit(caller, 'RecordConsent', args);
}

describe('RecordConsent', () => {
  it('records the signed consent under its EIP-712 digest, with no uses yet', async () => {
    const { h, id, e } = await setup();
    const message = e.consent(PEARL);
    const args = await recordArgs(e, message);
    const res = await record(h, id.pearlBank, args);
    const consent = ok<Consent>(res);

    const consentId = expectedConsentId(message);
    expect(consentId).toMatch(/^[0-9a-f]{64}$/);
    const expected: Consent = {
      consentId,
      subjectRef: e.subjectRef,
      signer: e.address,
      grantee: PEARL,
      categories: ['basic', 'warning'],
      purpose: 'loan_underwriting',
      notBefore: T0 - DAY,
      notAfter: T0 + 30 * DAY,
      maxUses: 3,
      uses: 0,
      nonce: message.nonce.slice(2),
      signature: args[1] ?? '',
      status: 'active',
      recordedAt: AT_T0,
      recordedTx: res.txId,
      recordedBy: { ...PEARL, id: expect.stringContaining('CN=officer1') },
      revocation: null,
    };
    expect(consent).toEqual(expected);
    expect(storedConsent(h, consentId)).toEqual(consent);

    // Exactly the consent, its nonce and its subject index entry are written.
    const nonceKey = compositeKey('consent~nonce', e.subjectRef, message.nonce.slice(2));
    const indexKey = compositeKey('consent~subject', e.subjectRef, consentId);
    expect([...res.writeSet.writes.keys()].sort()).toEqual(
      [compositeKey('consent', consentId), nonceKey, indexKey].sort(),
    );
    expect(stored(h, nonceKey)).toEqual({ consentId });
    expect(stored(h, indexKey)).toEqual({ consentId });

    expect(res.event?.name).toBe('ConsentRecorded');
    expect(eventPayload(res)).toEqual({ consentId, granteeMsp: 'PearlMSP', purpose: 'loan_underwriting' });
    expect(res.event?.payload.toString('utf8')).not.toContain(e.subjectRef);
    expect(h.ledger.events().at(-1)).toMatchObject({ txId: res.txId, name: 'ConsentRecorded' });
  });

  it('may be recorded by any officer of the grantee institution, for a window starting later', async () => {
    const { h, id, e } = await setup();
    const message = e.consent(PEARL, { notBefore: T0 + DAY, notAfter: T0 + 2 * DAY, maxUses: 1 });
    const consent = ok<Consent>(await record(h, id.pearlBank2, await recordArgs(e, message)));
    expect(consent.consentId).toBe(expectedConsentId(message));
    expect(consent.grantee).toEqual(PEARL);
    expect(consent.recordedBy.id).toContain('CN=officer2');
  });

  it('accepts a consent signed by the key a rotation made active', async () => {
    const { h, id, e } = await setup();
    const first = e.wallet;
    const next = newWallet();
    ok(
      await h.submit(id.bankA, 'RotateSubjectSigner', [
        e.subjectRef,
        next.address,
        await e.rotation(first, next, first),
        await e.rotation(first, next, next),
      ]),
    );
    const consent = ok<Consent>(await record(h, id.pearlBank, await recordArgs(e, e.consent(PEARL), next)));
    expect(consent.signer).toBe(next.address);
  });

  it('treats nonces per subject: another subject may use the same nonce', async () => {
    const { h, id, e } = await setup();
    const other = new Enterprise();
    await registerEnterprise(h, id.bankB, other);
    const nonce = `0x${hex64()}`;
    ok(await record(h, id.pearlBank, await recordArgs(e, e.consent(PEARL, { nonce }))));
    ok(await record(h, id.pearlBank, await recordArgs(other, other.consent(PEARL, { nonce }))));
  });

  describe('refuses a replayed nonce', () => {
    it('when the same signed consent is submitted again', async () => {
      const { h, id, e } = await setup();
      const args = await recordArgs(e, e.consent(PEARL));
      ok(await record(h, id.pearlBank, args));
      await refused(h, id.pearlBank, 'RecordConsent', args, 'NONCE_REPLAYED');
    });

    it('when a differently worded consent reuses the nonce', async () => {
      const { h, id, e } = await setup();
      const first = e.consent(PEARL);
      ok(await record(h, id.pearlBank, await recordArgs(e, first)));
      const second = e.consent(PEARL, { nonce: first.nonce, maxUses: 5, purpose: 'guarantee_review' });
      await refused(h, id.pearlBank, 'RecordConsent', await recordArgs(e, second), 'NONCE_REPLAYED');
      const elsewhere = e.consent(BANK_A, { nonce: first.nonce });
      await refused(h, id.bankA, 'RecordConsent', await recordArgs(e, elsewhere), 'NONCE_REPLAYED');
    });
  });

  it('refuses a consent signed by a key never registered for the subject', async () => {
    const { h, id, e } = await setup();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL), newWallet()),
      'SIGNER_UNKNOWN',
    );
  });

  it("refuses a consent signed by another subject's registered key", async () => {
    const { h, id, e } = await setup();
    const other = new Enterprise();
    await registerEnterprise(h, id.bankA, other);
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL), other.wallet),
      'SIGNER_UNKNOWN',
    );
  });

  it('refuses a consent signed by a revoked key', async () => {
    const { h, id, e } = await setup();
    ok(await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, '']));
    const args = await recordArgs(e, e.consent(PEARL));
    await refused(h, id.pearlBank, 'RecordConsent', args, 'SIGNER_REVOKED');
    // Still refused once a new key is registered for the subject.
    const renewed = new Enterprise(e.subjectRef);
    await registerEnterprise(h, id.bankA, renewed);
    await refused(h, id.pearlBank, 'RecordConsent', await recordArgs(e, e.consent(PEARL)), 'SIGNER_REVOKED');
  });

  it('refuses a consent signed by a key that was rotated away', async () => {
    const { h, id, e } = await setup();
    const first = e.wallet;
    const next = newWallet();
    ok(
      await h.submit(id.bankA, 'RotateSubjectSigner', [
        e.subjectRef,
        next.address,
        await e.rotation(first, next, first),
        await e.rotation(first, next, next),
      ]),
    );
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL), first),
      'SIGNER_REVOKED',
    );
  });

  it.each([
    ['maxUses', (m: ConsentMessage) => ({ ...m, maxUses: 1000 })],
    ['notAfter', (m: ConsentMessage) => ({ ...m, notAfter: m.notAfter + 365 * DAY })],
    ['categories', (m: ConsentMessage) => ({ ...m, categories: ['basic', 'warning', 'asset'] })],
    ['purpose', (m: ConsentMessage) => ({ ...m, purpose: 'post_loan_monitoring' })],
  ])(
    'refuses a consent altered after signing (%s): the signature recovers an unknown key',
    async (_name, alter) => {
      const { h, id, e } = await setup();
      const signed = e.consent(PEARL);
      const signature = await e.signConsent(signed);
      await refused(
        h,
        id.pearlBank,
        'RecordConsent',
        [JSON.stringify(alter(signed)), signature],
        'SIGNER_UNKNOWN',
      );
    },
  );

  it('refuses a consent signed for another channel', async () => {
    const { h, id, e } = await setup();
    const message = e.consent(PEARL);
    const signature = await e.wallet.signTypedData(eip712Domain('otherchannel'), CONSENT_TYPES, {
      ...message,
    });
    await refused(h, id.pearlBank, 'RecordConsent', [JSON.stringify(message), signature], 'SIGNER_UNKNOWN');
  });

  it.each([
    ['empty', ''],
    ['too short', '0x1234'],
    ['not hex', `0x${'zz'.repeat(65)}`],
    ['unrecoverable', `0x${'00'.repeat(65)}`],
  ])('refuses a malformed signature (%s)', async (_name, signature) => {
    const { h, id, e } = await setup();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      [JSON.stringify(e.consent(PEARL)), signature],
      'BAD_SIGNATURE',
    );
  });

  it.each([
    ['notBefore equals notAfter', { notBefore: T0 + DAY, notAfter: T0 + DAY }],
    ['notBefore after notAfter', { notBefore: T0 + 2 * DAY, notAfter: T0 + DAY }],
  ])('refuses an empty window (%s)', async (_name, window) => {
    const { h, id, e } = await setup();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL, window)),
      'CONSENT_WINDOW_EMPTY',
    );
  });

  it.each([
    ['ended a second ago', T0 - 1],
    ['ends at the transaction time', T0],
  ])('refuses a window that has already ended (%s)', async (_name, notAfter) => {
    const { h, id, e } = await setup();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL, { notBefore: T0 - 10 * DAY, notAfter })),
      'CONSENT_EXPIRED',
    );
  });

  it('refuses an unknown category', async () => {
    const { h, id, e } = await setup();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL, { categories: ['basic', 'lifestyle'] })),
      'UNKNOWN_CATEGORY',
    );
  });

  it('refuses an unknown purpose', async () => {
    const { h, id, e } = await setup();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL, { purpose: 'marketing' })),
      'UNKNOWN_PURPOSE',
    );
  });

  it('refuses a supervisory purpose', async () => {
    const { h, id, e } = await setup();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL, { purpose: 'supervision' })),
      'PURPOSE_FORBIDDEN',
    );
  });

  it('refuses a subject without a registered key', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await refused(
      h,
      id.pearlBank,
      'RecordConsent',
      await recordArgs(e, e.consent(PEARL)),
      'SUBJECT_NOT_FOUND',
    );
  });

  it.each([
    ['another institution of the grantee MSP', 'bankB', BANK_A],
    ['an institution of another MSP', 'pearlBank', BANK_A],
    [
      'a member of another MSP naming its own institution code',
      'jjjBank',
      { ...PEARL, institution: 'JJJ-1' },
    ],
  ] as const)('refuses a consent recorded by %s', async (_name, who, grantee) => {
    const { h, id, e } = await setup();
    await refused(h, id[who], 'RecordConsent', await recordArgs(e, e.consent(grantee)), 'ORG_FORBIDDEN');
  });

  it.each([
    ['recorded by a member', 'pearlBank'],
    ['recorded by a member-role certificate of the regulator MSP', 'regulatorAsMember'],
  ] as const)('refuses a consent naming the regulator MSP as grantee (%s)', async (_name, who) => {
    const { h, id, e } = await setup();
    const message = e.consent({ mspId: 'RegulatorMSP', institution: 'REG-1' });
    // The caller must be a member; the grantee must be the caller, so ORG_FORBIDDEN comes first.
    await refused(h, id[who], 'RecordConsent', await recordArgs(e, message), 'ORG_FORBIDDEN');
  });

  it('refuses a consent naming an MSP outside the consortium, recorded by that MSP', async () => {
    const { h, id, e } = await setup();
    const message = e.consent({ mspId: 'UnknownMSP', institution: 'OUT-1' });
    await refused(h, id.outsider, 'RecordConsent', await recordArgs(e, message), 'ORG_FORBIDDEN');
  });

  it.each([
    ['a regulator', 'regulator', 'ROLE_FORBIDDEN'],
    ['a member-MSP certificate claiming the regulator role', 'fakeRegulator', 'ROLE_FORBIDDEN'],
    ['an administrator', 'pearlAdmin', 'ROLE_FORBIDDEN'],
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ['a member without institution', 'noInstitution', 'IDENTITY_INCOMPLETE'],
  ] as const)('refuses %s', async (_name, who, code) => {
    const { h, id, e } = await setup();
    const grantee = id[who].mspId === 'PearlMSP' ? PEARL : BANK_A;
    await refused(h, id[who], 'RecordConsent', await recordArgs(e, e.consent(grantee)), code);
  });

  describe('refuses a malformed consent', () => {
    type Raw = Record<string, unknown>;
    const cases: Array<[string, (m: Raw) => string]> = [
      ['not JSON', () => '{"subjectRef":'],
      ['empty', () => ''],
      ['a JSON array', (m) => JSON.stringify([m])],
      ['JSON null', () => 'null'],
      ['an extra field', (m) => JSON.stringify({ ...m, note: 'x' })],
      [
        'a missing field',
        (m) => JSON.stringify(Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'nonce'))),
      ],
      ['maxUses 0', (m) => JSON.stringify({ ...m, maxUses: 0 })],
      ['maxUses above one million', (m) => JSON.stringify({ ...m, maxUses: 1_000_001 })],
      ['a fractional maxUses', (m) => JSON.stringify({ ...m, maxUses: 1.5 })],
      ['a fractional notBefore', (m) => JSON.stringify({ ...m, notBefore: T0 + 0.5 })],
      ['notAfter as a string', (m) => JSON.stringify({ ...m, notAfter: String(T0 + DAY) })],
      ['a negative notBefore', (m) => JSON.stringify({ ...m, notBefore: -1 })],
      ['notAfter beyond year 9999', (m) => JSON.stringify({ ...m, notAfter: 253402300800 })],
      [
        'upper-case subjectRef hex',
        (m) => JSON.stringify({ ...m, subjectRef: String(m.subjectRef).toUpperCase().replace('0X', '0x') }),
      ],
      [
        'upper-case nonce hex',
        (m) => JSON.stringify({ ...m, nonce: String(m.nonce).toUpperCase().replace('0X', '0x') }),
      ],
      ['subjectRef without 0x', (m) => JSON.stringify({ ...m, subjectRef: String(m.subjectRef).slice(2) })],
      ['a short nonce', (m) => JSON.stringify({ ...m, nonce: String(m.nonce).slice(0, 64) })],
      ['no categories', (m) => JSON.stringify({ ...m, categories: [] })],
      ['duplicate categories', (m) => JSON.stringify({ ...m, categories: ['basic', 'basic'] })],
      ['a malformed category code', (m) => JSON.stringify({ ...m, categories: ['Basic'] })],
      ['categories not a list', (m) => JSON.stringify({ ...m, categories: 'basic' })],
      ['a malformed purpose code', (m) => JSON.stringify({ ...m, purpose: 'Loan Underwriting' })],
      ['an empty granteeMsp', (m) => JSON.stringify({ ...m, granteeMsp: '' })],
      ['a malformed granteeInstitution', (m) => JSON.stringify({ ...m, granteeInstitution: 'P' })],
    ];
    it.each(cases)('(%s)', async (_name, mutate) => {
      const { h, id, e } = await setup();
      const message = e.consent(PEARL);
      const raw = { ...message } as Raw;
      await refused(
        h,
        id.pearlBank,
        'RecordConsent',
        [mutate(raw), await e.signConsent(message)],
        'INVALID_ARGUMENT',
      );
    });
  });
});

describe('RevokeConsent', () => {
  async function granted(): Promise<{
    h: ContractHarness;
    id: Identities;
    e: Enterprise;
    consentId: string;
  }> {
    const { h, id, e } = await setup();
    const consentId = await grantConsent(h, id.pearlBank, 'PEARL-1', e);
    h.advance(DAY);
    return { h, id, e, consentId };
  }

  it("revokes a consent with the subject's signature", async () => {
    const { h, id, e, consentId } = await granted();
    const before = storedConsent(h, consentId);
    const res = await h.submit(id.bankA, 'RevokeConsent', [consentId, await e.revocation(consentId)]);
    const consent = ok<Consent>(res);
    expect(consent).toEqual({
      ...before,
      status: 'revoked',
      revocation: { at: '2026-03-02T00:00:00.000000000Z', tx: res.txId, by: 'subject' },
    });
    expect(storedConsent(h, consentId)).toEqual(consent);
    expect([...res.writeSet.writes.keys()]).toEqual([compositeKey('consent', consentId)]);
    expect(res.event?.name).toBe('ConsentRevoked');
    expect(eventPayload(res)).toEqual({ by: 'subject', consentId, granteeMsp: 'PearlMSP' });
    expect(res.event?.payload.toString('utf8')).not.toContain(e.subjectRef);
  });

  it('accepts the revocation signed by the active key after the consent key was rotated', async () => {
    const { h, id, e, consentId } = await granted();
    const first = e.wallet;
    const next = newWallet();
    ok(
      await h.submit(id.bankA, 'RotateSubjectSigner', [
        e.subjectRef,
        next.address,
        await e.rotation(first, next, first),
        await e.rotation(first, next, next),
      ]),
    );
    const consent = ok<Consent>(
      await h.submit(id.pearlBank, 'RevokeConsent', [consentId, await e.revocation(consentId, next)]),
    );
    expect(consent.status).toBe('revoked');
    expect(consent.revocation?.by).toBe('subject');
  });

  it.each([
    ['the recording officer', 'pearlBank'],
    ['another officer of the grantee institution', 'pearlBank2'],
  ] as const)('revokes a consent for the grantee institution without signature (%s)', async (_name, who) => {
    const { h, id, e, consentId } = await granted();
    const res = await h.submit(id[who], 'RevokeConsent', [consentId, '']);
    const consent = ok<Consent>(res);
    expect(consent.status).toBe('revoked');
    expect(consent.revocation).toEqual({ at: '2026-03-02T00:00:00.000000000Z', tx: res.txId, by: 'grantee' });
    expect(storedConsent(h, consentId)).toEqual(consent);
    expect(res.event?.name).toBe('ConsentRevoked');
    expect(eventPayload(res)).toEqual({ by: 'grantee', consentId, granteeMsp: 'PearlMSP' });
    expect(res.event?.payload.toString('utf8')).not.toContain(e.subjectRef);
  });

  it.each([
    ['the institution that registered the subject key', 'bankA'],
    ['a member of another MSP', 'jjjBank'],
  ] as const)('refuses a revocation without signature by %s', async (_name, who) => {
    const { h, id, consentId } = await granted();
    await refused(h, id[who], 'RevokeConsent', [consentId, ''], 'ORG_FORBIDDEN');
  });

  it('refuses a revocation signed by a foreign key', async () => {
    const { h, id, e, consentId } = await granted();
    await refused(
      h,
      id.pearlBank,
      'RevokeConsent',
      [consentId, await e.revocation(consentId, newWallet())],
      'SIGNER_UNKNOWN',
    );
  });

  it('refuses a revocation signed for another consent', async () => {
    const { h, id, e, consentId } = await granted();
    await refused(
      h,
      id.pearlBank,
      'RevokeConsent',
      [consentId, await e.revocation(hex64())],
      'SIGNER_UNKNOWN',
    );
  });

  it('refuses a revocation signed by a revoked subject key', async () => {
    const { h, id, e, consentId } = await granted();
    const signature = await e.wallet.signTypedData(eip712Domain(CHANNEL), CONSENT_REVOCATION_TYPES, {
      consentId: `0x${consentId}`,
    });
    ok(await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, '']));
    await refused(h, id.pearlBank, 'RevokeConsent', [consentId, signature], 'SIGNER_REVOKED');
  });

  it('refuses a malformed revocation signature', async () => {
    const { h, id, consentId } = await granted();
    await refused(h, id.pearlBank, 'RevokeConsent', [consentId, '0xabcdef'], 'BAD_SIGNATURE');
  });

  it('refuses to revoke a consent twice', async () => {
    const { h, id, e, consentId } = await granted();
    ok(await h.submit(id.pearlBank, 'RevokeConsent', [consentId, '']));
    await refused(h, id.pearlBank, 'RevokeConsent', [consentId, ''], 'CONSENT_REVOKED');
    await refused(
      h,
      id.bankA,
      'RevokeConsent',
      [consentId, await e.revocation(consentId)],
      'CONSENT_REVOKED',
    );
  });

  it('refuses an unknown consent', async () => {
    const { h, id, e } = await setup();
    const unknown = hex64();
    await refused(h, id.pearlBank, 'RevokeConsent', [unknown, ''], 'CONSENT_NOT_FOUND');
    await refused(
      h,
      id.pearlBank,
      'RevokeConsent',
      [unknown, await e.revocation(unknown)],
      'CONSENT_NOT_FOUND',
    );
  });

  it.each([
    ['upper-case', (c: string) => c.toUpperCase()],
    ['0x-prefixed', (c: string) => `0x${c}`],
    ['empty', () => ''],
  ])('refuses a malformed consentId (%s)', async (_name, mangle) => {
    const { h, id, consentId } = await granted();
    await refused(h, id.pearlBank, 'RevokeConsent', [mangle(consentId), ''], 'INVALID_ARGUMENT');
  });

  it.each([
    ['a regulator', 'regulator', 'ROLE_FORBIDDEN'],
    ['an administrator', 'pearlAdmin', 'ROLE_FORBIDDEN'],
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ['a member role in the regulator MSP', 'regulatorAsMember', 'ORG_FORBIDDEN'],
    ['an MSP outside the consortium', 'outsider', 'ORG_FORBIDDEN'],
    ['a member without institution', 'noInstitution', 'IDENTITY_INCOMPLETE'],
  ] as const)("refuses %s, even with the subject's signature", async (_name, who, code) => {
    const { h, id, e, consentId } = await granted();
    await refused(h, id[who], 'RevokeConsent', [consentId, await e.revocation(consentId)], code);
  });
});

describe('GetConsent', () => {
  it.each([
    ['the grantee institution', 'pearlBank'],
    ['another officer of the grantee MSP', 'pearlBank2'],
    ['an administrator of the grantee MSP', 'pearlAdmin'],
    ['a regulator', 'regulator'],
  ] as const)('shows the consent to %s', async (_name, who) => {
    const { h, id, e } = await setup();
    const consentId = await grantConsent(h, id.pearlBank, 'PEARL-1', e);
    const before = h.ledger.snapshot();
    const res = await h.evaluate(id[who], 'GetConsent', [consentId]);
    expect(ok<Consent>(res)).toEqual(storedConsent(h, consentId));
    expect(res.committed).toBe(false);
    expect(h.ledger.snapshot()).toBe(before);
  });

  it('shows a consent to every institution of the grantee MSP', async () => {
    const { h, id, e } = await setup();
    const consentId = await grantConsent(h, id.bankA, 'BANK-A', e);
    expect(ok<Consent>(await h.evaluate(id.bankB, 'GetConsent', [consentId])).consentId).toBe(consentId);
  });

  it.each([
    ['a member of another MSP', 'bankA', 'ORG_FORBIDDEN'],
    ['a member of a third MSP', 'jjjBank', 'ORG_FORBIDDEN'],
    ['an administrator of another MSP', 'yangtzeAdmin', 'ORG_FORBIDDEN'],
    ['a member-MSP certificate claiming the regulator role', 'fakeRegulator', 'ORG_FORBIDDEN'],
    ['an MSP outside the consortium', 'outsider', 'ORG_FORBIDDEN'],
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
  ] as const)('hides the consent from %s', async (_name, who, code) => {
    const { h, id, e } = await setup();
    const consentId = await grantConsent(h, id.pearlBank, 'PEARL-1', e);
    await queryRefused(h, id[who], 'GetConsent', [consentId], code);
  });

  it('refuses an unknown or malformed consentId', async () => {
    const { h, id } = await setup();
    await queryRefused(h, id.pearlBank, 'GetConsent', [hex64()], 'CONSENT_NOT_FOUND');
    await queryRefused(h, id.regulator, 'GetConsent', [hex64()], 'CONSENT_NOT_FOUND');
    await queryRefused(h, id.pearlBank, 'GetConsent', [hex64().toUpperCase()], 'INVALID_ARGUMENT');
  });
});

describe('ListConsentsBySubject', () => {
  /** 4 consents granted to PEARL-1 and 3 to BANK-A, for one subject; returns their ids by grantee. */
  async function sevenConsents(): Promise<{
    h: ContractHarness;
    id: Identities;
    e: Enterprise;
    pearl: string[];
    yangtze: string[];
  }> {
    const { h, id, e } = await setup();
    const pearl: string[] = [];
    const yangtze: string[] = [];
    for (let i = 0; i < 4; i++) pearl.push(await grantConsent(h, id.pearlBank, 'PEARL-1', e));
    for (let i = 0; i < 3; i++) yangtze.push(await grantConsent(h, id.bankA, 'BANK-A', e));
    // Another subject's consent never appears in this subject's list.
    const other = new Enterprise();
    await registerEnterprise(h, id.bankA, other);
    await grantConsent(h, id.pearlBank, 'PEARL-1', other);
    return { h, id, e, pearl, yangtze };
  }

  async function allPages(
    h: ContractHarness,
    caller: TestIdentity,
    subjectRef: string,
    pageSize: number,
  ): Promise<ConsentPage[]> {
    const pages: ConsentPage[] = [];
    let bookmark = '';
    for (let i = 0; i < 20; i++) {
      const page = ok<ConsentPage>(
        await h.evaluate(caller, 'ListConsentsBySubject', [subjectRef, String(pageSize), bookmark]),
      );
      pages.push(page);
      bookmark = page.bookmark;
      if (bookmark === '') return pages;
    }
    throw new Error('pagination did not end');
  }

  it('pages through all consents exactly once, in key order, for a regulator', async () => {
    const { h, id, e, pearl, yangtze } = await sevenConsents();
    const before = h.ledger.snapshot();
    const pages = await allPages(h, id.regulator, e.subjectRef, 3);
    expect(pages.map((p) => p.records.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.fetchedCount)).toEqual([3, 3, 1]);
    expect(pages[0]?.bookmark).not.toBe('');
    expect(pages[1]?.bookmark).not.toBe('');
    const ids = pages.flatMap((p) => p.records.map((c) => c.consentId));
    expect(ids).toEqual([...pearl, ...yangtze].sort());
    for (const consent of pages.flatMap((p) => p.records)) {
      expect(consent).toEqual(storedConsent(h, consent.consentId));
      expect(consent.subjectRef).toBe(e.subjectRef);
    }
    expect(h.ledger.snapshot()).toBe(before);
  });

  it('ends cleanly when the consents fill the last page exactly', async () => {
    const { h, id, e } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await grantConsent(h, id.pearlBank, 'PEARL-1', e));
    const pages = await allPages(h, id.pearlBank, e.subjectRef, 3);
    expect(pages.flatMap((p) => p.records.map((c) => c.consentId))).toEqual(ids.slice().sort());
    expect(pages.at(-1)?.bookmark).toBe('');
  });

  it('returns everything in one page when it fits', async () => {
    const { h, id, e, pearl, yangtze } = await sevenConsents();
    const pages = await allPages(h, id.regulator, e.subjectRef, 100);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.bookmark).toBe('');
    expect(pages[0]?.records.map((c) => c.consentId)).toEqual([...pearl, ...yangtze].sort());
  });

  it.each([
    ['PearlMSP', 'pearlBank', 'pearl'],
    ['YangtzeMSP (any institution)', 'bankB', 'yangtze'],
  ] as const)('shows a member of %s only the consents granted to its MSP', async (_name, who, mine) => {
    const { h, id, e, pearl, yangtze } = await sevenConsents();
    const expected = (mine === 'pearl' ? pearl : yangtze).slice().sort();
    const pages = await allPages(h, id[who], e.subjectRef, 3);
    // Pagination runs over all index entries; each page shows only the caller's share.
    expect(pages.map((p) => p.fetchedCount)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.records.map((c) => c.consentId))).toEqual(expected);
  });

  it('shows a member of an MSP without consents nothing', async () => {
    const { h, id, e } = await sevenConsents();
    const pages = await allPages(h, id.jjjBank, e.subjectRef, 100);
    expect(pages.flatMap((p) => p.records)).toEqual([]);
  });

  it('returns an empty page for a subject without consents', async () => {
    const { h, id } = await setup();
    const page = ok<ConsentPage>(
      await h.evaluate(id.regulator, 'ListConsentsBySubject', [hex64(), '10', '']),
    );
    expect(page).toEqual({ records: [], bookmark: '', fetchedCount: 0 });
  });

  it.each([['0'], ['101'], ['x'], [''], ['-1'], ['1.5'], ['010']])(
    'refuses page size %j',
    async (pageSize) => {
      const { h, id, e } = await setup();
      await queryRefused(
        h,
        id.regulator,
        'ListConsentsBySubject',
        [e.subjectRef, pageSize, ''],
        'INVALID_ARGUMENT',
      );
    },
  );

  it('refuses a malformed subjectRef or bookmark', async () => {
    const { h, id, e } = await setup();
    await queryRefused(
      h,
      id.regulator,
      'ListConsentsBySubject',
      [e.subjectRef.toUpperCase(), '10', ''],
      'INVALID_ARGUMENT',
    );
    await queryRefused(
      h,
      id.regulator,
      'ListConsentsBySubject',
      [e.subjectRef, '10', 'x'.repeat(1025)],
      'INVALID_ARGUMENT',
    );
  });

  it.each([
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ['an MSP outside the consortium', 'outsider', 'ORG_FORBIDDEN'],
    ['a member-MSP certificate claiming the regulator role', 'fakeRegulator', 'ORG_FORBIDDEN'],
  ] as const)('refuses %s', async (_name, who, code) => {
    const { h, id, e } = await setup();
    await queryRefused(h, id[who], 'ListConsentsBySubject', [e.subjectRef, '10', ''], code);
  });
});

describe('a recorded consent', () => {
  it('grants access without presenting the signature again', async () => {
    const { h, id, e } = await setup();
    await submitReport(h, id.bankA, 'rep-1', e.subjectRef);
    const consentId = await grantConsent(h, id.pearlBank, 'PEARL-1', e);
    const res = await h.submit(id.pearlBank, 'RequestAccess', [
      requestId(),
      'rep-1',
      consentId,
      'loan_underwriting',
    ]);
    const receipt = ok<Receipt>(res);
    expect(receipt).toMatchObject({ outcome: 'granted', reason: 'CONSENT', consentId, useNumber: 1 });
    const consent = storedConsent(h, consentId);
    expect(consent?.uses).toBe(1);
    expect(consent?.status).toBe('active');
  });
});
