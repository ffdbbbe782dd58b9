/**
 * The shape of a committed transaction, read back from a peer's ledger after a round, so that the
 * physical bound signs, hashes and writes exactly as many bytes as the real transactions carry.
 */
import { common, ledger as ledgerPb, msp, peer } from '@hyperledger/fabric-protos';

/** What the bound pipeline needs to know about one transaction (byte arrays are real samples). */
export interface TxShape {
  /** The transaction's chaincode namespace. */
  readonly namespace: string;
  /** Mean envelope size over the sampled block (bytes stored in the block per transaction). */
  readonly envelopeBytes: number;
  /** A real envelope payload: what the client signs for ordering and every peer verifies. */
  readonly payload: Uint8Array;
  /** Header and chaincode proposal payload: what the client signs as the proposal (and is hashed). */
  readonly proposal: Uint8Array;
  /** The serialized creator identity (txid = SHA-256(nonce ‖ creator)). */
  readonly creator: Uint8Array;
  /** A real proposal response payload: what each endorser signs (with its identity appended). */
  readonly proposalResponsePayload: Uint8Array;
  /** Serialized endorser identities found on the transaction. */
  readonly endorsers: readonly Uint8Array[];
  /** The state writes of the transaction in its namespace. */
  readonly writes: ReadonlyArray<{ readonly key: string; readonly value: Uint8Array }>;
}

/** The endorser transaction envelopes of a block parsed into their parts. */
export function txShapeOfBlock(block: common.Block): TxShape | undefined {
  const data = block.getData()?.getDataList_asU8() ?? [];
  if (data.length === 0) return undefined;
  const raw = data[0];
  if (!raw) return undefined;
  const env = common.Envelope.deserializeBinary(raw);
  const payloadBytes = env.getPayload_asU8();
  const payload = common.Payload.deserializeBinary(payloadBytes);
  const header = payload.getHeader();
  if (!header) return undefined;
  const chdr = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  if (chdr.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return undefined;
  const shdr = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const action = tx.getActionsList()[0];
  if (!action) return undefined;
  const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = cap.getAction();
  if (!endorsed) return undefined;
  const prpBytes = endorsed.getProposalResponsePayload_asU8();
  const prp = peer.ProposalResponsePayload.deserializeBinary(prpBytes);
  const ccAction = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  const namespace = ccAction.getChaincodeId()?.getName() ?? '';
  const rwset = ledgerPb.rwset.TxReadWriteSet.deserializeBinary(ccAction.getResults_asU8());
  const writes: Array<{ key: string; value: Uint8Array }> = [];
  for (const ns of rwset.getNsRwsetList()) {
    if (ns.getNamespace() !== namespace) continue;
    const kv = ledgerPb.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
    for (const w of kv.getWritesList()) writes.push({ key: w.getKey(), value: w.getValue_asU8() });
  }
  const proposalHeader = new common.Header();
  proposalHeader.setChannelHeader(header.getChannelHeader_asU8());
  proposalHeader.setSignatureHeader(header.getSignatureHeader_asU8());
  const proposal = Buffer.concat([proposalHeader.serializeBinary(), cap.getChaincodeProposalPayload_asU8()]);
  const total = data.reduce((s, d) => s + d.length, 0);
  return {
    namespace,
    envelopeBytes: Math.round(total / data.length),
    payload: new Uint8Array(payloadBytes),
    proposal: new Uint8Array(proposal),
    creator: new Uint8Array(shdr.getCreator_asU8()),
    proposalResponsePayload: new Uint8Array(prpBytes),
    endorsers: endorsed.getEndorsementsList().map((e) => new Uint8Array(e.getEndorser_asU8())),
    writes,
  };
}

/** The MSP ids of a shape's endorsers (for the report). */
export function endorserMsps(shape: TxShape): string[] {
  return shape.endorsers.map((e) => msp.SerializedIdentity.deserializeBinary(e).getMspid());
}
