import { common, peer } from '@hyperledger/fabric-protos';
import {
  assertValidSignaturePolicy,
  fromSignaturePolicyEnvelope,
  formatSignaturePolicy,
  parseSignaturePolicy,
  toSignaturePolicyEnvelope,
  type Principal,
  type PrincipalRole,
  type SignaturePolicy,
} from './dsl.js';
import { PolicyError } from './errors.js';
import { evaluateSignaturePolicy, type PolicySigner } from './evaluate.js';

/** Rule of an implicit-meta policy (`common.ImplicitMetaPolicy.Rule`). */
export type ImplicitMetaRule = 'ANY' | 'ALL' | 'MAJORITY';

/**
 * An endorsement policy as a chaincode definition or the channel config carries it:
 * - `signature`: an explicit signature policy (`--signature-policy "AND(...)"`);
 * - `implicitMeta`: `ANY|ALL|MAJORITY <subPolicy>` over the channel's application organisations,
 *   each org contributing its own `<subPolicy>` policy (`Endorsement` by default, which in Fabric's
 *   sample configtx.yaml is `OR('<MSP>.peer')`).
 *
 * `channelPolicyRef` is set when the policy was obtained through a channel-config reference
 * (`/Channel/Application/Endorsement`, the default of chaincode definitions); it is what
 * {@link toApplicationPolicyBytes} writes into `ApplicationPolicy.channel_config_policy_reference`.
 */
export type EndorsementPolicy =
  | { readonly kind: 'signature'; readonly policy: SignaturePolicy; readonly channelPolicyRef?: string }
  | {
      readonly kind: 'implicitMeta';
      readonly rule: ImplicitMetaRule;
      readonly subPolicy: string;
      readonly channelPolicyRef?: string;
    };

/** The channel-config policy chaincode definitions use when no policy is given. */
export const DEFAULT_ENDORSEMENT_POLICY_REF = '/Channel/Application/Endorsement';

/**
 * Application-group policies of Fabric's sample `configtx.yaml` (test-network), used to resolve
 * `/Channel/Application/<Name>` references when no resolver is supplied.
 */
export const DEFAULT_APPLICATION_POLICIES: ReadonlyMap<string, string> = new Map([
  ['Endorsement', 'MAJORITY Endorsement'],
  ['LifecycleEndorsement', 'MAJORITY Endorsement'],
  ['Readers', 'ANY Readers'],
  ['Writers', 'ANY Writers'],
  ['Admins', 'MAJORITY Admins'],
]);

/** Options of {@link parseEndorsementPolicy}. */
export interface ParseEndorsementPolicyOptions {
  /**
   * Resolves a channel-config policy path (e.g. `/Channel/Application/Endorsement`) to its
   * definition: policy text (DSL or `RULE SubPolicy`) or a parsed policy; `undefined` falls back to
   * {@link DEFAULT_APPLICATION_POLICIES}.
   */
  readonly resolveChannelPolicy?: (path: string) => string | EndorsementPolicy | undefined;
}

const IMPLICIT_RULES: readonly ImplicitMetaRule[] = ['ANY', 'ALL', 'MAJORITY'];
const APPLICATION_PATH_RE = /^\/Channel\/Application\/([^/]+)$/;

function withRef(policy: EndorsementPolicy, ref: string): EndorsementPolicy {
  return policy.kind === 'signature'
    ? { kind: 'signature', policy: policy.policy, channelPolicyRef: ref }
    : { kind: 'implicitMeta', rule: policy.rule, subPolicy: policy.subPolicy, channelPolicyRef: ref };
}

/**
 * Parses an endorsement policy:
 * - the signature-policy DSL (`AND('Org1MSP.peer', 'Org2MSP.peer')`, see `parseSignaturePolicy`);
 * - an implicit-meta policy `MAJORITY Endorsement`, `ANY Endorsement`, `ALL Endorsement` (any
 *   sub-policy name; rule upper-case as in `configtx.yaml`);
 * - a channel-config policy path such as `/Channel/Application/Endorsement`, resolved through
 *   `options.resolveChannelPolicy` or {@link DEFAULT_APPLICATION_POLICIES}; the result keeps the
 *   path in `channelPolicyRef`.
 *
 * @throws {@link PolicyError} for DSL errors, `SYNTAX` for malformed implicit-meta text (Fabric's
 *   `unknown rule type 'X', expected ALL, ANY, or MAJORITY`) and `UNKNOWN_CHANNEL_POLICY` for a
 *   path that cannot be resolved.
 */
export function parseEndorsementPolicy(
  text: string,
  options: ParseEndorsementPolicyOptions = {},
): EndorsementPolicy {
  const t = text.trim();
  if (t === '') throw new PolicyError('SYNTAX', 'empty policy at 0', 0);
  if (t.startsWith('/')) {
    const resolved = options.resolveChannelPolicy?.(t) ?? defaultChannelPolicy(t);
    if (resolved === undefined) {
      throw new PolicyError('UNKNOWN_CHANNEL_POLICY', `channel policy '${t}' not found`);
    }
    if (typeof resolved !== 'string') return withRef(resolved, t);
    if (resolved.trim().startsWith('/')) {
      throw new PolicyError('UNKNOWN_CHANNEL_POLICY', `channel policy '${t}' resolves to another reference`);
    }
    return withRef(parseEndorsementPolicy(resolved), t);
  }
  const implicit = /^([A-Za-z]+)\s+([^\s()'",]+)$/.exec(t);
  if (implicit?.[1] && implicit[2]) {
    const rule = implicit[1];
    if (!(IMPLICIT_RULES as readonly string[]).includes(rule)) {
      throw new PolicyError('SYNTAX', `unknown rule type '${rule}', expected ALL, ANY, or MAJORITY`, 0);
    }
    return { kind: 'implicitMeta', rule: rule as ImplicitMetaRule, subPolicy: implicit[2] };
  }
  return { kind: 'signature', policy: parseSignaturePolicy(t) };
}

function defaultChannelPolicy(path: string): string | undefined {
  const name = APPLICATION_PATH_RE.exec(path)?.[1];
  return name === undefined ? undefined : DEFAULT_APPLICATION_POLICIES.get(name);
}

/** The policy text: DSL for signature policies, `RULE SubPolicy` for implicit-meta ones. */
export function formatEndorsementPolicy(policy: EndorsementPolicy): string {
  return policy.kind === 'signature'
    ? formatSignaturePolicy(policy.policy)
    : `${policy.rule} ${policy.subPolicy}`;
}

function orPolicy(mspId: string, roles: readonly PrincipalRole[]): SignaturePolicy {
  const principals: Principal[] = roles.map((role) => ({ mspId, role }));
  return { principals, rule: { nOutOf: { n: 1, rules: principals.map((_, i) => ({ signedBy: i })) } } };
}

/**
 * An organisation's own policy `name` as Fabric's sample `configtx.yaml` defines it:
 * `Endorsement` = `OR('<MSP>.peer')`, `Readers` = `OR('<MSP>.admin', '<MSP>.peer', '<MSP>.client')`,
 * `Writers` = `OR('<MSP>.admin', '<MSP>.client')`, `Admins` = `OR('<MSP>.admin')`; `undefined` for
 * other names (Fabric then uses a reject-all policy for that org).
 */
export function defaultOrgPolicy(mspId: string, name: string): SignaturePolicy | undefined {
  switch (name) {
    case 'Endorsement':
      return orPolicy(mspId, ['peer']);
    case 'Readers':
      return orPolicy(mspId, ['admin', 'peer', 'client']);
    case 'Writers':
      return orPolicy(mspId, ['admin', 'client']);
    case 'Admins':
      return orPolicy(mspId, ['admin']);
    default:
      return undefined;
  }
}

/**
 * The channel's application organisations and their sub-policies for an implicit-meta policy:
 * a map `mspId -> policy` (a missing/`undefined` value means {@link defaultOrgPolicy}), or just the
 * list of MSP IDs (all defaults). The keys/entries ARE the set the rule counts over.
 */
export type OrgSubPolicies = ReadonlyMap<string, SignaturePolicy | undefined> | readonly string[];

/** Result of {@link checkEndorsementPolicy}; `message` uses Fabric's wording. */
export type PolicyCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Number of satisfied sub-policies an implicit-meta rule needs among `count` (Fabric's `newImplicitMetaPolicy`). */
export function implicitMetaThreshold(rule: ImplicitMetaRule, count: number): number {
  if (count === 0) return 0; // "In the special case that there are no policies, consider 0 to be a majority or any"
  switch (rule) {
    case 'ANY':
      return 1;
    case 'ALL':
      return count;
    case 'MAJORITY':
      return Math.floor(count / 2) + 1;
  }
}

function isOrgList(o: OrgSubPolicies): o is readonly string[] {
  return Array.isArray(o);
}

function orgEntries(orgSubPolicies: OrgSubPolicies): [string, SignaturePolicy | undefined][] {
  if (isOrgList(orgSubPolicies)) return [...new Set(orgSubPolicies)].map((org) => [org, undefined]);
  return [...orgSubPolicies];
}

/**
 * Evaluates an endorsement policy and explains failures with Fabric's messages
 * (`signature set did not satisfy policy`; `implicit policy evaluation failed - 1 sub-policies were
 * satisfied, but this policy requires 2 of the 'Endorsement' sub-policies to be satisfied`).
 *
 * Implicit-meta semantics (`common/policies/implicitmeta.go`): each org's sub-policy is evaluated
 * independently against the WHOLE signer set (a signer may count for several orgs); ANY needs 1,
 * ALL needs every org, MAJORITY needs `floor(orgs / 2) + 1` (more than half: 2 of 3, 3 of 4);
 * with no orgs at all the policy is satisfied. An org without the sub-policy (no entry and no
 * {@link defaultOrgPolicy}) never counts as satisfied.
 */
export function checkEndorsementPolicy(
  policy: EndorsementPolicy,
  orgSubPolicies: OrgSubPolicies,
  signers: ReadonlyArray<PolicySigner>,
): PolicyCheck {
  if (policy.kind === 'signature') {
    return evaluateSignaturePolicy(policy.policy, signers)
      ? { ok: true }
      : { ok: false, message: 'signature set did not satisfy policy' };
  }
  const entries = orgEntries(orgSubPolicies);
  const threshold = implicitMetaThreshold(policy.rule, entries.length);
  let remaining = threshold;
  if (remaining === 0) return { ok: true };
  for (const [org, sub] of entries) {
    const effective = sub ?? defaultOrgPolicy(org, policy.subPolicy);
    if (effective !== undefined && evaluateSignaturePolicy(effective, signers)) {
      remaining--;
      if (remaining === 0) return { ok: true };
    }
  }
  return {
    ok: false,
    message: `implicit policy evaluation failed - ${threshold - remaining} sub-policies were satisfied, but this policy requires ${threshold} of the '${policy.subPolicy}' sub-policies to be satisfied`,
  };
}

/**
 * Whether `signers` satisfy the endorsement policy; see {@link checkEndorsementPolicy} for the
 * semantics and {@link evaluateSignaturePolicy} for signature policies.
 */
export function evaluateEndorsementPolicy(
  policy: EndorsementPolicy,
  orgSubPolicies: OrgSubPolicies,
  signers: ReadonlyArray<PolicySigner>,
): boolean {
  return checkEndorsementPolicy(policy, orgSubPolicies, signers).ok;
}

/** Options of {@link endorsementPlans}. */
export interface EndorsementPlanOptions {
  /**
   * The channel's application orgs an implicit-meta rule counts over (default: `orgs`). Pass it
   * when some channel orgs have no peer available, so MAJORITY/ALL keep the right denominator.
   */
  readonly channelOrgs?: readonly string[];
  /** Refuse to enumerate more candidate orgs than this (default {@link MAX_PLAN_ORGS}). */
  readonly maxOrgs?: number;
}

/** Default cap on candidate orgs for {@link endorsementPlans} (up to 2^n subsets are evaluated). */
export const MAX_PLAN_ORGS = 16;

/** A synthetic peer of `mspId`: satisfies `'<mspId>.peer'` and `'<mspId>.member'` only. */
function planPeer(mspId: string): PolicySigner {
  return {
    identityKey: `plan-peer\u0000${mspId}`,
    satisfies: (p) => p.mspId === mspId && (p.role === 'peer' || p.role === 'member'),
  };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The minimal sets of organisations whose peers (one `peer` identity per org, which satisfies
 * `'<MSP>.peer'` and `'<MSP>.member'`) satisfy the policy, for the gateway to pick endorsers.
 * Each set is evaluated with the real validator semantics ({@link evaluateSignaturePolicy}, so
 * cauthdsl's greedy behaviour is honoured), and a set is kept only if no smaller kept set is a
 * subset of it. Orgs inside a set are sorted (code-unit order); sets are sorted by size, then
 * lexicographically. `[]` means no combination of `orgs` can satisfy the policy; `[[]]` means the
 * policy needs no endorsement at all.
 *
 * `subPolicies` overrides the per-org sub-policies of implicit-meta policies (missing orgs use
 * {@link defaultOrgPolicy}); signature policies ignore it. Candidates that a signature policy never
 * names are left out of the enumeration.
 *
 * Cost: up to 2^n policy evaluations for n candidates (less when small plans cover everything), so
 * callers should cache plans per (policy, org set).
 *
 * @throws {@link PolicyError} `TOO_MANY_ORGS` when more than `maxOrgs` candidates would be enumerated.
 */
export function endorsementPlans(
  policy: EndorsementPolicy,
  orgs: readonly string[],
  subPolicies?: ReadonlyMap<string, SignaturePolicy>,
  options: EndorsementPlanOptions = {},
): string[][] {
  let candidates = [...new Set(orgs)].sort(compareStrings);
  let orgPolicies: OrgSubPolicies = [];
  if (policy.kind === 'signature') {
    assertValidSignaturePolicy(policy.policy);
    const named = new Set(policy.policy.principals.map((p) => p.mspId));
    candidates = candidates.filter((o) => named.has(o));
  } else {
    const channelOrgs = [...new Set(options.channelOrgs ?? orgs)];
    orgPolicies = new Map(channelOrgs.map((o) => [o, subPolicies?.get(o)] as const));
  }
  const maxOrgs = options.maxOrgs ?? MAX_PLAN_ORGS;
  if (candidates.length > maxOrgs) {
    throw new PolicyError(
      'TOO_MANY_ORGS',
      `endorsement plans over ${candidates.length} organisations exceed the limit of ${maxOrgs}`,
    );
  }
  const peers = candidates.map(planPeer);
  const satisfied = (indices: readonly number[]): boolean =>
    checkEndorsementPolicy(
      policy,
      orgPolicies,
      indices.map((i) => peers[i]).filter((p): p is PolicySigner => p !== undefined),
    ).ok;

  const found: number[][] = [];
  const foundMasks: bigint[] = [];
  const n = candidates.length;
  for (let size = 0; size <= n; size++) {
    const combo = Array.from({ length: size }, (_, i) => i);
    // if every set of this size contains a plan, every larger set does too: stop there
    let allCovered = true;
    for (;;) {
      let mask = 0n;
      for (const i of combo) mask |= 1n << BigInt(i);
      if (!foundMasks.some((m) => (m & mask) === m)) {
        if (satisfied(combo)) {
          found.push([...combo]);
          foundMasks.push(mask);
        } else {
          allCovered = false;
        }
      }
      // next combination in lexicographic order
      let k = size - 1;
      while (k >= 0 && combo[k] === n - size + k) k--;
      if (k < 0) break;
      combo[k] = (combo[k] ?? 0) + 1;
      for (let j = k + 1; j < size; j++) combo[j] = (combo[j - 1] ?? 0) + 1;
    }
    if (allCovered) break;
  }
  return found.map((combo) => combo.map((i) => candidates[i] ?? ''));
}

function implicitRuleToProto(rule: ImplicitMetaRule): common.ImplicitMetaPolicy.RuleMap[ImplicitMetaRule] {
  return common.ImplicitMetaPolicy.Rule[rule];
}

/**
 * The `peer.ApplicationPolicy` bytes of a chaincode definition (`_lifecycle`'s
 * `ValidationParameter`): `signature_policy` = the envelope for signature policies,
 * `channel_config_policy_reference` = the path for policies carrying `channelPolicyRef`. An
 * implicit-meta policy without a reference is mapped to the {@link DEFAULT_APPLICATION_POLICIES}
 * path with that content (`MAJORITY Endorsement` -> `/Channel/Application/Endorsement`).
 *
 * @throws {@link PolicyError} `UNKNOWN_CHANNEL_POLICY` for an implicit-meta policy that is not a
 *   default channel policy (e.g. `ANY Endorsement`): chaincode definitions can only reference
 *   channel policies, so define it in the channel config and set `channelPolicyRef`.
 */
export function toApplicationPolicyBytes(policy: EndorsementPolicy): Uint8Array {
  const ap = new peer.ApplicationPolicy();
  if (policy.channelPolicyRef !== undefined) {
    ap.setChannelConfigPolicyReference(policy.channelPolicyRef);
  } else if (policy.kind === 'signature') {
    ap.setSignaturePolicy(toSignaturePolicyEnvelope(policy.policy));
  } else {
    const text = `${policy.rule} ${policy.subPolicy}`;
    const name = [...DEFAULT_APPLICATION_POLICIES].find(([, def]) => def === text)?.[0];
    if (name === undefined) {
      throw new PolicyError(
        'UNKNOWN_CHANNEL_POLICY',
        `implicit meta policy '${text}' is not a channel policy; define it in the channel's Application group and reference it through channelPolicyRef`,
      );
    }
    ap.setChannelConfigPolicyReference(`/Channel/Application/${name}`);
  }
  return ap.serializeBinary();
}

/**
 * Decodes `peer.ApplicationPolicy` bytes back into an {@link EndorsementPolicy}; references are
 * resolved like {@link parseEndorsementPolicy} does.
 *
 * @throws {@link PolicyError} `MALFORMED_ENVELOPE` for undecodable bytes or neither field set,
 *   plus the errors of the envelope decoder and reference resolution.
 */
export function fromApplicationPolicyBytes(
  bytes: Uint8Array,
  options: ParseEndorsementPolicyOptions = {},
): EndorsementPolicy {
  let ap: peer.ApplicationPolicy;
  try {
    ap = peer.ApplicationPolicy.deserializeBinary(bytes);
  } catch (err) {
    throw new PolicyError(
      'MALFORMED_ENVELOPE',
      `cannot decode ApplicationPolicy${err instanceof Error ? `: ${err.message}` : ''}`,
    );
  }
  const sp = ap.getSignaturePolicy();
  if (ap.hasSignaturePolicy() && sp !== undefined) {
    return { kind: 'signature', policy: fromSignaturePolicyEnvelope(sp) };
  }
  if (ap.hasChannelConfigPolicyReference()) {
    const ref = ap.getChannelConfigPolicyReference();
    if (!ref.startsWith('/')) {
      throw new PolicyError(
        'UNKNOWN_CHANNEL_POLICY',
        `channel policy reference '${ref}' is not an absolute path`,
      );
    }
    return parseEndorsementPolicy(ref, options);
  }
  throw new PolicyError(
    'MALFORMED_ENVELOPE',
    'ApplicationPolicy has neither signature_policy nor channel_config_policy_reference',
  );
}

/**
 * The `common.Policy` a channel config carries for this policy: type SIGNATURE with the
 * `SignaturePolicyEnvelope` bytes, or type IMPLICIT_META with `ImplicitMetaPolicy{sub_policy, rule}`
 * bytes (the `channelPolicyRef` is not part of it).
 */
export function toChannelConfigPolicy(policy: EndorsementPolicy): common.Policy {
  const p = new common.Policy();
  if (policy.kind === 'signature') {
    p.setType(common.Policy.PolicyType.SIGNATURE);
    p.setValue(toSignaturePolicyEnvelope(policy.policy).serializeBinary());
  } else {
    const imp = new common.ImplicitMetaPolicy();
    imp.setSubPolicy(policy.subPolicy);
    imp.setRule(implicitRuleToProto(policy.rule));
    p.setType(common.Policy.PolicyType.IMPLICIT_META);
    p.setValue(imp.serializeBinary());
  }
  return p;
}

/**
 * Decodes a channel-config `common.Policy` (message or bytes) of type SIGNATURE or IMPLICIT_META.
 *
 * @throws {@link PolicyError} `MALFORMED_ENVELOPE` or `UNSUPPORTED` (e.g. type MSP).
 */
export function fromChannelConfigPolicy(policy: common.Policy | Uint8Array): EndorsementPolicy {
  let p: common.Policy;
  try {
    p = policy instanceof Uint8Array ? common.Policy.deserializeBinary(policy) : policy;
  } catch (err) {
    throw new PolicyError(
      'MALFORMED_ENVELOPE',
      `cannot decode Policy${err instanceof Error ? `: ${err.message}` : ''}`,
    );
  }
  switch (p.getType()) {
    case common.Policy.PolicyType.SIGNATURE:
      return { kind: 'signature', policy: fromSignaturePolicyEnvelope(p.getValue_asU8()) };
    case common.Policy.PolicyType.IMPLICIT_META: {
      let imp: common.ImplicitMetaPolicy;
      try {
        imp = common.ImplicitMetaPolicy.deserializeBinary(p.getValue_asU8());
      } catch (err) {
        throw new PolicyError(
          'MALFORMED_ENVELOPE',
          `cannot decode ImplicitMetaPolicy${err instanceof Error ? `: ${err.message}` : ''}`,
        );
      }
      const rule = IMPLICIT_RULES.find((r) => common.ImplicitMetaPolicy.Rule[r] === imp.getRule());
      if (rule === undefined)
        throw new PolicyError('MALFORMED_ENVELOPE', `unknown implicit meta rule ${imp.getRule()}`);
      return { kind: 'implicitMeta', rule, subPolicy: imp.getSubPolicy() };
    }
    default:
      throw new PolicyError('UNSUPPORTED', `policy type ${p.getType()} is not supported`);
  }
}
