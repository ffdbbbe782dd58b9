import { common, peer } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { parseSignaturePolicy, toSignaturePolicyEnvelope, type PrincipalRole } from './dsl.js';
import {
  checkEndorsementPolicy,
  defaultOrgPolicy,
  endorsementPlans,
  evaluateEndorsementPolicy,
  formatEndorsementPolicy,
  fromApplicationPolicyBytes,
  fromChannelConfigPolicy,
  implicitMetaThreshold,
  parseEndorsementPolicy,
  toApplicationPolicyBytes,
  toChannelConfigPolicy,
  type EndorsementPolicy,
} from './endorsement.js';
import { PolicyError } from './errors.js';
import type { PolicySigner } from './evaluate.js';

function id(mspId: string, role: Exclude<PrincipalRole, 'member'> = 'peer', n = 0): PolicySigner {
  return {
    identityKey: `${mspId}/${role}/${n}`,
    satisfies: (p) => p.mspId === mspId && (p.role === 'member' || p.role === role),
  };
}
const peers = (...orgs: string[]): PolicySigner[] => orgs.map((o) => id(o));

const ORGS3 = ['Org1MSP', 'Org2MSP', 'Org3MSP'];
const ORGS4 = ['Org1MSP', 'Org2MSP', 'Org3MSP', 'Org4MSP'];

function policyError(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return err as PolicyError;
  }
  throw new Error('expected a PolicyError');
}

describe('parseEndorsementPolicy', () => {
  it('parses the DSL into a signature policy', () => {
    const p = parseEndorsementPolicy("  AND('Org1MSP.peer', 'Org2MSP.peer') ");
    expect(p).toEqual({
      kind: 'signature',
      policy: parseSignaturePolicy("AND('Org1MSP.peer', 'Org2MSP.peer')"),
    });
  });

  it.each(['ANY', 'ALL', 'MAJORITY'] as const)('parses "%s Endorsement"', (rule) => {
    expect(parseEndorsementPolicy(`${rule} Endorsement`)).toEqual({
      kind: 'implicitMeta',
      rule,
      subPolicy: 'Endorsement',
    });
  });

  it('resolves the channel-config path form', () => {
    expect(parseEndorsementPolicy('/Channel/Application/Endorsement')).toEqual({
      kind: 'implicitMeta',
      rule: 'MAJORITY',
      subPolicy: 'Endorsement',
      channelPolicyRef: '/Channel/Application/Endorsement',
    });
    expect(parseEndorsementPolicy('/Channel/Application/LifecycleEndorsement')).toMatchObject({
      rule: 'MAJORITY',
      subPolicy: 'Endorsement',
    });
    const custom = parseEndorsementPolicy('/Channel/Application/Strict', {
      resolveChannelPolicy: (path) =>
        path === '/Channel/Application/Strict' ? "AND('A.peer', 'B.peer')" : undefined,
    });
    expect(custom).toMatchObject({ kind: 'signature', channelPolicyRef: '/Channel/Application/Strict' });
    expect(policyError(() => parseEndorsementPolicy('/Channel/Application/Nope')).code).toBe(
      'UNKNOWN_CHANNEL_POLICY',
    );
    expect(policyError(() => parseEndorsementPolicy('/Channel/Orderer/Endorsement')).code).toBe(
      'UNKNOWN_CHANNEL_POLICY',
    );
  });

  it('rejects malformed text', () => {
    expect(policyError(() => parseEndorsementPolicy('any Endorsement')).message).toBe(
      "unknown rule type 'any', expected ALL, ANY, or MAJORITY",
    );
    expect(policyError(() => parseEndorsementPolicy('')).code).toBe('SYNTAX');
    expect(policyError(() => parseEndorsementPolicy('MAJORITY')).code).toBe('SYNTAX');
    expect(policyError(() => parseEndorsementPolicy("AND('A.peer'")).message).toBe("expected ')' at 12");
  });

  it('formats back', () => {
    expect(formatEndorsementPolicy(parseEndorsementPolicy('MAJORITY Endorsement'))).toBe(
      'MAJORITY Endorsement',
    );
    expect(formatEndorsementPolicy(parseEndorsementPolicy("OR('A.peer','B.peer')"))).toBe(
      "OR('A.peer', 'B.peer')",
    );
  });
});

describe('evaluateEndorsementPolicy', () => {
  const majority = parseEndorsementPolicy('MAJORITY Endorsement');
  const any = parseEndorsementPolicy('ANY Endorsement');
  const all = parseEndorsementPolicy('ALL Endorsement');

  it('computes Fabric thresholds', () => {
    expect([1, 2, 3, 4, 5].map((n) => implicitMetaThreshold('MAJORITY', n))).toEqual([1, 2, 2, 3, 3]);
    expect(implicitMetaThreshold('ANY', 4)).toBe(1);
    expect(implicitMetaThreshold('ALL', 4)).toBe(4);
    expect(implicitMetaThreshold('MAJORITY', 0)).toBe(0);
  });

  it.each([
    // policy, channel orgs, endorsing orgs, expected
    ['MAJORITY', ORGS4, [], false],
    ['MAJORITY', ORGS4, ['Org1MSP', 'Org2MSP'], false],
    ['MAJORITY', ORGS4, ['Org1MSP', 'Org2MSP', 'Org3MSP'], true],
    ['MAJORITY', ORGS4, ['Org2MSP', 'Org3MSP', 'Org4MSP'], true],
    ['MAJORITY', ORGS4, ORGS4, true],
    ['MAJORITY', ORGS3, ['Org3MSP'], false],
    ['MAJORITY', ORGS3, ['Org1MSP', 'Org3MSP'], true],
    ['MAJORITY', ORGS3, ['Org2MSP', 'Org3MSP'], true],
    ['ANY', ORGS3, [], false],
    ['ANY', ORGS3, ['Org2MSP'], true],
    ['ALL', ORGS3, ['Org1MSP', 'Org2MSP'], false],
    ['ALL', ORGS3, ORGS3, true],
    ['MAJORITY', ORGS3, ['OtherMSP', 'Org1MSP'], false],
  ] as const)('%s over %j with peers of %j', (rule, orgs, endorsers, expected) => {
    const policy = { MAJORITY: majority, ANY: any, ALL: all }[rule];
    expect(evaluateEndorsementPolicy(policy, orgs, peers(...endorsers))).toBe(expected);
    // same through the map form with default (undefined) sub-policies
    expect(
      evaluateEndorsementPolicy(policy, new Map(orgs.map((o) => [o, undefined])), peers(...endorsers)),
    ).toBe(expected);
  });

  it('uses OR(<MSP>.peer) by default: clients and admins do not count', () => {
    expect(evaluateEndorsementPolicy(any, ORGS3, [id('Org1MSP', 'client'), id('Org2MSP', 'admin')])).toBe(
      false,
    );
  });

  it('explains failures with Fabric’s messages', () => {
    expect(checkEndorsementPolicy(majority, ORGS4, peers('Org1MSP', 'Org2MSP'))).toEqual({
      ok: false,
      message:
        "implicit policy evaluation failed - 2 sub-policies were satisfied, but this policy requires 3 of the 'Endorsement' sub-policies to be satisfied",
    });
    expect(checkEndorsementPolicy(parseEndorsementPolicy("OR('A.peer')"), [], [])).toEqual({
      ok: false,
      message: 'signature set did not satisfy policy',
    });
    expect(checkEndorsementPolicy(majority, [], [])).toEqual({ ok: true }); // no orgs: 0 needed
  });

  it('evaluates each org’s sub-policy independently over the whole signer set', () => {
    // Org2's Endorsement policy trusts Org1's peers: one Org1 endorsement satisfies two sub-policies
    const subs = new Map([
      ['Org1MSP', undefined],
      ['Org2MSP', parseSignaturePolicy("OR('Org1MSP.peer')")],
      ['Org3MSP', undefined],
    ]);
    expect(evaluateEndorsementPolicy(majority, subs, peers('Org1MSP'))).toBe(true);
    // an org whose sub-policy requires an admin
    const adminSubs = new Map([
      ['Org1MSP', parseSignaturePolicy("OR('Org1MSP.admin')")],
      ['Org2MSP', undefined],
    ]);
    expect(evaluateEndorsementPolicy(all, adminSubs, peers('Org1MSP', 'Org2MSP'))).toBe(false);
    expect(evaluateEndorsementPolicy(all, adminSubs, [id('Org1MSP', 'admin'), id('Org2MSP')])).toBe(true);
  });

  it('treats an org without the named sub-policy as unsatisfied', () => {
    const custom = parseEndorsementPolicy('ANY Auditors');
    expect(evaluateEndorsementPolicy(custom, ORGS3, peers(...ORGS3))).toBe(false);
    const subs = new Map([['Org1MSP', parseSignaturePolicy("OR('Org1MSP.peer')")]]);
    expect(evaluateEndorsementPolicy(custom, subs, peers('Org1MSP'))).toBe(true);
  });

  it('evaluates signature policies with cauthdsl semantics', () => {
    const p = parseEndorsementPolicy("OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')");
    expect(evaluateEndorsementPolicy(p, [], peers('Org1MSP'))).toBe(false);
    expect(evaluateEndorsementPolicy(p, [], peers('Org1MSP', 'Org3MSP'))).toBe(true);
    expect(evaluateEndorsementPolicy(p, [], [id('Org1MSP'), id('Org1MSP')])).toBe(false);
  });

  it('gives the Readers/Writers/Admins defaults of the sample configtx.yaml', () => {
    expect(defaultOrgPolicy('O', 'Readers')?.principals.map((p) => p.role)).toEqual([
      'admin',
      'peer',
      'client',
    ]);
    expect(defaultOrgPolicy('O', 'Writers')?.principals.map((p) => p.role)).toEqual(['admin', 'client']);
    expect(defaultOrgPolicy('O', 'Admins')?.principals.map((p) => p.role)).toEqual(['admin']);
    expect(defaultOrgPolicy('O', 'Other')).toBeUndefined();
  });
});

describe('endorsementPlans', () => {
  const plans = (text: string, orgs: readonly string[], channelOrgs?: readonly string[]): string[][] =>
    endorsementPlans(parseEndorsementPolicy(text), orgs, undefined, channelOrgs ? { channelOrgs } : {});

  it('OutOf(2, ...) over 3 orgs: every pair', () => {
    expect(plans("OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')", ORGS3)).toEqual([
      ['Org1MSP', 'Org2MSP'],
      ['Org1MSP', 'Org3MSP'],
      ['Org2MSP', 'Org3MSP'],
    ]);
  });

  it('MAJORITY over 4 orgs needs 3, over 3 orgs needs 2', () => {
    expect(plans('MAJORITY Endorsement', ORGS4)).toEqual([
      ['Org1MSP', 'Org2MSP', 'Org3MSP'],
      ['Org1MSP', 'Org2MSP', 'Org4MSP'],
      ['Org1MSP', 'Org3MSP', 'Org4MSP'],
      ['Org2MSP', 'Org3MSP', 'Org4MSP'],
    ]);
    expect(plans('MAJORITY Endorsement', ORGS3)).toEqual([
      ['Org1MSP', 'Org2MSP'],
      ['Org1MSP', 'Org3MSP'],
      ['Org2MSP', 'Org3MSP'],
    ]);
    expect(plans('/Channel/Application/Endorsement', ORGS3)).toHaveLength(3);
  });

  it('ANY and ALL', () => {
    expect(plans('ANY Endorsement', ['Org3MSP', 'Org1MSP', 'Org2MSP'])).toEqual([
      ['Org1MSP'],
      ['Org2MSP'],
      ['Org3MSP'],
    ]);
    expect(plans('ALL Endorsement', ORGS3)).toEqual([ORGS3]);
  });

  it('keeps the channel’s org count when some orgs have no peers', () => {
    // MAJORITY of 4 channel orgs = 3, only 3 orgs can endorse
    expect(plans('MAJORITY Endorsement', ORGS3, ORGS4)).toEqual([ORGS3]);
    expect(plans('ALL Endorsement', ORGS3, ORGS4)).toEqual([]);
  });

  it('returns minimal sets only, smallest first, independent of input order', () => {
    const text = "OR('Org1MSP.peer', AND('Org2MSP.peer', 'Org3MSP.peer'))";
    expect(plans(text, ORGS3)).toEqual([['Org1MSP'], ['Org2MSP', 'Org3MSP']]);
    expect(plans(text, [...ORGS3].reverse())).toEqual([['Org1MSP'], ['Org2MSP', 'Org3MSP']]);
    expect(plans("AND('Org1MSP.peer', OR('Org2MSP.member', 'Org3MSP.peer'))", [...ORGS4, 'Org1MSP'])).toEqual(
      [
        ['Org1MSP', 'Org2MSP'],
        ['Org1MSP', 'Org3MSP'],
      ],
    );
  });

  it('returns [] when no set of peers can satisfy the policy', () => {
    expect(plans("AND('Org1MSP.peer', 'Org2MSP.peer')", ['Org1MSP'])).toEqual([]);
    expect(plans("OR('Org1MSP.admin')", ORGS3)).toEqual([]); // peers are not admins
    expect(plans("OutOf(2, 'Org1MSP.peer', 'Org1MSP.peer')", ORGS3)).toEqual([]); // needs two Org1 identities
    // cauthdsl's greedy evaluation rejects this with peers of Org1 and Org2, so no plan is offered
    expect(plans("AND(OR('Org1MSP.peer', 'Org2MSP.peer'), 'Org2MSP.peer')", ORGS3)).toEqual([]);
    expect(plans("AND('Org2MSP.peer', OR('Org1MSP.peer', 'Org2MSP.peer'))", ORGS3)).toEqual([
      ['Org1MSP', 'Org2MSP'],
    ]);
  });

  it('returns [[]] for a policy that needs nothing', () => {
    expect(plans("OutOf(0, 'Org1MSP.peer')", ORGS3)).toEqual([[]]);
    expect(plans('MAJORITY Endorsement', [])).toEqual([[]]);
  });

  it('honours custom sub-policies', () => {
    const subs = new Map([['Org2MSP', parseSignaturePolicy("OR('Org1MSP.peer')")]]);
    // Org1's peer satisfies Org1's and Org2's sub-policies; Org2's own peer satisfies neither
    expect(endorsementPlans(parseEndorsementPolicy('MAJORITY Endorsement'), ORGS3, subs)).toEqual([
      ['Org1MSP'],
    ]);
  });

  it('refuses to enumerate too many orgs', () => {
    const many = Array.from({ length: 25 }, (_, i) => `Org${i}MSP`);
    expect(policyError(() => endorsementPlans(parseEndorsementPolicy('ANY Endorsement'), many)).code).toBe(
      'TOO_MANY_ORGS',
    );
    expect(
      endorsementPlans(parseEndorsementPolicy('ANY Endorsement'), many, undefined, { maxOrgs: 25 }),
    ).toHaveLength(25);
    // worst case (no plan exists, every subset is evaluated): 12 candidates, 13 channel orgs
    const started = Date.now();
    expect(
      endorsementPlans(parseEndorsementPolicy('ALL Endorsement'), many.slice(0, 12), undefined, {
        channelOrgs: many.slice(0, 13),
      }),
    ).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
    // a signature policy only enumerates the orgs it names
    expect(endorsementPlans(parseEndorsementPolicy("OR('Org1MSP.peer')"), many)).toEqual([['Org1MSP']]);
  });
});

describe('protobuf forms', () => {
  it('ApplicationPolicy with a signature policy', () => {
    const p = parseEndorsementPolicy("AND('Org1MSP.peer', 'Org2MSP.peer')");
    const bytes = toApplicationPolicyBytes(p);
    const ap = peer.ApplicationPolicy.deserializeBinary(bytes);
    expect(ap.getTypeCase()).toBe(peer.ApplicationPolicy.TypeCase.SIGNATURE_POLICY);
    expect(Buffer.from(ap.getSignaturePolicy()!.serializeBinary())).toEqual(
      Buffer.from(
        toSignaturePolicyEnvelope(
          parseSignaturePolicy("AND('Org1MSP.peer', 'Org2MSP.peer')"),
        ).serializeBinary(),
      ),
    );
    expect(fromApplicationPolicyBytes(bytes)).toEqual(p);
  });

  it('ApplicationPolicy with a channel config reference', () => {
    for (const text of ['/Channel/Application/Endorsement', 'MAJORITY Endorsement']) {
      const ap = peer.ApplicationPolicy.deserializeBinary(
        toApplicationPolicyBytes(parseEndorsementPolicy(text)),
      );
      expect(ap.getChannelConfigPolicyReference()).toBe('/Channel/Application/Endorsement');
    }
    const back = fromApplicationPolicyBytes(
      toApplicationPolicyBytes(parseEndorsementPolicy('MAJORITY Endorsement')),
    );
    expect(back).toEqual({
      kind: 'implicitMeta',
      rule: 'MAJORITY',
      subPolicy: 'Endorsement',
      channelPolicyRef: '/Channel/Application/Endorsement',
    });
    expect(policyError(() => toApplicationPolicyBytes(parseEndorsementPolicy('ANY Endorsement'))).code).toBe(
      'UNKNOWN_CHANNEL_POLICY',
    );
    const explicit: EndorsementPolicy = {
      kind: 'implicitMeta',
      rule: 'ANY',
      subPolicy: 'Endorsement',
      channelPolicyRef: '/Channel/Application/AnyEndorsement',
    };
    expect(
      peer.ApplicationPolicy.deserializeBinary(
        toApplicationPolicyBytes(explicit),
      ).getChannelConfigPolicyReference(),
    ).toBe('/Channel/Application/AnyEndorsement');
    expect(
      policyError(() => fromApplicationPolicyBytes(new peer.ApplicationPolicy().serializeBinary())).code,
    ).toBe('MALFORMED_ENVELOPE');
  });

  it('channel config common.Policy', () => {
    const imp = toChannelConfigPolicy(parseEndorsementPolicy('MAJORITY Endorsement'));
    expect(imp.getType()).toBe(common.Policy.PolicyType.IMPLICIT_META);
    const decoded = common.ImplicitMetaPolicy.deserializeBinary(imp.getValue_asU8());
    expect(decoded.getRule()).toBe(common.ImplicitMetaPolicy.Rule.MAJORITY);
    expect(decoded.getSubPolicy()).toBe('Endorsement');
    expect(fromChannelConfigPolicy(imp.serializeBinary())).toEqual(
      parseEndorsementPolicy('MAJORITY Endorsement'),
    );
    const sig = toChannelConfigPolicy(parseEndorsementPolicy("OR('Org1MSP.peer')"));
    expect(sig.getType()).toBe(common.Policy.PolicyType.SIGNATURE);
    expect(fromChannelConfigPolicy(sig)).toEqual(parseEndorsementPolicy("OR('Org1MSP.peer')"));
    const mspType = new common.Policy();
    mspType.setType(common.Policy.PolicyType.MSP);
    expect(policyError(() => fromChannelConfigPolicy(mspType)).code).toBe('UNSUPPORTED');
  });
});
