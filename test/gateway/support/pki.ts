/* Test-only: Fabric-shaped CAs and certificates, minted with the network's own CA code. */
import { X509Certificate } from 'node:crypto';
import { CertificateAuthority } from '../../../network/src/msp/ca.js';
import type { Identity } from '../../../gateway/src/wallet/wallet.js';

/** An organisation's signing CA and TLS CA. */
export interface TestOrg {
  readonly mspId: string;
  readonly domain: string;
  readonly ca: CertificateAuthority;
  readonly tlsCa: CertificateAuthority;
}

export async function testOrg(mspId: string, domain: string): Promise<TestOrg> {
  return {
    mspId,
    domain,
    ca: await CertificateAuthority.create({ domain }),
    tlsCa: await CertificateAuthority.create({ domain, purpose: 'tls' }),
  };
}

/** An officer's enrolment identity and the id Fabric records for it (`x509::<subject>::<issuer>`). */
export async function officer(
  org: TestOrg,
  name: string,
  institution: string,
  ca: CertificateAuthority = org.ca,
): Promise<{ identity: Identity; actorId: string }> {
  const issued = await ca.issue({
    commonName: `${name}@${org.domain}`,
    ou: 'client',
    attrs: { role: 'member', institution },
    fabricCaDefaults: true,
  });
  const cert = new X509Certificate(issued.certPem);
  const dn = (text: string) => `/${text.split('\n').join('/')}`;
  return {
    identity: { mspId: org.mspId, certPem: issued.certPem, privateKeyPem: issued.keyPem },
    actorId: `x509::${dn(cert.subject)}::${dn(cert.issuer)}`,
  };
}

/** A TLS certificate of the organisation's TLS CA (serverAuth and clientAuth). */
export async function tlsCertificate(
  org: TestOrg,
  host: string,
): Promise<{ certPem: string; keyPem: string }> {
  return org.tlsCa.issue({ commonName: host, sans: [host, 'localhost', '127.0.0.1'], tls: true });
}

/** The DER of a PEM certificate, as a TLS socket reports it. */
export function derOf(certPem: string): Uint8Array {
  return new X509Certificate(certPem).raw;
}
