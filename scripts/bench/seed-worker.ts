/**
 * A worker thread of the seeding: stamps out and signs the SubmitReport copies of the chunks it is
 * asked for ({@link ReportTxTemplate}), so that signing runs beside the main thread's commits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { signingIdentity } from '../../network/src/crypto/signing.js';
import { ReportTxTemplate, seededIdentifiers, type ReportTx } from './report-tx.js';

/** PEM material of a signing identity. */
export interface SignerPem {
  readonly mspId: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** What every worker is started with. */
export interface SeedWorkerConfig {
  readonly template: Uint8Array;
  readonly creator: SignerPem;
  readonly endorsers: readonly SignerPem[];
  readonly tag: string;
  readonly reportsPerSubject: number;
}

/** A request: copies `from` (inclusive) to `to` (exclusive). */
export interface SeedChunk {
  readonly from: number;
  readonly to: number;
}

const config = workerData as SeedWorkerConfig;
const template = new ReportTxTemplate(config.template);
const toIdentity = (s: SignerPem) => signingIdentity(s.mspId, s.certPem, s.keyPem);
const creator = toIdentity(config.creator);
const endorsers = config.endorsers.map(toIdentity);
const port = parentPort;
if (!port) throw new Error('seed-worker must run as a worker thread');
port.on('message', (chunk: SeedChunk) => {
  const txs: ReportTx[] = [];
  for (let i = chunk.from; i < chunk.to; i++)
    txs.push(template.make(seededIdentifiers(config.tag, i, config.reportsPerSubject), creator, endorsers));
  port.postMessage(txs);
});
