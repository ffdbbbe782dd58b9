/**
 * Failure causes of a round, named as an operator would look them up: the transaction's validation
 * code when it was committed invalid (MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE, …), the
 * chaincode's error code when endorsement was refused, TIMEOUT for expired deadlines, else the
 * stage that failed.
 */

/** Where in a transaction's life the failure happened. */
export type Stage = 'endorse' | 'submit' | 'commitStatus' | 'evaluate' | 'commit';

/** What the client saw of a failure. */
export interface FailureInfo {
  readonly stage: Stage;
  /** gRPC status code, for errors from an RPC. */
  readonly grpcCode?: number | undefined;
  /** Everything the error said (message and the peers' error details). */
  readonly text: string;
  /** For `commit`: the validation code's name. */
  readonly validationCode?: string | undefined;
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
const GRPC_RESOURCE_EXHAUSTED = 8;

const GRPC_PREFIX = /\b\d+ [A-Z_]+: /g;

/** The chaincode error codes documented in chaincode/README.md look like `REPORT_EXISTS: …`. */
const CHAINCODE_CODE = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):/;

/** The cause name of a failure. */
export function failureCause(info: FailureInfo): string {
  if (info.stage === 'commit') return info.validationCode ?? 'INVALID_TRANSACTION';
  if (info.grpcCode === GRPC_DEADLINE_EXCEEDED || /deadline exceeded/i.test(info.text)) return 'TIMEOUT';
  if (info.grpcCode === GRPC_UNAVAILABLE) return 'UNAVAILABLE';
  if (info.grpcCode === GRPC_RESOURCE_EXHAUSTED) return 'RESOURCE_EXHAUSTED';
  if (info.stage === 'endorse' || info.stage === 'evaluate') {
    if (/ProposalResponsePayloads do not match|do not match/i.test(info.text)) return 'ENDORSEMENT_MISMATCH';
    // gRPC's own status prefix (`10 ABORTED: `, `3 INVALID_ARGUMENT: `) is not a chaincode code.
    const code = CHAINCODE_CODE.exec(info.text.replace(GRPC_PREFIX, ''));
    if (code?.[1] !== undefined) return `CHAINCODE:${code[1]}`;
    return info.stage === 'endorse' ? 'ENDORSE_ERROR' : 'EVALUATE_ERROR';
  }
  return info.stage === 'submit' ? 'SUBMIT_ERROR' : 'COMMIT_STATUS_ERROR';
}
