import { LedgerError } from '../ports/ledger-error.js';
import type { LedgerSubject } from '../ports/ledger-records.js';
import type { Caller, ServiceDeps } from './context.js';
import { ServiceError } from './errors.js';
import type { IdempotentOutcome } from './idempotency.js';
import { pseudonymOf } from './report-input.js';
import type { SubjectTxView, SubjectView } from './views.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

/** A subject registration: the enterprise's consent-signing address, proven by its own signature. */
export interface RegisterSubjectInput {
  readonly uscc: string;
  /** The enterprise's Ethereum address. */
  readonly signer: string;
  /** EIP-712 `SignerBinding` (action `register`) over the subject's pseudonym, signed by `signer`. */
  readonly signature: string;
}

function view(subjectRef: string, subject: LedgerSubject | undefined): SubjectView {
  return { subjectRef, registered: subject !== undefined, activeSigner: subject?.activeSigner ?? null };
}

/**
 * Subjects (enterprises): their ledger pseudonym, computed here with the consortium subject key, and
 * the registration of their consent-signing key.
 */
export class SubjectService {
  readonly #deps: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  /**
   * The pseudonym of a USCC and whether a consent-signing key is registered for it. An enterprise
   * needs its pseudonym to sign its `SignerBinding`.
   *
   * @throws {@link ServiceError} `INVALID_USCC`; {@link LedgerError} `LEDGER_UNAVAILABLE`
   */
  async lookup(caller: Caller, uscc: string): Promise<SubjectView> {
    const subjectRef = pseudonymOf(uscc, this.#deps.subjectKey);
    return view(subjectRef, await this.#find(caller, subjectRef));
  }

  /**
   * `RegisterSubjectSigner` for the subject of `input.uscc`.
   *
   * @throws {@link ServiceError} `INVALID_USCC`, `INVALID_REQUEST`, `IDEMPOTENCY_*`;
   *   {@link LedgerError} `BAD_SIGNATURE`, `SUBJECT_SIGNER_EXISTS`, `SIGNER_REUSED`, ...
   */
  async register(
    caller: Caller,
    input: RegisterSubjectInput,
    idempotencyKey: string | undefined,
  ): Promise<IdempotentOutcome<SubjectTxView>> {
    const d = this.#deps;
    const subjectRef = pseudonymOf(input.uscc, d.subjectKey);
    if (typeof input.signer !== 'string' || !ADDRESS.test(input.signer))
      throw new ServiceError('INVALID_REQUEST', 'signer must be a 0x-prefixed 20-byte address');
    if (typeof input.signature !== 'string' || !SIGNATURE.test(input.signature))
      throw new ServiceError('INVALID_REQUEST', 'signature must be a 0x-prefixed 65-byte signature');
    return d.idempotency.run(
      {
        user: caller.user,
        key: idempotencyKey,
        fingerprint: { op: 'registerSubject', subjectRef, signer: input.signer, signature: input.signature },
      },
      async () => {
        try {
          const committed = await d.ledger.registerSubjectSigner(caller.user, {
            subjectRef,
            signer: input.signer,
            signature: input.signature,
          });
          return {
            status: 201,
            body: {
              txId: committed.txId,
              block: committed.blockNumber,
              subject: view(subjectRef, committed.value),
            },
          };
        } catch (err) {
          // A first attempt that committed but lost its answer: the same key is registered already.
          if (!(err instanceof LedgerError) || err.code !== 'SUBJECT_SIGNER_EXISTS') throw err;
          const subject = await d.ledger.getSubject(caller.user, subjectRef);
          const entry = subject.signers.find(
            (s) => s.status === 'active' && s.address.toLowerCase() === input.signer.toLowerCase(),
          );
          if (!entry) throw err;
          const status = await d.ledger.commitStatus(caller.user, entry.registeredTx);
          return {
            status: 201,
            body: { txId: entry.registeredTx, block: status.blockNumber, subject: view(subjectRef, subject) },
          };
        }
      },
    );
  }

  async #find(caller: Caller, subjectRef: string): Promise<LedgerSubject | undefined> {
    try {
      return await this.#deps.ledger.getSubject(caller.user, subjectRef);
    } catch (err) {
      if (err instanceof LedgerError && err.code === 'SUBJECT_NOT_FOUND') return undefined;
      throw err;
    }
  }
}
