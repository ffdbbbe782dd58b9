/*
 * Who is calling. Officers: a bearer token issued by the gateway's admin (stored hashed), or a TLS
 * client certificate issued by one of the organisation's CAs and mapped to a wallet user by
 * configuration; either way the caller becomes one wallet user with one role, whose ledger identity
 * signs every transaction the request causes. Peer gateways (the `/peer` API): a TLS client
 * certificate issued by the TLS CA of another member organisation.
 *
 * The TLS server accepts certificates of several CAs (the organisation's own and the other
 * organisations' TLS CAs), so "the handshake verified it" is not enough: each authenticator checks
 * that the certificate was issued by the CAs it trusts.
 */
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { ApiTokens } from '../auth/tokens.js';
import type { Clock } from '../ports/clock.js';
import type { Caller, CallerRole } from '../services/context.js';
import { commonNameOf, issuedByAny, parseCas, parseCertificate } from '../transfer/certificates.js';
import { EdgeError } from './problem.js';

/** Maps a client certificate to a wallet user: by SHA-256 fingerprint, or by subject common name. */
export interface ClientCertificateMapping {
  /** `AB:CD:...` as Node's `fingerprint256`; matched case-insensitively. */
  readonly fingerprint256?: string;
  /** The subject CN, e.g. `User1@yangtze.creditchain.example`. */
  readonly subjectCn?: string;
  readonly user: string;
  readonly role: CallerRole;
}

/** A member organisation whose gateway may call this one's `/peer` API. */
export interface PeerGatewayTrust {
  readonly mspId: string;
  /** PEM of the organisation's TLS CA certificate(s): its gateway's client certificate must chain to one. */
  readonly tlsCaPems: readonly string[];
}

/** What the TLS layer says about the peer's certificate. */
export interface PeerCertificate {
  /** Whether the handshake verified it against one of the server's CAs. */
  readonly authorized: boolean;
  /** The DER certificate. */
  readonly raw: Uint8Array;
}

/** Reads the client certificate of a request, or `undefined` when none was presented. */
export type PeerCertificateReader = (request: FastifyRequest) => PeerCertificate | undefined;

/** The certificate Node's TLS socket received, when the request came over TLS with one. */
export const tlsPeerCertificate: PeerCertificateReader = (request) => {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (Object.keys(cert).length === 0) return undefined;
  return { authorized: socket.authorized === true, raw: cert.raw };
};

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  readonly tokens: ApiTokens;
  readonly clock: Clock;
  /** PEM CA certificates whose client certificates may be officers' (the organisation's CA). */
  readonly clientCaPems?: readonly string[];
  readonly clientCertificates?: readonly ClientCertificateMapping[];
  readonly peerGateways?: readonly PeerGatewayTrust[];
  readonly peerCertificate?: PeerCertificateReader;
}

const BEARER = /^Bearer ([^\s]+)$/;

/** Authenticates requests; see the module comment. */
export class Authenticator {
  readonly #tokens: ApiTokens;
  readonly #clock: Clock;
  readonly #clientCas: readonly X509Certificate[];
  readonly #mappings: readonly ClientCertificateMapping[];
  readonly #peers: readonly { readonly mspId: string; readonly cas: readonly X509Certificate[] }[];
  readonly #read: PeerCertificateReader;

  constructor(options: AuthenticatorOptions) {
    this.#tokens = options.tokens;
    this.#clock = options.clock;
    this.#clientCas = parseCas(options.clientCaPems ?? []);
    this.#mappings = options.clientCertificates ?? [];
    this.#peers = (options.peerGateways ?? []).map((p) => ({ mspId: p.mspId, cas: parseCas(p.tlsCaPems) }));
    this.#read = options.peerCertificate ?? tlsPeerCertificate;
  }

  /**
   * The officer calling `request`. A bearer token, when present, decides; otherwise the client certificate.
   *
   * @throws {@link EdgeError} `AUTH_REQUIRED`, `TOKEN_INVALID`, `CERTIFICATE_INVALID`,
   *   `CERTIFICATE_UNKNOWN`; AuthError `TOKEN_UNKNOWN` / `TOKEN_EXPIRED` / `TOKEN_REVOKED`
   */
  async authenticate(request: FastifyRequest): Promise<Caller> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = BEARER.exec(header)?.[1];
      if (token === undefined)
        throw new EdgeError('TOKEN_INVALID', 'the Authorization header must be "Bearer <token>"');
      const info = await this.#tokens.verify(token);
      return { user: info.user, role: info.role };
    }
    const cert = this.#certificate(request, this.#clientCas);
    const fingerprint = cert.fingerprint256.toUpperCase();
    const cn = commonNameOf(cert);
    const mapping =
      this.#mappings.find((m) => m.fingerprint256?.toUpperCase() === fingerprint) ??
      this.#mappings.find((m) => m.subjectCn !== undefined && m.subjectCn === cn);
    if (!mapping)
      throw new EdgeError('CERTIFICATE_UNKNOWN', 'the client certificate is not mapped to a user');
    return { user: mapping.user, role: mapping.role };
  }

  /**
   * The member organisation whose gateway is calling the `/peer` API.
   *
   * @throws {@link EdgeError} `AUTH_REQUIRED`, `CERTIFICATE_INVALID`
   */
  authenticatePeer(request: FastifyRequest): string {
    const cert = this.#certificate(
      request,
      this.#peers.flatMap((p) => p.cas),
    );
    const now = this.#clock.now();
    const peer = this.#peers.find((p) => issuedByAny(cert, p.cas, now));
    if (!peer)
      throw new EdgeError('CERTIFICATE_INVALID', 'the client certificate is not from a member gateway');
    return peer.mspId;
  }

  #certificate(request: FastifyRequest, cas: readonly X509Certificate[]): X509Certificate {
    const presented = this.#read(request);
    if (!presented) throw new EdgeError('AUTH_REQUIRED', 'present a bearer token or a client certificate');
    const cert = parseCertificate(presented.raw);
    if (!presented.authorized || !cert || !issuedByAny(cert, cas, this.#clock.now()))
      throw new EdgeError('CERTIFICATE_INVALID', 'the client certificate is not issued by a trusted CA');
    return cert;
  }
}
