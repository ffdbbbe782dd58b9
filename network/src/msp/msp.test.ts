import { msp as mspProto } from '@hyperledger/fabric-protos';
import { ClientIdentity, type ChaincodeStub } from 'fabric-shim';
import { beforeAll, describe, expect, it } from 'vitest';
import { derSignatureS, serializeIdentity, signingIdentity } from '../crypto/signing.js';
import { CertificateAuthority, type IssueOptions } from './ca.js';
import { MspConfigError, MspError } from './errors.js';
import { satisfiesPrincipal, type Identity } from './identity.js';
import { MspManager } from './msp.js';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** Re-encodes a low-S DER signature with S' = n - S (the high-S twin Fabric rejects). */
function highS(der: Buffer): Buffer {
  const rLen = der[3] ?? 0;
  const r = der.subarray(4, 4 + rLen);
  const s = N - (derSignatureS(der) ?? 0n);
  let sBytes = Buffer.from(s.toString(16).padStart(64, '0'), 'hex');
  if ((sBytes[0] ?? 0) & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, sBytes.length]), sBytes]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function expectMspError(fn: () => unknown, code: MspError['code']): MspError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MspError);
    expect((e as MspError).code).toBe(code);
    return e as MspError;
  }
  throw new Error(`expected MspError ${code}`);
}

let org1: CertificateAuthority;
let org2: CertificateAuthority;
let tls1: CertificateAuthority;
let manager: MspManager;

async function enrol(
  ca: CertificateAuthority,
  opts: IssueOptions,
): Promise<{ certPem: string; keyPem: string }> {
  return ca.issue(opts);
}

beforeAll(async () => {
  [org1, org2, tls1] = await Promise.all([
    CertificateAuthority.create({ domain: 'org1.example.com' }),
    CertificateAuthority.create({ domain: 'org2.example.com' }),
    CertificateAuthority.create({ domain: 'org1.example.com', purpose: 'tls' }),
  ]);
  manager = new MspManager([
    { mspId: 'Org1MSP', rootCertsPem: [org1.certPem], tlsRootCertsPem: [tls1.certPem] },
    { mspId: 'Org2MSP', rootCertsPem: [org2.certPem], tlsRootCertsPem: [] },
  ]);
});

describe('deserialize', () => {
  it('validates a client identity and exposes its MSP, OUs, roles, attributes and fabric-shim ID', async () => {
    const user = await enrol(org1, {
      commonName: 'User1@org1.example.com',
      ou: 'client',
      attrs: { role: 'member' },
      fabricCaDefaults: true,
    });
    const bytes = serializeIdentity('Org1MSP', user.certPem);
    const id = manager.deserialize(bytes);
    expect(id.mspId).toBe('Org1MSP');
    expect(id.certPem).toBe(user.certPem);
    expect(id.ous).toEqual(['client']);
    expect(id.nodeOU).toBe('client');
    expect([...id.roles].sort()).toEqual(['client', 'member']);
    expect(id.attrs).toEqual({
      'hf.Affiliation': '',
      'hf.EnrollmentID': 'User1@org1.example.com',
      'hf.Type': 'client',
      role: 'member',
    });
    expect(id.publicKey.equals(id.certificate.publicKey)).toBe(true);
    expect(Buffer.from(id.serialized)).toEqual(Buffer.from(bytes));
    expect(id.notAfter.getTime()).toBeGreaterThan(Date.now());

    const stub = {
      getChannelID: () => 'ch',
      getTxID: () => 'tx',
      getCreator: () => ({ mspid: 'Org1MSP', idBytes: Buffer.from(user.certPem) }),
    };
    expect(id.id).toBe(new ClientIdentity(stub as unknown as ChaincodeStub).getID());
    expect(id.id).toBe(
      'x509::/C=US/ST=North Carolina/O=Hyperledger/OU=client/CN=User1@org1.example.com::/C=US/ST=North Carolina/L=Durham/O=org1.example.com/CN=ca.org1.example.com',
    );
  });

  it('formats IDs exactly like fabric-shim for slashes and non-ASCII names', async () => {
    for (const commonName of ['a/b/c', 'Zoë Ünïcode', 'x=y, z+w']) {
      const c = await enrol(org1, { commonName, ou: 'client' });
      const stub = {
        getChannelID: () => 'ch',
        getTxID: () => 'tx',
        getCreator: () => ({ mspid: 'Org1MSP', idBytes: Buffer.from(c.certPem) }),
      };
      const shimId = new ClientIdentity(stub as unknown as ChaincodeStub).getID();
      expect(manager.identityFromCert('Org1MSP', c.certPem).id).toBe(shimId);
    }
    const slash = await enrol(org1, { commonName: 'a/b/c', ou: 'client' });
    expect(manager.identityFromCert('Org1MSP', slash.certPem).id).toContain('/CN=a\\/b/c::');
  });

  it('caches by bytes: the same identity object, bounded size, refusals cached too', async () => {
    const small = new MspManager([{ mspId: 'Org1MSP', rootCertsPem: [org1.certPem], tlsRootCertsPem: [] }], {
      cacheSize: 2,
    });
    const certs = await Promise.all(
      ['a', 'b', 'c'].map((cn) => enrol(org1, { commonName: cn, ou: 'client' })),
    );
    const bytes = certs.map((c) => serializeIdentity('Org1MSP', c.certPem));
    const first = small.deserialize(bytes[0]!);
    expect(small.deserialize(Uint8Array.from(bytes[0]!))).toBe(first);
    small.deserialize(bytes[1]!);
    small.deserialize(bytes[2]!);
    expect(small.cachedIdentities).toBe(2);
    expect(small.deserialize(bytes[0]!)).not.toBe(first); // evicted, re-validated
    expect(small.deserialize(bytes[0]!).id).toBe(first.id);

    const unknown = serializeIdentity('Org9MSP', certs[0]!.certPem);
    const e1 = expectMspError(() => small.deserialize(unknown), 'UNKNOWN_MSP');
    const e2 = expectMspError(() => small.deserialize(unknown), 'UNKNOWN_MSP');
    expect(e2).toBe(e1);
  });

  it('rejects an unknown MSP with Fabric wording', async () => {
    const user = await enrol(org1, { commonName: 'u', ou: 'client' });
    const e = expectMspError(
      () => manager.deserialize(serializeIdentity('Org3MSP', user.certPem)),
      'UNKNOWN_MSP',
    );
    expect(e.message).toBe('MSP Org3MSP is not defined on channel');
    expect(e.stage).toBe('deserialize');
    expect(e.endorserMessage('mychannel')).toBe(
      'access denied: channel [mychannel] creator org unknown, creator is malformed',
    );
  });

  it('rejects a certificate from a CA outside the MSP (foreign CA) as malformed creator', async () => {
    const foreign = await enrol(org2, { commonName: 'mallory', ou: 'client' });
    const e = expectMspError(() => manager.identityFromCert('Org1MSP', foreign.certPem), 'UNTRUSTED');
    expect(e.message).toBe(
      'the supplied identity is not valid: x509: certificate signed by unknown authority',
    );
    expect(e.mspId).toBe('Org1MSP');
    expect(e.endorserMessage('mychannel')).toBe(
      'access denied: channel [mychannel] creator org unknown, creator is malformed',
    );
    // A self-made CA with the same subject as Org1's does not help.
    const lookalike = await CertificateAuthority.create({ domain: 'org1.example.com' });
    const forged = await enrol(lookalike, { commonName: 'User1@org1.example.com', ou: 'client' });
    expectMspError(() => manager.identityFromCert('Org1MSP', forged.certPem), 'UNTRUSTED');
    // ...nor does a TLS certificate of the same organisation.
    const tlsCert = await enrol(tls1, { commonName: 'peer0', ou: 'peer', tls: true });
    expectMspError(() => manager.identityFromCert('Org1MSP', tlsCert.certPem), 'UNTRUSTED');
  });

  it('rejects malformed bytes, non-PEM id_bytes and unparsable certificates', () => {
    const garbage = expectMspError(() => manager.deserialize(Buffer.from([0x0a, 0xff, 0xff])), 'MALFORMED');
    expect(garbage.message).toMatch(/^could not deserialize a SerializedIdentity/);
    expect(garbage.endorserMessage('c')).toBe(
      'access denied: channel [c] creator org unknown, creator is malformed',
    );

    const notPem = expectMspError(() => manager.identityFromCert('Org1MSP', 'hello'), 'MALFORMED');
    expect(notPem.message).toBe('could not decode the PEM structure');

    const badDer = '-----BEGIN CERTIFICATE-----\nAAECAwQ=\n-----END CERTIFICATE-----\n';
    const parse = expectMspError(() => manager.identityFromCert('Org1MSP', badDer), 'MALFORMED');
    expect(parse.message).toMatch(/^parseCertificate failed/);

    const empty = new mspProto.SerializedIdentity();
    empty.setMspid('Org1MSP');
    expectMspError(() => manager.deserialize(empty.serializeBinary()), 'MALFORMED');
  });

  it('rejects expired and not-yet-valid certificates, checking time on every call despite the cache', async () => {
    const expired = await enrol(org1, {
      commonName: 'old',
      ou: 'client',
      notBefore: new Date(Date.now() - 30 * 24 * 3600_000),
      validityDays: 1,
    });
    const e = expectMspError(() => manager.identityFromCert('Org1MSP', expired.certPem), 'EXPIRED');
    expect(e.message).toMatch(/^identity expired/);
    expect(e.stage).toBe('validate');
    expect(e.endorserMessage('mychannel')).toBe('identity expired');

    const user = await enrol(org1, { commonName: 'now', ou: 'client', validityDays: 10 });
    const bytes = serializeIdentity('Org1MSP', user.certPem);
    expect(manager.deserialize(bytes).mspId).toBe('Org1MSP');
    expectMspError(() => manager.deserialize(bytes, new Date(Date.now() + 11 * 24 * 3600_000)), 'EXPIRED');
    expectMspError(() => manager.deserialize(bytes, new Date(Date.now() - 3600_000)), 'EXPIRED');
    expect(manager.deserialize(bytes, new Date(Date.now() + 9 * 24 * 3600_000)).mspId).toBe('Org1MSP');
  });

  it('requires exactly one NodeOU', async () => {
    const noOu = await enrol(org1, { commonName: 'nobody' });
    const e = expectMspError(() => manager.identityFromCert('Org1MSP', noOu.certPem), 'NO_NODE_OU');
    expect(e.message).toMatch(
      /^could not validate identity's OUs: the identity must be a client, a peer, an orderer or an admin identity to be valid, not a combination of them\. OUs: \[\], MSP: \[Org1MSP\]$/,
    );
    expect(e.endorserMessage('mychannel')).toBe('access denied: channel [mychannel] creator org [Org1MSP]');
  });

  it('refuses a CA certificate used as an identity (at validation, like Fabric)', () => {
    const e = expectMspError(() => manager.identityFromCert('Org1MSP', org1.certPem), 'UNTRUSTED');
    expect(e.stage).toBe('validate');
    expect(e.endorserMessage('ch')).toBe('access denied: channel [ch] creator org [Org1MSP]');
  });
});

describe('intermediate CAs', () => {
  it('validates identities issued by an intermediate and enforces the certification tree', async () => {
    const root = await CertificateAuthority.create({ domain: 'org3.example.com' });
    const inter = await root.createIntermediate({
      domain: 'org3.example.com',
      commonName: 'ica.org3.example.com',
    });
    const def = { mspId: 'Org3MSP', rootCertsPem: [root.certPem], tlsRootCertsPem: [] };
    const withInter = new MspManager([{ ...def, intermediateCertsPem: [inter.certPem] }]);
    const rootOnly = new MspManager([def]);

    const viaInter = await enrol(inter, { commonName: 'u', ou: 'peer' });
    expect(withInter.identityFromCert('Org3MSP', viaInter.certPem).roles.has('peer')).toBe(true);
    expectMspError(() => rootOnly.identityFromCert('Org3MSP', viaInter.certPem), 'UNTRUSTED');

    const direct = await enrol(root, { commonName: 'd', ou: 'peer' });
    expect(rootOnly.identityFromCert('Org3MSP', direct.certPem).nodeOU).toBe('peer');
    const e = expectMspError(() => withInter.identityFromCert('Org3MSP', direct.certPem), 'UNTRUSTED');
    expect(e.message).toMatch(/Parent certificate should be a leaf of the certification tree/);
    expect(e.stage).toBe('validate');
  });
});

describe('roles and principals', () => {
  let ids: Record<'client' | 'peer' | 'admin' | 'orderer', Identity>;
  beforeAll(async () => {
    const entries = await Promise.all(
      (['client', 'peer', 'admin', 'orderer'] as const).map(async (ou) => {
        const c = await enrol(org1, { commonName: `${ou}1`, ou });
        return [ou, manager.identityFromCert('Org1MSP', c.certPem)] as const;
      }),
    );
    ids = Object.fromEntries(entries) as typeof ids;
  });

  it('maps each NodeOU to member + that role', () => {
    for (const ou of ['client', 'peer', 'admin', 'orderer'] as const) {
      expect([...ids[ou].roles].sort()).toEqual([ou, 'member'].sort());
    }
  });

  it('matches MSPRole principals with Fabric semantics', () => {
    const p = (mspId: string, role: 'member' | 'client' | 'peer' | 'admin' | 'orderer') => ({ mspId, role });
    expect(satisfiesPrincipal(ids.peer, p('Org1MSP', 'peer'))).toBe(true);
    expect(satisfiesPrincipal(ids.peer, p('Org1MSP', 'member'))).toBe(true);
    expect(satisfiesPrincipal(ids.peer, p('Org1MSP', 'client'))).toBe(false);
    expect(satisfiesPrincipal(ids.peer, p('Org1MSP', 'admin'))).toBe(false);
    expect(satisfiesPrincipal(ids.peer, p('Org2MSP', 'member'))).toBe(false);
    expect(satisfiesPrincipal(ids.peer, p('Org2MSP', 'peer'))).toBe(false);
    expect(manager.satisfiesPrincipal(ids.admin, p('Org1MSP', 'admin'))).toBe(true);
    expect(manager.satisfiesPrincipal(ids.admin, p('Org1MSP', 'member'))).toBe(true);
    expect(manager.satisfiesPrincipal(ids.admin, p('Org1MSP', 'client'))).toBe(false);
    expect(manager.satisfiesPrincipal(ids.client, p('Org1MSP', 'client'))).toBe(true);
    expect(manager.satisfiesPrincipal(ids.client, p('Org1MSP', 'peer'))).toBe(false);
    expect(manager.satisfiesPrincipal(ids.orderer, p('Org1MSP', 'orderer'))).toBe(true);
    expect(manager.satisfiesPrincipal(ids.orderer, p('Org1MSP', 'peer'))).toBe(false);
  });
});

describe('signature verification', () => {
  it('verifies low-S signatures of the certificate key only', async () => {
    const user = await enrol(org1, { commonName: 'signer', ou: 'client' });
    const signer = signingIdentity('Org1MSP', user.certPem, user.keyPem);
    const id = manager.deserialize(signer.serialized);
    const msg = Buffer.from('proposal bytes');
    const sig = signer.sign(msg);
    expect(id.verify(msg, sig)).toBe(true);
    expect(id.verify(Buffer.from('other bytes'), sig)).toBe(false);
    expect(id.verify(msg, highS(sig))).toBe(false);
    expect(id.verify(msg, Buffer.from('not a signature'))).toBe(false);

    const other = await enrol(org1, { commonName: 'other', ou: 'client' });
    const otherSig = signingIdentity('Org1MSP', other.certPem, other.keyPem).sign(msg);
    expect(id.verify(msg, otherSig)).toBe(false);
  });
});

describe('configuration', () => {
  it('lists MSPs and TLS roots', () => {
    expect(manager.mspIds).toEqual(['Org1MSP', 'Org2MSP']);
    expect(manager.has('Org2MSP')).toBe(true);
    expect(manager.has('Org3MSP')).toBe(false);
    expect(manager.definition('Org1MSP')?.rootCertsPem).toEqual([org1.certPem]);
    expect(manager.tlsRootCertsPem()).toEqual([tls1.certPem]);
    expect(manager.tlsRootCertsPem('Org2MSP')).toEqual([]);
    expect(manager.tlsRootCertsPem('Nope')).toEqual([]);
  });

  it('refuses unusable definitions', async () => {
    const leaf = await enrol(org1, { commonName: 'leaf', ou: 'client' });
    const base = { mspId: 'X', tlsRootCertsPem: [] };
    expect(() => new MspManager([{ ...base, rootCertsPem: [leaf.certPem] }])).toThrow(MspConfigError);
    expect(() => new MspManager([{ ...base, rootCertsPem: ['garbage'] }])).toThrow(MspConfigError);
    expect(() => new MspManager([{ ...base, rootCertsPem: [] }])).toThrow(MspConfigError);
    expect(
      () =>
        new MspManager([
          { ...base, rootCertsPem: [org1.certPem] },
          { ...base, rootCertsPem: [org2.certPem] },
        ]),
    ).toThrow(/defined twice/);
    expect(
      () => new MspManager([{ ...base, rootCertsPem: [org1.certPem], intermediateCertsPem: [org2.certPem] }]),
    ).toThrow(/does not chain to a root/);
  });
});
