import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL,
  DAY,
  Enterprise,
  hex64,
  initialisedHarness,
  ok,
  queryRefused,
  refused,
  registerEnterprise,
  type Identities,
} from '../test/fixtures';
import type { ContractHarness, TestIdentity, TxResult } from '../test/harness/index';
import { SIGNER_BINDING_TYPES, SIGNER_ROTATION_TYPES, eip712Domain } from './eip712';
import type { Subject } from './model';

/** 2026-03-01T00:00:00Z (the harness clock T0) as the contract writes instants. */
const AT_T0 = '2026-03-01T00:00:00.000000000Z';
const AT_T0_PLUS_DAY = '2026-03-02T00:00:00.000000000Z';

function newWallet(): Wallet {
  return new Wallet(Wallet.createRandom().privateKey);
}

/** Fabric composite key of a subject record. */
function subjectKey(subjectRef: string): string {
  return `\u0000subject\u0000${subjectRef}\u0000`;
}

/** The subject record as committed on the ledger, or undefined. */
function storedSubject(h: ContractHarness, subjectRef: string): Subject | undefined {
  const entry = h.ledger.get(subjectKey(subjectRef));
  return entry && (JSON.parse(entry.value.toString('utf8')) as Subject);
}

function register(
  h: ContractHarness,
  caller: TestIdentity,
  e: Enterprise,
  signature: string,
): Promise<TxResult> {
  return h.submit(caller, 'RegisterSubjectSigner', [e.subjectRef, e.address, signature]);
}

/** Rotates `e` from its current wallet to `next`, both keys signing; updates `e.wallet`. */
async function rotate(
  h: ContractHarness,
  caller: TestIdentity,
  e: Enterprise,
  next: Wallet,
): Promise<Subject> {
  const current = e.wallet;
  const subject = ok<Subject>(
    await h.submit(caller, 'RotateSubjectSigner', [
      e.subjectRef,
      next.address,
      await e.rotation(current, next, current),
      await e.rotation(current, next, next),
    ]),
  );
  e.wallet = next;
  return subject;
}

function expectNoSubjectRef(res: TxResult, subjectRef: string): void {
  expect(res.event).toBeDefined();
  expect(res.event?.payload.toString('utf8')).not.toContain(subjectRef);
}

/** A committed registration, then the clock moves on a day so later writes are distinguishable. */
async function registered(): Promise<{ h: ContractHarness; id: Identities; e: Enterprise }> {
  const { h, id } = await initialisedHarness();
  const e = new Enterprise();
  await registerEnterprise(h, id.bankA, e);
  h.advance(DAY);
  return { h, id, e };
}

describe('RegisterSubjectSigner', () => {
  it('registers the address that signed the binding, checksummed, with who registered it and when', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    // The address may be given in any letter case; the record keeps the checksummed form.
    const res = await h.submit(id.bankA, 'RegisterSubjectSigner', [
      e.subjectRef,
      e.address.toLowerCase(),
      await e.binding('register'),
    ]);
    const subject = ok<Subject>(res);
    const expected: Subject = {
      subjectRef: e.subjectRef,
      activeSigner: e.address,
      signers: [
        {
          address: e.address,
          status: 'active',
          registeredAt: AT_T0,
          registeredTx: res.txId,
          registeredBy: { mspId: 'YangtzeMSP', institution: 'BANK-A' },
          retiredAt: null,
        },
      ],
    };
    expect(subject).toEqual(expected);
    expect(subject.activeSigner).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(subject.activeSigner).not.toBe(e.address.toLowerCase());
    expect(storedSubject(h, e.subjectRef)).toEqual(expected);

    expect(res.committed).toBe(true);
    expect(res.event?.name).toBe('SubjectSignerRegistered');
    expectNoSubjectRef(res, e.subjectRef);
    const events = h.ledger.events();
    expect(events.at(-1)).toMatchObject({ txId: res.txId, name: 'SubjectSignerRegistered' });
    expect(events.at(-1)?.payload.toString('utf8')).not.toContain(e.subjectRef);
  });

  it('lets any member institution register a key', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    const subject = ok<Subject>(await register(h, id.jjjBank, e, await e.binding('register')));
    expect(subject.signers[0]?.registeredBy).toEqual({ mspId: 'JingJinJiMSP', institution: 'JJJ-1' });
  });

  it('refuses a binding signed by another key', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    const signature = await e.binding('register', newWallet(), e.address);
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, signature],
      'BAD_SIGNATURE',
    );
  });

  it('refuses a binding signed for another subject', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    const signature = await new Enterprise(hex64(), e.wallet).binding('register');
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, signature],
      'BAD_SIGNATURE',
    );
  });

  it('refuses a binding for another address than the one registered', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    const other = newWallet();
    // e's key binds other's address: the registered address did not sign.
    const signature = await e.binding('register', e.wallet, other.address);
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, other.address, signature],
      'BAD_SIGNATURE',
    );
  });

  it('refuses a binding with action revoke', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, await e.binding('revoke')],
      'BAD_SIGNATURE',
    );
  });

  it('refuses a binding signed for another channel', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    const signature = await e.wallet.signTypedData(eip712Domain('otherchannel'), SIGNER_BINDING_TYPES, {
      subjectRef: `0x${e.subjectRef}`,
      signer: e.address,
      action: 'register',
    });
    // Sanity: the same message signed for this channel is accepted.
    const good = await e.wallet.signTypedData(eip712Domain(CHANNEL), SIGNER_BINDING_TYPES, {
      subjectRef: `0x${e.subjectRef}`,
      signer: e.address,
      action: 'register',
    });
    expect(signature).not.toBe(good);
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, signature],
      'BAD_SIGNATURE',
    );
    ok(await register(h, id.bankA, e, good));
  });

  it.each([
    ['empty', ''],
    ['too short', '0x1234'],
    ['not hex', `0x${'zz'.repeat(65)}`],
    ['without 0x', 'ab'.repeat(65)],
    ['unrecoverable', `0x${'00'.repeat(65)}`],
  ])('refuses a malformed signature (%s)', async (_name, signature) => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, signature],
      'BAD_SIGNATURE',
    );
  });

  it('refuses a second key while one is active', async () => {
    const { h, id, e } = await registered();
    const second = new Enterprise(e.subjectRef);
    await refused(
      h,
      id.bankB,
      'RegisterSubjectSigner',
      [e.subjectRef, second.address, await second.binding('register')],
      'SUBJECT_SIGNER_EXISTS',
    );
    // Re-registering the active key itself is refused the same way.
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, await e.binding('register')],
      'SUBJECT_SIGNER_EXISTS',
    );
  });

  it('refuses to register again an address that was revoked for the subject', async () => {
    const { h, id, e } = await registered();
    ok(await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, '']));
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, await e.binding('register')],
      'SIGNER_REUSED',
    );
  });

  it('refuses to register again an address that was rotated away', async () => {
    const { h, id, e } = await registered();
    const first = e.wallet;
    await rotate(h, id.bankA, e, newWallet());
    ok(await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, '']));
    const old = new Enterprise(e.subjectRef, first);
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [e.subjectRef, first.address, await old.binding('register')],
      'SIGNER_REUSED',
    );
  });

  it.each([
    ['upper-case subjectRef', (ref: string) => ref.toUpperCase(), (a: string) => a],
    ['0x-prefixed subjectRef', (ref: string) => `0x${ref}`, (a: string) => a],
    ['short subjectRef', (ref: string) => ref.slice(2), (a: string) => a],
    ['empty subjectRef', () => '', (a: string) => a],
    ['address without 0x', (ref: string) => ref, (a: string) => a.slice(2)],
    ['short address', (ref: string) => ref, (a: string) => a.slice(0, 40)],
    ['non-hex address', (ref: string) => ref, () => `0x${'g'.repeat(40)}`],
    ['empty address', (ref: string) => ref, () => ''],
  ])('refuses a malformed argument (%s)', async (_name, ref, addr) => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await refused(
      h,
      id.bankA,
      'RegisterSubjectSigner',
      [ref(e.subjectRef), addr(e.address), await e.binding('register')],
      'INVALID_ARGUMENT',
    );
  });

  it.each([
    ['a regulator', 'regulator', 'ROLE_FORBIDDEN'],
    ['a member-MSP certificate claiming the regulator role', 'fakeRegulator', 'ROLE_FORBIDDEN'],
    ['an administrator', 'yangtzeAdmin', 'ROLE_FORBIDDEN'],
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ['a member role in the regulator MSP', 'regulatorAsMember', 'ORG_FORBIDDEN'],
    ['an MSP outside the consortium', 'outsider', 'ORG_FORBIDDEN'],
    ['a member without institution', 'noInstitution', 'IDENTITY_INCOMPLETE'],
  ] as const)('refuses %s', async (_name, who, code) => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await refused(
      h,
      id[who],
      'RegisterSubjectSigner',
      [e.subjectRef, e.address, await e.binding('register')],
      code,
    );
  });
});

describe('RotateSubjectSigner', () => {
  it('replaces the active key, keeping the old one as rotated', async () => {
    const { h, id, e } = await registered();
    const first = e.wallet;
    const registeredTx = storedSubject(h, e.subjectRef)?.signers[0]?.registeredTx;
    const next = newWallet();
    const res = await h.submit(id.pearlBank, 'RotateSubjectSigner', [
      e.subjectRef,
      next.address.toLowerCase(),
      await e.rotation(first, next, first),
      await e.rotation(first, next, next),
    ]);
    const subject = ok<Subject>(res);
    const expected: Subject = {
      subjectRef: e.subjectRef,
      activeSigner: next.address,
      signers: [
        {
          address: first.address,
          status: 'rotated',
          registeredAt: AT_T0,
          registeredTx: registeredTx ?? 'missing',
          registeredBy: { mspId: 'YangtzeMSP', institution: 'BANK-A' },
          retiredAt: AT_T0_PLUS_DAY,
        },
        {
          address: next.address,
          status: 'active',
          registeredAt: AT_T0_PLUS_DAY,
          registeredTx: res.txId,
          registeredBy: { mspId: 'PearlMSP', institution: 'PEARL-1' },
          retiredAt: null,
        },
      ],
    };
    expect(subject).toEqual(expected);
    expect(storedSubject(h, e.subjectRef)).toEqual(expected);
    expect(res.event?.name).toBe('SubjectSignerRotated');
    expectNoSubjectRef(res, e.subjectRef);
  });

  async function rotationArgs(
    e: Enterprise,
    next: Wallet,
    sign: (current: Wallet, next: Wallet) => Promise<[string, string]>,
  ): Promise<string[]> {
    return [e.subjectRef, next.address, ...(await sign(e.wallet, next))];
  }

  it.each([
    [
      'the current signature is missing',
      async (e: Enterprise, c: Wallet, n: Wallet) => ['', await e.rotation(c, n, n)],
    ],
    [
      'the new signature is missing',
      async (e: Enterprise, c: Wallet, n: Wallet) => [await e.rotation(c, n, c), ''],
    ],
    [
      'the signatures are swapped',
      async (e: Enterprise, c: Wallet, n: Wallet) => [await e.rotation(c, n, n), await e.rotation(c, n, c)],
    ],
    [
      'both signatures are by the current key',
      async (e: Enterprise, c: Wallet, n: Wallet) => [await e.rotation(c, n, c), await e.rotation(c, n, c)],
    ],
    [
      'the current signature is by a foreign key',
      async (e: Enterprise, c: Wallet, n: Wallet) => [
        await e.rotation(c, n, newWallet()),
        await e.rotation(c, n, n),
      ],
    ],
    [
      'the new signature is by a foreign key',
      async (e: Enterprise, c: Wallet, n: Wallet) => [
        await e.rotation(c, n, c),
        await e.rotation(c, n, newWallet()),
      ],
    ],
    [
      'the signatures name another new key',
      async (e: Enterprise, c: Wallet, n: Wallet) => {
        const other = newWallet();
        return [await e.rotation(c, other, c), await e.rotation(c, other, n)];
      },
    ],
    [
      'the current signature is malformed',
      async (e: Enterprise, c: Wallet, n: Wallet) => ['0x1234', await e.rotation(c, n, n)],
    ],
  ] as const)('refuses a rotation when %s', async (_name, sign) => {
    const { h, id, e } = await registered();
    const next = newWallet();
    const args = await rotationArgs(e, next, async (c, n) => (await sign(e, c, n)) as [string, string]);
    await refused(h, id.bankA, 'RotateSubjectSigner', args, 'BAD_SIGNATURE');
  });

  it('refuses a rotation signed for another channel', async () => {
    const { h, id, e } = await registered();
    const next = newWallet();
    const message = { subjectRef: `0x${e.subjectRef}`, from: e.address, to: next.address };
    const other = eip712Domain('otherchannel');
    await refused(
      h,
      id.bankA,
      'RotateSubjectSigner',
      [
        e.subjectRef,
        next.address,
        await e.wallet.signTypedData(other, SIGNER_ROTATION_TYPES, message),
        await next.signTypedData(other, SIGNER_ROTATION_TYPES, message),
      ],
      'BAD_SIGNATURE',
    );
  });

  it('refuses a subject without a registered key', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    const next = newWallet();
    await refused(
      h,
      id.bankA,
      'RotateSubjectSigner',
      [
        e.subjectRef,
        next.address,
        await e.rotation(e.wallet, next, e.wallet),
        await e.rotation(e.wallet, next, next),
      ],
      'SUBJECT_NOT_FOUND',
    );
  });

  it('refuses a subject whose key was revoked (nothing to rotate)', async () => {
    const { h, id, e } = await registered();
    ok(await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, '']));
    const next = newWallet();
    await refused(
      h,
      id.bankA,
      'RotateSubjectSigner',
      [
        e.subjectRef,
        next.address,
        await e.rotation(e.wallet, next, e.wallet),
        await e.rotation(e.wallet, next, next),
      ],
      'SUBJECT_NOT_FOUND',
    );
  });

  it('refuses to rotate back to an earlier key', async () => {
    const { h, id, e } = await registered();
    const first = e.wallet;
    await rotate(h, id.bankA, e, newWallet());
    const second = e.wallet;
    await refused(
      h,
      id.bankA,
      'RotateSubjectSigner',
      [
        e.subjectRef,
        first.address,
        await e.rotation(second, first, second),
        await e.rotation(second, first, first),
      ],
      'SIGNER_REUSED',
    );
  });

  it('refuses to rotate to the active key itself', async () => {
    const { h, id, e } = await registered();
    const w = e.wallet;
    await refused(
      h,
      id.bankA,
      'RotateSubjectSigner',
      [e.subjectRef, w.address, await e.rotation(w, w, w), await e.rotation(w, w, w)],
      'SIGNER_REUSED',
    );
  });

  it.each([
    ['upper-case subjectRef', (ref: string) => ref.toUpperCase(), (a: string) => a],
    ['short subjectRef', (ref: string) => ref.slice(1), (a: string) => a],
    ['malformed newSigner', (ref: string) => ref, (a: string) => a.slice(2)],
  ])('refuses a malformed argument (%s)', async (_name, ref, addr) => {
    const { h, id, e } = await registered();
    const next = newWallet();
    await refused(
      h,
      id.bankA,
      'RotateSubjectSigner',
      [
        ref(e.subjectRef),
        addr(next.address),
        await e.rotation(e.wallet, next, e.wallet),
        await e.rotation(e.wallet, next, next),
      ],
      'INVALID_ARGUMENT',
    );
  });

  it.each([
    ['a regulator', 'regulator', 'ROLE_FORBIDDEN'],
    ['an administrator', 'yangtzeAdmin', 'ROLE_FORBIDDEN'],
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ['a member role in the regulator MSP', 'regulatorAsMember', 'ORG_FORBIDDEN'],
    ['an MSP outside the consortium', 'outsider', 'ORG_FORBIDDEN'],
    ['a member without institution', 'noInstitution', 'IDENTITY_INCOMPLETE'],
  ] as const)('refuses %s', async (_name, who, code) => {
    const { h, id, e } = await registered();
    const next = newWallet();
    await refused(
      h,
      id[who],
      'RotateSubjectSigner',
      [
        e.subjectRef,
        next.address,
        await e.rotation(e.wallet, next, e.wallet),
        await e.rotation(e.wallet, next, next),
      ],
      code,
    );
  });
});

describe('RevokeSubjectSigner', () => {
  function expectRevoked(subject: Subject, e: Enterprise): void {
    expect(subject.activeSigner).toBeNull();
    expect(subject.signers).toHaveLength(1);
    expect(subject.signers[0]).toMatchObject({
      address: e.address,
      status: 'revoked',
      registeredAt: AT_T0,
      registeredBy: { mspId: 'YangtzeMSP', institution: 'BANK-A' },
      retiredAt: AT_T0_PLUS_DAY,
    });
  }

  it("revokes the active key with the subject's signature, submitted by any member", async () => {
    const { h, id, e } = await registered();
    const res = await h.submit(id.jjjBank, 'RevokeSubjectSigner', [
      e.subjectRef,
      e.address,
      await e.binding('revoke'),
    ]);
    const subject = ok<Subject>(res);
    expectRevoked(subject, e);
    expect(storedSubject(h, e.subjectRef)).toEqual(subject);
    expect(res.event?.name).toBe('SubjectSignerRevoked');
    expect(JSON.parse(res.event?.payload.toString('utf8') ?? '')).toEqual({ bySubject: true });
    expectNoSubjectRef(res, e.subjectRef);
  });

  it('revokes the active key for the registering institution without a signature', async () => {
    const { h, id, e } = await registered();
    const res = await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address.toLowerCase(), '']);
    const subject = ok<Subject>(res);
    expectRevoked(subject, e);
    expect(storedSubject(h, e.subjectRef)).toEqual(subject);
    expect(res.event?.name).toBe('SubjectSignerRevoked');
    expect(JSON.parse(res.event?.payload.toString('utf8') ?? '')).toEqual({ bySubject: false });
  });

  it('lets any officer of the registering institution revoke without a signature', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await registerEnterprise(h, id.pearlBank, e);
    ok(await h.submit(id.pearlBank2, 'RevokeSubjectSigner', [e.subjectRef, e.address, '']));
  });

  it.each([
    ['another institution of the same MSP', 'bankB'],
    ['an institution of another MSP', 'pearlBank'],
  ] as const)('refuses a revocation without signature by %s', async (_name, who) => {
    const { h, id, e } = await registered();
    await refused(h, id[who], 'RevokeSubjectSigner', [e.subjectRef, e.address, ''], 'ORG_FORBIDDEN');
  });

  it.each([
    ['signed by another key', async (e: Enterprise) => e.binding('revoke', newWallet(), e.address)],
    ['with action register', async (e: Enterprise) => e.binding('register')],
    ['for another subject', async (e: Enterprise) => new Enterprise(hex64(), e.wallet).binding('revoke')],
    [
      'for another channel',
      async (e: Enterprise) =>
        e.wallet.signTypedData(eip712Domain('otherchannel'), SIGNER_BINDING_TYPES, {
          subjectRef: `0x${e.subjectRef}`,
          signer: e.address,
          action: 'revoke',
        }),
    ],
    ['malformed', () => Promise.resolve('0xdeadbeef')],
  ] as const)('refuses a revocation signature %s', async (_name, sign) => {
    const { h, id, e } = await registered();
    await refused(
      h,
      id.bankA,
      'RevokeSubjectSigner',
      [e.subjectRef, e.address, await sign(e)],
      'BAD_SIGNATURE',
    );
  });

  it('refuses an address that is not registered for the subject', async () => {
    const { h, id, e } = await registered();
    const stranger = new Enterprise(e.subjectRef);
    await refused(
      h,
      id.bankA,
      'RevokeSubjectSigner',
      [e.subjectRef, stranger.address, await stranger.binding('revoke')],
      'SIGNER_NOT_ACTIVE',
    );
  });

  it('refuses a key that is already revoked', async () => {
    const { h, id, e } = await registered();
    ok(await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, '']));
    await refused(h, id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, ''], 'SIGNER_NOT_ACTIVE');
    await refused(
      h,
      id.bankA,
      'RevokeSubjectSigner',
      [e.subjectRef, e.address, await e.binding('revoke')],
      'SIGNER_NOT_ACTIVE',
    );
  });

  it('refuses a key that was rotated away', async () => {
    const { h, id, e } = await registered();
    const first = new Enterprise(e.subjectRef, e.wallet);
    await rotate(h, id.bankA, e, newWallet());
    await refused(
      h,
      id.bankA,
      'RevokeSubjectSigner',
      [e.subjectRef, first.address, await first.binding('revoke')],
      'SIGNER_NOT_ACTIVE',
    );
  });

  it('refuses a subject without a registered key', async () => {
    const { h, id } = await initialisedHarness();
    const e = new Enterprise();
    await refused(
      h,
      id.bankA,
      'RevokeSubjectSigner',
      [e.subjectRef, e.address, await e.binding('revoke')],
      'SUBJECT_NOT_FOUND',
    );
  });

  it.each([
    ['upper-case subjectRef', (ref: string) => ref.toUpperCase(), (a: string) => a],
    ['malformed signer', (ref: string) => ref, (a: string) => `${a}00`],
  ])('refuses a malformed argument (%s)', async (_name, ref, addr) => {
    const { h, id, e } = await registered();
    await refused(
      h,
      id.bankA,
      'RevokeSubjectSigner',
      [ref(e.subjectRef), addr(e.address), ''],
      'INVALID_ARGUMENT',
    );
  });

  it.each([
    ['a regulator', 'regulator', 'ROLE_FORBIDDEN'],
    ['an administrator', 'yangtzeAdmin', 'ROLE_FORBIDDEN'],
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ['a member role in the regulator MSP', 'regulatorAsMember', 'ORG_FORBIDDEN'],
    ['an MSP outside the consortium', 'outsider', 'ORG_FORBIDDEN'],
    ['a member without institution', 'noInstitution', 'IDENTITY_INCOMPLETE'],
  ] as const)('refuses %s, even with the subject signature', async (_name, who, code) => {
    const { h, id, e } = await registered();
    await refused(
      h,
      id[who],
      'RevokeSubjectSigner',
      [e.subjectRef, e.address, await e.binding('revoke')],
      code,
    );
  });

  it('allows a new key to be registered after revocation', async () => {
    const { h, id, e } = await registered();
    ok(await h.submit(id.bankA, 'RevokeSubjectSigner', [e.subjectRef, e.address, await e.binding('revoke')]));
    h.advance(DAY);
    const next = new Enterprise(e.subjectRef);
    const res = await register(h, id.pearlBank, next, await next.binding('register'));
    const subject = ok<Subject>(res);
    expect(subject.activeSigner).toBe(next.address);
    expect(subject.signers.map((s) => [s.address, s.status])).toEqual([
      [e.address, 'revoked'],
      [next.address, 'active'],
    ]);
    expect(subject.signers[1]).toMatchObject({
      registeredBy: { mspId: 'PearlMSP', institution: 'PEARL-1' },
      registeredAt: '2026-03-03T00:00:00.000000000Z',
      registeredTx: res.txId,
      retiredAt: null,
    });
    expect(storedSubject(h, e.subjectRef)).toEqual(subject);
  });
});

describe('GetSubject', () => {
  it.each([
    ['the registering member', 'bankA'],
    ['a member of another MSP', 'jjjBank'],
    ['a regulator', 'regulator'],
    ['an administrator of a member', 'pearlAdmin'],
  ] as const)('shows the subject record to %s', async (_name, who) => {
    const { h, id, e } = await registered();
    const before = h.ledger.snapshot();
    const res = await h.evaluate(id[who], 'GetSubject', [e.subjectRef]);
    expect(ok<Subject>(res)).toEqual(storedSubject(h, e.subjectRef));
    expect(res.committed).toBe(false);
    expect(h.ledger.snapshot()).toBe(before);
  });

  it('refuses a subject without a registered key', async () => {
    const { h, id } = await initialisedHarness();
    await queryRefused(h, id.bankA, 'GetSubject', [hex64()], 'SUBJECT_NOT_FOUND');
    await queryRefused(h, id.regulator, 'GetSubject', [hex64()], 'SUBJECT_NOT_FOUND');
  });

  it('refuses a malformed subjectRef', async () => {
    const { h, id, e } = await registered();
    await queryRefused(h, id.bankA, 'GetSubject', [e.subjectRef.toUpperCase()], 'INVALID_ARGUMENT');
    await queryRefused(h, id.bankA, 'GetSubject', [''], 'INVALID_ARGUMENT');
  });

  it.each([
    ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ['an MSP outside the consortium', 'outsider', 'ORG_FORBIDDEN'],
    ['a member-MSP certificate claiming the regulator role', 'fakeRegulator', 'ORG_FORBIDDEN'],
  ] as const)('refuses %s', async (_name, who, code) => {
    const { h, id, e } = await registered();
    await queryRefused(h, id[who], 'GetSubject', [e.subjectRef], code);
  });
});
