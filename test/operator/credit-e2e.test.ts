/**
 * The default consortium end to end: the `creditchain` profile brought up as `network up` does it,
 * the credit contract driven through the real `@hyperledger/fabric-gateway` client by officers of
 * different institutions and organisations, then a restart with the ledger intact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_TYPES, SIGNER_BINDING_TYPES, eip712Domain } from '../../chaincode/src/eip712.js';
import {
  connectGateway,
  gatewayErrorText,
  type GatewaySession,
} from '../../network/src/ops/gateway-client.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile, type OperatorProfile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const text = (b: Uint8Array): string => Buffer.from(b).toString();
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- caller-asserted result type
const json = <T>(b: Uint8Array): T => JSON.parse(text(b)) as T;

describe('credit contract on the default consortium', () => {
  let base: string;
  let home: ProfileHome;
  let profile: OperatorProfile;
  let session: NetworkSession;
  const open: GatewaySession[] = [];

  const as = (mspId: string, user: string) => {
    const peer = session.net.peers.find((p) => p.mspId === mspId);
    if (!peer) throw new Error(`no peer of ${mspId}`);
    const s = connectGateway(peer, session.net.identity(mspId, user));
    open.push(s);
    return s.gateway.getNetwork('creditchain').getContract('credit');
  };
  const start = async (): Promise<void> => {
    session = await NetworkSession.start(profile, { home, freePorts: true, progress: () => undefined });
  };
  const stop = async (): Promise<void> => {
    for (const s of open.splice(0)) s.close();
    await session.stop();
  };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-e2e-'));
    home = profileHome(base, 'creditchain');
    profile = await loadProfileFile(PROFILE);
    await start();
  });

  afterAll(async () => {
    await stop();
    await rm(base, { recursive: true, force: true });
  });

  it('anchors a report, records a subject-signed consent, grants access, delivers, and shows the trail', async () => {
    const yangtze = as('YangtzeMSP', 'User1');
    const pearl = as('PearlMSP', 'User1');
    const pearlBureau = as('PearlMSP', 'User2');
    const regulator = as('RegulatorMSP', 'Regulator1');

    const config = json<{ categories: { code: string }[] }>(await pearl.evaluateTransaction('GetConsortium'));
    expect(config.categories.map((c) => c.code)).toContain('warning');
    const keys = json<{ activeKeyId: string }>(
      await regulator.evaluateTransaction('GetOrgProfile', 'PearlMSP'),
    );
    expect(keys.activeKeyId).not.toBe('');

    const enterprise = Wallet.createRandom();
    const subjectRef = 'a'.repeat(63) + 'b';
    const domain = eip712Domain('creditchain');
    const binding = await enterprise.signTypedData(domain, SIGNER_BINDING_TYPES, {
      subjectRef: `0x${subjectRef}`,
      signer: enterprise.address,
      action: 'register',
    });
    await yangtze.submitTransaction('RegisterSubjectSigner', subjectRef, enterprise.address, binding);
    const report = json<{ provider: { mspId: string; institution: string } }>(
      await yangtze.submitTransaction(
        'SubmitReport',
        JSON.stringify({
          reportId: 'rpt-e2e-1',
          subjectRef,
          category: 'basic',
          schemaVersion: '1.0',
          ciphertextHash: 'c'.repeat(64),
          commitment: 'd'.repeat(64),
          sizeBucket: 'S',
          eventEndDate: '',
          supersedes: '',
        }),
      ),
    );
    expect(report.provider).toEqual({ mspId: 'YangtzeMSP', institution: 'YRD-BANK-01' });

    const now = Math.floor(Date.now() / 1000);
    const consent = {
      subjectRef: `0x${subjectRef}`,
      granteeMsp: 'PearlMSP',
      granteeInstitution: 'PRD-BANK-01',
      categories: ['basic'],
      purpose: 'loan_underwriting',
      notBefore: now - 60,
      notAfter: now + 3600,
      maxUses: 1,
      nonce: `0x${'e'.repeat(64)}`,
    };
    const signature = await enterprise.signTypedData(domain, CONSENT_TYPES, consent);
    const { consentId } = json<{ consentId: string }>(
      await pearl.submitTransaction('RecordConsent', JSON.stringify(consent), signature),
    );

    // Another institution of the same organisation is not the grantee: denied, and receipted.
    const denied = json<{ outcome: string; reason: string }>(
      await pearlBureau.submitTransaction(
        'RequestAccess',
        'req-e2e-bureau',
        'rpt-e2e-1',
        consentId,
        'loan_underwriting',
      ),
    );
    expect(denied).toMatchObject({ outcome: 'denied', reason: 'CONSENT_GRANTEE_MISMATCH' });

    const granted = json<{ outcome: string; receiptId: string; requester: { institution: string } }>(
      await pearl.submitTransaction(
        'RequestAccess',
        'req-e2e-bank',
        'rpt-e2e-1',
        consentId,
        'loan_underwriting',
      ),
    );
    expect(granted).toMatchObject({ outcome: 'granted', requester: { institution: 'PRD-BANK-01' } });
    await yangtze.submitTransaction(
      'RecordDelivery',
      granted.receiptId,
      'rpt-e2e-1',
      'PearlMSP',
      'req-e2e-bank',
    );

    // The single use is spent.
    const again = json<{ reason: string }>(
      await pearl.submitTransaction(
        'RequestAccess',
        'req-e2e-bank-2',
        'rpt-e2e-1',
        consentId,
        'loan_underwriting',
      ),
    );
    expect(again.reason).toBe('CONSENT_EXHAUSTED');

    // A member of another organisation cannot correct Yangtze's report.
    await expect(
      pearl.submitTransaction(
        'SubmitReport',
        JSON.stringify({
          reportId: 'rpt-e2e-2',
          subjectRef,
          category: 'basic',
          schemaVersion: '1.0',
          ciphertextHash: 'c'.repeat(64),
          commitment: 'd'.repeat(64),
          sizeBucket: 'S',
          eventEndDate: '',
          supersedes: 'rpt-e2e-1',
        }),
      ),
    ).rejects.toSatisfy((err: unknown) => gatewayErrorText(err).includes('NOT_PROVIDER'));

    const trail = json<{ records: { kind: string }[] }>(
      await regulator.evaluateTransaction('GetReportTrail', 'rpt-e2e-1', '50', ''),
    );
    expect(trail.records.map((r) => r.kind)).toEqual([
      'SUBMITTED',
      'ACCESS_DENIED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
    ]);
  });

  it('keeps the ledger across a stop and a new start', async () => {
    const before = session.net.peers.map((p) => session.net.peer(p.mspId).ledger.height);
    await stop();
    await start();
    const after = session.net.peers.map((p) => session.net.peer(p.mspId).ledger.height);
    expect(after).toEqual(before);
    const regulator = as('RegulatorMSP', 'Regulator1');
    const report = json<{ reportId: string; status: string }>(
      await regulator.evaluateTransaction('GetReport', 'rpt-e2e-1'),
    );
    expect(report).toMatchObject({ reportId: 'rpt-e2e-1', status: 'active' });
  });
});
