import { common, peer } from '@hyperledger/fabric-protos';
import type { BlockSource } from './block-source.js';
import { channelHeaderOf, orderedBlock } from './blocks.js';
import { ProvenanceError } from './errors.js';
import {
  encodeBase64,
  formats,
  PROVENANCE_FORMAT,
  VALIDATION_CODE_NAMES,
  type BundleBlock,
  type BundleChainLink,
  type BundleTransaction,
  type ProvenanceBundle,
} from './format.js';

/** A transaction of a report's trail (`TrailEntry.txId` of the contract's `GetReportTrail`). */
export interface TrailTransaction {
  readonly txId: string;
  /** The block it was committed in; looked up with `locate` when absent. */
  readonly blockNumber?: bigint;
}

/** Input of {@link buildProvenanceBundle}. */
export interface BuildProvenanceInput {
  readonly reportId: string;
  /** The chaincode whose transactions the trail holds, e.g. `credit`. */
  readonly chaincode: string;
  /** Every transaction of the report's trail (at least one). */
  readonly transactions: readonly TrailTransaction[];
  readonly blocks: BlockSource;
  /** The block a transaction was committed in (e.g. the peer's commit status); needed for entries without `blockNumber`. */
  readonly locate?: (txId: string) => Promise<bigint>;
  /** The channel's genesis configuration block; read from `blocks` (block 0) when absent. */
  readonly configBlock?: Uint8Array;
}

const VALID = peer.TxValidationCode.VALID;

function refuse(message: string): ProvenanceError {
  return new ProvenanceError('BUNDLE_MALFORMED', message);
}

function decodeBlock(bytes: Uint8Array, number: bigint): common.Block {
  let block: common.Block;
  try {
    block = common.Block.deserializeBinary(bytes);
  } catch (err) {
    throw new ProvenanceError('BLOCK_UNAVAILABLE', `block ${number} does not decode`, {
      block: Number(number),
      cause: err,
    });
  }
  if (BigInt(block.getHeader()?.getNumber() ?? -1) !== number)
    throw new ProvenanceError('BLOCK_UNAVAILABLE', `the block source answered another block for ${number}`, {
      block: Number(number),
    });
  return block;
}

async function blockNumbers(input: BuildProvenanceInput): Promise<Map<string, bigint>> {
  const numbers = new Map<string, bigint>();
  for (const { txId, blockNumber } of input.transactions) {
    if (!formats.hex64(txId)) throw refuse(`${txId} is not a transaction id`);
    if (numbers.has(txId)) throw refuse(`transaction ${txId} is listed twice`);
    let n = blockNumber;
    if (n === undefined) {
      if (!input.locate) throw refuse(`transaction ${txId} has no block number and there is no locate`);
      n = await input.locate(txId);
    }
    if (n < 1n || n > BigInt(Number.MAX_SAFE_INTEGER))
      throw refuse(`transaction ${txId} cannot be in block ${n}`);
    numbers.set(txId, n);
  }
  return numbers;
}

/** The trail transactions of one block, with their index and validation code. */
function trailTransactions(
  block: common.Block,
  number: bigint,
  txIds: readonly string[],
): BundleTransaction[] {
  const data = block.getData()?.getDataList_asU8() ?? [];
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  const indexOf = new Map<string, number>();
  data.forEach((envelope, index) => {
    try {
      const id = channelHeaderOf(envelope).getTxId();
      if (!indexOf.has(id)) indexOf.set(id, index);
    } catch {
      // Not a decodable transaction: it cannot be one of the trail.
    }
  });
  return txIds.map((txId) => {
    const index = indexOf.get(txId);
    if (index === undefined)
      throw new ProvenanceError('TX_NOT_IN_BLOCK', `transaction ${txId} is not in block ${number}`, {
        block: Number(number),
        txId,
      });
    const code = filter?.[index];
    if (code !== VALID)
      throw new ProvenanceError(
        'TX_INVALID',
        `transaction ${txId} was committed ${code === undefined ? 'without a validation code' : (VALIDATION_CODE_NAMES.get(code) ?? String(code))}`,
        { block: Number(number), txId },
      );
    return { txId, block: Number(number), index, validationCode: 'VALID' };
  });
}

/**
 * Builds the provenance bundle of a report: block 0 (the channel configuration), every block holding
 * a trail transaction as the ordering service signed it, the data hash of every block in between
 * (enough to rebuild the hash chain) and the trail transactions with their block, index and
 * validation code. Reads blocks 0 to the last trail block from `input.blocks`, in order. Write it
 * with `serializeProvenanceBundle`; `verifyProvenanceBundle` checks it offline.
 *
 * @example
 * ```ts
 * const trail = await ledger.getReportTrail(user, reportId); // TrailEntry[]
 * const bundle = await buildProvenanceBundle({
 *   reportId,
 *   chaincode: 'credit',
 *   transactions: trail.map((e) => ({ txId: e.txId })),
 *   locate: async (txId) => BigInt((await ledger.commitStatus(user, txId)).blockNumber),
 *   blocks: new FabricBlockSource(network),
 * });
 * await writeFile('report.provenance.json', serializeProvenanceBundle(bundle));
 * ```
 * @throws {@link ProvenanceError} `BUNDLE_MALFORMED` (bad input), `BLOCK_UNAVAILABLE`,
 *   `TX_NOT_IN_BLOCK`, `TX_INVALID` (a trail transaction not committed VALID)
 */
export async function buildProvenanceBundle(input: BuildProvenanceInput): Promise<ProvenanceBundle> {
  if (!formats.reportId(input.reportId)) throw refuse(`${input.reportId} is not a report id`);
  if (!formats.chaincode(input.chaincode)) throw refuse(`${input.chaincode} is not a chaincode name`);
  if (input.transactions.length === 0) throw refuse('the trail has no transaction');
  const numbers = await blockNumbers(input);
  const byBlock = new Map<bigint, string[]>();
  for (const [txId, n] of numbers) byBlock.set(n, [...(byBlock.get(n) ?? []), txId]);
  const last = [...byBlock.keys()].reduce((a, b) => (a > b ? a : b));

  const config = decodeBlock(input.configBlock ?? (await input.blocks.block(0n)), 0n);
  let channel: string;
  try {
    channel = channelHeaderOf(config.getData()?.getDataList_asU8()[0] ?? new Uint8Array()).getChannelId();
  } catch (err) {
    throw new ProvenanceError('CONFIG_INVALID', 'block 0 is not a configuration block', {
      block: 0,
      cause: err,
    });
  }
  if (!formats.channel(channel))
    throw new ProvenanceError('CONFIG_INVALID', 'block 0 names no valid channel');

  const blocks: BundleBlock[] = [];
  const chain: BundleChainLink[] = [];
  const transactions: BundleTransaction[] = [];
  for (let n = 1n; n <= last; n++) {
    const block = decodeBlock(await input.blocks.block(n), n);
    const txIds = byBlock.get(n);
    if (txIds === undefined) {
      chain.push({
        number: Number(n),
        dataHash: Buffer.from(block.getHeader()?.getDataHash_asU8() ?? new Uint8Array()).toString('hex'),
      });
      continue;
    }
    transactions.push(...trailTransactions(block, n, txIds).sort((a, b) => a.index - b.index));
    blocks.push({ number: Number(n), block: encodeBase64(orderedBlock(block).serializeBinary()) });
  }
  return {
    format: PROVENANCE_FORMAT,
    channel,
    chaincode: input.chaincode,
    reportId: input.reportId,
    config: encodeBase64(orderedBlock(config).serializeBinary()),
    blocks,
    chain,
    transactions,
  };
}
