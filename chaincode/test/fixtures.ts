/**
 * Shared fixtures for the credit contract's unit tests: a consortium of CAs and identities shaped
 * like the default profile, a harness running the real contract, enterprises that sign EIP-712
 * messages with their own keys, and assertions for the contract's result conventions.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet, type TypedDataField } from 'ethers';
import { expect } from 'vitest';
import { contracts } from '../src/index';
import {
  CONSENT_REVOCATION_TYPES,
  CONSENT_TYPES,
  SIGNER_BINDING_TYPES,
  SIGNER_ROTATION_TYPES,
  eip712Domain,
  type ConsentMessage,
} from '../src/eip712';
import type { ConsortiumConfig, Report } from '../src/model';
import { ContractHarness, TestCA, type TestIdentity, type TxResult } from './harness/index';

export const CHANNEL = 'creditchain';
/** 2026-03-01T00:00:00Z, the harness clock at the start of every test. */
export const T0 = 1772323200;
export const DAY = 86400;
export const CONFIG_TEXT = readFileSync(join(__dirname, '..', 'examples', 'consortium.json'), 'utf8');
export const CONFIG = JSON.parse(CONFIG_TEXT) as Omit<
  ConsortiumConfig,
  'version' | 'updatedAt' | 'updatedTx'
>;

/** The identities tests act as. */
export interface Identities {
  yangtzeAdmin: TestIdentity;
  pearlAdmin: TestIdentity;
  regulatorAdmin: TestIdentity;
  /** Yangtze members of two institutions. */
  bankA: TestIdentity;
  bankB: TestIdentity;
  /** Pearl member. */
  pearlBank: TestIdentity;
  /** Second officer of the same Pearl institution. */
  pearlBank2: TestIdentity;
  jjjBank: TestIdentity;
  regulator: TestIdentity;
  /** A member certificate from an MSP the consortium does not know. */
  outsider: TestIdentity;
  /** A Yangtze client certificate without Fabric CA attributes. */
  noRole: TestIdentity;
  /** A Yangtze member certificate without the institution attribute. */
  noInstitution: TestIdentity;
  /** A Yangtze certificate claiming the regulator role. */
  fakeRegulator: TestIdentity;
  /** A regulator-MSP certificate claiming the member role. */
  regulatorAsMember: TestIdentity;
}

let identities: Promise<Identities> | undefined;

async function mint(): Promise<Identities> {
  const [yangtze, pearl, jjj, regulator, unknown] = await Promise.all(
    ['YangtzeMSP', 'PearlMSP', 'JingJinJiMSP', 'RegulatorMSP', 'UnknownMSP'].map((m) => TestCA.create(m)),
  );
  if (!yangtze || !pearl || !jjj || !regulator || !unknown) throw new Error('CA creation failed');
  const member = (ca: TestCA, cn: string, institution: string) =>
    ca.issue({ commonName: cn, ou: 'client', attrs: { role: 'member', institution } });
  return {
    yangtzeAdmin: await yangtze.issue({ commonName: 'admin', ou: 'admin', attrs: { role: 'admin' } }),
    pearlAdmin: await pearl.issue({ commonName: 'admin', ou: 'admin', attrs: { role: 'admin' } }),
    regulatorAdmin: await regulator.issue({ commonName: 'admin', ou: 'admin', attrs: { role: 'admin' } }),
    bankA: await member(yangtze, 'officer1', 'BANK-A'),
    bankB: await member(yangtze, 'officer2', 'BANK-B'),
    pearlBank: await member(pearl, 'officer1', 'PEARL-1'),
    pearlBank2: await member(pearl, 'officer2', 'PEARL-1'),
    jjjBank: await member(jjj, 'officer1', 'JJJ-1'),
    regulator: await regulator.issue({ commonName: 'inspector', ou: 'client', attrs: { role: 'regulator' } }),
    outsider: await member(unknown, 'officer1', 'OUT-1'),
    noRole: await yangtze.issue({ commonName: 'plain', ou: 'client', fabricCaDefaults: false }),
    noInstitution: await yangtze.issue({ commonName: 'officer3', ou: 'client', attrs: { role: 'member' } }),
    fakeRegulator: await yangtze.issue({
      commonName: 'officer4',
      ou: 'client',
      attrs: { role: 'regulator' },
    }),
    regulatorAsMember: await member(regulator, 'officer5', 'REG-1'),
  };
}

/** The consortium's identities, minted once per test file. */
export function getIdentities(): Promise<Identities> {
  identities ??= mint();
  return identities;
}

/** A fresh ledger running the credit contract on channel {@link CHANNEL}, clock at {@link T0}. */
export function newHarness(): ContractHarness {
  return new ContractHarness(contracts, {
    channelId: CHANNEL,
    now: T0,
  });
}

/** A fresh ledger with the example consortium configuration already initialised. */
export async function initialisedHarness(): Promise<{ h: ContractHarness; id: Identities }> {
  const id = await getIdentities();
  const h = newHarness();
  ok(await h.submit(id.yangtzeAdmin, 'InitConsortium', [CONFIG_TEXT]));
  return { h, id };
}

/** Asserts a successful transaction and returns its parsed result. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- caller-asserted result type
export function ok<T = Record<string, unknown>>(res: TxResult): T {
  expect(res.message, `expected success, got: ${res.message}`).toBe('');
  expect(res.status).toBe(200);
  return res.json<T>();
}

/**
 * Submits a transaction that must be refused with `code`, and asserts that nothing changed on the
 * ledger: state, history, events and committed transactions are byte-for-byte as before.
 */
export async function refused(
  h: ContractHarness,
  caller: TestIdentity,
  fn: string,
  args: readonly string[],
  code: string,
): Promise<TxResult> {
  const before = h.ledger.snapshot();
  const res = await h.submit(caller, fn, args);
  expect(res.status, `expected ${code}, got success`).toBe(500);
  expect(res.message).toMatch(new RegExp(`^${code}: `));
  expect(res.committed).toBe(false);
  expect(h.ledger.snapshot()).toBe(before);
  return res;
}

/** Evaluates a query that must be refused with `code`. */
export async function queryRefused(
  h: ContractHarness,
  caller: TestIdentity,
  fn: string,
  args: readonly string[],
  code: string,
): Promise<TxResult> {
  const res = await h.evaluate(caller, fn, args);
  expect(res.status).toBe(500);
  expect(res.message).toMatch(new RegExp(`^${code}: `));
  return res;
}

/** 64 random lower-case hex characters (a subject pseudonym, hash or commitment). */
export function hex64(): string {
  return randomBytes(32).toString('hex');
}

/** An enterprise: a subject pseudonym and a consent-signing Ethereum key of its own. */
export class Enterprise {
  readonly subjectRef: string;
  wallet: Wallet;

  constructor(subjectRef = hex64(), wallet: Wallet = new Wallet(Wallet.createRandom().privateKey)) {
    this.subjectRef = subjectRef;
    this.wallet = wallet;
  }

  get address(): string {
    return this.wallet.address;
  }

  sign(
    types: Record<string, TypedDataField[]>,
    message: Record<string, unknown>,
    wallet: Wallet = this.wallet,
  ): Promise<string> {
    return wallet.signTypedData(eip712Domain(CHANNEL), types, message);
  }

  /** `SignerBinding` signature for `action` by `wallet` (the enterprise's own key by default). */
  binding(
    action: 'register' | 'revoke',
    wallet: Wallet = this.wallet,
    signer: string = wallet.address,
  ): Promise<string> {
    return this.sign(SIGNER_BINDING_TYPES, { subjectRef: `0x${this.subjectRef}`, signer, action }, wallet);
  }

  rotation(from: Wallet, to: Wallet, signWith: Wallet): Promise<string> {
    return this.sign(
      SIGNER_ROTATION_TYPES,
      { subjectRef: `0x${this.subjectRef}`, from: from.address, to: to.address },
      signWith,
    );
  }

  /** A consent message for `grantee`, valid from now for 30 days, 3 uses, fresh nonce. */
  consent(
    grantee: { mspId: string; institution: string },
    overrides: Partial<ConsentMessage> = {},
  ): ConsentMessage {
    return {
      subjectRef: `0x${this.subjectRef}`,
      granteeMsp: grantee.mspId,
      granteeInstitution: grantee.institution,
      categories: ['basic', 'warning'],
      purpose: 'loan_underwriting',
      notBefore: T0 - DAY,
      notAfter: T0 + 30 * DAY,
      maxUses: 3,
      nonce: `0x${hex64()}`,
      ...overrides,
    };
  }

  signConsent(message: ConsentMessage, wallet: Wallet = this.wallet): Promise<string> {
    return this.sign(CONSENT_TYPES, { ...message }, wallet);
  }

  revocation(consentId: string, wallet: Wallet = this.wallet): Promise<string> {
    return this.sign(CONSENT_REVOCATION_TYPES, { consentId: `0x${consentId}` }, wallet);
  }
}

/** Registers the enterprise's key through `registrar`. */
export async function registerEnterprise(
  h: ContractHarness,
  registrar: TestIdentity,
  e: Enterprise,
): Promise<void> {
  ok(
    await h.submit(registrar, 'RegisterSubjectSigner', [
      e.subjectRef,
      e.address,
      await e.binding('register'),
    ]),
  );
}

/** The argument of `SubmitReport` (its JSON anchor) with sensible defaults. */
export function reportArgs(
  reportId: string,
  subjectRef: string,
  overrides: Partial<
    Record<
      | 'category'
      | 'schemaVersion'
      | 'ciphertextHash'
      | 'commitment'
      | 'sizeBucket'
      | 'eventEndDate'
      | 'supersedes',
      string
    >
  > = {},
): string[] {
  return [
    JSON.stringify({
      reportId,
      subjectRef,
      category: overrides.category ?? 'basic',
      schemaVersion: overrides.schemaVersion ?? '1.0',
      ciphertextHash: overrides.ciphertextHash ?? hex64(),
      commitment: overrides.commitment ?? hex64(),
      sizeBucket: overrides.sizeBucket ?? 'S',
      eventEndDate: overrides.eventEndDate ?? '',
      supersedes: overrides.supersedes ?? '',
    }),
  ];
}

/** Submits a report as `provider` and returns the anchor. */
export async function submitReport(
  h: ContractHarness,
  provider: TestIdentity,
  reportId: string,
  subjectRef: string,
  overrides: Parameters<typeof reportArgs>[2] = {},
): Promise<Report> {
  return ok<Report>(await h.submit(provider, 'SubmitReport', reportArgs(reportId, subjectRef, overrides)));
}

/** Records a consent signed by the enterprise for `grantee` (recorded by `grantee`), returning its id. */
export async function grantConsent(
  h: ContractHarness,
  grantee: TestIdentity,
  institution: string,
  e: Enterprise,
  overrides: Partial<ConsentMessage> = {},
): Promise<string> {
  const message = e.consent({ mspId: grantee.mspId, institution }, overrides);
  const res = ok<{ consentId: string }>(
    await h.submit(grantee, 'RecordConsent', [JSON.stringify(message), await e.signConsent(message)]),
  );
  return res.consentId;
}

/** A unique request id. */
export function requestId(): string {
  return `req-${randomBytes(8).toString('hex')}`;
}
