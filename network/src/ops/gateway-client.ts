import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, type Gateway, type Signer } from '@hyperledger/fabric-gateway';
import { signLowS } from '../crypto/signing.js';

/** A peer to connect to, as `NetworkHandle.peers` lists them. */
export interface GatewayPeer {
  readonly address: string;
  readonly hostAlias: string;
  readonly tls: boolean;
  readonly tlsRootCertPem: string;
}

/** A user's signing identity. */
export interface GatewayUser {
  readonly mspId: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** An open gateway connection; `close()` releases the gRPC channel. */
export interface GatewaySession {
  readonly gateway: Gateway;
  close(): void;
}

/**
 * A fabric-gateway signer over the whole message (use with `hash.none`): SHA-256 and ECDSA P-256 in
 * one node:crypto (OpenSSL) call, DER with S normalised to the lower half as Fabric requires — the
 * same signatures as the client's default pure-JavaScript signer, without its millisecond of CPU
 * per signature (which made the benchmark's load client the limit of what it measured).
 */
export function nodeCryptoSigner(keyPem: string): Signer {
  const key = createPrivateKey(keyPem);
  return (message) => Promise.resolve(signLowS(key, message));
}

/**
 * Connects the unmodified `@hyperledger/fabric-gateway` client to `peer` as `user`, exactly as a
 * Fabric application would (TLS with the peer's host name as `ssl_target_name_override`), signing
 * with {@link nodeCryptoSigner}.
 */
export function connectGateway(peer: GatewayPeer, user: GatewayUser, timeoutMs = 60_000): GatewaySession {
  const credentials = peer.tls
    ? grpc.credentials.createSsl(Buffer.from(peer.tlsRootCertPem))
    : grpc.credentials.createInsecure();
  const client = new grpc.Client(peer.address, credentials, {
    'grpc.ssl_target_name_override': peer.hostAlias,
  });
  const deadline = (): { deadline: number } => ({ deadline: Date.now() + timeoutMs });
  const gateway = connect({
    client,
    identity: { mspId: user.mspId, credentials: Buffer.from(user.certPem) },
    hash: hash.none,
    signer: nodeCryptoSigner(user.keyPem),
    evaluateOptions: deadline,
    endorseOptions: deadline,
    submitOptions: deadline,
    commitStatusOptions: deadline,
  });
  return {
    gateway,
    close() {
      gateway.close();
      client.close();
    },
  };
}

/** Everything a gateway error says, including the peers' error details (where chaincode codes appear). */
export function gatewayErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const details = (err as { details?: unknown }).details;
  const extra = Array.isArray(details)
    ? details.map((d: unknown) =>
        d && typeof d === 'object' ? String((d as { message?: unknown }).message) : '',
      )
    : [];
  const cause = err.cause instanceof Error ? [err.cause.message] : [];
  return [err.message, ...extra, ...cause].join('; ');
}
