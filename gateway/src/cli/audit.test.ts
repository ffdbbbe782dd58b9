import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../audit/model.js';
import { DIRECTORY_VERSION, directoryFile } from '../client/directory.js';
import type { GatewayCliContext } from './context.js';
import {
  auditConnection,
  entryDetails,
  parseBound,
  parsePaging,
  timelineRows,
  trailTarget,
} from './audit.js';
import { runCli } from './testing/run-cli.js';

const USCC = '91350100M000100Y43';
let dir: string;
let profileDir: string;

const ctx = (): GatewayCliContext => ({
  out: () => undefined,
  err: () => undefined,
  profileDir: () => Promise.resolve(profileDir),
  channel: () => Promise.resolve('creditchain'),
  env: {},
  now: () => new Date('2026-03-02T00:00:00Z'),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-audit-cli-'));
  profileDir = join(dir, 'profile');
  await mkdir(join(profileDir, 'gateways'), { recursive: true });
  const user = (name: string, role: string) => ({
    name,
    role,
    certFile: `${name}.pem`,
    keyFile: `${name}.key`,
  });
  await writeFile(
    directoryFile(profileDir),
    JSON.stringify({
      version: DIRECTORY_VERSION,
      profile: 'creditchain',
      gateways: [
        {
          mspId: 'RegulatorMSP',
          org: 'regulator',
          url: 'https://localhost:1',
          tlsCaFile: 'ca.pem',
          configFile: 'c.json',
          users: [user('Admin', 'admin'), user('Regulator1', 'regulator')],
        },
        {
          mspId: 'PearlMSP',
          org: 'pearl',
          url: 'https://localhost:2',
          tlsCaFile: 'ca.pem',
          configFile: 'c.json',
          users: [user('Admin', 'admin'), user('User1', 'member')],
        },
      ],
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('audit command options', () => {
  it('names one trail: a report, a subject, a member (or institution), or a period', () => {
    expect(trailTarget({ report: 'YangtzeMSP:r1' })).toEqual({ kind: 'report', reportId: 'YangtzeMSP:r1' });
    expect(trailTarget({ uscc: ` ${USCC.toLowerCase()} ` })).toEqual({
      kind: 'subject',
      subject: { uscc: USCC },
    });
    expect(trailTarget({ subjectRef: 'a'.repeat(64) })).toEqual({
      kind: 'subject',
      subject: { subjectRef: 'a'.repeat(64) },
    });
    expect(trailTarget({ member: 'PearlMSP', institution: 'PRD-BANK-01' })).toEqual({
      kind: 'member',
      mspId: 'PearlMSP',
      institution: 'PRD-BANK-01',
    });
    expect(trailTarget({ from: '2026-03-01', to: '2026-03-02' })).toEqual({ kind: 'period' });
    const refused = (opts: Parameters<typeof trailTarget>[0], message: RegExp) => {
      expect(() => trailTarget(opts)).toThrow(message);
    };
    refused({ report: 'r1', member: 'PearlMSP' }, /give one of --report/);
    refused({ institution: 'PRD-BANK-01' }, /--institution goes with --member/);
    refused({}, /name a trail/);
    refused({ from: '2026-03-01' }, /name a trail/);
    refused({ uscc: '123' }, /not a valid Unified Social Credit Code/);
    refused({ report: '/etc' }, /--report must be/);
    refused({ member: 'Pearl MSP' }, /--member must be an MSP id/);
  });

  it('pages with --limit and --after, or --all', () => {
    expect(parsePaging({})).toEqual({ all: false });
    expect(parsePaging({ limit: '500', after: 'abc_-9' })).toEqual({
      limit: 500,
      after: 'abc_-9',
      all: false,
    });
    expect(parsePaging({ all: true, limit: '10' })).toEqual({ limit: 10, all: true });
    expect(() => parsePaging({ limit: '501' })).toThrow(/--limit must be an integer from 1 to 500/);
    expect(() => parsePaging({ all: true, after: 'x' })).toThrow(/--after or --all/);
    expect(() => parsePaging({ after: 'a b' })).toThrow(/cursor/);
  });

  it('takes days and UTC instants as period bounds', () => {
    expect(parseBound('2026-02-28', '--from')).toBe('2026-02-28');
    expect(parseBound('2026-02-28T10:00:00.5Z', '--to')).toBe('2026-02-28T10:00:00.5Z');
    for (const bad of ['2026-02-30', '2026-02-28T10:00:00+08:00', '30d', 'yesterday'])
      expect(() => parseBound(bad, '--from'), bad).toThrow(/--from must be a day/);
  });

  it("calls as the organisation's regulator officer by default, else User1", async () => {
    expect(await auditConnection(ctx(), { org: 'regulator' })).toEqual({
      org: 'regulator',
      user: 'Regulator1',
    });
    expect(await auditConnection(ctx(), { org: 'PearlMSP' })).toEqual({ org: 'PearlMSP', user: 'User1' });
    expect(await auditConnection(ctx(), { org: 'regulator', user: 'Admin' })).toEqual({
      org: 'regulator',
      user: 'Admin',
    });
    // With a token or a certificate the directory names no user.
    expect(await auditConnection(ctx(), { org: 'regulator', token: 'cc_x' })).toEqual({
      org: 'regulator',
      token: 'cc_x',
    });
    expect(await auditConnection(ctx(), { gateway: 'https://h:1', ca: 'ca.pem' })).toEqual({
      gateway: 'https://h:1',
      ca: 'ca.pem',
    });
    await expect(auditConnection(ctx(), { org: 'nowhere' })).rejects.toThrow(/no gateway for "nowhere"/);
  });

  it('lays the trail out as a timeline', () => {
    const entry = (over: Partial<AuditEntry>): AuditEntry => ({
      entryId: '1',
      kind: 'SUBMITTED',
      txId: 'f'.repeat(64),
      block: 6,
      txIndex: 1,
      time: '2026-03-02T10:11:12.123456789Z',
      actor: { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01', id: 'x509::...' },
      parties: [{ mspId: 'YangtzeMSP', institution: 'YRD-BANK-01', role: 'provider' }],
      reportId: 'YangtzeMSP:r1',
      subjectRef: 'a'.repeat(64),
      category: 'business',
      receiptId: null,
      requestId: null,
      consentId: null,
      relatedReportId: null,
      purpose: null,
      reason: null,
      supervisory: false,
      ...over,
    });
    const delivered = entry({
      kind: 'DELIVERED',
      receiptId: 'e'.repeat(64),
      parties: [
        { mspId: 'YangtzeMSP', institution: 'YRD-BANK-01', role: 'provider' },
        { mspId: 'PearlMSP', institution: 'PRD-BANK-01', role: 'requester' },
      ],
    });
    expect(timelineRows([entry({}), delivered], true)).toEqual([
      ['TIME (UTC)', 'BLOCK', 'TX', 'KIND', 'ACTOR', 'DETAILS'],
      [
        '2026-03-02 10:11:12',
        '6:1',
        'ffffffffffff…',
        'SUBMITTED',
        'YangtzeMSP/YRD-BANK-01',
        'report YangtzeMSP:r1, category business',
      ],
      [
        '2026-03-02 10:11:12',
        '6:1',
        'ffffffffffff…',
        'DELIVERED',
        'YangtzeMSP/YRD-BANK-01',
        'report YangtzeMSP:r1, to PearlMSP/PRD-BANK-01, receipt eeeeeeeeeeee…',
      ],
    ]);
    expect(
      entryDetails(
        entry({
          kind: 'ACCESS_DENIED',
          purpose: 'loan_underwriting',
          reason: 'CONSENT_EXHAUSTED',
          supervisory: true,
        }),
        false,
      ),
    ).toBe('purpose loan_underwriting, reason CONSENT_EXHAUSTED, supervisory');
    expect(entryDetails(entry({ kind: 'SUPERSEDED', relatedReportId: 'YangtzeMSP:r2' }), false)).toBe(
      'by YangtzeMSP:r2',
    );
  });

  it('refuses malformed options before reaching a gateway', async () => {
    const run = (...args: string[]) => runCli({ profileDir }, ['audit', ...args, '--org', 'regulator']);
    const refused = async (args: string[], message: RegExp) => {
      const r = await run(...args);
      expect(r.code).toBe(1);
      expect(r.err[0]).toMatch(message);
    };
    await refused(['trail'], /name a trail/);
    await refused(['trail', '--report', 'YangtzeMSP:r1', '--uscc', USCC], /give one of/);
    await refused(['trail', '--report', 'YangtzeMSP:r1', '--from', 'yesterday'], /--from must be a day/);
    await refused(
      ['usage', '--member', 'PearlMSP', '--from', '2026-03-01', '--to', '2026-04-01', '--format', 'xml'],
      /--format must be csv or json/,
    );
    await refused(
      ['usage', '--member', 'PearlMSP', '--from', '2026-3-1', '--to', '2026-04-01'],
      /--from must be a day/,
    );
    await refused(
      ['alerts', '--from', '2026-03-01', '--to', '2026-04-01', '--kind', 'NOISE'],
      /--kind must be one of BURST/,
    );
    await refused(['bundle', '../x', '--out', join(dir, 'b.json')], /reportId must be/);
    const missing = await run('bundle', 'YangtzeMSP:r1');
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toMatch(/required option '--out <file>'/);
  });
});
