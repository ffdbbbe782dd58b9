import { request as httpsRequest } from 'node:https';
import {
  PeerTransportError,
  type PeerTransport,
  type SignedTransferRequest,
  type TransferPayload,
} from '../ports/peer-transport.js';
import { interpretTransferResponse } from './transfer-response.js';

/** Where another member's gateway is and how to trust it. */
export interface PeerGatewayEndpoint {
  /** `https://host:port`. */
  readonly url: string;
  /** PEM of that organisation's TLS CA. */
  readonly tlsCaPem: string;
  /** TLS server name to verify, when it differs from the URL's host. */
  readonly servername?: string;
}

/** Options of {@link HttpsPeerTransport}. */
export interface HttpsPeerTransportOptions {
  readonly peers: Readonly<Record<string, PeerGatewayEndpoint>>;
  /** This gateway's TLS client certificate and key (from its organisation's TLS CA). */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** Default 15 s. */
  readonly timeoutMs?: number;
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * {@link PeerTransport} over HTTPS with mutual TLS: `POST <url>/peer/v1/transfers`, the provider's
 * certificate verified against its organisation's TLS CA, this gateway's client certificate
 * presented. Connection failures and timeouts are `PROVIDER_UNAVAILABLE`.
 */
export class HttpsPeerTransport implements PeerTransport {
  readonly #options: HttpsPeerTransportOptions;

  constructor(options: HttpsPeerTransportOptions) {
    this.#options = options;
  }

  requestTransfer(providerMsp: string, signed: SignedTransferRequest): Promise<TransferPayload> {
    const peer = this.#options.peers[providerMsp];
    if (!peer)
      return Promise.reject(
        new PeerTransportError('PROVIDER_REFUSED', `no gateway is configured for ${providerMsp}`, {
          providerCode: 'UNKNOWN_PROVIDER',
        }),
      );
    const url = new URL('/peer/v1/transfers', peer.url);
    const body = Buffer.from(JSON.stringify(signed));
    return new Promise((resolve, reject) => {
      const unavailable = (cause: unknown) =>
        new PeerTransportError('PROVIDER_UNAVAILABLE', `the gateway of ${providerMsp} cannot be reached`, {
          cause,
        });
      const req = httpsRequest(
        url,
        {
          method: 'POST',
          ca: peer.tlsCaPem,
          cert: this.#options.clientCertPem,
          key: this.#options.clientKeyPem,
          ...(peer.servername === undefined ? {} : { servername: peer.servername }),
          headers: { 'content-type': 'application/json', 'content-length': body.byteLength },
          timeout: this.#options.timeoutMs ?? 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('response too large'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            try {
              resolve(interpretTransferResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
            } catch (err) {
              reject(err instanceof Error ? err : unavailable(err));
            }
          });
          res.on('error', (err) => {
            reject(unavailable(err));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => {
        reject(unavailable(err));
      });
      req.end(body);
    });
  }
}
