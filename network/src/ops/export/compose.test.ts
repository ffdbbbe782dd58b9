import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { testNetworkProfile } from '../../profile.js';
import { composeYaml } from './compose.js';
import { CCAAS_BUILDER, coreYamlFragment } from './core-yaml.js';
import { buildTopology } from './topology.js';

interface Service {
  image: string;
  environment: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  build?: { context: string };
  network_mode?: string;
}

const t = buildTopology({
  profile: testNetworkProfile(),
  chaincodes: [{ name: 'credit', path: '/x', version: '0.1.0', policy: 'MAJORITY Endorsement' }],
});
const compose = parse(composeYaml(t)) as { services: Record<string, Service>; networks: unknown };

describe('composeYaml', () => {
  it('runs the orderer with channel participation, TLS and its own material', () => {
    const o = compose.services['orderer.example.com'];
    expect(o?.image).toBe('hyperledger/fabric-orderer:2.5');
    expect(o?.environment).toMatchObject({
      ORDERER_GENERAL_LOCALMSPID: 'OrdererMSP',
      ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_ADMIN_LISTENADDRESS: '0.0.0.0:7053',
    });
    expect(o?.ports).toEqual(['7050:7050', '7053:7053']);
    expect(o?.volumes).toContain(
      './organizations/ordererOrganizations/example.com/orderers/orderer.example.com/tls:/var/hyperledger/orderer/tls:ro',
    );
  });

  it('runs one peer per organisation with TLS, the Gateway and the CCaaS builder', () => {
    const p = compose.services['peer0.org2.example.com'];
    expect(p?.image).toBe('hyperledger/fabric-peer:2.5');
    expect(p?.environment).toMatchObject({
      CORE_PEER_ID: 'peer0.org2.example.com',
      CORE_PEER_ADDRESS: 'peer0.org2.example.com:9051',
      CORE_PEER_LISTENADDRESS: '0.0.0.0:9051',
      CORE_PEER_LOCALMSPID: 'Org2MSP',
      CORE_PEER_MSPCONFIGPATH: '/etc/hyperledger/peer/msp',
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CERT_FILE: '/etc/hyperledger/peer/tls/server.crt',
      CORE_PEER_TLS_KEY_FILE: '/etc/hyperledger/peer/tls/server.key',
      CORE_PEER_TLS_ROOTCERT_FILE: '/etc/hyperledger/peer/tls/ca.crt',
      CORE_PEER_GATEWAY_ENABLED: 'true',
      CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: '{"peername":"peer0org2"}',
    });
    expect(JSON.parse(p?.environment.CORE_CHAINCODE_EXTERNALBUILDERS ?? '')).toEqual([CCAAS_BUILDER]);
    expect(p?.ports).toEqual(['9051:9051']);
    expect(p?.volumes).toEqual([
      './organizations/peerOrganizations/org2.example.com/peers/peer0.org2.example.com/msp:/etc/hyperledger/peer/msp:ro',
      './organizations/peerOrganizations/org2.example.com/peers/peer0.org2.example.com/tls:/etc/hyperledger/peer/tls:ro',
      'peer0.org2.example.com:/var/hyperledger/production',
    ]);
  });

  it('runs one chaincode server per organisation under the name its peer dials', () => {
    for (const [name, msp] of [
      ['peer0org1_credit', 'Org1MSP'],
      ['peer0org2_credit', 'Org2MSP'],
    ] as const) {
      const s = compose.services[name];
      expect(s?.profiles).toEqual(['chaincode']);
      expect(s?.build).toEqual({ context: './chaincode/credit' });
      expect(s?.environment.CORE_PEER_LOCALMSPID).toBe(msp);
      expect(s?.environment.CHAINCODE_SERVER_ADDRESS).toBe('0.0.0.0:9999');
      expect(s?.environment.CHAINCODE_ID).toMatch(/^\$\{CC_CREDIT_PACKAGE_ID:\?/);
    }
    expect(compose.services.cli).toMatchObject({ profiles: ['tools'], network_mode: 'host' });
  });
});

describe('coreYamlFragment', () => {
  it('enables the CCaaS external builder and the Gateway', () => {
    expect(parse(coreYamlFragment(t))).toEqual({
      peer: { gateway: { enabled: true } },
      chaincode: {
        externalBuilders: [
          {
            name: 'ccaas_builder',
            path: '/opt/hyperledger/ccaas_builder',
            propagateEnvironment: ['CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG'],
          },
        ],
      },
    });
  });
});
