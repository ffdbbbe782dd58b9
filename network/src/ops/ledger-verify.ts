/**
 * Offline audit of a peer ledger, independent of the code that committed it: walks every stored
 * block checking the hash chain, data hashes, orderer signatures and transaction filters, then
 * replays the write sets of the VALID transactions and compares the result with the stored world
 * state. The first block that fails a check is named, so a changed byte anywhere in a block's header,
 * data or signatures points at that block.
 */
import { common, peer } from '@hyperledger/fabric-protos';
import { decodeTxReadWriteSet } from '../chaincode/rwset.js';
import type { NamespacedStateEntry, StateMetadata, TxStatus, Version } from '../ledger/index.js';
import { MspManager } from '../msp/index.js';
import { blockDataHash, blockHeaderHash, verifyBlockSignature } from '../orderer/blocks.js';
import { parseChannelConfig, type ChannelConfig } from '../orderer/channel-config.js';

/** What verification reads from a ledger (a `PeerLedger` satisfies it). */
export interface VerifiableLedger {
  readonly height: number;
  getBlockBytes(n: number): Promise<Uint8Array | undefined>;
  getTxStatusMany(txIds: readonly string[]): Promise<Array<TxStatus | undefined>>;
  snapshotState(): AsyncIterable<NamespacedStateEntry>;
  getStateMetadata(ns: string, key: string): Promise<StateMetadata | undefined>;
}

/** Checks the ordering service's signature on a block. */
export type BlockSignatureCheck = (block: common.Block) => boolean;

/** Options of {@link verifyLedger}. */
export interface VerifyLedgerOptions {
  /**
   * Checks each block's orderer signature. Default: {@link ordererSignatureVerifier} over
   * `channelConfig`.
   */
  readonly verifyOrdererSignature?: BlockSignatureCheck;
  /**
   * The channel configuration that says who may sign blocks. Default: read from the ledger's own
   * block 0; pass one from a trusted copy (the orderer's genesis block) to anchor the check outside
   * the ledger being verified.
   */
  readonly channelConfig?: ChannelConfig;
  /**
   * The channel's genesis block from a trusted copy (the orderer's chain): block 0 of the ledger must
   * have the same header, and its configuration says who may sign blocks unless `channelConfig` or
   * `verifyOrdererSignature` is given.
   */
  readonly genesisBlock?: Uint8Array;
  /** Problems listed at most (default 100); the count of the rest is summarised. */
  readonly maxProblems?: number;
}

/** The verification of one peer's ledger, as `ledger verify` and the admin socket's `verify` report it. */
export interface PeerVerification extends LedgerVerification {
  /** Peer host name, e.g. `peer0.org1.example.com` (its ledger folder under `ledgers/`). */
  readonly peer: string;
  readonly mspId?: string;
}

/** Outcome of {@link verifyLedger}. */
export interface LedgerVerification {
  readonly ok: boolean;
  /** Number of blocks verified. */
  readonly height: number;
  /** The lowest block number that failed a block-level check. */
  readonly firstBadBlock?: number;
  /** What is wrong, `block <n>: ...` or `state <ns> <key>: ...`; empty when ok. */
  readonly problems: string[];
  /** Number of keys in the stored world state. */
  readonly stateKeys: number;
}

const VALID = peer.TxValidationCode.VALID;
const DEFAULT_MAX_PROBLEMS = 100;
/** Rounds of catching up with blocks committed while the state was being compared. */
const MAX_STATE_ROUNDS = 5;

/**
 * A block signature check from a channel configuration, as a committing peer does it: every
 * signature in the SIGNATURES metadata must come from a valid `orderer` identity of one of the
 * channel's ordering organisations (valid at the time of the block's first transaction) and verify.
 */
export function ordererSignatureVerifier(config: ChannelConfig): BlockSignatureCheck {
  const msp = new MspManager(
    config.orgs.map((o) => ({
      mspId: o.mspId,
      rootCertsPem: o.rootCertsPem,
      intermediateCertsPem: o.intermediateCertsPem,
      tlsRootCertsPem: o.tlsRootCertsPem,
    })),
  );
  const ordererOrgs = new Set(config.orgs.filter((o) => o.role === 'orderer').map((o) => o.mspId));
  return (block) => {
    const at = blockTime(block) ?? new Date();
    return verifyBlockSignature(block, (creator, message, signature) => {
      try {
        const id = msp.deserialize(creator, at);
        return ordererOrgs.has(id.mspId) && id.roles.has('orderer') && id.verify(message, signature);
      } catch {
        return false;
      }
    });
  };
}

function channelHeaderOf(envelope: Uint8Array): common.ChannelHeader {
  const payload = common.Payload.deserializeBinary(
    common.Envelope.deserializeBinary(envelope).getPayload_asU8(),
  );
  const header = payload.getHeader();
  if (!header) throw new Error('payload has no header');
  return common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
}

/** Timestamp of the block's first transaction, when it has one. */
function blockTime(block: common.Block): Date | undefined {
  const first = block.getData()?.getDataList_asU8()[0];
  if (first === undefined) return undefined;
  try {
    const ts = channelHeaderOf(first).getTimestamp();
    return ts ? new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6)) : undefined;
  } catch {
    return undefined;
  }
}

interface TxWrites {
  readonly writes: ReadonlyArray<{ ns: string; key: string; value: Uint8Array | null }>;
  readonly metadataWrites: ReadonlyArray<{ ns: string; key: string; metadata: StateMetadata }>;
}

/** Writes and metadata writes of an endorser transaction (the ChaincodeAction results of each action). */
function endorserTxWrites(payloadData: Uint8Array): TxWrites {
  const writes: Array<{ ns: string; key: string; value: Uint8Array | null }> = [];
  const metadataWrites: Array<{ ns: string; key: string; metadata: StateMetadata }> = [];
  for (const act of peer.Transaction.deserializeBinary(payloadData).getActionsList()) {
    const endorsed = peer.ChaincodeActionPayload.deserializeBinary(act.getPayload_asU8()).getAction();
    if (!endorsed) throw new Error('transaction action has no endorsed action');
    const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
    for (const ns of decodeTxReadWriteSet(action.getResults_asU8())) {
      for (const w of ns.writes)
        writes.push({ ns: ns.namespace, key: w.key, value: w.isDelete ? null : w.value });
      for (const m of ns.metadataWrites) {
        metadataWrites.push({
          ns: ns.namespace,
          key: m.key,
          metadata: Object.fromEntries(m.entries.map((e) => [e.name, e.value])),
        });
      }
    }
  }
  return { writes, metadataWrites };
}

function stateId(ns: string, key: string): string {
  return JSON.stringify([ns, key]);
}

function describeKey(ns: string, key: string): string {
  return `state ${ns} ${JSON.stringify(key)}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function sameMetadata(a: StateMetadata | undefined, b: StateMetadata | undefined): boolean {
  const an = Object.keys(a ?? {}).sort();
  const bn = Object.keys(b ?? {}).sort();
  if (an.length !== bn.length || an.some((n, i) => n !== bn[i])) return false;
  return an.every((n) => sameBytes(a?.[n] ?? new Uint8Array(), b?.[n] ?? new Uint8Array()));
}

function versionText(v: Version): string {
  return `${v.blockNum}:${v.txNum}`;
}

interface ReplayedEntry {
  readonly ns: string;
  readonly key: string;
  value: Uint8Array;
  version: Version;
  metadata: StateMetadata | undefined;
}

/**
 * World state rebuilt from write sets with the ledger's key semantics (Fabric's txmgr): a value write
 * keeps the key's metadata, a delete removes value and metadata, a metadata write on an existing key
 * replaces its metadata and bumps its version, on a missing key (or one this tx deletes) it does nothing.
 */
class ReplayedState {
  readonly entries = new Map<string, ReplayedEntry>();

  apply(tx: TxWrites, version: Version): void {
    const own = new Map<string, boolean>();
    for (const { ns, key, value } of tx.writes) {
      const id = stateId(ns, key);
      own.set(id, value !== null);
      if (value === null) {
        this.entries.delete(id);
        continue;
      }
      const previous = this.entries.get(id);
      this.entries.set(id, { ns, key, value, version, metadata: previous?.metadata });
    }
    for (const { ns, key, metadata } of tx.metadataWrites) {
      const id = stateId(ns, key);
      if (own.get(id) === false) continue;
      const entry = this.entries.get(id);
      if (!entry) continue;
      entry.version = version;
      entry.metadata = Object.keys(metadata).length === 0 ? undefined : metadata;
    }
  }
}

class Problems {
  readonly list: string[] = [];
  #dropped = 0;
  firstBadBlock: number | undefined;

  constructor(private readonly max: number) {}

  block(n: number, text: string): void {
    if (this.firstBadBlock === undefined || n < this.firstBadBlock) this.firstBadBlock = n;
    this.add(`block ${n}: ${text}`);
  }

  add(text: string): void {
    if (this.list.length < this.max) this.list.push(text);
    else this.#dropped++;
  }

  summary(): string[] {
    return this.#dropped === 0 ? this.list : [...this.list, `… and ${this.#dropped} more problems`];
  }
}

/** Walks blocks in order, checking each and replaying its valid transactions. */
class ChainWalker {
  readonly state = new ReplayedState();
  next = 0;
  #previousHeaderHash: Uint8Array | undefined = new Uint8Array();
  #verifySignature: BlockSignatureCheck | undefined;

  readonly #trustedGenesisHash: Uint8Array | undefined;

  constructor(
    private readonly ledger: VerifiableLedger,
    private readonly problems: Problems,
    options: VerifyLedgerOptions,
  ) {
    const genesis = options.genesisBlock ? common.Block.deserializeBinary(options.genesisBlock) : undefined;
    const genesisHeader = genesis?.getHeader();
    this.#trustedGenesisHash = genesisHeader ? blockHeaderHash(genesisHeader) : undefined;
    const config = options.channelConfig ?? (genesis ? parseChannelConfig(genesis) : undefined);
    this.#verifySignature =
      options.verifyOrdererSignature ?? (config ? ordererSignatureVerifier(config) : undefined);
  }

  async walkTo(height: number): Promise<void> {
    for (; this.next < height; this.next++) await this.#checkBlock(this.next);
  }

  async #checkBlock(n: number): Promise<void> {
    const bad = (text: string): void => {
      this.problems.block(n, text);
    };
    let block: common.Block;
    try {
      const bytes = await this.ledger.getBlockBytes(n);
      if (bytes === undefined) throw new Error('not stored');
      block = common.Block.deserializeBinary(bytes);
    } catch (err) {
      bad(`cannot be read (${(err as Error).message})`);
      this.#previousHeaderHash = undefined;
      return;
    }
    const header = block.getHeader();
    if (!header) {
      bad('has no header');
      this.#previousHeaderHash = undefined;
      return;
    }
    const data = block.getData()?.getDataList_asU8() ?? [];
    if (header.getNumber() !== n) bad(`stored as block ${n} but its header says ${header.getNumber()}`);
    if (!sameBytes(header.getDataHash_asU8(), blockDataHash(data)))
      bad('data_hash does not match the SHA-256 of its transactions (block data changed)');
    if (this.#previousHeaderHash === undefined)
      bad(`previous_hash cannot be checked: block ${n - 1} is unreadable`);
    else if (!sameBytes(header.getPreviousHash_asU8(), this.#previousHeaderHash))
      bad(
        n === 0
          ? 'genesis block has a previous_hash'
          : `previous_hash is not the hash of block ${n - 1}'s header (hash chain broken)`,
      );
    try {
      this.#previousHeaderHash = blockHeaderHash(header);
    } catch (err) {
      bad(`header cannot be hashed (${(err as Error).message})`);
      this.#previousHeaderHash = undefined;
    }
    if (
      n === 0 &&
      this.#trustedGenesisHash !== undefined &&
      !sameBytes(this.#previousHeaderHash ?? new Uint8Array(), this.#trustedGenesisHash)
    )
      bad("is not the channel's genesis block (its header differs from the orderer's)");
    if (n === 0 && this.#verifySignature === undefined) this.#useGenesisConfig(block);
    if (this.#verifySignature === undefined)
      bad('orderer signature cannot be checked: no channel configuration to say who may sign blocks');
    else if (!this.#verifySignature(block))
      bad(
        'orderer signature is missing or does not verify against the ordering organisations of the channel',
      );
    const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
    if (filter?.length !== data.length) {
      bad(`TRANSACTIONS_FILTER has ${filter?.length ?? 0} codes for ${data.length} transactions`);
      return;
    }
    await this.#replay(n, data, filter);
  }

  #useGenesisConfig(block: common.Block): void {
    try {
      this.#verifySignature = ordererSignatureVerifier(parseChannelConfig(block));
    } catch (err) {
      this.problems.block(0, `is not a usable channel configuration block (${(err as Error).message})`);
    }
  }

  async #replay(n: number, data: readonly Uint8Array[], filter: Uint8Array): Promise<void> {
    const headers = data.map((envelope) => {
      try {
        return channelHeaderOf(envelope);
      } catch {
        return undefined;
      }
    });
    const txIds = headers.map((h) => h?.getTxId() ?? '');
    const statuses = await this.ledger.getTxStatusMany(txIds.filter((id) => id !== ''));
    const statusOf = new Map(txIds.filter((id) => id !== '').map((id, i) => [id, statuses[i]]));
    for (let txNum = 0; txNum < data.length; txNum++) {
      const code = filter[txNum] ?? 0;
      const txId = txIds[txNum] ?? '';
      const status = txId === '' ? undefined : statusOf.get(txId);
      if (txId !== '' && status === undefined)
        this.problems.block(n, `tx ${txNum} (${txId}) is not in the txid index`);
      else if (status?.blockNumber === n && status.txNumber === txNum && status.code !== code)
        this.problems.block(
          n,
          `tx ${txNum} has validation code ${code} in TRANSACTIONS_FILTER but ${status.code} in the txid index`,
        );
      if (code !== VALID) continue;
      const header = headers[txNum];
      if (!header) {
        this.problems.block(n, `valid tx ${txNum} has no readable channel header`);
        continue;
      }
      const type = header.getType();
      if (type === common.HeaderType.CONFIG) continue;
      if (type !== common.HeaderType.ENDORSER_TRANSACTION) {
        this.problems.block(n, `valid tx ${txNum} has unexpected header type ${type}`);
        continue;
      }
      try {
        const envelope = common.Envelope.deserializeBinary(data[txNum] ?? new Uint8Array());
        const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
        this.state.apply(endorserTxWrites(payload.getData_asU8()), { blockNum: n, txNum });
      } catch (err) {
        this.problems.block(n, `valid tx ${txNum} has an undecodable write set (${(err as Error).message})`);
      }
    }
  }
}

interface StateComparison {
  readonly problems: string[];
  readonly stateKeys: number;
  /** The stored state holds writes of blocks beyond those replayed (the ledger moved on). */
  readonly ahead: boolean;
}

async function compareState(
  ledger: VerifiableLedger,
  replayed: ReplayedState,
  height: number,
): Promise<StateComparison> {
  const problems: string[] = [];
  const seen = new Set<string>();
  let stateKeys = 0;
  let ahead = false;
  for await (const entry of ledger.snapshotState()) {
    stateKeys++;
    const id = stateId(entry.ns, entry.key);
    seen.add(id);
    const where = describeKey(entry.ns, entry.key);
    if (entry.version.blockNum >= height) ahead = true;
    const expected = replayed.entries.get(id);
    if (!expected) {
      problems.push(
        `${where}: stored (version ${versionText(entry.version)}) but no valid transaction leaves it there`,
      );
      continue;
    }
    if (!sameBytes(entry.value, expected.value))
      problems.push(`${where}: value differs from the one written at ${versionText(expected.version)}`);
    if (
      entry.version.blockNum !== expected.version.blockNum ||
      entry.version.txNum !== expected.version.txNum
    )
      problems.push(
        `${where}: version ${versionText(entry.version)} but the last valid write was ${versionText(expected.version)}`,
      );
    if (!sameMetadata(await ledger.getStateMetadata(entry.ns, entry.key), expected.metadata))
      problems.push(`${where}: metadata differs from the last valid metadata write`);
  }
  for (const [id, expected] of replayed.entries) {
    if (seen.has(id)) continue;
    problems.push(
      `${describeKey(expected.ns, expected.key)}: missing, but written at ${versionText(expected.version)} and never deleted`,
    );
  }
  return { problems, stateKeys, ahead };
}

/**
 * Verifies a peer ledger:
 * - blocks 0..height-1 are all stored, numbered in sequence, with `data_hash` = SHA-256 of their
 *   data and `previous_hash` = hash of the previous block's header;
 * - every block carries a valid orderer signature ({@link VerifyLedgerOptions.verifyOrdererSignature});
 * - every block's TRANSACTIONS_FILTER has one code per transaction, matching the txid index;
 * - replaying the writes and metadata writes of the VALID transactions with version (block, tx)
 *   yields exactly the stored world state: keys, values, versions and metadata.
 * A ledger still committing is followed: blocks committed while the state is compared are replayed
 * and the comparison repeated.
 */
export async function verifyLedger(
  ledger: VerifiableLedger,
  options: VerifyLedgerOptions = {},
): Promise<LedgerVerification> {
  const problems = new Problems(options.maxProblems ?? DEFAULT_MAX_PROBLEMS);
  const walker = new ChainWalker(ledger, problems, options);
  let height = ledger.height;
  await walker.walkTo(height);
  let comparison = await compareState(ledger, walker.state, height);
  for (let round = 1; round < MAX_STATE_ROUNDS && (comparison.ahead || ledger.height !== height); round++) {
    height = ledger.height;
    await walker.walkTo(height);
    comparison = await compareState(ledger, walker.state, height);
  }
  if (comparison.ahead)
    problems.add(
      'state: the ledger kept committing blocks during verification; verify again when it is idle',
    );
  else for (const p of comparison.problems) problems.add(p);
  const list = problems.summary();
  return {
    ok: list.length === 0,
    height,
    ...(problems.firstBadBlock === undefined ? {} : { firstBadBlock: problems.firstBadBlock }),
    problems: list,
    stateKeys: comparison.stateKeys,
  };
}
