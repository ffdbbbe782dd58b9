// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill
// loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/*
 * Test-only: a CA and the certificates it issues (P-256), minted with @peculiar/x509 so that
 * gateway tests need nothing from network/.
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600_000;

/** A certificate and its PKCS#8 private key, both PEM. */
export interface IssuedPem {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA that signs certificates. */
export interface TestCa extends IssuedPem {
  issue(request: {
    readonly commonName: string;
    /** DNS names and IP addresses. */
    readonly sans?: readonly string[];
    readonly usage: 'server' | 'client';
  }): Promise<IssuedPem>;
}

async function pemKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A fresh CA named `CN=<name>`. */
export async function createTestCa(name: string): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: caCert.toString('pem'),
    keyPem: await pemKey(keys.privateKey),
    async issue(request) {
      const leaf = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
      const sans = (request.sans ?? []).map((value) => ({
        type: /^[0-9.]+$/.test(value) ? ('ip' as const) : ('dns' as const),
        value,
      }));
      const cert = await x509.X509CertificateGenerator.create({
        subject: `CN=${request.commonName}`,
        issuer: caCert.subject,
        publicKey: leaf.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + 30 * DAY),
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([
            request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
          ]),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
          ...(sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
        ],
      });
      return { certPem: cert.toString('pem'), keyPem: await pemKey(leaf.privateKey) };
    },
  };
}
