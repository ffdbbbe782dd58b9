import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caCertPath,
  connectionProfile,
  connectionProfileJson,
  connectionProfileYaml,
  domainLabel,
  orgName,
  writeConnectionProfile,
  type ConnectionProfileInput,
} from './connection-profile.js';

const TLS_PEM = '-----BEGIN CERTIFICATE-----\nTLSCA\n-----END CERTIFICATE-----\n';
const CA_PEM = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';

const ORG1: ConnectionProfileInput = {
  profileName: 'test-network',
  mspId: 'Org1MSP',
  domain: 'org1.example.com',
  peerHost: 'peer0.org1.example.com',
  peerAddress: 'localhost:7051',
  tls: true,
  tlsCaPem: TLS_PEM,
  caPem: CA_PEM,
  caPort: 7054,
};

/**
 * fabric-samples test-network/organizations/ccp-template.json with ORG=1, P0PORT=7051, CAPORT=7054, as
 * ccp-generate.sh fills it in.
 */
const FABRIC_SAMPLES_ORG1 = {
  name: 'test-network-org1',
  version: '1.0.0',
  client: { organization: 'Org1', connection: { timeout: { peer: { endorser: '300' } } } },
  organizations: {
    Org1: {
      mspid: 'Org1MSP',
      peers: ['peer0.org1.example.com'],
      certificateAuthorities: ['ca.org1.example.com'],
    },
  },
  peers: {
    'peer0.org1.example.com': {
      url: 'grpcs://localhost:7051',
      tlsCACerts: { pem: TLS_PEM },
      grpcOptions: {
        'ssl-target-name-override': 'peer0.org1.example.com',
        hostnameOverride: 'peer0.org1.example.com',
      },
    },
  },
  certificateAuthorities: {
    'ca.org1.example.com': {
      url: 'https://localhost:7054',
      caName: 'ca-org1',
      tlsCACerts: { pem: [CA_PEM] },
      httpOptions: { verify: false },
    },
  },
};

describe('connection profiles', () => {
  it('match the one fabric-samples ccp-generate.sh writes for test-network Org1', () => {
    expect(connectionProfile(ORG1)).toStrictEqual(FABRIC_SAMPLES_ORG1);
    expect(Object.keys(connectionProfile(ORG1))).toEqual(Object.keys(FABRIC_SAMPLES_ORG1));
  });

  it('are written as four-space JSON and as YAML with the same content', () => {
    const json = connectionProfileJson(ORG1);
    expect(json).toContain('\n    "name": "test-network-org1",\n');
    expect(JSON.parse(json)).toStrictEqual(FABRIC_SAMPLES_ORG1);
    const yaml = connectionProfileYaml(ORG1);
    expect(yaml.startsWith('---\nname: test-network-org1\nversion: 1.0.0\n')).toBe(true);
    expect(yaml).toContain('      pem: |\n        -----BEGIN CERTIFICATE-----\n');
    expect(parse(yaml)).toStrictEqual(FABRIC_SAMPLES_ORG1);
  });

  it('name organisations after their MSP id and domain for any profile', () => {
    expect(orgName('YangtzeMSP')).toBe('Yangtze');
    expect(orgName('MSP')).toBe('MSP');
    expect(domainLabel('yangtze.creditchain.example')).toBe('yangtze');
    const ccp = connectionProfile({
      ...ORG1,
      profileName: 'creditchain',
      mspId: 'YangtzeMSP',
      domain: 'yangtze.creditchain.example',
      peerHost: 'peer0.yangtze.creditchain.example',
      peerAddress: 'localhost:7051',
      tls: false,
    });
    expect(ccp).toMatchObject({
      name: 'creditchain-yangtze',
      client: { organization: 'Yangtze' },
      organizations: {
        Yangtze: { mspid: 'YangtzeMSP', certificateAuthorities: ['ca.yangtze.creditchain.example'] },
      },
      peers: { 'peer0.yangtze.creditchain.example': { url: 'grpc://localhost:7051' } },
      certificateAuthorities: { 'ca.yangtze.creditchain.example': { caName: 'ca-yangtze' } },
    });
  });

  describe('writeConnectionProfile', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'creditchain-ccp-'));
      await mkdir(join(dir, 'organizations', 'peerOrganizations', 'org1.example.com', 'ca'), {
        recursive: true,
      });
      await writeFile(caCertPath(dir, 'org1.example.com'), CA_PEM);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes JSON and YAML next to organizations/ and in the organisation folder, as test-network does', async () => {
      const files = await writeConnectionProfile(dir, ORG1);
      expect(files).toEqual({
        mspId: 'Org1MSP',
        json: join(dir, 'connection-org1.json'),
        yaml: join(dir, 'connection-org1.yaml'),
      });
      const orgDir = join(dir, 'organizations', 'peerOrganizations', 'org1.example.com');
      for (const file of [files.json, join(orgDir, 'connection-org1.json')])
        expect(JSON.parse(await readFile(file, 'utf8'))).toStrictEqual(FABRIC_SAMPLES_ORG1);
      for (const file of [files.yaml, join(orgDir, 'connection-org1.yaml')])
        expect(parse(await readFile(file, 'utf8'))).toStrictEqual(FABRIC_SAMPLES_ORG1);
    });
  });
});
