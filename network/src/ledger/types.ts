import type { Version, VersionedValue } from '../chaincode/ports.js';

/** Versions and versioned values are those of the state-reader port the ledger implements. */
export type { Version, VersionedValue };

/** One state entry of a namespace, as returned by range scans. */
export interface StateEntry extends VersionedValue {
  readonly key: string;
}

/** One state entry with its namespace, as returned by full state iteration. */
export interface NamespacedStateEntry extends StateEntry {
  readonly ns: string;
}

/** Key-level metadata (e.g. `VALIDATION_PARAMETER` for state-based endorsement), by metadata name. */
export type StateMetadata = Record<string, Uint8Array>;

/** A protobuf-style timestamp. */
export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}

/** Where a transaction id was first seen, with the validation code it got there. */
export interface TxStatus {
  readonly blockNumber: number;
  readonly txNumber: number;
  /** `peer.TxValidationCode` of that occurrence. */
  readonly code: number;
}

/** A stored transaction (Fabric's `GetTransactionByID` / `ProcessedTransaction`). */
export interface StoredTransaction extends TxStatus {
  /** The `common.Envelope` bytes exactly as stored in the block. */
  readonly envelopeBytes: Uint8Array;
}

/** One modification of a key (Fabric's `KeyModification`), newest first in history iteration. */
export interface HistoryEntry {
  readonly txId: string;
  /** The written value, or null for a delete. */
  readonly value: Uint8Array | null;
  readonly isDelete: boolean;
  readonly timestamp: Timestamp;
  readonly blockNum: number;
  readonly txNum: number;
}

/** A write of one key by a transaction: a value, or null to delete the key. */
export interface KvWrite {
  readonly ns: string;
  readonly key: string;
  readonly value: Uint8Array | null;
}

/** A metadata write of one key; an empty record removes the key's metadata. */
export interface MetadataWrite {
  readonly ns: string;
  readonly key: string;
  readonly metadata: StateMetadata;
}

/** One transaction of a block as the committer hands it to the ledger. */
export interface BlockTx {
  /** Transaction id from the channel header; empty when the envelope has none (not indexed). */
  readonly txId: string;
  /** Index of the envelope in the block's data. */
  readonly txNum: number;
  /** `peer.TxValidationCode`; only VALID (0) transactions change state and history. */
  readonly code: number;
  /** Timestamp from the channel header, recorded in history. */
  readonly timestamp: Timestamp;
  readonly writes: readonly KvWrite[];
  readonly metadataWrites: readonly MetadataWrite[];
}

/** Fabric's `BlockchainInfo`. */
export interface BlockchainInfo {
  readonly height: number;
  /** Header hash of the last block (empty when the ledger is empty). */
  readonly currentBlockHash: Uint8Array;
  /** previous_hash of the last block (empty when the ledger is empty). */
  readonly previousBlockHash: Uint8Array;
}

/** Outcome of {@link PeerLedger.verifyIntegrity}. */
export interface IntegrityReport {
  readonly ok: boolean;
  readonly height: number;
  /** Human-readable problems found, at most a hundred. */
  readonly problems: readonly string[];
}
