/*
 * Certificate profiles: subjects, key usages, validity and Fabric CA attributes of what
 * CertificateAuthority mints (shared by issuing and by the conformance check that reuses files).
 */
import { isIP } from 'node:net';
import type { CertificateAuthorityOptions, IssueOptions } from './ca-types.js';
import { CaError } from './errors.js';
import { encodeFabricAttrs, x509 } from './pki.js';

/** One day in milliseconds. */
export const DAY_MS = 24 * 3600_000;
/** Fabric CA back-dates certificates by five minutes to tolerate clock skew. */
const BACKDATE_MS = 5 * 60_000;
/** cryptogen's validity for every certificate (CA and leaf): ten years. */
const DEFAULT_VALIDITY_DAYS = 3650;

/** Validity window from `notBefore` (default: five minutes ago) lasting `days` (default 3650). */
export function validity(
  notBefore: Date | undefined,
  days: number | undefined,
): { notBefore: Date; notAfter: Date } {
  const start = notBefore ?? new Date(Date.now() - BACKDATE_MS);
  const d = days ?? DEFAULT_VALIDITY_DAYS;
  if (!(d > 0)) throw new CaError(`validityDays must be positive, got ${d}`);
  return { notBefore: start, notAfter: new Date(start.getTime() + d * DAY_MS) };
}

/** SAN entries: IP addresses as `ip`, everything else as `dns`. */
export function sanNames(sans: readonly string[]): x509.JsonGeneralName[] {
  return sans.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value }));
}

/** `C=US, ST=North Carolina, L=Durham, O=<domain>, CN=ca.<domain>` (or `tlsca.<domain>`). */
export function caSubject(opts: CertificateAuthorityOptions): x509.JsonName {
  const cn = opts.commonName ?? `${opts.purpose === 'tls' ? 'tlsca' : 'ca'}.${opts.domain}`;
  return [
    { C: [opts.country ?? 'US'] },
    { ST: [opts.state ?? 'North Carolina'] },
    { L: [opts.locality ?? 'Durham'] },
    { O: [opts.domain] },
    { CN: [cn] },
  ];
}

/** keyUsage digitalSignature|keyCertSign|cRLSign and basicConstraints CA, both critical. */
export function caExtensions(): x509.Extension[] {
  return [
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
      true,
    ),
    new x509.BasicConstraintsExtension(true, undefined, true),
  ];
}

/** Fabric CA's enrolment subject: `C=US, ST=North Carolina, O=Hyperledger, OU=<ou>, CN=<commonName>`. */
export function subjectFor(opts: IssueOptions): x509.JsonName {
  const subject: x509.JsonName = [{ C: ['US'] }, { ST: ['North Carolina'] }, { O: ['Hyperledger'] }];
  if (opts.ou !== undefined) subject.push({ OU: [opts.ou] });
  subject.push({ CN: [opts.commonName] });
  return subject;
}

/** keyUsage of issued certificates: digitalSignature, plus keyEncipherment for TLS. */
export function keyUsage(opts: IssueOptions): x509.KeyUsageFlags {
  if (opts.tls === true) return x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
  return x509.KeyUsageFlags.digitalSignature;
}

/** The attribute extension value for `opts`, or undefined when the certificate carries no attributes. */
export function attributesFor(opts: IssueOptions): Buffer | undefined {
  const attrs: Record<string, string> = {};
  if (opts.fabricCaDefaults === true) {
    attrs['hf.Affiliation'] = '';
    attrs['hf.EnrollmentID'] = opts.commonName;
    if (opts.ou !== undefined) attrs['hf.Type'] = opts.ou;
  }
  Object.assign(attrs, opts.attrs ?? {});
  return Object.keys(attrs).length > 0 ? encodeFabricAttrs(attrs) : undefined;
}

/** Whether two SAN lists hold the same names, in any order. */
export function sameNames(a: readonly x509.JsonGeneralName[], b: readonly x509.JsonGeneralName[]): boolean {
  const norm = (names: readonly x509.JsonGeneralName[]): string =>
    names
      .map((n) => `${n.type}:${n.value}`)
      .sort()
      .join('\n');
  return norm(a) === norm(b);
}
