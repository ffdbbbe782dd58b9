import { common, msp } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import type { ChannelIdentity, NodeOU } from './identities.js';
import { evaluatePolicy } from './policy.js';

const ORGS = ['AMSP', 'BMSP', 'CMSP', 'DMSP'];

function roleEnvelope(
  mspId: string,
  role: msp.MSPRole.MSPRoleTypeMap[keyof msp.MSPRole.MSPRoleTypeMap],
): common.Policy {
  const mspRole = new msp.MSPRole();
  mspRole.setMspIdentifier(mspId);
  mspRole.setRole(role);
  const principal = new msp.MSPPrincipal();
  principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
  principal.setPrincipal(mspRole.serializeBinary());
  const signedBy = new common.SignaturePolicy();
  signedBy.setSignedBy(0);
  const nOutOf = new common.SignaturePolicy.NOutOf();
  nOutOf.setN(1);
  nOutOf.setRulesList([signedBy]);
  const rule = new common.SignaturePolicy();
  rule.setNOutOf(nOutOf);
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setRule(rule);
  envelope.setIdentitiesList([principal]);
  const policy = new common.Policy();
  policy.setType(common.Policy.PolicyType.SIGNATURE);
  policy.setValue(envelope.serializeBinary());
  return policy;
}

function withPolicy(group: common.ConfigGroup, name: string, policy: common.Policy): common.ConfigGroup {
  const cp = new common.ConfigPolicy();
  cp.setPolicy(policy);
  group.getPoliciesMap().set(name, cp);
  return group;
}

/** `/Channel/Application` as configtxgen writes it: MAJORITY Endorsement over OR('<org>.peer'). */
function application(
  rule: common.ImplicitMetaPolicy.RuleMap[keyof common.ImplicitMetaPolicy.RuleMap],
): common.ConfigGroup {
  const meta = new common.ImplicitMetaPolicy();
  meta.setSubPolicy('Endorsement');
  meta.setRule(rule);
  const policy = new common.Policy();
  policy.setType(common.Policy.PolicyType.IMPLICIT_META);
  policy.setValue(meta.serializeBinary());
  const app = withPolicy(new common.ConfigGroup(), 'Endorsement', policy);
  for (const org of ORGS)
    app
      .getGroupsMap()
      .set(
        org,
        withPolicy(new common.ConfigGroup(), 'Endorsement', roleEnvelope(org, msp.MSPRole.MSPRoleType.PEER)),
      );
  return app;
}

const signer = (mspId: string, nodeOU: NodeOU = 'peer', n = 0): ChannelIdentity => ({
  mspId,
  kind: 'application',
  nodeOU,
  name: `peer${n}`,
  key: `${mspId}/${n}`,
  verify: () => true,
});

describe('endorsement policy evaluation', () => {
  const majority = application(common.ImplicitMetaPolicy.Rule.MAJORITY);

  it('MAJORITY of four organisations needs three of their peers', () => {
    expect(evaluatePolicy(majority, 'Endorsement', [signer('AMSP'), signer('BMSP')])).toEqual({
      satisfied: false,
      detail: 'MAJORITY Endorsement: 2 of 4 organisations satisfied (AMSP, BMSP), 3 needed',
    });
    expect(
      evaluatePolicy(majority, 'Endorsement', [signer('AMSP'), signer('BMSP'), signer('DMSP')]).satisfied,
    ).toBe(true);
  });

  it('counts roles, not signatures: clients, admins and a second peer of the same organisation do not help', () => {
    expect(
      evaluatePolicy(majority, 'Endorsement', [
        signer('AMSP'),
        signer('AMSP', 'peer', 1),
        signer('BMSP', 'client'),
        signer('CMSP', 'admin'),
      ]).satisfied,
    ).toBe(false);
  });

  it('ANY and ALL', () => {
    const any = application(common.ImplicitMetaPolicy.Rule.ANY);
    const all = application(common.ImplicitMetaPolicy.Rule.ALL);
    expect(evaluatePolicy(any, 'Endorsement', [signer('CMSP')]).satisfied).toBe(true);
    expect(
      evaluatePolicy(
        all,
        'Endorsement',
        ORGS.slice(1).map((o) => signer(o)),
      ).satisfied,
    ).toBe(false);
    expect(
      evaluatePolicy(
        all,
        'Endorsement',
        ORGS.map((o) => signer(o)),
      ).satisfied,
    ).toBe(true);
  });

  it('a missing policy is not satisfied', () => {
    expect(
      evaluatePolicy(
        majority,
        'Writers',
        ORGS.map((o) => signer(o)),
      ).satisfied,
    ).toBe(false);
  });
});
