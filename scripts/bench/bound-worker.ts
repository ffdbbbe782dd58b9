/**
 * A worker thread of the parallel bound pipeline: does the crypto of the blocks it is given
 * ({@link BoundCrypto}) and hands the block back for the LevelDB writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BoundCrypto, type BoundConfig } from './bound-core.js';

interface Job {
  readonly number: number;
  readonly txCount: number;
}

const crypto = new BoundCrypto(workerData as BoundConfig);
const port = parentPort;
if (!port) throw new Error('bound-worker must run as a worker thread');
port.on('message', (job: Job) => {
  port.postMessage(crypto.block(job.number, job.txCount));
});
