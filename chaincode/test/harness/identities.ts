/**
 * Test PKI shaped like Fabric CA output: a self-signed P-256 CA per MSP issuing enrolment
 * certificates with a NodeOU (`OU=client|admin|peer|orderer`) and Fabric CA attributes stored in
 * the `1.2.3.4.5.6.7.8.1` extension, which fabric-shim's `ClientIdentity` reads.
 */
// tsyringe (used by @peculiar/x509) needs a Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

/** OID under which Fabric CA stores enrolment attributes (`attrmgr.AttrOID`). */
export const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

const EC_KEY_ALG: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALG: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** A Fabric NodeOU classification. */
export type NodeOU = 'client' | 'admin' | 'peer' | 'orderer';

/** An X.509 identity as a Fabric client holds it. */
export interface TestIdentity {
  /** MSP that issued (and will deserialize) the identity. */
  readonly mspId: string;
  /** PEM certificate, newline-terminated as Fabric CA writes it. */
  readonly certPem: string;
  /** PKCS#8 PEM private key (P-256). */
  readonly privateKeyPem: string;
}

/** Options for {@link TestCA.issue}. */
export interface IssueOptions {
  /** Subject CN (Fabric CA: the enrolment ID). */
  readonly commonName: string;
  /** NodeOU placed in the subject. */
  readonly ou: NodeOU;
  /** Custom attributes, e.g. `{ role: 'member', institution: 'bank-a' }`. */
  readonly attrs?: Readonly<Record<string, string>>;
  /**
   * Add the `hf.EnrollmentID` / `hf.Type` / `hf.Affiliation` attributes Fabric CA puts in every
   * enrolment certificate (default `true`). With `false` and no `attrs` the certificate carries no
   * attribute extension at all, like a cryptogen identity.
   */
  readonly fabricCaDefaults?: boolean;
}

/**
 * Encodes a value as Go's `encoding/json` does for `map[string]string`: keys sorted, HTML-sensitive
 * characters and U+2028/U+2029 escaped.
 */
function goJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  };
  return JSON.stringify(sortKeys(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

function withTrailingNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

async function exportPkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return withTrailingNewline(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
}

/** Validity window: back-dated five minutes as Fabric CA does, ten years long. */
function validity(): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Date.now() - 5 * 60_000);
  const notAfter = new Date(notBefore.getTime() + 10 * 365 * 24 * 3600_000);
  return { notBefore, notAfter };
}

/** A certificate authority for one MSP. */
export class TestCA {
  private constructor(
    /** MSP ID of identities issued by this CA. */
    readonly mspId: string,
    /** PEM of the self-signed CA certificate. */
    readonly caCertPem: string,
    private readonly cert: x509.X509Certificate,
    private readonly keys: webcrypto.CryptoKeyPair,
  ) {}

  /**
   * Creates a CA with a fresh P-256 key and a self-signed certificate
   * (`C=US, ST=North Carolina, L=Durham, O=<mspId>, CN=<name>`).
   * @param mspId MSP ID stamped on every issued identity.
   * @param name CA common name; defaults to `ca.<mspId lower-case>`.
   */
  static async create(mspId: string, name?: string): Promise<TestCA> {
    const keys = await generateKeys();
    const subject: x509.JsonName = [
      { C: ['US'] },
      { ST: ['North Carolina'] },
      { L: ['Durham'] },
      { O: [mspId] },
      { CN: [name ?? `ca.${mspId.toLowerCase()}`] },
    ];
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: subject,
      ...validity(),
      keys,
      signingAlgorithm: SIGNING_ALG,
      extensions: [
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        new x509.BasicConstraintsExtension(true, 1, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new TestCA(mspId, withTrailingNewline(cert.toString('pem')), cert, keys);
  }

  /**
   * Issues an enrolment certificate as Fabric CA does
   * (`C=US, ST=North Carolina, O=Hyperledger, OU=<ou>, CN=<commonName>`).
   * @param opts subject and attributes.
   * @returns the identity with its PKCS#8 private key.
   */
  async issue(opts: IssueOptions): Promise<TestIdentity> {
    const keys = await generateKeys();
    const subject: x509.JsonName = [
      { C: ['US'] },
      { ST: ['North Carolina'] },
      { O: ['Hyperledger'] },
      { OU: [opts.ou] },
      { CN: [opts.commonName] },
    ];
    const attrs: Record<string, string> = {};
    if (opts.fabricCaDefaults ?? true) {
      attrs['hf.Affiliation'] = '';
      attrs['hf.EnrollmentID'] = opts.commonName;
      attrs['hf.Type'] = opts.ou;
    }
    Object.assign(attrs, opts.attrs ?? {});

    const extensions: x509.Extension[] = [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey),
    ];
    if (Object.keys(attrs).length > 0) {
      // extnValue holds the raw JSON bytes (not wrapped in another ASN.1 type), as attrmgr writes it.
      extensions.push(new x509.Extension(FABRIC_ATTRS_OID, false, Buffer.from(goJson({ attrs }), 'utf8')));
    }

    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject,
      issuer: this.cert.subjectName,
      ...validity(),
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: SIGNING_ALG,
      extensions,
    });
    return {
      mspId: this.mspId,
      certPem: withTrailingNewline(cert.toString('pem')),
      privateKeyPem: await exportPkcs8Pem(keys.privateKey),
    };
  }
}
