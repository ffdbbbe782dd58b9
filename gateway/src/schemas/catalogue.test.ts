import { describe, expect, it } from 'vitest';
import { SchemaCatalogue, SHIPPED_SCHEMAS } from './catalogue.js';
import { SchemaDefinitionError, compileSchema } from './json-schema.js';
import { VALID_REPORTS } from './testing/examples.js';

describe('shipped report schemas', () => {
  const catalogue = SchemaCatalogue.shipped();

  it('cover the five consortium categories at version 1.0, assets also at 1.1, and compile', () => {
    expect(catalogue.categories()).toEqual({
      basic: ['1.0'],
      business: ['1.0'],
      credit_enhancement: ['1.0'],
      warning: ['1.0'],
      asset: ['1.0', '1.1'],
    });
  });

  it('admits the asset register of a large enterprise in asset 1.1 (5,000 assets), 500 in 1.0', () => {
    const item = {
      type: 'equipment',
      description: 'x'.repeat(500),
      valuation: { amount: '1.00', currency: 'CNY' },
      valuedOn: '2026-01-02',
    };
    const assets = (n: number) => ({ assets: Array.from({ length: n }, () => item) });
    expect(JSON.stringify(assets(5000)).length).toBeGreaterThan(2 * 1024 * 1024);
    expect(catalogue.check('asset', '1.1', assets(5000))).toEqual({ ok: true });
    expect(catalogue.check('asset', '1.1', assets(5001))).toMatchObject({
      ok: false,
      problem: 'SCHEMA_VIOLATION',
    });
    expect(catalogue.check('asset', '1.0', assets(500))).toEqual({ ok: true });
    expect(catalogue.check('asset', '1.0', assets(501))).toMatchObject({
      ok: false,
      problem: 'SCHEMA_VIOLATION',
    });
  });

  it.each(Object.keys(SHIPPED_SCHEMAS))('accept a valid %s report', (category) => {
    expect(catalogue.check(category, '1.0', VALID_REPORTS[category])).toEqual({ ok: true });
  });

  it('refuse unknown categories and versions', () => {
    expect(catalogue.check('gossip', '1.0', {})).toEqual({ ok: false, problem: 'UNKNOWN_CATEGORY' });
    expect(catalogue.check('basic', '2.0', {})).toEqual({ ok: false, problem: 'UNKNOWN_SCHEMA_VERSION' });
  });

  it('name every violation by location and rule, never by value', () => {
    const result = catalogue.check('basic', '1.0', {
      enterpriseName: '',
      establishedOn: '2015-02-30',
      registeredCapital: { amount: '1.234', currency: 'cny' },
      businessStatus: 'bankrupt',
      secret: 'SECRET-VALUE',
    });
    expect(result).toEqual({
      ok: false,
      problem: 'SCHEMA_VIOLATION',
      violations: [
        { path: '$.enterpriseName', message: 'must have at least 1 characters' },
        { path: '$.establishedOn', message: 'must be a date (YYYY-MM-DD)' },
        { path: '$.registeredCapital.amount', message: expect.stringMatching(/^must match the pattern/) },
        { path: '$.registeredCapital.currency', message: 'must match the pattern ^[A-Z]{3}$' },
        { path: '$.businessStatus', message: 'must be one of "active", "suspended", "revoked", "cancelled"' },
        { path: '$.secret', message: 'is not allowed' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('SECRET-VALUE');
    expect(JSON.stringify(result)).not.toContain('bankrupt');
  });

  it('checks types, required members, items and bounds', () => {
    const result = catalogue.check('warning', '1.0', {
      severity: 'high',
      events: [{ type: 'overdue', daysOverdue: 0 }, 'x'],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : 'violations' in result ? result.violations : []).toEqual([
      { path: '$.events[0].occurredOn', message: 'is required' },
      { path: '$.events[0].daysOverdue', message: 'must be ≥ 1' },
      { path: '$.events[1]', message: 'must be of type object' },
    ]);
    expect(catalogue.check('asset', '1.0', [])).toMatchObject({ ok: false, problem: 'SCHEMA_VIOLATION' });
    expect(catalogue.check('asset', '1.0', { assets: [] })).toMatchObject({
      violations: [{ path: '$.assets', message: 'must have at least 1 items' }],
    });
  });

  it('limits the catalogue to configured categories and refuses unshipped ones', () => {
    expect(SchemaCatalogue.shipped({ basic: ['1.0'] }).categories()).toEqual({ basic: ['1.0'] });
    expect(() => SchemaCatalogue.shipped({ basic: ['9.9'] })).toThrow(/no schema ships/);
  });
});

describe('compileSchema', () => {
  it('refuses keywords it does not implement, so no schema looks stricter than it is checked', () => {
    expect(() => compileSchema({ type: 'object', oneOf: [] })).toThrow(SchemaDefinitionError);
    expect(() => compileSchema({ type: 'string', format: 'email' })).toThrow(/format "email"/);
    expect(() => compileSchema({ $ref: '#/$defs/missing' })).toThrow(/\$ref/);
    expect(() => compileSchema({ properties: { a: { type: 'decimal' } } })).toThrow(/unknown type/);
  });

  it('implements const, exclusive bounds, integer-as-number and additionalProperties schemas', () => {
    const v = compileSchema({
      type: 'object',
      properties: { k: { const: 1 }, n: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 10 } },
      additionalProperties: { type: 'boolean' },
    });
    expect(v({ k: 1, n: 5, extra: true })).toEqual([]);
    expect(v({ k: 2, n: 10, extra: 'no' }).map((x) => x.path)).toEqual(['$.k', '$.n', '$.extra']);
    expect(v({ n: Number.NaN })).toEqual([{ path: '$.n', message: 'must be of type number' }]);
  });
});
