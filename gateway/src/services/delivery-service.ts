/*
 * Delivery of this organisation's reports to another member (provider side, the `/peer` API):
 *
 *   1. the calling gateway (mTLS, its organisation's TLS CA) must be the request's requester, and
 *      this organisation its provider;
 *   2. the request must be signed by a certificate of the requester organisation's CA, recently,
 *      with a nonce not used for another request;
 *   3. the ledger must hold a granted receipt for exactly that requester, request and report, whose
 *      requester identity is the signer;
 *   4. RecordDelivery is committed — only then is the data key wrapped to the requester
 *      organisation's published HPKE key, bound to report and receipt, and released with the
 *      ciphertext and salt.
 *
 * A receipt is recorded delivered once. A request for a receipt already delivered to the same
 * requester (a retry whose answer was lost) is answered again within `redeliveryWindowMs`, without
 * a second ledger write. Anything that cannot be checked (ledger unreachable) releases nothing.
 */
import type { X509Certificate } from 'node:crypto';
import { createHash } from 'node:crypto';
import { canonicalize } from '../crypto/canonical.js';
import { encodeBase64 } from '../crypto/bytes.js';
import { HPKE_SUITE, wrapDataKey } from '../crypto/hpke.js';
import { LedgerError } from '../ports/ledger-error.js';
import type { LedgerReceipt } from '../ports/ledger-records.js';
import type { SignedTransferRequest, TransferPayload, TransferRequest } from '../ports/peer-transport.js';
import { checkTransferRequest, isActor } from '../transfer/request-signing.js';
import type { ActiveReport } from '../vault/types.js';
import type { ServiceDeps } from './context.js';
import { ServiceError } from './errors.js';
import { vaultFailure } from './idempotency.js';
import { KeyedLock } from './keyed-lock.js';

/** How often a receipt not found on this peer is asked for again (about 3 s in all). */
const RECEIPT_RETRIES = 8;
import { dataKeyOf } from './own-key.js';

/** What delivery needs beyond the common services. */
export interface DeliveryDeps {
  /** The wallet user that records deliveries on the ledger (a member of this organisation). */
  readonly transferUser: string;
  /** The signing CAs of each member organisation whose officers may request transfers. */
  readonly signingCas: ReadonlyMap<string, readonly X509Certificate[]>;
  /** How far a request's `issuedAt` may be from now; default 5 minutes. */
  readonly maxSkewMs?: number;
  /** How long after its delivery a receipt may be delivered again to its requester; default 1 hour. */
  readonly redeliveryWindowMs?: number;
}

const DEFAULT_SKEW_MS = 5 * 60_000;
const DEFAULT_REDELIVERY_MS = 60 * 60_000;

/** Delivers this organisation's reports to requesters holding a granted receipt. */
export class DeliveryService {
  readonly #deps: ServiceDeps;
  readonly #delivery: DeliveryDeps;
  readonly #lock = new KeyedLock();
  readonly #nonces = new Map<string, { readonly hash: string; readonly expires: number }>();

  constructor(deps: ServiceDeps, delivery: DeliveryDeps) {
    this.#deps = deps;
    this.#delivery = delivery;
  }

  /**
   * Answers a transfer request from the gateway of `peerMsp`.
   *
   * @throws {@link ServiceError} `INVALID_REQUEST`, `TRANSFER_FORBIDDEN`, `SIGNATURE_INVALID`,
   *   `REQUEST_EXPIRED`, `REQUEST_REPLAYED`, `RECEIPT_MISMATCH`, `RECEIPT_NOT_GRANTED`,
   *   `RECEIPT_ALREADY_DELIVERED`, `REPORT_NOT_FOUND`, `REPORT_ERASED`; {@link LedgerError}
   *   `RECEIPT_NOT_FOUND`, `LEDGER_UNAVAILABLE`, ...
   */
  async deliver(peerMsp: string, signed: SignedTransferRequest): Promise<TransferPayload> {
    const d = this.#deps;
    const now = d.clock.now();
    const check = checkTransferRequest(
      signed,
      this.#delivery.signingCas.get(peerMsp) ?? [],
      now,
      this.#delivery.maxSkewMs ?? DEFAULT_SKEW_MS,
    );
    if (!check.ok) {
      if (check.failure === 'MALFORMED')
        throw new ServiceError('INVALID_REQUEST', 'the transfer request is malformed');
      if (check.failure === 'REQUEST_EXPIRED')
        throw new ServiceError('REQUEST_EXPIRED', 'the request was signed outside the accepted window');
      throw new ServiceError(
        'SIGNATURE_INVALID',
        `the request is not signed by a certificate of ${peerMsp}'s CA`,
      );
    }
    const request = signed.request;
    if (request.requesterMsp !== peerMsp || request.providerMsp !== d.mspId)
      throw new ServiceError(
        'TRANSFER_FORBIDDEN',
        'the calling gateway is not the requester, or this gateway not the provider',
      );
    this.#checkNonce(request, now.getTime());
    return this.#lock.run(request.receiptId, async () => {
      const receipt = await this.#grantedReceipt(request, check.signer);
      const stored = await this.#stored(request.reportId);
      await this.#recordDelivery(request, receipt, now.getTime());
      return this.#release(request, stored);
    });
  }

  #checkNonce(request: TransferRequest, now: number): void {
    for (const [nonce, entry] of this.#nonces) if (entry.expires <= now) this.#nonces.delete(nonce);
    const hash = createHash('sha256').update(canonicalize(request)).digest('hex');
    const seen = this.#nonces.get(request.nonce);
    if (seen && seen.hash !== hash)
      throw new ServiceError('REQUEST_REPLAYED', 'the request nonce was used for another request');
    this.#nonces.set(request.nonce, {
      hash,
      expires: now + 2 * (this.#delivery.maxSkewMs ?? DEFAULT_SKEW_MS),
    });
  }

  /**
   * The receipt, read on this organisation's peer. The requester's gateway calls right after the
   * receipt committed on *its* peer; peers commit each block at slightly different moments, so a
   * receipt not (yet) found is asked for again for a short while before the refusal stands.
   */
  async #receipt(receiptId: string): Promise<LedgerReceipt> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#deps.ledger.getReceipt(this.#delivery.transferUser, receiptId);
      } catch (err) {
        if (!(err instanceof LedgerError) || err.code !== 'RECEIPT_NOT_FOUND' || attempt >= RECEIPT_RETRIES)
          throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 4)));
    }
  }

  async #grantedReceipt(request: TransferRequest, signer: X509Certificate): Promise<LedgerReceipt> {
    const receipt = await this.#receipt(request.receiptId);
    if (
      receipt.requester.mspId !== request.requesterMsp ||
      receipt.requestId !== request.requestId ||
      receipt.reportId !== request.reportId ||
      receipt.provider?.mspId !== this.#deps.mspId
    )
      throw new ServiceError(
        'RECEIPT_MISMATCH',
        'the receipt is for another requester, request, report or provider',
      );
    if (receipt.outcome !== 'granted')
      throw new ServiceError('RECEIPT_NOT_GRANTED', `the receipt denied access (${receipt.reason})`, {
        details: { reason: receipt.reason, receiptId: receipt.receiptId },
      });
    if (!isActor(signer, receipt.requester.id))
      throw new ServiceError(
        'TRANSFER_FORBIDDEN',
        'the request is not signed by the officer who requested access',
      );
    return receipt;
  }

  async #stored(reportId: string): Promise<ActiveReport> {
    let stored;
    try {
      stored = await this.#deps.vault.getReport(reportId);
    } catch (err) {
      throw vaultFailure(err);
    }
    if (!stored) throw new ServiceError('REPORT_NOT_FOUND', `this gateway holds no report ${reportId}`);
    if (stored.status === 'erased') throw new ServiceError('REPORT_ERASED', `report ${reportId} was erased`);
    return stored;
  }

  async #recordDelivery(request: TransferRequest, receipt: LedgerReceipt, now: number): Promise<void> {
    if (receipt.delivery === null) {
      try {
        await this.#deps.ledger.recordDelivery(this.#delivery.transferUser, {
          receiptId: request.receiptId,
          reportId: request.reportId,
          requesterMsp: request.requesterMsp,
          requestId: request.requestId,
        });
      } catch (err) {
        // Recorded a moment ago by another process of this gateway: the delivery is committed.
        if (!(err instanceof LedgerError) || err.code !== 'RECEIPT_ALREADY_DELIVERED') throw err;
      }
      return;
    }
    const window = this.#delivery.redeliveryWindowMs ?? DEFAULT_REDELIVERY_MS;
    if (now - Date.parse(receipt.delivery.at) > window)
      throw new ServiceError(
        'RECEIPT_ALREADY_DELIVERED',
        'the receipt was delivered and may not be delivered again',
        {
          details: { receiptId: receipt.receiptId },
        },
      );
  }

  async #release(request: TransferRequest, stored: ActiveReport): Promise<TransferPayload> {
    const profile = await this.#deps.ledger.getOrgProfile(this.#delivery.transferUser, request.requesterMsp);
    const key = profile.keys.find((k) => k.keyId === profile.activeKeyId && k.status === 'active');
    if (key?.suite !== HPKE_SUITE)
      throw new ServiceError(
        'TRANSFER_FORBIDDEN',
        `${request.requesterMsp} has no active ${HPKE_SUITE} key on the ledger`,
      );
    const dataKey = await dataKeyOf(this.#deps.keys, stored);
    try {
      const wrappedKey = await wrapDataKey({
        dataKey,
        recipientPublicKey: key.publicKey,
        keyId: key.keyId,
        reportId: request.reportId,
        receiptId: request.receiptId,
      });
      return {
        reportId: request.reportId,
        receiptId: request.receiptId,
        ciphertext: encodeBase64(stored.ciphertext),
        salt: encodeBase64(stored.salt),
        wrappedKey,
      };
    } finally {
      dataKey.fill(0);
    }
  }
}
