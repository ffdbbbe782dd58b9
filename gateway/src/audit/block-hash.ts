/*
 * Fabric's block hashes (`protoutil.BlockHeaderHash`, `BlockDataHash`) for the read model, in the
 * argument shape the listener uses. One implementation in the gateway: the ASN.1 DER header of
 * `provenance/blocks.ts` (asn1js), which the offline verifier uses too. The gateway shares no code
 * with the network it audits.
 */
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './provenance/blocks.js';

/** The DER bytes of a block header: what the orderer signs and what the next block hashes. */
export function headerBytes(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  return Buffer.from(blockHeaderBytes({ number, previousHash, dataHash }));
}

/** SHA-256 of {@link headerBytes}: the `previous_hash` the next block must carry. */
export function headerHash(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  return blockHeaderHash({ number, previousHash, dataHash });
}

/** SHA-256 of the concatenated data entries: the header's `data_hash`. */
export function dataHash(entries: readonly Uint8Array[]): Buffer {
  return blockDataHash(entries);
}
