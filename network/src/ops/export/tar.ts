/**
 * A minimal POSIX ustar writer for regular files, enough for Fabric chaincode packages (whose reader
 * accepts regular-file entries only). No tar package is resolvable from the repository, and the format
 * is small: 512-byte headers, data padded to 512 bytes, two zero blocks at the end.
 */
import { gzipSync } from 'node:zlib';
import { ExportError } from './errors.js';

/** One regular file of an archive. */
export interface TarEntry {
  /** Relative path with `/` separators, at most 255 bytes (100 for the last part). */
  readonly name: string;
  readonly data: Uint8Array;
  /** Permission bits; default `0o644`. */
  readonly mode?: number;
}

/** Options of {@link ustar}. */
export interface UstarOptions {
  /** Modification time of every entry, in seconds since the epoch; default 0 so archives are reproducible. */
  readonly mtime?: number;
}

const BLOCK = 512;
const MAX_SIZE = 0o77777777777;
const encoder = new TextEncoder();

function fail(name: string, reason: string): never {
  throw new ExportError('TAR_ENTRY', `cannot archive ${JSON.stringify(name)}: ${reason}`, {
    hint: 'use relative file names of printable characters without ".." parts',
  });
}

/** Splits a path into ustar `prefix` and `name` fields (≤ 155 and ≤ 100 bytes). */
function splitName(name: string): { prefix: Uint8Array; name: Uint8Array } {
  if (name === '' || name.startsWith('/') || name.endsWith('/')) fail(name, 'not a relative file name');
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) fail(name, 'empty, "." or ".." path part');
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) fail(name, 'control character in name');
  }
  const whole = encoder.encode(name);
  if (whole.length <= 100) return { prefix: new Uint8Array(0), name: whole };
  for (let i = 1; i < parts.length; i++) {
    const prefix = encoder.encode(parts.slice(0, i).join('/'));
    const rest = encoder.encode(parts.slice(i).join('/'));
    if (prefix.length <= 155 && rest.length <= 100) return { prefix, name: rest };
  }
  return fail(name, 'longer than ustar allows (155-byte prefix + 100-byte name)');
}

/** Writes `value` as zero-padded octal of `width - 1` digits followed by NUL. */
function octal(header: Uint8Array, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  header.set(encoder.encode(digits), offset);
  header[offset + width - 1] = 0;
}

function header(entry: TarEntry, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const { prefix, name } = splitName(entry.name);
  if (entry.data.length > MAX_SIZE) fail(entry.name, 'larger than 8 GiB');
  h.set(name, 0);
  octal(h, 100, 8, entry.mode ?? 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, entry.data.length);
  octal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156);
  h[156] = 0x30; // typeflag '0': regular file
  h.set(encoder.encode('ustar\x0000'), 257);
  h.set(encoder.encode('root'), 265);
  h.set(encoder.encode('root'), 297);
  h.set(prefix, 345);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(encoder.encode(sum.toString(8).padStart(6, '0')), 148);
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/**
 * An uncompressed ustar archive of `entries`, in the order given.
 * @throws ExportError `TAR_ENTRY` for names ustar cannot hold or duplicate names.
 */
export function ustar(entries: readonly TarEntry[], options: UstarOptions = {}): Buffer {
  const mtime = options.mtime ?? 0;
  const seen = new Set<string>();
  const chunks: Uint8Array[] = [];
  for (const entry of entries) {
    if (seen.has(entry.name)) fail(entry.name, 'appears twice');
    seen.add(entry.name);
    chunks.push(header(entry, mtime), entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad) chunks.push(new Uint8Array(pad));
  }
  chunks.push(new Uint8Array(2 * BLOCK));
  return Buffer.concat(chunks);
}

/** gzip header byte naming the operating system; zlib sets the build platform's, Unix is 3. */
const GZIP_OS_BYTE = 9;
const GZIP_OS_UNIX = 3;

/**
 * A gzip-compressed {@link ustar} archive (`.tar.gz`), byte-for-byte reproducible for the same input and
 * zlib (no timestamp, and the same OS byte on every platform).
 */
export function tarGz(entries: readonly TarEntry[], options: UstarOptions = {}): Buffer {
  const gz = gzipSync(ustar(entries, options), { level: 9 });
  gz[GZIP_OS_BYTE] = GZIP_OS_UNIX;
  return gz;
}
