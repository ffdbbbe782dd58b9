/**
 * A Yangtze member gateway on the default consortium, as it runs in production but in-process:
 * the real `@hyperledger/fabric-gateway` client through `FabricLedger` (peer from the connection
 * profile the network wrote), a LevelDB vault, a file wallet holding Yangtze User1's identity and
 * the organisation's HPKE key from `<home>/keys/YangtzeMSP`. Reports go in and out over HTTP
 * (`inject()`); the ledger is then read independently, block by block.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../gateway/src/app.js';
import { MemoryTokenStore } from '../../gateway/src/auth/memory-token-store.js';
import { ApiTokens } from '../../gateway/src/auth/tokens.js';
import { canonicalBytes } from '../../gateway/src/crypto/canonical.js';
import { ciphertextHashOf } from '../../gateway/src/crypto/payload.js';
import { loggerOptions } from '../../gateway/src/http/logging.js';
import { FileKeyStore } from '../../gateway/src/keystore/file-key-store.js';
import { readConnectionProfile } from '../../gateway/src/ledger/connection.js';
import { FabricLedger } from '../../gateway/src/ledger/fabric-ledger.js';
import { systemClock } from '../../gateway/src/ports/clock.js';
import { SchemaCatalogue } from '../../gateway/src/schemas/catalogue.js';
import { DEFAULT_LIMITS } from '../../gateway/src/services/context.js';
import { Idempotency } from '../../gateway/src/services/idempotency.js';
import type { AnchorView } from '../../gateway/src/services/views.js';
import { LevelVault } from '../../gateway/src/vault/level-vault.js';
import { FileWallet } from '../../gateway/src/wallet/file-wallet.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
/** A real, valid USCC (GB 32100-2015 check character). */
const USCC = '91350100M000100Y43';
const REPORT = {
  enterpriseName: '福州示例电子商务有限公司',
  legalRepresentative: '林晓明',
  establishedOn: '2012-07-09',
  registeredCapital: { amount: '12000000.00', currency: 'CNY' },
  industryCode: 'F5292',
  registeredAddress: '福建省福州市鼓楼区示例路88号',
  businessStatus: 'active',
  employees: 86,
};
const WARNING = {
  severity: 'high',
  events: [
    {
      type: 'tax_arrears',
      occurredOn: '2025-11-03',
      endedOn: '2026-01-31',
      authority: '国家税务总局福州市税务局',
    },
  ],
};
const CORRECTED = { ...REPORT, employees: 91, registeredAddress: '福建省福州市仓山区更正路12号' };

interface Committed {
  readonly txId: string;
  readonly block: number;
  readonly report: AnchorView;
}

describe('member gateway on the default consortium: submit, read, correct, erase', () => {
  let base: string;
  let home: ProfileHome;
  let session: NetworkSession;
  let ledger: FabricLedger;
  let vault: LevelVault;
  let gateway: GatewayApp;
  let token: string;
  const logs: string[] = [];

  const call = (
    method: 'GET' | 'POST',
    url: string,
    body?: object,
    key?: string,
  ): Promise<LightMyRequestResponse> =>
    gateway.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      ...(body === undefined ? {} : { payload: body }),
    });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-gw-'));
    home = profileHome(join(base, 'net'), 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
    });

    const wallet = await FileWallet.open(join(base, 'wallet'), 'wallet secret for the test');
    const user1 = session.net.identity('YangtzeMSP', 'User1');
    await wallet.put('User1', { mspId: 'YangtzeMSP', certPem: user1.certPem, privateKeyPem: user1.keyPem });
    ledger = FabricLedger.connect({
      peer: await readConnectionProfile(join(home.dir, 'connection-yangtze.json'), 'YangtzeMSP'),
      channel: 'creditchain',
      chaincode: 'credit',
      identityOf: (user) => wallet.get(user),
    });
    vault = await LevelVault.open(join(base, 'vault'));
    const tokens = new ApiTokens(new MemoryTokenStore());
    token = (await tokens.issue({ user: 'User1', role: 'member' })).token;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    gateway = await buildApp({
      deps: {
        mspId: 'YangtzeMSP',
        channel: 'creditchain',
        ledger,
        vault,
        keys: await FileKeyStore.open(join(home.keys, 'YangtzeMSP')),
        clock: systemClock,
        catalogue: SchemaCatalogue.shipped(),
        idempotency: new Idempotency(vault, systemClock),
        subjectKey: Uint8Array.from(randomBytes(32)),
        limits: DEFAULT_LIMITS,
      },
      tokens,
      logger: pino(loggerOptions('debug'), sink),
      processMetrics: false,
    });
  });

  afterAll(async () => {
    await gateway.app.close();
    await ledger.close();
    await vault.close();
    await session.stop();
    await rm(base, { recursive: true, force: true });
  });

  let first: Committed;
  let correction: Committed;

  it('wraps to the key the organisation published on the ledger', async () => {
    const keys = await FileKeyStore.open(join(home.keys, 'YangtzeMSP'));
    const profile = await ledger.getOrgProfile('User1', 'YangtzeMSP');
    expect((await keys.activeKey()).keyId).toBe(profile.activeKeyId);
    expect((await call('GET', '/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('submits a report over HTTP and answers after the commit, signed by the officer', async () => {
    const res = await call(
      'POST',
      '/v1/reports',
      { category: 'basic', schemaVersion: '1.0', uscc: USCC, payload: REPORT },
      'submit-1',
    );
    expect(res.statusCode).toBe(201);
    first = res.json<Committed>();
    expect(first.report).toMatchObject({
      category: 'basic',
      schemaVersion: '1.0',
      status: 'active',
      sizeBucket: 'XS',
      provider: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01' },
    });
    const status = await ledger.commitStatus('User1', first.txId);
    expect(status).toEqual({
      txId: first.txId,
      blockNumber: first.block,
      valid: true,
      validationCode: 'VALID',
    });

    const replay = await call(
      'POST',
      '/v1/reports',
      { category: 'basic', schemaVersion: '1.0', uscc: USCC, payload: REPORT },
      'submit-1',
    );
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first);
  });

  it('reads it back decrypted, and the ledger anchor holds its ciphertext hash and commitment', async () => {
    const res = await call('GET', `/v1/reports/${first.report.reportId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      reportId: first.report.reportId,
      payload: REPORT,
      anchor: { status: 'active' },
    });

    const anchor = await ledger.getReport('User1', first.report.reportId);
    const stored = await vault.getReport(first.report.reportId);
    if (stored?.status !== 'active') throw new Error('the vault lost the report');
    expect(anchor.ciphertextHash).toBe(ciphertextHashOf(stored.ciphertext));
    expect(anchor.commitment).toBe(
      createHmac('sha256', stored.salt).update(canonicalBytes(REPORT)).digest('hex'),
    );
    expect(anchor.submittedBy).toMatchObject({ mspId: 'YangtzeMSP', institution: 'YRD-BANK-01' });
    expect(anchor.subjectRef).toBe(first.report.subjectRef);
  });

  it('corrects it: the correction supersedes the report on the ledger', async () => {
    const res = await call(
      'POST',
      `/v1/reports/${first.report.reportId}/corrections`,
      { schemaVersion: '1.0', payload: CORRECTED },
      'correct-1',
    );
    expect(res.statusCode).toBe(201);
    correction = res.json<Committed>();
    expect(correction.report).toMatchObject({
      supersedes: first.report.reportId,
      subjectRef: first.report.subjectRef,
      status: 'active',
    });
    expect((await ledger.getReport('User1', first.report.reportId)).status).toBe('superseded');
    expect((await call('GET', `/v1/reports/${correction.report.reportId}`)).json()).toMatchObject({
      payload: CORRECTED,
    });
  });

  it('erases both: the vault no longer yields the payload, the ledger keeps the tombstones', async () => {
    for (const { report } of [correction, first]) {
      const res = await call(
        'POST',
        `/v1/reports/${report.reportId}/erasure`,
        { reason: 'SUBJECT_REQUEST' },
        `erase-${report.reportId}`,
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        report: { status: 'erased', erasure: { reason: 'SUBJECT_REQUEST' } },
      });

      const got = await call('GET', `/v1/reports/${report.reportId}`);
      expect(got.statusCode).toBe(410);
      expect(got.json()).toMatchObject({ code: 'REPORT_ERASED' });
      const stored = await vault.getReport(report.reportId);
      expect(stored).toMatchObject({ status: 'erased', reason: 'SUBJECT_REQUEST' });
      expect(stored).not.toHaveProperty('ciphertext');
      const tombstone = await ledger.getReport('User1', report.reportId);
      expect(tombstone).toMatchObject({
        status: 'erased',
        ciphertextHash: report.ciphertextHash,
        commitment: report.commitment,
        erasure: { reason: 'SUBJECT_REQUEST' },
      });
    }
  });

  it('fails closed while its peer is down, then completes the same submission once', async () => {
    const body = {
      category: 'warning',
      schemaVersion: '1.0',
      uscc: USCC,
      eventEndDate: '2026-01-31',
      payload: WARNING,
    };
    await session.net.stopPeer('YangtzeMSP');
    try {
      const down = await call('POST', '/v1/reports', body, 'warn-1');
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ code: 'LEDGER_UNAVAILABLE', retryable: true });
      expect((await call('GET', '/readyz')).statusCode).toBe(503);
    } finally {
      await session.net.startPeer('YangtzeMSP');
    }
    let res = await call('POST', '/v1/reports', body, 'warn-1');
    for (let i = 0; res.statusCode === 503 && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 500));
      res = await call('POST', '/v1/reports', body, 'warn-1');
    }
    expect(res.statusCode).toBe(201);
    const { report } = res.json<Committed>();
    const listed = await ledger.listReportsBySubject('User1', report.subjectRef, { pageSize: 100 });
    expect(listed.records.filter((r) => r.category === 'warning')).toHaveLength(1);
    expect((await call('GET', `/v1/reports/${report.reportId}`)).json()).toMatchObject({ payload: WARNING });
  });

  it('wrote no report content and no USCC into any block of any peer, nor into the logs', async () => {
    const forbidden = [
      USCC,
      USCC.toLowerCase(),
      ...[REPORT, CORRECTED].flatMap((r) => [r.enterpriseName, r.legalRepresentative, r.registeredAddress]),
      '国家税务总局福州市税务局',
      Buffer.from(canonicalBytes(REPORT)).toString(),
      '12000000.00',
    ];
    let blocks = 0;
    let anchorsSeen = 0;
    for (const { mspId } of session.net.peers) {
      const peerLedger = session.net.peer(mspId).ledger;
      for (let n = 0; n < peerLedger.height; n++) {
        const bytes = Buffer.from((await peerLedger.getBlockBytes(n)) ?? new Uint8Array());
        blocks++;
        for (const text of forbidden)
          expect(bytes.includes(Buffer.from(text)), `${text} in block ${n} of ${mspId}`).toBe(false);
        if (bytes.includes(Buffer.from(first.report.ciphertextHash))) anchorsSeen++;
      }
    }
    expect(blocks).toBeGreaterThan(4 * 6);
    expect(anchorsSeen).toBeGreaterThanOrEqual(4); // the scan does see what the gateway anchored
    const text = logs.join('');
    expect(logs.length).toBeGreaterThan(5);
    for (const secret of [...forbidden, token.slice(3)]) expect(text).not.toContain(secret);
  });
});
