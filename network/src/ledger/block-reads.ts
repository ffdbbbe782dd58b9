import { common, peer } from '@hyperledger/fabric-protos';
import { LedgerError } from './errors.js';
import { blockKey, txIdKey } from './keys.js';
import { decodeTxStatus } from './records.js';
import type { LedgerStores } from './stores.js';
import type { StoredTransaction, TxStatus } from './types.js';

/* Reads of the block store and the txid index. */

/** Stored bytes of block `n`, or undefined when `n` is not below `height`. */
export async function readBlockBytes(
  stores: LedgerStores,
  height: number,
  n: number,
): Promise<Uint8Array | undefined> {
  if (!Number.isSafeInteger(n) || n < 0 || n >= height) return undefined;
  const bytes = await stores.blocks.get(blockKey(n));
  if (bytes === undefined) throw new LedgerError('CORRUPT', `block ${n} below height ${height} is missing`);
  return bytes;
}

/** Parses stored block bytes. */
export function parseBlock(bytes: Uint8Array, n: number): common.Block {
  try {
    return common.Block.deserializeBinary(bytes);
  } catch (err) {
    throw new LedgerError('CORRUPT', `stored block ${n} does not parse`, { cause: err });
  }
}

/** First occurrence of `txId`, or undefined (a synchronous point read, see state-reads.ts). */
export function readTxStatus(stores: LedgerStores, txId: string): TxStatus | undefined {
  const record = stores.txids.getSync(txIdKey(txId));
  return record === undefined ? undefined : decodeTxStatus(record);
}

/** First occurrences of several tx ids in one LevelDB `getMany`, in the order asked. */
export async function readTxStatusMany(
  stores: LedgerStores,
  txIds: readonly string[],
): Promise<Array<TxStatus | undefined>> {
  if (txIds.length === 0) return [];
  const records = await stores.txids.getMany(txIds.map(txIdKey));
  return records.map((record) => (record === undefined ? undefined : decodeTxStatus(record)));
}

/** The envelope of the first occurrence of `txId`, with its validation code. */
export async function readTransaction(
  stores: LedgerStores,
  height: number,
  txId: string,
): Promise<StoredTransaction | undefined> {
  const status = readTxStatus(stores, txId);
  if (status === undefined) return undefined;
  const bytes = await readBlockBytes(stores, height, status.blockNumber);
  if (bytes === undefined) return undefined;
  const envelope = parseBlock(bytes, status.blockNumber).getData()?.getDataList_asU8()[status.txNumber];
  if (envelope === undefined) {
    throw new LedgerError('CORRUPT', `block ${status.blockNumber} has no tx ${status.txNumber} for ${txId}`);
  }
  return { ...status, envelopeBytes: envelope };
}

/** A stored transaction as Fabric's `peer.ProcessedTransaction`. */
export function toProcessedTransaction(tx: StoredTransaction): peer.ProcessedTransaction {
  const processed = new peer.ProcessedTransaction();
  processed.setTransactionenvelope(common.Envelope.deserializeBinary(tx.envelopeBytes));
  processed.setValidationcode(tx.code);
  return processed;
}
