import { createPrivateKey, createPublicKey, webcrypto, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  attributesFor,
  caExtensions,
  caSubject,
  DAY_MS,
  keyUsage,
  sameNames,
  sanNames,
  subjectFor,
  validity,
} from './ca-profile.js';
import type {
  CaFiles,
  CertificateAuthorityJson,
  CertificateAuthorityOptions,
  IssuedCertificate,
  IssueOptions,
} from './ca-types.js';
import { CaError } from './errors.js';
import { writeAtomic } from './files.js';
import {
  EC_P256,
  ECDSA_SHA256,
  FABRIC_ATTRS_OID,
  randomSerial,
  toPem,
  withTrailingNewline,
  x509,
} from './pki.js';

export type {
  CaFiles,
  CertificateAuthorityJson,
  CertificateAuthorityOptions,
  IssuedCertificate,
  IssueOptions,
} from './ca-types.js';

async function importPrivateKey(keyPem: string): Promise<webcrypto.CryptoKey> {
  let der: Buffer;
  try {
    der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  } catch (e) {
    throw new CaError(`cannot read CA private key: ${(e as Error).message}`);
  }
  return webcrypto.subtle.importKey('pkcs8', der, EC_P256, true, ['sign']);
}

async function exportPkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

/**
 * A self-signed ECDSA P-256 certificate authority shaped like Fabric's (cryptogen / Fabric CA): one per
 * organisation for MSP identities and a separate one for TLS.
 */
export class CertificateAuthority {
  private constructor(
    /** PEM of the CA certificate (newline-terminated). */
    readonly certPem: string,
    /** PKCS#8 PEM of the CA private key. */
    readonly keyPem: string,
    /** The CA certificate as node:crypto parses it. */
    readonly certificate: X509Certificate,
    private readonly cert: x509.X509Certificate,
    private readonly signingKey: webcrypto.CryptoKey,
    private readonly keyId: string,
  ) {}

  /** Subject CN of the CA certificate (e.g. `ca.org1.example.com`). */
  get commonName(): string {
    return this.cert.subjectName.getField('CN')[0] ?? '';
  }

  /**
   * Creates a CA with a fresh P-256 key and a self-signed certificate
   * `C=US, ST=North Carolina, L=Durham, O=<domain>, CN=ca.<domain>` (or `tlsca.<domain>`), with
   * basicConstraints CA (critical), keyUsage digitalSignature|keyCertSign|cRLSign (critical) and a
   * SubjectKeyIdentifier.
   */
  static async create(opts: CertificateAuthorityOptions): Promise<CertificateAuthority> {
    const keys = await generateKeys();
    const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: caSubject(opts),
      ...validity(opts.notBefore, opts.validityDays),
      keys,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [...caExtensions(), ski],
    });
    const certPem = withTrailingNewline(cert.toString('pem'));
    const keyPem = await exportPkcs8Pem(keys.privateKey);
    return new CertificateAuthority(
      certPem,
      keyPem,
      new X509Certificate(certPem),
      cert,
      keys.privateKey,
      ski.keyId,
    );
  }

  /**
   * Loads a CA from its PEM certificate and private key (PKCS#8 or SEC1), checking that the key matches the
   * certificate and that the certificate is a CA.
   * @throws CaError when they do not form a usable CA.
   */
  static async fromJSON(json: CertificateAuthorityJson): Promise<CertificateAuthority> {
    let nodeCert: X509Certificate;
    try {
      nodeCert = new X509Certificate(json.certPem);
    } catch (e) {
      throw new CaError(`cannot parse CA certificate: ${(e as Error).message}`);
    }
    if (!nodeCert.ca) throw new CaError(`certificate ${nodeCert.subject.replace(/\n/g, ', ')} is not a CA`);
    const signingKey = await importPrivateKey(json.keyPem);
    if (!createPublicKey(createPrivateKey(json.keyPem)).equals(nodeCert.publicKey))
      throw new CaError('CA private key does not match the CA certificate');
    const cert = new x509.X509Certificate(nodeCert.raw);
    const skiExt = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    const keyId = skiExt?.keyId ?? (await x509.SubjectKeyIdentifierExtension.create(cert.publicKey)).keyId;
    return new CertificateAuthority(
      withTrailingNewline(cert.toString('pem')),
      await exportPkcs8Pem(signingKey),
      nodeCert,
      cert,
      signingKey,
      keyId,
    );
  }

  /** Loads a CA persisted as two PEM files (see {@link CertificateAuthority.save}). */
  static async fromFiles(certPath: string, keyPath: string): Promise<CertificateAuthority> {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return CertificateAuthority.fromJSON({ certPem, keyPem });
  }

  /** The CA as PEM certificate and PKCS#8 key, for {@link CertificateAuthority.fromJSON}. */
  toJSON(): CertificateAuthorityJson {
    return { certPem: this.certPem, keyPem: this.keyPem };
  }

  /**
   * Writes the CA in cryptogen's layout: `<dir>/<commonName>-cert.pem` and `<dir>/priv_sk` (mode 0600),
   * each written atomically.
   */
  async save(dir: string): Promise<CaFiles> {
    const files = CertificateAuthority.filesIn(dir, this.commonName);
    await writeAtomic(files.certPath, this.certPem, 0o644);
    await writeAtomic(files.keyPath, this.keyPem, 0o600);
    return files;
  }

  /** The paths {@link CertificateAuthority.save} uses for a CA named `commonName` in `dir`. */
  static filesIn(dir: string, commonName: string): CaFiles {
    return { certPath: join(dir, `${commonName}-cert.pem`), keyPath: join(dir, 'priv_sk') };
  }

  /**
   * Issues a certificate with a fresh P-256 key, subject `C=US, ST=North Carolina, O=Hyperledger,
   * OU=<ou>, CN=<commonName>` as Fabric CA writes it, basicConstraints CA:false (critical),
   * SubjectKeyIdentifier and AuthorityKeyIdentifier; Fabric CA attributes when given; for TLS
   * extKeyUsage serverAuth+clientAuth; SANs when given.
   */
  async issue(opts: IssueOptions): Promise<IssuedCertificate> {
    const keys = await generateKeys();
    const extensions: x509.Extension[] = [
      new x509.KeyUsagesExtension(keyUsage(opts), true),
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.AuthorityKeyIdentifierExtension(this.keyId),
    ];
    if (opts.tls === true)
      extensions.push(
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
      );
    if (opts.sans !== undefined && opts.sans.length > 0)
      extensions.push(new x509.SubjectAlternativeNameExtension(sanNames(opts.sans)));
    const attrs = attributesFor(opts);
    // extnValue holds the raw JSON bytes, not wrapped in another ASN.1 type, as Fabric CA's attrmgr writes it.
    if (attrs) extensions.push(new x509.Extension(FABRIC_ATTRS_OID, false, attrs));

    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: subjectFor(opts),
      issuer: this.cert.subjectName,
      ...validity(opts.notBefore, opts.validityDays),
      publicKey: keys.publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions,
    });
    return {
      certPem: withTrailingNewline(cert.toString('pem')),
      keyPem: await exportPkcs8Pem(keys.privateKey),
    };
  }

  /**
   * Creates an intermediate CA signed by this one (subject like {@link CertificateAuthority.create}, plus an
   * AuthorityKeyIdentifier). Its certificate goes in an MSP's `intermediateCertsPem`.
   */
  async createIntermediate(opts: CertificateAuthorityOptions): Promise<CertificateAuthority> {
    const keys = await generateKeys();
    const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: caSubject(opts),
      issuer: this.cert.subjectName,
      ...validity(opts.notBefore, opts.validityDays),
      publicKey: keys.publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [...caExtensions(), ski, new x509.AuthorityKeyIdentifierExtension(this.keyId)],
    });
    const certPem = withTrailingNewline(cert.toString('pem'));
    const keyPem = await exportPkcs8Pem(keys.privateKey);
    return new CertificateAuthority(
      certPem,
      keyPem,
      new X509Certificate(certPem),
      cert,
      keys.privateKey,
      ski.keyId,
    );
  }

  /**
   * Whether `certPem` is a certificate this CA would issue for `opts` and still usable at `at`: signed by
   * this CA, same subject, key usages, Fabric CA attributes and SANs, valid at `at` and for at least
   * `minRemainingDays` more days (default 1). Used to reuse persisted material.
   */
  conforms(certPem: string, opts: IssueOptions, at: Date = new Date(), minRemainingDays = 1): boolean {
    if (!this.issued(certPem)) return false;
    try {
      const cert = new x509.X509Certificate(certPem);
      if (cert.notBefore.getTime() > at.getTime()) return false;
      if (cert.notAfter.getTime() < at.getTime() + minRemainingDays * DAY_MS) return false;
      if (cert.subjectName.toString() !== new x509.Name(subjectFor(opts)).toString()) return false;
      if (cert.getExtension(x509.KeyUsagesExtension)?.usages !== keyUsage(opts)) return false;
      const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
      if ((eku !== null) !== (opts.tls === true)) return false;
      const attrs = attributesFor(opts);
      const attrExt = cert.getExtension(FABRIC_ATTRS_OID);
      if (attrs === undefined ? attrExt !== null : !attrExt || !attrs.equals(Buffer.from(attrExt.value)))
        return false;
      const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
      const expectedSans = opts.sans ?? [];
      if (expectedSans.length === 0) return san === null;
      const want = new x509.SubjectAlternativeNameExtension(sanNames(expectedSans));
      return san !== null && sameNames(san.names.toJSON(), want.names.toJSON());
    } catch {
      return false;
    }
  }

  /**
   * Whether `certPem` was signed by this CA (issuer name and signature), using node:crypto.
   * Returns false for unparsable input.
   */
  issued(certPem: string): boolean {
    try {
      const leaf = new X509Certificate(certPem);
      const ca = this.certificate;
      return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
    } catch {
      return false;
    }
  }
}
