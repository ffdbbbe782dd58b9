/** Port of Fabric's `processChaincodeExecutionResult` (core/chaincode/chaincode_support.go). */
import { peer } from '@hyperledger/fabric-protos';
import { ChaincodeExecutionError } from './errors.js';
import { messageTypeName, MsgType } from './messages.js';
import type { TxSimulator } from './simulator.js';

/** The chaincode's `peer.Response`. */
export interface ChaincodeResponse {
  readonly status: number;
  readonly message: string;
  readonly payload: Uint8Array;
}

/** The outcome of one executed transaction. */
export interface ExecuteResult {
  /** The chaincode's response; status >= 400 means the chaincode failed (e.g. 500 when it threw). */
  readonly response: ChaincodeResponse;
  /** The chaincode event it set, with `chaincode_id` and `tx_id` filled in as Fabric does. */
  readonly event?: peer.ChaincodeEvent;
  /** Serialized `rwset.TxReadWriteSet` of the simulation. */
  readonly results: Uint8Array;
}

/**
 * Turns the chaincode's final message into an {@link ExecuteResult}, completing the simulation.
 * @throws {ChaincodeExecutionError} `FAILED` for ERROR, `MALFORMED_RESPONSE` for an undecodable
 *   COMPLETED or an unexpected message type.
 */
export async function processExecutionResult(
  msg: peer.ChaincodeMessage,
  chaincodeName: string,
  simulator: TxSimulator,
): Promise<ExecuteResult> {
  const txId = msg.getTxid();
  if (msg.getType() === MsgType.ERROR) {
    const text = Buffer.from(msg.getPayload_asU8()).toString('utf8');
    throw new ChaincodeExecutionError('FAILED', `transaction returned with failure: ${text}`);
  }
  if (msg.getType() !== MsgType.COMPLETED) {
    throw new ChaincodeExecutionError(
      'MALFORMED_RESPONSE',
      `unexpected response type ${messageTypeName(msg.getType())} for transaction ${txId}`,
    );
  }
  let res: peer.Response;
  try {
    res = peer.Response.deserializeBinary(msg.getPayload_asU8());
  } catch (err) {
    throw new ChaincodeExecutionError(
      'MALFORMED_RESPONSE',
      `failed to unmarshal response for transaction ${txId}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const event = msg.getChaincodeEvent();
  if (event) {
    event.setChaincodeId(chaincodeName);
    event.setTxId(txId);
  }
  const results = await simulator.done();
  return {
    response: { status: res.getStatus(), message: res.getMessage(), payload: res.getPayload_asU8() },
    ...(event ? { event } : {}),
    results,
  };
}
