/**
 * Seeds a stopped consortium's ledgers with many anchored reports for the scale round, the way a
 * peer joins a channel from a ledger snapshot: complete, signed transactions in orderer-signed blocks
 * chained on the real tip, appended to the orderer's store and committed by the peer ledger's own
 * code (state, history, txid index, block store) without running validation again; the databases
 * are then compacted (as they would have been over the time those blocks took to arrive) and the
 * other peers' ledgers are copies of that one, as they hold the same blocks and state. A million reports through
 * the endorse-order-validate path would take hours on two cores; the rounds measured afterwards run
 * that path in full on top of what was seeded. `seed.test.ts` checks that a peer that validates the
 * seeded blocks from scratch finds every transaction VALID and ends with the same state.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { common } from '@hyperledger/fabric-protos';
import { signingIdentity, type SigningIdentity } from '../../network/src/crypto/signing.js';
import { PeerLedger, blockHeaderHash } from '../../network/src/ledger/index.js';
import { writeOrgMaterial } from '../../network/src/msp/layout.js';
import { buildBlock, getLastConfigIndex, setTransactionsFilter } from '../../network/src/orderer/blocks.js';
import { LevelOrdererStore } from '../../network/src/orderer/store.js';
import { DEFAULT_BATCH, orgSpecs, type NetworkProfile } from '../../network/src/profile.js';
import { ReportTxTemplate, seededIdentifiers, type ReportTx } from './report-tx.js';
import type { SeedChunk, SeedWorkerConfig, SignerPem } from './seed-worker.js';

/** What to seed. */
export interface SeedOptions {
  /** The network's directory (`NetworkHandle.dir`); the network must be stopped. */
  readonly dir: string;
  readonly profile: NetworkProfile;
  /** A committed, VALID `SubmitReport` envelope of this network. */
  readonly template: Uint8Array;
  readonly reports: number;
  /** Distinguishes this run's identifiers (reports of two seedings never collide). */
  readonly tag: string;
  readonly reportsPerSubject?: number;
  /**
   * Worker threads signing the copies (default: one per core); 0 signs on this thread, as does
   * running from the TypeScript sources (tests), where there is no compiled worker to start.
   */
  readonly threads?: number;
  readonly progress?: (line: string) => void;
}

/** What was seeded. */
export interface SeedResult {
  readonly reports: number;
  readonly blocks: number;
  /** First and last seeded block numbers. */
  readonly firstBlock: number;
  readonly lastBlock: number;
  /** The whole seeding, and the part of it spent compacting the databases at the end. */
  readonly seconds: number;
  readonly compactionSeconds: number;
  readonly meanTxPerBlock: number;
  /** Report ids of a few seeded transactions (first, middle, last), for checks. */
  readonly sampleReportIds: readonly string[];
}

const CHUNK = 256;

/** PEM material of every node and user of the network's organisations, by serialized identity. */
async function material(
  dir: string,
  profile: NetworkProfile,
): Promise<{
  orderer: SigningIdentity;
  bySerialized: Map<string, SignerPem>;
}> {
  const bySerialized = new Map<string, SignerPem>();
  let orderer: SigningIdentity | undefined;
  for (const spec of orgSpecs(profile)) {
    const org = await writeOrgMaterial(spec, dir);
    for (const m of [...org.nodes, ...org.users]) {
      const pem = { mspId: org.mspId, certPem: m.msp.signing.cert.pem, keyPem: m.msp.signing.key.pem };
      const id = signingIdentity(pem.mspId, pem.certPem, pem.keyPem);
      bySerialized.set(Buffer.from(id.serialized).toString('base64'), pem);
    }
    const node = org.nodes[0];
    if (spec.type === 'orderer' && node)
      orderer = signingIdentity(org.mspId, node.msp.signing.cert.pem, node.msp.signing.key.pem);
  }
  if (!orderer) throw new Error('no orderer node identity');
  return { orderer, bySerialized };
}

/** Where signed copies come from, in order. */
interface CopySource {
  /** The next copy; undefined after the last. */
  next(): Promise<ReportTx | undefined>;
  close(): Promise<void>;
}

/** Copies signed on this thread. */
class InlineCopies implements CopySource {
  readonly #template: ReportTxTemplate;
  readonly #creator: SigningIdentity;
  readonly #endorsers: SigningIdentity[];
  #next = 0;

  constructor(
    private readonly config: SeedWorkerConfig,
    private readonly total: number,
  ) {
    const toIdentity = (s: SignerPem): SigningIdentity => signingIdentity(s.mspId, s.certPem, s.keyPem);
    this.#template = new ReportTxTemplate(config.template);
    this.#creator = toIdentity(config.creator);
    this.#endorsers = config.endorsers.map(toIdentity);
  }

  next(): Promise<ReportTx | undefined> {
    if (this.#next >= this.total) return Promise.resolve(undefined);
    const ids = seededIdentifiers(this.config.tag, this.#next++, this.config.reportsPerSubject);
    return Promise.resolve(this.#template.make(ids, this.#creator, this.#endorsers));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Signed copies in order, made by worker threads `CHUNK` at a time, a few chunks ahead. */
class WorkerCopies implements CopySource {
  readonly #workers: Worker[];
  readonly #pending: Array<Promise<ReportTx[]>> = [];
  readonly #queues: Array<Array<(txs: ReportTx[]) => void>>;
  #nextChunk = 0;
  #buffer: ReportTx[] = [];
  #failure: Error | undefined;

  constructor(
    config: SeedWorkerConfig,
    threads: number,
    private readonly total: number,
    url: URL,
  ) {
    this.#workers = Array.from(
      { length: Math.max(1, threads) },
      () => new Worker(url, { workerData: config }),
    );
    this.#queues = this.#workers.map(() => []);
    this.#workers.forEach((w, i) => {
      w.on('message', (txs: ReportTx[]) => this.#queues[i]?.shift()?.(txs));
      w.on('error', (err) => {
        this.#failure = err;
        for (const q of this.#queues) for (const resolve of q.splice(0)) resolve([]);
      });
    });
    for (let k = 0; k < this.#workers.length * 3; k++) this.#request();
  }

  #request(): void {
    const from = this.#nextChunk * CHUNK;
    if (from >= this.total) return;
    const chunk: SeedChunk = { from, to: Math.min(this.total, from + CHUNK) };
    const i = this.#nextChunk % this.#workers.length;
    this.#nextChunk++;
    this.#pending.push(
      new Promise<ReportTx[]>((resolve) => {
        this.#queues[i]?.push(resolve);
        this.#workers[i]?.postMessage(chunk);
      }),
    );
  }

  /** The next copy; undefined after the last. */
  async next(): Promise<ReportTx | undefined> {
    while (this.#buffer.length === 0) {
      const chunk = this.#pending.shift();
      if (!chunk) return undefined;
      this.#buffer = await chunk;
      if (this.#failure) throw this.#failure;
      this.#request();
    }
    return this.#buffer.shift();
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/**
 * Appends `reports` SubmitReport transactions to the ledgers under `dir`, in blocks as the orderer
 * would cut them (its message count and preferred size), and returns what it wrote.
 * @throws Error when the orderer and peers are not at the same block (a network still running or
 *   not caught up) or the template is not a SubmitReport transaction of this network
 */
export async function seedReports(opts: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const template = new ReportTxTemplate(opts.template);
  const { orderer: ordererSigner, bySerialized } = await material(opts.dir, opts.profile);
  const find = (serialized: Uint8Array): SignerPem => {
    const pem = bySerialized.get(Buffer.from(serialized).toString('base64'));
    if (!pem) throw new Error('the template is signed by an identity this network does not hold');
    return pem;
  };
  const config: SeedWorkerConfig = {
    template: opts.template,
    creator: find(template.signers.creator),
    endorsers: template.signers.endorsers.map(find),
    tag: opts.tag,
    reportsPerSubject: opts.reportsPerSubject ?? 5,
  };
  const batch = { ...DEFAULT_BATCH, ...opts.profile.batch };
  const peerDirs = opts.profile.orgs.map((o) => join(opts.dir, 'ledgers', `${o.peer.name}.${o.domain}`));
  const [firstDir, ...otherDirs] = peerDirs;
  if (!firstDir) throw new Error('the profile has no peers');

  const store = await LevelOrdererStore.open(join(opts.dir, 'ledgers', 'orderer'));
  let ledger: PeerLedger | undefined;
  let source: CopySource | undefined;
  try {
    let number = await store.height();
    const tipBytes = await store.get(number - 1);
    if (!tipBytes) throw new Error('the orderer store has no blocks');
    const tip = common.Block.deserializeBinary(tipBytes);
    let previousHash: Uint8Array = blockHeaderHash(tip.getHeader() ?? new common.BlockHeader());
    for (const dir of peerDirs) {
      const l = await PeerLedger.open(dir);
      const info = l.blockchainInfo;
      await l.close();
      if (info.height !== number || !Buffer.from(info.currentBlockHash).equals(previousHash))
        throw new Error(
          `a peer is at height ${info.height} and the orderer at ${number}: stop the network first`,
        );
    }
    ledger = await PeerLedger.open(firstDir);
    const lastConfig = getLastConfigIndex(tip);
    const firstBlock = number;
    const workerUrl = new URL('./seed-worker.js', import.meta.url);
    const threads = existsSync(fileURLToPath(workerUrl)) ? (opts.threads ?? availableParallelism()) : 0;
    source =
      threads > 0
        ? new WorkerCopies(config, threads, opts.reports, workerUrl)
        : new InlineCopies(config, opts.reports);
    const samples = new Set([0, Math.floor(opts.reports / 2), opts.reports - 1]);
    const sampleReportIds: string[] = [];

    let taken = 0;
    const cut = async (): Promise<ReportTx[]> => {
      const txs: ReportTx[] = [];
      let bytes = 0;
      for (;;) {
        const tx = txs.length < batch.maxMessageCount ? await source?.next() : undefined;
        if (!tx) return txs;
        if (samples.has(taken)) sampleReportIds.push(tx.reportId);
        taken++;
        txs.push(tx);
        bytes += tx.envelope.length;
        if (bytes >= batch.preferredMaxBytes) return txs;
      }
    };

    let inFlight: Promise<unknown> = Promise.resolve();
    let lastLog = performance.now();
    for (;;) {
      const txs = await cut();
      if (txs.length === 0) break;
      const built = buildBlock({
        number,
        previousHash,
        envelopes: txs.map((t) => t.envelope),
        lastConfig,
        signer: ordererSigner,
      });
      const ordered = built.bytes;
      setTransactionsFilter(built.block, new Array<number>(txs.length).fill(0));
      const committed = built.block.serializeBinary();
      const blockTxs = txs.map((t, txNum) => ({
        txId: t.txId,
        txNum,
        code: 0,
        timestamp: t.timestamp,
        writes: t.writes,
        metadataWrites: [],
      }));
      // One block in flight: the next is cut and built while LevelDB writes this one.
      await inFlight;
      inFlight = Promise.all([
        store.append(number, ordered),
        ledger.commit(committed, built.block, blockTxs),
      ]);
      previousHash = blockHeaderHash(built.block.getHeader() ?? new common.BlockHeader());
      number++;
      if (opts.progress && performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const rate = taken / ((lastLog - started) / 1000);
        opts.progress(`seeded ${taken} of ${opts.reports} reports (${rate.toFixed(0)}/s)`);
      }
    }
    await inFlight;
    const seeded = performance.now();
    // A peer that committed these blocks over days would have compacted as it went; a bulk load
    // leaves that backlog, which would run during the rounds measured next.
    await ledger.compact();
    await store.compact();
    const compactionSeconds = Math.round(performance.now() - seeded) / 1000;
    await ledger.close();
    ledger = undefined;
    for (const dir of otherDirs) {
      await rm(dir, { recursive: true, force: true });
      await cp(firstDir, dir, { recursive: true });
    }
    const blocks = number - firstBlock;
    return {
      reports: taken,
      blocks,
      firstBlock,
      lastBlock: number - 1,
      seconds: Math.round(performance.now() - started) / 1000,
      compactionSeconds,
      meanTxPerBlock: blocks > 0 ? Math.round((taken / blocks) * 10) / 10 : 0,
      sampleReportIds,
    };
  } finally {
    await source?.close();
    await ledger?.close();
    await store.close();
  }
}
