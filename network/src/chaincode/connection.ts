/**
 * The peer's end of one `/protos.Chaincode/Connect` stream to a chaincode server: the handshake
 * (REGISTER → REGISTERED, READY) and the multiplexing of concurrently executing transactions, each
 * identified by channel and transaction ID. Ledger requests are answered by a {@link RequestHandler};
 * those of one transaction in arrival order, those of different transactions concurrently.
 * KEEPALIVE is never sent (fabric-shim for Node exits on it).
 */
import * as grpc from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import { ChaincodeExecutionError, ChaincodeStartError } from './errors.js';
import { REQUEST_TYPES, type RequestHandler, type TransactionContext } from './handler.js';
import { chaincodeMessage, contextKey, messageTypeName, MsgType } from './messages.js';
import { QueryContexts } from './query-response.js';
import type { TxSimulator } from './simulator.js';
import type { ChaincodeTls } from './tls.js';

type Stream = grpc.ClientDuplexStream<peer.ChaincodeMessage, peer.ChaincodeMessage>;

/** Largest message either side may send (Fabric's peer uses 100 MiB). */
const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;

/** Options of {@link ChaincodeConnection.open}. */
export interface ConnectionOptions {
  /** `host:port` of the chaincode server. */
  readonly address: string;
  /** The chaincode ID the process must register with (`name:version`). */
  readonly chaincodeId: string;
  /** The chaincode's namespace in the world state (its name). */
  readonly namespace: string;
  /** Connection and REGISTER must happen before this time (epoch ms). */
  readonly deadline: number;
  readonly handler: RequestHandler;
  /** Aborts connecting and the handshake (the runtime was stopped). */
  readonly signal?: AbortSignal;
  /** Mutual TLS to the chaincode server; plaintext when absent. */
  readonly tls?: ChaincodeTls;
}

/** One transaction to run. */
export interface TransactionRequest {
  readonly channelId: string;
  readonly txId: string;
  readonly signedProposal: peer.SignedProposal;
  readonly input: peer.ChaincodeInput;
  readonly simulator: TxSimulator;
  readonly timeoutMs: number;
}

interface PendingTx {
  readonly ctx: TransactionContext;
  /** Requests of the transaction, served one after the other. */
  queue: Promise<void>;
  readonly resolve: (msg: peer.ChaincodeMessage) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Why the stream closed, as passed to {@link ChaincodeConnection.onClosed} listeners. */
export type CloseListener = (reason: string) => void;

/** A registered, ready chaincode stream. */
export class ChaincodeConnection {
  private readonly pending = new Map<string, PendingTx>();
  private readonly closeListeners: CloseListener[] = [];
  private closedReason: string | undefined;

  private constructor(
    private readonly client: peer.ChaincodeClient,
    private readonly stream: Stream,
    private readonly opts: ConnectionOptions,
  ) {}

  /**
   * Dials the chaincode server, waits for its REGISTER (checking the chaincode ID) and answers
   * REGISTERED then READY (empty payload), as Fabric's `HandleRegister` and `sendReady` do.
   * @throws {ChaincodeStartError} `TIMEOUT` or `HANDSHAKE`.
   */
  static async open(opts: ConnectionOptions): Promise<ChaincodeConnection> {
    const credentials = opts.tls
      ? grpc.credentials.createSsl(
          Buffer.from(opts.tls.caPem),
          Buffer.from(opts.tls.clientKeyPem),
          Buffer.from(opts.tls.clientCertPem),
        )
      : grpc.credentials.createInsecure();
    const client = new peer.ChaincodeClient(opts.address, credentials, {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      ...(opts.tls?.serverName === undefined ? {} : { 'grpc.ssl_target_name_override': opts.tls.serverName }),
    });
    const onAbort = (): void => {
      client.close();
    };
    opts.signal?.addEventListener('abort', onAbort);
    try {
      await new Promise<void>((resolve, reject) => {
        client.waitForReady(opts.deadline, (err) => {
          if (err)
            reject(
              new ChaincodeStartError(
                'TIMEOUT',
                `could not connect to chaincode at ${opts.address}: ${err.message}`,
              ),
            );
          else resolve();
        });
      });
      if (opts.signal?.aborted === true)
        throw new ChaincodeStartError('STOPPED', 'chaincode runtime stopped while starting');
      const stream = client.connect();
      const conn = new ChaincodeConnection(client, stream, opts);
      await conn.handshake();
      return conn;
    } catch (err) {
      client.close();
      if (opts.signal?.aborted === true)
        throw new ChaincodeStartError('STOPPED', 'chaincode runtime stopped while starting');
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Whether the stream is open. */
  get open(): boolean {
    return this.closedReason === undefined;
  }

  /** Number of transactions executing on this stream. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Registers a listener called once when the stream closes for any reason other than {@link ChaincodeConnection.close}. */
  onClosed(listener: CloseListener): void {
    this.closeListeners.push(listener);
  }

  private handshake(): Promise<void> {
    const { stream, opts } = this;
    return new Promise<void>((resolve, reject) => {
      const fail = (message: string): void => {
        cleanup();
        stream.on('error', () => undefined); // the cancellation below surfaces as an error
        stream.cancel();
        reject(new ChaincodeStartError('HANDSHAKE', message));
      };
      const onData = (msg: peer.ChaincodeMessage): void => {
        cleanup();
        if (msg.getType() !== MsgType.REGISTER) {
          fail(`expected REGISTER from the chaincode, received ${messageTypeName(msg.getType())}`);
          return;
        }
        let name: string;
        try {
          name = peer.ChaincodeID.deserializeBinary(msg.getPayload_asU8()).getName();
        } catch (err) {
          fail(`could NOT unmarshal registration info: ${String(err)}`);
          return;
        }
        if (name !== opts.chaincodeId) {
          fail(
            `chaincode registered as ${JSON.stringify(name)}, expected ${JSON.stringify(opts.chaincodeId)}`,
          );
          return;
        }
        this.attach();
        this.write(chaincodeMessage(MsgType.REGISTERED));
        this.write(chaincodeMessage(MsgType.READY));
        resolve();
      };
      const onError = (err: Error): void => {
        fail(`chaincode stream failed before REGISTER: ${err.message}`);
      };
      const onEnd = (): void => {
        fail('chaincode closed the stream before REGISTER');
      };
      const timer = setTimeout(
        () => {
          fail(`no REGISTER from chaincode at ${opts.address} in time`);
        },
        Math.max(0, opts.deadline - Date.now()),
      );
      const onAbort = (): void => {
        fail('chaincode runtime stopped while starting');
      };
      opts.signal?.addEventListener('abort', onAbort);
      const cleanup = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        stream.off('data', onData);
        stream.off('error', onError);
        stream.off('end', onEnd);
      };
      stream.on('data', onData);
      stream.on('error', onError);
      stream.on('end', onEnd);
    });
  }

  private attach(): void {
    this.stream.on('data', (msg: peer.ChaincodeMessage) => {
      this.onMessage(msg);
    });
    this.stream.on('error', (err: Error) => {
      this.terminate(`stream failed: ${err.message}`);
    });
    this.stream.on('end', () => {
      this.terminate('stream ended by the chaincode');
    });
  }

  /**
   * Sends TRANSACTION and resolves with the chaincode's COMPLETED or ERROR message.
   * @throws {ChaincodeExecutionError} `DUPLICATE_TXID`, `TIMEOUT`, or whatever error the
   *   connection was closed with.
   */
  execute(req: TransactionRequest): Promise<peer.ChaincodeMessage> {
    if (this.closedReason !== undefined) {
      return Promise.reject(
        new ChaincodeExecutionError(
          'TERMINATED',
          `chaincode ${this.opts.namespace} terminated: ${this.closedReason}`,
        ),
      );
    }
    const key = contextKey(req.channelId, req.txId);
    if (this.pending.has(key)) {
      return Promise.reject(
        new ChaincodeExecutionError('DUPLICATE_TXID', `txid: ${req.txId}(${req.channelId}) exists`),
      );
    }
    const msg = chaincodeMessage(MsgType.TRANSACTION, {
      txId: req.txId,
      channelId: req.channelId,
      payload: req.input.serializeBinary(),
    });
    msg.setProposal(req.signedProposal);
    return new Promise<peer.ChaincodeMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const tx = this.pending.get(key);
        if (!tx) return;
        this.pending.delete(key);
        void tx.ctx.queries.closeAll();
        reject(new ChaincodeExecutionError('TIMEOUT', 'timeout expired while executing transaction'));
      }, req.timeoutMs);
      this.pending.set(key, {
        ctx: {
          channelId: req.channelId,
          txId: req.txId,
          namespace: this.opts.namespace,
          simulator: req.simulator,
          queries: new QueryContexts(),
        },
        queue: Promise.resolve(),
        resolve,
        reject,
        timer,
      });
      this.write(msg);
    });
  }

  /**
   * Closes the stream and the channel; transactions in flight are rejected with `reason`. Close
   * listeners are not called.
   */
  close(reason: Error): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason.message;
    this.failAll(reason);
    this.stream.cancel();
    this.client.close();
  }

  private onMessage(msg: peer.ChaincodeMessage): void {
    const type = msg.getType();
    if (type === MsgType.KEEPALIVE) return;
    const key = contextKey(msg.getChannelId(), msg.getTxid());
    const tx = this.pending.get(key);
    if (type === MsgType.COMPLETED || type === MsgType.ERROR) {
      if (!tx) return; // Fabric ignores notifications for unknown (e.g. timed-out) transactions.
      // Let the transaction's requests already received finish, then notify (Fabric's `Notify`).
      const notify = async (): Promise<void> => {
        if (this.pending.get(key) !== tx) return;
        this.pending.delete(key);
        clearTimeout(tx.timer);
        await tx.ctx.queries.closeAll();
        tx.resolve(msg);
      };
      void tx.queue.then(notify, notify);
      return;
    }
    if (!REQUEST_TYPES.has(type)) {
      this.terminate(
        `[${msg.getTxid()}] Fabric side handler cannot handle message (${messageTypeName(type)}) while in ready state`,
      );
      return;
    }
    const serve = async (): Promise<void> => {
      const current = this.pending.get(key) === tx ? tx : undefined;
      const response = await this.opts.handler.handle(msg, current?.ctx);
      this.write(response);
    };
    if (!tx) {
      void serve();
      return;
    }
    // Fabric drops a second concurrent request of one transaction; fabric-shim never sends one
    // (it queues per transaction), so requests are simply served in arrival order here.
    tx.queue = tx.queue.then(serve, serve);
  }

  private write(msg: peer.ChaincodeMessage): void {
    if (this.closedReason !== undefined) return;
    try {
      this.stream.write(msg);
    } catch (err) {
      this.terminate(`send failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const tx of all) {
      clearTimeout(tx.timer);
      void tx.ctx.queries.closeAll();
      tx.reject(err);
    }
  }

  /** The stream broke: fail in-flight transactions and tell the listeners. */
  private terminate(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.failAll(
      new ChaincodeExecutionError('TERMINATED', `chaincode ${this.opts.namespace} terminated: ${reason}`),
    );
    this.stream.cancel();
    this.client.close();
    for (const listener of this.closeListeners) listener(reason);
  }
}
