/* Test-only: the services over in-memory adapters. */
import { randomBytes } from 'node:crypto';
import { generateHpkeKeyPair, HPKE_SUITE } from '../../crypto/hpke.js';
import { MemoryKeyStore } from '../../keystore/memory-key-store.js';
import { MemoryLedger, type FakeActor } from '../../ledger/testing/memory-ledger.js';
import { ManualClock } from '../../ports/clock.js';
import type { Ledger } from '../../ports/ledger.js';
import { SchemaCatalogue } from '../../schemas/catalogue.js';
import { MemoryVault } from '../../vault/memory-vault.js';
import { ConsentService } from '../consent-service.js';
import { DEFAULT_LIMITS, type Caller, type ServiceDeps } from '../context.js';
import { Idempotency } from '../idempotency.js';
import { ReportService } from '../report-service.js';
import { SubjectService } from '../subject-service.js';

/** A valid USCC (the published example the chaincode tests use). */
export const USCC = '91350100M000100Y43';
/** Another valid USCC. */
export const OTHER_USCC = '91110000600037341L';

export const OFFICER: Caller = { user: 'User1', role: 'member' };
export const BUREAU_OFFICER: Caller = { user: 'User2', role: 'member' };

/** The services of a Yangtze gateway over a fresh in-memory world. */
export interface Harness {
  readonly ledger: MemoryLedger;
  readonly vault: MemoryVault;
  readonly keys: MemoryKeyStore;
  readonly clock: ManualClock;
  readonly deps: ServiceDeps;
  readonly reports: ReportService;
  readonly subjects: SubjectService;
  readonly consents: ConsentService;
}

/**
 * Builds the harness; `wrapLedger` may interpose on the fake ledger (to inject failures).
 */
export async function harness(
  options: {
    wrapLedger?: (ledger: MemoryLedger) => Ledger;
    maxReportBytes?: number;
    /** Another organisation's view of the same world: its MSP, and the ledger to share. */
    mspId?: string;
    ledger?: MemoryLedger;
    actors?: Readonly<Record<string, FakeActor>>;
  } = {},
): Promise<Harness> {
  const ledger =
    options.ledger ??
    new MemoryLedger({
      User1: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01', role: 'member' },
      User2: { mspId: 'YangtzeMSP', institution: 'YRD-BUREAU-01', role: 'member' },
      PearlUser1: { mspId: 'PearlMSP', institution: 'PRD-BANK-01', role: 'member' },
      ...options.actors,
    });
  const mspId = options.mspId ?? 'YangtzeMSP';
  const keys = new MemoryKeyStore();
  const pair = await generateHpkeKeyPair();
  await keys.add('x25519-first', pair);
  ledger.publishOrgKey(mspId, 'x25519-first', pair.publicKeyB64, HPKE_SUITE);
  const vault = new MemoryVault();
  const clock = new ManualClock(new Date());
  const deps: ServiceDeps = {
    mspId,
    channel: 'creditchain',
    ledger: options.wrapLedger ? options.wrapLedger(ledger) : ledger,
    vault,
    keys,
    clock,
    catalogue: SchemaCatalogue.shipped(),
    idempotency: new Idempotency(vault, clock),
    subjectKey: Uint8Array.from(randomBytes(32)),
    limits: {
      ...DEFAULT_LIMITS,
      ...(options.maxReportBytes === undefined ? {} : { maxReportBytes: options.maxReportBytes }),
    },
  };
  return {
    ledger,
    vault,
    keys,
    clock,
    deps,
    reports: new ReportService(deps),
    subjects: new SubjectService(deps),
    consents: new ConsentService(deps),
  };
}

/** A ledger that delegates to `inner` except for the overridden methods. */
export function interpose(inner: Ledger, overrides: Partial<Ledger>): Ledger {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const own = (overrides as Record<string | symbol, unknown>)[prop];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
