import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionProfile } from '../../../network/src/ops/connection-profile.js';
import { peerFromConnectionProfile, readConnectionProfile } from './connection.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A profile exactly as the operator tooling (and fabric-samples' ccp-generate.sh) writes it. */
const profile = connectionProfile({
  profileName: 'creditchain',
  mspId: 'YangtzeMSP',
  domain: 'yangtze.creditchain.example',
  peerHost: 'peer0.yangtze.creditchain.example',
  peerAddress: 'localhost:7051',
  tls: true,
  tlsCaPem: PEM,
  caPem: PEM,
  caPort: 7054,
});

describe('connection profiles', () => {
  it('yields the client organisation’s first peer with its TLS root and host alias', async () => {
    expect(await peerFromConnectionProfile(profile)).toEqual({
      endpoint: 'localhost:7051',
      tlsRootCertPem: PEM,
      hostAlias: 'peer0.yangtze.creditchain.example',
    });
    expect(await peerFromConnectionProfile(profile, { mspId: 'YangtzeMSP' })).toMatchObject({
      endpoint: 'localhost:7051',
    });
  });

  it('reads tlsCACerts.path relative to the profile file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-ccp-'));
    try {
      await writeFile(join(dir, 'ca.pem'), PEM);
      const withPath = JSON.parse(JSON.stringify(profile)) as {
        peers: Record<string, { tlsCACerts: unknown }>;
      };
      const peer = withPath.peers['peer0.yangtze.creditchain.example'];
      if (peer) peer.tlsCACerts = { path: 'ca.pem' };
      await writeFile(join(dir, 'ccp.json'), JSON.stringify(withPath));
      expect(await readConnectionProfile(join(dir, 'ccp.json'))).toMatchObject({ tlsRootCertPem: PEM });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses profiles that lack the organisation, the peer or its TLS root', async () => {
    await expect(peerFromConnectionProfile(profile, { mspId: 'PearlMSP' })).rejects.toMatchObject({
      code: 'CONNECTION_CONFIG_INVALID',
    });
    const noTls = JSON.parse(JSON.stringify(profile)) as { peers: Record<string, { tlsCACerts?: unknown }> };
    delete noTls.peers['peer0.yangtze.creditchain.example']?.tlsCACerts;
    await expect(peerFromConnectionProfile(noTls)).rejects.toThrow(/tlsCACerts is required/);
    await expect(peerFromConnectionProfile({})).rejects.toThrow(/organizations/);
  });
});
