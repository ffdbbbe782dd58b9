import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { testNetworkProfile } from '../../profile.js';
import { byteSize, configtxYaml, goDuration } from './configtx.js';
import { buildTopology } from './topology.js';

interface Policy {
  Type: string;
  Rule: string;
}
interface Org {
  Name: string;
  ID: string;
  MSPDir: string;
  Policies: Record<string, Policy>;
  AnchorPeers?: { Host: string; Port: number }[];
  OrdererEndpoints?: string[];
}
interface Configtx {
  Organizations: Org[];
  Capabilities: Record<string, Record<string, boolean>>;
  Profiles: Record<
    string,
    {
      Policies: Record<string, Policy>;
      Capabilities: Record<string, boolean>;
      Orderer: {
        OrdererType: string;
        EtcdRaft: {
          Consenters: { Host: string; Port: number; ClientTLSCert: string; ServerTLSCert: string }[];
        };
        BatchTimeout: string;
        BatchSize: Record<string, unknown>;
        Organizations: Org[];
        Policies: Record<string, Policy>;
        Capabilities: Record<string, boolean>;
      };
      Application: {
        Organizations: Org[];
        Policies: Record<string, Policy>;
        Capabilities: Record<string, boolean>;
      };
    }
  >;
}

const credit = { name: 'credit', path: '/x', version: '1.0', policy: 'ANY Endorsement' };

function load(): Configtx {
  const profile = {
    ...testNetworkProfile(),
    batch: { maxMessageCount: 10, timeoutMs: 2000, preferredMaxBytes: 524288 },
  };
  return parse(configtxYaml(buildTopology({ profile, chaincodes: [credit] })), { merge: true }) as Configtx;
}

describe('configtxYaml', () => {
  it("declares every organisation with test-network's policies, MSPDir, endpoints and anchor peers", () => {
    const c = load();
    expect(c.Organizations.map((o) => o.ID)).toEqual(['OrdererMSP', 'Org1MSP', 'Org2MSP']);
    const [orderer, org1] = c.Organizations;
    expect(orderer).toMatchObject({
      Name: 'OrdererMSP',
      MSPDir: 'organizations/ordererOrganizations/example.com/msp',
      OrdererEndpoints: ['orderer.example.com:7050'],
      Policies: {
        Readers: { Type: 'Signature', Rule: "OR('OrdererMSP.member')" },
        Admins: { Type: 'Signature', Rule: "OR('OrdererMSP.admin')" },
      },
    });
    expect(org1).toMatchObject({
      MSPDir: 'organizations/peerOrganizations/org1.example.com/msp',
      AnchorPeers: [{ Host: 'peer0.org1.example.com', Port: 7051 }],
      Policies: {
        Readers: { Type: 'Signature', Rule: "OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')" },
        Writers: { Type: 'Signature', Rule: "OR('Org1MSP.admin', 'Org1MSP.client')" },
        Admins: { Type: 'Signature', Rule: "OR('Org1MSP.admin')" },
        Endorsement: { Type: 'Signature', Rule: "OR('Org1MSP.peer')" },
      },
    });
  });

  it('has a channel profile named after the channel, with Fabric 2.5 capabilities and etcdraft', () => {
    const p = load().Profiles.MychannelChannel;
    if (!p) throw new Error('no MychannelChannel profile');
    expect(p.Capabilities).toEqual({ V2_0: true });
    expect(p.Orderer.Capabilities).toEqual({ V2_0: true });
    expect(p.Application.Capabilities).toEqual({ V2_5: true });
    expect(p.Policies.Admins).toEqual({ Type: 'ImplicitMeta', Rule: 'MAJORITY Admins' });
    expect(p.Orderer.OrdererType).toBe('etcdraft');
    const tls = 'organizations/ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.crt';
    expect(p.Orderer.EtcdRaft.Consenters).toEqual([
      { Host: 'orderer.example.com', Port: 7050, ClientTLSCert: tls, ServerTLSCert: tls },
    ]);
    expect(p.Orderer.BatchTimeout).toBe('2s');
    expect(p.Orderer.BatchSize).toEqual({
      MaxMessageCount: 10,
      AbsoluteMaxBytes: '99 MB',
      PreferredMaxBytes: '512 KB',
    });
    expect(p.Orderer.Policies.BlockValidation).toEqual({ Type: 'ImplicitMeta', Rule: 'ANY Writers' });
    expect(p.Orderer.Organizations.map((o) => o.ID)).toEqual(['OrdererMSP']);
    expect(p.Application.Organizations.map((o) => o.ID)).toEqual(['Org1MSP', 'Org2MSP']);
    expect(p.Application.Policies).toMatchObject({
      LifecycleEndorsement: { Type: 'ImplicitMeta', Rule: 'MAJORITY Endorsement' },
      Endorsement: { Type: 'ImplicitMeta', Rule: 'MAJORITY Endorsement' },
      AnyEndorsement: { Type: 'ImplicitMeta', Rule: 'ANY Endorsement' },
    });
  });

  it('uses anchors and merge keys as test-network does', () => {
    const text = configtxYaml(buildTopology({ profile: testNetworkProfile(), chaincodes: [] }));
    expect(text).toContain('- &Org1MSP');
    expect(text).toContain('<<: *ChannelDefaults');
    expect(text).toContain('- *Org2MSP');
    expect(text).toMatch(/^# .*configtxgen -configPath \. -profile MychannelChannel/m);
  });
});

describe('Fabric value formats', () => {
  it.each([
    [99 * 1024 * 1024, '99 MB'],
    [512 * 1024, '512 KB'],
    [1000, 1000],
  ])('byteSize(%d) = %j', (n, text) => {
    expect(byteSize(n)).toBe(text);
  });
  it('writes Go durations', () => {
    expect([goDuration(2000), goDuration(250)]).toEqual(['2s', '250ms']);
  });
});
