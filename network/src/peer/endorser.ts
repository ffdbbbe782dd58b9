import { peer } from '@hyperledger/fabric-protos';
import type { StateReader } from '../chaincode/ports.js';
import type { SigningIdentity } from '../crypto/signing.js';
import type { SignatureVerifier } from '../crypto/verify-pool.js';
import {
  MalformedMessageError,
  computeTxId,
  proposalResponsePayload,
  unpackProposal,
  type UnpackedProposal,
} from './proposal.js';
import type {
  ChaincodeDefinition,
  ChaincodeExecutor,
  EndorserLedger,
  IdentityDeserializer,
} from './ports.js';
import { verifySignedBy } from './ports.js';

/**
 * The outcome of `ProcessProposal`, shaped like Fabric's `(ProposalResponse, error)` pair: `error`
 * is set when the proposal itself was refused (the gateway reports FAILED_PRECONDITION); a
 * response without payload is a peer-side failure; a response with payload and status >= 400 is
 * the chaincode's own error.
 */
export interface ProposalOutcome {
  readonly response: peer.ProposalResponse;
  readonly error?: string;
  readonly unpacked?: UnpackedProposal;
}

/** What an endorser needs from its peer. */
export interface EndorserDeps {
  readonly channelId: string;
  readonly signer: SigningIdentity;
  readonly msp: IdentityDeserializer;
  readonly ledger: EndorserLedger;
  readonly definition: (name: string) => ChaincodeDefinition | undefined;
  readonly executor: (name: string) => ChaincodeExecutor | undefined;
  /**
   * Runs a simulation against one consistent view of the committed state, so that a block committed
   * meanwhile cannot show through half-way (the role of a Fabric peer's shared commit lock). Default:
   * the ledger itself.
   */
  readonly withSimulationState?: <T>(fn: (state: StateReader) => Promise<T>) => Promise<T>;
  /** Where the proposal's signature is checked (default: by the creator identity, on this thread). */
  readonly verifier?: SignatureVerifier;
}

function failure(message: string, error?: string): ProposalOutcome {
  const response = new peer.ProposalResponse();
  const res = new peer.Response();
  res.setStatus(500);
  res.setMessage(message);
  response.setResponse(res);
  return error === undefined ? { response } : { response, error };
}

/** A peer's endorser: checks a signed proposal, simulates it, and signs the result. */
export class Endorser {
  readonly #deps: EndorserDeps;

  constructor(deps: EndorserDeps) {
    this.#deps = deps;
  }

  /** Fabric's `ProcessProposal`. Never throws. */
  async processProposal(signedProposal: peer.SignedProposal): Promise<ProposalOutcome> {
    let unpacked: UnpackedProposal;
    try {
      unpacked = unpackProposal(signedProposal);
    } catch (err) {
      const message = err instanceof MalformedMessageError ? err.message : String(err);
      return failure(message, message);
    }
    const refusal = await this.#preProcess(unpacked);
    if (refusal !== undefined) return { ...failure(refusal, refusal), unpacked };
    try {
      return { response: await this.#simulateAndEndorse(unpacked), unpacked };
    } catch (err) {
      return { ...failure(`error in simulation: ${(err as Error).message}`), unpacked };
    }
  }

  async #preProcess(p: UnpackedProposal): Promise<string | undefined> {
    const { channelId, msp, ledger } = this.#deps;
    if (p.channelId !== channelId) return `channel '${p.channelId}' not found`;
    let creator;
    try {
      creator = msp.deserialize(p.creator);
    } catch {
      return `error validating proposal: access denied: channel [${channelId}] creator org unknown, creator is malformed`;
    }
    if (!(await verifySignedBy(this.#deps.verifier, creator, p.proposalBytes, p.signature))) {
      return `error validating proposal: access denied: channel [${channelId}] creator org [${creator.mspId}]`;
    }
    const expected = computeTxId(p.nonce, p.creator);
    if (p.txId !== expected)
      return `error validating proposal: invalid txid. got [${p.txId}], expected [${expected}]`;
    if ((await ledger.getTxStatus(p.txId)) !== undefined) {
      return `duplicate transaction found [${p.txId}]. Creator [${Buffer.from(p.creator).toString('hex')}]`;
    }
    return undefined;
  }

  async #simulateAndEndorse(p: UnpackedProposal): Promise<peer.ProposalResponse> {
    const definition = this.#deps.definition(p.chaincodeName);
    const executor = this.#deps.executor(p.chaincodeName);
    if (!definition || !executor)
      throw new Error(
        `make sure the chaincode ${p.chaincodeName} has been successfully defined on channel ${p.channelId} and try again: chaincode ${p.chaincodeName} not found`,
      );
    const run = (state: StateReader) =>
      executor.execute(
        {
          channelId: p.channelId,
          txId: p.txId,
          signedProposal: p.signedProposal,
          input: p.input,
          readOnly: false,
        },
        state,
      );
    const withState = this.#deps.withSimulationState;
    const result = await (withState ? withState(run) : run(this.#deps.ledger));
    const response = new peer.Response();
    response.setStatus(result.response.status);
    response.setMessage(result.response.message);
    response.setPayload(result.response.payload);
    const chaincodeId = new peer.ChaincodeID();
    chaincodeId.setName(definition.name);
    chaincodeId.setVersion(definition.version);
    const action = new peer.ChaincodeAction();
    action.setResults(result.results);
    if (result.event) action.setEvents(result.event.serializeBinary());
    action.setResponse(response);
    action.setChaincodeId(chaincodeId);
    const prpBytes = proposalResponsePayload(p.proposalHash, action);

    const proposalResponse = new peer.ProposalResponse();
    proposalResponse.setVersion(1);
    proposalResponse.setResponse(response);
    proposalResponse.setPayload(prpBytes);
    if (result.response.status < 400) {
      const signer = this.#deps.signer;
      const endorsement = new peer.Endorsement();
      endorsement.setEndorser(signer.serialized);
      endorsement.setSignature(signer.sign(Buffer.concat([prpBytes, signer.serialized])));
      proposalResponse.setEndorsement(endorsement);
    }
    return proposalResponse;
  }
}
