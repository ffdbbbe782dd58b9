import { createHmac, generateKeyPairSync } from 'node:crypto';
import { Wallet } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONFIG_TEXT,
  DAY,
  Enterprise,
  grantConsent,
  initialisedHarness,
  ok,
  registerEnterprise,
  requestId,
  submitReport,
  type Identities,
} from '../test/fixtures';
import type { ContractHarness } from '../test/harness/index';
import { canonicalJson } from './canonical';
import type { Consent, ConsortiumConfig, OrgProfile, Receipt, Report, Subject } from './model';
import { isValidUscc } from './uscc';

interface Metadata {
  contracts: Record<
    string,
    {
      name: string;
      transactions: Array<{
        name: string;
        tag?: string[];
        parameters?: Array<{ name: string; schema?: { type?: string } }>;
        returns?: { $ref?: string };
      }>;
    }
  >;
  components: { schemas: Record<string, { $id?: string; properties?: Record<string, unknown> }> };
}

/** Every transaction of CreditContract, as contract.ts declares it: kind and parameter names in order. */
const TRANSACTIONS: Array<[string, 'SUBMIT' | 'EVALUATE', string[], string]> = [
  ['InitConsortium', 'SUBMIT', ['config'], 'ConsortiumConfig'],
  ['UpdateConsortium', 'SUBMIT', ['config'], 'ConsortiumConfig'],
  ['GetConsortium', 'EVALUATE', [], 'ConsortiumConfig'],
  ['PublishOrgKey', 'SUBMIT', ['keyId', 'suite', 'publicKey'], 'OrgProfile'],
  ['GetOrgProfile', 'EVALUATE', ['mspId'], 'OrgProfile'],
  ['RegisterSubjectSigner', 'SUBMIT', ['subjectRef', 'signer', 'signature'], 'Subject'],
  [
    'RotateSubjectSigner',
    'SUBMIT',
    ['subjectRef', 'newSigner', 'currentSignature', 'newSignature'],
    'Subject',
  ],
  ['RevokeSubjectSigner', 'SUBMIT', ['subjectRef', 'signer', 'signature'], 'Subject'],
  ['GetSubject', 'EVALUATE', ['subjectRef'], 'Subject'],
  ['SubmitReport', 'SUBMIT', ['report'], 'Report'],
  ['EraseReport', 'SUBMIT', ['reportId', 'reason'], 'Report'],
  ['GetReport', 'EVALUATE', ['reportId'], 'Report'],
  ['ListReportsBySubject', 'EVALUATE', ['subjectRef', 'pageSize', 'bookmark'], 'ReportPage'],
  ['GetReportTrail', 'EVALUATE', ['reportId', 'pageSize', 'bookmark'], 'TrailPage'],
  ['RecordConsent', 'SUBMIT', ['consent', 'signature'], 'Consent'],
  ['RevokeConsent', 'SUBMIT', ['consentId', 'signature'], 'Consent'],
  ['GetConsent', 'EVALUATE', ['consentId'], 'Consent'],
  ['ListConsentsBySubject', 'EVALUATE', ['subjectRef', 'pageSize', 'bookmark'], 'ConsentPage'],
  ['RequestAccess', 'SUBMIT', ['requestId', 'reportId', 'consentId', 'purpose'], 'Receipt'],
  ['RecordSupervisoryAccess', 'SUBMIT', ['requestId', 'reportId', 'purpose', 'caseReference'], 'Receipt'],
  ['RecordDelivery', 'SUBMIT', ['receiptId', 'reportId', 'requesterMsp', 'requestId'], 'Receipt'],
  ['GetReceipt', 'EVALUATE', ['receiptId'], 'Receipt'],
  ['GetReceiptByRequest', 'EVALUATE', ['requesterMsp', 'requestId'], 'Receipt'],
  ['ListReceipts', 'EVALUATE', ['filter', 'pageSize', 'bookmark'], 'ReceiptPage'],
  ['GetUsageStatement', 'EVALUATE', ['mspId', 'from', 'to'], 'UsageStatement'],
];

const TAGS = { SUBMIT: ['SUBMIT', 'submitTx'], EVALUATE: ['EVALUATE'] } as const;
const X25519 = 'DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM';

let id: Identities;
let metadata: Metadata;

beforeAll(async () => {
  const { h, id: ids } = await initialisedHarness();
  id = ids;
  const res = await h.evaluate(id.bankA, 'org.hyperledger.fabric:GetMetadata');
  metadata = ok<Metadata>(res);
});

function credit(): Metadata['contracts'][string] {
  const contract = metadata.contracts.credit;
  if (!contract) throw new Error('no credit contract in metadata');
  return contract;
}

function schemaProperties(name: string): string[] {
  return Object.keys(metadata.components.schemas[name]?.properties ?? {}).sort();
}

describe('org.hyperledger.fabric:GetMetadata', () => {
  it('lists the credit contract and the system contract', () => {
    expect(Object.keys(metadata.contracts).sort()).toEqual(['credit', 'org.hyperledger.fabric']);
  });

  it('lists exactly the transactions of CreditContract', () => {
    expect(
      credit()
        .transactions.map((t) => t.name)
        .sort(),
    ).toEqual(TRANSACTIONS.map(([n]) => n).sort());
  });

  it.each(TRANSACTIONS)(
    'describes %s (%s) with its string parameters in order',
    (name, kind, params, returns) => {
      const t = credit().transactions.find((x) => x.name === name);
      expect(t, name).toBeDefined();
      expect(t?.tag).toEqual(TAGS[kind]);
      expect((t?.parameters ?? []).map((p) => p.name)).toEqual(params);
      for (const p of t?.parameters ?? []) expect(p.schema?.type, `${name}.${p.name}`).toBe('string');
      expect(t?.returns?.$ref).toBe(`#/components/schemas/${returns}`);
      expect(metadata.components.schemas[returns], returns).toBeDefined();
    },
  );

  it('publishes the record schemas, including Report, Receipt and Consent', () => {
    const schemas = Object.keys(metadata.components.schemas);
    for (const name of [
      'ConsortiumConfig',
      'OrgProfile',
      'OrgKey',
      'Subject',
      'Report',
      'Receipt',
      'Consent',
      'TrailEntry',
      'UsageStatement',
    ]) {
      expect(schemas, name).toContain(name);
    }
  });

  it('describes each record with exactly the fields the contract returns', async () => {
    const { h } = await initialisedHarness();
    const s = await scenario(h);
    const cases: Array<[string, object]> = [
      ['ConsortiumConfig', s.config],
      ['OrgProfile', s.profile],
      ['OrgKey', s.profile.keys[0] ?? {}],
      ['Subject', s.subject],
      ['SubjectSigner', s.subject.signers[0] ?? {}],
      ['Report', s.report],
      ['Consent', s.consent],
      ['Receipt', s.delivered],
      ['Delivery', s.delivered.delivery ?? {}],
      ['Actor', s.delivered.requester],
      ['Party', s.report.provider],
    ];
    for (const [name, record] of cases)
      expect(schemaProperties(name), name).toEqual(Object.keys(record).sort());
  });
});

/** The enterprise's Unified Social Credit Code, known only to gateways. */
const ENTERPRISE_USCC = '91350100M000100Y43';
/** The gateways' pseudonymisation key (the contract never sees it). */
const PSEUDONYM_KEY = 'gateway-pseudonym-key';

interface Scenario {
  config: ConsortiumConfig;
  profile: OrgProfile;
  subject: Subject;
  report: Report;
  consent: Consent;
  delivered: Receipt;
}

function x25519Key(): string {
  const der = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}

/**
 * A representative run: configuration (and an update), an organisation key (and a rotation), a
 * subject key (and a rotation), reports (including an adverse one and a correction), a consent,
 * granted, denied and supervisory access, a delivery, an erasure and a consent revocation.
 */
async function scenario(h: ContractHarness): Promise<Scenario> {
  const subjectRef = createHmac('sha256', PSEUDONYM_KEY).update(ENTERPRISE_USCC).digest('hex');
  const e = new Enterprise(subjectRef);
  const config = ok<ConsortiumConfig>(await h.submit(id.yangtzeAdmin, 'UpdateConsortium', [CONFIG_TEXT]));
  ok(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['yangtze-1', X25519, x25519Key()]));
  ok(await h.submit(id.pearlAdmin, 'PublishOrgKey', ['pearl-1', X25519, x25519Key()]));
  h.advance(60);
  const profile = ok<OrgProfile>(
    await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['yangtze-2', X25519, x25519Key()]),
  );
  await registerEnterprise(h, id.bankA, e);
  const report = await submitReport(h, id.bankA, 'rep-1', subjectRef);
  await submitReport(h, id.bankB, 'rep-warn', subjectRef, {
    category: 'warning',
    eventEndDate: '2026-01-31',
  });
  h.advance(60);
  const consentId = await grantConsent(h, id.pearlBank, 'PEARL-1', e);
  const consent = ok<Consent>(await h.evaluate(id.pearlBank, 'GetConsent', [consentId]));
  const reqId = requestId();
  const granted = ok<Receipt>(
    await h.submit(id.pearlBank, 'RequestAccess', [reqId, 'rep-1', consentId, 'loan_underwriting']),
  );
  expect(granted.outcome).toBe('granted');
  const denied = ok<Receipt>(
    await h.submit(id.pearlBank, 'RequestAccess', [requestId(), 'rep-1', consentId, 'guarantee_review']),
  );
  expect(denied.outcome).toBe('denied');
  ok(
    await h.submit(id.regulator, 'RecordSupervisoryAccess', [
      requestId(),
      'rep-warn',
      'supervision',
      'CASE-2026/001',
    ]),
  );
  h.advance(60);
  const delivered = ok<Receipt>(
    await h.submit(id.bankA, 'RecordDelivery', [granted.receiptId, 'rep-1', 'PearlMSP', reqId]),
  );
  expect(delivered.delivery).not.toBeNull();
  h.advance(DAY);
  const next = new Wallet(Wallet.createRandom().privateKey);
  ok(
    await h.submit(id.bankB, 'RotateSubjectSigner', [
      subjectRef,
      next.address,
      await e.rotation(e.wallet, next, e.wallet),
      await e.rotation(e.wallet, next, next),
    ]),
  );
  const subject = ok<Subject>(await h.evaluate(id.bankA, 'GetSubject', [subjectRef]));
  await submitReport(h, id.bankA, 'rep-1b', subjectRef, { supersedes: 'rep-1' });
  ok(await h.submit(id.bankA, 'EraseReport', ['rep-1b', 'DATA_ERROR']));
  ok(await h.submit(id.pearlBank, 'RevokeConsent', [consentId, '']));
  return { config, profile, subject, report, consent, delivered };
}

/** Every string the ledger holds: keys, each value ever written, and event payloads. */
function ledgerTexts(h: ContractHarness): {
  keys: string[];
  values: Array<[string, string]>;
  events: string[];
} {
  const keys = h.ledger.entries().map(([key]) => key);
  const values: Array<[string, string]> = [];
  for (const key of keys) {
    for (const entry of h.ledger.history(key)) {
      if (!entry.isDelete) values.push([key, entry.value.toString('utf8')]);
    }
  }
  return { keys, values, events: h.ledger.events().map((e) => e.payload.toString('utf8')) };
}

/**
 * Substrings that pass the USCC validator. Hex tokens of 40 or more characters (hashes, addresses,
 * signatures, transaction ids) are skipped: their all-digit stretches can satisfy the check character
 * by chance, and they are validated hex by construction.
 */
function usccLookalikes(text: string): string[] {
  const found: string[] = [];
  for (const token of text.split(/[^0-9A-Za-z]+/)) {
    if (token.length < 18 || /^(0x)?[0-9a-fA-F]{40,}$/.test(token)) continue;
    for (let i = 0; i + 18 <= token.length; i++) {
      const window = token.slice(i, i + 18);
      if (isValidUscc(window)) found.push(window);
    }
  }
  return found;
}

describe('ledger contents after a representative scenario', () => {
  let h: ContractHarness;
  let texts: ReturnType<typeof ledgerTexts>;

  beforeAll(async () => {
    ({ h } = await initialisedHarness());
    await scenario(h);
    texts = ledgerTexts(h);
  });

  it('covers every record type and index', () => {
    const kinds = new Set(
      texts.keys.map((k) =>
        k.startsWith('\u0000') ? k.split('\u0000')[1] : k.split('\u0001').slice(0, 2).join(':'),
      ),
    );
    expect([...kinds].sort()).toEqual(
      [
        'config',
        'consent',
        'consent~nonce',
        'consent~subject',
        'org',
        'receipt',
        'receipt~request',
        'report',
        'report~subject',
        'subject',
        'idx:rcpt-provider',
        'idx:rcpt-requester',
        'idx:rcpt-subject',
        'idx:rcpt-time',
        'idx:trail',
      ].sort(),
    );
    expect(texts.values.length).toBeGreaterThan(texts.keys.length);
  });

  it('stores every value ever written as sorted-key canonical JSON', () => {
    for (const [key, value] of texts.values) {
      expect(value, JSON.stringify(key)).toBe(canonicalJson(JSON.parse(value)));
    }
  });

  it('emits canonical JSON event payloads, one event per committed transaction', () => {
    expect(h.ledger.events().map((e) => e.txId)).toEqual(h.ledger.committedTxIds());
    for (const payload of texts.events) expect(payload).toBe(canonicalJson(JSON.parse(payload)));
  });

  it('keeps the subject pseudonym out of every event', () => {
    const subjectRef = createHmac('sha256', PSEUDONYM_KEY).update(ENTERPRISE_USCC).digest('hex');
    expect(texts.values.some(([, v]) => v.includes(subjectRef))).toBe(true);
    for (const payload of texts.events) expect(payload).not.toContain(subjectRef);
  });

  it('holds no USCC in any key or value', () => {
    expect(isValidUscc(ENTERPRISE_USCC)).toBe(true);
    expect(usccLookalikes(`ref ${ENTERPRISE_USCC}.`)).toEqual([ENTERPRISE_USCC]);
    for (const key of texts.keys) {
      expect(key).not.toContain(ENTERPRISE_USCC);
      expect(usccLookalikes(key), JSON.stringify(key)).toEqual([]);
    }
    for (const [key, value] of texts.values) {
      expect(value).not.toContain(ENTERPRISE_USCC);
      expect(usccLookalikes(value), JSON.stringify(key)).toEqual([]);
    }
    for (const payload of texts.events) expect(usccLookalikes(payload)).toEqual([]);
  });
});
