import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { common, orderer, peer } from '@hyperledger/fabric-protos';
import type { CommitNotifier } from './commit-notifier.js';
import type { IdentityDeserializer } from './ports.js';

/** What the deliver service reads: committed blocks (with their TRANSACTIONS_FILTER). */
export interface DeliverDeps {
  readonly channelId: string;
  readonly ledger: { getBlock(n: number): Promise<common.Block | undefined>; readonly height: number };
  readonly notifier: CommitNotifier;
  readonly msp: IdentityDeserializer;
  /** Clock for the seek envelope's timestamp window; injectable for tests. */
  readonly now?: () => number;
}

type Kind = 'block' | 'filtered' | 'private';
type Stream = ServerDuplexStream<common.Envelope, peer.DeliverResponse>;

/** Fabric accepts seek envelopes whose timestamp is within 15 minutes of the peer's clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

class DeliverRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `protos.Deliver` as a peer serves it (Deliver, DeliverFiltered, DeliverWithPrivateData). Streams
 * stay open after the last block until the client cancels; refused requests get a status response
 * (403 FORBIDDEN, 400 BAD_REQUEST, 404 NOT_FOUND) as Fabric sends them.
 */
export class DeliverService {
  constructor(private readonly deps: DeliverDeps) {}

  /** Handlers for `server.addService(peer.DeliverService, ...)`. */
  handlers(): UntypedServiceImplementation {
    const serve = (kind: Kind) => (call: Stream) => {
      this.#serve(call, kind).catch((err: unknown) => {
        // grpc-js turns an 'error' event into the call's status; destroy() would drop the call without one.
        if (!call.cancelled) call.emit('error', err as Error);
      });
    };
    return {
      deliver: serve('block'),
      deliverFiltered: serve('filtered'),
      deliverWithPrivateData: serve('private'),
    };
  }

  async #serve(call: Stream, kind: Kind): Promise<void> {
    const abort = new AbortController();
    call.on('cancelled', () => {
      abort.abort();
    });
    call.on('close', () => {
      abort.abort();
    });
    call.on('error', () => {
      abort.abort();
    });
    for await (const envelope of call as AsyncIterable<common.Envelope>) {
      try {
        const seek = this.#authorise(envelope);
        const ended = await this.#stream(call, kind, seek, abort.signal);
        if (ended) this.#status(call, common.Status.SUCCESS);
      } catch (err) {
        if (!(err instanceof DeliverRefusal)) throw err;
        this.#status(call, err.status);
        call.end();
        return;
      }
      if (abort.signal.aborted) return;
    }
  }

  #status(call: Stream, status: number): void {
    const res = new peer.DeliverResponse();
    res.setStatus(status as common.StatusMap[keyof common.StatusMap]);
    call.write(res);
  }

  #authorise(envelope: common.Envelope): orderer.SeekInfo {
    let payload: common.Payload;
    let chdr: common.ChannelHeader;
    let shdr: common.SignatureHeader;
    let seek: orderer.SeekInfo;
    try {
      payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      chdr = common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
      );
      shdr = common.SignatureHeader.deserializeBinary(
        payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array(),
      );
      seek = orderer.SeekInfo.deserializeBinary(payload.getData_asU8());
    } catch {
      throw new DeliverRefusal(common.Status.BAD_REQUEST, 'malformed seek envelope');
    }
    if (chdr.getChannelId() !== this.deps.channelId)
      throw new DeliverRefusal(common.Status.NOT_FOUND, 'channel not found');
    const ts = chdr.getTimestamp();
    const now = this.deps.now?.() ?? Date.now();
    const sentAt = (ts?.getSeconds() ?? 0) * 1000 + (ts?.getNanos() ?? 0) / 1e6;
    if (Math.abs(now - sentAt) > MAX_SKEW_MS)
      throw new DeliverRefusal(common.Status.FORBIDDEN, 'envelope timestamp out of range');
    let ok = false;
    try {
      ok = this.deps.msp
        .deserialize(shdr.getCreator_asU8())
        .verify(envelope.getPayload_asU8(), envelope.getSignature_asU8());
    } catch {
      ok = false;
    }
    if (!ok) throw new DeliverRefusal(common.Status.FORBIDDEN, 'access denied');
    return seek;
  }

  #position(position: orderer.SeekPosition | undefined, newest: number): number | 'max' {
    switch (position?.getTypeCase()) {
      case orderer.SeekPosition.TypeCase.OLDEST:
        return 0;
      case orderer.SeekPosition.TypeCase.SPECIFIED:
        return position.getSpecified()?.getNumber() ?? 0;
      case orderer.SeekPosition.TypeCase.NEWEST:
        return newest;
      default:
        return 'max';
    }
  }

  /** Sends blocks from start to stop; returns true when it reached a bounded stop. */
  async #stream(call: Stream, kind: Kind, seek: orderer.SeekInfo, signal: AbortSignal): Promise<boolean> {
    const newest = Math.max(0, this.deps.ledger.height - 1);
    const start = this.#position(seek.getStart(), newest);
    const stop = this.#position(seek.getStop(), newest);
    let next = start === 'max' ? this.deps.ledger.height : start;
    const failIfNotReady = seek.getBehavior() === orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY;
    if (stop !== 'max' && stop < next)
      throw new DeliverRefusal(common.Status.BAD_REQUEST, 'start after stop');
    while (!signal.aborted) {
      if (stop !== 'max' && next > stop) return true;
      if (next >= this.deps.ledger.height) {
        if (failIfNotReady) throw new DeliverRefusal(common.Status.NOT_FOUND, 'block not available');
        await this.deps.notifier.nextBlock(signal);
        continue;
      }
      const block = await this.deps.ledger.getBlock(next);
      if (!block) throw new DeliverRefusal(common.Status.NOT_FOUND, `block ${next} not found`);
      const res = new peer.DeliverResponse();
      if (kind === 'block') res.setBlock(block);
      else if (kind === 'filtered') res.setFilteredBlock(filterBlock(this.deps.channelId, block));
      else {
        const withPrivate = new peer.BlockAndPrivateData();
        withPrivate.setBlock(block);
        res.setBlockAndPrivateData(withPrivate);
      }
      if (!call.write(res)) await new Promise((r) => call.once('drain', r));
      next++;
    }
    return false;
  }
}

/** A committed block as `DeliverFiltered` presents it: tx ids, types, codes, events without payload. */
export function filterBlock(channelId: string, block: common.Block): peer.FilteredBlock {
  const filter =
    block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ??
    new Uint8Array();
  const out = new peer.FilteredBlock();
  out.setChannelId(channelId);
  out.setNumber(block.getHeader()?.getNumber() ?? 0);
  const txs: peer.FilteredTransaction[] = [];
  (block.getData()?.getDataList_asU8() ?? []).forEach((raw, i) => {
    const ftx = new peer.FilteredTransaction();
    ftx.setTxValidationCode(
      (filter[i] ??
        peer.TxValidationCode.NOT_VALIDATED) as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap],
    );
    try {
      const env = common.Envelope.deserializeBinary(raw);
      const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
      const chdr = common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
      );
      ftx.setTxid(chdr.getTxId());
      ftx.setType(chdr.getType() as common.HeaderTypeMap[keyof common.HeaderTypeMap]);
      if (chdr.getType() === common.HeaderType.ENDORSER_TRANSACTION) {
        const actions = new peer.FilteredTransactionActions();
        const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
        actions.setChaincodeActionsList(
          tx.getActionsList().flatMap((act) => {
            const cap = peer.ChaincodeActionPayload.deserializeBinary(act.getPayload_asU8());
            const prp = peer.ProposalResponsePayload.deserializeBinary(
              cap.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
            );
            const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
            // As Fabric's toFilteredActions: one filtered action per chaincode event (tx id, chaincode id
            // and name, no payload); actions without an event are left out.
            const ev = peer.ChaincodeEvent.deserializeBinary(action.getEvents_asU8());
            if (ev.getChaincodeId() === '') return [];
            const filtered = new peer.ChaincodeEvent();
            filtered.setTxId(ev.getTxId());
            filtered.setChaincodeId(ev.getChaincodeId());
            filtered.setEventName(ev.getEventName());
            const fca = new peer.FilteredChaincodeAction();
            fca.setChaincodeEvent(filtered);
            return [fca];
          }),
        );
        ftx.setTransactionActions(actions);
      }
    } catch {
      // an unparseable envelope is listed with its validation code only
    }
    txs.push(ftx);
  });
  out.setFilteredTransactionsList(txs);
  return out;
}
