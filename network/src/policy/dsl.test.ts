import { createRequire } from 'node:module';
import { common, msp } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import {
  MAX_POLICY_NODES,
  formatSignaturePolicy,
  fromSignaturePolicyEnvelope,
  parseSignaturePolicy,
  toSignaturePolicyEnvelope,
  type Rule,
  type SignaturePolicy,
} from './dsl.js';
import { PolicyError } from './errors.js';

interface ShimKeyEndorsementPolicy {
  getPolicy(): Uint8Array;
  addOrgs(role: string, ...orgs: string[]): void;
  listOrgs(): string[];
}
const require = createRequire(import.meta.url);
const KeyEndorsementPolicy = require('fabric-shim/lib/utils/statebased.js') as new (
  policy?: Uint8Array,
) => ShimKeyEndorsementPolicy;

const or = (...rules: Rule[]): Rule => ({ nOutOf: { n: 1, rules } });
const and = (...rules: Rule[]): Rule => ({ nOutOf: { n: rules.length, rules } });
const by = (signedBy: number): Rule => ({ signedBy });

function parseError(expr: string): PolicyError {
  try {
    parseSignaturePolicy(expr);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return err as PolicyError;
  }
  throw new Error(`expected '${expr}' to fail`);
}

/** Builds an envelope by hand, the way Fabric's Go `policydsl` tests spell out the expected value. */
function manualEnvelope(ids: [string, number][], rule: common.SignaturePolicy): Uint8Array {
  const env = new common.SignaturePolicyEnvelope();
  env.setVersion(0);
  env.setRule(rule);
  env.setIdentitiesList(
    ids.map(([mspId, role]) => {
      const r = new msp.MSPRole();
      r.setMspIdentifier(mspId);
      r.setRole(role as 0 | 1 | 2 | 3 | 4);
      const p = new msp.MSPPrincipal();
      p.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      p.setPrincipal(r.serializeBinary());
      return p;
    }),
  );
  return env.serializeBinary();
}

function protoRule(rule: Rule): common.SignaturePolicy {
  const sp = new common.SignaturePolicy();
  if ('signedBy' in rule) sp.setSignedBy(rule.signedBy);
  else {
    const n = new common.SignaturePolicy.NOutOf();
    n.setN(rule.nOutOf.n);
    n.setRulesList(rule.nOutOf.rules.map(protoRule));
    sp.setNOutOf(n);
  }
  return sp;
}

describe('parseSignaturePolicy', () => {
  it('parses AND / OR / OutOf into NOutOf rules', () => {
    expect(parseSignaturePolicy("AND('A.member', 'B.member')")).toEqual({
      principals: [
        { mspId: 'A', role: 'member' },
        { mspId: 'B', role: 'member' },
      ],
      rule: and(by(0), by(1)),
    });
    expect(parseSignaturePolicy("OR('A.member', 'B.member')").rule).toEqual(or(by(0), by(1)));
    expect(parseSignaturePolicy("OutOf(2, 'A.member', 'B.member', 'C.member')").rule).toEqual({
      nOutOf: { n: 2, rules: [by(0), by(1), by(2)] },
    });
  });

  it('accepts every role and the gate spellings Fabric registers', () => {
    const p = parseSignaturePolicy("or('A.peer', 'B.admin', 'C.orderer', 'D.client', 'E.member')");
    expect(p.principals.map((x) => x.role)).toEqual(['peer', 'admin', 'orderer', 'client', 'member']);
    for (const gate of ['AND', 'And', 'and', 'OR', 'Or', 'or']) {
      expect(() => parseSignaturePolicy(`${gate}('A.peer')`)).not.toThrow();
    }
    for (const gate of ['OutOf', 'outof', 'OUTOF']) {
      expect(() => parseSignaturePolicy(`${gate}(1, 'A.peer')`)).not.toThrow();
    }
    expect(parseError("aNd('A.peer')").message).toBe("unrecognized token 'aNd' at 0");
  });

  it('numbers principals in Fabric order: nested gates first, then the gate’s own principals', () => {
    // policydsl TestComplex1: OR('A.member', AND('B.member', 'C.member')) -> identities [B, C, A]
    const p = parseSignaturePolicy("OR('A.member', AND('B.member', 'C.member'))");
    expect(p.principals.map((x) => x.mspId)).toEqual(['B', 'C', 'A']);
    expect(p.rule).toEqual(or(by(2), and(by(0), by(1))));
    // TestComplex2
    const q = parseSignaturePolicy("OR(AND('A.member', 'B.member'), OR('C.admin', 'D.member'))");
    expect(q.principals.map((x) => `${x.mspId}.${x.role}`)).toEqual([
      'A.member',
      'B.member',
      'C.admin',
      'D.member',
    ]);
    expect(q.rule).toEqual(or(and(by(0), by(1)), or(by(2), by(3))));
    // byte-identical to the envelope Fabric's test spells out
    expect(Buffer.from(toSignaturePolicyEnvelope(p).serializeBinary())).toEqual(
      Buffer.from(
        manualEnvelope(
          [
            ['B', 0],
            ['C', 0],
            ['A', 0],
          ],
          protoRule(or(by(2), and(by(0), by(1)))),
        ),
      ),
    );
  });

  it('handles deep nesting', () => {
    const p = parseSignaturePolicy(
      "AND('Org1MSP.peer', OR('Org2MSP.member', OutOf(2, 'A.admin', 'B.peer', 'C.client')))",
    );
    expect(p.principals.map((x) => x.mspId)).toEqual(['A', 'B', 'C', 'Org2MSP', 'Org1MSP']);
    expect(p.rule).toEqual(and(by(4), or(by(3), { nOutOf: { n: 2, rules: [by(0), by(1), by(2)] } })));
    let deep = "'A.member'";
    for (let i = 0; i < 99; i++) deep = `AND(${deep}, 'B.peer')`;
    expect(parseSignaturePolicy(deep).principals).toHaveLength(100);
    expect(() => parseSignaturePolicy(`AND(${deep})`)).not.toThrow(); // 100 levels
    expect(parseError(`AND(AND(${deep}))`).code).toBe('TOO_COMPLEX'); // 101 levels
  });

  it('keeps repeated principals like policydsl, or dedupes them on request', () => {
    const expr = "OR(AND('A.peer', 'B.peer'), AND('A.peer', 'C.peer'))";
    const fabric = parseSignaturePolicy(expr);
    expect(fabric.principals.map((x) => x.mspId)).toEqual(['A', 'B', 'A', 'C']);
    expect(fabric.rule).toEqual(or(and(by(0), by(1)), and(by(2), by(3))));
    const deduped = parseSignaturePolicy(expr, { dedupePrincipals: true });
    expect(deduped.principals.map((x) => x.mspId)).toEqual(['A', 'B', 'C']);
    expect(deduped.rule).toEqual(or(and(by(0), by(1)), and(by(0), by(2))));
  });

  it('accepts single and double quotes, whitespace, dotted and dashed MSP IDs', () => {
    const p = parseSignaturePolicy(
      ' \n\tOR (\t"MSP.member" ,\n\'MSP.WITH.DOTS.member\',"MSP-WITH-DASHES.peer" )  \n',
    );
    expect(p.principals).toEqual([
      { mspId: 'MSP', role: 'member' },
      { mspId: 'MSP.WITH.DOTS', role: 'member' },
      { mspId: 'MSP-WITH-DASHES', role: 'peer' },
    ]);
  });

  it('accepts OutOf thresholds from 0 to n+1, also quoted, and rejects others with Fabric’s message', () => {
    expect(parseSignaturePolicy("OutOf(0, 'A.member', 'B.member')").rule).toEqual({
      nOutOf: { n: 0, rules: [by(0), by(1)] },
    });
    expect(parseSignaturePolicy("OutOf(3, 'A.member', 'B.member')").rule).toEqual({
      nOutOf: { n: 3, rules: [by(0), by(1)] },
    });
    expect(parseSignaturePolicy("OutOf('1', 'A.member', 'B.member')").rule).toEqual(or(by(0), by(1)));
    const tooMany = parseError("OutOf(4, 'A.member', 'B.member')");
    expect(tooMany.code).toBe('INVALID_THRESHOLD');
    expect(tooMany.message).toContain('invalid t-out-of-n predicate, t 4, n 2');
    expect(tooMany.position).toBe(6);
    expect(parseError("OutOf(-1, 'A.member', 'B.member')").message).toContain(
      'invalid t-out-of-n predicate, t -1, n 2',
    );
    expect(parseError("OutOf(1.5, 'A.member')").code).toBe('INVALID_THRESHOLD');
    expect(parseError("OutOf('x', 'A.member')").code).toBe('INVALID_THRESHOLD');
  });

  it.each([
    ['', 'SYNTAX', 0, 'empty policy at 0'],
    ['   ', 'SYNTAX', 3, 'empty policy at 3'],
    ["OR('A.member'", 'SYNTAX', 13, "expected ')' at 13"],
    ["AND('A.member', 'B.member'", 'SYNTAX', 26, "expected ')' at 26"],
    ["AND('A.member' 'B.member')", 'SYNTAX', 15, "expected ',' or ')', found ''', at 15"],
    ["AND 'A.member')", 'SYNTAX', 4, "expected '(' at 4"],
    ['AND()', 'SYNTAX', 4, "expected a principal or a gate, found ')', at 4"],
    ["AND('A.member',)", 'SYNTAX', 15, "expected a principal or a gate, found ')', at 15"],
    ['OutOf(1)', 'SYNTAX', 7, "OutOf needs a threshold and at least one policy: expected ',' at 7"],
    ["NOPE('A.member')", 'SYNTAX', 0, "unrecognized token 'NOPE' at 0"],
    [
      "OR('A.member', B.member)",
      'SYNTAX',
      15,
      "unrecognized token 'B.member' at 15 (principals must be quoted: 'B.member')",
    ],
    ["OR('A.member', 'Bmember')", 'INVALID_PRINCIPAL', 15, undefined],
    ["OR('A.member', 'B.superuser')", 'INVALID_PRINCIPAL', 15, undefined],
    ["OR('A.member', 'B_x.peer')", 'INVALID_PRINCIPAL', 15, undefined],
    ["OR('A.member)", 'SYNTAX', 3, 'unterminated string starting at 3'],
    ["'A.member'", 'SYNTAX', 0, undefined],
    ["AND('A.member') x", 'SYNTAX', 16, "unexpected 'x' at 16 after the end of the policy"],
    ["AND('A.member'))", 'SYNTAX', 15, undefined],
    ["AND(1, 'A.member')", 'SYNTAX', 4, undefined],
  ] as const)('rejects %j', (expr, code, position, message) => {
    const err = parseError(expr);
    expect(err.code).toBe(code);
    expect(err.position).toBe(position);
    if (message !== undefined) expect(err.message).toBe(message);
  });

  it('limits size and nesting without overflowing the stack', () => {
    const nested = `${'AND('.repeat(100_000)}'A.member'${')'.repeat(100_000)}`;
    expect(parseError(nested).code).toBe('TOO_COMPLEX');
    expect(parseError('('.repeat(100_000)).code).toBe('SYNTAX');
    const wide = `OutOf(1${", 'A.member'".repeat(MAX_POLICY_NODES)})`;
    expect(parseError(wide).message).toContain('exceeds maximum allowed nodes');
    const manyGates = `OR(${Array.from({ length: 4999 }, () => "OutOf(1, 'A.peer')").join(', ')})`;
    const started = Date.now();
    expect(parseSignaturePolicy(manyGates).principals).toHaveLength(4999);
    expect(Date.now() - started).toBeLessThan(2_000);
    const ok = `OutOf(1${", 'A.member'".repeat(2000)})`;
    expect(parseSignaturePolicy(ok).principals).toHaveLength(2000);
  });
});

describe('SignaturePolicyEnvelope round trip', () => {
  const exprs = [
    "AND('Org1MSP.peer', 'Org2MSP.peer')",
    "OR('Org1MSP.member', AND('Org2MSP.admin', 'Org3MSP.client'))",
    "OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')",
    "AND('Org1MSP.peer', OR('Org2MSP.member', OutOf(2, 'A.admin', 'B.peer', 'C.client')))",
    "OutOf(0, 'A.orderer')",
  ];

  it.each(exprs)('%s -> envelope -> policy -> envelope', (expr) => {
    const policy = parseSignaturePolicy(expr);
    const bytes = toSignaturePolicyEnvelope(policy).serializeBinary();
    const back = fromSignaturePolicyEnvelope(bytes);
    expect(back).toEqual(policy);
    expect(Buffer.from(toSignaturePolicyEnvelope(back).serializeBinary())).toEqual(Buffer.from(bytes));
    // and through the DSL text
    const text = formatSignaturePolicy(back);
    expect(Buffer.from(toSignaturePolicyEnvelope(parseSignaturePolicy(text)).serializeBinary())).toEqual(
      Buffer.from(bytes),
    );
    // the decoded protobuf says what we meant
    const env = common.SignaturePolicyEnvelope.deserializeBinary(bytes);
    expect(env.getVersion()).toBe(0);
    expect(env.getIdentitiesList()).toHaveLength(policy.principals.length);
    const role0 = msp.MSPRole.deserializeBinary(env.getIdentitiesList()[0]!.getPrincipal_asU8());
    expect(role0.getMspIdentifier()).toBe(policy.principals[0]!.mspId);
  });

  it('accepts the envelope message itself', () => {
    const policy = parseSignaturePolicy("OR('A.peer')");
    expect(fromSignaturePolicyEnvelope(toSignaturePolicyEnvelope(policy))).toEqual(policy);
  });

  it('is byte-identical to fabric-shim KeyEndorsementPolicy for the same org set', () => {
    for (const [role, dslRole] of [
      ['PEER', 'peer'],
      ['MEMBER', 'member'],
    ] as const) {
      for (const orgs of [['Org1MSP'], ['Org1MSP', 'Org2MSP'], ['Org1MSP', 'Org2MSP', 'Org3MSP']]) {
        const kep = new KeyEndorsementPolicy();
        kep.addOrgs(role, ...orgs);
        const shimBytes = Buffer.from(kep.getPolicy());
        const dsl = `AND(${orgs.map((o) => `'${o}.${dslRole}'`).join(', ')})`;
        const ours = Buffer.from(toSignaturePolicyEnvelope(parseSignaturePolicy(dsl)).serializeBinary());
        expect(ours).toEqual(shimBytes);
        // and the shim reads ours back
        expect(new KeyEndorsementPolicy(ours).listOrgs()).toEqual(orgs);
        expect(fromSignaturePolicyEnvelope(shimBytes).principals).toEqual(
          orgs.map((mspId) => ({ mspId, role: dslRole })),
        );
      }
    }
  });

  it('rejects malformed or unsupported envelopes', () => {
    const code = (bytes: Uint8Array): string => {
      try {
        fromSignaturePolicyEnvelope(bytes);
      } catch (err) {
        return (err as PolicyError).code;
      }
      return 'ok';
    };
    expect(code(Uint8Array.from([0xff, 0xff, 0xff]))).toBe('MALFORMED_ENVELOPE');
    // version 1
    const v1 = toSignaturePolicyEnvelope(parseSignaturePolicy("OR('A.peer')"));
    v1.setVersion(1);
    expect(code(v1.serializeBinary())).toBe('UNSUPPORTED');
    // no rule
    expect(code(new common.SignaturePolicyEnvelope().serializeBinary())).toBe('MALFORMED_ENVELOPE');
    // signedBy out of range
    expect(code(manualEnvelope([['A', 3]], protoRule(or(by(0), by(1)))))).toBe('MALFORMED_ENVELOPE');
    // empty SignaturePolicy element
    const empty = new common.SignaturePolicyEnvelope();
    empty.setRule(new common.SignaturePolicy());
    expect(code(empty.serializeBinary())).toBe('MALFORMED_ENVELOPE');
    // IDENTITY principal
    const ident = toSignaturePolicyEnvelope(parseSignaturePolicy("OR('A.peer')"));
    ident.getIdentitiesList()[0]!.setPrincipalClassification(msp.MSPPrincipal.Classification.IDENTITY);
    expect(code(ident.serializeBinary())).toBe('UNSUPPORTED');
    // unknown role number
    expect(code(manualEnvelope([['A', 9]], protoRule(or(by(0)))))).toBe('MALFORMED_ENVELOPE');
    // nesting beyond the limit is refused before google-protobuf decodes it
    let ok: Rule = by(0);
    for (let i = 0; i < 100; i++) ok = or(ok);
    expect(code(manualEnvelope([['A', 3]], protoRule(ok)))).toBe('ok');
    expect(code(manualEnvelope([['A', 3]], protoRule(or(ok))))).toBe('TOO_COMPLEX');
    let deep: Rule = by(0);
    for (let i = 0; i < 1000; i++) deep = or(deep);
    const deepBytes = manualEnvelope([['A', 3]], protoRule(deep));
    const started = Date.now();
    expect(code(deepBytes)).toBe('TOO_COMPLEX');
    expect(Date.now() - started).toBeLessThan(100);
    // the limits agree: a 100-gate DSL policy survives the envelope round trip
    let dsl = "'A.member'";
    for (let i = 0; i < 100; i++) dsl = `OR(${dsl})`;
    const p100 = parseSignaturePolicy(dsl);
    expect(fromSignaturePolicyEnvelope(toSignaturePolicyEnvelope(p100).serializeBinary())).toEqual(p100);
    // truncated bytes
    const good = manualEnvelope([['A', 3]], protoRule(or(by(0))));
    expect(code(good.subarray(0, good.length - 1))).toBe('MALFORMED_ENVELOPE');
  });

  it('refuses to encode structurally invalid policies', () => {
    const bad: SignaturePolicy = { principals: [{ mspId: 'A', role: 'peer' }], rule: or(by(1)) };
    expect(() => toSignaturePolicyEnvelope(bad)).toThrow(/identity index out of range, requested 1/);
    const badRole = {
      principals: [{ mspId: 'A', role: 'boss' }],
      rule: or(by(0)),
    } as unknown as SignaturePolicy;
    expect(() => toSignaturePolicyEnvelope(badRole)).toThrow(PolicyError);
  });
});

describe('formatSignaturePolicy', () => {
  it('writes OR for n = 1, AND for n = all, OutOf otherwise', () => {
    expect(
      formatSignaturePolicy(
        parseSignaturePolicy(
          "AND('A.peer',OR('B.member',\"C.admin\"),OutOf(2,'D.client','E.orderer','F.peer'))",
        ),
      ),
    ).toBe("AND('A.peer', OR('B.member', 'C.admin'), OutOf(2, 'D.client', 'E.orderer', 'F.peer'))");
    expect(formatSignaturePolicy(parseSignaturePolicy("AND('A.peer')"))).toBe("OR('A.peer')");
    expect(formatSignaturePolicy(parseSignaturePolicy("OutOf(0, 'A.peer', 'B.peer')"))).toBe(
      "OutOf(0, 'A.peer', 'B.peer')",
    );
  });

  it('formats fabric-shim envelopes', () => {
    const kep = new KeyEndorsementPolicy();
    kep.addOrgs('PEER', 'Org1MSP', 'Org2MSP');
    expect(formatSignaturePolicy(fromSignaturePolicyEnvelope(kep.getPolicy()))).toBe(
      "AND('Org1MSP.peer', 'Org2MSP.peer')",
    );
  });

  it('refuses MSP IDs the DSL cannot express', () => {
    const p: SignaturePolicy = { principals: [{ mspId: 'Org_1', role: 'peer' }], rule: or(by(0)) };
    expect(() => formatSignaturePolicy(p)).toThrow(/cannot be expressed/);
  });
});
