/**
 * Where provenance bundles read committed blocks.
 *
 * Responsibilities: return the serialized `common.Block` with the given number as a peer of the
 * channel committed it, or fail with {@link ProvenanceError} `BLOCK_UNAVAILABLE`; never invent or
 * alter a block (the verifier would reject it anyway).
 *
 * Adapters: `FabricBlockSource` (block events of `@hyperledger/fabric-gateway`, the emulator or real
 * Fabric); the audit read model's block store can serve it too.
 *
 * @example
 * ```ts
 * const genesis = common.Block.deserializeBinary(await blocks.block(0n));
 * ```
 */
export interface BlockSource {
  /** The block `number`, serialized. */
  block(number: bigint): Promise<Uint8Array>;
}
