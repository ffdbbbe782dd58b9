import { describe, expect, it } from 'vitest';
import { testNetworkProfile, type NetworkProfile, type PeerOrgProfile } from '../../profile.js';
import { buildTopology, lifecyclePolicy } from './topology.js';

const credit = { name: 'credit', path: '/src/chaincode', version: '0.1.0', policy: 'MAJORITY Endorsement' };

function withOrgs(orgs: PeerOrgProfile[]): NetworkProfile {
  return { ...testNetworkProfile(), orgs };
}

describe('buildTopology', () => {
  it("lays out test-network's names, paths and ports", () => {
    const t = buildTopology({ profile: testNetworkProfile(), chaincodes: [credit] });
    expect(t.configtxProfile).toBe('MychannelChannel');
    expect(t.orderer).toMatchObject({
      host: 'orderer.example.com',
      port: 7050,
      adminPort: 7053,
      mspDir: 'organizations/ordererOrganizations/example.com/msp',
      tlsCaCert: 'organizations/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem',
    });
    expect(t.orderer.node.tlsCert).toBe(
      'organizations/ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.crt',
    );
    const [org1, org2] = t.orgs;
    expect(org1).toMatchObject({
      host: 'peer0.org1.example.com',
      port: 7051,
      chaincodePort: 7052,
      peername: 'peer0org1',
    });
    expect(org2).toMatchObject({ port: 9051, peername: 'peer0org2' });
    expect(org1?.admin.msp).toBe(
      'organizations/peerOrganizations/org1.example.com/users/Admin@org1.example.com/msp',
    );
    const cc = t.chaincodes[0];
    expect(cc).toMatchObject({
      label: 'credit_0.1.0',
      packageFile: 'packages/credit.tar.gz',
      packageIdVar: 'CC_CREDIT_PACKAGE_ID',
      address: '{{.peername}}_credit:9999',
      policy: { flag: '--channel-config-policy', value: '/Channel/Application/Endorsement' },
    });
    expect(org1 && cc?.serviceFor(org1)).toBe('peer0org1_credit');
    expect(t.warnings).toEqual([]);
  });

  it('gives free-port peers test-network ports that collide with nothing', () => {
    const [a, b] = testNetworkProfile().orgs;
    if (!a || !b) throw new Error('fixture');
    const t = buildTopology({
      profile: withOrgs([
        { ...a, peer: { ...a.peer, port: 0 } },
        { ...b, peer: { ...b.peer, port: 7051 } },
      ]),
      chaincodes: [],
    });
    expect(t.orgs.map((o) => o.port)).toEqual([9051, 7051]);
  });

  it("refuses a peer on the orderer's port, saying which field to change", () => {
    const [a] = testNetworkProfile().orgs;
    if (!a) throw new Error('fixture');
    expect(() =>
      buildTopology({ profile: withOrgs([{ ...a, peer: { ...a.peer, port: 7050 } }]), chaincodes: [] }),
    ).toThrow(
      expect.objectContaining({
        code: 'PORT_CONFLICT',
        hint: expect.stringContaining('orgs[0].peer.port') as string,
      }) as Error,
    );
  });

  it('falls back to full host names when short peernames collide', () => {
    const [a] = testNetworkProfile().orgs;
    if (!a) throw new Error('fixture');
    const t = buildTopology({
      profile: withOrgs([
        { ...a, mspId: 'AMSP', domain: 'bank.one.example' },
        { ...a, mspId: 'BMSP', domain: 'bank.two.example', peer: { ...a.peer, port: 9051 } },
      ]),
      chaincodes: [],
    });
    expect(t.orgs.map((o) => o.peername)).toEqual(['peer0bankoneexample', 'peer0banktwoexample']);
  });

  it('needs an admin user in every organisation', () => {
    const [a] = testNetworkProfile().orgs;
    if (!a) throw new Error('fixture');
    const noAdmin = { ...a, users: a.users.filter((u) => u.ou !== 'admin') };
    expect(() => buildTopology({ profile: withOrgs([noAdmin]), chaincodes: [] })).toThrow(
      expect.objectContaining({ code: 'NO_ADMIN_USER' }) as Error,
    );
  });

  it('checks the consortium initialisation against the exported chaincodes and users', () => {
    const profile = testNetworkProfile();
    const init = { chaincode: 'credit', configJson: '{}', initBy: { mspId: 'Org2MSP', user: 'Admin' } };
    expect(
      buildTopology({ profile, chaincodes: [credit], consortium: init }).consortium?.user.enrollmentId,
    ).toBe('Admin@org2.example.com');
    expect(() => buildTopology({ profile, chaincodes: [], consortium: init })).toThrow(/not exported/);
    expect(() =>
      buildTopology({
        profile,
        chaincodes: [credit],
        consortium: { ...init, initBy: { mspId: 'Org2MSP', user: 'Nobody' } },
      }),
    ).toThrow(expect.objectContaining({ code: 'BAD_CONSORTIUM' }) as Error);
  });

  it('warns that the export serves TLS when the profile turns it off', () => {
    const t = buildTopology({ profile: { ...testNetworkProfile(), tls: false }, chaincodes: [] });
    expect(t.warnings.join()).toMatch(/TLS/);
  });
});

describe('lifecyclePolicy', () => {
  it('maps every policy form to the flags of a chaincode definition', () => {
    const extra = new Map<string, string>();
    expect(lifecyclePolicy('MAJORITY Endorsement', extra)).toMatchObject({
      flag: '--channel-config-policy',
      value: '/Channel/Application/Endorsement',
    });
    expect(lifecyclePolicy("AND('Org1MSP.peer', 'Org2MSP.peer')", extra)).toMatchObject({
      flag: '--signature-policy',
      value: "AND('Org1MSP.peer', 'Org2MSP.peer')",
    });
    expect(lifecyclePolicy('ANY Endorsement', extra).value).toBe('/Channel/Application/AnyEndorsement');
    expect(lifecyclePolicy('/Channel/Application/Writers', extra).value).toBe('/Channel/Application/Writers');
    expect([...extra]).toEqual([['AnyEndorsement', 'ANY Endorsement']]);
  });

  it('refuses what the exported channel cannot reference', () => {
    expect(() => lifecyclePolicy('/Channel/Application/Nope', new Map())).toThrow(
      expect.objectContaining({ code: 'BAD_POLICY' }) as Error,
    );
    expect(() => lifecyclePolicy('AND(', new Map())).toThrow(/does not parse/);
  });
});
