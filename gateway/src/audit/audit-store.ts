/**
 * The audit read model's storage port: what the block listener writes (one block at a time, all or
 * nothing) and what the audit service reads.
 *
 * Responsibilities: keep the checkpoint (the next block to index) in the same atomic, durable
 * write as everything derived from the block before it, so that a crash at any moment leaves the
 * model at a block boundary and a restart neither skips nor repeats a block; keep each verified
 * block's bytes and header hash; keep a persisted integrity alarm; serve time-ordered index scans.
 *
 * @packageDocumentation
 */
import type { BlockSource } from './block-source.js';
import type { BlockPlan, IndexState } from './index-builder.js';
import type {
  AuditEntry,
  AuditReceipt,
  ConsortiumConfig,
  IntegrityAlarm,
  OrdererTrust,
  ReadModelState,
} from './model.js';

/** One verified block and what it adds. */
export interface BlockCommit {
  readonly number: bigint;
  /** The block as delivered. */
  readonly bytes: Uint8Array;
  /** Its header hash. */
  readonly hash: Uint8Array;
  readonly plan: BlockPlan;
  /** The orderer trust for the following blocks, when this block changed it. */
  readonly trust: OrdererTrust | null;
}

/** Indexes of trail entries; partitions are report ids, subject refs, MSP ids or `msp\x01institution`. */
export type EntryIndex = 'report' | 'subject' | 'member' | 'institution' | 'time';

/** Indexes of receipts by request time; partitions are MSP ids (empty for `time`). */
export type ReceiptIndex = 'requester' | 'provider' | 'time';

/** A time-ordered scan of one partition. */
export interface ScanRequest {
  readonly partition: string;
  /** Inclusive lower bound of the instant (`YYYY-MM-DD` or an instant); empty for none. */
  readonly from: string;
  /** Exclusive upper bound; empty for none. */
  readonly to: string;
  /** Resume strictly after this key (from a previous scan of the same partition). */
  readonly after?: string;
  /** Most items to return. */
  readonly limit: number;
  /** Most keys to examine (bounds the work when `accept` rejects many). */
  readonly maxScan?: number;
}

/** A scanned page: items and the key of the last examined entry when more may follow. */
export interface ScanPage<T> {
  readonly items: readonly T[];
  readonly lastKey: string | null;
}

/** The read model's store. */
export interface AuditStore extends IndexState, BlockSource {
  /** Checkpoint, last hash, alarm and counts. */
  state(): Promise<ReadModelState>;
  /** The next block to index. */
  checkpoint(): Promise<bigint>;
  /** Header hash of the last indexed block; empty before block 0. */
  lastHash(): Promise<Uint8Array>;
  /** Header hash of an indexed block. */
  blockHash(number: bigint): Promise<Uint8Array | undefined>;
  /** The orderer trust in force for the next block; undefined before block 0. */
  trust(): Promise<OrdererTrust | undefined>;
  alarm(): Promise<IntegrityAlarm | undefined>;
  /**
   * Writes a block, its plan and the next checkpoint atomically and durably.
   *
   * @throws Error when `commit.number` is not the checkpoint (nothing is written)
   */
  commit(commit: BlockCommit): Promise<void>;
  /** Persists an alarm; the listener indexes nothing more while one is stored. */
  raiseAlarm(alarm: IntegrityAlarm): Promise<void>;
  /** Trail entries of one partition in time order, filtered by `accept`. */
  scanEntries(
    index: EntryIndex,
    request: ScanRequest,
    accept?: (entry: AuditEntry) => boolean,
  ): Promise<ScanPage<AuditEntry>>;
  /** Every receipt of one partition requested within the bounds, in time order. */
  receiptsIn(index: ReceiptIndex, partition: string, from: string, to: string): Promise<AuditReceipt[]>;
  /** The consortium configuration as last committed. */
  config(): Promise<ConsortiumConfig | undefined>;
  close(): Promise<void>;
}
