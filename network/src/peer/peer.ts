import { Server, ServerCredentials } from '@grpc/grpc-js';
import { common, gateway as gatewayPb, peer as peerPb } from '@hyperledger/fabric-protos';
import type { StateReader } from '../chaincode/ports.js';
import type { SigningIdentity } from '../crypto/signing.js';
import { acquireSharedVerifier, type SignatureVerifier } from '../crypto/verify-pool.js';
import { PeerLedger } from '../ledger/index.js';
import type { MspManager } from '../msp/index.js';
import { verifyBlockSignature } from '../orderer/blocks.js';
import { CommitNotifier } from './commit-notifier.js';
import { Committer, type BlockSource } from './committer.js';
import { DeliverService } from './deliver-service.js';
import { Endorser } from './endorser.js';
import { GatewayService, type GatewayPeer } from './gateway-service.js';
import type { ChaincodeDefinition, ChaincodeExecutor } from './ports.js';
import { BlockValidator } from './validator.js';

/** TLS material of a peer's endpoint; omit for an insecure endpoint. */
export interface PeerTls {
  readonly certPem: string;
  readonly keyPem: string;
  /** Client CA roots for mutual TLS; when set, clients must present a certificate from one of them. */
  readonly clientRootsPem?: readonly string[];
}

/** Everything one peer is made of. */
export interface PeerOptions {
  readonly name: string;
  readonly mspId: string;
  readonly channelId: string;
  /** host:port to listen on (port 0 picks a free one). */
  readonly listen: string;
  readonly tls?: PeerTls;
  readonly ledgerDir: string;
  readonly signer: SigningIdentity;
  readonly msp: MspManager;
  readonly applicationOrgs: readonly string[];
  /** MSP ids of the ordering organisations, whose orderer identities sign blocks. */
  readonly ordererOrgs: readonly string[];
  readonly definition: (name: string) => ChaincodeDefinition | undefined;
  readonly executor: (name: string) => ChaincodeExecutor | undefined;
  readonly orderer: BlockSource & {
    broadcast(envelope: Uint8Array): Promise<{ status: number; info: string }>;
  };
  /** All peers of the channel, for the gateway's endorsement plans (this peer included). */
  readonly channelPeers: () => readonly GatewayPeer[];
  /**
   * Where this peer checks creator, endorsement and request signatures; default: the process-wide
   * pool of worker threads (see `crypto/verify-pool.ts`). The peer checks each signature itself.
   */
  readonly verifier?: SignatureVerifier;
}

/**
 * One peer: its own LevelDB ledger, endorser, validator and committer following the orderer, and
 * a gRPC endpoint serving `gateway.Gateway` and `protos.Deliver` for unmodified Fabric clients.
 */
export class Peer {
  readonly name: string;
  readonly mspId: string;
  readonly ledger: PeerLedger;
  readonly endorser: Endorser;
  readonly committer: Committer;
  readonly notifier: CommitNotifier;
  #server: Server | undefined;
  #address = '';
  #running = false;
  readonly #verifier: SignatureVerifier;
  readonly #releaseVerifier: () => void;

  private constructor(options: PeerOptions, ledger: PeerLedger) {
    if (options.verifier) {
      this.#verifier = options.verifier;
      this.#releaseVerifier = () => undefined;
    } else {
      const shared = acquireSharedVerifier();
      this.#verifier = shared;
      this.#releaseVerifier = () => {
        shared.release();
      };
    }
    const verifier = this.#verifier;
    this.name = options.name;
    this.mspId = options.mspId;
    this.ledger = ledger;
    this.notifier = new CommitNotifier();
    const deserialize = (bytes: Uint8Array) => options.msp.deserialize(bytes);
    this.endorser = new Endorser({
      channelId: options.channelId,
      signer: options.signer,
      msp: { deserialize },
      ledger,
      definition: options.definition,
      executor: options.executor,
      withSimulationState: async (fn) => {
        await this.committer.idle();
        const snapshot = ledger.snapshot();
        try {
          return await fn(snapshot);
        } finally {
          await snapshot.close();
        }
      },
      verifier,
    });
    const validator = new BlockValidator({
      channelId: options.channelId,
      deserialize,
      ledger,
      definition: options.definition,
      applicationOrgs: options.applicationOrgs,
      verifier,
    });
    const verifyBlock = (block: common.Block): boolean =>
      verifyBlockSignature(block, (creator, message, signature) => {
        try {
          const id = options.msp.deserialize(creator);
          return (
            options.ordererOrgs.includes(id.mspId) && id.roles.has('orderer') && id.verify(message, signature)
          );
        } catch {
          return false;
        }
      });
    this.committer = new Committer(ledger, validator, options.orderer, this.notifier, verifyBlock);
    this.options = options;
  }

  private readonly options: PeerOptions;

  /** Opens the ledger and starts following the orderer; call {@link listen} to serve clients. */
  static async start(options: PeerOptions): Promise<Peer> {
    const ledger = await PeerLedger.open(options.ledgerDir);
    const p = new Peer(options, ledger);
    p.committer.start();
    p.#running = true;
    return p;
  }

  /** The address clients dial (`host:port`), once listening. */
  get address(): string {
    return this.#address;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Read access to this peer's committed state (for tools and tests). */
  get state(): StateReader {
    return this.ledger;
  }

  /** This peer as the gateways of the channel see it. */
  asGatewayPeer(): GatewayPeer {
    return {
      mspId: this.mspId,
      address: this.#address,
      endorser: this.endorser,
      available: () => this.#running,
    };
  }

  /** Serves `gateway.Gateway` and `protos.Deliver` on the configured address. */
  async listen(): Promise<string> {
    const o = this.options;
    const server = new Server({
      'grpc.max_receive_message_length': 100 * 1024 * 1024,
      'grpc.max_send_message_length': 100 * 1024 * 1024,
    });
    const local = this.asGatewayPeer();
    const gatewayService = new GatewayService({
      channelId: o.channelId,
      local,
      peers: () => o.channelPeers().map((p) => (p.mspId === this.mspId ? local : p)),
      definition: o.definition,
      applicationOrgs: o.applicationOrgs,
      broadcast: (envelope) => o.orderer.broadcast(envelope),
      ledger: this.ledger,
      notifier: this.notifier,
      msp: o.msp,
      verifier: this.#verifier,
    });
    const deliver = new DeliverService({
      channelId: o.channelId,
      ledger: this.ledger,
      notifier: this.notifier,
      msp: o.msp,
    });
    server.addService(gatewayPb.GatewayService, gatewayService.handlers());
    server.addService(peerPb.DeliverService, deliver.handlers());
    const credentials = o.tls
      ? ServerCredentials.createSsl(
          o.tls.clientRootsPem ? Buffer.from(o.tls.clientRootsPem.join('\n')) : null,
          [{ cert_chain: Buffer.from(o.tls.certPem), private_key: Buffer.from(o.tls.keyPem) }],
          o.tls.clientRootsPem !== undefined,
        )
      : ServerCredentials.createInsecure();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(o.listen, credentials, (err, bound) => {
        if (err) reject(err);
        else resolve(bound);
      });
    });
    this.#server = server;
    const host = o.listen.slice(0, o.listen.lastIndexOf(':'));
    this.#address = `${host}:${port}`;
    return this.#address;
  }

  /** Stops serving and committing, and closes the ledger. */
  async stop(): Promise<void> {
    this.#running = false;
    const server = this.#server;
    this.#server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.tryShutdown(() => {
          resolve();
        });
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      });
    }
    await this.committer.stop();
    await this.ledger.close();
    this.#releaseVerifier();
  }
}
