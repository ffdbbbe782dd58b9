import type { NodeOU } from './pki.js';

/** Options for {@link CertificateAuthority.create}. */
export interface CertificateAuthorityOptions {
  /** Organisation domain, e.g. `org1.example.com`: subject `O=<domain>`, `CN=ca.<domain>` / `tlsca.<domain>`. */
  readonly domain: string;
  /** `signing` (default) issues MSP identities; `tls` issues TLS server/client certificates. */
  readonly purpose?: 'signing' | 'tls';
  /** Subject CN; defaults to `ca.<domain>` (signing) or `tlsca.<domain>` (tls). */
  readonly commonName?: string;
  /** Subject C; default `US`. */
  readonly country?: string;
  /** Subject ST; default `North Carolina` (Fabric CA's default; cryptogen uses `California`). */
  readonly state?: string;
  /** Subject L; default `Durham` (cryptogen uses `San Francisco`). */
  readonly locality?: string;
  /** Validity in days from `notBefore`; default 3650. */
  readonly validityDays?: number;
  /** Start of validity; default five minutes ago. */
  readonly notBefore?: Date;
}

/** Options for {@link CertificateAuthority.issue}. */
export interface IssueOptions {
  /** Subject CN (Fabric CA: the enrolment ID; cryptogen: `peer0.org1.example.com`, `User1@org1.example.com`). */
  readonly commonName: string;
  /** NodeOU placed in the subject as `OU=<ou>`; omit for none. */
  readonly ou?: NodeOU;
  /** Fabric CA attributes, written to extension 1.2.3.4.5.6.7.8.1 as `{"attrs":{...}}` (keys sorted). */
  readonly attrs?: Readonly<Record<string, string>>;
  /**
   * Also add the `hf.Affiliation` (empty), `hf.EnrollmentID` (= commonName) and `hf.Type` (= ou) attributes
   * Fabric CA puts in every enrolment certificate; explicit `attrs` win. Default `false`.
   */
  readonly fabricCaDefaults?: boolean;
  /** Subject alternative names: DNS names and IP addresses (`localhost`, `127.0.0.1`, `peer0.org1.example.com`). */
  readonly sans?: readonly string[];
  /** A TLS certificate: extKeyUsage serverAuth + clientAuth, keyUsage digitalSignature + keyEncipherment. */
  readonly tls?: boolean;
  /** Validity in days from `notBefore`; default 3650. */
  readonly validityDays?: number;
  /** Start of validity; default five minutes ago. Set it in the past to mint expired certificates. */
  readonly notBefore?: Date;
}

/** A certificate with its private key. */
export interface IssuedCertificate {
  /** PEM certificate, newline-terminated. */
  readonly certPem: string;
  /** PKCS#8 PEM private key (P-256). */
  readonly keyPem: string;
}

/** The persisted form of a CA: its certificate and PKCS#8 private key. */
export interface CertificateAuthorityJson {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Where {@link CertificateAuthority.save} wrote a CA. */
export interface CaFiles {
  readonly certPath: string;
  readonly keyPath: string;
}
