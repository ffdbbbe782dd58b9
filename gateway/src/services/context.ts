import type { Clock } from '../ports/clock.js';
import type { KeyStore } from '../ports/key-store.js';
import type { Ledger } from '../ports/ledger.js';
import type { SchemaCatalogue } from '../schemas/catalogue.js';
import type { Vault } from '../vault/vault.js';
import type { Idempotency } from './idempotency.js';

/** What a caller may do at the gateway's API. */
export type CallerRole = 'member' | 'regulator' | 'admin';

/** An authenticated caller: the wallet user whose identity signs its transactions. */
export interface Caller {
  readonly user: string;
  readonly role: CallerRole;
}

/** Limits the services enforce. */
export interface ServiceLimits {
  /** Largest canonical report, in bytes. */
  readonly maxReportBytes: number;
}

/** Default limits: reports up to 2 MiB of canonical JSON (a large enterprise's 1 MiB report fits). */
export const DEFAULT_LIMITS: ServiceLimits = { maxReportBytes: 2 * 1024 * 1024 };

/** Everything the domain services use; built once by the composition root. */
export interface ServiceDeps {
  /** This organisation's MSP id. */
  readonly mspId: string;
  /** The Fabric channel, which EIP-712 signatures are bound to. */
  readonly channel: string;
  readonly ledger: Ledger;
  readonly vault: Vault;
  readonly keys: KeyStore;
  readonly clock: Clock;
  readonly catalogue: SchemaCatalogue;
  readonly idempotency: Idempotency;
  /** The consortium subject key (32 bytes). Secret: never logged, never sent. */
  readonly subjectKey: Uint8Array;
  readonly limits: ServiceLimits;
}
