/** Typed errors of the chaincode module. */

/**
 * Why the simulator refused an operation (messages are Fabric 2.5's `txSimulator` wording):
 * - `DONE`: the simulator was used after {@link TxSimulator.done};
 * - `PAGINATED_AFTER_WRITE`: a paginated query after a write ("Paginated queries are supported only
 *   in a read-only transaction");
 * - `WRITE_AFTER_PAGINATED`: a write after a paginated query ("Writes are not allowed").
 */
export type SimulationErrorCode = 'DONE' | 'PAGINATED_AFTER_WRITE' | 'WRITE_AFTER_PAGINATED';

/** An operation the transaction simulator refuses; the message is what a Fabric peer says. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';

  constructor(
    readonly code: SimulationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A ledger request of the chaincode that the peer answers with ERROR. The message is the reason
 * only; the handler prefixes `<TYPE> failed: transaction ID: <txid>: ` as Fabric's does.
 */
export class ChaincodeRequestError extends Error {
  override readonly name = 'ChaincodeRequestError';
}

/**
 * Why a transaction execution failed:
 * - `TIMEOUT`: no COMPLETED within the execute timeout (`timeout expired while executing transaction`);
 * - `TERMINATED`: the chaincode process died or its stream broke while the transaction ran
 *   (`chaincode <name> terminated: <reason>`);
 * - `FAILED`: the chaincode answered ERROR instead of COMPLETED (`transaction returned with failure: <text>`);
 * - `MALFORMED_RESPONSE`: COMPLETED carried an undecodable `Response`;
 * - `DUPLICATE_TXID`: a transaction with that channel and ID is already executing (`txid: <id>(<channel>) exists`);
 * - `UNAVAILABLE`: the chaincode was not (re)started and registered in time;
 * - `STOPPED`: the runtime was stopped (before or during the execution).
 *
 * A Fabric peer wraps these as `failed to execute transaction <txid>: ...`; that wrapping belongs
 * to the endorser.
 */
export type ChaincodeExecutionErrorCode =
  'TIMEOUT' | 'TERMINATED' | 'FAILED' | 'MALFORMED_RESPONSE' | 'DUPLICATE_TXID' | 'UNAVAILABLE' | 'STOPPED';

/** A transaction that could not be executed to a chaincode response. */
export class ChaincodeExecutionError extends Error {
  override readonly name = 'ChaincodeExecutionError';

  constructor(
    readonly code: ChaincodeExecutionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Why a chaincode process could not be brought to the ready state:
 * - `SPAWN`: the process could not be spawned;
 * - `EXITED`: it exited before registering;
 * - `TIMEOUT`: it did not listen or register within the startup timeout;
 * - `HANDSHAKE`: it spoke out of protocol (no REGISTER, wrong chaincode ID, broken stream);
 * - `STOPPED`: the runtime was stopped while starting.
 */
export type ChaincodeStartErrorCode = 'SPAWN' | 'EXITED' | 'TIMEOUT' | 'HANDSHAKE' | 'STOPPED';

/** A chaincode process that failed to start, listen or register. */
export class ChaincodeStartError extends Error {
  override readonly name = 'ChaincodeStartError';

  constructor(
    readonly code: ChaincodeStartErrorCode,
    message: string,
  ) {
    super(message);
  }
}
