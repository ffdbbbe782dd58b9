import { assertWellFormed } from './bytes.js';
import { LedgerError } from './errors.js';
import type { BlockTx } from './types.js';

const MAX_CODE = 0xffff;
const MAX_NANOS = 999_999_999;

/**
 * Checks the committer's transaction list against a block holding `dataCount` envelopes: tx numbers
 * strictly increasing and inside the block, integer validation codes, well-formed tx ids and
 * timestamps. Throws `INVALID_TX` (or `INVALID_KEY`) before anything is written.
 */
export function validateBlockTxs(txs: readonly BlockTx[], dataCount: number): void {
  let previous = -1;
  for (const tx of txs) {
    if (!Number.isInteger(tx.txNum) || tx.txNum <= previous || tx.txNum >= dataCount) {
      throw new LedgerError(
        'INVALID_TX',
        `tx number ${tx.txNum} must be increasing and below the block's ${dataCount} envelopes`,
      );
    }
    previous = tx.txNum;
    if (!Number.isInteger(tx.code) || tx.code < 0 || tx.code > MAX_CODE) {
      throw new LedgerError('INVALID_TX', `invalid validation code ${tx.code} for tx ${tx.txNum}`);
    }
    const { seconds, nanos } = tx.timestamp;
    if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos > MAX_NANOS) {
      throw new LedgerError('INVALID_TX', `invalid timestamp of tx ${tx.txNum}`);
    }
    assertWellFormed(tx.txId, 'transaction id');
  }
}
