import { describe, expect, it } from 'vitest';
import { CANONICAL_MAX_DEPTH, canonicalBytes, canonicalize } from './canonical.js';
import { CanonicalJsonError } from './errors.js';

/**
 * Known answers from RFC 8785 (https://www.rfc-editor.org/rfc/rfc8785) and from the test data of
 * its reference implementation, cyberphone/json-canonicalization (testdata/input and
 * testdata/output). Inputs are JSON text parsed with JSON.parse, as the gateway receives reports.
 */
describe('canonicalize (RFC 8785)', () => {
  it('RFC 8785 §3.2.2 sample gives the §3.2.3 text and the §3.2.4 UTF-8 bytes', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const value: unknown = JSON.parse(input);
    expect(canonicalize(value)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
    const hex = `
      7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
      75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
      5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
      65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
      5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
      30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`.replace(/\s+/g, '');
    expect(Buffer.from(canonicalBytes(value)).toString('hex')).toBe(hex);
  });

  it('RFC 8785 §3.2.3 sorts property names by UTF-16 code units', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    const text = canonicalize(JSON.parse(input));
    // Read the values in text order: JSON.parse would reorder the integer-like name "1".
    expect([...text.matchAll(/:"([^"]*)"/g)].map((m) => m[1])).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face', // U+1F600 is D83D DE00 in UTF-16, so before U+FB33
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(text.startsWith(String.raw`{"\r":"Carriage Return","1":"One","`)).toBe(true);
  });

  // RFC 8785 Appendix B: IEEE 754 double (big-endian hex) and its canonical JSON number.
  const APPENDIX_B: readonly (readonly [string, string])[] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  const double = (bits: string): number => Buffer.from(bits, 'hex').readDoubleBE(0);

  it.each(APPENDIX_B)('RFC 8785 Appendix B: 0x%s is %s', (bits, expected) => {
    expect(canonicalize(double(bits))).toBe(expected);
    expect(canonicalize({ n: [double(bits)] })).toBe(`{"n":[${expected}]}`);
  });

  it('RFC 8785 Appendix B: NaN and Infinity are errors', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalize({ n: double(bits) })).toThrow(
        expect.objectContaining({ code: 'NOT_JSON', problem: 'NON_FINITE_NUMBER', path: '$.n' }),
      );
    }
  });

  // cyberphone/json-canonicalization testdata: input file text -> output file text.
  const CYBERPHONE: readonly (readonly [string, string, string])[] = [
    [
      'arrays',
      '[\n  56,\n  {\n    "d": true,\n    "10": null,\n    "1": [ ]\n  }\n]',
      '[56,{"1":[],"10":null,"d":true}]',
    ],
    [
      'french',
      '{\n  "peach": "This sorting order",\n  "p\u00e9ch\u00e9": "is wrong according to French",\n  "p\u00eache": "but canonicalization MUST",\n  "sin":   "ingnore locale"\n}\n',
      '{"peach":"This sorting order","p\u00e9ch\u00e9":"is wrong according to French","p\u00eache":"but canonicalization MUST","sin":"ingnore locale"}',
    ],
    [
      'structures',
      '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}',
      '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
    ],
    [
      'unicode',
      '{\n  "Unnormalized Unicode":"\\u1e0d\\u0307"\n}\n',
      '{"Unnormalized Unicode":"\u1e0d\u0307"}',
    ],
    [
      'values',
      String.raw`{
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`,
      String.raw`{"escaping":"€$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}`,
    ],
    [
      'weird',
      String.raw`{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}
`,
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ],
  ];

  it.each(CYBERPHONE)('cyberphone testdata %s', (_name, input, output) => {
    expect(canonicalize(JSON.parse(input))).toBe(output);
    expect(Buffer.from(canonicalBytes(JSON.parse(input))).equals(Buffer.from(output, 'utf8'))).toBe(true);
  });

  it('is idempotent and ignores member order', () => {
    const a = { b: [1, { y: 2, x: 1 }], a: 'x' };
    const b = { a: 'x', b: [1, { x: 1, y: 2 }] };
    expect(canonicalize(a)).toBe(canonicalize(b));
    expect(canonicalize(JSON.parse(canonicalize(a)))).toBe(canonicalize(a));
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.z = 1;
    bare.a = null;
    expect(canonicalize(bare)).toBe('{"a":null,"z":1}');
  });

  it('refuses values outside the JSON data model, naming where', () => {
    const cases: readonly (readonly [unknown, string, string])[] = [
      [undefined, 'UNDEFINED', '$'],
      [{ a: undefined }, 'UNDEFINED', '$.a'],
      [[1, undefined], 'UNDEFINED', '$[1]'],
      [{ f: () => 1 }, 'FUNCTION', '$.f'],
      [{ s: Symbol('s') }, 'SYMBOL', '$.s'],
      [{ n: 10n }, 'BIGINT', '$.n'],
      [{ n: Number.NaN }, 'NON_FINITE_NUMBER', '$.n'],
      [{ 'a b': [Number.NEGATIVE_INFINITY] }, 'NON_FINITE_NUMBER', '$["a b"][0]'],
      [{ d: new Date(0) }, 'NON_PLAIN_OBJECT', '$.d'],
      [{ m: new Map() }, 'NON_PLAIN_OBJECT', '$.m'],
      [{ b: Buffer.from('x') }, 'NON_PLAIN_OBJECT', '$.b'],
      [{ s: new String('x') }, 'NON_PLAIN_OBJECT', '$.s'],
      [{ c: new (class Point {})() }, 'NON_PLAIN_OBJECT', '$.c'],
      [{ s: 'a\ud800b' }, 'LONE_SURROGATE', '$.s'],
      [{ '\udc00': 1 }, 'LONE_SURROGATE', '$["\\udc00"]'],
      [{ [Symbol('k')]: 1 }, 'SYMBOL_KEY', '$'],
      // eslint-disable-next-line no-sparse-arrays
      [[1, , 3], 'SPARSE_ARRAY', '$[1]'],
    ];
    for (const [value, problem, path] of cases) {
      expect(() => canonicalize(value), `${problem} at ${path}`).toThrow(
        expect.objectContaining({ name: 'CanonicalJsonError', code: 'NOT_JSON', problem, path }),
      );
    }
  });

  it('refuses cycles but accepts shared (acyclic) references', () => {
    const shared = { v: 1 };
    expect(canonicalize({ a: shared, b: [shared] })).toBe('{"a":{"v":1},"b":[{"v":1}]}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { again: cyclic };
    expect(() => canonicalize(cyclic)).toThrow(
      expect.objectContaining({ problem: 'CYCLE', path: '$.self.again' }),
    );
  });

  it('refuses nesting deeper than CANONICAL_MAX_DEPTH with a typed error', () => {
    let ok: unknown = 0;
    for (let i = 0; i < CANONICAL_MAX_DEPTH; i++) ok = [ok];
    expect(() => canonicalize(ok)).not.toThrow();
    expect(() => canonicalize([ok])).toThrow(CanonicalJsonError);
    expect(() => canonicalize([ok])).toThrow(expect.objectContaining({ problem: 'TOO_DEEP' }));
  });

  it('keeps strings as they are (no Unicode normalisation) and well-formed surrogate pairs', () => {
    expect(canonicalize('e\u0301')).toBe('"e\u0301"');
    expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
  });
});
