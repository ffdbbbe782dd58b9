import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, type Gateway } from '@hyperledger/fabric-gateway';
import type { PeerConnection } from '../ledger/connection.js';
import type { Identity } from '../wallet/wallet.js';
import type { BlockFeed, BlockStream } from './block-source.js';

/** Options of {@link FabricBlockFeed.connect}. */
export interface FabricBlockFeedOptions {
  readonly peer: PeerConnection;
  readonly channel: string;
  /** The identity the deliver requests are signed with (any reader of the channel). */
  readonly identity: Identity;
}

/**
 * {@link BlockFeed} over the unmodified `@hyperledger/fabric-gateway` client: full blocks from the
 * peer's deliver service (`Network.getBlockEvents`), the same against the creditchain emulator and
 * a real Fabric 2.5 peer. Each block is handed on as the client decoded it, serialized again
 * (byte-identical for Fabric's messages).
 */
export class FabricBlockFeed implements BlockFeed {
  readonly #client: grpc.Client;
  readonly #gateway: Gateway;
  readonly #channel: string;

  private constructor(client: grpc.Client, gateway: Gateway, channel: string) {
    this.#client = client;
    this.#gateway = gateway;
    this.#channel = channel;
  }

  /** Creates the gRPC channel (connecting lazily). */
  static connect(options: FabricBlockFeedOptions): FabricBlockFeed {
    const { peer, identity } = options;
    const credentials =
      peer.tlsRootCertPem === undefined
        ? grpc.credentials.createInsecure()
        : grpc.credentials.createSsl(Buffer.from(peer.tlsRootCertPem));
    const client = new grpc.Client(
      peer.endpoint,
      credentials,
      peer.hostAlias === undefined ? {} : { 'grpc.ssl_target_name_override': peer.hostAlias },
    );
    const gateway = connect({
      client,
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certPem) },
      signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKeyPem)),
    });
    return new FabricBlockFeed(client, gateway, options.channel);
  }

  async open(startBlock: bigint): Promise<BlockStream> {
    const events = await this.#gateway.getNetwork(this.#channel).getBlockEvents({ startBlock });
    return {
      close: () => {
        events.close();
      },
      async *[Symbol.asyncIterator]() {
        for await (const block of events) yield block.serializeBinary();
      },
    };
  }

  close(): Promise<void> {
    this.#gateway.close();
    this.#client.close();
    return Promise.resolve();
  }
}
