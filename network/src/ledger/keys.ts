import { asBuffer, assertWellFormed, readU64, utf8, writeU64 } from './bytes.js';
import { LedgerError } from './errors.js';

/*
 * LevelDB key layouts (each inside its own sublevel):
 *   blocks:    u64 block number
 *   txids:     UTF-8 tx id
 *   state,
 *   statemeta: u16 len(ns) | ns | key                      (ns, key in UTF-8)
 *   history:   u16 len(ns) | ns | u32 len(key) | key | u64 blockNum | u32 txNum
 * The length prefix keeps namespaces apart (no namespace's keys can start with another namespace's
 * prefix) while the key bytes come last, so within a namespace LevelDB's bytewise order is the UTF-8
 * byte order of the keys, as in Fabric's LevelDB state database.
 */

const MAX_NS_BYTES = 0xffff;
/** Greater than any byte of UTF-8 text (0xF8..0xFF never occur), so `prefix + END` bounds a namespace. */
const END_OF_NAMESPACE = 0xff;

function nsPrefix(ns: string, extra: number): { buf: Buffer; offset: number } {
  assertWellFormed(ns, 'namespace');
  const nsLen = Buffer.byteLength(ns, 'utf8');
  if (nsLen > MAX_NS_BYTES)
    throw new LedgerError('INVALID_KEY', `namespace longer than ${MAX_NS_BYTES} bytes`);
  const buf = Buffer.allocUnsafe(2 + nsLen + extra);
  buf.writeUInt16BE(nsLen, 0);
  buf.write(ns, 2, 'utf8');
  return { buf, offset: 2 + nsLen };
}

/** State (and state metadata) key of `key` in namespace `ns`. */
export function stateKey(ns: string, key: string): Buffer {
  assertWellFormed(key, 'key');
  const keyLen = Buffer.byteLength(key, 'utf8');
  const { buf, offset } = nsPrefix(ns, keyLen);
  buf.write(key, offset, 'utf8');
  return buf;
}

/** Decodes a state key into its namespace and key. */
export function decodeStateKey(encoded: Uint8Array): { ns: string; key: string } {
  const buf = asBuffer(encoded);
  if (buf.length < 2) throw new LedgerError('CORRUPT', 'state key shorter than its length prefix');
  const nsEnd = 2 + buf.readUInt16BE(0);
  if (nsEnd > buf.length) throw new LedgerError('CORRUPT', 'state key shorter than its namespace');
  return { ns: buf.toString('utf8', 2, nsEnd), key: buf.toString('utf8', nsEnd) };
}

/**
 * LevelDB bounds of the keys `k` of `ns` with `startKey <= k < endKey` in UTF-8 byte order; an empty
 * `endKey` means up to the end of the namespace (and an empty `startKey` from its beginning).
 */
export function stateRange(ns: string, startKey: string, endKey: string): { gte: Buffer; lt: Buffer } {
  const gte = stateKey(ns, startKey);
  if (endKey !== '') return { gte, lt: stateKey(ns, endKey) };
  const { buf, offset } = nsPrefix(ns, 1);
  buf[offset] = END_OF_NAMESPACE;
  return { gte, lt: buf };
}

/** Bounds of a whole namespace. */
export function namespaceRange(ns: string): { gte: Buffer; lt: Buffer } {
  return stateRange(ns, '', '');
}

const HEIGHT_BYTES = 12;

function historyPrefix(ns: string, key: string, extra: number): { buf: Buffer; offset: number } {
  assertWellFormed(key, 'key');
  const keyLen = Buffer.byteLength(key, 'utf8');
  const { buf, offset } = nsPrefix(ns, 4 + keyLen + extra);
  buf.writeUInt32BE(keyLen, offset);
  buf.write(key, offset + 4, 'utf8');
  return { buf, offset: offset + 4 + keyLen };
}

/** History key of a modification of (`ns`, `key`) by transaction (`blockNum`, `txNum`). */
export function historyKey(ns: string, key: string, blockNum: number, txNum: number): Buffer {
  const { buf, offset } = historyPrefix(ns, key, HEIGHT_BYTES);
  writeU64(buf, blockNum, offset);
  buf.writeUInt32BE(txNum, offset + 8);
  return buf;
}

/** Bounds of all history keys of (`ns`, `key`). */
export function historyRange(ns: string, key: string): { gte: Buffer; lte: Buffer } {
  const { buf: gte, offset } = historyPrefix(ns, key, HEIGHT_BYTES);
  gte.fill(0x00, offset);
  const lte = Buffer.from(gte);
  lte.fill(0xff, offset);
  return { gte, lte };
}

/** The (blockNum, txNum) at the end of a history key. */
export function decodeHistoryHeight(encoded: Uint8Array): { blockNum: number; txNum: number } {
  const buf = asBuffer(encoded);
  if (buf.length < HEIGHT_BYTES) throw new LedgerError('CORRUPT', 'history key too short');
  const at = buf.length - HEIGHT_BYTES;
  return { blockNum: readU64(buf, at), txNum: buf.readUInt32BE(at + 8) };
}

/** Block store key of block `n`. */
export function blockKey(n: number): Buffer {
  const buf = Buffer.allocUnsafe(8);
  writeU64(buf, n, 0);
  return buf;
}

/** Block number of a block store key. */
export function decodeBlockKey(encoded: Uint8Array): number {
  const buf = asBuffer(encoded);
  if (buf.length !== 8) throw new LedgerError('CORRUPT', 'block key is not 8 bytes');
  return readU64(buf, 0);
}

/** TxID index key. */
export function txIdKey(txId: string): Buffer {
  return utf8(txId, 'transaction id');
}

/** Key of the ledger height in the meta sublevel. */
export const HEIGHT_KEY: Buffer = Buffer.from('height', 'utf8');
