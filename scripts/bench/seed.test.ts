/**
 * The scale round's seeding on the default consortium: the seeded transactions are ones a peer that
 * validates them from scratch (creator and endorsement signatures, endorsement policy, MVCC,
 * duplicate txids) accepts, leaving the same state as the peers that took them as seeded; the
 * chaincode sees the seeded reports; new transactions commit on top.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile, type OperatorProfile } from '../../network/src/ops/profile-file.js';
import type { GatewaySession } from '../../network/src/ops/gateway-client.js';
import type { NamespacedStateEntry } from '../../network/src/ledger/types.js';
import { connectGateway } from '../../network/src/ops/gateway-client.js';
import { seedReports, type SeedResult } from './seed.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const REPORTS = 700;
const hex64 = (): string => randomBytes(32).toString('hex');

function reportJson(reportId: string): string {
  return JSON.stringify({
    reportId,
    subjectRef: hex64(),
    category: 'basic',
    schemaVersion: '1.0',
    ciphertextHash: hex64(),
    commitment: hex64(),
    sizeBucket: 'S',
    eventEndDate: '',
    supersedes: '',
  });
}

async function stateOf(session: NetworkSession, mspId: string): Promise<NamespacedStateEntry[]> {
  const out: NamespacedStateEntry[] = [];
  for await (const e of session.net.peer(mspId).ledger.snapshotState()) out.push(e);
  return out;
}

describe('seeding a stopped consortium with SubmitReport transactions', () => {
  let tmp: string;
  let profile: OperatorProfile;
  let session: NetworkSession | undefined;
  let gw: GatewaySession | undefined;
  let seeded: SeedResult;
  let heightBefore: number;

  const connect = (s: NetworkSession): Contract => {
    const org = s.profile.network.orgs.find((o) => o.mspId === 'YangtzeMSP');
    const peer = s.net.peers.find((p) => p.mspId === 'YangtzeMSP');
    if (!org || !peer) throw new Error('no Yangtze peer');
    const id = s.net.identity('YangtzeMSP', 'User1');
    gw = connectGateway(peer, { mspId: id.mspId, certPem: id.certPem, keyPem: id.keyPem }, 30_000);
    return gw.gateway.getNetwork(s.net.channelId).getContract('credit');
  };

  beforeAll(async () => {
    profile = await loadProfileFile(PROFILE);
    tmp = await mkdtemp(join(tmpdir(), 'ccseed-'));
    const home = profileHome(tmp, profile.network.name);
    const start = (): Promise<NetworkSession> =>
      NetworkSession.start(profile, { home, freePorts: true, progress: () => undefined });
    session = await start();
    await connect(session).submitTransaction('SubmitReport', reportJson(`template-${hex64().slice(0, 16)}`));
    const ledger = session.net.peer('YangtzeMSP').ledger;
    const block = await ledger.getBlock(ledger.height - 1);
    const template = block?.getData()?.getDataList_asU8()[0];
    if (!template) throw new Error('no template transaction');
    gw?.close();
    const dir = session.net.dir;
    await session.stop();
    session = undefined;

    seeded = await seedReports({ dir, profile: profile.network, template, reports: REPORTS, tag: 'test' });
    heightBefore = seeded.firstBlock;
    // Pearl's peer starts empty and catches up from the orderer, validating every seeded block itself.
    await rm(join(dir, 'ledgers', 'peer0.pearl.creditchain.example.com'), { recursive: true, force: true });
    session = await start();
  });

  afterAll(async () => {
    gw?.close();
    await session?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('cuts blocks as the orderer does and chains them on the real tip', async () => {
    expect(seeded.reports).toBe(REPORTS);
    // 500 transactions at most, and a block closes once it holds 2 MiB (preferredMaxBytes).
    expect(seeded.blocks).toBeGreaterThanOrEqual(2);
    expect(seeded.lastBlock).toBe(heightBefore + seeded.blocks - 1);
    const s = session as NetworkSession;
    expect(s.net.peer('YangtzeMSP').ledger.height).toBeGreaterThan(seeded.lastBlock);
    const integrity = await s.net.peer('YangtzeMSP').ledger.verifyIntegrity();
    expect(integrity.problems).toEqual([]);
  });

  it('is accepted in full by a peer that validates every seeded transaction itself', async () => {
    const s = session as NetworkSession;
    const pearl = s.net.peer('PearlMSP').ledger;
    const yangtze = s.net.peer('YangtzeMSP').ledger;
    for (let i = 0; i < 300 && pearl.height < yangtze.height; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(pearl.height).toBe(yangtze.height);
    for (let n = seeded.firstBlock; n <= seeded.lastBlock; n++) {
      const block = await pearl.getBlock(n);
      const filter = block?.getMetadata()?.getMetadataList_asU8()[2] ?? new Uint8Array();
      expect(filter.length).toBeGreaterThan(0);
      expect([...filter].every((code) => code === 0)).toBe(true);
    }
    expect(await stateOf(s, 'PearlMSP')).toEqual(await stateOf(s, 'YangtzeMSP'));
  });

  it('leaves reports the chaincode finds, refuses to anchor again and commits new ones on top', async () => {
    const s = session as NetworkSession;
    const contract = connect(s);
    for (const id of seeded.sampleReportIds) {
      const report = JSON.parse(
        Buffer.from(await contract.evaluateTransaction('GetReport', id)).toString(),
      ) as {
        reportId: string;
        provider: { mspId: string };
        status: string;
      };
      expect(report).toMatchObject({ reportId: id, provider: { mspId: 'YangtzeMSP' }, status: 'active' });
    }
    const again = await contract
      .submitTransaction('SubmitReport', reportJson(seeded.sampleReportIds[0] ?? ''))
      .then(
        () => 'committed',
        (err: unknown) => JSON.stringify((err as { details?: unknown }).details),
      );
    expect(again).toMatch(/REPORT_EXISTS/);
    const height = s.net.peer('YangtzeMSP').ledger.height;
    await contract.submitTransaction('SubmitReport', reportJson(`after-${hex64().slice(0, 16)}`));
    expect(s.net.peer('YangtzeMSP').ledger.height).toBeGreaterThan(height);
  });
});
