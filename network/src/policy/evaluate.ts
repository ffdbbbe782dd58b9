import {
  assertValidSignaturePolicy,
  isSignedBy,
  type Principal,
  type Rule,
  type SignaturePolicy,
} from './dsl.js';

/**
 * A verified signer presented to a policy: an endorser (or any signature-set member) whose
 * signature has already been checked. The MSP module supplies `satisfies`
 * (`satisfiesPrincipal(identity, principal)`).
 */
export interface PolicySigner {
  /**
   * Identity used for de-duplication. Fabric keys on `mspid + id` of the deserialized identity
   * (`SignatureSetToValidIdentities`); the serialized identity bytes (hex/base64) or
   * `mspId + Identity.id` both work.
   */
  readonly identityKey: string;
  /**
   * Whether this identity satisfies the principal (`msp.Identity.SatisfiesPrincipal`). A throwing
   * implementation counts as "does not satisfy", as a `SatisfiesPrincipal` error does in Fabric.
   */
  satisfies(principal: Principal): boolean;
}

/**
 * Evaluates a signature policy against a set of signers with Fabric's exact `cauthdsl` semantics
 * (`common/cauthdsl/cauthdsl.go` `compile`, `common/policies` `SignatureSetToValidIdentities`):
 *
 * 1. Signers are de-duplicated by `identityKey`, keeping the first occurrence (Fabric de-duplicates
 *    before evaluating, so an identity that signed twice counts once). Callers must pass only
 *    signers whose signatures verified: Fabric drops invalid signatures before de-duplication, so
 *    the first *valid* occurrence is the one kept.
 * 2. Evaluation carries a `used` flag per signer. A `signedBy(i)` leaf scans the signers in order
 *    and takes the FIRST unused one satisfying principal `i`, marking it used; it fails if none is
 *    left. So one signer satisfies at most one leaf per evaluation path, and two leaves naming the
 *    same principal need two distinct signers.
 * 3. An `nOutOf(n, rules)` gate evaluates EVERY sub-rule in order (no short-circuit once `n` is
 *    reached). Each sub-rule runs on a copy of the current `used` flags; if it succeeds, its copy
 *    (with the signers it consumed) becomes the current flags, if it fails its consumption is
 *    discarded. The gate succeeds when at least `n` sub-rules succeeded; on success the parent
 *    keeps all signers consumed by the gate's successful children.
 *
 * This is greedy and backtracking-free, and Fabric really behaves so (replicated on purpose):
 * - extra successful branches consume signers: with endorsements from A and B,
 *   `AND(OR('A.peer','B.peer'), 'B.peer')` FAILS, because the OR evaluates both of its leaves and
 *   consumes both signers, leaving none for the second AND branch (a matching exists, but
 *   cauthdsl does not search for it);
 * - signer order matters when one identity satisfies several principals: with signers
 *   [peer (role peer, also member), client] of one org, `AND('A.member','A.peer')` FAILS (the
 *   member leaf takes the peer first), while [client, peer] passes.
 *
 * @throws {@link PolicyError} `INVALID_POLICY` if the policy is structurally invalid (checked once
 *   per policy object).
 */
export function evaluateSignaturePolicy(
  policy: SignaturePolicy,
  signers: ReadonlyArray<PolicySigner>,
): boolean {
  assertValidSignaturePolicy(policy);
  const unique = dedupeSigners(signers);
  // satisfaction cache: principal index -> per-signer tri-state (undefined = not asked yet)
  const cache = new Map<number, (boolean | undefined)[]>();
  const satisfies = (principalIndex: number, signerIndex: number): boolean => {
    let row = cache.get(principalIndex);
    if (row === undefined) {
      row = new Array<boolean | undefined>(unique.length);
      cache.set(principalIndex, row);
    }
    const known = row[signerIndex];
    if (known !== undefined) return known;
    const principal = policy.principals[principalIndex];
    const signer = unique[signerIndex];
    let ok = false;
    if (principal !== undefined && signer !== undefined) {
      try {
        ok = signer.satisfies(principal);
      } catch {
        ok = false;
      }
    }
    row[signerIndex] = ok;
    return ok;
  };

  const evaluate = (rule: Rule, used: boolean[]): boolean => {
    if (isSignedBy(rule)) {
      for (let i = 0; i < used.length; i++) {
        if (used[i] === true) continue;
        if (satisfies(rule.signedBy, i)) {
          used[i] = true;
          return true;
        }
      }
      return false;
    }
    let verified = 0;
    const scratch = new Array<boolean>(used.length);
    for (const sub of rule.nOutOf.rules) {
      for (let i = 0; i < used.length; i++) scratch[i] = used[i] === true;
      if (evaluate(sub, scratch)) {
        verified++;
        for (let i = 0; i < used.length; i++) used[i] = scratch[i] === true;
      }
    }
    return verified >= rule.nOutOf.n;
  };

  return evaluate(policy.rule, new Array<boolean>(unique.length).fill(false));
}

/** Signers de-duplicated by `identityKey`, first occurrence kept, order preserved. */
export function dedupeSigners<T extends PolicySigner>(signers: ReadonlyArray<T>): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const s of signers) {
    if (seen.has(s.identityKey)) continue;
    seen.add(s.identityKey);
    out.push(s);
  }
  return out;
}
