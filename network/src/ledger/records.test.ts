import { describe, expect, it } from 'vitest';
import {
  decodeHistoryRecord,
  decodeMetadata,
  decodeStateRecord,
  decodeTxStatus,
  encodeHistoryRecord,
  encodeMetadata,
  encodeStateRecord,
  encodeTxStatus,
} from './records.js';

describe('value records', () => {
  it('round-trip state values with versions', () => {
    const record = encodeStateRecord(Buffer.from('value'), { blockNum: 2 ** 40 + 3, txNum: 7 });
    expect(decodeStateRecord(record)).toEqual({
      value: Buffer.from('value'),
      version: { blockNum: 2 ** 40 + 3, txNum: 7 },
    });
    expect(
      decodeStateRecord(encodeStateRecord(new Uint8Array(), { blockNum: 0, txNum: 0 })).value,
    ).toHaveLength(0);
    expect(() => decodeStateRecord(Buffer.from([9, 9]))).toThrow(/malformed state/);
  });

  it('round-trip metadata deterministically', () => {
    const md = { b: Buffer.from('2'), a: Buffer.from(''), VALIDATION_PARAMETER: Buffer.from([0, 1, 2]) };
    const encoded = encodeMetadata(md);
    expect(
      encoded.equals(encodeMetadata({ VALIDATION_PARAMETER: md.VALIDATION_PARAMETER, a: md.a, b: md.b })),
    ).toBe(true);
    expect(decodeMetadata(encoded)).toEqual(md);
    expect(() => decodeMetadata(encoded.subarray(0, encoded.length - 1))).toThrow(/malformed metadata/);
  });

  it('round-trip history entries and txid index entries', () => {
    const timestamp = { seconds: 1_700_000_000, nanos: 999_999_999 };
    const put = encodeHistoryRecord({ txId: Buffer.from('tx1'), value: Buffer.from('v'), timestamp });
    expect(decodeHistoryRecord(put, 4, 2)).toEqual({
      txId: 'tx1',
      value: Buffer.from('v'),
      isDelete: false,
      timestamp,
      blockNum: 4,
      txNum: 2,
    });
    const deleted = decodeHistoryRecord(
      encodeHistoryRecord({ txId: Buffer.from('tx2'), value: null, timestamp }),
      5,
      0,
    );
    expect(deleted).toMatchObject({ txId: 'tx2', value: null, isDelete: true });
    const status = { blockNumber: 12, txNumber: 3, code: 255 };
    expect(decodeTxStatus(encodeTxStatus(status))).toEqual(status);
  });
});
