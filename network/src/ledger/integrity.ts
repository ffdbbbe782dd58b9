import { parseBlock } from './block-reads.js';
import { blockHeaderHash, dataHash } from './blockhash.js';
import { bytesEqual } from './bytes.js';
import { decodeBlockKey, HEIGHT_KEY } from './keys.js';
import { decodeHeight, decodeStateRecord, decodeTxStatus } from './records.js';
import type { LedgerStores } from './stores.js';
import type { IntegrityReport } from './types.js';

const MAX_PROBLEMS = 100;

function attempt<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch {
    return undefined;
  }
}

class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(problem);
  }
}

/**
 * Full check of a ledger: the stored height, contiguous block numbers 0..height-1 with nothing beyond,
 * each block's data_hash and previous_hash chain, and state versions and txid index entries pointing
 * below the height (and at existing transactions).
 */
export async function verifyLedgerIntegrity(stores: LedgerStores, height: number): Promise<IntegrityReport> {
  const problems = new Problems();
  const stored = await stores.meta.get(HEIGHT_KEY);
  const storedHeight = stored === undefined ? 0 : decodeHeight(stored);
  if (storedHeight !== height)
    problems.add(`stored height ${storedHeight} differs from open height ${height}`);
  const txCounts = await verifyBlocks(stores, height, problems);
  await verifyState(stores, height, problems);
  await verifyTxIndex(stores, txCounts, problems);
  return { ok: problems.list.length === 0, height, problems: problems.list };
}

async function verifyBlocks(stores: LedgerStores, height: number, problems: Problems): Promise<number[]> {
  const txCounts: number[] = [];
  let expected = 0;
  let previousHash: Uint8Array = new Uint8Array();
  for await (const [key, bytes] of stores.blocks.iterator()) {
    const n = decodeBlockKey(key);
    if (n !== expected) {
      problems.add(`block ${n} found where block ${expected} was expected`);
      break;
    }
    expected++;
    let header;
    let data: Uint8Array[];
    try {
      const block = parseBlock(bytes, n);
      header = block.getHeader();
      data = block.getData()?.getDataList_asU8() ?? [];
    } catch {
      problems.add(`block ${n} does not parse`);
      break;
    }
    txCounts.push(data.length);
    if (header === undefined) {
      problems.add(`block ${n} has no header`);
      break;
    }
    if (header.getNumber() !== n) problems.add(`block stored as ${n} has number ${header.getNumber()}`);
    if (!bytesEqual(header.getDataHash_asU8(), dataHash(data)))
      problems.add(`block ${n}: data_hash mismatch`);
    if (!bytesEqual(header.getPreviousHash_asU8(), previousHash)) {
      problems.add(`block ${n}: previous_hash is not the hash of block ${n - 1}'s header`);
    }
    previousHash = blockHeaderHash(header);
  }
  if (expected !== height) problems.add(`blocks 0..${expected - 1} stored but height is ${height}`);
  return txCounts;
}

async function verifyState(stores: LedgerStores, height: number, problems: Problems): Promise<void> {
  for await (const [key, record] of stores.state.iterator()) {
    const version = attempt(() => decodeStateRecord(record).version);
    if (version === undefined) problems.add(`undecodable state record ${Buffer.from(key).toString('hex')}`);
    else if (version.blockNum >= height) {
      problems.add(`state version ${version.blockNum}:${version.txNum} at or above height ${height}`);
    }
  }
}

async function verifyTxIndex(
  stores: LedgerStores,
  txCounts: readonly number[],
  problems: Problems,
): Promise<void> {
  for await (const [key, record] of stores.txids.iterator()) {
    const txId = Buffer.from(key).toString('utf8');
    const status = attempt(() => decodeTxStatus(record));
    if (status === undefined) {
      problems.add(`undecodable txid index entry of ${txId}`);
      continue;
    }
    const count = txCounts[status.blockNumber];
    if (count === undefined || status.txNumber >= count) {
      problems.add(`tx ${txId} indexed at missing ${status.blockNumber}:${status.txNumber}`);
    }
  }
}
