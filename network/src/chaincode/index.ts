/**
 * The chaincode module: chaincode-as-a-service processes, the peer side of the fabric-shim
 * protocol, and transaction simulation into Fabric read-write sets.
 */
export { ChaincodeRuntime } from './runtime.js';
export type {
  ChaincodeLogLevel,
  ChaincodeRuntimeOptions,
  ChaincodeRuntimeState,
  ExecuteRequest,
} from './runtime.js';
export type { ChaincodeResponse, ExecuteResult } from './execution-result.js';
export type { ChaincodeLogSink } from './process.js';
export { TxSimulator } from './simulator.js';
export type { ChaincodeTls } from './tls.js';
export type { TxSimulatorOptions } from './simulator.js';
export type { HistoryEntry, ScanEntry, StateReader, Version, VersionedValue } from './ports.js';
export { decodeTxReadWriteSet, RWSetBuilder } from './rwset.js';
export type {
  DecodedMetadataWrite,
  DecodedNamespaceRwSet,
  DecodedRangeQuery,
  DecodedRead,
  DecodedWrite,
} from './rwset.js';
export { RangeQueryResultsHelper, DEFAULT_MAX_DEGREE } from './range-query-helper.js';
export { compareKeys } from './keys.js';
export {
  ChaincodeExecutionError,
  ChaincodeRequestError,
  ChaincodeStartError,
  SimulationError,
} from './errors.js';
export type { ChaincodeExecutionErrorCode, ChaincodeStartErrorCode, SimulationErrorCode } from './errors.js';
