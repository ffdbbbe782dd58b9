import { common } from '@hyperledger/fabric-protos';
import { blockHeaderHash, dataHash } from './blockhash.js';
import type { BlockTx, KvWrite, MetadataWrite, Timestamp } from './types.js';

/*
 * Fixtures for the ledger tests (and the crash-test child process): well-formed, hash-chained blocks
 * with TRANSACTIONS_FILTER metadata, and BlockTx entries. Not used by production code.
 */

/** A block as the committer hands it to the ledger. */
export interface BuiltBlock {
  readonly block: common.Block;
  readonly bytes: Uint8Array;
}

const METADATA_SLOTS = 5;
const TRANSACTIONS_FILTER = 2;

/** An envelope whose payload is `payload` (enough for getTransaction round trips). */
export function envelopeBytes(payload: string): Uint8Array {
  const envelope = new common.Envelope();
  envelope.setPayload(Buffer.from(payload, 'utf8'));
  envelope.setSignature(new Uint8Array());
  return envelope.serializeBinary();
}

/** Builds and serializes block `number` chained to `previousHash`, with one filter code per envelope. */
export function buildTestBlock(
  number: number,
  previousHash: Uint8Array,
  envelopes: readonly Uint8Array[],
  codes: readonly number[],
): BuiltBlock {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(dataHash(envelopes));
  const data = new common.BlockData();
  data.setDataList([...envelopes]);
  const metadata = new common.BlockMetadata();
  const slots: Uint8Array[] = Array.from({ length: METADATA_SLOTS }, () => new Uint8Array());
  slots[TRANSACTIONS_FILTER] = Uint8Array.from(codes);
  metadata.setMetadataList(slots);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return { block, bytes: block.serializeBinary() };
}

/** Builds consecutive, correctly chained test blocks. */
export class TestChain {
  #number: number;
  #previousHash: Uint8Array;

  /** Continues a chain at `height` whose last header hash is `currentBlockHash`. */
  constructor(height = 0, currentBlockHash: Uint8Array = new Uint8Array()) {
    this.#number = height;
    this.#previousHash = currentBlockHash;
  }

  /** The next block, holding one envelope per entry of `txs` (payload = tx id). */
  next(txs: ReadonlyArray<Pick<BlockTx, 'txId' | 'code'>>): BuiltBlock {
    const built = buildTestBlock(
      this.#number,
      this.#previousHash,
      txs.map((tx) => envelopeBytes(tx.txId)),
      txs.map((tx) => tx.code),
    );
    this.#number++;
    const header = built.block.getHeader();
    if (header !== undefined) this.#previousHash = blockHeaderHash(header);
    return built;
  }
}

/** A BlockTx with defaults (valid, fixed timestamp, no metadata writes). */
export function testTx(
  txId: string,
  txNum: number,
  writes: readonly KvWrite[],
  options: { code?: number; metadataWrites?: readonly MetadataWrite[]; timestamp?: Timestamp } = {},
): BlockTx {
  return {
    txId,
    txNum,
    code: options.code ?? 0,
    timestamp: options.timestamp ?? { seconds: 1_700_000_000 + txNum, nanos: 500 },
    writes,
    metadataWrites: options.metadataWrites ?? [],
  };
}

/** A value write of UTF-8 text. */
export function put(ns: string, key: string, value: string): KvWrite {
  return { ns, key, value: Buffer.from(value, 'utf8') };
}

/** A delete. */
export function del(ns: string, key: string): KvWrite {
  return { ns, key, value: null };
}
