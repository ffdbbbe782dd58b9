/*
 * A minimal DER reader for the parts of an X.509 certificate node:crypto does not expose (subject and
 * issuer attributes in order, arbitrary extensions). @peculiar/x509 can do this too but costs milliseconds
 * per certificate; this is the per-identity hot path of the MSP.
 */

/** A DER element: tag byte and the bounds of its contents within the buffer. */
interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** Thrown for DER that cannot be read. */
export class DerError extends Error {
  override readonly name = 'DerError';
}

function readTlv(buf: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated DER');
  const tag = buf[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let len = buf[offset + 1] ?? 0;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new DerError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? 0);
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new DerError('DER element overruns its container');
  return { tag, start, end };
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const t = readTlv(buf, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (const b of bytes) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function decodeString(tag: number, bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  if (tag === 0x1e) {
    // BMPString: UTF-16 big-endian
    const swapped = Buffer.alloc(b.length);
    for (let i = 0; i + 1 < b.length; i += 2) {
      swapped[i] = b[i + 1] ?? 0;
      swapped[i + 1] = b[i] ?? 0;
    }
    return swapped.toString('utf16le');
  }
  return tag === 0x0c ? b.toString('utf8') : b.toString('latin1');
}

/** One attribute of a distinguished name. */
export interface DnAttribute {
  /** Dotted OID of the attribute type, e.g. `2.5.4.11` for OU. */
  readonly oid: string;
  readonly value: string;
}

/** What the MSP reads from a certificate's TBSCertificate. */
export interface TbsFields {
  /** Issuer attributes in certificate order (RDNs flattened). */
  readonly issuer: readonly DnAttribute[];
  /** Subject attributes in certificate order (RDNs flattened). */
  readonly subject: readonly DnAttribute[];
  /** Extension values (`extnValue` contents) by OID. */
  readonly extensions: ReadonlyMap<string, Uint8Array>;
}

function readName(buf: Uint8Array, name: Tlv): DnAttribute[] {
  const out: DnAttribute[] = [];
  for (const rdn of children(buf, name)) {
    for (const atv of children(buf, rdn)) {
      const [type, value] = children(buf, atv);
      if (type?.tag !== 0x06 || !value) throw new DerError('bad AttributeTypeAndValue');
      out.push({
        oid: decodeOid(buf.subarray(type.start, type.end)),
        value: decodeString(value.tag, buf.subarray(value.start, value.end)),
      });
    }
  }
  return out;
}

/** Reads issuer, subject and extensions from a DER X.509 certificate. */
export function readTbs(der: Uint8Array): TbsFields {
  const cert = readTlv(der, 0, der.length);
  const [tbs] = children(der, cert);
  if (cert.tag !== 0x30 || tbs?.tag !== 0x30) throw new DerError('not an X.509 certificate');
  const fields = children(der, tbs);
  const at = fields[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
  const issuer = fields[at + 2];
  const subject = fields[at + 4];
  if (issuer?.tag !== 0x30 || subject?.tag !== 0x30) throw new DerError('bad TBSCertificate');
  const extensions = new Map<string, Uint8Array>();
  const extField = fields.slice(at + 6).find((f) => f.tag === 0xa3);
  const extSeq = extField ? children(der, extField)[0] : undefined;
  for (const ext of extSeq ? children(der, extSeq) : []) {
    const parts = children(der, ext);
    const oid = parts[0];
    const value = parts[parts.length - 1];
    if (oid?.tag !== 0x06 || value?.tag !== 0x04) throw new DerError('bad Extension');
    extensions.set(decodeOid(der.subarray(oid.start, oid.end)), der.subarray(value.start, value.end));
  }
  return { issuer: readName(der, issuer), subject: readName(der, subject), extensions };
}
