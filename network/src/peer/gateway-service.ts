import {
  status as Code,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { common, gateway, orderer, peer } from '@hyperledger/fabric-protos';
import { endorsementPlans } from '../policy/index.js';
import type { CommitNotifier } from './commit-notifier.js';
import type { Endorser, ProposalOutcome } from './endorser.js';
import type { SignatureVerifier } from '../crypto/verify-pool.js';
import {
  verifySignedBy,
  type ChaincodeDefinition,
  type IdentityDeserializer,
  type TxStatus,
} from './ports.js';
import {
  MalformedMessageError,
  prepareTransaction,
  unpackProposal,
  type UnpackedProposal,
} from './proposal.js';
import { rpcError, type ErrorDetail } from './rpc-errors.js';

/** A peer whose endorser the gateway can call. */
export interface GatewayPeer {
  readonly mspId: string;
  readonly address: string;
  readonly endorser: Pick<Endorser, 'processProposal'>;
  /** False while the peer is down; the gateway skips it. */
  readonly available: () => boolean;
}

/** What a peer's gateway service needs. */
export interface GatewayDeps {
  readonly channelId: string;
  readonly local: GatewayPeer;
  readonly peers: () => readonly GatewayPeer[];
  readonly definition: (name: string) => ChaincodeDefinition | undefined;
  readonly applicationOrgs: readonly string[];
  readonly broadcast: (envelope: Uint8Array) => Promise<{ status: number; info: string }>;
  readonly ledger: {
    getTxStatus(txId: string): Promise<TxStatus | undefined>;
    getBlock(n: number): Promise<common.Block | undefined>;
    readonly height: number;
  };
  readonly notifier: CommitNotifier;
  readonly msp: IdentityDeserializer;
  /** Where signed requests' signatures are checked (default: by the identity, on this thread). */
  readonly verifier?: SignatureVerifier;
}

type Status = (typeof Code)[keyof typeof Code];

/** Fabric's `responseStatus`: how the gateway classifies an endorser's answer. */
function classify(outcome: ProposalOutcome): { code: Status; message: string } {
  const res = outcome.response.getResponse();
  if (outcome.error !== undefined) return { code: Code.FAILED_PRECONDITION, message: outcome.error };
  const status = res?.getStatus() ?? 500;
  if (status < 200 || status >= 400) {
    if (outcome.response.getPayload_asU8().length === 0 && status === 500)
      return { code: Code.ABORTED, message: res?.getMessage() ?? '' };
    return { code: Code.UNKNOWN, message: `chaincode response ${status}, ${res?.getMessage() ?? ''}` };
  }
  return { code: Code.OK, message: '' };
}

function detail(p: GatewayPeer, message: string): ErrorDetail {
  return { address: p.address, mspId: p.mspId, message };
}

const DOES_NOT_MATCH = 'ProposalResponsePayloads do not match';

/** `gateway.Gateway` as a Fabric 2.5 peer serves it: Evaluate, Endorse, Submit, CommitStatus, ChaincodeEvents. */
export class GatewayService {
  constructor(private readonly deps: GatewayDeps) {}

  /** Handlers for `server.addService(gateway.GatewayService, ...)`. */
  handlers(): UntypedServiceImplementation {
    const unary =
      <Req, Res>(fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) =>
      (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
        fn(call.request, call).then(
          (res) => {
            callback(null, res);
          },
          (err: unknown) => {
            callback(err as Error);
          },
        );
      };
    return {
      evaluate: unary((req: gateway.EvaluateRequest) => this.evaluate(req)),
      endorse: unary((req: gateway.EndorseRequest) => this.endorse(req)),
      submit: unary((req: gateway.SubmitRequest) => this.submit(req)),
      commitStatus: unary((req: gateway.SignedCommitStatusRequest, call) => this.commitStatus(req, call)),
      chaincodeEvents: (
        call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
      ) => {
        this.chaincodeEvents(call).catch((err: unknown) => {
          // grpc-js turns an 'error' event into the call's status; destroy() would drop the call without one.
          if (!call.cancelled) call.emit('error', err as Error);
        });
      },
    };
  }

  #unpack(signed: peer.SignedProposal | undefined): UnpackedProposal {
    if (!signed)
      throw rpcError(Code.INVALID_ARGUMENT, 'the proposed transaction must contain a signed proposal');
    try {
      return unpackProposal(signed);
    } catch (err) {
      const message = err instanceof MalformedMessageError ? err.message : String(err);
      throw rpcError(Code.INVALID_ARGUMENT, `failed to unpack transaction proposal: ${message}`);
    }
  }

  #checkChannel(channelId: string): void {
    if (channelId !== this.deps.channelId) {
      throw rpcError(
        Code.UNAVAILABLE,
        `failed to get config for channel [${channelId}]: could not get last config for channel ${channelId}`,
      );
    }
  }

  #peersFor(orgs: readonly string[] | undefined): GatewayPeer[] {
    const all = this.deps.peers().filter((p) => p.available());
    const local = all.find((p) => p === this.deps.local);
    const ordered = local ? [local, ...all.filter((p) => p !== local)] : all;
    return orgs && orgs.length > 0 ? ordered.filter((p) => orgs.includes(p.mspId)) : ordered;
  }

  async evaluate(req: gateway.EvaluateRequest): Promise<gateway.EvaluateResponse> {
    const unpacked = this.#unpack(req.getProposedTransaction());
    this.#checkChannel(unpacked.channelId);
    const cc = unpacked.chaincodeName;
    const candidates = this.deps.definition(cc) ? this.#peersFor(req.getTargetOrganizationsList()) : [];
    if (candidates.length === 0) {
      throw rpcError(
        Code.FAILED_PRECONDITION,
        `no peers available to evaluate chaincode ${cc} in channel ${unpacked.channelId}`,
      );
    }
    const details: ErrorDetail[] = [];
    for (const target of candidates) {
      const outcome = await target.endorser.processProposal(unpacked.signedProposal);
      const { code, message } = classify(outcome);
      if (code === Code.OK) {
        const result = outcome.response.getResponse() ?? new peer.Response();
        const out = new gateway.EvaluateResponse();
        out.setResult(result);
        return out;
      }
      details.push(detail(target, message));
      if (code !== Code.ABORTED)
        throw rpcError(code, `evaluate call to endorser returned error: ${message}`, details);
    }
    throw rpcError(
      Code.ABORTED,
      'failed to evaluate transaction, see attached details for more info',
      details,
    );
  }

  async endorse(req: gateway.EndorseRequest): Promise<gateway.EndorseResponse> {
    const unpacked = this.#unpack(req.getProposedTransaction());
    this.#checkChannel(unpacked.channelId);
    const definition = this.deps.definition(unpacked.chaincodeName);
    const requested = req.getEndorsingOrganizationsList();
    const available = this.#peersFor(undefined);
    if (!definition || available.length === 0) {
      throw rpcError(
        Code.FAILED_PRECONDITION,
        `no peers available to evaluate chaincode ${unpacked.chaincodeName} in channel ${unpacked.channelId}`,
      );
    }

    const outcomes = new Map<string, Promise<ProposalOutcome>>();
    const endorseBy = (p: GatewayPeer): Promise<ProposalOutcome> => {
      let o = outcomes.get(p.mspId);
      if (!o) {
        o = p.endorser.processProposal(unpacked.signedProposal);
        outcomes.set(p.mspId, o);
      }
      return o;
    };
    const first = available[0] as GatewayPeer;
    const firstOutcome = await endorseBy(first);
    const firstClass = classify(firstOutcome);
    if (firstClass.code !== Code.OK) {
      throw rpcError(Code.ABORTED, 'failed to endorse transaction, see attached details for more info', [
        detail(first, firstClass.message),
      ]);
    }
    const reference = firstOutcome.response.getPayload_asU8();

    const byOrg = new Map(available.map((p) => [p.mspId, p] as const));
    let plans: string[][];
    if (requested.length > 0) {
      plans = [requested];
    } else {
      plans = [...this.#plans(definition, [...byOrg.keys()])];
      plans.sort(
        (a, b) => Number(b.includes(first.mspId)) - Number(a.includes(first.mspId)) || a.length - b.length,
      );
    }
    const details = new Map<string, ErrorDetail>();
    for (const plan of plans) {
      const endorsements: peer.Endorsement[] = [];
      let complete = true;
      const results = await Promise.all(
        plan.map(async (org) => {
          const p = byOrg.get(org);
          return p ? { org, p, outcome: await endorseBy(p) } : undefined;
        }),
      );
      for (const result of results) {
        if (result === undefined) {
          complete = false;
          continue;
        }
        const { org, p, outcome } = result;
        const { code, message } = classify(outcome);
        if (code !== Code.OK) {
          details.set(org, detail(p, message));
          complete = false;
          continue;
        }
        if (!Buffer.from(outcome.response.getPayload_asU8()).equals(Buffer.from(reference))) {
          details.set(org, detail(p, DOES_NOT_MATCH));
          complete = false;
          continue;
        }
        const endorsement = outcome.response.getEndorsement();
        if (endorsement) endorsements.push(endorsement);
      }
      if (complete) {
        const prepared = prepareTransaction(unpacked, reference, endorsements);
        const out = new gateway.EndorseResponse();
        out.setPreparedTransaction(prepared);
        return out;
      }
    }
    throw rpcError(
      Code.ABORTED,
      'failed to collect enough transaction endorsements, see attached details for more info',
      [...details.values()],
    );
  }

  /** Endorsement plans of a chaincode definition over the available organisations (cached: pure). */
  readonly #planCache = new WeakMap<ChaincodeDefinition, { orgs: string; plans: readonly string[][] }>();

  #plans(definition: ChaincodeDefinition, orgs: readonly string[]): readonly string[][] {
    const key = orgs.join('\u0000');
    const cached = this.#planCache.get(definition);
    if (cached?.orgs === key) return cached.plans;
    const plans = endorsementPlans(definition.policy, orgs, undefined, {
      channelOrgs: this.deps.applicationOrgs,
    });
    this.#planCache.set(definition, { orgs: key, plans });
    return plans;
  }

  async submit(req: gateway.SubmitRequest): Promise<gateway.SubmitResponse> {
    const txn = req.getPreparedTransaction();
    if (!txn) throw rpcError(Code.INVALID_ARGUMENT, 'a prepared transaction is required');
    if (txn.getSignature_asU8().length === 0)
      throw rpcError(Code.INVALID_ARGUMENT, 'prepared transaction must be signed');
    this.#checkChannel(req.getChannelId());
    let result: { status: number; info: string };
    try {
      result = await this.deps.broadcast(txn.serializeBinary());
    } catch (err) {
      throw rpcError(Code.UNAVAILABLE, 'no orderers could successfully process transaction', [
        { address: 'orderer', mspId: '', message: (err as Error).message },
      ]);
    }
    if (result.status === 200) return new gateway.SubmitResponse();
    const name = statusName(result.status);
    const message = `received unsuccessful response from orderer: status=${name}, info=${result.info}`;
    if (result.status >= 400 && result.status < 500) throw rpcError(Code.ABORTED, message);
    throw rpcError(Code.UNAVAILABLE, 'no orderers could successfully process transaction', [
      { address: 'orderer', mspId: '', message },
    ]);
  }

  /** Checks a signed request (Fabric's ACL on `Gateway/CommitStatus` and `Gateway/ChaincodeEvents`). */
  async #checkSigned(
    identity: Uint8Array,
    request: Uint8Array,
    signature: Uint8Array,
    channelId: string,
  ): Promise<void> {
    this.#checkChannel(channelId);
    let ok = false;
    try {
      ok = await verifySignedBy(this.deps.verifier, this.deps.msp.deserialize(identity), request, signature);
    } catch {
      ok = false;
    }
    if (!ok)
      throw rpcError(
        Code.PERMISSION_DENIED,
        `failed evaluating policy on signed data during check policy [/Channel/Application/Readers]: [signature set did not satisfy policy]`,
      );
  }

  async commitStatus(
    signed: gateway.SignedCommitStatusRequest,
    call: ServerUnaryCall<gateway.SignedCommitStatusRequest, gateway.CommitStatusResponse>,
  ): Promise<gateway.CommitStatusResponse> {
    const bytes = signed.getRequest_asU8();
    if (bytes.length === 0) throw rpcError(Code.INVALID_ARGUMENT, 'a commit status request is required');
    let req: gateway.CommitStatusRequest;
    try {
      req = gateway.CommitStatusRequest.deserializeBinary(bytes);
    } catch (err) {
      throw rpcError(Code.INVALID_ARGUMENT, `invalid status request: ${(err as Error).message}`);
    }
    await this.#checkSigned(req.getIdentity_asU8(), bytes, signed.getSignature_asU8(), req.getChannelId());
    const abort = new AbortController();
    call.on('cancelled', () => {
      abort.abort();
    });
    if (call.cancelled) throw rpcError(Code.CANCELLED, 'commit status request cancelled');
    const waiting = this.deps.notifier.waitForTx(req.getTransactionId(), abort.signal);
    const status = await this.deps.ledger.getTxStatus(req.getTransactionId());
    let result: { code: number; blockNumber: number };
    if (status) {
      abort.abort();
      waiting.catch(() => undefined);
      result = status;
    } else {
      try {
        result = await waiting;
      } catch {
        throw rpcError(Code.CANCELLED, 'commit status request cancelled');
      }
    }
    const out = new gateway.CommitStatusResponse();
    out.setResult(result.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
    out.setBlockNumber(result.blockNumber);
    return out;
  }

  async chaincodeEvents(
    call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
  ): Promise<void> {
    const bytes = call.request.getRequest_asU8();
    if (bytes.length === 0) throw rpcError(Code.INVALID_ARGUMENT, 'a chaincode events request is required');
    let req: gateway.ChaincodeEventsRequest;
    try {
      req = gateway.ChaincodeEventsRequest.deserializeBinary(bytes);
    } catch (err) {
      throw rpcError(Code.INVALID_ARGUMENT, `invalid chaincode events request: ${(err as Error).message}`);
    }
    await this.#checkSigned(
      req.getIdentity_asU8(),
      bytes,
      call.request.getSignature_asU8(),
      req.getChannelId(),
    );
    const abort = new AbortController();
    call.on('cancelled', () => {
      abort.abort();
    });
    call.on('close', () => {
      abort.abort();
    });
    if (call.cancelled) abort.abort();
    const chaincodeId = req.getChaincodeId();
    const after = req.getAfterTransactionId();
    let next = await this.#startBlock(req);
    let passedAfter = after === '';
    while (!abort.signal.aborted) {
      if (next >= this.deps.ledger.height) {
        await this.deps.notifier.nextBlock(abort.signal);
        continue;
      }
      const block = await this.deps.ledger.getBlock(next);
      if (!block) throw rpcError(Code.ABORTED, `block ${next} is not available`);
      const events: peer.ChaincodeEvent[] = [];
      for (const ev of validEvents(block)) {
        if (!passedAfter) {
          if (ev.getTxId() === after) passedAfter = true;
          continue;
        }
        if (ev.getChaincodeId() === chaincodeId) events.push(ev);
      }
      if (events.length > 0) {
        const res = new gateway.ChaincodeEventsResponse();
        res.setBlockNumber(next);
        res.setEventsList(events);
        if (!call.write(res)) await new Promise((r) => call.once('drain', r));
      }
      next++;
    }
  }

  async #startBlock(req: gateway.ChaincodeEventsRequest): Promise<number> {
    const after = req.getAfterTransactionId();
    if (after !== '') {
      const status = await this.deps.ledger.getTxStatus(after);
      if (status) return status.blockNumber;
    }
    const position = req.getStartPosition();
    if (position?.getTypeCase() === orderer.SeekPosition.TypeCase.SPECIFIED)
      return position.getSpecified()?.getNumber() ?? 0;
    return this.deps.ledger.height;
  }
}

function statusName(status: number): string {
  const names = Object.entries(common.Status).find(([, v]) => v === status);
  return names ? names[0] : String(status);
}

/** Chaincode events of the VALID transactions of a committed block, in block order. */
export function validEvents(block: common.Block): peer.ChaincodeEvent[] {
  const filter =
    block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ??
    new Uint8Array();
  const out: peer.ChaincodeEvent[] = [];
  (block.getData()?.getDataList_asU8() ?? []).forEach((raw, i) => {
    if (filter[i] !== peer.TxValidationCode.VALID) return;
    try {
      const env = common.Envelope.deserializeBinary(raw);
      const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
      const chdr = common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
      );
      if (chdr.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
      const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
      for (const act of tx.getActionsList()) {
        const cap = peer.ChaincodeActionPayload.deserializeBinary(act.getPayload_asU8());
        const prp = peer.ProposalResponsePayload.deserializeBinary(
          cap.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
        );
        const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
        const bytes = action.getEvents_asU8();
        if (bytes.length > 0) out.push(peer.ChaincodeEvent.deserializeBinary(bytes));
      }
    } catch {
      return;
    }
  });
  return out;
}
