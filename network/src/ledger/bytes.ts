import { LedgerError } from './errors.js';

/*
 * Fixed-width big-endian integers and strict UTF-8 helpers shared by the key and record layouts.
 * Big-endian so that LevelDB's bytewise order equals numeric order.
 */

const TWO_32 = 0x1_0000_0000;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** A zero-copy Buffer view of `bytes`, for Buffer's read helpers. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes a non-negative safe integer as 8 bytes big-endian at `offset`. */
export function writeU64(buf: Buffer, value: number, offset: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`not a non-negative safe integer: ${value}`);
  }
  buf.writeUInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value % TWO_32, offset + 4);
}

/** Reads 8 bytes big-endian at `offset` as a number. */
export function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** Throws `INVALID_KEY` unless `text` is well-formed UTF-16 (no lone surrogates), i.e. has an exact UTF-8 form. */
export function assertWellFormed(text: string, what: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new LedgerError('INVALID_KEY', `${what} is not a valid UTF-8 string: ${JSON.stringify(text)}`);
  }
}

/** UTF-8 bytes of a well-formed string. */
export function utf8(text: string, what: string): Buffer {
  assertWellFormed(text, what);
  return Buffer.from(text, 'utf8');
}

/** Byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return asBuffer(a).equals(b);
}
