/*
 * The few DER encodings Fabric's block header hash needs (`encoding/asn1` in Go):
 * SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }.
 * Kept minimal on purpose: the ASN.1 libraries in node_modules are only transitive dependencies
 * of @peculiar/x509, and the tests check this encoder against asn1js independently.
 */

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

/** DER INTEGER of a non-negative integer, minimal two's complement as Go's `big.Int` marshals it. */
export function derUnsignedInteger(value: bigint): Buffer {
  if (value < 0n) throw new RangeError('derUnsignedInteger: negative value');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let body = Buffer.from(hex, 'hex');
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}

/** DER OCTET STRING. */
export function derOctetString(value: Uint8Array): Buffer {
  return tlv(0x04, value);
}

/** DER SEQUENCE of already encoded elements. */
export function derSequence(...elements: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(elements));
}
