/*
 * Fabric block hashing and the strict decoding the verifier relies on, written against Fabric's
 * `protoutil/blockutils.go` (`BlockHeaderBytes`, `BlockHeaderHash`, `ComputeBlockDataHash`) and
 * independent of the emulator's implementation.
 */
import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import * as asn1js from 'asn1js';

/** Number of block metadata slots: SIGNATURES, LAST_CONFIG, TRANSACTIONS_FILTER, ORDERER, COMMIT_HASH. */
export const METADATA_SLOTS = 5;

/** The three header fields the hash chain covers. */
export interface HeaderFields {
  readonly number: bigint;
  readonly previousHash: Uint8Array;
  readonly dataHash: Uint8Array;
}

/** SHA-256 of the concatenated parts. */
export function sha256(...parts: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * ASN.1 DER `SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}`: what the
 * orderer signs and what the next block's `previous_hash` is the SHA-256 of.
 */
export function blockHeaderBytes(header: HeaderFields): Uint8Array {
  if (header.number < 0n) throw new RangeError('negative block number');
  const sequence = new asn1js.Sequence({
    value: [
      asn1js.Integer.fromBigInt(header.number),
      new asn1js.OctetString({ valueHex: header.previousHash }),
      new asn1js.OctetString({ valueHex: header.dataHash }),
    ],
  });
  return new Uint8Array(sequence.toBER(false));
}

/** SHA-256 of {@link blockHeaderBytes}. */
export function blockHeaderHash(header: HeaderFields): Buffer {
  return sha256(blockHeaderBytes(header));
}

/** SHA-256 of the concatenated data entries: what a header's `data_hash` must be. */
export function blockDataHash(entries: readonly Uint8Array[]): Buffer {
  return sha256(...entries);
}

/** The hash-chained fields of a decoded header. */
export function headerFields(header: common.BlockHeader): HeaderFields {
  return {
    number: BigInt(header.getNumber()),
    previousHash: header.getPreviousHash_asU8(),
    dataHash: header.getDataHash_asU8(),
  };
}

/** Byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** A protobuf message class of `@hyperledger/fabric-protos`. */
interface MessageType<T extends { serializeBinary(): Uint8Array }> {
  deserializeBinary(bytes: Uint8Array): T;
}

/**
 * Decodes `bytes` and requires that encoding the result again gives the same bytes: fields the
 * decoder would skip (unknown tags) or encodings it would normalise cannot hide in a message.
 * Throws an `Error` saying what is wrong.
 */
export function decodeExactly<T extends { serializeBinary(): Uint8Array }>(
  type: MessageType<T>,
  bytes: Uint8Array,
  what: string,
): T {
  let message: T;
  try {
    message = type.deserializeBinary(bytes);
  } catch (err) {
    throw new Error(`${what} does not decode (${(err as Error).message})`);
  }
  if (!sameBytes(message.serializeBinary(), bytes)) throw new Error(`${what} is not canonically encoded`);
  return message;
}

/**
 * The block as the ordering service signed it: header, data and the SIGNATURES metadata, every other
 * metadata slot emptied. TRANSACTIONS_FILTER and COMMIT_HASH are written by each committing peer and
 * LAST_CONFIG and ORDERER are unsigned, so no one could prove them; a bundle leaves them out rather
 * than carry bytes that could be changed undetected.
 */
export function orderedBlock(block: common.Block): common.Block {
  const slots = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(
    Array.from({ length: METADATA_SLOTS }, (_, i) =>
      i === common.BlockMetadataIndex.SIGNATURES ? (slots[i] ?? new Uint8Array()) : new Uint8Array(),
    ),
  );
  const copy = new common.Block();
  const header = block.getHeader();
  const data = block.getData();
  if (header) copy.setHeader(header);
  if (data) copy.setData(data);
  copy.setMetadata(metadata);
  return copy;
}

/** The channel header of a serialized envelope. */
export function channelHeaderOf(envelope: Uint8Array): common.ChannelHeader {
  const payload = common.Payload.deserializeBinary(
    common.Envelope.deserializeBinary(envelope).getPayload_asU8(),
  );
  const header = payload.getHeader();
  if (!header) throw new Error('the payload has no header');
  return common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
}

/** The instant of a channel header's timestamp. */
export function timestampOf(channelHeader: common.ChannelHeader): Date | undefined {
  const ts = channelHeader.getTimestamp();
  if (!ts) return undefined;
  return new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6));
}
