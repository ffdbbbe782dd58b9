import type { WrappedDataKey } from '../crypto/hpke.js';

/**
 * What a requester gateway asks a provider gateway for: one report, under one committed access
 * receipt, for one request of one requester. Signed by the requesting officer (see
 * `transfer/request-signing.ts`).
 */
export interface TransferRequest {
  readonly v: 1;
  readonly requesterMsp: string;
  readonly providerMsp: string;
  /** The requester's request id (`RequestAccess`'s idempotency key). */
  readonly requestId: string;
  /** The granted receipt (64 lower-case hex). */
  readonly receiptId: string;
  readonly reportId: string;
  /** 32 lower-case hex of fresh randomness. */
  readonly nonce: string;
  /** When the officer signed (ISO 8601 UTC); providers refuse requests outside a short window. */
  readonly issuedAt: string;
}

/** A transfer request with the officer's certificate and signature. */
export interface SignedTransferRequest {
  readonly request: TransferRequest;
  /** The officer's X.509 enrolment certificate (PEM). */
  readonly signerCertPem: string;
  /** Base64 DER ECDSA-SHA256 (or the key's own scheme) signature over the canonical JSON of `request`. */
  readonly signature: string;
}

/** What a provider releases: ciphertext, commitment salt and the data key wrapped to the requester org. */
export interface TransferPayload {
  readonly reportId: string;
  readonly receiptId: string;
  /** Base64 of the report ciphertext as anchored. */
  readonly ciphertext: string;
  /** Base64 of the 32-byte commitment salt. */
  readonly salt: string;
  /** The data key wrapped (HPKE) to the requester organisation's published key, bound to report and receipt. */
  readonly wrappedKey: WrappedDataKey;
}

/** Why a transfer did not happen. */
export type PeerTransportErrorCode =
  /** The provider gateway could not be reached or failed; retryable. */
  | 'PROVIDER_UNAVAILABLE'
  /** The provider gateway refused; `providerCode` says why. */
  | 'PROVIDER_REFUSED';

/** A failed transfer call. */
export class PeerTransportError extends Error {
  readonly code: PeerTransportErrorCode;
  /** The provider's problem code, for `PROVIDER_REFUSED`. */
  readonly providerCode: string | undefined;
  readonly retryable: boolean;

  constructor(
    code: PeerTransportErrorCode,
    message: string,
    options: Readonly<{ cause?: unknown; providerCode?: string }> = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = PeerTransportError.name;
    this.code = code;
    this.providerCode = options.providerCode;
    this.retryable = code === 'PROVIDER_UNAVAILABLE';
  }
}

/**
 * Gateway-to-gateway transport.
 *
 * Responsibilities: deliver a signed transfer request to the gateway of `providerMsp` over a
 * mutually authenticated channel (each side's TLS certificate from its organisation's TLS CA) and
 * return its payload; report an unreachable or failing provider as the retryable
 * `PROVIDER_UNAVAILABLE` and a refusal as `PROVIDER_REFUSED` with the provider's code. It does not
 * interpret the payload: the requester verifies it against the ledger.
 *
 * Adapters: `HttpsPeerTransport` (mTLS HTTPS).
 */
export interface PeerTransport {
  /**
   * @throws {@link PeerTransportError}
   */
  requestTransfer(providerMsp: string, request: SignedTransferRequest): Promise<TransferPayload>;
}
