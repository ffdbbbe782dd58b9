import { X509Certificate } from 'node:crypto';
import { access, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { signingIdentity } from '../crypto/signing.js';
import { writeOrgMaterial, type OrgMaterial, type OrgSpec } from './layout.js';
import { MspManager } from './msp.js';

const org1Spec: OrgSpec = {
  type: 'peer',
  domain: 'org1.example.com',
  mspId: 'Org1MSP',
  nodes: [{ name: 'peer0', sans: ['peer0.local'] }, { name: 'peer1' }],
  users: [
    { name: 'Admin', ou: 'admin' },
    { name: 'User1', ou: 'client', attrs: { role: 'member', institution: 'bank-a' } },
  ],
};
const ordererSpec: OrgSpec = {
  type: 'orderer',
  domain: 'example.com',
  mspId: 'OrdererMSP',
  nodes: [{ name: 'orderer' }],
  users: [{ name: 'Admin', ou: 'admin' }],
};

let base: string;
let org1: OrgMaterial;
let orderer: OrgMaterial;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'msp-layout-'));
  [org1, orderer] = await Promise.all([
    writeOrgMaterial(org1Spec, base),
    writeOrgMaterial(ordererSpec, base),
  ]);
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('writeOrgMaterial layout', () => {
  it('writes the Fabric test-network tree for a peer organisation', async () => {
    const org = 'organizations/peerOrganizations/org1.example.com';
    const expected = [
      'ca/ca.org1.example.com-cert.pem',
      'ca/priv_sk',
      'tlsca/tlsca.org1.example.com-cert.pem',
      'tlsca/priv_sk',
      'msp/cacerts/ca.org1.example.com-cert.pem',
      'msp/tlscacerts/tlsca.org1.example.com-cert.pem',
      'msp/config.yaml',
      ...['peer0', 'peer1'].flatMap((p) => [
        `peers/${p}.org1.example.com/msp/signcerts/cert.pem`,
        `peers/${p}.org1.example.com/msp/keystore/priv_sk`,
        `peers/${p}.org1.example.com/msp/cacerts/ca.org1.example.com-cert.pem`,
        `peers/${p}.org1.example.com/msp/tlscacerts/tlsca.org1.example.com-cert.pem`,
        `peers/${p}.org1.example.com/msp/config.yaml`,
        `peers/${p}.org1.example.com/tls/ca.crt`,
        `peers/${p}.org1.example.com/tls/server.crt`,
        `peers/${p}.org1.example.com/tls/server.key`,
      ]),
      ...['Admin', 'User1'].flatMap((u) => [
        `users/${u}@org1.example.com/msp/signcerts/cert.pem`,
        `users/${u}@org1.example.com/msp/keystore/priv_sk`,
        `users/${u}@org1.example.com/msp/cacerts/ca.org1.example.com-cert.pem`,
        `users/${u}@org1.example.com/msp/tlscacerts/tlsca.org1.example.com-cert.pem`,
        `users/${u}@org1.example.com/msp/config.yaml`,
      ]),
    ];
    for (const f of expected) expect(await exists(join(base, org, f)), f).toBe(true);
    expect(org1.written.map((p) => relative(join(base, org), p)).sort()).toEqual([...expected].sort());
    expect((await stat(join(base, org, 'peers/peer0.org1.example.com/tls/server.key'))).mode & 0o777).toBe(
      0o600,
    );
    expect(
      (await stat(join(base, org, 'users/User1@org1.example.com/msp/keystore/priv_sk'))).mode & 0o777,
    ).toBe(0o600);
  });

  it('writes orderers under ordererOrganizations/<domain>/orderers', async () => {
    const org = join(base, 'organizations/ordererOrganizations/example.com');
    expect(orderer.dir).toBe(org);
    for (const f of [
      'orderers/orderer.example.com/msp/signcerts/cert.pem',
      'orderers/orderer.example.com/msp/keystore/priv_sk',
      'orderers/orderer.example.com/msp/config.yaml',
      'orderers/orderer.example.com/tls/server.crt',
      'orderers/orderer.example.com/tls/server.key',
      'orderers/orderer.example.com/tls/ca.crt',
      'users/Admin@example.com/msp/signcerts/cert.pem',
      'msp/cacerts/ca.example.com-cert.pem',
    ])
      expect(await exists(join(org, f)), f).toBe(true);
    expect(orderer.nodes[0]?.nodeOU).toBe('orderer');
  });

  it('writes NodeOUs config.yaml pointing at the CA certificate in cacerts/', async () => {
    for (const dir of [org1.msp.dir, org1.nodes[0]!.msp.dir, org1.users[1]!.msp.dir]) {
      const cfg = parse(await readFile(join(dir, 'config.yaml'), 'utf8')) as {
        NodeOUs: Record<string, unknown>;
      };
      expect(cfg.NodeOUs).toEqual({
        Enable: true,
        ClientOUIdentifier: {
          Certificate: 'cacerts/ca.org1.example.com-cert.pem',
          OrganizationalUnitIdentifier: 'client',
        },
        PeerOUIdentifier: {
          Certificate: 'cacerts/ca.org1.example.com-cert.pem',
          OrganizationalUnitIdentifier: 'peer',
        },
        AdminOUIdentifier: {
          Certificate: 'cacerts/ca.org1.example.com-cert.pem',
          OrganizationalUnitIdentifier: 'admin',
        },
        OrdererOUIdentifier: {
          Certificate: 'cacerts/ca.org1.example.com-cert.pem',
          OrganizationalUnitIdentifier: 'orderer',
        },
      });
      expect(await readFile(join(dir, 'cacerts/ca.org1.example.com-cert.pem'), 'utf8')).toBe(org1.ca.certPem);
    }
  });

  it('issues certificates an MspManager accepts with the right roles, and TLS certificates with SANs', async () => {
    const mgr = new MspManager([org1.mspDefinition, orderer.mspDefinition]);
    const user = org1.users.find((u) => u.name === 'User1')!;
    expect(user.enrollmentId).toBe('User1@org1.example.com');
    const signer = signingIdentity('Org1MSP', user.msp.signing.cert.pem, user.msp.signing.key.pem);
    const id = mgr.deserialize(signer.serialized);
    expect(id.nodeOU).toBe('client');
    expect(id.attrs).toMatchObject({
      role: 'member',
      institution: 'bank-a',
      'hf.EnrollmentID': 'User1@org1.example.com',
    });
    expect(id.verify(Buffer.from('m'), signer.sign(Buffer.from('m')))).toBe(true);
    expect(mgr.identityFromCert('Org1MSP', org1.users[0]!.msp.signing.cert.pem).roles.has('admin')).toBe(
      true,
    );
    expect(mgr.identityFromCert('Org1MSP', org1.nodes[0]!.msp.signing.cert.pem).roles.has('peer')).toBe(true);
    expect(
      mgr.identityFromCert('OrdererMSP', orderer.nodes[0]!.msp.signing.cert.pem).roles.has('orderer'),
    ).toBe(true);

    const tls = org1.nodes[0]!.tls;
    const cert = new X509Certificate(tls.cert.pem);
    expect(cert.checkIssued(new X509Certificate(await readFile(tls.caCert.path, 'utf8')))).toBe(true);
    expect(cert.checkHost('peer0.org1.example.com')).toBe('peer0.org1.example.com');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('peer0.local')).toBe('peer0.local');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(tls.sans).toEqual(['peer0.org1.example.com', 'peer0', 'localhost', '127.0.0.1', 'peer0.local']);
    // TLS certificates are not MSP identities.
    expect(() => mgr.identityFromCert('Org1MSP', tls.cert.pem)).toThrow(/unknown authority/);
  });
});

describe('writeOrgMaterial idempotence', () => {
  it('reuses everything on a second call (same bytes, nothing written)', async () => {
    const again = await writeOrgMaterial(org1Spec, base);
    expect(again.written).toEqual([]);
    expect(again.ca.certPem).toBe(org1.ca.certPem);
    expect(again.tlsCa.certPem).toBe(org1.tlsCa.certPem);
    for (const [i, n] of again.nodes.entries()) {
      expect(n.msp.signing.reused).toBe(true);
      expect(n.tls.reused).toBe(true);
      expect(n.msp.signing.cert.pem).toBe(org1.nodes[i]!.msp.signing.cert.pem);
      expect(n.tls.key.pem).toBe(org1.nodes[i]!.tls.key.pem);
    }
    for (const [i, u] of again.users.entries())
      expect(u.msp.signing.cert.pem).toBe(org1.users[i]!.msp.signing.cert.pem);
  });

  it('reissues only what changed or is missing', async () => {
    const spec: OrgSpec = {
      ...org1Spec,
      users: [
        { name: 'Admin', ou: 'admin' },
        { name: 'User1', ou: 'client', attrs: { role: 'auditor', institution: 'bank-a' } },
      ],
    };
    const changed = await writeOrgMaterial(spec, base);
    const u1 = changed.users[1]!;
    expect(u1.msp.signing.reused).toBe(false);
    expect(u1.msp.signing.cert.pem).not.toBe(org1.users[1]!.msp.signing.cert.pem);
    expect(changed.users[0]!.msp.signing.reused).toBe(true);
    expect(changed.written.map((p) => relative(changed.dir, p)).sort()).toEqual([
      'users/User1@org1.example.com/msp/keystore/priv_sk',
      'users/User1@org1.example.com/msp/signcerts/cert.pem',
    ]);

    await unlink(changed.nodes[1]!.tls.key.path);
    const repaired = await writeOrgMaterial(spec, base);
    expect(repaired.nodes[1]!.tls.reused).toBe(false);
    expect(repaired.nodes[0]!.tls.reused).toBe(true);
    expect(await readFile(repaired.nodes[1]!.tls.cert.path, 'utf8')).toBe(repaired.nodes[1]!.tls.cert.pem);

    // A tampered config.yaml is rewritten, nothing else.
    await writeFile(join(repaired.msp.dir, 'config.yaml'), 'NodeOUs: {}\n');
    const fixed = await writeOrgMaterial(spec, base);
    expect(fixed.written).toEqual([join(fixed.msp.dir, 'config.yaml')]);
  });

  it('regenerates everything when the CA key is lost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msp-layout-ca-'));
    try {
      const first = await writeOrgMaterial(org1Spec, dir);
      await unlink(first.caFiles.keyPath);
      const second = await writeOrgMaterial(org1Spec, dir);
      expect(second.ca.certPem).not.toBe(first.ca.certPem);
      expect(second.tlsCa.certPem).toBe(first.tlsCa.certPem);
      expect(second.users.every((u) => !u.msp.signing.reused)).toBe(true);
      expect(second.nodes.every((n) => !n.msp.signing.reused && n.tls.reused)).toBe(true);
      expect(
        new MspManager([second.mspDefinition]).identityFromCert(
          'Org1MSP',
          second.users[1]!.msp.signing.cert.pem,
        ).mspId,
      ).toBe('Org1MSP');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses unsafe or duplicate names', async () => {
    await expect(writeOrgMaterial({ ...org1Spec, domain: '../evil' }, base)).rejects.toThrow(
      /invalid domain/,
    );
    await expect(
      writeOrgMaterial({ ...org1Spec, users: [{ name: 'a/b', ou: 'client' }] }, base),
    ).rejects.toThrow(/invalid user name/);
    await expect(
      writeOrgMaterial({ ...org1Spec, nodes: [{ name: 'peer0' }, { name: 'peer0' }] }, base),
    ).rejects.toThrow(/duplicate node name/);
  });
});
