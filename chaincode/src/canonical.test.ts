import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalObject } from './canonical';

describe('canonicalJson', () => {
  it('sorts the keys of a flat object', () => {
    expect(canonicalJson({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
  });

  it('sorts keys at every depth, including objects inside arrays', () => {
    const value = {
      z: { y: { b: true, a: null }, x: [{ d: 1, c: 2 }, [{ f: 'f', e: 'e' }]] },
      a: 'first',
    };
    expect(canonicalJson(value)).toBe(
      '{"a":"first","z":{"x":[{"c":2,"d":1},[{"e":"e","f":"f"}]],"y":{"a":null,"b":true}}}',
    );
  });

  it('preserves array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson({ list: ['b', 'a', 'c'] })).toBe('{"list":["b","a","c"]}');
    expect(canonicalJson([{ b: 1 }, { a: 1 }])).toBe('[{"b":1},{"a":1}]');
  });

  it('drops object properties whose value is undefined, at every depth', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson({ x: { y: undefined, z: [{ u: undefined, v: 2 }] } })).toBe('{"x":{"z":[{"v":2}]}}');
    expect(canonicalJson({ only: undefined })).toBe('{}');
  });

  it('writes undefined array elements as null, as JSON.stringify does', () => {
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
  });

  it('keeps null values', () => {
    expect(canonicalJson({ b: null, a: null })).toBe('{"a":null,"b":null}');
  });

  it('sorts keys by UTF-16 code unit (upper case before lower case, surrogates before U+E000..U+FFFF)', () => {
    const value = { b: 1, B: 2, a: 3, _: 4, A: 5, é: 6, '😀': 7, ｚ: 8, aa: 9, '': 10 };
    const keys = Object.keys(JSON.parse(canonicalJson(value)) as Record<string, number>);
    // By code unit U+1F600 (surrogates D83D DE00) precedes U+FF5A, unlike code point or UTF-8 order.
    expect(keys).toEqual(['', 'A', 'B', '_', 'a', 'aa', 'b', 'é', '😀', 'ｚ']);
  });

  it('sorts integer-like keys as strings too', () => {
    // JavaScript objects enumerate integer-like keys first in numeric order; a sorted-key
    // serialisation must still order them by code unit: "10" < "2" < "b".
    expect(canonicalJson({ b: 1, 10: 2, 2: 3 })).toBe('{"10":2,"2":3,"b":1}');
  });

  it('is independent of insertion order', () => {
    const a: Record<string, unknown> = {};
    const b: Record<string, unknown> = {};
    const keys = ['reportId', 'category', 'subjectRef', 'status', 'provider'];
    for (const k of keys) a[k] = { k, inner: { q: 1, p: 2 } };
    for (const k of [...keys].reverse()) b[k] = { inner: { p: 2, q: 1 }, k };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('is stable under re-serialisation', () => {
    const value = { m: [{ z: 1, a: { c: 'x', b: [true, false] } }], a: 0.5, n: -1, s: 'é"\\\n' };
    const once = canonicalJson(value);
    expect(canonicalJson(JSON.parse(once))).toBe(once);
  });

  it('serialises scalars as JSON.stringify does', () => {
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson(42)).toBe('42');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('\u0000"\n')).toBe(JSON.stringify('\u0000"\n'));
  });
});

describe('canonicalObject', () => {
  it('returns a deep copy with sorted keys and leaves the input untouched', () => {
    const input = { b: { d: 1, c: 2 }, a: [{ f: 1, e: 2 }] };
    const copy = canonicalObject(input);
    expect(copy).toEqual(input);
    expect(Object.keys(copy)).toEqual(['a', 'b']);
    expect(Object.keys(copy.b)).toEqual(['c', 'd']);
    expect(Object.keys(copy.a[0] ?? {})).toEqual(['e', 'f']);
    expect(copy.b).not.toBe(input.b);
    expect(Object.keys(input)).toEqual(['b', 'a']);
    expect(JSON.stringify(copy)).toBe(canonicalJson(input));
  });
});
