import type { common } from '@hyperledger/fabric-protos';

/*
 * Fabric's block cutter (orderer/common/blockcutter/blockcutter.go, `receiver.Ordered`), without the
 * timer: the orderer owns the batch timeout.
 */

/** The batch limits the cutter applies (from the channel's `BatchSize`). */
export interface CutterLimits {
  readonly maxMessageCount: number;
  readonly preferredMaxBytes: number;
}

/** An envelope waiting to be cut into a block: its serialization and its Fabric message size. */
export interface PendingEnvelope {
  readonly bytes: Uint8Array;
  /** `len(payload) + len(signature)`, the size Fabric's size filter and cutter measure. */
  readonly size: number;
}

/** Result of {@link BlockCutter.ordered}: batches to write now (in order) and whether some remain pending. */
export interface OrderedResult {
  readonly batches: PendingEnvelope[][];
  readonly pending: boolean;
}

/** Fabric's message size of an envelope: payload plus signature length. */
export function envelopeSize(envelope: common.Envelope): number {
  return envelope.getPayload_asU8().length + envelope.getSignature_asU8().length;
}

/** Cuts envelopes into batches by message count and preferred byte size, as Fabric's blockcutter. */
export class BlockCutter {
  private batch: PendingEnvelope[] = [];
  private batchBytes = 0;

  constructor(private readonly limits: CutterLimits) {}

  /** Number of envelopes in the pending batch. */
  get pendingCount(): number {
    return this.batch.length;
  }

  /**
   * Adds an envelope. An envelope larger than `preferredMaxBytes` cuts the pending batch and goes alone
   * into its own batch; one that would push the pending batch over `preferredMaxBytes` cuts it first;
   * reaching `maxMessageCount` cuts the batch including the new envelope.
   */
  ordered(envelope: PendingEnvelope): OrderedResult {
    const batches: PendingEnvelope[][] = [];
    if (envelope.size > this.limits.preferredMaxBytes) {
      if (this.batch.length > 0) batches.push(this.cut());
      batches.push([envelope]);
      return { batches, pending: false };
    }
    if (this.batchBytes + envelope.size > this.limits.preferredMaxBytes) batches.push(this.cut());
    this.batch.push(envelope);
    this.batchBytes += envelope.size;
    if (this.batch.length >= this.limits.maxMessageCount) {
      batches.push(this.cut());
      return { batches, pending: false };
    }
    return { batches, pending: true };
  }

  /** Returns the pending batch (possibly empty) and starts a new one. */
  cut(): PendingEnvelope[] {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    return batch;
  }
}
