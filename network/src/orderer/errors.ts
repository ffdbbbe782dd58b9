/**
 * Typed errors of the orderer module. Each carries a stable `name` so callers can branch on it
 * without string-matching messages.
 */

/** A block is malformed, or an operation on it (signature metadata, transaction filter) cannot apply. */
export class BlockError extends Error {
  override readonly name = 'BlockError';
}

/** A channel specification is invalid, or a block does not carry a usable channel configuration. */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

/** The orderer's chain store refused an operation or holds inconsistent data. */
export class OrdererStoreError extends Error {
  override readonly name = 'OrdererStoreError';
}

/** The orderer cannot start or continue (genesis mismatch, stopped, store failure). */
export class OrdererError extends Error {
  override readonly name = 'OrdererError';
}
