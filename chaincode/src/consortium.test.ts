import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONFIG,
  CONFIG_TEXT,
  DAY,
  Enterprise,
  T0,
  getIdentities,
  hex64,
  initialisedHarness,
  newHarness,
  ok,
  queryRefused,
  refused,
  reportArgs,
  requestId,
  submitReport,
  type Identities,
} from '../test/fixtures';
import { TestCA, type ContractHarness, type TestIdentity, type TxResult } from '../test/harness/index';
import { canonicalJson } from './canonical';
import type { ConsortiumConfig } from './model';

/** The configuration document an administrator submits (without the contract's audit fields). */
type ConfigInput = typeof CONFIG;

/** Composite key of the configuration record: `\x00config\x00`. */
const CONFIG_KEY = '\u0000config\u0000';
const X25519 = 'DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM';

/** A deep copy of the example configuration, optionally modified. */
function config(mutate?: (c: ConfigInput) => void): ConfigInput {
  const c = structuredClone(CONFIG);
  mutate?.(c);
  return c;
}

/** The example configuration, modified through a loosely typed view (for malformed documents). */
function rawConfig(mutate: (c: Record<string, unknown> & ConfigInput) => void): string {
  const c = config() as Record<string, unknown> & ConfigInput;
  mutate(c);
  return JSON.stringify(c);
}

function text(c: unknown): string {
  return JSON.stringify(c);
}

function org(c: ConfigInput, mspId: string): ConfigInput['organisations'][number] {
  const found = c.organisations.find((o) => o.mspId === mspId);
  if (!found) throw new Error(`no organisation ${mspId}`);
  return found;
}

function category(c: ConfigInput, code: string): ConfigInput['categories'][number] {
  const found = c.categories.find((x) => x.code === code);
  if (!found) throw new Error(`no category ${code}`);
  return found;
}

function storedConfig(h: ContractHarness): ConsortiumConfig {
  const entry = h.ledger.get(CONFIG_KEY);
  if (!entry) throw new Error('no configuration stored');
  return JSON.parse(entry.value.toString('utf8')) as ConsortiumConfig;
}

function x25519Key(): string {
  const der = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}

/** Asserts the result payload is the sorted-key serialisation of the returned record. */
function expectCanonicalPayload(res: TxResult): void {
  const payload = res.payload.toString('utf8');
  expect(payload).toBe(canonicalJson(JSON.parse(payload)));
}

let id: Identities;
/** An administrator certificate of an MSP the consortium does not know. */
let outsiderAdmin: TestIdentity;

beforeAll(async () => {
  id = await getIdentities();
  const unknown = await TestCA.create('UnknownMSP');
  outsiderAdmin = await unknown.issue({ commonName: 'admin', ou: 'admin', attrs: { role: 'admin' } });
});

describe('InitConsortium', () => {
  it('stores the configuration as version 1 with the transaction time and id, and emits ConsortiumConfigured', async () => {
    const h = newHarness();
    h.now = T0 + 3600 + 15;
    const res = await h.submit(id.yangtzeAdmin, 'InitConsortium', [CONFIG_TEXT], {
      timestampNanos: 123456789,
    });
    const returned = ok<ConsortiumConfig>(res);
    const expected: ConsortiumConfig = {
      ...CONFIG,
      version: 1,
      updatedAt: '2026-03-01T01:00:15.123456789Z',
      updatedTx: res.txId,
    };
    expect(returned).toEqual(expected);
    expectCanonicalPayload(res);
    expect(res.committed).toBe(true);

    const entry = h.ledger.get(CONFIG_KEY);
    expect(entry?.value.toString('utf8')).toBe(canonicalJson(expected));
    expect(h.ledger.entries().map(([key]) => key)).toEqual([CONFIG_KEY]);

    const events = h.ledger.events();
    expect(events).toHaveLength(1);
    expect(events[0]?.name).toBe('ConsortiumConfigured');
    expect(events[0]?.txId).toBe(res.txId);
    expect(JSON.parse(events[0]?.payload.toString('utf8') ?? '')).toEqual({ version: 1 });
  });

  it('formats a transaction time without nanoseconds with nine zero digits', async () => {
    const h = newHarness();
    const cfg = ok<ConsortiumConfig>(await h.submit(id.yangtzeAdmin, 'InitConsortium', [CONFIG_TEXT]));
    expect(cfg.updatedAt).toBe('2026-03-01T00:00:00.000000000Z');
  });

  it('accepts an administrator of any MSP the configuration lists in adminMsps', async () => {
    const h = newHarness();
    const c = config((x) => {
      x.adminMsps = ['RegulatorMSP'];
    });
    const cfg = ok<ConsortiumConfig>(await h.submit(id.regulatorAdmin, 'InitConsortium', [text(c)]));
    expect(cfg.adminMsps).toEqual(['RegulatorMSP']);
    expect(storedConfig(h).version).toBe(1);
  });

  it('stores a null alliance for the regulator and a null retention for non-adverse categories', async () => {
    const h = newHarness();
    const cfg = ok<ConsortiumConfig>(await h.submit(id.yangtzeAdmin, 'InitConsortium', [CONFIG_TEXT]));
    expect(org(cfg, 'RegulatorMSP').alliance).toBeNull();
    expect(category(cfg, 'basic').retentionYears).toBeNull();
    expect(category(cfg, 'warning')).toMatchObject({ adverse: true, retentionYears: 5 });
  });

  describe('refuses callers without the admin role', () => {
    it.each([
      ['a member officer', 'bankA'],
      ['a regulator officer', 'regulator'],
      ['a certificate without role attribute', 'noRole'],
      ['a member certificate without institution', 'noInstitution'],
    ] as const)('%s (ROLE_FORBIDDEN)', async (_label, who) => {
      const h = newHarness();
      await refused(h, id[who], 'InitConsortium', [CONFIG_TEXT], 'ROLE_FORBIDDEN');
      expect(h.ledger.height).toBe(0);
    });
  });

  it('refuses an administrator of a configured MSP that is not in adminMsps (ORG_FORBIDDEN)', async () => {
    const h = newHarness();
    const c = config((x) => {
      x.adminMsps = ['YangtzeMSP'];
    });
    await refused(h, id.pearlAdmin, 'InitConsortium', [text(c)], 'ORG_FORBIDDEN');
    expect(h.ledger.height).toBe(0);
  });

  it('refuses an administrator of an MSP the configuration does not know (ORG_FORBIDDEN)', async () => {
    const h = newHarness();
    await refused(h, outsiderAdmin, 'InitConsortium', [CONFIG_TEXT], 'ORG_FORBIDDEN');
  });

  it('refuses a second initialisation, even with another configuration (ALREADY_INITIALISED)', async () => {
    const { h } = await initialisedHarness();
    await refused(h, id.yangtzeAdmin, 'InitConsortium', [CONFIG_TEXT], 'ALREADY_INITIALISED');
    const other = config((x) => {
      x.purposes.push({ code: 'leasing_review', name: 'Leasing review', supervisory: false });
    });
    await refused(h, id.pearlAdmin, 'InitConsortium', [text(other)], 'ALREADY_INITIALISED');
    expect(storedConfig(h).version).toBe(1);
    expect(storedConfig(h).purposes).toEqual(CONFIG.purposes);
  });

  describe('refuses malformed documents (INVALID_ARGUMENT)', () => {
    const cases: Array<[string, string]> = [
      ['text that is not JSON', '{"adminMsps": ['],
      ['an empty string', ''],
      ['a JSON array', '[]'],
      ['JSON null', 'null'],
      ['a JSON string', JSON.stringify(CONFIG_TEXT)],
      [
        'a missing top-level field',
        rawConfig((c) => {
          delete (c as Partial<ConfigInput>).purposes;
        }),
      ],
      [
        'an unknown top-level field',
        rawConfig((c) => {
          c.version = 7;
        }),
      ],
      [
        'audit fields supplied by the caller',
        rawConfig((c) => {
          c.updatedTx = 'forged';
        }),
      ],
      [
        'an alliance without name',
        rawConfig((c) => {
          delete (c.alliances[0] as Partial<ConfigInput['alliances'][number]>).name;
        }),
      ],
      [
        'an alliance with an unknown field',
        rawConfig((c) => {
          (c.alliances[0] as Record<string, unknown>).region = 'east';
        }),
      ],
      [
        'an organisation without businessPurposes',
        rawConfig((c) => {
          delete (c.organisations[0] as Partial<ConfigInput['organisations'][number]>).businessPurposes;
        }),
      ],
      [
        'a category without retentionYears field',
        rawConfig((c) => {
          delete (c.categories[0] as Partial<ConfigInput['categories'][number]>).retentionYears;
        }),
      ],
      [
        'a purpose with an unknown field',
        rawConfig((c) => {
          (c.purposes[0] as Record<string, unknown>).billable = true;
        }),
      ],
      [
        'an upper-case alliance code',
        text(
          config((c) => {
            c.alliances[0]!.code = 'Yangtze';
            org(c, 'YangtzeMSP').alliance = 'Yangtze';
          }),
        ),
      ],
      [
        'a category code starting with a digit',
        text(
          config((c) => {
            category(c, 'asset').code = '1asset';
          }),
        ),
      ],
      [
        'a purpose code with a hyphen',
        text(
          config((c) => {
            c.purposes.push({ code: 'trade-finance', name: 'Trade finance', supervisory: false });
          }),
        ),
      ],
      [
        'a one-letter code',
        text(
          config((c) => {
            c.purposes.push({ code: 'x', name: 'X', supervisory: false });
          }),
        ),
      ],
      [
        'a code of 33 characters',
        text(
          config((c) => {
            c.purposes.push({ code: `p${'a'.repeat(32)}`, name: 'Long', supervisory: false });
          }),
        ),
      ],
      [
        'a malformed MSP id',
        text(
          config((c) => {
            c.organisations.push({
              mspId: 'Bad MSP',
              alliance: 'yangtze',
              kind: 'member',
              businessPurposes: [],
            });
          }),
        ),
      ],
      [
        'an unknown organisation kind',
        text(
          config((c) => {
            (org(c, 'RegulatorMSP') as { kind: string }).kind = 'observer';
          }),
        ),
      ],
      [
        'a malformed schema version',
        text(
          config((c) => {
            category(c, 'basic').schemaVersions = ['v1'];
          }),
        ),
      ],
      [
        'duplicate schema versions',
        text(
          config((c) => {
            category(c, 'basic').schemaVersions = ['1.0', '1.0'];
          }),
        ),
      ],
      [
        'a category without schema versions',
        text(
          config((c) => {
            category(c, 'basic').schemaVersions = [];
          }),
        ),
      ],
      [
        'a non-boolean supervisory flag',
        rawConfig((c) => {
          (c.purposes[0] as Record<string, unknown>).supervisory = 'no';
        }),
      ],
      [
        'a retention of 0 years',
        text(
          config((c) => {
            category(c, 'warning').retentionYears = 0;
          }),
        ),
      ],
      [
        'a fractional retention',
        text(
          config((c) => {
            category(c, 'warning').retentionYears = 2.5;
          }),
        ),
      ],
      [
        'an empty display name',
        text(
          config((c) => {
            c.alliances[0]!.name = '';
          }),
        ),
      ],
      [
        'a display name with a control character',
        text(
          config((c) => {
            c.alliances[0]!.name = 'Yangtze\nDelta';
          }),
        ),
      ],
      [
        'a display name of 129 characters',
        text(
          config((c) => {
            c.alliances[0]!.name = 'n'.repeat(129);
          }),
        ),
      ],
      [
        'no alliances',
        text(
          config((c) => {
            c.alliances = [];
          }),
        ),
      ],
      [
        'no admin MSPs',
        text(
          config((c) => {
            c.adminMsps = [];
          }),
        ),
      ],
      [
        'an admin MSP listed twice',
        text(
          config((c) => {
            c.adminMsps = ['YangtzeMSP', 'YangtzeMSP'];
          }),
        ),
      ],
      [
        'a non-string business purpose',
        rawConfig((c) => {
          (c.organisations[0] as Record<string, unknown>).businessPurposes = [42];
        }),
      ],
    ];
    it.each(cases)('%s', async (_label, doc) => {
      const h = newHarness();
      await refused(h, id.yangtzeAdmin, 'InitConsortium', [doc], 'INVALID_ARGUMENT');
      expect(h.ledger.height).toBe(0);
    });
  });

  describe('refuses inconsistent configurations (CONFIG_INVALID)', () => {
    const cases: Array<[string, (c: ConfigInput) => void]> = [
      [
        'an organisation naming an unknown alliance',
        (c) => {
          org(c, 'PearlMSP').alliance = 'mekong';
        },
      ],
      [
        'a category listed twice',
        (c) => {
          c.categories.push({ ...category(c, 'basic'), name: 'Basic again' });
        },
      ],
      [
        'an alliance listed twice',
        (c) => {
          c.alliances.push({ code: 'pearl', name: 'Second pearl' });
        },
      ],
      [
        'a purpose listed twice',
        (c) => {
          c.purposes.push({ code: 'supervision', name: 'Again', supervisory: true });
        },
      ],
      [
        'an organisation listed twice',
        (c) => {
          c.organisations.push({ ...org(c, 'PearlMSP') });
        },
      ],
      [
        'an adverse category without retentionYears',
        (c) => {
          category(c, 'warning').retentionYears = null;
        },
      ],
      [
        'an admin MSP that is not an organisation',
        (c) => {
          c.adminMsps.push('ShadowMSP');
        },
      ],
      [
        'no regulator organisation',
        (c) => {
          c.organisations = c.organisations.filter((o) => o.kind !== 'regulator');
          c.adminMsps = c.adminMsps.filter((m) => m !== 'RegulatorMSP');
        },
      ],
      [
        'only supervisory purposes',
        (c) => {
          c.purposes = c.purposes.filter((p) => p.supervisory);
          for (const o of c.organisations)
            o.businessPurposes = o.businessPurposes.filter((p) => p === 'supervision');
        },
      ],
      [
        'an organisation naming an unknown business purpose',
        (c) => {
          org(c, 'JingJinJiMSP').businessPurposes.push('factoring');
        },
      ],
      [
        'a member organisation without alliance',
        (c) => {
          org(c, 'PearlMSP').alliance = null;
        },
      ],
    ];
    it.each(cases)('%s', async (_label, mutate) => {
      const h = newHarness();
      await refused(h, id.yangtzeAdmin, 'InitConsortium', [text(config(mutate))], 'CONFIG_INVALID');
      expect(h.ledger.height).toBe(0);
    });
  });
});

describe('UpdateConsortium', () => {
  it('replaces the configuration as version 2 and emits ConsortiumConfigured', async () => {
    const { h } = await initialisedHarness();
    const initTx = h.ledger.committedTxIds()[0];
    h.advance(DAY);
    const next = config((c) => {
      c.categories.push({
        code: 'litigation',
        name: 'Litigation (涉诉信息)',
        adverse: true,
        retentionYears: 5,
        schemaVersions: ['1.0'],
      });
      category(c, 'basic').schemaVersions.push('1.1');
      c.purposes.push({ code: 'factoring_review', name: 'Factoring review', supervisory: false });
      org(c, 'PearlMSP').businessPurposes.push('factoring_review');
      c.alliances.push({ code: 'chengyu', name: 'Chengdu-Chongqing credit alliance' });
      c.organisations.push({
        mspId: 'ChengYuMSP',
        alliance: 'chengyu',
        kind: 'member',
        businessPurposes: ['loan_underwriting'],
      });
    });
    const res = await h.submit(id.pearlAdmin, 'UpdateConsortium', [text(next)], { timestampNanos: 5 });
    const returned = ok<ConsortiumConfig>(res);
    const expected: ConsortiumConfig = {
      ...next,
      version: 2,
      updatedAt: '2026-03-02T00:00:00.000000005Z',
      updatedTx: res.txId,
    };
    expect(returned).toEqual(expected);
    expect(res.txId).not.toBe(initTx);
    expectCanonicalPayload(res);
    expect(h.ledger.get(CONFIG_KEY)?.value.toString('utf8')).toBe(canonicalJson(expected));
    expect(h.ledger.history(CONFIG_KEY).map((e) => e.txId)).toEqual([initTx, res.txId]);

    const events = h.ledger.events();
    expect(events.map((e) => e.name)).toEqual(['ConsortiumConfigured', 'ConsortiumConfigured']);
    expect(events[1]?.txId).toBe(res.txId);
    expect(JSON.parse(events[1]?.payload.toString('utf8') ?? '')).toEqual({ version: 2 });
  });

  it('makes added categories and schema versions usable for reports', async () => {
    const { h } = await initialisedHarness();
    const subjectRef = hex64();
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-lit', subjectRef, { category: 'litigation' }),
      'UNKNOWN_CATEGORY',
    );
    await refused(
      h,
      id.bankA,
      'SubmitReport',
      reportArgs('rep-11', subjectRef, { schemaVersion: '1.1' }),
      'UNKNOWN_SCHEMA_VERSION',
    );
    const next = config((c) => {
      c.categories.push({
        code: 'litigation',
        name: 'Litigation',
        adverse: false,
        retentionYears: null,
        schemaVersions: ['1.0'],
      });
      category(c, 'basic').schemaVersions.push('1.1');
    });
    ok(await h.submit(id.yangtzeAdmin, 'UpdateConsortium', [text(next)]));
    const lit = await submitReport(h, id.bankA, 'rep-lit', subjectRef, { category: 'litigation' });
    expect(lit.category).toBe('litigation');
    const v11 = await submitReport(h, id.bankA, 'rep-11', subjectRef, { schemaVersion: '1.1' });
    expect(v11.schemaVersion).toBe('1.1');
  });

  it('counts versions up with every update', async () => {
    const { h } = await initialisedHarness();
    ok(await h.submit(id.yangtzeAdmin, 'UpdateConsortium', [CONFIG_TEXT]));
    const third = ok<ConsortiumConfig>(await h.submit(id.regulatorAdmin, 'UpdateConsortium', [CONFIG_TEXT]));
    expect(third.version).toBe(3);
    expect(storedConfig(h).version).toBe(3);
    expect(h.ledger.events().map((e) => JSON.parse(e.payload.toString('utf8')) as unknown)).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
  });

  it('may drop an MSP from adminMsps, which then loses the right to update', async () => {
    const { h } = await initialisedHarness();
    const next = config((c) => {
      c.adminMsps = ['YangtzeMSP'];
    });
    ok(await h.submit(id.pearlAdmin, 'UpdateConsortium', [text(next)]));
    await refused(h, id.pearlAdmin, 'UpdateConsortium', [CONFIG_TEXT], 'ORG_FORBIDDEN');
    ok(await h.submit(id.yangtzeAdmin, 'UpdateConsortium', [CONFIG_TEXT]));
  });

  it('authorises against the current adminMsps, not those the new document names', async () => {
    const h = newHarness();
    const onlyYangtze = config((c) => {
      c.adminMsps = ['YangtzeMSP'];
    });
    ok(await h.submit(id.yangtzeAdmin, 'InitConsortium', [text(onlyYangtze)]));
    const pearlTakesOver = config((c) => {
      c.adminMsps = ['PearlMSP'];
    });
    await refused(h, id.pearlAdmin, 'UpdateConsortium', [text(pearlTakesOver)], 'ORG_FORBIDDEN');
    expect(storedConfig(h).adminMsps).toEqual(['YangtzeMSP']);
  });

  describe('refuses removals (CONFIG_REMOVAL_FORBIDDEN)', () => {
    const cases: Array<[string, (c: ConfigInput) => void]> = [
      [
        'a category',
        (c) => {
          c.categories = c.categories.filter((x) => x.code !== 'asset');
        },
      ],
      [
        'a schema version',
        (c) => {
          category(c, 'basic').schemaVersions = ['2.0'];
        },
      ],
      [
        'a purpose',
        (c) => {
          c.purposes = c.purposes.filter((p) => p.code !== 'guarantee_review');
          for (const o of c.organisations)
            o.businessPurposes = o.businessPurposes.filter((p) => p !== 'guarantee_review');
        },
      ],
      [
        'an alliance',
        (c) => {
          c.alliances = c.alliances.filter((a) => a.code !== 'jingjinji');
          org(c, 'JingJinJiMSP').alliance = 'yangtze';
        },
      ],
      [
        'an organisation',
        (c) => {
          c.organisations = c.organisations.filter((o) => o.mspId !== 'JingJinJiMSP');
          c.adminMsps = c.adminMsps.filter((m) => m !== 'JingJinJiMSP');
        },
      ],
    ];
    it.each(cases)('%s', async (_label, mutate) => {
      const { h } = await initialisedHarness();
      await refused(
        h,
        id.yangtzeAdmin,
        'UpdateConsortium',
        [text(config(mutate))],
        'CONFIG_REMOVAL_FORBIDDEN',
      );
      expect(storedConfig(h).version).toBe(1);
    });

    it('a schema version added by an earlier update', async () => {
      const { h } = await initialisedHarness();
      const withNewVersion = config((c) => {
        category(c, 'basic').schemaVersions.push('1.1');
      });
      ok(await h.submit(id.yangtzeAdmin, 'UpdateConsortium', [text(withNewVersion)]));
      await refused(h, id.yangtzeAdmin, 'UpdateConsortium', [CONFIG_TEXT], 'CONFIG_REMOVAL_FORBIDDEN');
    });
  });

  it('refuses an update that is malformed (INVALID_ARGUMENT) or inconsistent (CONFIG_INVALID)', async () => {
    const { h } = await initialisedHarness();
    await refused(h, id.yangtzeAdmin, 'UpdateConsortium', ['{'], 'INVALID_ARGUMENT');
    const unknownField = rawConfig((c) => {
      c.version = 2;
    });
    await refused(h, id.yangtzeAdmin, 'UpdateConsortium', [unknownField], 'INVALID_ARGUMENT');
    const inconsistent = config((c) => {
      category(c, 'warning').retentionYears = null;
    });
    await refused(h, id.yangtzeAdmin, 'UpdateConsortium', [text(inconsistent)], 'CONFIG_INVALID');
  });

  describe('refuses callers that are not administrators of a current admin MSP', () => {
    it.each([
      ['a member officer', 'bankA', 'ROLE_FORBIDDEN'],
      ['a regulator officer', 'regulator', 'ROLE_FORBIDDEN'],
      ['a certificate without role', 'noRole', 'ROLE_FORBIDDEN'],
    ] as const)('%s (%s)', async (_label, who, code) => {
      const { h } = await initialisedHarness();
      await refused(h, id[who], 'UpdateConsortium', [CONFIG_TEXT], code);
    });

    it('an administrator of an unknown MSP (ORG_FORBIDDEN)', async () => {
      const { h } = await initialisedHarness();
      await refused(h, outsiderAdmin, 'UpdateConsortium', [CONFIG_TEXT], 'ORG_FORBIDDEN');
    });
  });

  it('refuses before InitConsortium (NOT_INITIALISED)', async () => {
    const h = newHarness();
    await refused(h, id.yangtzeAdmin, 'UpdateConsortium', [CONFIG_TEXT], 'NOT_INITIALISED');
    expect(h.ledger.height).toBe(0);
  });
});

describe('GetConsortium', () => {
  it.each([
    ['a member officer', 'bankA'],
    ['a member officer of another alliance', 'jjjBank'],
    ['a regulator', 'regulator'],
    ['an administrator', 'pearlAdmin'],
    ['a member-role certificate of the regulator MSP', 'regulatorAsMember'],
  ] as const)('shows the stored configuration to %s without writing', async (_label, who) => {
    const { h } = await initialisedHarness();
    const before = h.ledger.snapshot();
    const res = await h.evaluate(id[who], 'GetConsortium', []);
    const cfg = ok<ConsortiumConfig>(res);
    expect(cfg).toEqual(storedConfig(h));
    expect(cfg.version).toBe(1);
    expectCanonicalPayload(res);
    expect(res.committed).toBe(false);
    expect(h.ledger.snapshot()).toBe(before);
  });

  it('shows the latest version after an update', async () => {
    const { h } = await initialisedHarness();
    ok(await h.submit(id.yangtzeAdmin, 'UpdateConsortium', [CONFIG_TEXT]));
    expect(ok<ConsortiumConfig>(await h.evaluate(id.bankB, 'GetConsortium', [])).version).toBe(2);
  });

  it('refuses a member of an MSP outside the consortium (ORG_FORBIDDEN)', async () => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.outsider, 'GetConsortium', [], 'ORG_FORBIDDEN');
    await queryRefused(h, outsiderAdmin, 'GetConsortium', [], 'ORG_FORBIDDEN');
  });

  it('refuses a regulator role claimed in a member MSP (ORG_FORBIDDEN)', async () => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.fakeRegulator, 'GetConsortium', [], 'ORG_FORBIDDEN');
  });

  it('refuses a certificate without role (ROLE_FORBIDDEN)', async () => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.noRole, 'GetConsortium', [], 'ROLE_FORBIDDEN');
  });

  it('answers NOT_INITIALISED before InitConsortium', async () => {
    const h = newHarness();
    await queryRefused(h, id.bankA, 'GetConsortium', [], 'NOT_INITIALISED');
  });
});

describe('before InitConsortium every submit transaction answers NOT_INITIALISED', () => {
  const e = new Enterprise();
  const other = new Enterprise();
  const signature = `0x${'11'.repeat(65)}`;
  const cases: Array<[string, keyof Identities, () => Promise<string[]>]> = [
    ['SubmitReport', 'bankA', () => Promise.resolve(reportArgs('rep-1', e.subjectRef))],
    ['RegisterSubjectSigner', 'bankA', async () => [e.subjectRef, e.address, await e.binding('register')]],
    [
      'RotateSubjectSigner',
      'bankA',
      () => Promise.resolve([e.subjectRef, other.address, signature, signature]),
    ],
    ['RevokeSubjectSigner', 'bankA', () => Promise.resolve([e.subjectRef, e.address, ''])],
    ['EraseReport', 'bankA', () => Promise.resolve(['rep-1', 'DATA_ERROR'])],
    [
      'RecordConsent',
      'pearlBank',
      async () => {
        const message = e.consent({ mspId: 'PearlMSP', institution: 'PEARL-1' });
        return [JSON.stringify(message), await e.signConsent(message)];
      },
    ],
    ['RevokeConsent', 'pearlBank', () => Promise.resolve([hex64(), ''])],
    [
      'RequestAccess',
      'pearlBank',
      () => Promise.resolve([requestId(), 'rep-1', hex64(), 'loan_underwriting']),
    ],
    [
      'RecordSupervisoryAccess',
      'regulator',
      () => Promise.resolve([requestId(), 'rep-1', 'supervision', 'CASE-2026-001']),
    ],
    ['RecordDelivery', 'bankA', () => Promise.resolve([hex64(), 'rep-1', 'PearlMSP', requestId()])],
    ['PublishOrgKey', 'yangtzeAdmin', () => Promise.resolve(['k1', X25519, x25519Key()])],
    ['UpdateConsortium', 'yangtzeAdmin', () => Promise.resolve([CONFIG_TEXT])],
  ];
  it.each(cases)('%s', async (fn, who, args) => {
    const h = newHarness();
    await refused(h, id[who], fn, await args(), 'NOT_INITIALISED');
    expect(h.ledger.height).toBe(0);
  });
});
