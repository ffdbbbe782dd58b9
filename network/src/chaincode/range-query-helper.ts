/**
 * Port of Fabric's `rwsetutil.RangeQueryResultsHelper` (core/ledger/kvledger/txmgmt/rwsetutil/
 * query_results_helper.go): the reads of a range query are kept raw when there are at most
 * `maxDegree` of them, and otherwise summarised as a Merkle tree of SHA-256 hashes so that the
 * read-write set stays small. Validators rebuild the same structure for phantom-read detection, so
 * the bytes must match Fabric's exactly.
 */
import { ledger } from '@hyperledger/fabric-protos';
import { sha256 } from '../crypto/signing.js';

type KVRead = ledger.rwset.kvrwset.KVRead;
type QueryReadsMerkleSummary = ledger.rwset.kvrwset.QueryReadsMerkleSummary;

/** Fabric's `maxDegreeQueryReadsHashing`. */
export const DEFAULT_MAX_DEGREE = 50;

/** What a range query contributes to its `RangeQueryInfo`: raw reads or a Merkle summary (or neither). */
export interface RangeQueryReads {
  readonly rawReads?: KVRead[];
  readonly merkleSummary?: QueryReadsMerkleSummary;
}

/** Incrementally folds range-query reads into raw reads or a Merkle summary, as Fabric does. */
export class RangeQueryResultsHelper {
  private pending: KVRead[] = [];
  private readonly tree = new Map<number, Uint8Array[]>();
  private maxLevel = 1;
  private finished = false;

  /**
   * @param hashingEnabled Fabric's `queryReadsHashingEnabled` (always `true` in a peer).
   * @param maxDegree children per Merkle node; at least 2.
   */
  constructor(
    private readonly hashingEnabled = true,
    private readonly maxDegree = DEFAULT_MAX_DEGREE,
  ) {
    if (hashingEnabled && maxDegree < 2) {
      throw new RangeError(`maxDegree [${maxDegree}] should not be less than 2 in the merkle tree`);
    }
  }

  /** Adds the next result of the scan (in scan order). */
  add(read: KVRead): void {
    this.pending.push(read);
    if (this.hashingEnabled && this.pending.length > this.maxDegree) this.processPending();
  }

  /** Finishes the helper: the raw reads (at most `maxDegree`), or the Merkle summary. */
  done(): RangeQueryReads {
    if (this.finished) throw new Error('RangeQueryResultsHelper.done() called twice');
    this.finished = true;
    if (!this.hashingEnabled || this.isTreeEmpty()) {
      return this.pending.length > 0 ? { rawReads: this.pending } : {};
    }
    if (this.pending.length > 0) this.processPending();
    this.completeTree();
    const summary = new ledger.rwset.kvrwset.QueryReadsMerkleSummary();
    summary.setMaxDegree(this.maxDegree);
    summary.setMaxLevel(this.maxLevel);
    summary.setMaxLevelHashesList(this.tree.get(this.maxLevel) ?? []);
    return { merkleSummary: summary };
  }

  private processPending(): void {
    const reads = new ledger.rwset.kvrwset.QueryReads();
    reads.setKvReadsList(this.pending);
    this.pending = [];
    this.update(sha256(reads.serializeBinary()));
  }

  private level(level: number): Uint8Array[] {
    let hashes = this.tree.get(level);
    if (!hashes) {
      hashes = [];
      this.tree.set(level, hashes);
    }
    return hashes;
  }

  /** `merkleTree.update`: adds a leaf-level hash and folds every full level upwards. */
  private update(leafHash: Uint8Array): void {
    this.level(1).push(leafHash);
    let current = 1;
    for (;;) {
      const hashes = this.tree.get(current) ?? [];
      if (hashes.length <= this.maxDegree) return;
      const combined = sha256(...hashes);
      this.tree.delete(current);
      const next = current + 1;
      this.level(next).push(combined);
      if (next > this.maxLevel) this.maxLevel = next;
      current = next;
    }
  }

  /** `merkleTree.done`: folds partial lower levels up to `maxLevel` (or one above). */
  private completeTree(): void {
    let current = 1;
    while (current < this.maxLevel) {
      const hashes = this.tree.get(current) ?? [];
      if (hashes.length === 0) {
        current++;
        continue;
      }
      const h = hashes.length === 1 ? (hashes[0] as Uint8Array) : sha256(...hashes);
      this.tree.delete(current);
      current++;
      this.level(current).push(h);
    }
    const finalHashes = this.tree.get(this.maxLevel) ?? [];
    if (finalHashes.length > this.maxDegree) {
      this.tree.delete(this.maxLevel);
      this.maxLevel++;
      this.tree.set(this.maxLevel, [sha256(...finalHashes)]);
    }
  }

  private isTreeEmpty(): boolean {
    return this.maxLevel === 1 && (this.tree.get(1)?.length ?? 0) === 0;
  }
}
