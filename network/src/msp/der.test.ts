import { describe, expect, it } from 'vitest';
import { CertificateAuthority } from './ca.js';
import { DerError, readTbs } from './der.js';
import { encodeFabricAttrs, FABRIC_ATTRS_OID, firstPemBlock } from './pki.js';

describe('readTbs', () => {
  it('reads subject/issuer attributes in order and raw extension values', async () => {
    const ca = await CertificateAuthority.create({ domain: 'org1.example.com' });
    const attrs = { role: 'member' };
    const { certPem } = await ca.issue({ commonName: 'alice', ou: 'client', attrs });
    const tbs = readTbs(firstPemBlock(certPem)!.der);
    expect(tbs.subject).toEqual([
      { oid: '2.5.4.6', value: 'US' },
      { oid: '2.5.4.8', value: 'North Carolina' },
      { oid: '2.5.4.10', value: 'Hyperledger' },
      { oid: '2.5.4.11', value: 'client' },
      { oid: '2.5.4.3', value: 'alice' },
    ]);
    expect(tbs.issuer.map((a) => a.value)).toEqual([
      'US',
      'North Carolina',
      'Durham',
      'org1.example.com',
      'ca.org1.example.com',
    ]);
    expect(Buffer.from(tbs.extensions.get(FABRIC_ATTRS_OID)!)).toEqual(encodeFabricAttrs(attrs));
    expect(tbs.extensions.has('2.5.29.35')).toBe(true); // AuthorityKeyIdentifier
  });

  it('throws DerError on garbage and truncation', async () => {
    expect(() => readTbs(Buffer.from([0x30, 0x05, 0x01]))).toThrow(DerError);
    expect(() => readTbs(Buffer.from([0x02, 0x01, 0x00]))).toThrow(DerError);
    const ca = await CertificateAuthority.create({ domain: 'x.example.com' });
    const der = firstPemBlock(ca.certPem)!.der;
    expect(() => readTbs(der.subarray(0, der.length - 20))).toThrow(DerError);
  });
});
