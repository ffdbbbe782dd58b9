/**
 * Where committed blocks are read back by number: the one `BlockSource` port, used by provenance
 * bundles and implemented by the audit read model's store.
 *
 * Responsibilities: return the serialized `common.Block` with the given number as a peer of the
 * channel committed it (byte for byte as delivered), or fail; never invent or alter a block (the
 * verifier would reject it anyway).
 *
 * Adapters: `FabricBlockSource` (block events of `@hyperledger/fabric-gateway`, the emulator or real
 * Fabric), failing with `ProvenanceError` `BLOCK_UNAVAILABLE`; `LevelAuditStore` (the blocks
 * the audit read model verified — hash chain, data hash, orderer signature — and stored), failing
 * with `AuditError` `BLOCK_NOT_FOUND` for a block it has not indexed.
 *
 * @example
 * ```ts
 * const genesis = common.Block.deserializeBinary(await blocks.block(0n));
 * ```
 * @packageDocumentation
 */
/** Committed blocks by number. */
export interface BlockSource {
  /**
   * The block `number`, serialized.
   *
   * @throws `ProvenanceError` `BLOCK_UNAVAILABLE`, or the adapter's own error, when the block
   *   cannot be read
   */
  block(number: bigint): Promise<Uint8Array>;
}
