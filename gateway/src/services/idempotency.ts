import { createHash } from 'node:crypto';
import { canonicalize } from '../crypto/canonical.js';
import type { Clock } from '../ports/clock.js';
import { LedgerError } from '../ports/ledger-error.js';
import type { JsonValue } from '../vault/types.js';
import type { Vault } from '../vault/vault.js';
import { VaultError } from '../vault/errors.js';
import { ReplayedRefusal, ServiceError, type ServiceErrorDetails } from './errors.js';
import { KeyedLock } from './keyed-lock.js';

const CLIENT_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A state-changing request as far as idempotency is concerned. */
export interface IdempotentRequest {
  /** The acting wallet user: keys are scoped per user. */
  readonly user: string;
  /** The client's `Idempotency-Key`. */
  readonly key: string | undefined;
  /** What identifies the request: the operation and its input. Hashed canonically. */
  readonly fingerprint: Readonly<Record<string, unknown>>;
}

/** The answer to replay: a JSON body with the status it was first given. */
export interface StoredAnswer<T extends JsonValue = JsonValue> {
  readonly status: number;
  readonly body: T;
}

/** What {@link Idempotency.run} returns. */
export interface IdempotentOutcome<T extends JsonValue> extends StoredAnswer<T> {
  /** Whether this answer was replayed from an earlier request. */
  readonly replayed: boolean;
}

/** Refusals that are final for a key: a retry with the same key and body gets the same refusal. */
export function isFinalRefusal(err: unknown): err is ServiceError | LedgerError {
  return (err instanceof ServiceError || err instanceof LedgerError) && !err.retryable;
}

/** The vault key of a client key: SHA-256 over user and key, so keys never collide across users. */
export function scopedKey(user: string, key: string): string {
  return `idem-${createHash('sha256').update(`${user}\0${key}`, 'utf8').digest('hex')}`;
}

/**
 * Idempotent execution of state-changing requests over the vault's idempotency records: the first
 * completed answer under a key is stored and replayed to every retry with the same body; a retry
 * with another body is refused with `IDEMPOTENCY_CONFLICT`. Work that failed with a retryable
 * error stores nothing, so the retry runs it again (the services make that safe).
 */
export class Idempotency {
  readonly #vault: Vault;
  readonly #clock: Clock;
  readonly #lock = new KeyedLock();

  constructor(vault: Vault, clock: Clock) {
    this.#vault = vault;
    this.#clock = clock;
  }

  /**
   * Checks a client key's form.
   *
   * @throws {@link ServiceError} `IDEMPOTENCY_KEY_REQUIRED` when absent, `INVALID_REQUEST` when malformed
   */
  static checkKey(key: string | undefined): string {
    if (key === undefined || key === '')
      throw new ServiceError('IDEMPOTENCY_KEY_REQUIRED', 'this request needs an Idempotency-Key header');
    if (!CLIENT_KEY.test(key))
      throw new ServiceError(
        'INVALID_REQUEST',
        'Idempotency-Key must be 1 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit',
      );
    return key;
  }

  /**
   * Runs `work` once per (user, key, fingerprint).
   *
   * @param work - receives the scoped key (stable across retries, e.g. to derive ids from)
   * @throws {@link ServiceError} `IDEMPOTENCY_CONFLICT`; {@link ReplayedRefusal} for a stored refusal;
   *   whatever `work` throws
   */
  async run<T extends JsonValue>(
    request: IdempotentRequest,
    work: (scoped: string) => Promise<StoredAnswer<T>>,
  ): Promise<IdempotentOutcome<T>> {
    const scoped = scopedKey(request.user, Idempotency.checkKey(request.key));
    const requestHash = createHash('sha256').update(canonicalize(request.fingerprint), 'utf8').digest('hex');
    return this.#lock.run(scoped, async () => {
      const stored = await this.#read(scoped, requestHash);
      if (stored) return replay<T>(stored);
      let answer: JsonValue;
      let result: StoredAnswer<T> | undefined;
      try {
        result = await work(scoped);
        answer = { status: result.status, body: result.body };
      } catch (err) {
        if (!isFinalRefusal(err)) throw err;
        const details = err instanceof ServiceError && err.details ? { details: { ...err.details } } : {};
        answer = { refusal: { code: err.code, message: err.message, ...details } };
        await this.#store(scoped, requestHash, answer);
        throw err;
      }
      await this.#store(scoped, requestHash, answer);
      return { ...result, replayed: false };
    });
  }

  async #read(key: string, requestHash: string): Promise<JsonValue | undefined> {
    try {
      return (await this.#vault.getIdempotency(key, requestHash))?.response;
    } catch (err) {
      throw vaultFailure(err);
    }
  }

  async #store(key: string, requestHash: string, response: JsonValue): Promise<void> {
    try {
      await this.#vault.putIdempotency({
        key,
        requestHash,
        response,
        createdAt: this.#clock.now().toISOString(),
      });
    } catch (err) {
      throw vaultFailure(err);
    }
  }
}

function replay<T extends JsonValue>(stored: JsonValue): IdempotentOutcome<T> {
  const record = stored as {
    status?: number;
    body?: T;
    refusal?: { code: string; message: string; details?: ServiceErrorDetails };
  };
  if (record.refusal)
    throw new ReplayedRefusal(record.refusal.code, record.refusal.message, record.refusal.details);
  return { status: record.status ?? 200, body: record.body as T, replayed: true };
}

/** Maps a vault failure to the service's codes. */
export function vaultFailure(err: unknown): unknown {
  if (!(err instanceof VaultError)) return err;
  if (err.code === 'IDEMPOTENCY_CONFLICT')
    return new ServiceError(
      'IDEMPOTENCY_CONFLICT',
      'the Idempotency-Key was already used for a different request',
      {
        cause: err,
      },
    );
  if (err.code === 'INVALID_ARGUMENT') return err;
  return new ServiceError('VAULT_UNAVAILABLE', 'the vault could not be read or written', {
    cause: err,
    retryable: true,
  });
}
