import { asBuffer, readU64, utf8, writeU64 } from './bytes.js';
import { LedgerError } from './errors.js';
import type { HistoryEntry, StateMetadata, Timestamp, TxStatus, Version, VersionedValue } from './types.js';

/*
 * LevelDB value layouts (big-endian integers):
 *   state:     0x01 | u64 blockNum | u32 txNum | value
 *   statemeta: u32 count | count × (u32 len | name UTF-8 | u32 len | value), names sorted
 *   history:   0x01 | u8 flags (1 = delete) | f64 seconds | u32 nanos | u16 len | txId | value
 *   txids:     0x01 | u64 blockNum | u32 txNum | u16 code
 *   meta:      u64 height
 */

const FORMAT = 0x01;
const STATE_HEADER = 13;
const HISTORY_HEADER = 16;
const FLAG_DELETE = 0x01;

function corrupt(what: string): LedgerError {
  return new LedgerError('CORRUPT', `malformed ${what} record`);
}

/** Encodes a state value with its version. */
export function encodeStateRecord(value: Uint8Array, version: Version): Buffer {
  const buf = Buffer.allocUnsafe(STATE_HEADER + value.length);
  buf[0] = FORMAT;
  writeU64(buf, version.blockNum, 1);
  buf.writeUInt32BE(version.txNum, 9);
  buf.set(value, STATE_HEADER);
  return buf;
}

/** Decodes a state record; the value is a view into `record`. */
export function decodeStateRecord(record: Uint8Array): VersionedValue {
  const buf = asBuffer(record);
  if (buf.length < STATE_HEADER || buf[0] !== FORMAT) throw corrupt('state');
  return {
    value: buf.subarray(STATE_HEADER),
    version: { blockNum: readU64(buf, 1), txNum: buf.readUInt32BE(9) },
  };
}

/** The value part of a state record, without decoding the version. */
export function stateRecordValue(record: Uint8Array): Uint8Array {
  if (record.length < STATE_HEADER || record[0] !== FORMAT) throw corrupt('state');
  return record.subarray(STATE_HEADER);
}

/** Encodes key metadata, entries sorted by name so equal metadata has equal bytes. */
export function encodeMetadata(metadata: StateMetadata): Buffer {
  const names = Object.keys(metadata).sort();
  const parts: Buffer[] = [Buffer.allocUnsafe(4)];
  parts[0]?.writeUInt32BE(names.length, 0);
  for (const name of names) {
    const nameBytes = utf8(name, 'metadata name');
    const value = metadata[name] ?? new Uint8Array();
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(nameBytes.length, 0);
    const valueHead = Buffer.allocUnsafe(4);
    valueHead.writeUInt32BE(value.length, 0);
    parts.push(head, nameBytes, valueHead, asBuffer(value));
  }
  return Buffer.concat(parts);
}

/** Decodes key metadata. */
export function decodeMetadata(record: Uint8Array): StateMetadata {
  const buf = asBuffer(record);
  const entries: Array<[string, Uint8Array]> = [];
  let at = 4;
  if (buf.length < 4) throw corrupt('metadata');
  const count = buf.readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    if (at + 4 > buf.length) throw corrupt('metadata');
    const nameEnd = at + 4 + buf.readUInt32BE(at);
    if (nameEnd + 4 > buf.length) throw corrupt('metadata');
    const valueEnd = nameEnd + 4 + buf.readUInt32BE(nameEnd);
    if (valueEnd > buf.length) throw corrupt('metadata');
    entries.push([buf.toString('utf8', at + 4, nameEnd), buf.subarray(nameEnd + 4, valueEnd)]);
    at = valueEnd;
  }
  return Object.fromEntries(entries);
}

/** The stored part of a history entry (block and tx numbers live in the key). */
export interface HistoryRecord {
  /** UTF-8 bytes of the tx id (encoded once per transaction). */
  readonly txId: Buffer;
  readonly value: Uint8Array | null;
  readonly timestamp: Timestamp;
}

/** Encodes a history record. */
export function encodeHistoryRecord(record: HistoryRecord): Buffer {
  const { txId } = record;
  if (txId.length > 0xffff) throw new LedgerError('INVALID_KEY', 'transaction id longer than 65535 bytes');
  const value = record.value ?? new Uint8Array();
  const buf = Buffer.allocUnsafe(HISTORY_HEADER + txId.length + value.length);
  buf[0] = FORMAT;
  buf[1] = record.value === null ? FLAG_DELETE : 0;
  buf.writeDoubleBE(record.timestamp.seconds, 2);
  buf.writeUInt32BE(record.timestamp.nanos, 10);
  buf.writeUInt16BE(txId.length, 14);
  txId.copy(buf, HISTORY_HEADER);
  buf.set(value, HISTORY_HEADER + txId.length);
  return buf;
}

/** Decodes a history record into a history entry at (`blockNum`, `txNum`). */
export function decodeHistoryRecord(record: Uint8Array, blockNum: number, txNum: number): HistoryEntry {
  const buf = asBuffer(record);
  if (buf.length < HISTORY_HEADER || buf[0] !== FORMAT) throw corrupt('history');
  const txIdEnd = HISTORY_HEADER + buf.readUInt16BE(14);
  if (txIdEnd > buf.length) throw corrupt('history');
  const isDelete = ((buf[1] ?? 0) & FLAG_DELETE) !== 0;
  return {
    txId: buf.toString('utf8', HISTORY_HEADER, txIdEnd),
    value: isDelete ? null : buf.subarray(txIdEnd),
    isDelete,
    timestamp: { seconds: buf.readDoubleBE(2), nanos: buf.readUInt32BE(10) },
    blockNum,
    txNum,
  };
}

/** Encodes a txid index entry. */
export function encodeTxStatus(status: TxStatus): Buffer {
  const buf = Buffer.allocUnsafe(15);
  buf[0] = FORMAT;
  writeU64(buf, status.blockNumber, 1);
  buf.writeUInt32BE(status.txNumber, 9);
  buf.writeUInt16BE(status.code, 13);
  return buf;
}

/** Decodes a txid index entry. */
export function decodeTxStatus(record: Uint8Array): TxStatus {
  const buf = asBuffer(record);
  if (buf.length !== 15 || buf[0] !== FORMAT) throw corrupt('txid index');
  return { blockNumber: readU64(buf, 1), txNumber: buf.readUInt32BE(9), code: buf.readUInt16BE(13) };
}

/** Encodes the ledger height. */
export function encodeHeight(height: number): Buffer {
  const buf = Buffer.allocUnsafe(8);
  writeU64(buf, height, 0);
  return buf;
}

/** Decodes the ledger height. */
export function decodeHeight(record: Uint8Array): number {
  if (record.length !== 8) throw corrupt('height');
  return readU64(asBuffer(record), 0);
}
