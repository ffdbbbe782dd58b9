import { canonicalize } from '../crypto/canonical.js';
import { CONSENT_TYPES, consentDigest, type ConsentMessage } from '../crypto/eip712-consent.js';
import { LedgerError } from '../ports/ledger-error.js';
import type { Caller, ServiceDeps } from './context.js';
import { ServiceError } from './errors.js';
import type { IdempotentOutcome } from './idempotency.js';
import { consentView, type ConsentTxView, type ConsentView } from './views.js';

const HEX64 = /^[0-9a-f]{64}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
/** The fields of the EIP-712 `Consent` type the contract verifies. */
const CONSENT_FIELDS: readonly string[] = (CONSENT_TYPES.Consent ?? []).map((f) => f.name);

/** A consent as the enterprise signed it (EIP-712 `Consent`) with its signature. */
export interface RecordConsentInput {
  readonly consent: unknown;
  readonly signature: string;
}

function checkSignature(signature: unknown, name: string): string {
  if (typeof signature !== 'string' || !SIGNATURE.test(signature))
    throw new ServiceError('INVALID_REQUEST', `${name} must be a 0x-prefixed 65-byte signature`);
  return signature;
}

function checkConsentId(consentId: string): string {
  if (!HEX64.test(consentId))
    throw new ServiceError('INVALID_REQUEST', 'consentId must be 64 lower-case hex characters');
  return consentId;
}

function consentMessage(value: unknown): ConsentMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ServiceError('INVALID_REQUEST', 'consent must be the signed EIP-712 Consent message');
  const keys = Object.keys(value);
  const missing = CONSENT_FIELDS.filter((f) => !keys.includes(f));
  const extra = keys.filter((k) => !CONSENT_FIELDS.includes(k));
  if (missing.length > 0 || extra.length > 0)
    throw new ServiceError(
      'INVALID_REQUEST',
      `consent must have exactly the fields ${CONSENT_FIELDS.join(', ')}`,
    );
  return value as ConsentMessage;
}

/**
 * Consents granted to this organisation's institutions: recorded on the ledger by the grantee
 * officer, revoked by the grantee or with the subject's signature.
 */
export class ConsentService {
  readonly #deps: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  /**
   * `RecordConsent`. The contract checks the signature against the subject's registered key, the
   * grantee against the caller, categories, purpose and window.
   *
   * @throws {@link ServiceError} `INVALID_REQUEST`, `IDEMPOTENCY_*`; {@link LedgerError}
   *   `BAD_SIGNATURE`, `SIGNER_UNKNOWN`, `NONCE_REPLAYED`, `ORG_FORBIDDEN`, `CONSENT_EXPIRED`, ...
   */
  async record(
    caller: Caller,
    input: RecordConsentInput,
    idempotencyKey: string | undefined,
  ): Promise<IdempotentOutcome<ConsentTxView>> {
    const d = this.#deps;
    const message = consentMessage(input.consent);
    const signature = checkSignature(input.signature, 'signature');
    let consentJson: string;
    let consentId: string;
    try {
      consentJson = canonicalize(message);
      consentId = consentDigest(d.channel, message);
    } catch (cause) {
      throw new ServiceError('INVALID_REQUEST', 'consent is not a well-formed EIP-712 Consent message', {
        cause,
      });
    }
    return d.idempotency.run(
      {
        user: caller.user,
        key: idempotencyKey,
        fingerprint: { op: 'recordConsent', consentJson, signature },
      },
      async () => {
        try {
          const committed = await d.ledger.recordConsent(caller.user, consentJson, signature);
          return {
            status: 201,
            body: {
              txId: committed.txId,
              block: committed.blockNumber,
              consent: consentView(committed.value),
            },
          };
        } catch (err) {
          // A first attempt that committed but lost its answer: the nonce is spent by this very consent.
          if (!(err instanceof LedgerError) || err.code !== 'NONCE_REPLAYED') throw err;
          const existing = await d.ledger.getConsent(caller.user, consentId).catch(() => undefined);
          if (existing?.signature !== signature) throw err;
          const status = await d.ledger.commitStatus(caller.user, existing.recordedTx);
          return {
            status: 201,
            body: { txId: existing.recordedTx, block: status.blockNumber, consent: consentView(existing) },
          };
        }
      },
    );
  }

  /**
   * `RevokeConsent`: with the subject's `ConsentRevocation` signature, or without one as the grantee.
   * Revoking a consent that the same party (subject or grantee) already revoked answers with that
   * revocation, so a retry whose first answer was lost succeeds.
   *
   * @throws {@link ServiceError} `INVALID_REQUEST`, `IDEMPOTENCY_*`; {@link LedgerError}
   *   `CONSENT_NOT_FOUND`, `CONSENT_REVOKED`, `BAD_SIGNATURE`, `ORG_FORBIDDEN`, ...
   */
  async revoke(
    caller: Caller,
    consentId: string,
    signature: string | undefined,
    idempotencyKey: string | undefined,
  ): Promise<IdempotentOutcome<ConsentTxView>> {
    const d = this.#deps;
    checkConsentId(consentId);
    if (signature !== undefined) checkSignature(signature, 'signature');
    return d.idempotency.run(
      {
        user: caller.user,
        key: idempotencyKey,
        fingerprint: { op: 'revokeConsent', consentId, signature: signature ?? null },
      },
      async () => {
        try {
          const committed = await d.ledger.revokeConsent(caller.user, consentId, signature);
          return {
            status: 200,
            body: {
              txId: committed.txId,
              block: committed.blockNumber,
              consent: consentView(committed.value),
            },
          };
        } catch (err) {
          if (!(err instanceof LedgerError) || err.code !== 'CONSENT_REVOKED') throw err;
          const existing = await d.ledger.getConsent(caller.user, consentId);
          const by = signature === undefined ? 'grantee' : 'subject';
          if (existing.revocation?.by !== by) throw err;
          const status = await d.ledger.commitStatus(caller.user, existing.revocation.tx);
          return {
            status: 200,
            body: { txId: existing.revocation.tx, block: status.blockNumber, consent: consentView(existing) },
          };
        }
      },
    );
  }

  /**
   * A consent granted to this organisation.
   *
   * @throws {@link ServiceError} `INVALID_REQUEST`; {@link LedgerError} `CONSENT_NOT_FOUND`, `ORG_FORBIDDEN`
   */
  async get(caller: Caller, consentId: string): Promise<ConsentView> {
    return consentView(await this.#deps.ledger.getConsent(caller.user, checkConsentId(consentId)));
  }
}
