import { describe, expect, it } from 'vitest';
import { parseSignaturePolicy, type PrincipalRole, type SignaturePolicy } from './dsl.js';
import { PolicyError } from './errors.js';
import { evaluateSignaturePolicy, type PolicySigner } from './evaluate.js';

/** An identity of `mspId` with a NodeOU role; like Fabric, every valid identity is also a `member`. */
function id(key: string, mspId: string, role: Exclude<PrincipalRole, 'member'>): PolicySigner {
  return {
    identityKey: key,
    satisfies: (p) => p.mspId === mspId && (p.role === 'member' || p.role === role),
  };
}

const peerA = id('peerA', 'A', 'peer');
const peerA2 = id('peerA2', 'A', 'peer');
const clientA = id('clientA', 'A', 'client');
const adminA = id('adminA', 'A', 'admin');
const peerB = id('peerB', 'B', 'peer');
const peerC = id('peerC', 'C', 'peer');
const peerD = id('peerD', 'D', 'peer');

const evalText = (expr: string, signers: PolicySigner[]): boolean =>
  evaluateSignaturePolicy(parseSignaturePolicy(expr), signers);

describe('evaluateSignaturePolicy (cauthdsl semantics)', () => {
  it.each([
    // policy, signers, expected
    ["AND('A.peer', 'B.peer')", [peerA, peerB], true],
    ["AND('A.peer', 'B.peer')", [peerB, peerA], true],
    ["AND('A.peer', 'B.peer')", [peerA], false],
    ["AND('A.peer', 'B.peer')", [], false],
    ["AND('A.peer', 'B.peer')", [peerA, peerA2], false],
    ["OR('A.peer', 'B.peer')", [peerB], true],
    ["OR('A.peer', 'B.peer')", [peerC], false],
    ["OR('A.member')", [clientA], true],
    ["OR('A.admin')", [clientA], false],
    ["OR('A.admin')", [adminA], true],
    ["OR('A.client')", [peerA], false],
    // roles are per MSP
    ["OR('B.member')", [peerA], false],
    // OutOf(2, ...) over three orgs
    ["OutOf(2, 'A.peer', 'B.peer', 'C.peer')", [peerA], false],
    ["OutOf(2, 'A.peer', 'B.peer', 'C.peer')", [peerA, peerB], true],
    ["OutOf(2, 'A.peer', 'B.peer', 'C.peer')", [peerA, peerC], true],
    ["OutOf(2, 'A.peer', 'B.peer', 'C.peer')", [peerB, peerC], true],
    ["OutOf(2, 'A.peer', 'B.peer', 'C.peer')", [peerA, peerB, peerC], true],
    ["OutOf(2, 'A.peer', 'B.peer', 'C.peer')", [peerA, peerD], false],
    // threshold edge cases Fabric permits
    ["OutOf(0, 'A.peer', 'B.peer')", [], true],
    ["OutOf(3, 'A.peer', 'B.peer')", [peerA, peerB], false],
    // nesting
    ["AND('A.peer', OR('B.peer', 'C.peer'))", [peerA, peerC], true],
    ["AND('A.peer', OR('B.peer', 'C.peer'))", [peerB, peerC], false],
  ] as const)('%s with %# signers', (expr, signers, expected) => {
    expect(evalText(expr, [...signers])).toBe(expected);
  });

  it('counts a duplicated identity once', () => {
    const twice = [peerA, { ...peerA }];
    expect(evalText("OutOf(2, 'A.peer', 'A.peer')", twice)).toBe(false);
    expect(evalText("AND('A.member', 'A.member')", twice)).toBe(false);
    // two distinct identities of the same org do satisfy two leaves of that org
    expect(evalText("OutOf(2, 'A.peer', 'A.peer')", [peerA, peerA2])).toBe(true);
    // duplicates do not help an AND over two orgs either
    expect(evalText("AND('A.peer', 'B.peer')", [peerA, peerA, peerA])).toBe(false);
  });

  it('lets one signer satisfy at most one leaf, even when it matches two principals', () => {
    // a peer identity satisfies both 'A.member' and 'A.peer', but only one leaf
    expect(evalText("AND('A.member', 'A.peer')", [peerA])).toBe(false);
    expect(evalText("OR('A.member', 'A.peer')", [peerA])).toBe(true);
    // greedy first-match: the member leaf grabs the first matching signer
    expect(evalText("AND('A.member', 'A.peer')", [clientA, peerA])).toBe(true);
    expect(evalText("AND('A.member', 'A.peer')", [peerA, clientA])).toBe(false);
    expect(evalText("AND('A.peer', 'A.member')", [peerA, clientA])).toBe(true);
  });

  it('replicates the greedy, non-short-circuit gate evaluation (known Fabric behaviour)', () => {
    // OR evaluates both leaves and consumes both signers, starving the second AND branch ...
    expect(evalText("AND(OR('A.peer', 'B.peer'), 'B.peer')", [peerA, peerB])).toBe(false);
    // ... though a valid assignment exists; with the branches swapped it passes
    expect(evalText("AND('B.peer', OR('A.peer', 'B.peer'))", [peerA, peerB])).toBe(true);
    // the same starvation inside OutOf
    expect(evalText("OutOf(2, OR('A.peer', 'B.peer'), 'A.peer')", [peerA, peerB])).toBe(false);
    expect(evalText("OutOf(2, OR('A.peer', 'B.peer'), 'A.peer')", [peerA, peerB, peerA2])).toBe(true);
  });

  it('discards what a failing branch consumed', () => {
    // the inner AND takes peerA then fails on B: peerA must still be available for the second branch
    expect(evalText("OR(AND('A.peer', 'B.peer'), 'A.peer')", [peerA])).toBe(true);
    expect(evalText("AND(OR(AND('A.peer', 'B.peer'), 'C.peer'), 'A.peer')", [peerA, peerC])).toBe(true);
  });

  it('treats a throwing satisfies() as "does not satisfy"', () => {
    const broken: PolicySigner = {
      identityKey: 'broken',
      satisfies: () => {
        throw new Error('MSP says no');
      },
    };
    expect(evalText("OR('A.peer')", [broken])).toBe(false);
    expect(evalText("OR('A.peer')", [broken, peerA])).toBe(true);
  });

  it('asks the MSP at most once per (principal, signer)', () => {
    let calls = 0;
    const counting: PolicySigner = {
      identityKey: 'c',
      satisfies: (p) => {
        calls++;
        return p.mspId === 'A';
      },
    };
    const policy = parseSignaturePolicy("OR(AND('A.peer', 'B.peer'), AND('A.peer', 'C.peer'), 'A.peer')", {
      dedupePrincipals: true,
    });
    expect(evaluateSignaturePolicy(policy, [counting])).toBe(true);
    // only 'A.peer' is ever asked (once, then cached across branches); B and C leaves find the
    // only signer already used in their branch, so they never ask
    expect(calls).toBe(1);
  });

  it('works on envelopes built by hand with shared principal indices', () => {
    const policy: SignaturePolicy = {
      principals: [{ mspId: 'A', role: 'peer' }],
      rule: { nOutOf: { n: 2, rules: [{ signedBy: 0 }, { signedBy: 0 }] } },
    };
    expect(evaluateSignaturePolicy(policy, [peerA])).toBe(false);
    expect(evaluateSignaturePolicy(policy, [peerA, peerA2])).toBe(true);
    // negative thresholds (possible in raw envelopes) are always satisfied, as in Fabric
    expect(evaluateSignaturePolicy({ principals: [], rule: { nOutOf: { n: -1, rules: [] } } }, [])).toBe(
      true,
    );
  });

  it('rejects structurally invalid policies', () => {
    const bad: SignaturePolicy = { principals: [], rule: { signedBy: 0 } };
    expect(() => evaluateSignaturePolicy(bad, [peerA])).toThrow(PolicyError);
    expect(() => evaluateSignaturePolicy(bad, [peerA])).toThrow(
      'identity index out of range, requested 0, but identities length is 0',
    );
  });
});
