/*
 * Decoding of committed blocks (`@hyperledger/fabric-protos`): header, data entries, validation
 * codes, and per transaction its id, timestamp, creator, and the writes and event of one chaincode
 * namespace (`Envelope → Payload → Transaction → ChaincodeActionPayload → ProposalResponsePayload →
 * ChaincodeAction → TxReadWriteSet → KVRWSet`).
 */
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { formatInstant } from '../../../chaincode/src/time.js';

/** A block that does not decode as a Fabric block. */
export class BlockFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = BlockFormatError.name;
  }
}

/** One orderer signature of the SIGNATURES metadata slot. */
export interface BlockSignature {
  /** `Metadata.value` (OrdererBlockMetadata), signed together with the header. */
  readonly value: Uint8Array;
  readonly signatureHeader: Uint8Array;
  readonly creatorMspId: string;
  readonly creatorCertPem: string;
  readonly signature: Uint8Array;
}

/** A block's parts as the verifier and the index builder need them. */
export interface DecodedBlock {
  readonly number: bigint;
  readonly previousHash: Uint8Array;
  readonly dataHash: Uint8Array;
  readonly data: readonly Uint8Array[];
  readonly signatures: readonly BlockSignature[];
  /** One `TxValidationCode` per data entry (TRANSACTIONS_FILTER). */
  readonly validationCodes: Uint8Array;
}

/** A write of one transaction in the chaincode's namespace. */
export interface NamespaceWrite {
  readonly key: string;
  /** The new value; null for a delete. */
  readonly value: Uint8Array | null;
}

/** One transaction of a block. */
export interface DecodedTx {
  readonly index: number;
  readonly txId: string;
  /** `common.HeaderType`. */
  readonly type: number;
  /** The proposal timestamp, ISO 8601 UTC with nanoseconds. */
  readonly time: string;
  readonly creator: { readonly mspId: string; readonly certPem: string };
  readonly validationCode: number;
  /** Writes in the chaincode's namespace, in rwset order (endorser transactions only). */
  readonly writes: readonly NamespaceWrite[];
  /** The chaincode event of the chaincode's action, when there is one. */
  readonly event: { readonly name: string; readonly payload: Uint8Array } | null;
  /** The channel configuration of a CONFIG transaction (`ConfigEnvelope` bytes). */
  readonly config: Uint8Array | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function attempt<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    throw new BlockFormatError(`${what} does not decode`, { cause });
  }
}

/** Parses and splits a serialized block. */
export function decodeBlock(bytes: Uint8Array): { block: common.Block; decoded: DecodedBlock } {
  const block = attempt('the block', () => common.Block.deserializeBinary(bytes));
  const header = block.getHeader();
  if (!header) throw new BlockFormatError('the block has no header');
  const number = header.getNumber();
  if (!Number.isSafeInteger(number) || number < 0)
    throw new BlockFormatError(`invalid block number ${number}`);
  const data = block.getData()?.getDataList_asU8() ?? [];
  const slots = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const sigSlot = slots[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array(0);
  const md = attempt('the SIGNATURES metadata', () => common.Metadata.deserializeBinary(sigSlot));
  const signatures = md.getSignaturesList().map((s, i) =>
    attempt(`orderer signature ${i}`, () => {
      const signatureHeader = s.getSignatureHeader_asU8();
      const creator = msp.SerializedIdentity.deserializeBinary(
        common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8(),
      );
      return {
        value: md.getValue_asU8(),
        signatureHeader,
        creatorMspId: creator.getMspid(),
        creatorCertPem: utf8.decode(creator.getIdBytes_asU8()),
        signature: s.getSignature_asU8(),
      };
    }),
  );
  return {
    block,
    decoded: {
      number: BigInt(number),
      previousHash: header.getPreviousHash_asU8(),
      dataHash: header.getDataHash_asU8(),
      data,
      signatures,
      validationCodes: slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0),
    },
  };
}

function chaincodeAction(actionPayload: Uint8Array, where: string): peer.ChaincodeAction {
  return attempt(where, () => {
    const cap = peer.ChaincodeActionPayload.deserializeBinary(actionPayload);
    const endorsed = cap.getAction();
    if (!endorsed) throw new Error('no endorsed action');
    const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    return peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  });
}

function namespaceWrites(action: peer.ChaincodeAction, namespace: string, where: string): NamespaceWrite[] {
  return attempt(`${where} read-write set`, () => {
    const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(action.getResults_asU8());
    const writes: NamespaceWrite[] = [];
    for (const ns of rwset.getNsRwsetList()) {
      if (ns.getNamespace() !== namespace) continue;
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const w of kv.getWritesList())
        writes.push({ key: w.getKey(), value: w.getIsDelete() ? null : w.getValue_asU8() });
    }
    return writes;
  });
}

/**
 * The transactions of a block, with the writes and event of chaincode `namespace`. Entries must be
 * well formed whatever their validation code (the orderer signed them); a missing validation code
 * counts as invalid.
 *
 * @throws {@link BlockFormatError}
 */
export function decodeTransactions(block: DecodedBlock, namespace: string): DecodedTx[] {
  return block.data.map((entry, index) => {
    const where = `transaction ${index} of block ${block.number}`;
    const payload = attempt(where, () =>
      common.Payload.deserializeBinary(common.Envelope.deserializeBinary(entry).getPayload_asU8()),
    );
    const header = payload.getHeader();
    if (!header) throw new BlockFormatError(`${where} has no header`);
    const channelHeader = attempt(`${where} channel header`, () =>
      common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()),
    );
    const creator = attempt(`${where} creator`, () =>
      msp.SerializedIdentity.deserializeBinary(
        common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()).getCreator_asU8(),
      ),
    );
    const ts = channelHeader.getTimestamp();
    const time = formatInstant({ seconds: ts?.getSeconds() ?? 0, nanos: ts?.getNanos() ?? 0 });
    const type = channelHeader.getType();
    const validationCode = block.validationCodes[index] ?? 255;
    const writes: NamespaceWrite[] = [];
    let event: DecodedTx['event'] = null;
    if (type === common.HeaderType.ENDORSER_TRANSACTION) {
      const tx = attempt(where, () => peer.Transaction.deserializeBinary(payload.getData_asU8()));
      for (const [i, action] of tx.getActionsList().entries()) {
        const cca = chaincodeAction(action.getPayload_asU8(), `${where} action ${i}`);
        writes.push(...namespaceWrites(cca, namespace, where));
        const eventBytes = cca.getEvents_asU8();
        if (eventBytes.length > 0) {
          const ev = attempt(`${where} event`, () => peer.ChaincodeEvent.deserializeBinary(eventBytes));
          if (ev.getChaincodeId() === namespace)
            event = { name: ev.getEventName(), payload: ev.getPayload_asU8() };
        }
      }
    }
    return {
      index,
      txId: channelHeader.getTxId(),
      type,
      time,
      creator: {
        mspId: creator.getMspid(),
        certPem: attempt(`${where} creator certificate`, () => utf8.decode(creator.getIdBytes_asU8())),
      },
      validationCode,
      writes,
      event,
      config: type === common.HeaderType.CONFIG ? payload.getData_asU8() : null,
    };
  });
}
