import { fail } from './errors';
import { RecordType, recordKey } from './keys';
import type { Category, ConsortiumConfig, OrganisationConfig, Purpose } from './model';
import type { Tx } from './tx';
import * as v from './validate';

/** The configuration fields an administrator supplies; the contract adds version and audit fields. */
export type ConfigInput = Omit<ConsortiumConfig, 'version' | 'updatedAt' | 'updatedTx'>;

const CONFIG_FIELDS = ['adminMsps', 'alliances', 'organisations', 'categories', 'purposes'] as const;

function list(value: unknown, name: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    fail('INVALID_ARGUMENT', `${name} must be a list of ${min} to ${max} entries`);
  }
  return value;
}

function object(
  value: unknown,
  name: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail('INVALID_ARGUMENT', `${name} must be an object`);
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => !keys.includes(k) && !optional.includes(k));
  if (extra.length > 0) fail('INVALID_ARGUMENT', `${name} has unknown field ${extra.sort().join(', ')}`);
  const missing = keys.filter((k) => !(k in record));
  if (missing.length > 0) fail('INVALID_ARGUMENT', `${name} is missing field ${missing.join(', ')}`);
  return record;
}

function unique(values: string[], name: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) fail('CONFIG_INVALID', `${name} ${value} appears twice`);
    seen.add(value);
  }
}

/** Parses and checks a configuration document; throws INVALID_ARGUMENT or CONFIG_INVALID. */
export function parseConfig(text: string): ConfigInput {
  const raw = v.jsonObject(text, 'config', CONFIG_FIELDS);
  const alliances = list(raw.alliances, 'alliances', 1, 64).map((a, i) => {
    const r = object(a, `alliances[${i}]`, ['code', 'name']);
    return {
      code: v.code(v.str(r.code, `alliances[${i}].code`), `alliances[${i}].code`),
      name: v.displayName(r.name, `alliances[${i}].name`),
    };
  });
  const purposes: Purpose[] = list(raw.purposes, 'purposes', 1, 64).map((p, i) => {
    const r = object(p, `purposes[${i}]`, ['code', 'name', 'supervisory']);
    return {
      code: v.code(v.str(r.code, `purposes[${i}].code`), `purposes[${i}].code`),
      name: v.displayName(r.name, `purposes[${i}].name`),
      supervisory: v.bool(r.supervisory, `purposes[${i}].supervisory`),
    };
  });
  const categories: Category[] = list(raw.categories, 'categories', 1, 64).map((c, i) => {
    const n = `categories[${i}]`;
    const r = object(c, n, ['code', 'name', 'adverse', 'retentionYears', 'schemaVersions']);
    const adverse = v.bool(r.adverse, `${n}.adverse`);
    const retentionYears =
      r.retentionYears === null ? null : v.integer(r.retentionYears, `${n}.retentionYears`, 1, 100);
    if (adverse && retentionYears === null)
      fail('CONFIG_INVALID', `${n} is adverse and needs retentionYears`);
    return {
      code: v.code(v.str(r.code, `${n}.code`), `${n}.code`),
      name: v.displayName(r.name, `${n}.name`),
      adverse,
      retentionYears,
      schemaVersions: v.stringList(r.schemaVersions, `${n}.schemaVersions`, v.schemaVersion, 1, 32),
    };
  });
  const organisations: OrganisationConfig[] = list(raw.organisations, 'organisations', 1, 128).map((o, i) => {
    const n = `organisations[${i}]`;
    const r = object(o, n, ['mspId', 'alliance', 'kind', 'businessPurposes']);
    return {
      mspId: v.mspId(v.str(r.mspId, `${n}.mspId`), `${n}.mspId`),
      alliance: r.alliance === null ? null : v.code(v.str(r.alliance, `${n}.alliance`), `${n}.alliance`),
      kind: v.oneOf(v.str(r.kind, `${n}.kind`), ['member', 'regulator'] as const, `${n}.kind`),
      businessPurposes: v.stringList(r.businessPurposes, `${n}.businessPurposes`, v.code, 0, 64),
    };
  });
  const adminMsps = v.stringList(raw.adminMsps, 'adminMsps', v.mspId, 1, 16);

  unique(
    alliances.map((a) => a.code),
    'alliance',
  );
  unique(
    purposes.map((p) => p.code),
    'purpose',
  );
  unique(
    categories.map((c) => c.code),
    'category',
  );
  unique(
    organisations.map((o) => o.mspId),
    'organisation',
  );
  const allianceCodes = new Set(alliances.map((a) => a.code));
  const purposeCodes = new Set(purposes.map((p) => p.code));
  for (const org of organisations) {
    if (org.alliance !== null && !allianceCodes.has(org.alliance)) {
      fail('CONFIG_INVALID', `organisation ${org.mspId} names unknown alliance ${org.alliance}`);
    }
    if (org.kind === 'member' && org.alliance === null)
      fail('CONFIG_INVALID', `member ${org.mspId} needs an alliance`);
    for (const p of org.businessPurposes) {
      if (!purposeCodes.has(p))
        fail('CONFIG_INVALID', `organisation ${org.mspId} names unknown purpose ${p}`);
    }
  }
  const orgIds = new Set(organisations.map((o) => o.mspId));
  for (const msp of adminMsps) {
    if (!orgIds.has(msp)) fail('CONFIG_INVALID', `admin MSP ${msp} is not a configured organisation`);
  }
  if (!organisations.some((o) => o.kind === 'regulator'))
    fail('CONFIG_INVALID', 'at least one regulator organisation is needed');
  if (!purposes.some((p) => !p.supervisory))
    fail('CONFIG_INVALID', 'at least one non-supervisory purpose is needed');
  return { adminMsps, alliances, organisations, categories, purposes };
}

/** Refuses an update that drops something earlier records may refer to. */
export function checkNothingRemoved(previous: ConsortiumConfig, next: ConfigInput): void {
  const gone = (before: string[], after: string[]): string | undefined =>
    before.find((x) => !after.includes(x));
  const checks: Array<[string, string | undefined]> = [
    [
      'alliance',
      gone(
        previous.alliances.map((a) => a.code),
        next.alliances.map((a) => a.code),
      ),
    ],
    [
      'organisation',
      gone(
        previous.organisations.map((o) => o.mspId),
        next.organisations.map((o) => o.mspId),
      ),
    ],
    [
      'category',
      gone(
        previous.categories.map((c) => c.code),
        next.categories.map((c) => c.code),
      ),
    ],
    [
      'purpose',
      gone(
        previous.purposes.map((p) => p.code),
        next.purposes.map((p) => p.code),
      ),
    ],
  ];
  for (const category of previous.categories) {
    const after = next.categories.find((c) => c.code === category.code);
    if (after)
      checks.push([
        `schema version of ${category.code}`,
        gone(category.schemaVersions, after.schemaVersions),
      ]);
  }
  for (const [what, missing] of checks) {
    if (missing !== undefined) fail('CONFIG_REMOVAL_FORBIDDEN', `the update removes ${what} ${missing}`);
  }
}

/** The stored configuration; throws NOT_INITIALISED before `InitConsortium`. */
export async function loadConfig(tx: Tx): Promise<ConsortiumConfig> {
  const config = await tx.get<ConsortiumConfig>(recordKey(tx.stub, RecordType.config));
  if (config === undefined) fail('NOT_INITIALISED');
  return config;
}

export function configKey(tx: Tx): string {
  return recordKey(tx.stub, RecordType.config);
}

export function findCategory(config: ConsortiumConfig, codeValue: string): Category {
  const category = config.categories.find((c) => c.code === codeValue);
  if (!category) fail('UNKNOWN_CATEGORY', `category ${codeValue} is not configured`);
  return category;
}

export function findPurpose(config: ConsortiumConfig, codeValue: string): Purpose {
  const purpose = config.purposes.find((p) => p.code === codeValue);
  if (!purpose) fail('UNKNOWN_PURPOSE', `purpose ${codeValue} is not configured`);
  return purpose;
}

export function findOrganisation(config: ConsortiumConfig, msp: string): OrganisationConfig | undefined {
  return config.organisations.find((o) => o.mspId === msp);
}
