/**
 * The load client's gateway connection: the unmodified `@hyperledger/fabric-gateway` client over
 * TLS, as `network/src/ops/gateway-client.ts` connects it, but signing with node:crypto (OpenSSL)
 * instead of the client's default pure-JavaScript signer, so that the load generator does not spend
 * a millisecond of CPU per signature and become the limit of what it measures. The messages and
 * signatures on the wire are the same: ECDSA P-256 over SHA-256, DER, low S.
 */
import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, type Signer } from '@hyperledger/fabric-gateway';
import { signLowS } from '../../network/src/crypto/signing.js';
import type { GatewayPeer, GatewaySession, GatewayUser } from '../../network/src/ops/gateway-client.js';

/**
 * A fabric-gateway signer over the whole message (use with `hash.none`): SHA-256 and ECDSA in one
 * OpenSSL call, S normalised to the lower half as Fabric requires.
 */
export function nodeCryptoSigner(keyPem: string): Signer {
  const key = createPrivateKey(keyPem);
  return (message) => Promise.resolve(signLowS(key, message));
}

/** Connects `user` to `peer` (TLS with the peer's host name as `ssl_target_name_override`). */
export function connectLoadGateway(peer: GatewayPeer, user: GatewayUser, timeoutMs: number): GatewaySession {
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
