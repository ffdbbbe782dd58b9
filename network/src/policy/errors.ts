/**
 * Why a policy operation failed:
 * - `SYNTAX`: the policy text is not well-formed (see {@link PolicyError.position});
 * - `INVALID_PRINCIPAL`: a quoted principal is not `'MSPID.role'` with a known role;
 * - `INVALID_THRESHOLD`: an `OutOf` threshold is not an integer in `0..n+1`;
 * - `TOO_COMPLEX`: the policy exceeds the node or nesting limits;
 * - `INVALID_POLICY`: a policy object is structurally invalid (index out of range, bad role...);
 * - `MALFORMED_ENVELOPE`: protobuf bytes could not be decoded into a supported policy;
 * - `UNSUPPORTED`: a valid Fabric construct this emulator does not model (non-ROLE principals...);
 * - `UNKNOWN_CHANNEL_POLICY`: a channel-config policy reference that cannot be resolved;
 * - `TOO_MANY_ORGS`: endorsement-plan enumeration was asked for too many organisations.
 */
export type PolicyErrorCode =
  | 'SYNTAX'
  | 'INVALID_PRINCIPAL'
  | 'INVALID_THRESHOLD'
  | 'TOO_COMPLEX'
  | 'INVALID_POLICY'
  | 'MALFORMED_ENVELOPE'
  | 'UNSUPPORTED'
  | 'UNKNOWN_CHANNEL_POLICY'
  | 'TOO_MANY_ORGS';

/** Error raised by the policy module. `position` is the 0-based character offset of syntax errors. */
export class PolicyError extends Error {
  /** Machine-readable reason. */
  readonly code: PolicyErrorCode;
  /** 0-based offset into the policy text, for errors found while parsing text. */
  readonly position: number | undefined;

  constructor(code: PolicyErrorCode, message: string, position?: number) {
    super(message);
    this.name = 'PolicyError';
    this.code = code;
    this.position = position;
  }
}
