/* X.509 checks shared by caller authentication and transfer-request verification. */
import { X509Certificate } from 'node:crypto';

/** Parses a PEM or DER certificate; `undefined` when it is not one. */
export function parseCertificate(cert: string | Uint8Array): X509Certificate | undefined {
  try {
    return new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));
  } catch {
    return undefined;
  }
}

/** Whether `cert` was issued and signed by one of `cas` (PEM) and is valid at `now`. */
export function issuedByAny(cert: X509Certificate, cas: readonly X509Certificate[], now: Date): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (!(now.getTime() >= from && now.getTime() <= to)) return false;
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

/** Parses PEM CA certificates (a file may hold several). */
export function parseCas(pems: readonly string[]): X509Certificate[] {
  const blocks = pems.flatMap(
    (pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [],
  );
  return blocks.map((b) => new X509Certificate(b));
}

/** The subject's common name. */
export function commonNameOf(cert: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
}

/** The issuer's common name. */
export function issuerCommonNameOf(cert: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.issuer)?.[1];
}
