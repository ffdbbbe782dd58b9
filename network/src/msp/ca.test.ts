import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type TLSSocket } from 'node:tls';
import { ClientIdentity, type ChaincodeStub } from 'fabric-shim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeIdentity } from '../crypto/signing.js';
import { CertificateAuthority } from './ca.js';
import { CaError } from './errors.js';
import { FABRIC_ATTRS_OID, x509 } from './pki.js';

/** fabric-shim's real ClientIdentity over a minimal stub that only answers what its constructor reads. */
function clientIdentity(mspId: string, certPem: string): ClientIdentity {
  const stub = {
    getChannelID: () => 'mychannel',
    getTxID: () => 'tx1',
    getCreator: () => ({ mspid: mspId, idBytes: Buffer.from(certPem) }),
  };
  return new ClientIdentity(stub as unknown as ChaincodeStub);
}

let ca: CertificateAuthority;
let tlsCa: CertificateAuthority;
let dir: string;

beforeAll(async () => {
  ca = await CertificateAuthority.create({ domain: 'org1.example.com' });
  tlsCa = await CertificateAuthority.create({ domain: 'org1.example.com', purpose: 'tls' });
  dir = await mkdtemp(join(tmpdir(), 'msp-ca-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CertificateAuthority.create', () => {
  it('makes a self-signed P-256 CA with Fabric-like subject and CA extensions', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject.split('\n')).toEqual([
      'C=US',
      'ST=North Carolina',
      'L=Durham',
      'O=org1.example.com',
      'CN=ca.org1.example.com',
    ]);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ca.commonName).toBe('ca.org1.example.com');
    expect(ca.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const p = new x509.X509Certificate(ca.certPem);
    const bc = p.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(true);
    expect(bc?.critical).toBe(true);
    const ku = p.getExtension(x509.KeyUsagesExtension);
    expect(ku?.critical).toBe(true);
    expect(ku?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    );
    expect(p.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('names the TLS CA tlsca.<domain> and honours locality', async () => {
    expect(tlsCa.commonName).toBe('tlsca.org1.example.com');
    const sf = await CertificateAuthority.create({ domain: 'example.com', locality: 'San Francisco' });
    expect(sf.certificate.subject).toContain('L=San Francisco');
  });

  it('uses minimal positive serial numbers (Go rejects others)', async () => {
    for (let i = 0; i < 5; i++) {
      const { certPem } = await ca.issue({ commonName: `u${i}`, ou: 'client' });
      const serial = new X509Certificate(certPem).serialNumber;
      expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });
});

describe('CertificateAuthority.issue', () => {
  it('issues enrolment certificates that chain to the CA, with OU, SKI/AKI and no CA flag', async () => {
    const { certPem, keyPem } = await ca.issue({ commonName: 'User1@org1.example.com', ou: 'client' });
    const cert = new X509Certificate(certPem);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca.certificate)).toBe(true);
    expect(cert.verify(ca.certificate.publicKey)).toBe(true);
    expect(cert.subject.split('\n')).toEqual([
      'C=US',
      'ST=North Carolina',
      'O=Hyperledger',
      'OU=client',
      'CN=User1@org1.example.com',
    ]);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(ca.issued(certPem)).toBe(true);
    expect(tlsCa.issued(certPem)).toBe(false);

    const p = new x509.X509Certificate(certPem);
    const caSki = new x509.X509Certificate(ca.certPem).getExtension(
      x509.SubjectKeyIdentifierExtension,
    )?.keyId;
    expect(p.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caSki);
    expect(p.getExtension(x509.SubjectKeyIdentifierExtension)).not.toBeNull();
    expect(p.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(p.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(p.getExtension(x509.ExtendedKeyUsageExtension)).toBeNull();
    expect(p.getExtension(FABRIC_ATTRS_OID)).toBeNull();
  });

  it('writes Fabric CA attributes as raw sorted JSON that fabric-shim ClientIdentity reads', async () => {
    const { certPem } = await ca.issue({
      commonName: 'alice',
      ou: 'client',
      attrs: { role: 'member', institution: 'bank-a', 'a<b': 'x&y' },
      fabricCaDefaults: true,
    });
    const ext = new x509.X509Certificate(certPem).getExtension(FABRIC_ATTRS_OID);
    expect(ext?.critical).toBe(false);
    expect(Buffer.from(ext?.value ?? new ArrayBuffer(0)).toString('utf8')).toBe(
      '{"attrs":{"a\\u003cb":"x\\u0026y","hf.Affiliation":"","hf.EnrollmentID":"alice","hf.Type":"client","institution":"bank-a","role":"member"}}',
    );

    const ci = clientIdentity('Org1MSP', certPem);
    expect(ci.getMSPID()).toBe('Org1MSP');
    expect(ci.getAttributeValue('role')).toBe('member');
    expect(ci.getAttributeValue('institution')).toBe('bank-a');
    expect(ci.getAttributeValue('hf.EnrollmentID')).toBe('alice');
    expect(ci.getAttributeValue('a<b')).toBe('x&y');
    expect(ci.getAttributeValue('missing')).toBeNull();
    expect(ci.assertAttributeValue('role', 'member')).toBe(true);
    expect(ci.getID()).toBe(
      'x509::/C=US/ST=North Carolina/O=Hyperledger/OU=client/CN=alice::/C=US/ST=North Carolina/L=Durham/O=org1.example.com/CN=ca.org1.example.com',
    );
    // The serialised identity is what a proposal's creator carries.
    expect(serializeIdentity('Org1MSP', certPem).length).toBeGreaterThan(certPem.length);
  });

  it('issues TLS certificates with serverAuth+clientAuth and DNS/IP SANs that complete a TLS handshake', async () => {
    const server = await tlsCa.issue({
      commonName: 'peer0.org1.example.com',
      ou: 'peer',
      tls: true,
      sans: ['peer0.org1.example.com', 'localhost', '127.0.0.1', '::1'],
    });
    const cert = new X509Certificate(server.certPem);
    expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(cert.subjectAltName).toContain('DNS:peer0.org1.example.com');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkHost('peer0.org1.example.com')).toBe('peer0.org1.example.com');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');

    const client = await tlsCa.issue({ commonName: 'User1@org1.example.com', ou: 'client', tls: true });
    const srv = createServer({
      cert: server.certPem,
      key: server.keyPem,
      ca: [tlsCa.certPem],
      requestCert: true,
      rejectUnauthorized: true,
    });
    srv.on('secureConnection', (s: TLSSocket) => s.end('hello'));
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as { port: number }).port;
    try {
      const got = await new Promise<string>((resolve, reject) => {
        const sock = connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca: [tlsCa.certPem],
          cert: client.certPem,
          key: client.keyPem,
        });
        let data = '';
        sock.on('data', (d: Buffer) => (data += d.toString()));
        sock.on('end', () => {
          resolve(data);
        });
        sock.on('error', reject);
      });
      expect(got).toBe('hello');
    } finally {
      await new Promise<void>((resolve) => {
        srv.close(() => {
          resolve();
        });
      });
    }
  });

  it('honours validity options and rejects non-positive validity', async () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const { certPem } = await ca.issue({ commonName: 'old', ou: 'client', notBefore, validityDays: 1 });
    const cert = new X509Certificate(certPem);
    expect(new Date(cert.validFrom).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2020-01-02T00:00:00.000Z');
    await expect(ca.issue({ commonName: 'x', validityDays: 0 })).rejects.toBeInstanceOf(CaError);
  });
});

describe('persistence', () => {
  it('round-trips through toJSON/fromJSON and keeps issuing certificates under the same CA', async () => {
    const again = await CertificateAuthority.fromJSON(
      JSON.parse(JSON.stringify(ca)) as { certPem: string; keyPem: string },
    );
    expect(again.certPem).toBe(ca.certPem);
    const { certPem } = await again.issue({ commonName: 'bob', ou: 'admin' });
    expect(ca.issued(certPem)).toBe(true);
  });

  it('saves as <cn>-cert.pem + priv_sk (0600) and reloads with fromFiles', async () => {
    const files = await ca.save(join(dir, 'ca'));
    expect(files.certPath).toBe(join(dir, 'ca', 'ca.org1.example.com-cert.pem'));
    expect(files.keyPath).toBe(join(dir, 'ca', 'priv_sk'));
    expect((await stat(files.keyPath)).mode & 0o777).toBe(0o600);
    const loaded = await CertificateAuthority.fromFiles(files.certPath, files.keyPath);
    expect(loaded.certPem).toBe(ca.certPem);
    expect(loaded.keyPem).toBe(ca.keyPem);
    expect(loaded.issued((await loaded.issue({ commonName: 'c', ou: 'peer' })).certPem)).toBe(true);
  });

  it('refuses a key that does not match, a non-CA certificate and garbage', async () => {
    await expect(
      CertificateAuthority.fromJSON({ certPem: ca.certPem, keyPem: tlsCa.keyPem }),
    ).rejects.toThrow(/does not match/);
    const leaf = await ca.issue({ commonName: 'leaf', ou: 'client' });
    await expect(CertificateAuthority.fromJSON(leaf)).rejects.toThrow(/is not a CA/);
    await expect(
      CertificateAuthority.fromJSON({ certPem: 'nope', keyPem: ca.keyPem }),
    ).rejects.toBeInstanceOf(CaError);
    await expect(
      CertificateAuthority.fromJSON({ certPem: ca.certPem, keyPem: 'nope' }),
    ).rejects.toBeInstanceOf(CaError);
  });
});

describe('conforms', () => {
  it('accepts a certificate matching the issue options and rejects any difference', async () => {
    const opts = {
      commonName: 'peer0.org1.example.com',
      ou: 'peer',
      sans: ['localhost', '127.0.0.1'],
      tls: true,
    } as const;
    const { certPem } = await tlsCa.issue(opts);
    expect(tlsCa.conforms(certPem, opts)).toBe(true);
    expect(tlsCa.conforms(certPem, { ...opts, sans: ['127.0.0.1', 'localhost'] })).toBe(true);
    expect(tlsCa.conforms(certPem, { ...opts, sans: ['localhost'] })).toBe(false);
    expect(tlsCa.conforms(certPem, { ...opts, tls: false })).toBe(false);
    expect(tlsCa.conforms(certPem, { ...opts, ou: 'client' })).toBe(false);
    expect(tlsCa.conforms(certPem, { ...opts, commonName: 'peer1.org1.example.com' })).toBe(false);
    expect(ca.conforms(certPem, opts)).toBe(false);
    expect(tlsCa.conforms(certPem, opts, new Date(Date.now() + 3649 * 24 * 3600_000))).toBe(false);

    const user = {
      commonName: 'u',
      ou: 'client',
      attrs: { role: 'member' },
      fabricCaDefaults: true,
    } as const;
    const u = await ca.issue(user);
    expect(ca.conforms(u.certPem, user)).toBe(true);
    expect(ca.conforms(u.certPem, { ...user, attrs: { role: 'auditor' } })).toBe(false);
    expect(ca.conforms(u.certPem, { ...user, fabricCaDefaults: false })).toBe(false);
    expect(ca.conforms('garbage', user)).toBe(false);
  });
});
