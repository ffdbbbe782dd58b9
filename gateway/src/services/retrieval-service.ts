/*
 * Retrieval of another member's report (requester side):
 *
 *   1. RequestAccess on the ledger as the officer, under a request id derived from the idempotency
 *      key: retries return the same receipt and never write a second one; a denial is final and
 *      answered with the receipt's reason;
 *   2. a transfer request signed by the officer goes to the provider's gateway (PeerTransport);
 *   3. the received data key must open with this organisation's key for exactly this report and
 *      receipt, the ciphertext must decrypt, and ciphertext hash, commitment and size bucket must
 *      match the ledger anchor; otherwise nothing is returned.
 *
 * Only the receipt part is stored for replay (never a plaintext); a replay fetches from the
 * provider again, which repeats the delivery of that receipt without a new ledger write.
 */
import { createHash } from 'node:crypto';
import { decodeBase64 } from '../crypto/bytes.js';
import { unwrapDataKey } from '../crypto/hpke.js';
import { openReport, verifyAnchor, type SizeBucket } from '../crypto/payload.js';
import { LedgerError } from '../ports/ledger-error.js';
import type { LedgerReport } from '../ports/ledger-records.js';
import { PeerTransportError, type PeerTransport, type TransferPayload } from '../ports/peer-transport.js';
import { signTransferRequest } from '../transfer/request-signing.js';
import type { JsonValue } from '../vault/types.js';
import type { Identity } from '../wallet/wallet.js';
import type { Caller, ServiceDeps } from './context.js';
import { ServiceError } from './errors.js';
import type { IdempotentOutcome } from './idempotency.js';
import { anchorView, type AnchorView } from './views.js';

/** What to retrieve, under which consent, for which purpose. */
export interface RetrieveInput {
  readonly reportId: string;
  readonly consentId: string;
  readonly purpose: string;
}

/** The receipt part of a retrieval: what is stored for replays. */
export type RetrievalReceiptView = {
  readonly reportId: string;
  readonly requestId: string;
  readonly receiptId: string;
  readonly providerMsp: string;
  readonly txId: string;
  readonly block: number;
};

/** A retrieved report: the receipt and the verified, decrypted report. */
export type RetrievedReportView = RetrievalReceiptView & {
  readonly category: string;
  readonly schemaVersion: string;
  readonly subjectRef: string;
  readonly payload: JsonValue;
  readonly anchor: AnchorView;
};

/** What retrieval needs beyond the common services. */
export interface RetrievalDeps {
  readonly transport: PeerTransport;
  /** The officer's ledger identity (wallet), to sign transfer requests with. */
  readonly identityOf: (user: string) => Promise<Identity | undefined>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The request id of a retrieval, derived from the scoped idempotency key. */
export function requestIdFor(mspId: string, scopedKey: string): string {
  const digest = createHash('sha256')
    .update(`creditchain/request-id/v1\0${mspId}\0${scopedKey}`, 'utf8')
    .digest('hex');
  return `req-${digest.slice(0, 40)}`;
}

function tampered(what: string, cause?: unknown): ServiceError {
  return new ServiceError('TRANSFER_TAMPERED', `the received report ${what}; nothing was released`, {
    cause,
  });
}

/** Retrieves reports of other members against consents recorded on the ledger. */
export class RetrievalService {
  readonly #deps: ServiceDeps;
  readonly #retrieval: RetrievalDeps;

  constructor(deps: ServiceDeps, retrieval: RetrievalDeps) {
    this.#deps = deps;
    this.#retrieval = retrieval;
  }

  /**
   * Requests access and, when granted, fetches, verifies and decrypts the report.
   *
   * @throws {@link ServiceError} `ACCESS_DENIED` (with `reason` and `receiptId`), `PROVIDER_UNAVAILABLE`
   *   (retry with the same key), `PROVIDER_REFUSED`, `TRANSFER_TAMPERED`, `KEY_UNAVAILABLE`;
   *   {@link LedgerError} `REPORT_NOT_FOUND`, `REQUEST_CONFLICT`, `LEDGER_UNAVAILABLE`, ...
   */
  async retrieve(
    caller: Caller,
    input: RetrieveInput,
    idempotencyKey: string | undefined,
  ): Promise<IdempotentOutcome<RetrievedReportView>> {
    const d = this.#deps;
    const receipt = await d.idempotency.run<RetrievalReceiptView>(
      { user: caller.user, key: idempotencyKey, fingerprint: { op: 'retrieve', ...input } },
      async (scoped) => {
        const requestId = requestIdFor(d.mspId, scoped);
        const committed = await d.ledger.requestAccess(caller.user, { requestId, ...input });
        const r = committed.value;
        if (r.outcome !== 'granted' || r.provider === null)
          throw new ServiceError(
            'ACCESS_DENIED',
            `access to report ${input.reportId} was denied (${r.reason})`,
            {
              details: { reason: r.reason, receiptId: r.receiptId },
            },
          );
        return {
          status: 200,
          body: {
            reportId: input.reportId,
            requestId,
            receiptId: r.receiptId,
            providerMsp: r.provider.mspId,
            txId: committed.txId,
            block: committed.blockNumber,
          },
        };
      },
    );
    const anchor = await d.ledger.getReport(caller.user, input.reportId);
    const payload = await this.#fetch(caller, receipt.body);
    const plaintext = await this.#open(payload, receipt.body, anchor);
    return {
      status: 200,
      replayed: receipt.replayed,
      body: {
        ...receipt.body,
        category: anchor.category,
        schemaVersion: anchor.schemaVersion,
        subjectRef: anchor.subjectRef,
        payload: JSON.parse(decoder.decode(plaintext)) as JsonValue,
        anchor: anchorView(anchor),
      },
    };
  }

  async #fetch(caller: Caller, receipt: RetrievalReceiptView): Promise<TransferPayload> {
    const d = this.#deps;
    const identity = await this.#retrieval.identityOf(caller.user);
    if (!identity)
      throw new LedgerError(
        'IDENTITY_NOT_FOUND',
        `the wallet holds no ledger identity for user ${caller.user}`,
      );
    const signed = signTransferRequest(
      identity,
      {
        requesterMsp: d.mspId,
        providerMsp: receipt.providerMsp,
        requestId: receipt.requestId,
        receiptId: receipt.receiptId,
        reportId: receipt.reportId,
      },
      d.clock.now(),
    );
    try {
      return await this.#retrieval.transport.requestTransfer(receipt.providerMsp, signed);
    } catch (err) {
      if (!(err instanceof PeerTransportError)) throw err;
      if (err.retryable)
        throw new ServiceError(
          'PROVIDER_UNAVAILABLE',
          `the gateway of ${receipt.providerMsp} cannot be reached`,
          {
            cause: err,
            retryable: true,
          },
        );
      throw new ServiceError(
        'PROVIDER_REFUSED',
        `the gateway of ${receipt.providerMsp} refused the transfer`,
        {
          cause: err,
          details: { providerCode: err.providerCode ?? 'UNKNOWN', receiptId: receipt.receiptId },
        },
      );
    }
  }

  async #open(
    payload: TransferPayload,
    receipt: RetrievalReceiptView,
    anchor: LedgerReport,
  ): Promise<Uint8Array> {
    if (payload.reportId !== receipt.reportId || payload.receiptId !== receipt.receiptId)
      throw tampered('is for another report or receipt');
    const privateKey = await this.#deps.keys.privateKey(payload.wrappedKey.keyId);
    if (!privateKey)
      throw new ServiceError('KEY_UNAVAILABLE', `this organisation holds no key ${payload.wrappedKey.keyId}`);
    const ciphertext = decodeBase64(payload.ciphertext);
    const salt = decodeBase64(payload.salt);
    if (!ciphertext || !salt) throw tampered('is not well-formed');
    let dataKey: Uint8Array;
    try {
      dataKey = await unwrapDataKey(payload.wrappedKey, privateKey, {
        reportId: receipt.reportId,
        receiptId: receipt.receiptId,
      });
    } catch (cause) {
      throw tampered('key does not open for this report and receipt', cause);
    } finally {
      privateKey.fill(0);
    }
    let plaintext: Uint8Array;
    try {
      plaintext = openReport({ ciphertext, dataKey });
    } catch (cause) {
      throw tampered('does not decrypt', cause);
    } finally {
      dataKey.fill(0);
    }
    const check = verifyAnchor(
      { ciphertext, salt, plaintext },
      {
        ciphertextHash: anchor.ciphertextHash,
        commitment: anchor.commitment,
        sizeBucket: anchor.sizeBucket as SizeBucket,
      },
    );
    if (!check.ok) throw tampered(`does not match its anchor (${check.failed.join(', ')})`);
    return plaintext;
  }
}
