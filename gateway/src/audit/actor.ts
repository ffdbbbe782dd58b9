/*
 * The actor of a transaction whose records do not name it (a consent revocation): derived from the
 * creator certificate the way fabric-shim's `ClientIdentity` does — `x509::/<subject RDNs>::/<issuer
 * RDNs>` and the Fabric CA attributes (extension 1.2.3.4.5.6.7.8.1, JSON `{"attrs":{...}}`).
 */
import { X509Certificate } from 'node:crypto';
import type { AuditActor } from './model.js';

/** DER of OID 1.2.3.4.5.6.7.8.1 (tag, length, content). */
const ATTRS_OID = Buffer.from([0x06, 0x08, 0x2a, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01]);

function readLength(der: Buffer, at: number): { length: number; next: number } | undefined {
  const first = der[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { length: first, next: at + 1 };
  const count = first & 0x7f;
  if (count === 0 || count > 3) return undefined;
  let length = 0;
  for (let i = 1; i <= count; i++) {
    const b = der[at + i];
    if (b === undefined) return undefined;
    length = length * 256 + b;
  }
  return { length, next: at + 1 + count };
}

/** The Fabric CA attributes of a DER certificate; empty when it has none or they do not parse. */
export function fabricAttributes(der: Buffer): Readonly<Record<string, string>> {
  const at = der.indexOf(ATTRS_OID);
  if (at < 0) return {};
  let pos = at + ATTRS_OID.length;
  // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
  if (der[pos] === 0x01) pos += 3;
  if (der[pos] !== 0x04) return {};
  const len = readLength(der, pos + 1);
  if (!len) return {};
  try {
    const parsed = JSON.parse(der.subarray(len.next, len.next + len.length).toString('utf8')) as unknown;
    const attrs = (parsed as { attrs?: unknown }).attrs;
    if (typeof attrs !== 'object' || attrs === null) return {};
    return Object.fromEntries(
      Object.entries(attrs).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

const rdns = (name: string): string => `/${name.split('\n').join('/')}`;

/** The actor of a creator identity; `id` is empty when the certificate does not parse. */
export function actorOfCreator(mspId: string, certPem: string): AuditActor {
  try {
    const cert = new X509Certificate(certPem);
    return {
      mspId,
      institution: fabricAttributes(cert.raw).institution ?? null,
      id: `x509::${rdns(cert.subject)}::${rdns(cert.issuer)}`,
    };
  } catch {
    return { mspId, institution: null, id: '' };
  }
}
