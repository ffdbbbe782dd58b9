/**
 * Fabric policies for the emulator: signature-policy DSL and envelopes, cauthdsl evaluation,
 * endorsement policies (signature or implicit meta) with endorsement plans, and key-level
 * (state-based) endorsement.
 *
 * @packageDocumentation
 */
export { PolicyError, type PolicyErrorCode } from './errors.js';
export {
  MAX_POLICY_DEPTH,
  MAX_POLICY_NODES,
  PRINCIPAL_ROLES,
  assertValidSignaturePolicy,
  formatPrincipal,
  formatSignaturePolicy,
  fromSignaturePolicyEnvelope,
  isSignedBy,
  parseSignaturePolicy,
  policyMspIds,
  principalToProto,
  toSignaturePolicyEnvelope,
  type ParseSignaturePolicyOptions,
  type Principal,
  type PrincipalRole,
  type Rule,
  type SignaturePolicy,
} from './dsl.js';
export { dedupeSigners, evaluateSignaturePolicy, type PolicySigner } from './evaluate.js';
export {
  DEFAULT_APPLICATION_POLICIES,
  DEFAULT_ENDORSEMENT_POLICY_REF,
  MAX_PLAN_ORGS,
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
  type EndorsementPlanOptions,
  type EndorsementPolicy,
  type ImplicitMetaRule,
  type OrgSubPolicies,
  type ParseEndorsementPolicyOptions,
  type PolicyCheck,
} from './endorsement.js';
export {
  BlockMetadataUpdates,
  VALIDATION_PARAMETER,
  keyEndorsementPolicyBytes,
  keyLevelPolicy,
  validateKeyLevelEndorsement,
  type KeyLevelValidationInput,
} from './statebased.js';
