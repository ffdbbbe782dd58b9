/**
 * Key-level (state-based) endorsement, as Fabric 2.x validates it
 * (`core/common/validation/statebased/validator_keylevel.go`, `v20.go`, `vpmanagerimpl.go`).
 *
 * A chaincode sets a key's policy with `stub.setStateValidationParameter(key, bytes)`, which records a
 * `KVMetadataWrite{key, entries: [{name: 'VALIDATION_PARAMETER', value: bytes}]}` in the rwset; the
 * bytes are a `common.SignaturePolicyEnvelope` (fabric-shim's `KeyEndorsementPolicy.getPolicy()`:
 * version 0, one ROLE principal per org (MEMBER or PEER), rule `NOutOf(#orgs, [SignedBy(0..)])`).
 *
 * The exact validation rule, per transaction and per namespace `ns` it writes (the invoked
 * chaincode's namespace is always validated, even without writes), using that namespace's chaincode
 * endorsement policy (CCEP) and the transaction's endorsements as signer set:
 *
 * 1. For every public write key of `ns` (in rwset order, deletes included), then every metadata-write
 *    key of `ns`:
 *    a. If an EARLIER transaction of the SAME block wrote metadata (any `KVMetadataWrite`, setting or
 *       clearing) for that `(ns, key)` and that transaction PASSED endorsement-policy validation for
 *       `ns` — regardless of whether it is later invalidated by MVCC or as an in-block duplicate
 *       txid — this transaction is invalid: ENDORSEMENT_POLICY_FAILURE (`validation parameters for
 *       key [k] in namespace [ns:] have been changed in transaction T of block B`). The policy set
 *       earlier in the block is NOT applied; the key simply cannot be written again in that block.
 *    b. Otherwise read the key's `VALIDATION_PARAMETER` from COMMITTED state (as of the end of the
 *       previous block; writes of the current block are not visible). If present and non-empty,
 *       the key policy must be satisfied INSTEAD of the CCEP for this key; failure is
 *       ENDORSEMENT_POLICY_FAILURE (`validation of key k (coll'':ns'ns') in tx B:T failed: ...`).
 *    c. If absent or empty, the CCEP must be satisfied (evaluated at most once per transaction).
 * 2. If no policy at all was evaluated in step 1 (no writes, e.g. a read-only transaction), the CCEP
 *    must be satisfied.
 *
 * Consequently: when every written key has a key-level policy, the CCEP is not evaluated at all; a
 * transaction writing one key with and one without a key-level policy must satisfy both; writing a
 * key's metadata (including replacing or removing its policy) requires the key's CURRENT policy.
 * Policy evaluation is ordinary signature-policy evaluation over the de-duplicated, verified
 * endorsers (`evaluateSignaturePolicy`). Transactions rejected before endorsement validation (bad
 * signature, txid already in the ledger...) never count as earlier metadata writers. Private-data
 * collections are not modelled here.
 *
 * @packageDocumentation
 */
import {
  fromSignaturePolicyEnvelope,
  toSignaturePolicyEnvelope,
  type Principal,
  type SignaturePolicy,
} from './dsl.js';
import type { PolicyCheck } from './endorsement.js';
import { PolicyError } from './errors.js';
import { evaluateSignaturePolicy, type PolicySigner } from './evaluate.js';

/**
 * Name of the state-metadata entry holding a key-level endorsement policy
 * (`peer.MetaDataKeys.VALIDATION_PARAMETER`; fabric-shim's stub uses this string).
 */
export const VALIDATION_PARAMETER = 'VALIDATION_PARAMETER';

/**
 * Decodes a key's `VALIDATION_PARAMETER` metadata value (a `common.SignaturePolicyEnvelope`, as
 * written by fabric-shim's `KeyEndorsementPolicy`). `undefined` or empty bytes mean "no key-level
 * policy" (Fabric: `len(vp) == 0`), returned as `undefined`.
 *
 * @throws {@link PolicyError} when the bytes are not a supported envelope; the validator must turn
 *   that into ENDORSEMENT_POLICY_FAILURE for the transaction writing the key.
 */
export function keyLevelPolicy(bytes: Uint8Array | undefined): SignaturePolicy | undefined {
  if (bytes === undefined || bytes.length === 0) return undefined;
  return fromSignaturePolicyEnvelope(bytes);
}

/**
 * The envelope bytes fabric-shim's `KeyEndorsementPolicy` produces after `addOrgs(role, ...mspIds)`:
 * principals in first-insertion order (a repeated org keeps its first position), rule
 * `NOutOf(#orgs, [SignedBy(0), ...])` (every org must endorse; no orgs = always satisfied).
 */
export function keyEndorsementPolicyBytes(
  mspIds: readonly string[],
  role: 'member' | 'peer' = 'peer',
): Uint8Array {
  const principals: Principal[] = [...new Set(mspIds)].map((mspId) => ({ mspId, role }));
  const policy: SignaturePolicy = {
    principals,
    rule: { nOutOf: { n: principals.length, rules: principals.map((_, i) => ({ signedBy: i })) } },
  };
  return toSignaturePolicyEnvelope(policy).serializeBinary();
}

/** Input of {@link validateKeyLevelEndorsement}: one transaction, one written namespace. */
export interface KeyLevelValidationInput {
  /** The namespace (chaincode) being validated. */
  readonly namespace: string;
  /** Block number, for messages. */
  readonly blockNumber: number | bigint;
  /** Transaction index within the block, for messages. */
  readonly txNumber: number;
  /** Keys of `KVRWSet.writes` of this namespace, in rwset order (deletes included). */
  readonly writeKeys: readonly string[];
  /** Keys of `KVRWSet.metadata_writes` of this namespace, in rwset order. */
  readonly metadataWriteKeys: readonly string[];
  /** The key's `VALIDATION_PARAMETER` in committed state (before this block), if any. */
  readonly committedValidationParameter: (key: string) => Uint8Array | undefined;
  /**
   * Whether an earlier transaction of this block that passed endorsement validation for this
   * namespace wrote metadata of `key` (see {@link BlockMetadataUpdates}).
   */
  readonly metadataUpdatedEarlierInBlock: (key: string) => boolean;
  /** Evaluates the chaincode endorsement policy against the endorsers; called at most once. */
  readonly checkChaincodePolicy: () => PolicyCheck;
  /** The verified endorsers of the transaction. */
  readonly signers: ReadonlyArray<PolicySigner>;
}

/**
 * Applies Fabric's key-level endorsement rule (see the module documentation) to one transaction and
 * namespace. `{ ok: false }` means ENDORSEMENT_POLICY_FAILURE, with Fabric's message.
 */
export function validateKeyLevelEndorsement(input: KeyLevelValidationInput): PolicyCheck {
  const { namespace: ns, blockNumber: b, txNumber: t } = input;
  let chaincodePolicyChecked = false;
  let somePolicyChecked = false;
  const checkCc = (): PolicyCheck => {
    if (chaincodePolicyChecked) return { ok: true };
    const r = input.checkChaincodePolicy();
    if (!r.ok) {
      return {
        ok: false,
        message: `validation of endorsement policy for chaincode ${ns} in tx ${b}:${t} failed: ${r.message}`,
      };
    }
    chaincodePolicyChecked = true;
    somePolicyChecked = true;
    return r;
  };
  for (const key of [...input.writeKeys, ...input.metadataWriteKeys]) {
    if (input.metadataUpdatedEarlierInBlock(key)) {
      return {
        ok: false,
        message: `validation parameters for key [${key}] in namespace [${ns}:] have been changed in transaction ${t} of block ${b}`,
      };
    }
    let policy: SignaturePolicy | undefined;
    try {
      policy = keyLevelPolicy(input.committedValidationParameter(key));
    } catch (err) {
      const reason = err instanceof PolicyError ? err.message : String(err);
      return {
        ok: false,
        message: `validation of key ${key} (coll'':ns'${ns}') in tx ${b}:${t} failed: ${reason}`,
      };
    }
    if (policy === undefined) {
      const r = checkCc();
      if (!r.ok) return r;
      continue;
    }
    if (!evaluateSignaturePolicy(policy, input.signers)) {
      return {
        ok: false,
        message: `validation of key ${key} (coll'':ns'${ns}') in tx ${b}:${t} failed: signature set did not satisfy policy`,
      };
    }
    somePolicyChecked = true;
  }
  if (!somePolicyChecked) return checkCc();
  return { ok: true };
}

/**
 * Per-block record of metadata writes by transactions that passed endorsement validation, for
 * step 1a of the rule. Create one per block; after a transaction passes endorsement validation for
 * a namespace (before MVCC), call {@link BlockMetadataUpdates.record} with that namespace's
 * metadata-write keys; query {@link BlockMetadataUpdates.updated} when validating later transactions.
 */
export class BlockMetadataUpdates {
  private readonly keys = new Set<string>();

  /** Records that a transaction which passed endorsement validation for `namespace` wrote metadata of these keys. */
  record(namespace: string, metadataWriteKeys: Iterable<string>): void {
    for (const key of metadataWriteKeys) this.keys.add(`${namespace}\u0000${key}`);
  }

  /** Whether an earlier recorded transaction wrote metadata of `(namespace, key)`. */
  updated(namespace: string, key: string): boolean {
    return this.keys.has(`${namespace}\u0000${key}`);
  }
}
