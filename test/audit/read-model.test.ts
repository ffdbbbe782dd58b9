/**
 * The audit read model on the default consortium: a scripted history driven through the real
 * contract (reports, a consent, granted and denied requests, a delivery, a supervisory access, a
 * correction, an erasure, a narrowed business purpose), followed by the gateway's block listener
 * over the unmodified `@hyperledger/fabric-gateway` block events as the regulator. The listener is
 * closed after some blocks and resumed later; trails, usage statements and alerts must match
 * exactly what the script did — checked against the contract's own `GetReportTrail` and
 * `GetUsageStatement` — and a member must not see another member's receipts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../gateway/src/audit/audit-service.js';
import { LevelTokenStore } from '../../gateway/src/auth/level-token-store.js';
import { ApiTokens } from '../../gateway/src/auth/tokens.js';
import { parseConfig } from '../../gateway/src/config.js';
import { startGateway } from '../../gateway/src/main.js';
import { FileWallet } from '../../gateway/src/wallet/file-wallet.js';
import { FabricBlockFeed } from '../../gateway/src/audit/fabric-block-feed.js';
import { LevelAuditStore } from '../../gateway/src/audit/level-audit-store.js';
import { AuditListener } from '../../gateway/src/audit/listener.js';
import type { AuditEntry } from '../../gateway/src/audit/model.js';
import { DEFAULT_THRESHOLDS } from '../../gateway/src/audit/alerts.js';
import {
  generateSubjectSigningKey,
  signConsent,
  signSignerBinding,
} from '../../gateway/src/crypto/eip712-consent.js';
import { subjectRef as pseudonym } from '../../gateway/src/crypto/pseudonym.js';
import { readConnectionProfile } from '../../gateway/src/ledger/connection.js';
import { FabricLedger } from '../../gateway/src/ledger/fabric-ledger.js';
import { systemClock } from '../../gateway/src/ports/clock.js';
import type { Caller } from '../../gateway/src/services/context.js';
import { connectGateway, type GatewaySession } from '../../network/src/ops/gateway-client.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const USCC = '91110000600037341L';
const REGULATOR: Caller = { user: 'Regulator1', role: 'regulator' };
const MEMBER: Caller = { user: 'User1', role: 'member' };
const THRESHOLDS = { ...DEFAULT_THRESHOLDS, burst: { requests: 3, windowSeconds: 3600 } };

const ORGS = {
  yangtze: { mspId: 'YangtzeMSP', profile: 'connection-yangtze.json' },
  pearl: { mspId: 'PearlMSP', profile: 'connection-pearl.json' },
  jingjinji: { mspId: 'JingJinJiMSP', profile: 'connection-jingjinji.json' },
  regulator: { mspId: 'RegulatorMSP', profile: 'connection-regulator.json' },
} as const;
type Org = keyof typeof ORGS;

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const FROM = day(-1);
const TO = day(2);
const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('audit read model on the default consortium', () => {
  let base: string;
  let home: ProfileHome;
  let session: NetworkSession;
  const ledgers = new Map<Org, FabricLedger>();
  let raw: GatewaySession;
  let yangtzeAdmin: GatewaySession;
  const subjectKey = randomBytes(32);
  const subjectRef = pseudonym(USCC, subjectKey);
  const enterprise = new Wallet(generateSubjectSigningKey().privateKey);
  const run = `${Date.now()}`;

  /** What the script did, to compare with. */
  const did = {
    granted: '',
    delivery: '',
    mismatch: '',
    crossDenials: [] as string[],
    supervisory: '',
    consentId: '',
    blockAfterFirstHalf: 0,
  };
  const reportA = `YangtzeMSP:audit-a-${run}`;
  const reportA2 = `YangtzeMSP:audit-a2-${run}`;
  const reportB = `PearlMSP:audit-b-${run}`;

  const ledger = (org: Org): FabricLedger => {
    const l = ledgers.get(org);
    if (!l) throw new Error(`no ledger for ${org}`);
    return l;
  };
  const anchor = (reportId: string, supersedes?: string) => ({
    reportId,
    subjectRef,
    category: 'business',
    schemaVersion: '1.0',
    ciphertextHash: hex(`c-${reportId}`),
    commitment: hex(`m-${reportId}`),
    sizeBucket: 'XS',
    ...(supersedes === undefined ? {} : { supersedes }),
  });
  const evaluate = async <T>(s: GatewaySession, fn: string, ...args: string[]): Promise<T> =>
    JSON.parse(
      Buffer.from(
        await s.gateway
          .getNetwork('creditchain')
          .getContract('credit')
          .evaluateTransaction(fn, ...args),
      ).toString(),
    ) as T;
  const submit = async <T>(s: GatewaySession, fn: string, ...args: string[]): Promise<T> =>
    JSON.parse(
      Buffer.from(
        await s.gateway
          .getNetwork('creditchain')
          .getContract('credit')
          .submitTransaction(fn, ...args),
      ).toString(),
    ) as T;

  async function openModel(dir: string) {
    const store = await LevelAuditStore.open(dir);
    const regulatorId = session.net.identity('RegulatorMSP', 'Regulator1');
    const feed = FabricBlockFeed.connect({
      peer: await readConnectionProfile(join(home.dir, ORGS.regulator.profile), 'RegulatorMSP'),
      channel: 'creditchain',
      identity: { mspId: 'RegulatorMSP', certPem: regulatorId.certPem, privateKeyPem: regulatorId.keyPem },
    });
    const listener = new AuditListener({
      store,
      feed,
      clock: systemClock,
      retry: { initialMs: 50, maxMs: 500 },
    });
    listener.start();
    return {
      store,
      listener,
      service: (mspId: string) =>
        new AuditService({ store, mspId, subjectKey, thresholds: THRESHOLDS, listener }),
      async close() {
        await listener.close();
        await feed.close();
        await store.close();
      },
    };
  }
  let model: Awaited<ReturnType<typeof openModel>>;
  /** The height once the script's last transaction is committed (the block it went into, plus one). */
  let height = 0n;
  const committed = <T extends { blockNumber: number }>(c: T): T => {
    height = BigInt(Math.max(Number(height), c.blockNumber + 1));
    return c;
  };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-audit-e2e-'));
    home = profileHome(join(base, 'net'), 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
    });
    for (const [org, { mspId, profile }] of Object.entries(ORGS) as [Org, (typeof ORGS)[Org]][]) {
      const user = org === 'regulator' ? 'Regulator1' : 'User1';
      const id = session.net.identity(mspId, user);
      ledgers.set(
        org,
        FabricLedger.connect({
          peer: await readConnectionProfile(join(home.dir, profile), mspId),
          channel: 'creditchain',
          chaincode: 'credit',
          identityOf: (u) =>
            Promise.resolve(
              u === user ? { mspId, certPem: id.certPem, privateKeyPem: id.keyPem } : undefined,
            ),
        }),
      );
    }
    const peerOf = (mspId: string) => {
      const p = session.net.peers.find((x) => x.mspId === mspId);
      if (!p) throw new Error(`no peer ${mspId}`);
      return p;
    };
    raw = connectGateway(peerOf('RegulatorMSP'), session.net.identity('RegulatorMSP', 'Regulator1'));
    yangtzeAdmin = connectGateway(peerOf('YangtzeMSP'), session.net.identity('YangtzeMSP', 'Admin'));
  });

  afterAll(async () => {
    await model.close().catch(() => undefined);
    raw.close();
    yangtzeAdmin.close();
    for (const l of ledgers.values()) await l.close();
    await session.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('first half: indexed as it happens, then the listener is closed', async () => {
    model = await openModel(join(base, 'audit'));
    // Pearl's business is narrowed to loan underwriting: guarantee reviews no longer match it.
    const config = await evaluate<Record<string, unknown>>(yangtzeAdmin, 'GetConsortium');
    const organisations = (config.organisations as { mspId: string; businessPurposes: string[] }[]).map(
      (o) => (o.mspId === 'PearlMSP' ? { ...o, businessPurposes: ['loan_underwriting'] } : o),
    );
    await submit(
      yangtzeAdmin,
      'UpdateConsortium',
      JSON.stringify({
        adminMsps: config.adminMsps,
        alliances: config.alliances,
        organisations,
        categories: config.categories,
        purposes: config.purposes,
      }),
    );
    const binding = await signSignerBinding(enterprise, {
      channelId: 'creditchain',
      subjectRef,
      action: 'register',
    });
    await ledger('yangtze').registerSubjectSigner('User1', {
      subjectRef,
      signer: binding.signer,
      signature: binding.signature,
    });
    await ledger('yangtze').submitReport('User1', anchor(reportA));
    await ledger('pearl').submitReport('User1', anchor(reportB));
    const now = Math.floor(Date.now() / 1000);
    const consent = await signConsent(enterprise, 'creditchain', {
      subjectRef,
      granteeMsp: 'PearlMSP',
      granteeInstitution: 'PRD-BANK-01',
      categories: ['business'],
      purpose: 'loan_underwriting',
      notBefore: now - 60,
      notAfter: now + 3600,
      maxUses: 5,
    });
    did.consentId = consent.consentId;
    await ledger('pearl').recordConsent('User1', consent.consentJson, consent.signature);
    const granted = await ledger('pearl').requestAccess('User1', {
      requestId: `req-granted-${run}`,
      reportId: reportA,
      consentId: consent.consentId,
      purpose: 'loan_underwriting',
    });
    expect(granted.value.outcome).toBe('granted');
    did.granted = granted.value.receiptId;
    did.delivery = committed(
      await ledger('yangtze').recordDelivery('User1', {
        receiptId: did.granted,
        reportId: reportA,
        requesterMsp: 'PearlMSP',
        requestId: `req-granted-${run}`,
      }),
    ).txId;
    await model.listener.indexedUpTo(height);
    did.blockAfterFirstHalf = Number(height);
    await model.close();
  });

  it('second half, while the listener is down; resumed, it catches up without counting anything twice', async () => {
    const mismatch = await ledger('pearl').requestAccess('User1', {
      requestId: `req-guarantee-${run}`,
      reportId: reportA,
      consentId: did.consentId,
      purpose: 'guarantee_review',
    });
    expect(mismatch.value).toMatchObject({ outcome: 'denied', reason: 'PURPOSE_NOT_CONSENTED' });
    did.mismatch = mismatch.value.receiptId;
    for (const n of [1, 2, 3]) {
      const denied = await ledger('jingjinji').requestAccess('User1', {
        requestId: `req-jjj-${n}-${run}`,
        reportId: reportA,
        consentId: did.consentId,
        purpose: 'loan_underwriting',
      });
      expect(denied.value).toMatchObject({ outcome: 'denied', reason: 'CONSENT_GRANTEE_MISMATCH' });
      did.crossDenials.push(denied.value.receiptId);
    }
    const supervisory = await submit<{ receiptId: string }>(
      raw,
      'RecordSupervisoryAccess',
      `req-sup-${run}`,
      reportA,
      'supervision',
      'CASE-2026-001',
    );
    did.supervisory = supervisory.receiptId;
    await ledger('yangtze').submitReport('User1', anchor(reportA2, reportA));
    committed(await ledger('pearl').eraseReport('User1', reportB, 'SUBJECT_REQUEST'));

    model = await openModel(join(base, 'audit'));
    expect(await model.store.checkpoint()).toBe(BigInt(did.blockAfterFirstHalf));
    await model.listener.indexedUpTo(height);
    const state = await model.store.state();
    expect(state.alarm).toBeNull();
    expect(state.nextBlock).toBe(Number(height));
    expect(state.counts.receipts).toBe(6);

    // A rebuild from block 0 in one go derives exactly the same model.
    const reference = await openModel(join(base, 'audit-reference'));
    await reference.listener.indexedUpTo(height);
    const everything = async (m: typeof model) =>
      (await m.service('RegulatorMSP').periodTrail(REGULATOR, { limit: 500 })).items;
    expect(await everything(model)).toEqual(await everything(reference));
    expect((await reference.store.state()).counts).toEqual(state.counts);
    await reference.close();
  });

  it('the report’s trail is the contract’s own, with blocks and times', async () => {
    const audit = model.service('RegulatorMSP');
    const trail = (await audit.reportTrail(REGULATOR, reportA)).items;
    const contract = (
      await evaluate<{
        records: {
          kind: string;
          txId: string;
          timestamp: string;
          actor: unknown;
          receiptId: string | null;
        }[];
      }>(raw, 'GetReportTrail', reportA, '100', '')
    ).records;
    expect(trail.map((e) => [e.kind, e.txId, e.time, e.actor, e.receiptId])).toEqual(
      contract.map((e) => [e.kind, e.txId, e.timestamp, e.actor, e.receiptId]),
    );
    expect(trail.map((e) => e.kind)).toEqual([
      'SUBMITTED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_GRANTED',
      'SUPERSEDED',
    ]);
    for (const e of trail) expect(e.block).toBeGreaterThan(0);
    expect(trail[2]).toMatchObject({
      txId: did.delivery,
      receiptId: did.granted,
      actor: { mspId: 'YangtzeMSP' },
    });

    const subject = await audit.subjectTrail(REGULATOR, { uscc: USCC });
    expect(subject.subjectRef).toBe(subjectRef);
    expect(subject.items.map((e) => e.kind).filter((k) => k.startsWith('CONSENT'))).toEqual([
      'CONSENT_RECORDED',
    ]);
    expect(subject.items.filter((e) => e.reportId === reportB).map((e) => e.kind)).toEqual([
      'SUBMITTED',
      'ERASED',
    ]);
    expect(subject.items.filter((e) => e.reportId === reportA2).map((e) => e.kind)).toEqual(['CORRECTED']);
  });

  it('usage statements equal the receipts, and the contract’s statements', async () => {
    const audit = model.service('RegulatorMSP');
    for (const msp of ['YangtzeMSP', 'PearlMSP', 'JingJinJiMSP', 'RegulatorMSP']) {
      const ours = await audit.usage(REGULATOR, msp, FROM, TO);
      const theirs = await evaluate<{
        totals: {
          role: string;
          receipts: number;
          granted: number;
          denied: number;
          delivered: number;
          supervisory: number;
        }[];
        receiptIds: string[];
      }>(raw, 'GetUsageStatement', msp, FROM, TO);
      expect(ours.receiptIds).toEqual(theirs.receiptIds);
      expect(ours.totals).toEqual(theirs.totals);
    }
    const yangtze = await audit.usage(REGULATOR, 'YangtzeMSP', FROM, TO);
    expect(yangtze.totals[1]).toEqual({
      role: 'provider',
      receipts: 6,
      granted: 2,
      denied: 4,
      delivered: 1,
      supervisory: 1,
    });
    expect(yangtze.receiptIds).toEqual(
      [did.granted, did.mismatch, ...did.crossDenials, did.supervisory].sort(),
    );
    const pearl = await audit.usage(REGULATOR, 'PearlMSP', FROM, TO);
    expect(pearl.totals[0]).toEqual({
      role: 'requester',
      receipts: 2,
      granted: 1,
      denied: 1,
      delivered: 1,
      supervisory: 0,
    });
  });

  it('alerts: the burst and repeated denials, the purpose outside Pearl’s business, the supervisory access', async () => {
    const alerts = (await model.service('RegulatorMSP').alerts(REGULATOR, { from: FROM, to: TO })).items;
    const byKind = (kind: string) => alerts.filter((a) => a.kind === kind);
    expect(alerts.map((a) => a.kind).sort()).toEqual([
      'BURST',
      'PURPOSE_MISMATCH',
      'REPEATED_DENIALS',
      'SUPERVISORY_ACCESS',
    ]);
    expect(byKind('BURST')[0]).toMatchObject({
      member: { mspId: 'JingJinJiMSP', institution: 'JJJ-BANK-01' },
      subjectRef,
      count: 3,
    });
    expect(byKind('BURST')[0]?.evidence.map((e) => e.txId)).toEqual(did.crossDenials);
    expect(byKind('REPEATED_DENIALS')[0]?.evidence.map((e) => e.txId)).toEqual(did.crossDenials);
    expect(byKind('PURPOSE_MISMATCH')[0]?.evidence.map((e) => [e.txId, e.purpose])).toEqual([
      [did.mismatch, 'guarantee_review'],
    ]);
    expect(byKind('SUPERVISORY_ACCESS')[0]?.evidence.map((e) => [e.txId, e.caseReference])).toEqual([
      [did.supervisory, 'CASE-2026-001'],
    ]);
  });

  it('a member sees its own reports and requests only', async () => {
    const isOwn = (msp: string) => (e: AuditEntry) =>
      e.parties.some((p) => p.mspId === msp) || e.actor.mspId === msp;
    const jjj = model.service('JingJinJiMSP');
    const seen = (await jjj.periodTrail(MEMBER, { limit: 500 })).items;
    expect(seen.map((e) => e.receiptId)).toEqual(did.crossDenials);
    expect(seen.every(isOwn('JingJinJiMSP'))).toBe(true);
    expect((await jjj.reportTrail(MEMBER, reportA)).items.map((e) => e.receiptId)).toEqual(did.crossDenials);
    expect((await jjj.reportTrail(MEMBER, reportB)).items).toEqual([]);
    await expect(jjj.usage(MEMBER, 'PearlMSP', FROM, TO)).rejects.toMatchObject({ code: 'AUDIT_FORBIDDEN' });
    await expect(jjj.memberTrail(MEMBER, 'PearlMSP')).rejects.toMatchObject({ code: 'AUDIT_FORBIDDEN' });
    const pearlSees = (await model.service('PearlMSP').reportTrail(MEMBER, reportA)).items;
    expect(pearlSees.map((e) => e.receiptId)).not.toContain(did.crossDenials[0]);
    expect(pearlSees.every(isOwn('PearlMSP'))).toBe(true);
    const pearlAlerts = (await model.service('PearlMSP').alerts(MEMBER, { from: FROM, to: TO })).items;
    expect(pearlAlerts.map((a) => a.kind)).toEqual(['PURPOSE_MISMATCH']);
  });

  it('the regulator gateway runs it from its configuration (composition root, HTTPS)', async () => {
    const dir = join(base, 'regulator-gateway');
    const domain = 'regulator.creditchain.example';
    const org = join(home.dir, 'organizations', 'peerOrganizations', domain);
    const tls = join(org, 'peers', `peer0.${domain}`, 'tls');
    const wallet = await FileWallet.open(join(dir, 'wallet'), 'secret');
    const id = session.net.identity('RegulatorMSP', 'Regulator1');
    await wallet.put('Regulator1', { mspId: 'RegulatorMSP', certPem: id.certPem, privateKeyPem: id.keyPem });
    const tokens = await LevelTokenStore.open(join(dir, 'tokens'));
    const token = (await new ApiTokens(tokens).issue({ user: 'Regulator1', role: 'regulator' })).token;
    await tokens.close();
    const config = parseConfig(
      {
        mspId: 'RegulatorMSP',
        listen: { host: '127.0.0.1', port: 0 },
        tls: { certFile: join(tls, 'server.crt'), keyFile: join(tls, 'server.key') },
        ledger: { connectionProfile: join(home.dir, ORGS.regulator.profile), channel: 'creditchain' },
        vaultDir: 'vault',
        walletDir: 'wallet',
        tokensDir: 'tokens',
        keysDir: join(home.keys, 'RegulatorMSP'),
        subjectKey: { env: 'TEST_SUBJECT_KEY' },
        audit: {
          dataDir: 'audit',
          user: 'Regulator1',
          // The orderer's CA pinned from the operator's files rather than taken from block 0.
          orderer: {
            mspId: 'OrdererMSP',
            caFiles: [
              join(
                home.dir,
                'organizations',
                'ordererOrganizations',
                'creditchain.example',
                'ca',
                'ca.creditchain.example-cert.pem',
              ),
            ],
          },
          thresholds: { burst: { requests: 3 } },
        },
        logLevel: 'silent',
      },
      dir,
    );
    const gateway = await startGateway(config, {
      CREDITCHAIN_WALLET_SECRET: 'secret',
      TEST_SUBJECT_KEY: subjectKey.toString('base64'),
    });
    const ca = await readFile(join(org, 'tlsca', `tlsca.${domain}-cert.pem`));
    const get = (path: string, auth = true): Promise<{ status: number; body: Record<string, unknown> }> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          new URL(path, gateway.url),
          { ca, headers: auth ? { authorization: `Bearer ${token}` } : {} },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
              });
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      const target = Number(height);
      for (let i = 0; i < 200; i++) {
        const ready = await get('/readyz/audit', false);
        if (ready.status === 200 && ready.body.nextBlock === target) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await get('/readyz/audit', false)).toEqual({
        status: 200,
        body: { status: 'ready', nextBlock: target },
      });
      const alerts = await get(`/v1/audit/alerts?from=${FROM}&to=${TO}`);
      expect((alerts.body.items as { kind: string }[]).map((a) => a.kind).sort()).toEqual([
        'BURST',
        'PURPOSE_MISMATCH',
        'REPEATED_DENIALS',
        'SUPERVISORY_ACCESS',
      ]);
      const status = await get('/v1/audit/status');
      expect(status.body).toMatchObject({ listener: 'following', alarm: null, counts: { receipts: 6 } });
    } finally {
      await gateway.close();
    }
  });
});
