import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { gateway as gatewayProtos, msp } from '@hyperledger/fabric-protos';
import type {
  AccessRequestInput,
  DeliveryInput,
  Ledger,
  LedgerUser,
  PageRequest,
  ReportAnchorInput,
} from '../ports/ledger.js';
import { LedgerError } from '../ports/ledger-error.js';
import type {
  Committed,
  LedgerConsent,
  LedgerConsortium,
  LedgerOrgProfile,
  LedgerPage,
  LedgerReceipt,
  LedgerReport,
  LedgerSubject,
  TxCommitStatus,
} from '../ports/ledger-records.js';
import type { Identity } from '../wallet/wallet.js';
import type { PeerConnection } from './connection.js';
import { toLedgerError, validationCodeName } from './fabric-errors.js';

/** Deadlines of the gRPC calls, in milliseconds. */
export interface LedgerTimeouts {
  readonly evaluateMs: number;
  readonly endorseMs: number;
  readonly submitMs: number;
  readonly commitStatusMs: number;
}

const DEFAULT_TIMEOUTS: LedgerTimeouts = {
  evaluateMs: 10_000,
  endorseMs: 30_000,
  submitMs: 10_000,
  commitStatusMs: 60_000,
};

/** Options of {@link FabricLedger.connect}. */
export interface FabricLedgerOptions {
  readonly peer: PeerConnection;
  readonly channel: string;
  readonly chaincode: string;
  /** The ledger identity of a wallet user (`Wallet.get`); `undefined` when there is none. */
  readonly identityOf: (user: LedgerUser) => Promise<Identity | undefined>;
  readonly timeouts?: Partial<LedgerTimeouts>;
  /**
   * How often a submit invalidated by an MVCC or phantom read conflict is endorsed and submitted
   * again (a fresh transaction each time) before `LEDGER_CONFLICT`. Default 2.
   */
  readonly conflictRetries?: number;
}

interface UserSession {
  readonly gateway: Gateway;
  readonly contract: Contract;
  readonly identity: Identity;
}

const decoder = new TextDecoder();

/**
 * {@link Ledger} over the unmodified `@hyperledger/fabric-gateway` client: one gRPC channel to the
 * configured peer, one client `Gateway` per acting user with that user's own certificate and key
 * from the wallet (sessions are cached: a wallet read runs scrypt). Works the same against the
 * creditchain emulator and a real Fabric 2.5 peer.
 */
export class FabricLedger implements Ledger {
  readonly #client: grpc.Client;
  readonly #options: FabricLedgerOptions;
  readonly #timeouts: LedgerTimeouts;
  readonly #sessions = new Map<LedgerUser, Promise<UserSession>>();
  #closed = false;

  private constructor(client: grpc.Client, options: FabricLedgerOptions) {
    this.#client = client;
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  /**
   * Creates the gRPC channel (connecting lazily) to `options.peer`.
   *
   * @example
   * ```ts
   * const ledger = FabricLedger.connect({
   *   peer: await readConnectionProfile('connection-yangtze.json'),
   *   channel: 'creditchain',
   *   chaincode: 'credit',
   *   identityOf: (user) => wallet.get(user),
   * });
   * ```
   */
  static connect(options: FabricLedgerOptions): FabricLedger {
    const { peer } = options;
    const credentials =
      peer.tlsRootCertPem === undefined
        ? grpc.credentials.createInsecure()
        : grpc.credentials.createSsl(Buffer.from(peer.tlsRootCertPem));
    const client = new grpc.Client(
      peer.endpoint,
      credentials,
      peer.hostAlias === undefined ? {} : { 'grpc.ssl_target_name_override': peer.hostAlias },
    );
    return new FabricLedger(client, options);
  }

  async submitReport(as: LedgerUser, input: ReportAnchorInput): Promise<Committed<LedgerReport>> {
    return this.#submit<LedgerReport>(as, 'SubmitReport', [
      JSON.stringify({
        reportId: input.reportId,
        subjectRef: input.subjectRef,
        category: input.category,
        schemaVersion: input.schemaVersion,
        ciphertextHash: input.ciphertextHash,
        commitment: input.commitment,
        sizeBucket: input.sizeBucket,
        eventEndDate: input.eventEndDate ?? '',
        supersedes: input.supersedes ?? '',
      }),
    ]);
  }

  async eraseReport(as: LedgerUser, reportId: string, reason: string): Promise<Committed<LedgerReport>> {
    return this.#submit<LedgerReport>(as, 'EraseReport', [reportId, reason]);
  }

  async getReport(as: LedgerUser, reportId: string): Promise<LedgerReport> {
    return this.#evaluate<LedgerReport>(as, 'GetReport', [reportId]);
  }

  async listReportsBySubject(
    as: LedgerUser,
    subjectRef: string,
    page: PageRequest,
  ): Promise<LedgerPage<LedgerReport>> {
    return this.#evaluate<LedgerPage<LedgerReport>>(as, 'ListReportsBySubject', [
      subjectRef,
      String(page.pageSize),
      page.bookmark ?? '',
    ]);
  }

  async registerSubjectSigner(
    as: LedgerUser,
    input: { readonly subjectRef: string; readonly signer: string; readonly signature: string },
  ): Promise<Committed<LedgerSubject>> {
    return this.#submit<LedgerSubject>(as, 'RegisterSubjectSigner', [
      input.subjectRef,
      input.signer,
      input.signature,
    ]);
  }

  async getSubject(as: LedgerUser, subjectRef: string): Promise<LedgerSubject> {
    return this.#evaluate<LedgerSubject>(as, 'GetSubject', [subjectRef]);
  }

  async recordConsent(
    as: LedgerUser,
    consentJson: string,
    signature: string,
  ): Promise<Committed<LedgerConsent>> {
    return this.#submit<LedgerConsent>(as, 'RecordConsent', [consentJson, signature]);
  }

  async revokeConsent(
    as: LedgerUser,
    consentId: string,
    signature?: string,
  ): Promise<Committed<LedgerConsent>> {
    return this.#submit<LedgerConsent>(as, 'RevokeConsent', [consentId, signature ?? '']);
  }

  async getConsent(as: LedgerUser, consentId: string): Promise<LedgerConsent> {
    return this.#evaluate<LedgerConsent>(as, 'GetConsent', [consentId]);
  }

  async requestAccess(as: LedgerUser, input: AccessRequestInput): Promise<Committed<LedgerReceipt>> {
    return this.#submit<LedgerReceipt>(as, 'RequestAccess', [
      input.requestId,
      input.reportId,
      input.consentId,
      input.purpose,
    ]);
  }

  async recordDelivery(as: LedgerUser, input: DeliveryInput): Promise<Committed<LedgerReceipt>> {
    return this.#submit<LedgerReceipt>(as, 'RecordDelivery', [
      input.receiptId,
      input.reportId,
      input.requesterMsp,
      input.requestId,
    ]);
  }

  async getReceipt(as: LedgerUser, receiptId: string): Promise<LedgerReceipt> {
    return this.#evaluate<LedgerReceipt>(as, 'GetReceipt', [receiptId]);
  }

  async getReceiptByRequest(as: LedgerUser, requesterMsp: string, requestId: string): Promise<LedgerReceipt> {
    return this.#evaluate<LedgerReceipt>(as, 'GetReceiptByRequest', [requesterMsp, requestId]);
  }

  async getOrgProfile(as: LedgerUser, mspId: string): Promise<LedgerOrgProfile> {
    return this.#evaluate<LedgerOrgProfile>(as, 'GetOrgProfile', [mspId]);
  }

  async getConsortium(as: LedgerUser): Promise<LedgerConsortium> {
    return this.#evaluate<LedgerConsortium>(as, 'GetConsortium', []);
  }

  async commitStatus(as: LedgerUser, txId: string): Promise<TxCommitStatus> {
    const session = await this.#session(as);
    const request = new gatewayProtos.CommitStatusRequest();
    request.setChannelId(this.#options.channel);
    request.setTransactionId(txId);
    const creator = new msp.SerializedIdentity();
    creator.setMspid(session.identity.mspId);
    creator.setIdBytes(Buffer.from(session.identity.certPem));
    request.setIdentity(creator.serializeBinary());
    const signed = new gatewayProtos.SignedCommitStatusRequest();
    signed.setRequest(request.serializeBinary());
    try {
      const status = await session.gateway
        .newCommit(signed.serializeBinary())
        .getStatus({ deadline: Date.now() + this.#timeouts.commitStatusMs });
      return {
        txId,
        blockNumber: Number(status.blockNumber),
        valid: status.successful,
        validationCode: validationCodeName(status.code),
      };
    } catch (err) {
      throw toLedgerError(err, 'CommitStatus');
    }
  }

  reachable(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#client.waitForReady(Date.now() + 2_000, (err) => {
        resolve(err === undefined);
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sessions = await Promise.allSettled(this.#sessions.values());
    for (const s of sessions) if (s.status === 'fulfilled') s.value.gateway.close();
    this.#sessions.clear();
    this.#client.close();
  }

  #session(user: LedgerUser): Promise<UserSession> {
    if (this.#closed)
      return Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'the ledger connection is closed'));
    let session = this.#sessions.get(user);
    if (!session) {
      session = this.#open(user);
      this.#sessions.set(user, session);
      // A failed lookup (unknown user, locked wallet) must not stay cached.
      session.catch(() => this.#sessions.delete(user));
    }
    return session;
  }

  async #open(user: LedgerUser): Promise<UserSession> {
    const identity = await this.#options.identityOf(user);
    if (!identity)
      throw new LedgerError('IDENTITY_NOT_FOUND', `the wallet holds no ledger identity for user ${user}`);
    const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
    const t = this.#timeouts;
    const gateway = connect({
      client: this.#client,
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certPem) },
      signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKeyPem)),
      evaluateOptions: deadline(t.evaluateMs),
      endorseOptions: deadline(t.endorseMs),
      submitOptions: deadline(t.submitMs),
      commitStatusOptions: deadline(t.commitStatusMs),
    });
    const contract = gateway.getNetwork(this.#options.channel).getContract(this.#options.chaincode);
    return { gateway, contract, identity };
  }

  async #evaluate<T>(as: LedgerUser, transaction: string, args: readonly string[]): Promise<T> {
    const { contract } = await this.#session(as);
    let bytes: Uint8Array;
    try {
      bytes = await contract.evaluate(transaction, { arguments: [...args] });
    } catch (err) {
      throw toLedgerError(err, transaction);
    }
    return parse<T>(bytes, transaction);
  }

  async #submit<T>(as: LedgerUser, transaction: string, args: readonly string[]): Promise<Committed<T>> {
    const { contract } = await this.#session(as);
    const attempts = 1 + (this.#options.conflictRetries ?? 2);
    for (let attempt = 1; ; attempt++) {
      try {
        const endorsed = await contract.newProposal(transaction, { arguments: [...args] }).endorse();
        const submitted = await endorsed.submit();
        const status = await submitted.getStatus();
        const txId = submitted.getTransactionId();
        if (!status.successful) {
          const code = validationCodeName(status.code);
          const conflict = code === 'MVCC_READ_CONFLICT' || code === 'PHANTOM_READ_CONFLICT';
          if (conflict && attempt < attempts) continue;
          throw new LedgerError(
            conflict ? 'LEDGER_CONFLICT' : 'LEDGER_REJECTED',
            `${transaction} was committed invalid (${code})`,
            { transaction, txId },
          );
        }
        return {
          value: parse<T>(submitted.getResult(), transaction),
          txId,
          blockNumber: Number(status.blockNumber),
        };
      } catch (err) {
        throw toLedgerError(err, transaction);
      }
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the contract's documented result type
function parse<T>(bytes: Uint8Array, transaction: string): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (cause) {
    throw new LedgerError('LEDGER_BAD_RESPONSE', `${transaction} returned something that is not JSON`, {
      cause,
      transaction,
    });
  }
}
