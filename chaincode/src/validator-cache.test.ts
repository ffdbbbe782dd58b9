import { JSONSerializer } from 'fabric-contract-api';
import { describe, expect, it, vi } from 'vitest';
import { cacheParameterValidators, cacheShimParameterValidators } from './validator-cache';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const DataMarshall = require('fabric-shim/lib/contract-spi/datamarshall.js') as new (
  serializer: string,
  serializers: Record<string, unknown>,
  components: object,
) => Marshall;

interface Marshall {
  ajv: { compile(schema: object): unknown };
  handleParameters(fn: object, parameters: Buffer[], prefix: string): unknown[];
}

const components = {
  Report: { $id: 'Report', type: 'object', properties: { reportId: { type: 'string' } } },
};
const fn = {
  name: 'Tx',
  parameters: [
    { name: 'id', schema: { type: 'string' } },
    { name: 'count', schema: { type: 'number' } },
    { name: 'report', schema: { $ref: '#/components/schemas/Report' } },
  ],
};
const args = (count: string, report = '{"reportId":"r-1"}'): Buffer[] => [
  Buffer.from('rep-1'),
  Buffer.from(count),
  Buffer.from(report),
];

/** A fabric-shim DataMarshall class with the cache installed on its own prototype. */
class Cached extends DataMarshall {}
cacheParameterValidators(Cached.prototype);

const outcome = (m: Marshall, parameters: Buffer[]): unknown => {
  try {
    return { value: m.handleParameters(fn, parameters, '[t]') };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

describe('cacheParameterValidators on fabric-shim 2.5.8 DataMarshall', () => {
  const serializers = { jsonSerializer: JSONSerializer };

  it('gives exactly what the shim gives: values, validation errors and count errors', () => {
    const plain = new DataMarshall('jsonSerializer', serializers, components);
    const cached = new Cached('jsonSerializer', serializers, components);
    const cases = [
      args('3'),
      args('"three"'),
      args('3', '{"reportId":7}'),
      args('3', 'not json'),
      args('3').slice(0, 2),
    ];
    for (const c of cases) expect(outcome(cached, c)).toEqual(outcome(plain, c));
    expect(outcome(cached, args('3'))).toEqual({ value: ['rep-1', 3, { reportId: 'r-1' }] });
    expect(JSON.stringify(outcome(cached, args('3', '{"reportId":7}')))).toMatch(
      /Unable to validate parameter/,
    );
  });

  it('compiles each parameter schema once, and restores the marshall’s own Ajv', () => {
    const cached = new Cached('jsonSerializer', serializers, components);
    const ajv = cached.ajv;
    const compile = vi.spyOn(ajv, 'compile');
    for (let i = 0; i < 20; i++) cached.handleParameters(fn, args(String(i)), '[t]');
    expect(compile).toHaveBeenCalledTimes(fn.parameters.length);
    expect(cached.ajv).toBe(ajv);
  });

  it('is installed once on the shim the chaincode runs with', () => {
    expect(cacheShimParameterValidators()).toBe(true);
    const method = (): unknown =>
      Object.getOwnPropertyDescriptor(DataMarshall.prototype, 'handleParameters')?.value;
    const once = method();
    expect(cacheShimParameterValidators()).toBe(true);
    expect(method()).toBe(once);
    expect(cacheParameterValidators({})).toBe(false);
  });
});
