/*
 * A report's provenance bundle from the audit read model: the transactions of its on-ledger trail
 * as the read model indexed them (transaction id, block), and the verified blocks it stored.
 *
 * Only entries the contract wrote to the report's trail (`idx\x01trail\x01<reportId>...`) go into
 * the bundle: the read model also files a request for a report that did not exist yet under that
 * report id, but such a transaction does not write the report's trail and would make the bundle
 * fail `NOT_ABOUT_REPORT`. Those entries are the ones without a provider party (the contract appends
 * a trail entry exactly when the request found the report and hence its provider).
 *
 * Entries, blocks and the checkpoint are written in one batch per block, so every indexed entry's
 * block is below the checkpoint and stored; the check below only guards against a store that breaks
 * that rule (or a block removed under it), answering `AUDIT_UNAVAILABLE` rather than a short bundle.
 */
import { buildProvenanceBundle } from './provenance/builder.js';
import { serializeProvenanceBundle } from './provenance/format.js';
import type { AuditAudience } from './audit-service.js';
import type { AuditStore } from './audit-store.js';
import { AuditError } from './errors.js';
import type { AuditEntry } from './model.js';
import { entryMsps } from './visibility.js';

/** Entries read per scan of the report's partition. */
const SCAN_PAGE = 500;

/** A built bundle and what it covers. */
export interface ReportProvenance {
  /** The bundle file (`creditchain.provenance/1`, canonical JSON and a newline). */
  readonly bytes: Uint8Array;
  readonly transactions: number;
  /** The last block the bundle covers. */
  readonly lastBlock: number;
  /** The read model's checkpoint when the bundle was built (blocks indexed). */
  readonly nextBlock: number;
}

async function entriesOf(
  store: AuditStore,
  reportId: string,
  accept: ((entry: AuditEntry) => boolean) | undefined,
): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let after: string | undefined;
  do {
    const page = await store.scanEntries(
      'report',
      { partition: reportId, from: '', to: '', limit: SCAN_PAGE, ...(after === undefined ? {} : { after }) },
      accept,
    );
    entries.push(...page.items);
    after = page.lastKey ?? undefined;
  } while (after !== undefined);
  return entries;
}

function notFound(reportId: string): AuditError {
  return new AuditError(
    'REPORT_NOT_FOUND',
    `the audit read model holds no report ${reportId} for the caller`,
  );
}

/**
 * Builds the provenance bundle of `reportId` for `audience`: regulators get every transaction of the
 * report's trail; a member only the transactions it may see in the audit trail (all of them for
 * its own reports, its own requests and their deliveries for another member's), and only for a
 * report it provides or requested.
 *
 * @throws {@link AuditError} `REPORT_NOT_FOUND` when the read model holds no such report, or none
 *   the member is involved in (a member cannot tell the two apart); `AUDIT_UNAVAILABLE` when a
 *   needed block is not (yet) in the read model
 * @throws `ProvenanceError` when the stored blocks do not hold the indexed transactions as indexed
 */
export async function reportProvenance(
  store: AuditStore,
  chaincode: string,
  audience: AuditAudience,
  reportId: string,
): Promise<ReportProvenance> {
  const report = await store.report(reportId);
  if (!report) throw notFound(reportId);
  const accept =
    audience.kind === 'regulator' ? undefined : (e: AuditEntry) => entryMsps(e).has(audience.mspId);
  const visible = await entriesOf(store, reportId, accept);
  const trail = visible.filter((e) => e.parties.some((p) => p.role === 'provider'));
  if (audience.kind === 'member' && report.provider.mspId !== audience.mspId) {
    const requested = trail.some((e) =>
      e.parties.some((p) => p.role === 'requester' && p.mspId === audience.mspId),
    );
    if (!requested) throw notFound(reportId);
  }
  const blockOf = new Map<string, number>();
  for (const e of trail) blockOf.set(e.txId, e.block);
  if (blockOf.size === 0) throw notFound(reportId);

  const { nextBlock } = await store.state();
  const lastBlock = Math.max(...blockOf.values());
  if (lastBlock >= nextBlock)
    throw new AuditError(
      'AUDIT_UNAVAILABLE',
      `the read model has indexed blocks below ${nextBlock}; the trail reaches block ${lastBlock}`,
    );
  let bundle;
  try {
    bundle = await buildProvenanceBundle({
      reportId,
      chaincode,
      transactions: [...blockOf].map(([txId, block]) => ({ txId, blockNumber: BigInt(block) })),
      blocks: store,
    });
  } catch (err) {
    if (err instanceof AuditError && err.code === 'BLOCK_NOT_FOUND')
      throw new AuditError(
        'AUDIT_UNAVAILABLE',
        `a block of the trail is not in the read model: ${err.message}`,
        {
          cause: err,
        },
      );
    throw err;
  }
  return {
    bytes: serializeProvenanceBundle(bundle),
    transactions: bundle.transactions.length,
    lastBlock,
    nextBlock,
  };
}
