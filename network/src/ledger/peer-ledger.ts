import type { common, peer } from '@hyperledger/fabric-protos';
import {
  parseBlock,
  readBlockBytes,
  readTransaction,
  readTxStatus,
  readTxStatusMany,
  toProcessedTransaction,
} from './block-reads.js';
import { blockHeaderHash } from './blockhash.js';
import { bytesEqual } from './bytes.js';
import { validateBlockTxs } from './commit-input.js';
import { commitLookups, identity, planCommit, type LedgerOp } from './commit-plan.js';
import { LedgerError } from './errors.js';
import { readHistory } from './history-reads.js';
import { verifyLedgerIntegrity } from './integrity.js';
import { HEIGHT_KEY } from './keys.js';
import { decodeHeight } from './records.js';
import { allState, readState, readStateMany, readStateMetadata, scanState } from './state-reads.js';
import { openLedgerDb, type LedgerDb, type LedgerSnapshot, type LedgerStores } from './stores.js';
import type {
  BlockTx,
  BlockchainInfo,
  HistoryEntry,
  IntegrityReport,
  NamespacedStateEntry,
  StateEntry,
  StateMetadata,
  StoredTransaction,
  TxStatus,
  VersionedValue,
} from './types.js';

const EMPTY = new Uint8Array();

/** The result of a synchronous read as a promise (a throw becomes a rejection). */
function settled<T>(read: () => T): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** A plain Uint8Array copy (callers get their own bytes, whatever array type the input was). */
function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

interface ChainTip {
  readonly height: number;
  readonly currentBlockHash: Uint8Array;
  readonly previousBlockHash: Uint8Array;
}

/**
 * A peer's own ledger in one LevelDB database: block store, txid index, versioned world state with
 * key metadata, and key history. Blocks are appended only by {@link PeerLedger.commit}, which writes
 * everything a block changes in one atomic, synced LevelDB batch, so after a crash the ledger reopens
 * at the last fully committed block.
 */
export class PeerLedger {
  readonly #db: LedgerDb;
  readonly #stores: LedgerStores;
  #tip: ChainTip;
  #commits: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(db: LedgerDb, stores: LedgerStores, tip: ChainTip) {
    this.#db = db;
    this.#stores = stores;
    this.#tip = tip;
  }

  /**
   * Opens (or creates) the ledger stored in directory `dir` and recovers its height and chain tip.
   * @throws LedgerError `OPEN_FAILED` when LevelDB cannot be opened (e.g. held by another process).
   */
  static async open(dir: string): Promise<PeerLedger> {
    const { db, stores } = await openLedgerDb(dir);
    try {
      return new PeerLedger(db, stores, await readTip(stores));
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  /** Number of committed blocks (the next block number). */
  get height(): number {
    return this.#tip.height;
  }

  /** Height and the hashes at the chain tip (Fabric's `BlockchainInfo`). */
  get blockchainInfo(): BlockchainInfo {
    const { height, currentBlockHash, previousBlockHash } = this.#tip;
    return { height, currentBlockHash: copy(currentBlockHash), previousBlockHash: copy(previousBlockHash) };
  }

  /** The stored bytes of block `n` (byte for byte as committed), or undefined beyond the height. */
  async getBlockBytes(n: number): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    return readBlockBytes(this.#stores, this.#tip.height, n);
  }

  /** Block `n` parsed, or undefined beyond the height. */
  async getBlock(n: number): Promise<common.Block | undefined> {
    const bytes = await this.getBlockBytes(n);
    return bytes === undefined ? undefined : parseBlock(bytes, n);
  }

  /** Where `txId` first occurred and its validation code there; undefined if never seen. */
  getTxStatus(txId: string): Promise<TxStatus | undefined> {
    return settled(() => {
      this.#assertOpen();
      return readTxStatus(this.#stores, txId);
    });
  }

  /** {@link PeerLedger.getTxStatus} for several tx ids with one LevelDB read. */
  async getTxStatusMany(txIds: readonly string[]): Promise<Array<TxStatus | undefined>> {
    this.#assertOpen();
    return readTxStatusMany(this.#stores, txIds);
  }

  /** Envelope bytes and validation code of the first occurrence of `txId` (Fabric's GetTransactionByID). */
  async getTransaction(txId: string): Promise<StoredTransaction | undefined> {
    this.#assertOpen();
    return readTransaction(this.#stores, this.#tip.height, txId);
  }

  /** {@link PeerLedger.getTransaction} as a `peer.ProcessedTransaction` message. */
  async getProcessedTransaction(txId: string): Promise<peer.ProcessedTransaction | undefined> {
    const tx = await this.getTransaction(txId);
    return tx === undefined ? undefined : toProcessedTransaction(tx);
  }

  /** Committed value and version of `key` in chaincode namespace `ns`, or undefined when absent. */
  getState(ns: string, key: string): Promise<VersionedValue | undefined> {
    return settled(() => {
      this.#assertOpen();
      return readState(this.#stores, ns, key);
    });
  }

  /** {@link PeerLedger.getState} for several keys with one LevelDB read, in the order asked. */
  async getStateMany(
    keys: ReadonlyArray<{ readonly ns: string; readonly key: string }>,
  ): Promise<Array<VersionedValue | undefined>> {
    this.#assertOpen();
    return readStateMany(this.#stores, keys);
  }

  /** Metadata entries of a key (e.g. `VALIDATION_PARAMETER`), or undefined when it has none. */
  getStateMetadata(ns: string, key: string): Promise<StateMetadata | undefined> {
    return settled(() => {
      this.#assertOpen();
      return readStateMetadata(this.#stores, ns, key);
    });
  }

  /**
   * Entries of `ns` with `startKey <= key < endKey` in UTF-8 byte order, composite keys (starting
   * with U+0000) included when inside the range; an empty `endKey` scans to the end of the namespace.
   * Reads a consistent snapshot taken when iteration starts.
   */
  scan(ns: string, startKey: string, endKey: string): AsyncGenerator<StateEntry, void, undefined> {
    this.#assertOpen();
    return scanState(this.#stores, ns, startKey, endKey);
  }

  /** Modifications of a key by valid transactions, newest first, deletes included. */
  getHistory(ns: string, key: string): AsyncGenerator<HistoryEntry, void, undefined> {
    this.#assertOpen();
    return readHistory(this.#stores, ns, key);
  }

  /**
   * A consistent view of the committed state as it is now (a LevelDB snapshot): a simulation reads
   * through it while blocks keep committing, and never sees part of a block. Close it when done;
   * reads already started finish first.
   */
  snapshot(): StateSnapshot {
    this.#assertOpen();
    return new StateSnapshot(this.#stores, this.#db.snapshot());
  }

  /** All state of namespace `ns`, or of every namespace when omitted. */
  snapshotState(ns?: string): AsyncGenerator<NamespacedStateEntry, void, undefined> {
    this.#assertOpen();
    return allState(this.#stores, ns);
  }

  /** All state of every namespace (ordered by namespace byte length, namespace, key). */
  stateEntries(): AsyncGenerator<NamespacedStateEntry, void, undefined> {
    return this.snapshotState();
  }

  /**
   * Appends a block: its bytes (stored as given; they must be the serialization of `block`, with the
   * TRANSACTIONS_FILTER the committer set), the txid index entries of tx ids not seen before, the
   * writes, metadata writes and history of the VALID transactions with version (block, tx), and the
   * new height, all in one atomic LevelDB batch written with `sync: true`. Commits are serialized.
   * @param txs - one entry per envelope to index, in increasing `txNum` order
   * @throws LedgerError `BLOCK_OUT_OF_ORDER` if the block number is not the height,
   *   `PREVIOUS_HASH_MISMATCH` if previous_hash is not the hash of the last block header,
   *   `INVALID_BLOCK` / `INVALID_TX` / `INVALID_KEY` for malformed input; nothing is written then.
   */
  commit(blockBytes: Uint8Array, block: common.Block, txs: readonly BlockTx[]): Promise<void> {
    const run = this.#commits.then(() => this.#commitNow(blockBytes, block, txs));
    this.#commits = run.catch(() => undefined);
    return run;
  }

  /** Full consistency check of the stored chain, state and txid index. */
  async verifyIntegrity(): Promise<IntegrityReport> {
    this.#assertOpen();
    await this.#commits;
    return verifyLedgerIntegrity(this.#stores, this.#tip.height);
  }

  /**
   * Compacts the whole database (LevelDB's `compactRange`) after the commits in progress: for
   * operators after a bulk load, so that later commits and reads do not share the machine with a
   * backlog of background compaction.
   */
  async compact(): Promise<void> {
    this.#assertOpen();
    await this.#commits;
    await this.#db.compactRange(new Uint8Array([0]), new Uint8Array(32).fill(0xff));
  }

  /** Closes the database after the commit in progress; commits still queued fail with `CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#commits;
    await this.#db.close();
  }

  async #commitNow(blockBytes: Uint8Array, block: common.Block, txs: readonly BlockTx[]): Promise<void> {
    this.#assertOpen();
    const header = block.getHeader();
    if (header === undefined) throw new LedgerError('INVALID_BLOCK', 'block has no header');
    const tip = this.#tip;
    const number = header.getNumber();
    if (number !== tip.height) {
      throw new LedgerError(
        'BLOCK_OUT_OF_ORDER',
        `block number should have been ${tip.height} but was ${number}`,
      );
    }
    const previousHash = header.getPreviousHash_asU8();
    if (!bytesEqual(previousHash, tip.currentBlockHash)) {
      throw new LedgerError(
        'PREVIOUS_HASH_MISMATCH',
        `unexpected Previous block hash. Expected PreviousHash = [${Buffer.from(tip.currentBlockHash).toString('hex')}], ` +
          `PreviousHash referred in the latest block= [${Buffer.from(previousHash).toString('hex')}]`,
      );
    }
    validateBlockTxs(txs, block.getData()?.getDataList().length ?? 0);
    const ops = await this.#plan(number, blockBytes, txs);
    await this.#write(ops);
    this.#tip = {
      height: number + 1,
      currentBlockHash: blockHeaderHash(header),
      previousBlockHash: copy(previousHash),
    };
  }

  async #plan(blockNumber: number, blockBytes: Uint8Array, txs: readonly BlockTx[]): Promise<LedgerOp[]> {
    const lookups = commitLookups(txs);
    const [statuses, records] = await Promise.all([
      readTxStatusMany(this.#stores, lookups.txIds),
      lookups.stateKeys.length === 0 ? [] : this.#stores.state.getMany(lookups.stateKeys),
    ]);
    const indexedTxIds = new Set(lookups.txIds.filter((_, i) => statuses[i] !== undefined));
    const committedRecords = new Map(lookups.stateKeys.map((key, i) => [identity(key), records[i]]));
    return planCommit({ blockNumber, blockBytes, txs, indexedTxIds, committedRecords });
  }

  /** One atomic, synced batch (the array form: about half the CPU per operation of a chained batch). */
  async #write(ops: readonly LedgerOp[]): Promise<void> {
    await this.#db.batch(
      ops.map(({ store, key, value }) =>
        value === null
          ? { type: 'del' as const, key, sublevel: this.#stores[store] }
          : { type: 'put' as const, key, value, sublevel: this.#stores[store] },
      ),
      { sync: true },
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new LedgerError('CLOSED', 'ledger is closed');
  }
}

/** Committed state, history and key metadata as of the moment {@link PeerLedger.snapshot} was called. */
export class StateSnapshot {
  readonly #stores: LedgerStores;
  readonly #snapshot: LedgerSnapshot;

  constructor(stores: LedgerStores, snapshot: LedgerSnapshot) {
    this.#stores = stores;
    this.#snapshot = snapshot;
  }

  getState(ns: string, key: string): Promise<VersionedValue | undefined> {
    return settled(() => readState(this.#stores, ns, key, this.#snapshot));
  }

  getStateMetadata(ns: string, key: string): Promise<StateMetadata | undefined> {
    return settled(() => readStateMetadata(this.#stores, ns, key, this.#snapshot));
  }

  scan(ns: string, startKey: string, endKey: string): AsyncGenerator<StateEntry, void, undefined> {
    return scanState(this.#stores, ns, startKey, endKey, this.#snapshot);
  }

  getHistory(ns: string, key: string): AsyncGenerator<HistoryEntry, void, undefined> {
    return readHistory(this.#stores, ns, key, this.#snapshot);
  }

  /** Releases the snapshot once the reads using it have finished. */
  close(): Promise<void> {
    return this.#snapshot.close();
  }
}

async function readTip(stores: LedgerStores): Promise<ChainTip> {
  const stored = await stores.meta.get(HEIGHT_KEY);
  const height = stored === undefined ? 0 : decodeHeight(stored);
  if (height === 0) return { height, currentBlockHash: EMPTY, previousBlockHash: EMPTY };
  const bytes = await readBlockBytes(stores, height, height - 1);
  const header = bytes === undefined ? undefined : parseBlock(bytes, height - 1).getHeader();
  if (header === undefined) throw new LedgerError('CORRUPT', `last block ${height - 1} has no header`);
  return {
    height,
    currentBlockHash: blockHeaderHash(header),
    previousBlockHash: header.getPreviousHash_asU8(),
  };
}
