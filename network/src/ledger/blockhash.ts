/*
 * Fabric's block hashing, shared with the orderer that builds the blocks: the header hash is SHA-256
 * of the DER SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}, the data
 * hash SHA-256 of the concatenated data entries.
 */
export { blockHeaderBytes, blockHeaderHash, blockDataHash as dataHash } from '../orderer/blocks.js';
