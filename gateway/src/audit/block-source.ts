/**
 * Ports of the audit read model towards blocks.
 *
 * - {@link BlockFeed}: where committed blocks come from, in order, starting at a given number (the
 *   peer's deliver service through `@hyperledger/fabric-gateway`; constructed blocks in tests).
 * - `BlockSource` (declared once, in `provenance/block-source.ts`, and re-exported here): the
 *   verified blocks the read model stored, byte for byte as delivered, for whoever needs the
 *   original evidence (provenance bundles).
 *
 * @packageDocumentation
 */

/** Serialized `common.Block`s, in block order, until closed. */
export interface BlockStream extends AsyncIterable<Uint8Array> {
  /** Stops the stream; a pending iteration ends or fails. */
  close(): void;
}

/** Opens streams of committed blocks. */
export interface BlockFeed {
  /**
   * Blocks from `startBlock` on, waiting for new ones as they are committed.
   *
   * @throws when the peer cannot be reached or refuses the stream
   */
  open(startBlock: bigint): Promise<BlockStream>;
  /** Releases connections. */
  close(): Promise<void>;
}

export type { BlockSource } from './provenance/block-source.js';
