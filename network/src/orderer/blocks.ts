import { randomBytes } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { sha256, type SigningIdentity } from '../crypto/signing.js';
import { derOctetString, derSequence, derUnsignedInteger } from './der.js';
import { BlockError } from './errors.js';

/*
 * Block assembly as Fabric 2.5 does it: `protoutil.NewBlock`, `BlockHeaderHash`, `BlockDataHash`
 * (protoutil/blockutils.go) and the orderer's `BlockWriter.addLastConfig`/`addBlockSignature`
 * (orderer/common/multichannel/blockwriter.go).
 */

/** Number of metadata slots: SIGNATURES, LAST_CONFIG, TRANSACTIONS_FILTER, ORDERER, COMMIT_HASH. */
export const METADATA_SLOTS = 5;

/** Length of the random nonce in the signature header of the orderer's block signature. */
export const NONCE_LENGTH = 24;

/** ASN.1 DER `SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}` of a header. */
export function blockHeaderBytes(header: common.BlockHeader): Buffer {
  const number = header.getNumber();
  if (!Number.isSafeInteger(number) || number < 0) throw new BlockError(`invalid block number ${number}`);
  return derSequence(
    derUnsignedInteger(BigInt(number)),
    derOctetString(header.getPreviousHash_asU8()),
    derOctetString(header.getDataHash_asU8()),
  );
}

/** SHA-256 of {@link blockHeaderBytes}: the `previous_hash` the next block carries. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return sha256(blockHeaderBytes(header));
}

/** SHA-256 of the concatenated data entries (serialized envelopes): the header's `data_hash`. */
export function blockDataHash(data: readonly Uint8Array[]): Buffer {
  return sha256(...data);
}

/** Input of {@link buildBlock}. */
export interface BuildBlockInput {
  /** Block number (0 for the genesis block). */
  readonly number: number;
  /** Header hash of the previous block; empty for block 0. */
  readonly previousHash: Uint8Array;
  /** Serialized `common.Envelope`s, in order. */
  readonly envelopes: readonly Uint8Array[];
  /** Number of the last config block at or before this block. */
  readonly lastConfig: number;
  /** The orderer identity signing the block. */
  readonly signer: SigningIdentity;
}

/** A built block and its serialization (what is stored and delivered). */
export interface BuiltBlock {
  readonly block: common.Block;
  readonly bytes: Uint8Array;
}

function metadataBytes(value: Uint8Array, signatures: common.MetadataSignature[] = []): Uint8Array {
  const md = new common.Metadata();
  md.setValue(value);
  md.setSignaturesList(signatures);
  return md.serializeBinary();
}

function lastConfigMessage(index: number): common.LastConfig {
  const lc = new common.LastConfig();
  lc.setIndex(index);
  return lc;
}

/**
 * SIGNATURES metadata as the orderer's `addBlockSignature` writes it: `Metadata{value =
 * OrdererBlockMetadata{last_config}, signatures = [{signature_header, signature}]}` where the signature
 * covers `value || signature_header || blockHeaderBytes(header)`.
 */
function signaturesMetadata(
  header: common.BlockHeader,
  lastConfig: number,
  signer: SigningIdentity,
): Uint8Array {
  const obm = new common.OrdererBlockMetadata();
  obm.setLastConfig(lastConfigMessage(lastConfig));
  const value = obm.serializeBinary();

  const sh = new common.SignatureHeader();
  sh.setCreator(signer.serialized);
  sh.setNonce(randomBytes(NONCE_LENGTH));
  const signatureHeader = sh.serializeBinary();

  const sig = new common.MetadataSignature();
  sig.setSignatureHeader(signatureHeader);
  sig.setSignature(signer.sign(Buffer.concat([value, signatureHeader, blockHeaderBytes(header)])));
  return metadataBytes(value, [sig]);
}

function checkIndex(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new BlockError(`invalid ${what} ${value}`);
}

/**
 * Builds and signs a block: header (number, previous hash, data hash), data, and the five metadata
 * slots: SIGNATURES (signed `OrdererBlockMetadata{last_config}`), LAST_CONFIG (`Metadata{value =
 * LastConfig}`, deprecated but still written by Fabric 2.5), and empty TRANSACTIONS_FILTER, ORDERER and
 * COMMIT_HASH (committing peers fill the filter and commit hash).
 */
export function buildBlock(input: BuildBlockInput): BuiltBlock {
  checkIndex('block number', input.number);
  checkIndex('last config index', input.lastConfig);
  if (input.lastConfig > input.number)
    throw new BlockError(`last config ${input.lastConfig} is after block ${input.number}`);
  if (input.number > 0 && input.previousHash.length === 0)
    throw new BlockError(`block ${input.number} needs the previous block's header hash`);

  const header = new common.BlockHeader();
  header.setNumber(input.number);
  header.setPreviousHash(input.previousHash);
  header.setDataHash(blockDataHash(input.envelopes));

  const data = new common.BlockData();
  data.setDataList([...input.envelopes]);

  const slots: Uint8Array[] = Array.from({ length: METADATA_SLOTS }, () => new Uint8Array(0));
  slots[common.BlockMetadataIndex.LAST_CONFIG] = metadataBytes(
    lastConfigMessage(input.lastConfig).serializeBinary(),
  );
  slots[common.BlockMetadataIndex.SIGNATURES] = signaturesMetadata(header, input.lastConfig, input.signer);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(slots);

  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return { block, bytes: block.serializeBinary() };
}

function metadataSlot(block: common.Block, index: number): Uint8Array | undefined {
  return block.getMetadata()?.getMetadataList_asU8()[index];
}

function decodeMetadata(bytes: Uint8Array | undefined, slot: string): common.Metadata {
  try {
    return common.Metadata.deserializeBinary(bytes ?? new Uint8Array(0));
  } catch (err) {
    throw new BlockError(`malformed ${slot} metadata: ${(err as Error).message}`);
  }
}

/** Verifies one signature: `creator` is the serialized identity from the signature header. */
export type SignatureVerifier = (creator: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Checks the orderer signatures in the SIGNATURES metadata slot, each over
 * `value || signature_header || blockHeaderBytes(header)`. True when there is at least one signature
 * and every signature verifies (stricter than Fabric's BlockValidation policy, which ignores invalid
 * signatures as long as enough valid ones satisfy it). Malformed metadata yields false.
 */
export function verifyBlockSignature(block: common.Block, verify: SignatureVerifier): boolean {
  const header = block.getHeader();
  if (!header) return false;
  let md: common.Metadata;
  let headerBytes: Buffer;
  try {
    md = decodeMetadata(metadataSlot(block, common.BlockMetadataIndex.SIGNATURES), 'SIGNATURES');
    headerBytes = blockHeaderBytes(header);
  } catch {
    return false;
  }
  const signatures = md.getSignaturesList();
  if (signatures.length === 0) return false;
  return signatures.every((s) => {
    try {
      const signatureHeader = s.getSignatureHeader_asU8();
      const creator = common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8();
      const message = Buffer.concat([md.getValue_asU8(), signatureHeader, headerBytes]);
      return verify(creator, message, s.getSignature_asU8());
    } catch {
      return false;
    }
  });
}

/**
 * The last config block index a block records: from `OrdererBlockMetadata` in SIGNATURES, falling back
 * to the LAST_CONFIG slot as `protoutil.GetLastConfigIndexFromBlock` does.
 */
export function getLastConfigIndex(block: common.Block): number {
  const md = decodeMetadata(metadataSlot(block, common.BlockMetadataIndex.SIGNATURES), 'SIGNATURES');
  if (md.getValue_asU8().length > 0) {
    const lc = common.OrdererBlockMetadata.deserializeBinary(md.getValue_asU8()).getLastConfig();
    if (!lc) throw new BlockError('OrdererBlockMetadata has no last_config');
    return lc.getIndex();
  }
  // LastConfig{index: 0} serializes to zero bytes, so an empty value means index 0.
  const legacy = decodeMetadata(metadataSlot(block, common.BlockMetadataIndex.LAST_CONFIG), 'LAST_CONFIG');
  return common.LastConfig.deserializeBinary(legacy.getValue_asU8()).getIndex();
}

/**
 * Writes the TRANSACTIONS_FILTER metadata (one `TxValidationCode` byte per envelope), padding the
 * metadata to five slots first as `protoutil.InitBlockMetadata` does. Mutates `block`; serialize it
 * again to obtain the committed bytes.
 */
export function setTransactionsFilter(block: common.Block, codes: readonly number[]): void {
  const count = block.getData()?.getDataList().length ?? 0;
  if (codes.length !== count)
    throw new BlockError(`transactions filter has ${codes.length} codes for ${count} transactions`);
  for (const c of codes)
    if (!Number.isInteger(c) || c < 0 || c > 255) throw new BlockError(`invalid validation code ${c}`);
  const metadata = block.getMetadata() ?? new common.BlockMetadata();
  const slots = metadata.getMetadataList_asU8().slice();
  while (slots.length < METADATA_SLOTS) slots.push(new Uint8Array(0));
  slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(codes);
  metadata.setMetadataList(slots);
  block.setMetadata(metadata);
}
