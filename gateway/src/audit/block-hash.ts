/*
 * Fabric's block hashes (`protoutil.BlockHeaderHash`, `BlockDataHash`): the header hash is SHA-256
 * of the ASN.1 DER `SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }`
 * (Go's `encoding/asn1`), the data hash SHA-256 of the concatenated data entries. Written here on
 * its own: the gateway shares no code with the network it audits.
 */
import { createHash } from 'node:crypto';

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.of(tag), derLength(content.length), content]);
}

/** DER INTEGER of a non-negative integer: minimal two's complement, as Go marshals a uint64. */
function derUnsigned(value: bigint): Buffer {
  if (value < 0n) throw new RangeError('negative block number');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let body = Buffer.from(hex, 'hex');
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Uint8Array.of(0), body]);
  return tlv(0x02, body);
}

/** The DER bytes of a block header: what the orderer signs and what the next block hashes. */
export function headerBytes(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  return tlv(0x30, Buffer.concat([derUnsigned(number), tlv(0x04, previousHash), tlv(0x04, dataHash)]));
}

/** SHA-256 of {@link headerBytes}: the `previous_hash` the next block must carry. */
export function headerHash(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  return createHash('sha256')
    .update(headerBytes(number, previousHash, dataHash))
    .digest();
}

/** SHA-256 of the concatenated data entries: the header's `data_hash`. */
export function dataHash(entries: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const entry of entries) hash.update(entry);
  return hash.digest();
}
