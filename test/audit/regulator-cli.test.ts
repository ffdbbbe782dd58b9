/**
 * The regulator's CLI (`creditchain audit ...`) against the default consortium with its gateways
 * running as processes from `dist/` (`npm run build` first): Yangtze submits a report about an
 * enterprise, the enterprise consents, Pearl retrieves the report once and is denied a second time,
 * all through the member CLI run in-process. Then, as Regulator1 at the regulator's gateway: the
 * report's trail shows the submission, the granted receipt and the delivery; Pearl's usage
 * statement (CSV) totals the receipts the trail shows; the report's provenance bundle downloads and
 * `creditchain proof verify` accepts it with the consortium's root CA files from the network's home
 * (and refuses it once one byte is flipped). Pearl's member gets the bundle of the report it
 * retrieved, and `404 REPORT_NOT_FOUND` for a report it never touched.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../gateway/src/audit/model.js';
import { registerProof } from '../../gateway/src/cli/proof.js';
import { runCli, type CliRun } from '../../gateway/src/cli/testing/run-cli.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const USCC = '91350100M000100Y43';
const PEER_DOMAINS = [
  'yangtze.creditchain.example',
  'pearl.creditchain.example',
  'jingjinji.creditchain.example',
  'regulator.creditchain.example',
];
const ORDERER_DOMAIN = 'creditchain.example';
const REPORT = {
  periodStart: '2025-01-01',
  periodEnd: '2025-12-31',
  revenue: { amount: '52000000.00', currency: 'CNY' },
  netProfit: { amount: '3100000.00', currency: 'CNY' },
  taxCreditRating: 'B',
  employees: 120,
  source: 'audited_statement',
};
/** How long the read models may take to index the last block. */
const CATCH_UP_MS = 60_000;

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('the regulator audit CLI on the default consortium', () => {
  let base: string;
  let work: string;
  let home: ProfileHome;
  let session: NetworkSession | undefined;
  let reportId: string;
  let untouchedId: string;
  let rootFiles: string[];

  const cli = (...args: string[]): Promise<CliRun> => runCli({ profileDir: home.dir }, args);
  const ok = (run: CliRun): CliRun => {
    expect(run.err, run.err.join('\n')).toEqual([]);
    expect(run.code).toBe(0);
    return run;
  };
  const file = (name: string) => join(work, name);
  const field = (run: CliRun, name: string): string =>
    new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(run.stdout)?.[1] ?? '';

  const verify = async (bundle: string): Promise<{ code: number; out: string[] }> => {
    const out: string[] = [];
    let code = -1;
    const program = new Command('creditchain').exitOverride();
    registerProof(program, {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      setExitCode: (c) => (code = c),
    });
    await program.parseAsync(['proof', 'verify', bundle, '--roots', ...rootFiles], { from: 'user' });
    return { code, out };
  };

  /** Polls `audit status` at `org`'s gateway (bounded) until its read model has indexed `block`. */
  const caughtUp = async (org: string, block: number): Promise<void> => {
    const deadline = Date.now() + CATCH_UP_MS;
    let last = '';
    for (;;) {
      const run = await cli('audit', 'status', '--org', org, '--json');
      last = run.stdout || run.err.join('\n');
      if (run.code === 0) {
        const status = JSON.parse(run.stdout) as { nextBlock: number; alarm: unknown };
        expect(status.alarm).toBeNull();
        if (status.nextBlock > block) return;
      }
      if (Date.now() > deadline)
        throw new Error(`the read model of ${org} did not index block ${block} in time: ${last}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-regulator-cli-'));
    work = join(base, 'work');
    await mkdir(work, { recursive: true });
    home = profileHome(join(base, 'net'), 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
      gateways: true,
    });
    const orgs = join(home.dir, 'organizations');
    rootFiles = [
      join(orgs, 'ordererOrganizations', ORDERER_DOMAIN, 'ca', `ca.${ORDERER_DOMAIN}-cert.pem`),
      ...PEER_DOMAINS.map((d) => join(orgs, 'peerOrganizations', d, 'ca', `ca.${d}-cert.pem`)),
    ];
    await writeFile(file('report.json'), JSON.stringify(REPORT));

    // Members at work, through the member CLI.
    ok(await cli('subject', 'keygen', '--out', file('enterprise.json')));
    const register = ok(
      await cli('subject', 'register', '--org', 'yangtze', '--uscc', USCC, '--key', file('enterprise.json')),
    );
    const subjectRef = field(register, 'subjectRef');
    const submit = (key: string) =>
      cli(
        'report',
        'submit',
        '--org',
        'yangtze',
        '--category',
        'business',
        '--uscc',
        USCC,
        '--file',
        file('report.json'),
        '--idempotency-key',
        key,
        '--json',
      );
    reportId = (JSON.parse(ok(await submit('regulator-cli-1')).stdout) as { report: { reportId: string } })
      .report.reportId;
    ok(
      await cli(
        'consent',
        'sign',
        '--key',
        file('enterprise.json'),
        '--subject-ref',
        subjectRef,
        '--grantee',
        'PearlMSP',
        '--institution',
        'PRD-BANK-01',
        '--categories',
        'business',
        '--purpose',
        'loan_underwriting',
        '--not-after',
        '30d',
        '--out',
        file('consent.json'),
      ),
    );
    const consentId = field(
      ok(await cli('consent', 'grant', '--org', 'pearl', '--file', file('consent.json'))),
      'consent',
    );
    const retrieve = () =>
      cli(
        'report',
        'retrieve',
        reportId,
        '--org',
        'pearl',
        '--consent',
        consentId,
        '--purpose',
        'loan_underwriting',
      );
    ok(await retrieve());
    const denied = await retrieve();
    expect(denied.err[0]).toMatch(/^creditchain: ACCESS_DENIED \(403\)/);
    // A report Pearl never touches; its commit is the last block of the activity.
    const last = JSON.parse(ok(await submit('regulator-cli-2')).stdout) as {
      block: number;
      report: { reportId: string };
    };
    untouchedId = last.report.reportId;
    await caughtUp('regulator', last.block);
    await caughtUp('pearl', last.block);
  }, 300_000);

  afterAll(async () => {
    await session?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('calls as the regulator officer and shows the read model following the ledger', async () => {
    const status = ok(await cli('audit', 'status', '--org', 'regulator'));
    expect(status.stdout).toMatch(/^listener\s+following$/m);
    expect(status.stdout).toMatch(/^alarm\s+none$/m);
    expect(status.stdout).toMatch(/^receipts\s+2$/m); // regulators see every count
  });

  it("shows the report's trail: submission, receipt granted, delivery (and the denial)", async () => {
    const table = ok(await cli('audit', 'trail', '--org', 'regulator', '--report', reportId));
    expect(table.out[0]).toMatch(/^TIME \(UTC\)\s+BLOCK\s+TX\s+KIND\s+ACTOR\s+DETAILS$/);
    expect(table.stdout).toMatch(/SUBMITTED\s+YangtzeMSP\/YRD-BANK-01\s+category business/);
    expect(table.stdout).toMatch(/ACCESS_GRANTED\s+PearlMSP\/PRD-BANK-01\s+purpose loan_underwriting/);
    expect(table.stdout).toMatch(/DELIVERED\s+YangtzeMSP\/YRD-BANK-01\s+to PearlMSP\/PRD-BANK-01/);
    expect(table.stdout).toMatch(/ACCESS_DENIED\s+PearlMSP\/PRD-BANK-01\s+.*reason CONSENT_EXHAUSTED/);
    expect(table.stdout).toMatch(/^read model: blocks below \d+ indexed$/m);

    // One entry a page, every page: the same entries.
    const all = JSON.parse(
      ok(
        await cli(
          'audit',
          'trail',
          '--org',
          'regulator',
          '--report',
          reportId,
          '--limit',
          '1',
          '--all',
          '--json',
        ),
      ).stdout,
    ) as { items: AuditEntry[]; next: string | null };
    expect(all.items.map((e) => e.kind)).toEqual([
      'SUBMITTED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
    ]);
    expect(all.next).toBeNull();
    const first = ok(await cli('audit', 'trail', '--org', 'regulator', '--report', reportId, '--limit', '1'));
    expect(first.stdout).toMatch(/^more: --after \S+$/m);

    // By USCC (sent in a request body): the subject's pseudonym, never the USCC.
    const bySubject = ok(await cli('audit', 'trail', '--org', 'regulator', '--uscc', USCC));
    expect(bySubject.out[0]).toMatch(/^subject [0-9a-f]{64}$/);
    expect(bySubject.stdout).not.toContain(USCC);
    expect(bySubject.stdout).toContain('CONSENT_RECORDED');
  });

  it("totals Pearl's usage statement (CSV) as the receipts of the trail", async () => {
    const trail = JSON.parse(
      ok(await cli('audit', 'trail', '--org', 'regulator', '--member', 'PearlMSP', '--all', '--json')).stdout,
    ) as { items: AuditEntry[] };
    const receipts = trail.items.filter((e) => e.kind === 'ACCESS_GRANTED' || e.kind === 'ACCESS_DENIED');
    const delivered = trail.items.filter((e) => e.kind === 'DELIVERED');

    const out = file('usage.csv');
    ok(
      await cli(
        'audit',
        'usage',
        '--org',
        'regulator',
        '--member',
        'PearlMSP',
        '--from',
        day(-1),
        '--to',
        day(2),
        '--format',
        'csv',
        '--out',
        out,
      ),
    );
    const [header, ...rows] = (await readFile(out, 'utf8'))
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(','));
    const col = (name: string) => header?.indexOf(name) ?? -1;
    const total = rows.find((r) => r[col('role')] === 'requester' && r[col('counterparty')] === 'TOTAL');
    expect(total?.slice(col('receipts'), col('supervisory') + 1)).toEqual([
      String(receipts.length),
      String(receipts.filter((e) => e.kind === 'ACCESS_GRANTED').length),
      String(receipts.filter((e) => e.kind === 'ACCESS_DENIED').length),
      String(delivered.length),
      '0',
    ]);
    expect(receipts).toHaveLength(2);

    const table = ok(
      await cli(
        'audit',
        'usage',
        '--org',
        'regulator',
        '--member',
        'PearlMSP',
        '--from',
        day(-1),
        '--to',
        day(2),
      ),
    );
    expect(table.stdout).toMatch(/^requester\s+TOTAL\s+2\s+1\s+1\s+1\s+0$/m);
  });

  it('downloads the provenance bundle, which proof verify accepts, and refuses once one byte is flipped', async () => {
    const out = file('bundle.json');
    const run = ok(await cli('audit', 'bundle', reportId, '--org', 'regulator', '--out', out));
    expect(run.out[0]).toMatch(
      new RegExp(`^provenance of report ${reportId} on channel creditchain: 4 transactions in \\d+ blocks`),
    );
    const valid = await verify(out);
    expect(valid.out.join('\n')).toMatch(/VALID provenance of report .* 4 transactions/);
    expect(valid.code).toBe(0);

    const bytes = await readFile(out);
    const at = bytes.indexOf('"blocks"') + 40; // inside the first block's base64
    bytes[at] = (bytes[at] ?? 0) === 0x41 ? 0x42 : 0x41;
    const tampered = file('tampered.json');
    await writeFile(tampered, bytes);
    const invalid = await verify(tampered);
    expect(invalid.out[0]).toMatch(/INVALID: [A-Z_]+/);
    expect(invalid.code).toBe(1);
  });

  it("gives Pearl's member the bundle of the report it retrieved, not of one it never touched", async () => {
    const own = ok(await cli('audit', 'bundle', reportId, '--org', 'pearl', '--out', file('pearl.json')));
    expect(own.out[0]).toMatch(/: 3 transactions in/); // its grant, its delivery, its denial
    expect((await verify(file('pearl.json'))).code).toBe(0);

    const other = await cli('audit', 'bundle', untouchedId, '--org', 'pearl', '--out', file('other.json'));
    expect(other.code).toBe(1);
    expect(other.err[0]).toMatch(/^creditchain: REPORT_NOT_FOUND \(404\)/);
  });
});
