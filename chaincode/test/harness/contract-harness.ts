/**
 * Runs real fabric-contract-api contracts through fabric-shim's real `ChaincodeFromContract`
 * dispatch and real `ChaincodeStub`, against an in-memory peer that follows Fabric 2.5 endorsement
 * and commit semantics.
 */
import { peer } from '@hyperledger/fabric-protos';
import { JSONSerializer } from 'fabric-contract-api';
import type { ChaincodeResponse } from 'fabric-shim';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract.js';
import ChaincodeStub from 'fabric-shim/lib/stub.js';
import { verifyLowS } from './ecdsa.js';
import { FakeHandler } from './fake-handler.js';
import type { TestIdentity } from './identities.js';
import { InMemoryLedger, type WriteSet } from './ledger.js';
import { buildSignedProposal, type BuiltProposal } from './proposal.js';

/** Outcome of a proposal, as the client sees the peer's response. */
export interface TxResult {
  /** Chaincode response status (200 success, 500 error), or 500 for an endorser rejection. */
  readonly status: number;
  readonly message: string;
  readonly payload: Buffer;
  readonly txId: string;
  /** Chaincode event set by an endorsed (status 200–399) transaction. */
  readonly event?: { readonly name: string; readonly payload: Buffer };
  /** True when a `submit` was endorsed and committed to the ledger. */
  readonly committed: boolean;
  /** The simulated write set (committed only for endorsed submits). */
  readonly writeSet: WriteSet;
  /** Parses the payload as JSON. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- caller-asserted result type
  json<T>(): T;
}

/** Per-call options. */
export interface CallOptions {
  /** Signature-header nonce; reusing one (with the same caller) reproduces a transaction ID. */
  readonly nonce?: Uint8Array;
  /** Transaction timestamp in seconds; defaults to the harness clock {@link ContractHarness.now}. */
  readonly timestamp?: number;
  readonly timestampNanos?: number;
  /** MSP of the endorsing peer (`CORE_PEER_LOCALMSPID`); defaults to the caller's MSP. */
  readonly peerMspId?: string;
  readonly transient?: Readonly<Record<string, Uint8Array>>;
}

/** Harness construction options. */
export interface HarnessOptions {
  readonly channelId?: string;
  readonly chaincodeName?: string;
  /** Initial clock, seconds since the epoch (default 2026-01-01T00:00:00Z). */
  readonly now?: number;
  /** `info.title` / `info.version` reported by GetMetadata (bootstrap takes them from package.json). */
  readonly title?: string;
  readonly version?: string;
  /** Contents of META-INF/metadata.json, if the chaincode ships one. */
  readonly metadata?: Record<string, unknown>;
}

const SERIALIZERS = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
const DEFAULT_NOW = Date.UTC(2026, 0, 1) / 1000;

/** Test double for "a channel with one peer running this chaincode". */
export class ContractHarness {
  /** Committed ledger of the chaincode's namespace. */
  readonly ledger = new InMemoryLedger();
  /** Transaction timestamp (seconds) given to the next proposal. */
  now: number;
  readonly channelId: string;
  readonly chaincodeName: string;
  private readonly chaincode: ChaincodeFromContract;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param contracts contract classes, as a chaincode's `index` exports them in `contracts`.
   * @param opts channel/chaincode names, clock and metadata.
   */
  constructor(contracts: Array<new () => unknown>, opts: HarnessOptions = {}) {
    this.channelId = opts.channelId ?? 'mychannel';
    this.chaincodeName = opts.chaincodeName ?? 'credit';
    this.now = opts.now ?? DEFAULT_NOW;
    // ChaincodeFromContract appends its SystemContract to the array it is given: pass a copy.
    this.chaincode = new ChaincodeFromContract(
      [...contracts],
      SERIALIZERS,
      structuredClone(opts.metadata ?? {}),
      opts.title ?? this.chaincodeName,
      opts.version ?? '',
    );
  }

  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void {
    this.now += seconds;
  }

  /**
   * Endorses and, if the chaincode succeeds, commits a transaction (write set + event) as a new
   * block. A failed transaction leaves the ledger untouched.
   * @param caller signing client identity.
   * @param fn transaction name, optionally `contract:fn`.
   * @param args string arguments.
   */
  submit(
    caller: TestIdentity,
    fn: string,
    args: readonly string[] = [],
    opts: CallOptions = {},
  ): Promise<TxResult> {
    return this.serialize(() => this.execute(true, caller, fn, args, opts));
  }

  /** Runs a proposal on the peer without ever committing it (a gateway `evaluate`). */
  evaluate(
    caller: TestIdentity,
    fn: string,
    args: readonly string[] = [],
    opts: CallOptions = {},
  ): Promise<TxResult> {
    return this.serialize(() => this.execute(false, caller, fn, args, opts));
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async execute(
    commit: boolean,
    caller: TestIdentity,
    fn: string,
    args: readonly string[],
    opts: CallOptions,
  ): Promise<TxResult> {
    const proposal = buildSignedProposal({
      channelId: this.channelId,
      chaincodeName: this.chaincodeName,
      args: [fn, ...args],
      identity: caller,
      timestampSeconds: opts.timestamp ?? this.now,
      timestampNanos: opts.timestampNanos ?? 0,
      ...(opts.nonce ? { nonce: opts.nonce } : {}),
      ...(opts.transient ? { transient: opts.transient } : {}),
    });
    const rejection = this.preProcess(caller, proposal);
    if (rejection !== undefined)
      return result(proposal.txId, { status: 500, message: rejection }, emptyWriteSet(), false);

    const handler = new FakeHandler(this.ledger, {
      channelId: this.channelId,
      txId: proposal.txId,
      namespace: this.chaincodeName,
    });
    const { response, event } = await this.invoke(handler, proposal, opts.peerMspId ?? caller.mspId);
    handler.finish();

    const writeSet = handler.writeSet;
    const endorsed = response.status >= 200 && response.status < 400;
    if (commit && endorsed) {
      this.ledger.commit(proposal.txId, proposal.timestamp, writeSet, event);
    }
    return result(proposal.txId, response, writeSet, commit && endorsed, endorsed ? event : undefined);
  }

  /** Endorser pre-checks: signature (low-S ECDSA by the creator) and transaction-ID uniqueness. */
  private preProcess(caller: TestIdentity, proposal: BuiltProposal): string | undefined {
    const signature = proposal.signedProposal.getSignature_asU8();
    if (!verifyLowS(caller.certPem, proposal.proposalBytes, signature)) {
      return `error validating proposal: access denied: channel [${this.channelId}] creator org [${caller.mspId}]`;
    }
    if (this.ledger.hasTx(proposal.txId)) {
      return `duplicate transaction found [${proposal.txId}]. Creator [${Buffer.from(proposal.creator).toString('hex')}]`;
    }
    return undefined;
  }

  /** What handler.js `handleMessage` does for a TRANSACTION message, and the peer with the reply. */
  private async invoke(
    handler: FakeHandler,
    proposal: BuiltProposal,
    peerMspId: string,
  ): Promise<{ response: ChaincodeReply; event?: { name: string; payload: Buffer } }> {
    const previousMsp = process.env.CORE_PEER_LOCALMSPID;
    process.env.CORE_PEER_LOCALMSPID = peerMspId;
    try {
      let stub: InstanceType<typeof ChaincodeStub>;
      try {
        stub = new ChaincodeStub(
          handler,
          this.channelId,
          proposal.txId,
          proposal.chaincodeInput,
          proposal.signedProposal,
        );
      } catch (err) {
        // The shim answers ERROR; the peer reports "transaction returned with failure: <payload>".
        return {
          response: {
            status: 500,
            message: `transaction returned with failure: ${String(err)}`,
            payload: Buffer.alloc(0),
          },
        };
      }
      // The shim guards against chaincodes that resolve without a response object.
      let resp = (await this.chaincode.Invoke(stub)) as ChaincodeResponse | undefined;
      if (!resp?.status) {
        const prefix = `[${this.channelId}-${proposal.txId.substring(0, 8)}]`;
        resp = {
          status: 500,
          message: `${prefix} Calling chaincode Invoke() has not called success or error.`,
        };
      }
      const wire = new peer.Response();
      wire.setStatus(resp.status);
      if (resp.message !== undefined) wire.setMessage(resp.message);
      if (resp.payload !== undefined) wire.setPayload(resp.payload);
      const decoded = peer.Response.deserializeBinary(wire.serializeBinary());
      const response = {
        status: decoded.getStatus(),
        message: decoded.getMessage(),
        payload: Buffer.from(decoded.getPayload_asU8()),
      };
      const ev = stub.chaincodeEvent;
      return ev
        ? { response, event: { name: ev.getEventName(), payload: Buffer.from(ev.getPayload_asU8()) } }
        : { response };
    } finally {
      if (previousMsp === undefined) delete process.env.CORE_PEER_LOCALMSPID;
      else process.env.CORE_PEER_LOCALMSPID = previousMsp;
    }
  }
}

interface ChaincodeReply {
  status: number;
  message: string;
  payload: Buffer;
}

function emptyWriteSet(): WriteSet {
  return { writes: new Map(), metadataWrites: new Map() };
}

function result(
  txId: string,
  reply: { status: number; message: string; payload?: Buffer },
  writeSet: WriteSet,
  committed: boolean,
  event?: { name: string; payload: Buffer },
): TxResult {
  const payload = reply.payload ?? Buffer.alloc(0);
  return {
    status: reply.status,
    message: reply.message,
    payload,
    txId,
    ...(event ? { event } : {}),
    committed,
    writeSet,
    json() {
      return JSON.parse(payload.toString('utf8')) as never;
    },
  };
}
