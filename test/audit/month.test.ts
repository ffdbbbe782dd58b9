/**
 * A month of activity on the default consortium, audited: a deterministic seeded script drives the
 * real contract through the gateway's `FabricLedger` (40 enterprises registering consent keys, 300
 * reports from the six member institutions of the three alliances, 114 consents, over 200 access
 * requests granted and delivered or denied for nine different reasons, one revocation, one erasure,
 * one correction, a regulator's supervisory access, and one misuse pattern: a burst of requests on
 * one enterprise by an institution using a consent granted to another). The script keeps its own
 * model of what it did; the regulator's `AuditService` must answer exactly that model: every
 * report's trail in order, the trails of every enterprise (looked up by USCC), organisation and
 * institution, usage statements (and their CSV) per organisation, and the misuse alerts with their
 * evidence. The block listener runs in a child process that is SIGKILLed in the middle of the
 * stream and resumed from its store without counting anything twice. A provenance bundle of the
 * report with the richest trail verifies offline and is rejected after a one-byte change, and
 * Pearl's member view holds no receipt of which Pearl is neither the provider nor the requester.
 *
 * "A month", honestly: the contract stamps every record with the transaction timestamp the client
 * put in the proposal, and `@hyperledger/fabric-gateway` does not let a client choose it. So the
 * month is compressed into the run's real time span (tens of seconds): the period queries are
 * exercised over four synthetic "weeks", the run's span between its first and last committed
 * record split in four at instants computed from the committed timestamps; usage statements and
 * alerts, which take whole days, cover the days of the run. Alert windows (one hour) therefore hold
 * the whole run, which the test checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertThresholds } from '../../gateway/src/audit/alerts.js';
import { AuditService } from '../../gateway/src/audit/audit-service.js';
import { FabricBlockFeed } from '../../gateway/src/audit/fabric-block-feed.js';
import { LevelAuditStore } from '../../gateway/src/audit/level-audit-store.js';
import { AuditListener } from '../../gateway/src/audit/listener.js';
import type { AuditEntry, AuditEntryKind } from '../../gateway/src/audit/model.js';
import { instantNanos } from '../../gateway/src/audit/period.js';
import {
  buildProvenanceBundle,
  serializeProvenanceBundle,
  verifyProvenanceBundle,
} from '../../gateway/src/audit/provenance/index.js';
import { usageCsv, type UsageLine, type UsageTotals } from '../../gateway/src/audit/usage.js';
import { signConsent, signSignerBinding } from '../../gateway/src/crypto/eip712-consent.js';
import { subjectRef as pseudonym } from '../../gateway/src/crypto/pseudonym.js';
import { usccCheckCharacter } from '../../gateway/src/domain/uscc.js';
import { readConnectionProfile } from '../../gateway/src/ledger/connection.js';
import { FabricLedger } from '../../gateway/src/ledger/fabric-ledger.js';
import type { LedgerReceipt, LedgerReport } from '../../gateway/src/ports/ledger-records.js';
import { systemClock } from '../../gateway/src/ports/clock.js';
import type { Caller } from '../../gateway/src/services/context.js';
import { connectGateway, type GatewaySession } from '../../network/src/ops/gateway-client.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';
import type { ListenerChildConfig } from './support/listener-child.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const SUPPORT = join(import.meta.dirname, 'support');
const SEED = 20260301;
const REGULATOR: Caller = { user: 'Regulator1', role: 'regulator' };
const MEMBER: Caller = { user: 'User1', role: 'member' };
const THRESHOLDS: AlertThresholds = {
  burst: { requests: 5, windowSeconds: 3600 },
  denials: { count: 10, windowSeconds: 3600 },
  purposeMismatch: true,
  supervisory: true,
};
const PARALLEL = 16;
const ENTERPRISES = 40;
const REPORTS = 300;
const CONSENTS = 110;
const REQUESTS = 190;
const MISUSE_BURST = 12;
const CATEGORIES = ['basic', 'business', 'credit_enhancement', 'asset'] as const;
const PURPOSES = ['loan_underwriting', 'post_loan_monitoring', 'guarantee_review'] as const;
/** Pearl's business, narrowed by the script: guarantee reviews by Pearl are outside it. */
const PEARL_PURPOSES = ['loan_underwriting', 'post_loan_monitoring'];
const CASE = 'CASE-2026-031';

const ORGS = {
  yangtze: { mspId: 'YangtzeMSP', profile: 'connection-yangtze.json' },
  pearl: { mspId: 'PearlMSP', profile: 'connection-pearl.json' },
  jingjinji: { mspId: 'JingJinJiMSP', profile: 'connection-jingjinji.json' },
  regulator: { mspId: 'RegulatorMSP', profile: 'connection-regulator.json' },
} as const;
type Org = keyof typeof ORGS;
const MSPS = Object.values(ORGS).map((o) => o.mspId);
const PEER_DOMAINS = ['yangtze', 'pearl', 'jingjinji', 'regulator'].map((d) => `${d}.creditchain.example`);

interface Institution {
  readonly org: Org;
  readonly mspId: string;
  readonly user: 'User1' | 'User2';
  readonly institution: string;
}
const inst = (org: Org, user: 'User1' | 'User2', institution: string): Institution => ({
  org,
  mspId: ORGS[org].mspId,
  user,
  institution,
});
const INSTITUTIONS: readonly Institution[] = [
  inst('yangtze', 'User1', 'YRD-BANK-01'),
  inst('yangtze', 'User2', 'YRD-BUREAU-01'),
  inst('pearl', 'User1', 'PRD-BANK-01'),
  inst('pearl', 'User2', 'PRD-BUREAU-01'),
  inst('jingjinji', 'User1', 'JJJ-BANK-01'),
  inst('jingjinji', 'User2', 'JJJ-BUREAU-01'),
];
const at = <T>(list: readonly T[], i: number): T => {
  const v = list[i];
  if (v === undefined) throw new RangeError(`no element ${i}`);
  return v;
};
const [Y1, Y2, P1, , J1, J2] = INSTITUTIONS as [
  Institution,
  Institution,
  Institution,
  Institution,
  Institution,
  Institution,
];

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const FROM = day(-1);
const TO = day(2);

/** xorshift32: the script is the same on every run. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function usccOf(i: number): string {
  const rnd = prng(SEED + 7919 * (i + 1));
  let body = `91${['310000', '440300', '110108'][i % 3] ?? ''}`;
  while (body.length < 17) body += USCC_ALPHABET.charAt(rnd(USCC_ALPHABET.length));
  return body + usccCheckCharacter(body);
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
async function pool<T>(tasks: readonly (() => Promise<T>)[], limit = PARALLEL): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await at(tasks, i)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

// ------------------------------------------------------------------------------------------------
// The model: what the script did.

interface Party {
  readonly mspId: string;
  readonly institution: string | null;
}
interface ModelEntry {
  readonly kind: AuditEntryKind;
  readonly txId: string;
  readonly time: string;
  readonly reportId: string | null;
  readonly subjectRef: string | null;
  readonly receiptId: string | null;
  readonly parties: readonly Party[];
}
interface ModelReport {
  readonly reportId: string;
  readonly subject: number;
  readonly category: string;
  readonly provider: Institution;
}
interface ModelConsent {
  readonly consentId: string;
  readonly subject: number;
  readonly grantee: Institution;
  readonly categories: readonly string[];
  readonly purpose: string;
  readonly maxUses: number;
}
/** The receipts as the script saw them committed (deliveries update them). */
const receipts = new Map<string, LedgerReceipt>();
const entries: ModelEntry[] = [];
const key = (e: { txId: string; kind: string; reportId: string | null }): string =>
  `${e.txId}/${e.kind}/${e.reportId ?? '-'}`;
const mspsOf = (e: ModelEntry): Set<string> => new Set(e.parties.map((p) => p.mspId));
const institutionsOf = (e: ModelEntry): Set<string> =>
  new Set(e.parties.flatMap((p) => (p.institution === null ? [] : [`${p.mspId}/${p.institution}`])));

describe('a scripted month on the default consortium, audited by the regulator', () => {
  let base: string;
  let home: ProfileHome;
  let session: NetworkSession;
  const ledgers = new Map<Org, FabricLedger>();
  let regulatorGw: GatewaySession;
  let yangtzeAdmin: GatewaySession;
  const peerSessions: GatewaySession[] = [];
  let height = 0;
  let lagRetries = 0;
  const subjectKey = Buffer.from(sha(`${SEED}/subject-key`), 'hex');
  const usccs = Array.from({ length: ENTERPRISES }, (_, i) => usccOf(i));
  const refs = usccs.map((u) => pseudonym(u, subjectKey));
  const wallets = usccs.map((_, i) => new Wallet(`0x${sha(`${SEED}/enterprise/${i}`)}`));
  const reports: ModelReport[] = [];
  const reportsOf = (subject: number): ModelReport[] => reports.filter((r) => r.subject === subject);
  const did = {
    killedAt: 0,
    killedWhileScriptRan: false,
    heightAtKill: 0,
    misuse: [] as string[],
    richReport: '',
    erased: '',
    supervisory: [] as string[],
    runMs: 0,
  };

  const ledger = (org: Org): FabricLedger => {
    const l = ledgers.get(org);
    if (!l) throw new Error(`no ledger for ${org}`);
    return l;
  };
  const committed = <T extends { blockNumber: number }>(c: T): T => {
    height = Math.max(height, c.blockNumber + 1);
    return c;
  };
  const actorOf = (i: Institution): Party => ({ mspId: i.mspId, institution: i.institution });
  const partyOfReport = (reportId: string): Party[] => {
    const r = reports.find((x) => x.reportId === reportId);
    return r ? [actorOf(r.provider)] : [];
  };

  /** Records the entries a committed report write adds. */
  const noteReport = (r: LedgerReport, model: ModelReport): void => {
    const provider = actorOf(model.provider);
    if (r.supersedes === null) {
      entries.push({
        kind: 'SUBMITTED',
        txId: r.submitTx,
        time: r.submittedAt,
        reportId: r.reportId,
        subjectRef: r.subjectRef,
        receiptId: null,
        parties: [provider],
      });
      return;
    }
    for (const [kind, reportId] of [
      ['CORRECTED', r.reportId],
      ['SUPERSEDED', r.supersedes],
    ] as const)
      entries.push({
        kind,
        txId: r.submitTx,
        time: r.submittedAt,
        reportId,
        subjectRef: r.subjectRef,
        receiptId: null,
        parties: [provider],
      });
  };
  const noteReceipt = (receipt: LedgerReceipt): void => {
    receipts.set(receipt.receiptId, receipt);
    entries.push({
      kind: receipt.outcome === 'granted' ? 'ACCESS_GRANTED' : 'ACCESS_DENIED',
      txId: receipt.receiptId,
      time: receipt.requestedAt,
      reportId: receipt.reportId,
      subjectRef: receipt.subjectRef,
      receiptId: receipt.receiptId,
      parties: [...partyOfReport(receipt.reportId), receipt.requester],
    });
  };

  /**
   * `submit`, again while endorsers are behind: a chain's previous transaction is committed at the
   * submitting organisation's peer, but the other endorsers may be a block behind and answer
   * RECEIPT_NOT_FOUND or a different result ("endorsements do not match"). Nothing was ordered.
   */
  async function behindPeers<T>(submit: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await submit();
      } catch (err) {
        const { code, message } = err as { code?: string; message?: string };
        const behind = code === 'RECEIPT_NOT_FOUND' || /enough transaction endorsements/.test(message ?? '');
        if (!behind || attempt >= 40) throw err;
        lagRetries++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Waits until every peer has committed the script's last block: the next phase reads it. */
  async function settled(): Promise<void> {
    await Promise.all(
      peerSessions.map(async (s) => {
        const events = await s.gateway
          .getNetwork('creditchain')
          .getBlockEvents({ startBlock: BigInt(height - 1) });
        try {
          await events[Symbol.asyncIterator]().next();
        } finally {
          events.close();
        }
      }),
    );
  }

  async function submitRaw<T>(s: GatewaySession, fn: string, ...args: string[]): Promise<T> {
    const contract = s.gateway.getNetwork('creditchain').getContract('credit');
    const commit = await contract.submitAsync(fn, { arguments: args });
    const status = await commit.getStatus();
    if (!status.successful) throw new Error(`${fn} was committed ${String(status.code)}`);
    committed({ blockNumber: Number(status.blockNumber) });
    return JSON.parse(Buffer.from(commit.getResult()).toString()) as T;
  }

  async function request(
    who: Institution,
    n: string,
    reportId: string,
    consentId: string,
    purpose: string,
  ): Promise<LedgerReceipt> {
    const c = committed(
      await behindPeers(() =>
        ledger(who.org).requestAccess(who.user, {
          requestId: `month-req-${n}`,
          reportId,
          consentId,
          purpose,
        }),
      ),
    );
    noteReceipt(c.value);
    return c.value;
  }

  async function deliver(receipt: LedgerReceipt): Promise<void> {
    const report = reports.find((r) => r.reportId === receipt.reportId);
    if (!report) throw new Error(`no report ${receipt.reportId}`);
    const c = await behindPeers(() =>
      ledger(report.provider.org).recordDelivery(report.provider.user, {
        receiptId: receipt.receiptId,
        reportId: receipt.reportId,
        requesterMsp: receipt.requester.mspId,
        requestId: receipt.requestId,
      }),
    );
    committed(c);
    const delivery = c.value.delivery;
    if (!delivery) throw new Error('no delivery recorded');
    receipts.set(c.value.receiptId, c.value);
    entries.push({
      kind: 'DELIVERED',
      txId: delivery.tx,
      time: delivery.at,
      reportId: receipt.reportId,
      subjectRef: receipt.subjectRef,
      receiptId: receipt.receiptId,
      parties: [actorOf(report.provider), receipt.requester],
    });
  }

  async function consent(
    n: number,
    subject: number,
    grantee: Institution,
    terms: {
      categories: readonly string[];
      purpose: string;
      notBefore: number;
      notAfter: number;
      maxUses: number;
    },
  ): Promise<ModelConsent> {
    const signed = await signConsent(at(wallets, subject), 'creditchain', {
      subjectRef: at(refs, subject),
      granteeMsp: grantee.mspId,
      granteeInstitution: grantee.institution,
      ...terms,
      nonce: `0x${sha(`${SEED}/nonce/${n}`)}`,
    });
    const c = committed(
      await ledger(grantee.org).recordConsent(grantee.user, signed.consentJson, signed.signature),
    );
    entries.push({
      kind: 'CONSENT_RECORDED',
      txId: c.value.recordedTx,
      time: c.value.recordedAt,
      reportId: null,
      subjectRef: at(refs, subject),
      receiptId: null,
      parties: [actorOf(grantee)],
    });
    return {
      consentId: signed.consentId,
      subject,
      grantee,
      categories: terms.categories,
      purpose: terms.purpose,
      maxUses: terms.maxUses,
    };
  }

  // ----------------------------------------------------------------------------------------------
  // The listener, in a child process.

  let child: ChildProcess | undefined;
  let childCheckpoint = 0;
  let childFailure: string | undefined;
  const childWaiters: { target: number; resolve: () => void }[] = [];

  async function startChild(dir: string): Promise<void> {
    const id = session.net.identity('RegulatorMSP', 'Regulator1');
    const config: ListenerChildConfig = {
      dir,
      peer: await readConnectionProfile(join(home.dir, ORGS.regulator.profile), 'RegulatorMSP'),
      identity: { mspId: 'RegulatorMSP', certPem: id.certPem, privateKeyPem: id.keyPem },
    };
    const file = join(base, 'listener-child.json');
    await writeFile(file, JSON.stringify(config));
    const proc = spawn(
      process.execPath,
      ['--import', join(SUPPORT, 'register-ts.mjs'), join(SUPPORT, 'listener-child.ts'), file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) childCheckpoint = Math.max(childCheckpoint, Number(line));
      for (const w of childWaiters.filter((x) => childCheckpoint >= x.target)) {
        childWaiters.splice(childWaiters.indexOf(w), 1);
        w.resolve();
      }
    });
    let err = '';
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') childFailure = `the listener child exited (${String(code)}): ${err}`;
    });
  }
  const childReaches = (target: number): Promise<void> =>
    childCheckpoint >= target
      ? Promise.resolve()
      : new Promise((resolve) => childWaiters.push({ target, resolve }));

  async function killChild(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  // ----------------------------------------------------------------------------------------------

  let store: LevelAuditStore;
  let listener: AuditListener;
  let feed: FabricBlockFeed;
  /** Releases what was opened, last first. */
  const cleanup: (() => Promise<unknown>)[] = [];
  const service = (mspId: string): AuditService =>
    new AuditService({ store, mspId, subjectKey, thresholds: THRESHOLDS, listener });

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-audit-month-'));
    home = profileHome(join(base, 'net'), 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
    });
    cleanup.push(() => session.stop());
    for (const [org, { mspId, profile }] of Object.entries(ORGS) as [Org, (typeof ORGS)[Org]][]) {
      const users = org === 'regulator' ? ['Regulator1'] : ['User1', 'User2'];
      const ids = new Map(users.map((u) => [u, session.net.identity(mspId, u)]));
      ledgers.set(
        org,
        FabricLedger.connect({
          peer: await readConnectionProfile(join(home.dir, profile), mspId),
          channel: 'creditchain',
          chaincode: 'credit',
          identityOf: (u) => {
            const id = ids.get(u);
            return Promise.resolve(id ? { mspId, certPem: id.certPem, privateKeyPem: id.keyPem } : undefined);
          },
          conflictRetries: 4,
        }),
      );
    }
    const peerOf = (mspId: string) => {
      const p = session.net.peers.find((x) => x.mspId === mspId);
      if (!p) throw new Error(`no peer ${mspId}`);
      return p;
    };
    cleanup.push(async () => {
      for (const l of ledgers.values()) await l.close();
    });
    regulatorGw = connectGateway(peerOf('RegulatorMSP'), session.net.identity('RegulatorMSP', 'Regulator1'));
    yangtzeAdmin = connectGateway(peerOf('YangtzeMSP'), session.net.identity('YangtzeMSP', 'Admin'));
    for (const { mspId } of Object.values(ORGS))
      peerSessions.push(
        connectGateway(
          peerOf(mspId),
          session.net.identity(mspId, mspId === 'RegulatorMSP' ? 'Regulator1' : 'User1'),
        ),
      );
    cleanup.push(() => {
      for (const s of [regulatorGw, yangtzeAdmin, ...peerSessions]) s.close();
      return Promise.resolve();
    });
  });

  afterAll(async () => {
    await killChild().catch(() => undefined);
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  it(
    'runs the month while the listener follows in a child process, SIGKILLed mid-stream',
    { timeout: 240_000 },
    async () => {
      const started = Date.now();
      const rnd = prng(SEED);
      const now = Math.floor(Date.now() / 1000);

      // Pearl's business is narrowed: its guarantee reviews become purpose mismatches.
      const config = JSON.parse(
        Buffer.from(
          await yangtzeAdmin.gateway
            .getNetwork('creditchain')
            .getContract('credit')
            .evaluateTransaction('GetConsortium'),
        ).toString(),
      ) as Record<string, unknown>;
      const organisations = (config.organisations as { mspId: string; businessPurposes: string[] }[]).map(
        (o) => (o.mspId === 'PearlMSP' ? { ...o, businessPurposes: PEARL_PURPOSES } : o),
      );
      await submitRaw(
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
      await settled();
      await startChild(join(base, 'audit'));

      // Enterprises register their consent keys with their home institution.
      await pool(
        refs.map((ref, i) => async () => {
          const binding = await signSignerBinding(at(wallets, i), {
            channelId: 'creditchain',
            subjectRef: ref,
            action: 'register',
          });
          const home = at(INSTITUTIONS, i % INSTITUTIONS.length);
          committed(
            await ledger(home.org).registerSubjectSigner(home.user, {
              subjectRef: ref,
              signer: binding.signer,
              signature: binding.signature,
            }),
          );
        }),
      );

      await settled();

      // Reports and consents.
      for (let r = 0; r < REPORTS; r++)
        reports.push({
          reportId: `${at(INSTITUTIONS, r % 6).mspId}:month-${String(r).padStart(4, '0')}`,
          subject: r % ENTERPRISES,
          category: at(CATEGORIES, rnd(CATEGORIES.length)),
          provider: at(INSTITUTIONS, (r + Math.floor(r / ENTERPRISES)) % 6),
        });
      const consentTerms = Array.from({ length: CONSENTS }, (_, c) => {
        const categories = CATEGORIES.filter(() => rnd(3) > 0);
        return {
          subject: c % ENTERPRISES,
          grantee: at(INSTITUTIONS, rnd(6)),
          terms: {
            categories: categories.length > 0 ? categories : [at(CATEGORIES, rnd(CATEGORIES.length))],
            purpose: at(PURPOSES, rnd(PURPOSES.length)),
            notBefore: now - 3600,
            notAfter: now + 30 * 86_400,
            maxUses: 1 + rnd(5),
          },
        };
      });
      const S_MISUSE = 3;
      const allCategories = [...CATEGORIES];
      const specials = {
        future: { subject: 0, grantee: Y1, notBefore: now + 86_400, notAfter: now + 2 * 86_400, maxUses: 3 },
        revoked: { subject: 2, grantee: J1, notBefore: now - 60, notAfter: now + 86_400, maxUses: 3 },
        misuse: { subject: S_MISUSE, grantee: P1, notBefore: now - 60, notAfter: now + 86_400, maxUses: 2 },
      };
      // Recorded alone, so that it is still valid when recorded and expired before it is used.
      const expiresAt = Math.floor(Date.now() / 1000) + 4;
      const expiring = await consent(CONSENTS + 9, 1, P1, {
        categories: allCategories,
        purpose: 'loan_underwriting',
        notBefore: now - 60,
        notAfter: expiresAt,
        maxUses: 3,
      });
      const reportTasks = reports.map((m) => async () => {
        const c = committed(
          await ledger(m.provider.org).submitReport(m.provider.user, {
            reportId: m.reportId,
            subjectRef: at(refs, m.subject),
            category: m.category,
            schemaVersion: '1.0',
            ciphertextHash: sha(`c/${m.reportId}`),
            commitment: sha(`m/${m.reportId}`),
            sizeBucket: 'S',
          }),
        );
        noteReport(c.value, m);
        return undefined;
      });
      const consentTasks = consentTerms.map((t, c) => () => consent(c, t.subject, t.grantee, t.terms));
      const specialTasks = Object.values(specials).map(
        (s, k) => () =>
          consent(CONSENTS + k, s.subject, s.grantee, {
            categories: allCategories,
            purpose: 'loan_underwriting',
            notBefore: s.notBefore,
            notAfter: s.notAfter,
            maxUses: s.maxUses,
          }),
      );
      const recorded = await pool<ModelConsent | undefined>([
        ...consentTasks,
        ...specialTasks,
        ...reportTasks,
      ]);
      const consents = recorded.slice(0, CONSENTS) as ModelConsent[];
      const [future, revoked, misuse] = recorded.slice(CONSENTS, CONSENTS + 3) as [
        ModelConsent,
        ModelConsent,
        ModelConsent,
      ];
      const revocation = committed(await ledger(J1.org).revokeConsent(J1.user, revoked.consentId));
      const revokedAt = revocation.value.revocation;
      if (!revokedAt) throw new Error('not revoked');
      entries.push({
        kind: 'CONSENT_REVOKED',
        txId: revokedAt.tx,
        time: revokedAt.at,
        reportId: null,
        subjectRef: at(refs, revoked.subject),
        receiptId: null,
        parties: [actorOf(J1)],
      });
      await settled();
      const heightAfterSetup = height;

      // Requests, in one chain per consent (a grant updates the consent every other request on it
      // reads), the chains in parallel; outcomes predicted as the contract decides them.
      type Step = {
        who: Institution;
        report: ModelReport;
        purpose: string;
        expect: string;
        deliver: boolean;
      };
      const chains = new Map<string, { consent: ModelConsent; steps: Step[] }>();
      const uses = new Map<string, number>();
      const perSubject = new Map<string, number>();
      const denials = new Map<string, number>();
      for (let made = 0, tries = 0; made < REQUESTS && tries < 20 * REQUESTS; tries++) {
        const c = at(consents, rnd(consents.length));
        const who = rnd(5) === 0 ? at(INSTITUTIONS, rnd(6)) : c.grantee;
        const ofSubject = reportsOf(c.subject);
        const report = rnd(7) === 0 ? at(reports, rnd(reports.length)) : at(ofSubject, rnd(ofSubject.length));
        const purpose = rnd(7) === 0 ? at(PURPOSES, rnd(PURPOSES.length)) : c.purpose;
        const used = uses.get(c.consentId) ?? 0;
        const expect =
          report.subject !== c.subject
            ? 'CONSENT_SUBJECT_MISMATCH'
            : who !== c.grantee
              ? 'CONSENT_GRANTEE_MISMATCH'
              : !c.categories.includes(report.category)
                ? 'CATEGORY_NOT_CONSENTED'
                : purpose !== c.purpose
                  ? 'PURPOSE_NOT_CONSENTED'
                  : used >= c.maxUses
                    ? 'CONSENT_EXHAUSTED'
                    : 'CONSENT';
        // Ordinary traffic stays under the alert thresholds, with room for the single requests
        // below (at most two more per institution and subject, three more denials per
        // institution): the misuse is what stands out.
        const subjectKeyOf = `${who.institution}/${report.subject}`;
        if ((perSubject.get(subjectKeyOf) ?? 0) >= 2 || report.subject === S_MISUSE) continue;
        if (expect !== 'CONSENT' && (denials.get(who.institution) ?? 0) >= 6) continue;
        perSubject.set(subjectKeyOf, (perSubject.get(subjectKeyOf) ?? 0) + 1);
        if (expect === 'CONSENT') uses.set(c.consentId, used + 1);
        else denials.set(who.institution, (denials.get(who.institution) ?? 0) + 1);
        const chain = chains.get(c.consentId) ?? { consent: c, steps: [] };
        chain.steps.push({ who, report, purpose, expect, deliver: expect === 'CONSENT' && rnd(5) > 0 });
        chains.set(c.consentId, chain);
        made++;
      }
      let n = 0;
      const outcomes: string[] = [];
      const scriptDone = { value: false };
      const requests = pool(
        [...chains.values()].map(({ consent: c, steps }) => async () => {
          for (const s of steps) {
            const receipt = await request(
              s.who,
              String(n++).padStart(4, '0'),
              s.report.reportId,
              c.consentId,
              s.purpose,
            );
            outcomes.push(`${receipt.reason}=${s.expect}`);
            expect(receipt.reason).toBe(s.expect);
            if (s.deliver) await deliver(receipt);
          }
        }),
      );
      // Mid-stream: once the child has indexed the setup and the first requests, it is killed while
      // requests still commit.
      const kill = childReaches(heightAfterSetup + 10).then(async () => {
        did.killedWhileScriptRan = !scriptDone.value;
        did.heightAtKill = height;
        await killChild();
        did.killedAt = childCheckpoint;
      });
      await requests;
      await settled();

      // The misuse pattern: Jing-Jin-Ji's bureau fires requests at one enterprise's reports under a
      // consent granted to Pearl's bank, around Pearl's own legitimate uses of it.
      const misuseReports = reportsOf(S_MISUSE);
      const own = async (tag: string, expected: string): Promise<void> => {
        const receipt = await request(
          P1,
          `misuse-${tag}`,
          at(misuseReports, 0).reportId,
          misuse.consentId,
          'loan_underwriting',
        );
        expect(receipt.reason).toBe(expected);
        if (receipt.outcome === 'granted') await deliver(receipt);
      };
      await own('own-1', 'CONSENT');
      for (const batch of [0, 1]) {
        const burst = await Promise.all(
          Array.from({ length: MISUSE_BURST / 2 }, (_, k) => {
            const i = batch * (MISUSE_BURST / 2) + k;
            return request(
              J2,
              `burst-${i}`,
              at(misuseReports, i % misuseReports.length).reportId,
              misuse.consentId,
              'loan_underwriting',
            );
          }),
        );
        for (const r of burst) expect(r.reason).toBe('CONSENT_GRANTEE_MISMATCH');
        did.misuse.push(...burst.map((r) => r.receiptId));
      }
      await own('own-2', 'CONSENT');
      await own('own-3', 'CONSENT_EXHAUSTED');

      // Other denials, one of each remaining kind.
      const ofSubject = (s: number): ModelReport => at(reportsOf(s), 1);
      const singles: [Institution, string, string, string, string][] = [
        [Y1, 'future', ofSubject(0).reportId, future.consentId, 'CONSENT_NOT_YET_VALID'],
        [J1, 'revoked', ofSubject(2).reportId, revoked.consentId, 'CONSENT_REVOKED'],
        [Y2, 'unknown-consent', ofSubject(4).reportId, sha(`${SEED}/no-consent`), 'CONSENT_NOT_FOUND'],
        [J1, 'unknown-report', 'YangtzeMSP:month-missing', sha(`${SEED}/no-consent`), 'REPORT_NOT_FOUND'],
      ];
      const singled = await Promise.all(
        singles.map(([who, tag, reportId, consentId]) =>
          request(who, tag, reportId, consentId, 'loan_underwriting'),
        ),
      );
      expect(singled.map((r) => r.reason)).toEqual(singles.map((s) => s[4]));
      while (Date.now() / 1000 < expiresAt + 1) await new Promise((r) => setTimeout(r, 100));
      expect(
        (await request(P1, 'expired', ofSubject(1).reportId, expiring.consentId, 'loan_underwriting')).reason,
      ).toBe('CONSENT_EXPIRED');

      // The report with the richest trail: a supervisory access, then a correction; a later request
      // on it is denied as superseded. Another report is erased at the enterprise's request.
      const trailLength = (id: string): number => entries.filter((e) => e.reportId === id).length;
      const rich = [...reports].sort(
        (a, b) => trailLength(b.reportId) - trailLength(a.reportId) || (a.reportId < b.reportId ? -1 : 1),
      )[0];
      if (!rich) throw new Error('no report');
      did.richReport = rich.reportId;
      const erasedReport =
        reports.find((r) => r.subject === 5 && r.reportId !== rich.reportId && trailLength(r.reportId) > 1) ??
        ofSubject(5);
      did.erased = erasedReport.reportId;
      for (const [k, reportId] of [rich.reportId, erasedReport.reportId].entries()) {
        const receipt = await submitRaw<LedgerReceipt>(
          regulatorGw,
          'RecordSupervisoryAccess',
          `month-sup-${k}`,
          reportId,
          'supervision',
          CASE,
        );
        noteReceipt(receipt);
        did.supervisory.push(receipt.receiptId);
      }
      const erased = committed(
        await ledger(erasedReport.provider.org).eraseReport(
          erasedReport.provider.user,
          erasedReport.reportId,
          'SUBJECT_REQUEST',
        ),
      );
      const erasure = erased.value.erasure;
      if (!erasure) throw new Error('not erased');
      entries.push({
        kind: 'ERASED',
        txId: erasure.tx,
        time: erasure.at,
        reportId: erasedReport.reportId,
        subjectRef: at(refs, erasedReport.subject),
        receiptId: null,
        parties: [actorOf(erasedReport.provider)],
      });
      const correction: ModelReport = { ...rich, reportId: `${rich.reportId}-v2` };
      const corrected = committed(
        await ledger(rich.provider.org).submitReport(rich.provider.user, {
          reportId: correction.reportId,
          subjectRef: at(refs, rich.subject),
          category: rich.category,
          schemaVersion: '1.0',
          ciphertextHash: sha(`c/${correction.reportId}`),
          commitment: sha(`m/${correction.reportId}`),
          sizeBucket: 'S',
          supersedes: rich.reportId,
        }),
      );
      reports.push(correction);
      noteReport(corrected.value, correction);
      const anyConsent = at(consents, 0).consentId;
      await settled();
      expect((await request(Y2, 'superseded', rich.reportId, anyConsent, 'loan_underwriting')).reason).toBe(
        'REPORT_SUPERSEDED',
      );
      expect(
        (await request(Y2, 'erased', erasedReport.reportId, anyConsent, 'loan_underwriting')).reason,
      ).toBe('REPORT_ERASED');
      scriptDone.value = true;
      did.runMs = Date.now() - started;

      expect(childFailure).toBeUndefined();
      await kill;
      expect(did.killedWhileScriptRan).toBe(true);
      expect(did.killedAt).toBeGreaterThanOrEqual(heightAfterSetup + 10);
      expect(did.killedAt).toBeLessThan(height);

      // Resumed in this process from what the killed child left.
      store = await LevelAuditStore.open(join(base, 'audit'));
      cleanup.push(() => store.close());
      const left = await store.state();
      expect(left.nextBlock).toBeGreaterThanOrEqual(did.killedAt);
      expect(left.counts.blocks).toBe(left.nextBlock);
      const regulatorId = session.net.identity('RegulatorMSP', 'Regulator1');
      feed = FabricBlockFeed.connect({
        peer: await readConnectionProfile(join(home.dir, ORGS.regulator.profile), 'RegulatorMSP'),
        channel: 'creditchain',
        identity: { mspId: 'RegulatorMSP', certPem: regulatorId.certPem, privateKeyPem: regulatorId.keyPem },
      });
      cleanup.push(() => feed.close());
      listener = new AuditListener({ store, feed, clock: systemClock, retry: { initialMs: 50, maxMs: 500 } });
      listener.start();
      cleanup.push(() => listener.close());
      await listener.indexedUpTo(BigInt(height), 60_000);
      const reasons = new Map<string, number>();
      for (const r of receipts.values()) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
      const delivered = [...receipts.values()].filter((r) => r.delivery !== null).length;
      console.info(
        `month: ${reports.length} reports, ${receipts.size} receipts (${[...reasons].map(([k, v]) => `${k} ${v}`).join(', ')}; ${delivered} delivered), ${entries.length} entries, ` +
          `height ${height}, child killed at block ${did.killedAt} (script at ${did.heightAtKill}), script ${did.runMs} ms, ${lagRetries} retries for lagging endorsers`,
      );
    },
  );

  it('counts every receipt and entry once, whatever the kill interrupted', async () => {
    const state = await store.state();
    expect(state.alarm).toBeNull();
    expect(state.nextBlock).toBe(height);
    expect(state.counts.blocks).toBe(height);
    expect(state.counts.receipts).toBe(receipts.size);
    expect(state.counts.entries).toBe(entries.length);
    const everything = await allPages((cursor) =>
      service('RegulatorMSP').periodTrail(REGULATOR, { limit: 500, ...cursor }),
    );
    expect(everything.map(key).sort()).toEqual(entries.map(key).sort());
    expect(new Set(everything.map((e) => e.entryId)).size).toBe(everything.length);
  });

  /** Every page of a paged query. */
  async function allPages(
    page: (cursor: { after?: string }) => Promise<{ items: readonly AuditEntry[]; next: string | null }>,
  ): Promise<AuditEntry[]> {
    const items: AuditEntry[] = [];
    let cursor: { after?: string } = {};
    for (;;) {
      const p = await page(cursor);
      items.push(...p.items);
      if (p.next === null) return items;
      cursor = { after: p.next };
    }
  }
  const sortedKeys = (list: readonly ModelEntry[] | readonly AuditEntry[]): string[] => list.map(key).sort();
  const inTimeOrder = (list: readonly AuditEntry[]): boolean =>
    list.every((e, i) => i === 0 || (list[i - 1]?.time ?? '') <= e.time);

  it('every report’s trail, in order, with the receipts, times and parties the script saw', async () => {
    const audit = service('RegulatorMSP');
    const ids = [...new Set(entries.flatMap((e) => (e.reportId === null ? [] : [e.reportId])))];
    expect(ids.length).toBe(reports.length + 1);
    for (const reportId of ids) {
      const expected = entries
        .filter((e) => e.reportId === reportId)
        .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.txId < b.txId ? -1 : 1));
      const trail = await allPages((cursor) =>
        audit.reportTrail(REGULATOR, reportId, { limit: 500, ...cursor }),
      );
      expect(trail.map((e) => [e.kind, e.txId, e.time, e.receiptId, e.parties.map((p) => p.mspId)])).toEqual(
        expected.map((e) => [e.kind, e.txId, e.time, e.receiptId, e.parties.map((p) => p.mspId)]),
      );
    }
    const rich = (await audit.reportTrail(REGULATOR, did.richReport, { limit: 500 })).items.map(
      (e) => e.kind,
    );
    expect(rich[0]).toBe('SUBMITTED');
    expect(rich.slice(-3)).toEqual(['ACCESS_GRANTED', 'SUPERSEDED', 'ACCESS_DENIED']);
    expect(rich.filter((k) => k === 'DELIVERED').length).toBeGreaterThan(0);
    expect(
      (await audit.reportTrail(REGULATOR, did.erased, { limit: 500 })).items.map((e) => e.kind).slice(-2),
    ).toEqual(['ERASED', 'ACCESS_DENIED']);
  });

  it('the trails of every enterprise (by USCC), organisation and institution, per synthetic week', async () => {
    const audit = service('RegulatorMSP');
    for (const [i, uscc] of usccs.entries()) {
      const trail = await audit.subjectTrail(REGULATOR, { uscc }, { limit: 500 });
      expect(trail.subjectRef).toBe(refs[i]);
      expect(trail.next).toBeNull();
      expect(inTimeOrder(trail.items)).toBe(true);
      expect(sortedKeys(trail.items)).toEqual(sortedKeys(entries.filter((e) => e.subjectRef === refs[i])));
    }
    const nanos = entries.map((e) => instantNanos(e.time));
    const first = nanos.reduce((a, b) => (a < b ? a : b));
    const last = nanos.reduce((a, b) => (a > b ? a : b));
    expect(last - first).toBeLessThan(3600n * 1_000_000_000n);
    const instant = (n: bigint): string =>
      `${new Date(Number(n / 1_000_000_000n) * 1000).toISOString().slice(0, 19)}.${String(n % 1_000_000_000n).padStart(9, '0')}Z`;
    const span = last + 1n - first;
    const bounds = [0n, 1n, 2n, 3n, 4n].map((k) => instant(first + (span * k) / 4n));
    const weeks = [0, 1, 2, 3].map((w) => ({ from: at(bounds, w), to: at(bounds, w + 1) }));
    const within = (w: { from: string; to: string }) => (e: ModelEntry) => e.time >= w.from && e.time < w.to;
    let total = 0;
    for (const w of weeks) {
      const week = await allPages((cursor) => audit.periodTrail(REGULATOR, { ...w, limit: 500, ...cursor }));
      expect(inTimeOrder(week)).toBe(true);
      expect(sortedKeys(week)).toEqual(sortedKeys(entries.filter(within(w))));
      total += week.length;
      for (const msp of MSPS) {
        const member = await allPages((cursor) =>
          audit.memberTrail(REGULATOR, msp, { ...w, limit: 500, ...cursor }),
        );
        expect(sortedKeys(member)).toEqual(
          sortedKeys(entries.filter(within(w)).filter((e) => mspsOf(e).has(msp))),
        );
      }
    }
    expect(total).toBe(entries.length);
    for (const i of INSTITUTIONS) {
      const trail = await allPages((cursor) =>
        audit.memberTrail(REGULATOR, i.mspId, { institution: i.institution, limit: 500, ...cursor }),
      );
      expect(sortedKeys(trail)).toEqual(
        sortedKeys(entries.filter((e) => institutionsOf(e).has(`${i.mspId}/${i.institution}`))),
      );
    }
  });

  /** The usage statement of `mspId` as the script's receipts make it. */
  function expectedUsage(mspId: string): { lines: UsageLine[]; totals: UsageTotals[]; receiptIds: string[] } {
    const lines = new Map<string, UsageLine>();
    const totals = new Map<string, UsageTotals>();
    const add = <T extends UsageTotals>(target: T, r: LedgerReceipt): T => ({
      ...target,
      receipts: target.receipts + 1,
      granted: target.granted + (r.outcome === 'granted' ? 1 : 0),
      denied: target.denied + (r.outcome === 'denied' ? 1 : 0),
      delivered: target.delivered + (r.delivery === null ? 0 : 1),
      supervisory: target.supervisory + (r.supervisory ? 1 : 0),
    });
    const zero = { receipts: 0, granted: 0, denied: 0, delivered: 0, supervisory: 0 };
    const ids = new Set<string>();
    for (const role of ['requester', 'provider'] as const) {
      totals.set(role, { role, ...zero });
      for (const r of receipts.values()) {
        if ((role === 'requester' ? r.requester.mspId : r.provider?.mspId) !== mspId) continue;
        ids.add(r.receiptId);
        const line: UsageLine = {
          role,
          counterparty: (role === 'requester' ? r.provider?.mspId : r.requester.mspId) ?? '-',
          institution: (role === 'requester' ? r.requester.institution : r.provider?.institution) ?? '-',
          category: r.category ?? '-',
          purpose: r.purpose,
          ...zero,
        };
        const k = [role, line.counterparty, line.institution, line.category, line.purpose].join('\u0000');
        lines.set(k, add(lines.get(k) ?? line, r));
        totals.set(role, add(totals.get(role) ?? { role, ...zero }, r));
      }
    }
    return {
      lines: [...lines.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, l]) => l),
      totals: [...totals.values()],
      receiptIds: [...ids].sort(),
    };
  }

  it('usage statements: every receipt counted once, per counterparty, institution, category and purpose; CSV', async () => {
    const audit = service('RegulatorMSP');
    let requested = 0;
    for (const msp of MSPS) {
      const usage = await audit.usage(REGULATOR, msp, FROM, TO);
      const expected = expectedUsage(msp);
      expect(usage.lines).toEqual(expected.lines);
      expect(usage.totals).toEqual(expected.totals);
      expect(usage.receiptIds).toEqual(expected.receiptIds);
      expect(usage.receiptCount).toBe(expected.receiptIds.length);
      requested += usage.totals[0]?.receipts ?? 0;
      const csv = usageCsv(usage).split('\r\n');
      expect(csv.pop()).toBe('');
      expect(csv).toHaveLength(1 + expected.lines.length + 2);
      expect(csv.slice(-2).map((row) => row.split(',').slice(3))).toEqual(
        expected.totals.map((t) => [
          t.role,
          'TOTAL',
          '',
          '',
          '',
          ...[t.receipts, t.granted, t.denied, t.delivered, t.supervisory].map(String),
        ]),
      );
      // The contract's own statement agrees.
      const theirs = JSON.parse(
        Buffer.from(
          await regulatorGw.gateway
            .getNetwork('creditchain')
            .getContract('credit')
            .evaluateTransaction('GetUsageStatement', msp, FROM, TO),
        ).toString(),
      ) as { totals: unknown; receiptIds: string[] };
      expect(usage.totals).toEqual(theirs.totals);
      expect(usage.receiptIds).toEqual(theirs.receiptIds);
    }
    expect(requested).toBe(receipts.size);
  });

  /** The alerts the script's receipts must raise; the whole run lies in one alert window. */
  function expectedAlerts(visible: (r: LedgerReceipt) => boolean): string[] {
    const list = [...receipts.values()].filter(visible);
    const byTime = (a: LedgerReceipt, b: LedgerReceipt): number =>
      a.requestedAt < b.requestedAt
        ? -1
        : a.requestedAt > b.requestedAt
          ? 1
          : a.receiptId < b.receiptId
            ? -1
            : 1;
    const groups = (rs: LedgerReceipt[], k: (r: LedgerReceipt) => string): LedgerReceipt[][] => {
      const m = new Map<string, LedgerReceipt[]>();
      for (const r of rs) m.set(k(r), [...(m.get(k(r)) ?? []), r]);
      return [...m.values()].map((g) => g.sort(byTime));
    };
    const member = (r: LedgerReceipt): string => `${r.requester.mspId}|${r.requester.institution ?? ''}`;
    const line = (kind: string, rs: LedgerReceipt[], subject: string | null): string =>
      `${kind}|${member(at(rs, 0))}|${subject ?? '-'}|${rs.map((r) => r.receiptId).join(',')}`;
    return [
      ...groups(
        list.filter((r) => !r.supervisory && r.subjectRef !== null),
        (r) => `${member(r)}|${r.subjectRef ?? ''}`,
      )
        .filter((g) => g.length >= THRESHOLDS.burst.requests)
        .map((g) => line('BURST', g, at(g, 0).subjectRef)),
      ...groups(
        list.filter((r) => r.outcome === 'denied'),
        member,
      )
        .filter((g) => g.length >= THRESHOLDS.denials.count)
        .map((g) => line('REPEATED_DENIALS', g, null)),
      ...list
        .filter((r) => r.requester.mspId === 'PearlMSP' && !PEARL_PURPOSES.includes(r.purpose))
        .map((r) => line('PURPOSE_MISMATCH', [r], r.subjectRef)),
      ...list.filter((r) => r.supervisory).map((r) => line('SUPERVISORY_ACCESS', [r], r.subjectRef)),
    ].sort();
  }
  const alertLine = (a: Alert): string =>
    `${a.kind}|${a.member.mspId}|${a.member.institution ?? ''}|${a.subjectRef ?? '-'}|${a.evidence.map((e) => e.receiptId).join(',')}`;

  it('alerts: the misuse burst and its denials, Pearl’s purpose mismatches, the supervisory accesses', async () => {
    const alerts = (await service('RegulatorMSP').alerts(REGULATOR, { from: FROM, to: TO, limit: 500 }))
      .items;
    expect(alerts.map(alertLine).sort()).toEqual(expectedAlerts(() => true));
    const burst = alerts.filter((a) => a.kind === 'BURST');
    expect(burst.map((a) => [a.member.institution, a.subjectRef])).toEqual([['JJJ-BUREAU-01', refs[3]]]);
    expect(burst[0]?.evidence.map((e) => e.receiptId)).toEqual(expect.arrayContaining(did.misuse));
    const denials = alerts.filter((a) => a.kind === 'REPEATED_DENIALS');
    expect(denials.map((a) => a.member.institution)).toEqual(['JJJ-BUREAU-01']);
    expect(denials[0]?.evidence.map((e) => e.receiptId)).toEqual(expect.arrayContaining(did.misuse));
    expect(
      alerts
        .filter((a) => a.kind === 'SUPERVISORY_ACCESS')
        .flatMap((a) => a.evidence.map((e) => [e.receiptId, e.caseReference])),
    ).toEqual(did.supervisory.map((id) => [id, CASE]));
    expect(alerts.filter((a) => a.kind === 'PURPOSE_MISMATCH').length).toBeGreaterThan(0);
  });

  it('Pearl sees its own receipts and entries only', async () => {
    const pearl = service('PearlMSP');
    const concerns = (r: LedgerReceipt): boolean =>
      r.requester.mspId === 'PearlMSP' || r.provider?.mspId === 'PearlMSP';
    const seen = await allPages((cursor) => pearl.periodTrail(MEMBER, { limit: 500, ...cursor }));
    expect(sortedKeys(seen)).toEqual(sortedKeys(entries.filter((e) => mspsOf(e).has('PearlMSP'))));
    const seenReceipts = seen.flatMap((e) => (e.receiptId === null ? [] : [e.receiptId]));
    expect(seenReceipts.length).toBeGreaterThan(0);
    for (const id of seenReceipts) {
      const r = receipts.get(id);
      expect(r && concerns(r), id).toBe(true);
    }
    const others = [...receipts.values()].filter((r) => !concerns(r));
    expect(others.length).toBeGreaterThan(50);
    const hidden = new Set(others.map((r) => r.receiptId));
    expect(seenReceipts.filter((id) => hidden.has(id))).toEqual([]);

    const alerts = (await pearl.alerts(MEMBER, { from: FROM, to: TO, limit: 500 })).items;
    expect(alerts.map(alertLine).sort()).toEqual(expectedAlerts(concerns));
    for (const e of alerts.flatMap((a) => a.evidence)) expect(hidden.has(e.receiptId)).toBe(false);

    const usage = await pearl.usage(MEMBER, 'PearlMSP', FROM, TO);
    expect(usage.receiptIds).toEqual(expectedUsage('PearlMSP').receiptIds);
    expect(usage.totals).toEqual(expectedUsage('PearlMSP').totals);
    await expect(pearl.usage(MEMBER, 'YangtzeMSP', FROM, TO)).rejects.toMatchObject({
      code: 'AUDIT_FORBIDDEN',
    });
    await expect(pearl.memberTrail(MEMBER, 'JingJinJiMSP')).rejects.toMatchObject({
      code: 'AUDIT_FORBIDDEN',
    });
    // A report of another organisation that Pearl never asked for: nothing.
    const foreign = reports.find(
      (r) =>
        r.provider.mspId !== 'PearlMSP' &&
        ![...receipts.values()].some((x) => x.reportId === r.reportId && x.requester.mspId === 'PearlMSP'),
    );
    expect(foreign).toBeDefined();
    expect((await pearl.reportTrail(MEMBER, foreign?.reportId ?? '')).items).toEqual([]);
  });

  it('the provenance bundle of the richest trail verifies offline, and not after a one-byte change', async () => {
    const trail = (await service('RegulatorMSP').reportTrail(REGULATOR, did.richReport, { limit: 500 }))
      .items;
    const bundle = await buildProvenanceBundle({
      reportId: did.richReport,
      chaincode: 'credit',
      transactions: trail.map((e) => ({ txId: e.txId, blockNumber: BigInt(e.block) })),
      blocks: store,
    });
    const bytes = serializeProvenanceBundle(bundle);
    const orgs = join(home.dir, 'organizations');
    const roots = await Promise.all(
      [
        join(orgs, 'ordererOrganizations', 'creditchain.example', 'ca', 'ca.creditchain.example-cert.pem'),
        ...PEER_DOMAINS.map((d) => join(orgs, 'peerOrganizations', d, 'ca', `ca.${d}-cert.pem`)),
      ].map((f) => readFile(f, 'utf8')),
    );
    const result = verifyProvenanceBundle(bytes, { roots });
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.reportId).toBe(did.richReport);
    expect(result.transactions.map((t) => t.txId)).toEqual([...bundle.transactions].map((t) => t.txId));
    expect(new Set(result.transactions.map((t) => t.txId))).toEqual(new Set(trail.map((e) => e.txId)));

    // One byte of the last block's bytes, in the middle of the encoded block.
    const last = bundle.blocks.at(-1);
    if (!last) throw new Error('no block');
    const raw = Buffer.from(last.block, 'base64');
    raw[raw.length >> 1] = (raw[raw.length >> 1] ?? 0) ^ 0x01;
    const tampered = serializeProvenanceBundle({
      ...bundle,
      blocks: bundle.blocks.map((b) => (b === last ? { ...b, block: raw.toString('base64') } : b)),
    });
    expect(Buffer.from(tampered).length).toBe(bytes.length);
    const rejected = verifyProvenanceBundle(tampered, { roots });
    expect(rejected.ok).toBe(false);
    expect(rejected.failure?.code).toBeDefined();
  });
});
