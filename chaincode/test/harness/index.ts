/** In-memory Fabric 2.5 test harness for fabric-contract-api contracts. */
export { ContractHarness, type CallOptions, type HarnessOptions, type TxResult } from './contract-harness.js';
export { parseDerSignature, signLowS, verifyLowS } from './ecdsa.js';
export { FakeHandler, type RangeQueryResult, type SimulatorOptions } from './fake-handler.js';
export { FABRIC_ATTRS_OID, TestCA, type IssueOptions, type NodeOU, type TestIdentity } from './identities.js';
export {
  InMemoryLedger,
  compareKeys,
  type HistoryEntry,
  type LedgerEvent,
  type StateEntry,
  type TxTimestamp,
  type Version,
  type WriteSet,
} from './ledger.js';
export {
  buildSignedProposal,
  computeTxId,
  protoTimestamp,
  serializeIdentity,
  type BuiltProposal,
  type ProposalOptions,
} from './proposal.js';
