/*
 * Translation of @hyperledger/fabric-gateway failures into LedgerErrors, at the adapter boundary.
 * Contract refusals travel as `CODE: message` inside the gateway error's message or its per-peer
 * details ("chaincode response 500, CODE: message"); the first known contract code found wins.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { ErrorCodes } from '../../../chaincode/src/errors.js';
import { LedgerError, type ContractErrorCode } from '../ports/ledger-error.js';

const CONTRACT_CODE = /\b([A-Z][A-Z0-9_]{2,}): /g;
const UNREACHABLE: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.CANCELLED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);
/** The status of an endorsement that failed. */
const ENDORSE_ABORTED: ReadonlySet<number> = new Set([GrpcStatus.ABORTED]);
/** Validation codes that a later attempt of the same transaction may not meet. */
export const CONFLICT_CODES: ReadonlySet<number> = new Set([11, 12]); // MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT

const STATUS_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(StatusCode).map(([name, value]) => [value as number, name]),
);

/** Fabric's name of a transaction validation code, e.g. `MVCC_READ_CONFLICT`. */
export function validationCodeName(code: number): string {
  return STATUS_NAMES.get(code) ?? String(code);
}

function isContractCode(code: string): code is ContractErrorCode {
  return Object.hasOwn(ErrorCodes, code);
}

function texts(err: GatewayError): string[] {
  return [err.message, ...err.details.map((d) => d.message)];
}

/** The first contract refusal named in `err`, as `[code, "CODE: message"]`. */
export function contractRefusal(err: GatewayError): [ContractErrorCode, string] | undefined {
  for (const t of texts(err)) {
    for (const match of t.matchAll(CONTRACT_CODE)) {
      const code = match[1] ?? '';
      if (!isContractCode(code)) continue;
      const rest = t.slice(match.index + match[0].length);
      return [code, `${code}: ${(/^[^;\n]*/.exec(rest)?.[0] ?? '').trim()}`];
    }
  }
  return undefined;
}

/**
 * The {@link LedgerError} for a failure of `transaction`. Errors that do not come from the Fabric
 * client are returned unchanged: they are bugs, not ledger answers.
 */
export function toLedgerError(err: unknown, transaction: string): unknown {
  if (err instanceof LedgerError) return err;
  if (err instanceof CommitError) {
    const name = validationCodeName(err.code);
    const code = CONFLICT_CODES.has(err.code) ? 'LEDGER_CONFLICT' : 'LEDGER_REJECTED';
    return new LedgerError(code, `${transaction} was committed invalid (${name})`, {
      cause: err,
      transaction,
      txId: err.transactionId,
    });
  }
  if (err instanceof CommitStatusError) {
    return new LedgerError('LEDGER_UNAVAILABLE', `the commit status of ${transaction} could not be read`, {
      cause: err,
      transaction,
      txId: err.transactionId,
    });
  }
  if (err instanceof GatewayError) {
    const refusal = contractRefusal(err);
    const txId = (err as { transactionId?: unknown }).transactionId;
    const ids = { cause: err, transaction, ...(typeof txId === 'string' ? { txId } : {}) };
    // The first endorser agreed and another did not: peers a block apart simulated different states
    // (a fresh write seen by some only). Asking again once every peer has the block will agree.
    if (
      ENDORSE_ABORTED.has(err.code) &&
      /failed to collect enough transaction endorsements/.test(err.message)
    )
      return new LedgerError(
        'LEDGER_CONFLICT',
        `the endorsers of ${transaction} disagreed (a peer may be a block behind)`,
        ids,
      );
    if (refusal) return new LedgerError(refusal[0], refusal[1], ids);
    if (UNREACHABLE.has(err.code))
      return new LedgerError('LEDGER_UNAVAILABLE', `the ledger did not answer ${transaction}`, ids);
    return new LedgerError('LEDGER_REJECTED', `the ledger refused ${transaction}: ${err.message}`, ids);
  }
  return err;
}
