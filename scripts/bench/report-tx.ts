/**
 * Copies of a committed `SubmitReport` transaction with new identifiers, endorsed and signed anew by
 * the same identities: what the scale round anchors a million reports with. Every copy is a complete
 * Fabric transaction (proposal hash, rwset, event, response, three endorsement signatures and the
 * client's signature); only the report's identifiers and the transaction id differ from the original.
 */
import { createHash, randomBytes } from 'node:crypto';
import { common, ledger as ledgerPb, msp, peer } from '@hyperledger/fabric-protos';
import type { SigningIdentity } from '../../network/src/crypto/signing.js';
import type { KvWrite } from '../../network/src/ledger/types.js';
import {
  computeTxId,
  prepareTransaction,
  proposalHash,
  proposalResponsePayload,
} from '../../network/src/peer/proposal.js';

/** The fields of a report that make it distinct; each copy gets new values for all of them. */
const DISTINCT_FIELDS = ['reportId', 'subjectRef', 'ciphertextHash', 'commitment'] as const;
type Distinct = Record<(typeof DISTINCT_FIELDS)[number], string>;

/** One stamped-out transaction. */
export interface ReportTx {
  readonly txId: string;
  readonly reportId: string;
  readonly envelope: Uint8Array;
  /** The transaction's state writes, as the committing peer applies them when it is valid. */
  readonly writes: readonly KvWrite[];
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
}

/** The values a copy substitutes for the template's. */
export type ReportIdentifiers = Distinct;

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Deterministic identifiers of copy `i` of run `tag`: ids spread over the key space like real ones
 * (not in insertion order), `reportsPerSubject` reports per enterprise.
 */
export function seededIdentifiers(tag: string, i: number, reportsPerSubject: number): ReportIdentifiers {
  return {
    reportId: `seed-${hex(`${tag}/report/${i}`).slice(0, 24)}`,
    subjectRef: hex(`${tag}/subject/${Math.floor(i / reportsPerSubject)}`),
    ciphertextHash: hex(`${tag}/ciphertext/${i}`),
    commitment: hex(`${tag}/commitment/${i}`),
  };
}

function fail(message: string): never {
  throw new Error(`cannot use the template transaction: ${message}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** A committed SubmitReport envelope taken apart once, to stamp out copies quickly. */
export class ReportTxTemplate {
  readonly #channelHeader: common.ChannelHeader;
  readonly #creator: Uint8Array;
  readonly #args: string[];
  readonly #chaincodeSpec: peer.ChaincodeSpec;
  readonly #action: peer.ChaincodeAction;
  readonly #rwset: ledgerPb.rwset.TxReadWriteSet;
  readonly #kvs: Array<{ ns: string; kv: ledgerPb.rwset.kvrwset.KVRWSet }>;
  readonly #event: peer.ChaincodeEvent | undefined;
  readonly #response: peer.Response | undefined;
  readonly #endorsers: Uint8Array[];
  readonly #old: Distinct & { txId: string };
  readonly namespace: string;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };

  /**
   * @param envelope - a VALID `SubmitReport` transaction read from a peer's ledger
   * @throws Error when the envelope is not one (no report write, other chaincode function, ...)
   */
  constructor(envelope: Uint8Array) {
    const env = common.Envelope.deserializeBinary(envelope);
    const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
    const header = payload.getHeader() ?? fail('no header');
    this.#channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    if (this.#channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION)
      fail('not an endorser transaction');
    this.#creator = common.SignatureHeader.deserializeBinary(
      header.getSignatureHeader_asU8(),
    ).getCreator_asU8();
    const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const txAction = tx.getActionsList()[0] ?? fail('no action');
    const cap = peer.ChaincodeActionPayload.deserializeBinary(txAction.getPayload_asU8());
    const ccpp = peer.ChaincodeProposalPayload.deserializeBinary(cap.getChaincodeProposalPayload_asU8());
    const cis = peer.ChaincodeInvocationSpec.deserializeBinary(ccpp.getInput_asU8());
    this.#chaincodeSpec = cis.getChaincodeSpec() ?? fail('no chaincode spec');
    this.#args = (this.#chaincodeSpec.getInput()?.getArgsList_asU8() ?? []).map((a) => utf8.decode(a));
    if (!/(^|:)SubmitReport$/.test(this.#args[0] ?? '')) fail(`function ${this.#args[0] ?? '?'}`);
    const endorsed = cap.getAction() ?? fail('no endorsed action');
    this.#endorsers = endorsed.getEndorsementsList().map((e) => e.getEndorser_asU8());
    const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    this.#action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
    this.namespace = this.#action.getChaincodeId()?.getName() ?? fail('no chaincode id');
    this.#rwset = ledgerPb.rwset.TxReadWriteSet.deserializeBinary(this.#action.getResults_asU8());
    this.#kvs = this.#rwset.getNsRwsetList().map((ns) => {
      if (ns.getCollectionHashedRwsetList().length > 0) fail('private data');
      return {
        ns: ns.getNamespace(),
        kv: ledgerPb.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()),
      };
    });
    const events = this.#action.getEvents_asU8();
    this.#event = events.length > 0 ? peer.ChaincodeEvent.deserializeBinary(events) : undefined;
    this.#response = this.#action.getResponse();
    const ts = this.#channelHeader.getTimestamp();
    this.timestamp = { seconds: ts?.getSeconds() ?? 0, nanos: ts?.getNanos() ?? 0 };
    this.#old = { ...this.#reportFields(), txId: this.#channelHeader.getTxId() };
  }

  /** The template's own identifiers, found in the report record it writes. */
  #reportFields(): Distinct {
    for (const { ns, kv } of this.#kvs) {
      if (ns !== this.namespace) continue;
      for (const w of kv.getWritesList()) {
        let record: unknown;
        try {
          record = JSON.parse(utf8.decode(w.getValue_asU8()));
        } catch {
          continue;
        }
        if (typeof record !== 'object' || record === null) continue;
        const r = record as Record<string, unknown>;
        if (DISTINCT_FIELDS.every((f) => typeof r[f] === 'string' && r[f].length >= 16))
          return Object.fromEntries(DISTINCT_FIELDS.map((f) => [f, r[f] as string])) as Distinct;
      }
    }
    return fail('no report record among the writes (identifiers must be at least 16 characters)');
  }

  /** The identities that must sign a copy: the client and each endorser, as serialized in the template. */
  get signers(): { readonly creator: Uint8Array; readonly endorsers: readonly Uint8Array[] } {
    return { creator: this.#creator, endorsers: this.#endorsers };
  }

  /**
   * A new transaction carrying report `ids`: new nonce and txid, the template's payload with every
   * identifier replaced, endorsed by `endorsers` (in the template's order) and signed by `creator`.
   */
  make(ids: ReportIdentifiers, creator: SigningIdentity, endorsers: readonly SigningIdentity[]): ReportTx {
    const nonce = randomBytes(24);
    const txId = computeTxId(nonce, this.#creator);
    const pairs: Array<[string, string]> = [
      ...DISTINCT_FIELDS.map((f): [string, string] => [this.#old[f], ids[f]]),
      [this.#old.txId, txId],
    ];
    const sub = (text: string): string => pairs.reduce((s, [from, to]) => s.split(from).join(to), text);
    const subBytes = (bytes: Uint8Array): Uint8Array => encoder.encode(sub(utf8.decode(bytes)));

    const chdr = this.#channelHeader.cloneMessage();
    chdr.setTxId(txId);
    const chdrBytes = chdr.serializeBinary();
    const shdr = new common.SignatureHeader();
    shdr.setCreator(this.#creator);
    shdr.setNonce(nonce);
    const shdrBytes = shdr.serializeBinary();

    const input = new peer.ChaincodeInput();
    input.setArgsList(this.#args.map((a) => encoder.encode(sub(a))));
    const spec = this.#chaincodeSpec.cloneMessage();
    spec.setInput(input);
    const cis = new peer.ChaincodeInvocationSpec();
    cis.setChaincodeSpec(spec);
    const ccpp = new peer.ChaincodeProposalPayload();
    ccpp.setInput(cis.serializeBinary());
    const ccppBytes = ccpp.serializeBinary();

    const writes: KvWrite[] = [];
    const rwset = new ledgerPb.rwset.TxReadWriteSet();
    rwset.setDataModel(this.#rwset.getDataModel());
    rwset.setNsRwsetList(
      this.#kvs.map(({ ns, kv }) => {
        const copy = new ledgerPb.rwset.kvrwset.KVRWSet();
        copy.setReadsList(
          kv.getReadsList().map((r) => {
            const read = r.cloneMessage();
            read.setKey(sub(r.getKey()));
            return read;
          }),
        );
        copy.setRangeQueriesInfoList(kv.getRangeQueriesInfoList());
        copy.setMetadataWritesList(kv.getMetadataWritesList());
        copy.setWritesList(
          kv.getWritesList().map((w) => {
            const write = new ledgerPb.rwset.kvrwset.KVWrite();
            write.setKey(sub(w.getKey()));
            write.setIsDelete(w.getIsDelete());
            if (!w.getIsDelete()) write.setValue(subBytes(w.getValue_asU8()));
            writes.push({ ns, key: write.getKey(), value: w.getIsDelete() ? null : write.getValue_asU8() });
            return write;
          }),
        );
        const nsRw = new ledgerPb.rwset.NsReadWriteSet();
        nsRw.setNamespace(ns);
        nsRw.setRwset(copy.serializeBinary());
        return nsRw;
      }),
    );

    const action = new peer.ChaincodeAction();
    action.setResults(rwset.serializeBinary());
    if (this.#event) {
      const event = this.#event.cloneMessage();
      event.setTxId(txId);
      event.setPayload(subBytes(this.#event.getPayload_asU8()));
      action.setEvents(event.serializeBinary());
    }
    if (this.#response) {
      const response = this.#response.cloneMessage();
      response.setPayload(subBytes(this.#response.getPayload_asU8()));
      action.setResponse(response);
    }
    const chaincodeId = this.#action.getChaincodeId();
    if (chaincodeId) action.setChaincodeId(chaincodeId);
    const prp = proposalResponsePayload(proposalHash(chdrBytes, shdrBytes, ccppBytes), action);

    const endorsements = this.#endorsers.map((serialized, i) => {
      const signer = endorsers[i] ?? fail(`no signer for endorser ${i}`);
      const e = new peer.Endorsement();
      e.setEndorser(serialized);
      e.setSignature(signer.sign(Buffer.concat([prp, serialized])));
      return e;
    });
    const header = new common.Header();
    header.setChannelHeader(chdrBytes);
    header.setSignatureHeader(shdrBytes);
    const env = prepareTransaction({ header, payloadForTx: ccppBytes }, prp, endorsements);
    env.setSignature(creator.sign(env.getPayload_asU8()));
    return {
      txId,
      reportId: ids.reportId,
      envelope: env.serializeBinary(),
      writes,
      timestamp: this.timestamp,
    };
  }
}

/** The MSP id inside a serialized identity. */
export function mspOf(serialized: Uint8Array): string {
  return msp.SerializedIdentity.deserializeBinary(serialized).getMspid();
}
