/**
 * The peer ledger: per-peer LevelDB block store, txid index, versioned state, history; atomic commit.
 * @packageDocumentation
 */
export { PeerLedger, StateSnapshot } from './peer-ledger.js';
export { LedgerError, type LedgerErrorCode } from './errors.js';
export { blockHeaderBytes, blockHeaderHash, dataHash } from './blockhash.js';
export { TX_VALID } from './commit-plan.js';
export type {
  BlockTx,
  BlockchainInfo,
  HistoryEntry,
  IntegrityReport,
  KvWrite,
  MetadataWrite,
  NamespacedStateEntry,
  StateEntry,
  StateMetadata,
  StoredTransaction,
  Timestamp,
  TxStatus,
  Version,
  VersionedValue,
} from './types.js';
