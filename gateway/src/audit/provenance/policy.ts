/*
 * Evaluation of a channel configuration policy against a set of signers, as Fabric's
 * `common/policies` (implicit meta: ANY/ALL/MAJORITY of the sub-groups' policies) and
 * `common/cauthdsl` (signature policies: NOutOf over SignedBy principals, each signer used once,
 * greedily in rule order) evaluate it.
 */
import { common, msp } from '@hyperledger/fabric-protos';
import { sortedEntries } from './channel-config.js';
import type { ChannelIdentity } from './identities.js';

/** The outcome of a policy evaluation, with what it was short of. */
export interface PolicyOutcome {
  readonly satisfied: boolean;
  /** E.g. `MAJORITY Endorsement: 2 of 4 organisations satisfied, 3 needed`. */
  readonly detail: string;
}

const Role = msp.MSPRole.MSPRoleType;
const RULES = new Map<number, 'ANY' | 'ALL' | 'MAJORITY'>([
  [common.ImplicitMetaPolicy.Rule.ANY, 'ANY'],
  [common.ImplicitMetaPolicy.Rule.ALL, 'ALL'],
  [common.ImplicitMetaPolicy.Rule.MAJORITY, 'MAJORITY'],
]);

function principalMatches(principal: msp.MSPPrincipal, signer: ChannelIdentity): boolean {
  if (principal.getPrincipalClassification() !== msp.MSPPrincipal.Classification.ROLE) return false;
  const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
  if (role.getMspIdentifier() !== signer.mspId) return false;
  switch (role.getRole()) {
    case Role.MEMBER:
      return true;
    case Role.ADMIN:
      return signer.nodeOU === 'admin';
    case Role.CLIENT:
      return signer.nodeOU === 'client';
    case Role.PEER:
      return signer.nodeOU === 'peer';
    case Role.ORDERER:
      return signer.nodeOU === 'orderer';
    default:
      return false;
  }
}

function evaluateRule(
  rule: common.SignaturePolicy,
  principals: readonly msp.MSPPrincipal[],
  signers: readonly ChannelIdentity[],
  used: boolean[],
): boolean {
  if (rule.hasSignedBy()) {
    const principal = principals[rule.getSignedBy()];
    if (!principal) return false;
    const index = signers.findIndex((s, i) => used[i] !== true && principalMatches(principal, s));
    if (index < 0) return false;
    used[index] = true;
    return true;
  }
  const nOutOf = rule.getNOutOf();
  if (!nOutOf) return false;
  let verified = 0;
  for (const sub of nOutOf.getRulesList()) {
    const attempt = [...used];
    if (evaluateRule(sub, principals, signers, attempt)) {
      verified++;
      attempt.forEach((u, i) => (used[i] = u));
    }
  }
  return verified >= nOutOf.getN();
}

function signaturePolicy(value: Uint8Array, signers: readonly ChannelIdentity[]): boolean {
  const envelope = common.SignaturePolicyEnvelope.deserializeBinary(value);
  const rule = envelope.getRule();
  if (envelope.getVersion() !== 0 || !rule) return false;
  return evaluateRule(
    rule,
    envelope.getIdentitiesList(),
    signers,
    signers.map(() => false),
  );
}

/**
 * Evaluates the policy `name` of config group `group` (e.g. `Endorsement` of `/Channel/Application`)
 * for `signers` (distinct, already verified identities).
 */
export function evaluatePolicy(
  group: common.ConfigGroup,
  name: string,
  signers: readonly ChannelIdentity[],
): PolicyOutcome {
  const policy = group.getPoliciesMap().get(name)?.getPolicy();
  if (!policy) return { satisfied: false, detail: `there is no policy ${name}` };
  switch (policy.getType()) {
    case common.Policy.PolicyType.SIGNATURE: {
      const satisfied = signaturePolicy(policy.getValue_asU8(), signers);
      return { satisfied, detail: `signature policy ${name} ${satisfied ? 'satisfied' : 'not satisfied'}` };
    }
    case common.Policy.PolicyType.IMPLICIT_META: {
      const meta = common.ImplicitMetaPolicy.deserializeBinary(policy.getValue_asU8());
      const rule = RULES.get(meta.getRule());
      if (rule === undefined) return { satisfied: false, detail: `policy ${name} has an unknown rule` };
      const subGroups = sortedEntries(group.getGroupsMap());
      const satisfiedBy = subGroups
        .filter(([, g]) => evaluatePolicy(g, meta.getSubPolicy(), signers).satisfied)
        .map(([n]) => n);
      const needed =
        rule === 'ANY' ? 1 : rule === 'ALL' ? subGroups.length : Math.floor(subGroups.length / 2) + 1;
      const satisfied = subGroups.length > 0 && satisfiedBy.length >= needed;
      return {
        satisfied,
        detail:
          `${rule} ${meta.getSubPolicy()}: ${satisfiedBy.length} of ${subGroups.length} organisations ` +
          `satisfied (${satisfiedBy.join(', ') || 'none'}), ${needed} needed`,
      };
    }
    default:
      return { satisfied: false, detail: `policy ${name} has an unsupported type` };
  }
}
