import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsGateway, writeTestDirectory, type TlsGateway } from '../client/testing/tls-gateway.js';
import { VALID_REPORTS } from '../schemas/testing/examples.js';
import { USCC } from '../services/testing/harness.js';
import { runCli, type CliRun } from './testing/run-cli.js';

let gw: TlsGateway;
let dir: string;
let profileDir: string;
let reportFile: string;

beforeAll(async () => {
  gw = await startTlsGateway();
  dir = await mkdtemp(join(tmpdir(), 'cc-cli-'));
  profileDir = join(dir, 'profile');
  await writeTestDirectory(profileDir, gw);
  reportFile = join(dir, 'report.json');
  await writeFile(reportFile, JSON.stringify(VALID_REPORTS.basic));
});
afterAll(async () => {
  await gw.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
  runCli({ profileDir, env, now: () => gw.h.clock.now() }, args);

const ORG = ['--org', 'yangtze'];

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the answer's shape
function json<T>(run: CliRun): T {
  expect(run.err, run.err.join('\n')).toEqual([]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const writes = () => gw.h.ledger.calls.filter((c) => !c.transaction.startsWith('Get')).length;

describe('creditchain report', () => {
  it('submits, lists, reads (to a 0600 file), corrects and erases through the directory', async () => {
    const submitted = await cli([
      'report',
      'submit',
      ...ORG,
      '--category',
      'basic',
      '--uscc',
      USCC,
      '--file',
      reportFile,
    ]);
    expect(submitted.code).toBe(0);
    const reportId = /^report\s+(\S+)$/m.exec(submitted.stdout)?.[1] ?? '';
    expect(reportId).not.toBe('');
    expect(submitted.stdout).toMatch(/^category\s+basic 1\.0$/m);
    expect(submitted.stdout).toMatch(/^committed\s+block \d+, tx \S+$/m);
    expect(submitted.stdout).not.toContain(USCC);

    const list = await cli(['report', 'list', ...ORG]);
    expect(list.out[0]).toMatch(/^REPORT\s+CATEGORY\s+VERSION\s+STATUS\s+CREATED\s+SUBJECT$/);
    expect(list.stdout).toContain(reportId);

    const out = join(dir, 'got.json');
    const got = await cli(['report', 'get', reportId, ...ORG, '--out', out]);
    expect(got.code).toBe(0);
    expect(got.stdout).toContain(`report written to ${out}`);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(VALID_REPORTS.basic);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const again = await cli(['report', 'get', reportId, ...ORG, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toContain('--force');
    const printed = await cli(['report', 'get', reportId, ...ORG]);
    expect(printed.stdout).toContain('"legalRepresentative": "张三"');

    const corrected = json<{ report: { reportId: string; supersedes: string } }>(
      await cli(['report', 'correct', reportId, ...ORG, '--file', reportFile, '--json']),
    );
    expect(corrected.report.supersedes).toBe(reportId);
    const erased = await cli([
      'report',
      'erase',
      corrected.report.reportId,
      ...ORG,
      '--reason',
      'DATA_ERROR',
    ]);
    expect(erased.stdout).toMatch(/^status\s+erased$/m);
  });

  it('refuses bad options before sending anything', async () => {
    const before = writes();
    const cases: [string[], string][] = [
      [
        [
          'report',
          'submit',
          ...ORG,
          '--category',
          'basic',
          '--uscc',
          '91350100M000100Y44',
          '--file',
          reportFile,
        ],
        'CHECK_CHARACTER',
      ],
      [
        ['report', 'submit', ...ORG, '--category', 'Basic!', '--uscc', USCC, '--file', reportFile],
        '--category',
      ],
      [
        ['report', 'submit', ...ORG, '--category', 'basic', '--uscc', USCC, '--file', join(dir, 'none.json')],
        'cannot be read',
      ],
      [
        [
          'report',
          'submit',
          ...ORG,
          '--category',
          'basic',
          '--uscc',
          USCC,
          '--file',
          reportFile,
          '--event-end-date',
          '2025-02-30',
        ],
        '--event-end-date',
      ],
      [
        [
          'report',
          'submit',
          ...ORG,
          '--category',
          'basic',
          '--uscc',
          USCC,
          '--file',
          reportFile,
          '--idempotency-key',
          'a b',
        ],
        '--idempotency-key',
      ],
      [['report', 'erase', 'rpt-1', ...ORG, '--reason', 'because'], 'SUBJECT_REQUEST'],
      [['report', 'list', ...ORG, '--limit', '1000'], '--limit'],
      [['report', 'list', '--category', 'x'], 'unknown option'],
      [['report', 'list'], 'name the gateway'],
      [['report', 'list', '--gateway', gw.url], '--gateway needs --ca'],
      [['report', 'list', '--org', 'pearl'], 'no gateway for "pearl"'],
      [['report', 'list', ...ORG, '--user', 'User9'], 'no user "User9"'],
      [['report', 'list', ...ORG, '--cert', reportFile], '--cert and --cert-key go together'],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.err.join('\n'), args.join(' ')).toContain(message);
      expect(run.out).toEqual([]);
    }
    expect(writes()).toBe(before);
  });

  it('prints the problem code, detail, locations and what to do; exit code 1', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...(VALID_REPORTS.basic as object), establishedOn: 'yesterday' }));
    const run = await cli(['report', 'submit', ...ORG, '--category', 'basic', '--uscc', USCC, '--file', bad]);
    expect(run.code).toBe(1);
    expect(run.err[0]).toMatch(/^creditchain: SCHEMA_VIOLATION \(422\): /);
    expect(run.err).toContain('  $.establishedOn: must be a date (YYYY-MM-DD)');
    expect(run.err.at(-1)).toBe('  what to do: fix the report at the locations listed, then submit it again');
    const missing = await cli(['report', 'get', 'rpt-none', ...ORG]);
    expect(missing.err[0]).toBe('creditchain: REPORT_NOT_FOUND (404): this gateway holds no report rpt-none');
  });

  it('says when a failure is retryable, with the key to retry with; the retry completes', async () => {
    gw.h.ledger.unavailable = true;
    let run: CliRun;
    try {
      run = await cli([
        'report',
        'submit',
        ...ORG,
        '--category',
        'basic',
        '--uscc',
        USCC,
        '--file',
        reportFile,
      ]);
    } finally {
      gw.h.ledger.unavailable = false;
    }
    expect(run.code).toBe(1);
    expect(run.err[0]).toMatch(/^creditchain: LEDGER_UNAVAILABLE \(503\)/);
    const key = /--idempotency-key (\S+)/.exec(run.err.join('\n'))?.[1] ?? '';
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.err.at(-1)).toContain(
      'this may pass later: run the same command again with --idempotency-key',
    );
    const retried = await cli([
      'report',
      'submit',
      ...ORG,
      '--category',
      'basic',
      '--uscc',
      USCC,
      '--file',
      reportFile,
      '--idempotency-key',
      key,
      '--json',
    ]);
    expect(json<{ report: { status: string } }>(retried).report.status).toBe('active');
  });
});

describe('creditchain subject and consent', () => {
  it('generates a key, registers it, signs offline, grants, reads and revokes a consent', async () => {
    const keyFile = join(dir, 'enterprise-key.json');
    const keygen = await cli(['subject', 'keygen', '--out', keyFile]);
    const address = /^address (0x[0-9a-fA-F]{40})$/m.exec(keygen.stdout)?.[1] ?? '';
    expect(address).not.toBe('');
    const keyText = await readFile(keyFile, 'utf8');
    expect(keygen.stdout).not.toContain((JSON.parse(keyText) as { privateKey: string }).privateKey.slice(2));
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

    const registered = json<{ subject: { subjectRef: string; activeSigner: string } }>(
      await cli(['subject', 'register', ...ORG, '--uscc', USCC, '--key', keyFile, '--json']),
    );
    expect(registered.subject.activeSigner).toBe(address);
    const { subjectRef } = registered.subject;
    const lookup = await cli(['subject', 'lookup', ...ORG, '--uscc', USCC]);
    expect(lookup.stdout).toMatch(new RegExp(`^signer\\s+${address}$`, 'm'));

    // Offline: no gateway options at all.
    const consentFile = join(dir, 'consent.json');
    const signed = await cli([
      'consent',
      'sign',
      '--key',
      keyFile,
      '--subject-ref',
      subjectRef,
      '--grantee',
      'YangtzeMSP',
      '--institution',
      'YRD-BANK-01',
      '--categories',
      'basic,business',
      '--purpose',
      'loan_underwriting',
      '--not-after',
      '30d',
      '--max-uses',
      '3',
      '--out',
      consentFile,
    ]);
    expect(signed.code).toBe(0);
    const consentId = /^consent ([0-9a-f]{64})$/m.exec(signed.stdout)?.[1] ?? '';
    const file = JSON.parse(await readFile(consentFile, 'utf8')) as {
      consent: { notAfter: number; notBefore: number; categories: string[] };
    };
    const now = Math.floor(gw.h.clock.now().getTime() / 1000);
    expect(file.consent.notAfter).toBe(now + 30 * 86_400);
    expect(file.consent.notBefore).toBe(now - 60);
    expect(file.consent.categories).toEqual(['basic', 'business']);

    const granted = await cli(['consent', 'grant', ...ORG, '--file', consentFile]);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toMatch(new RegExp(`^consent\\s+${consentId}$`, 'm'));
    expect(granted.stdout).toMatch(/^uses\s+0 of 3$/m);
    const replayed = await cli(['consent', 'grant', ...ORG, '--file', consentFile]);
    // Granting the same file again (its answer lost, say) answers with the recorded consent.
    expect(replayed.stdout).toBe(granted.stdout);

    const got = json<{ status: string }>(await cli(['consent', 'get', consentId, ...ORG, '--json']));
    expect(got.status).toBe('active');
    const revoked = await cli(['consent', 'revoke', consentId, ...ORG, '--key', keyFile]);
    expect(revoked.stdout).toMatch(/^status\s+revoked \(by the subject\)$/m);

    // By USCC: the pseudonym is looked up, and the key must be the registered one.
    const viaUscc = await cli([
      'consent',
      'sign',
      ...ORG,
      '--key',
      keyFile,
      '--uscc',
      USCC,
      '--grantee',
      'YangtzeMSP',
      '--institution',
      'YRD-BANK-01',
      '--categories',
      'basic',
      '--purpose',
      'loan_underwriting',
      '--not-after',
      '2099-01-01',
    ]);
    expect(viaUscc.code).toBe(0);
    expect(JSON.parse(viaUscc.stdout)).toMatchObject({
      type: 'creditchain-consent',
      consent: { subjectRef: `0x${subjectRef}` },
    });
    const otherKey = join(dir, 'other-key.json');
    await cli(['subject', 'keygen', '--out', otherKey]);
    const wrongKey = await cli([
      'consent',
      'sign',
      ...ORG,
      '--key',
      otherKey,
      '--uscc',
      USCC,
      '--grantee',
      'YangtzeMSP',
      '--institution',
      'YRD-BANK-01',
      '--categories',
      'basic',
      '--purpose',
      'loan_underwriting',
      '--not-after',
      '1d',
    ]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err[0]).toContain('is not the enterprise');
  });

  it('refuses bad consent options before signing', async () => {
    const keyFile = join(dir, 'k2.json');
    await cli(['subject', 'keygen', '--out', keyFile]);
    const base = [
      'consent',
      'sign',
      '--key',
      keyFile,
      '--grantee',
      'PearlMSP',
      '--institution',
      'PRD-BANK-01',
      '--purpose',
      'loan_underwriting',
    ];
    const ref = ['--subject-ref', 'a'.repeat(64)];
    const cases: [string[], string][] = [
      [[...base, ...ref, '--categories', 'basic,basic', '--not-after', '30d'], 'twice'],
      [[...base, ...ref, '--categories', 'basic', '--not-after', '30 days'], '--not-after'],
      [[...base, ...ref, '--categories', 'basic', '--not-after', '2020-01-01'], 'later than --not-before'],
      [
        [...base, ...ref, '--categories', 'basic', '--not-after', '1d', '--not-before', '2d'],
        'later than --not-before',
      ],
      [[...base, ...ref, '--categories', 'basic', '--not-after', '1d', '--max-uses', '0'], '--max-uses'],
      [[...base, '--categories', 'basic', '--not-after', '1d'], '--subject-ref <hex> or --uscc'],
      [
        [...base, ...ref, '--uscc', USCC, '--categories', 'basic', '--not-after', '1d'],
        '--subject-ref <hex> or --uscc',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.err.join('\n'), args.join(' ')).toContain(message);
    }
  });
});

describe('creditchain gateway', () => {
  it('lists the directory', async () => {
    const run = await cli(['gateway', 'list']);
    expect(run.out[1]).toMatch(/^ORG\s+MSP\s+URL\s+USERS$/);
    expect(run.out[2]).toMatch(
      new RegExp(
        `^yangtze\\s+YangtzeMSP\\s+${gw.url.replace(/\./g, '\\.')}\\s+User1 \\(member\\), Admin \\(admin\\)$`,
      ),
    );
    const missing = await runCli({ profileDir: join(dir, 'nowhere') }, ['gateway', 'list']);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toContain('npm start');
  });

  it('issues a token as the Admin, which works with --gateway or CREDITCHAIN_TOKEN until revoked', async () => {
    const issued = await cli([
      'gateway',
      'token',
      'issue',
      ...ORG,
      '--user',
      'User1',
      '--role',
      'member',
      '--ttl',
      '1d',
    ]);
    expect(issued.code).toBe(0);
    const token = /^token (cc_\S+)$/m.exec(issued.stdout)?.[1] ?? '';
    const tokenId = /^id (tok_\S+),/m.exec(issued.stdout)?.[1] ?? '';
    expect(token).not.toBe('');
    expect(issued.err.join('\n')).toContain('shown only this once');
    const caFile = join(profileDir, 'gateways', 'yangtze', 'tlsca.pem');
    const remote = ['--gateway', gw.url, '--ca', caFile];
    expect((await cli(['report', 'list', ...remote, '--token', token])).code).toBe(0);
    expect((await cli(['report', 'list', ...remote], { CREDITCHAIN_TOKEN: token })).code).toBe(0);

    const list = await cli(['gateway', 'token', 'list', ...ORG]);
    expect(list.out[0]).toMatch(/^TOKEN ID\s+USER\s+ROLE\s+STATUS\s+CREATED\s+EXPIRES$/);
    expect(list.stdout).toMatch(new RegExp(`^${tokenId}\\s+User1\\s+member\\s+active`, 'm'));
    expect(list.stdout).not.toContain(token.slice(3));

    const revoked = await cli(['gateway', 'token', 'revoke', ...ORG, tokenId]);
    expect(revoked.stdout).toBe(`token ${tokenId} of User1 is revoked`);
    const refused = await cli(['report', 'list', ...remote], { CREDITCHAIN_TOKEN: token });
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/^creditchain: TOKEN_REVOKED \(401\)/);
    expect(refused.err.at(-1)).toContain('creditchain gateway token issue');
  });

  it('refuses token commands for a member, and unknown users', async () => {
    const asMember = await cli(['gateway', 'token', 'list', ...ORG, '--as', 'User1']);
    expect(asMember.err[0]).toMatch(/^creditchain: FORBIDDEN \(403\)/);
    const nobody = await cli(['gateway', 'token', 'issue', ...ORG, '--user', 'Nobody', '--role', 'member']);
    expect(nobody.err[0]).toMatch(/^creditchain: IDENTITY_NOT_FOUND \(403\)/);
    const badTtl = await cli([
      'gateway',
      'token',
      'issue',
      ...ORG,
      '--user',
      'User1',
      '--role',
      'member',
      '--ttl',
      'forever',
    ]);
    expect(badTtl.err[0]).toContain('--ttl must be a duration');
    const longTtl = await cli([
      'gateway',
      'token',
      'issue',
      ...ORG,
      '--user',
      'User1',
      '--role',
      'member',
      '--ttl',
      '367d',
    ]);
    expect(longTtl.err[0]).toBe('creditchain: --ttl must be from 60s to 366d');
  });
});
