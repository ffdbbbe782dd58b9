import { common, msp } from '@hyperledger/fabric-protos';
import { ChannelConfigError } from './errors.js';

/*
 * The policy shapes configtxgen writes into a channel config (internal/configtxgen/encoder): implicit meta
 * policies ("ANY Readers") and signature policies built as `policydsl.FromString` builds them (one
 * principal per occurrence, `NOutOf` gates, envelope version 0).
 */

/** An implicit meta rule as configtx.yaml writes it, e.g. `MAJORITY Endorsement`. */
export type ImplicitMetaRule = `${'ANY' | 'ALL' | 'MAJORITY'} ${string}`;

/** A policy for the channel spec: an implicit meta rule, or a serialized `common.SignaturePolicyEnvelope`. */
export type PolicySpec = ImplicitMetaRule | { readonly signaturePolicy: Uint8Array };

/** A role of a signature-policy principal (policydsl `'MSP.role'`). */
export type PrincipalRole = 'member' | 'admin' | 'client' | 'peer' | 'orderer';

/** A policy decoded from a channel config. */
export type ConfigPolicyInfo =
  | { readonly type: 'implicitMeta'; readonly rule: 'ANY' | 'ALL' | 'MAJORITY'; readonly subPolicy: string }
  | { readonly type: 'signature'; readonly envelope: Uint8Array };

const RULES = { ANY: 0, ALL: 1, MAJORITY: 2 } as const satisfies Record<string, number>;
const RULE_NAMES = new Map<number, keyof typeof RULES>([
  [0, 'ANY'],
  [1, 'ALL'],
  [2, 'MAJORITY'],
]);
const ROLES: Record<PrincipalRole, msp.MSPRole.MSPRoleTypeMap[keyof msp.MSPRole.MSPRoleTypeMap]> = {
  member: msp.MSPRole.MSPRoleType.MEMBER,
  admin: msp.MSPRole.MSPRoleType.ADMIN,
  client: msp.MSPRole.MSPRoleType.CLIENT,
  peer: msp.MSPRole.MSPRoleType.PEER,
  orderer: msp.MSPRole.MSPRoleType.ORDERER,
};

/** Parses `ANY|ALL|MAJORITY <SubPolicy>`. */
export function parseImplicitMetaRule(text: string): { rule: keyof typeof RULES; subPolicy: string } {
  const m = /^(ANY|ALL|MAJORITY) ([A-Za-z0-9_.-]+)$/.exec(text.trim());
  const rule = m?.[1] as keyof typeof RULES | undefined;
  const subPolicy = m?.[2];
  if (rule === undefined || subPolicy === undefined)
    throw new ChannelConfigError(`invalid implicit meta policy rule '${text}'`);
  return { rule, subPolicy };
}

/** `common.Policy{IMPLICIT_META, ImplicitMetaPolicy{sub_policy, rule}}`. */
export function implicitMetaPolicy(text: string): common.Policy {
  const { rule, subPolicy } = parseImplicitMetaRule(text);
  const imp = new common.ImplicitMetaPolicy();
  imp.setSubPolicy(subPolicy);
  imp.setRule(RULES[rule]);
  const policy = new common.Policy();
  policy.setType(common.Policy.PolicyType.IMPLICIT_META);
  policy.setValue(imp.serializeBinary());
  return policy;
}

/** `common.Policy{SIGNATURE, envelope}` from serialized `SignaturePolicyEnvelope` bytes. */
export function signaturePolicy(envelope: Uint8Array): common.Policy {
  const policy = new common.Policy();
  policy.setType(common.Policy.PolicyType.SIGNATURE);
  policy.setValue(envelope);
  return policy;
}

/**
 * The `SignaturePolicyEnvelope` policydsl produces for `OR('<mspId>.<role1>', '<mspId>.<role2>', ...)`:
 * one ROLE principal per argument, rule `NOutOf(1, [SignedBy(0), SignedBy(1), ...])`.
 */
export function anyOfRolesEnvelope(mspId: string, roles: readonly PrincipalRole[]): Uint8Array {
  const rules = roles.map((_, i) => {
    const r = new common.SignaturePolicy();
    r.setSignedBy(i);
    return r;
  });
  const nOutOf = new common.SignaturePolicy.NOutOf();
  nOutOf.setN(1);
  nOutOf.setRulesList(rules);
  const rule = new common.SignaturePolicy();
  rule.setNOutOf(nOutOf);

  const identities = roles.map((role) => {
    const mspRole = new msp.MSPRole();
    mspRole.setMspIdentifier(mspId);
    mspRole.setRole(ROLES[role]);
    const principal = new msp.MSPPrincipal();
    principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
    principal.setPrincipal(mspRole.serializeBinary());
    return principal;
  });

  const env = new common.SignaturePolicyEnvelope();
  env.setVersion(0);
  env.setRule(rule);
  env.setIdentitiesList(identities);
  return env.serializeBinary();
}

/** A `common.Policy` from a {@link PolicySpec}. */
export function policyFromSpec(spec: PolicySpec): common.Policy {
  return typeof spec === 'string' ? implicitMetaPolicy(spec) : signaturePolicy(spec.signaturePolicy);
}

/** Decodes a config policy into {@link ConfigPolicyInfo}. */
export function decodeConfigPolicy(path: string, policy: common.Policy | undefined): ConfigPolicyInfo {
  switch (policy?.getType()) {
    case common.Policy.PolicyType.IMPLICIT_META: {
      const imp = common.ImplicitMetaPolicy.deserializeBinary(policy.getValue_asU8());
      const rule = RULE_NAMES.get(imp.getRule());
      if (rule === undefined)
        throw new ChannelConfigError(`policy ${path}: unknown implicit meta rule ${imp.getRule()}`);
      return { type: 'implicitMeta', rule, subPolicy: imp.getSubPolicy() };
    }
    case common.Policy.PolicyType.SIGNATURE:
      return { type: 'signature', envelope: policy.getValue_asU8() };
    default:
      throw new ChannelConfigError(`policy ${path}: unsupported policy type ${policy?.getType() ?? 'none'}`);
  }
}
