/*
 * What one verified block adds to the read model, derived from the committed write sets of the
 * credit contract's valid transactions (never from what a client claims): the contract's own trail
 * entries (`idx\x01trail\x01...`), report anchors, receipts, consents and the consortium
 * configuration, as `chaincode/README.md` ("Key schema") describes them. Events carry no subject, so
 * subjects come from the records. Transactions that were not VALID are counted, never indexed.
 */
import { common } from '@hyperledger/fabric-protos';
import type { Consent, TrailEntry } from '../../../chaincode/src/model.js';
import { actorOfCreator } from './actor.js';
import { BlockFormatError, type DecodedTx, type NamespaceWrite } from './block-decode.js';
import type {
  AuditEntry,
  AuditEntryKind,
  AuditParty,
  AuditReceipt,
  ConsortiumConfig,
  Receipt,
  Report,
} from './model.js';

/** The read model's state before the block, as far as the builder needs it. */
export interface IndexState {
  report(reportId: string): Promise<Report | undefined>;
  receipt(receiptId: string): Promise<AuditReceipt | undefined>;
  config(): Promise<ConsortiumConfig | undefined>;
}

/** Everything a block adds; written in one batch with the block and the checkpoint. */
export interface BlockPlan {
  readonly entries: readonly AuditEntry[];
  /** Final state of each receipt the block wrote; `isNew` when the block created it. */
  readonly receipts: readonly { readonly receipt: AuditReceipt; readonly isNew: boolean }[];
  readonly reports: readonly Report[];
  /** The consortium configuration when the block changed it. */
  readonly config: ConsortiumConfig | null;
  /** The channel configurations of valid CONFIG transactions, in order. */
  readonly channelConfigs: readonly Uint8Array[];
  readonly transactions: number;
  readonly invalidTransactions: number;
}

const VALID = 0;
const COMPOSITE = '\u0000';
const TRAIL_PREFIX = 'idx\u0001trail\u0001';
const decoder = new TextDecoder('utf-8', { fatal: true });

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `<block>:<tx>:<n>`, zero-padded so that ids sort in commit order. */
export function entryIdOf(block: number, txIndex: number, n: number): string {
  return `${pad(block, 20)}:${pad(txIndex, 6)}:${pad(n, 4)}`;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the contract's documented record type
function json<T>(write: NamespaceWrite, where: string): T {
  try {
    return JSON.parse(decoder.decode(write.value ?? new Uint8Array(0))) as T;
  } catch (cause) {
    throw new BlockFormatError(`${where}: the value of a credit record is not JSON`, { cause });
  }
}

/** The record type of a composite key (`\0type\0attr...\0`), or undefined. */
function recordType(key: string): string | undefined {
  if (!key.startsWith(COMPOSITE)) return undefined;
  return key.split(COMPOSITE)[1];
}

interface TxRecords {
  readonly reports: Report[];
  readonly receipts: Receipt[];
  readonly consents: Consent[];
  readonly trails: TrailEntry[];
  config: ConsortiumConfig | null;
}

function recordsOf(tx: DecodedTx, where: string): TxRecords {
  const records: TxRecords = { reports: [], receipts: [], consents: [], trails: [], config: null };
  for (const write of tx.writes) {
    if (write.value === null) continue;
    if (write.key.startsWith(TRAIL_PREFIX)) {
      records.trails.push(json<TrailEntry>(write, where));
      continue;
    }
    switch (recordType(write.key)) {
      case 'report':
        records.reports.push(json<Report>(write, where));
        break;
      case 'receipt':
        records.receipts.push(json<Receipt>(write, where));
        break;
      case 'consent':
        records.consents.push(json<Consent>(write, where));
        break;
      case 'config':
        records.config = json<ConsortiumConfig>(write, where);
        break;
      default:
    }
  }
  return records;
}

function purposeOutsideBusiness(receipt: Receipt, config: ConsortiumConfig | undefined): boolean {
  if (receipt.supervisory || !config) return false;
  const org = config.organisations.find((o) => o.mspId === receipt.requester.mspId);
  return !org?.businessPurposes.includes(receipt.purpose);
}

/**
 * Builds the plan of one block from its decoded transactions. Later transactions of the block see
 * the records earlier ones wrote.
 *
 * @throws {@link BlockFormatError} when a credit record of a valid transaction does not parse
 */
export async function buildPlan(
  block: number,
  txs: readonly DecodedTx[],
  state: IndexState,
): Promise<BlockPlan> {
  const reports = new Map<string, Report>();
  const receipts = new Map<string, { receipt: AuditReceipt; isNew: boolean }>();
  const entries: AuditEntry[] = [];
  const channelConfigs: Uint8Array[] = [];
  let config: ConsortiumConfig | null = null;
  let invalid = 0;

  const reportOf = async (id: string): Promise<Report | undefined> => reports.get(id) ?? state.report(id);
  const receiptOf = async (id: string): Promise<AuditReceipt | undefined> =>
    receipts.get(id)?.receipt ?? state.receipt(id);
  const configNow = async (): Promise<ConsortiumConfig | undefined> => config ?? state.config();

  for (const tx of txs) {
    if (tx.validationCode !== VALID) {
      invalid++;
      continue;
    }
    if (tx.type === common.HeaderType.CONFIG && tx.config) {
      channelConfigs.push(tx.config);
      continue;
    }
    if (tx.writes.length === 0) continue;
    const where = `transaction ${tx.txId} of block ${block}`;
    const records = recordsOf(tx, where);
    let n = 0;
    const add = (
      kind: AuditEntryKind,
      fields: Omit<AuditEntry, 'entryId' | 'kind' | 'txId' | 'block' | 'txIndex' | 'time'>,
    ): void => {
      entries.push({
        entryId: entryIdOf(block, tx.index, n++),
        kind,
        txId: tx.txId,
        block,
        txIndex: tx.index,
        time: tx.time,
        ...fields,
      });
    };

    if (records.config) config = records.config;
    for (const report of records.reports) reports.set(report.reportId, report);
    for (const receipt of records.receipts) {
      const prior = await receiptOf(receipt.receiptId);
      receipts.set(receipt.receiptId, {
        receipt: {
          ...receipt,
          block: prior?.block ?? block,
          txIndex: prior?.txIndex ?? tx.index,
          purposeOutsideBusiness:
            prior?.purposeOutsideBusiness ?? purposeOutsideBusiness(receipt, await configNow()),
        },
        isNew: prior === undefined || receipts.get(receipt.receiptId)?.isNew === true,
      });
    }

    const trailed = new Set<string>();
    for (const trail of records.trails) {
      const report = await reportOf(trail.reportId);
      const receipt = trail.receiptId === null ? undefined : await receiptOf(trail.receiptId);
      if (trail.receiptId !== null) trailed.add(trail.receiptId);
      const parties: AuditParty[] = [];
      if (report)
        parties.push({
          mspId: report.provider.mspId,
          institution: report.provider.institution,
          role: 'provider',
        });
      if (receipt)
        parties.push({
          mspId: receipt.requester.mspId,
          institution: receipt.requester.institution,
          role: 'requester',
        });
      add(trail.kind as AuditEntryKind, {
        actor: trail.actor,
        parties,
        reportId: trail.reportId,
        subjectRef: report?.subjectRef ?? receipt?.subjectRef ?? null,
        category: report?.category ?? receipt?.category ?? null,
        receiptId: trail.receiptId,
        requestId: receipt?.requestId ?? null,
        consentId: receipt?.consentId ?? null,
        relatedReportId: trail.relatedReportId,
        purpose: trail.purpose,
        reason: trail.reason,
        supervisory: trail.supervisory,
      });
    }
    // A request for a report that does not exist leaves a receipt but no report trail.
    for (const receipt of records.receipts) {
      if (trailed.has(receipt.receiptId) || receipt.receiptId !== tx.txId) continue;
      add(receipt.outcome === 'granted' ? 'ACCESS_GRANTED' : 'ACCESS_DENIED', {
        actor: receipt.requester,
        parties: [
          ...(receipt.provider ? [{ ...receipt.provider, role: 'provider' as const }] : []),
          { mspId: receipt.requester.mspId, institution: receipt.requester.institution, role: 'requester' },
        ],
        reportId: receipt.reportId,
        subjectRef: receipt.subjectRef,
        category: receipt.category,
        receiptId: receipt.receiptId,
        requestId: receipt.requestId,
        consentId: receipt.consentId,
        relatedReportId: null,
        purpose: receipt.purpose,
        reason: receipt.reason,
        supervisory: receipt.supervisory,
      });
    }
    for (const consent of records.consents) {
      const recorded = consent.recordedTx === tx.txId;
      const revoked = consent.revocation?.tx === tx.txId;
      if (!recorded && !revoked) continue; // a use counted by a grant: the receipt says it
      add(recorded ? 'CONSENT_RECORDED' : 'CONSENT_REVOKED', {
        actor: recorded ? consent.recordedBy : actorOfCreator(tx.creator.mspId, tx.creator.certPem),
        parties: [
          { mspId: consent.grantee.mspId, institution: consent.grantee.institution, role: 'grantee' },
        ],
        reportId: null,
        subjectRef: consent.subjectRef,
        category: null,
        receiptId: null,
        requestId: null,
        consentId: consent.consentId,
        relatedReportId: null,
        purpose: consent.purpose,
        reason: recorded ? null : (consent.revocation?.by ?? null),
        supervisory: false,
      });
    }
  }
  return {
    entries,
    receipts: [...receipts.values()],
    reports: [...reports.values()],
    config,
    channelConfigs,
    transactions: txs.length,
    invalidTransactions: invalid,
  };
}
