import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VaultError } from './errors.js';
import { LevelVault } from './level-vault.js';
import { runVaultCompliance, sampleReport } from './vault.compliance.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'creditchain-vault-'));
}

runVaultCompliance('LevelVault', async () => {
  const dir = await tempDir();
  return {
    open: () => LevelVault.open(join(dir, 'db')),
    durable: true,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('LevelVault', () => {
  let dir: string;
  let db: string;

  beforeEach(async () => {
    dir = await tempDir();
    db = join(dir, 'db');
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens the raw database of a closed vault. */
  async function raw<T>(work: (level: ClassicLevel) => Promise<T>): Promise<T> {
    const level = new ClassicLevel<string, string>(db, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await level.open();
    try {
      return await work(level);
    } finally {
      await level.close();
    }
  }

  /** Whether any file under the database directory contains `needle`. */
  async function onDisk(needle: string): Promise<boolean> {
    for (const name of await readdir(db)) {
      if ((await readFile(join(db, name))).includes(needle)) return true;
    }
    return false;
  }

  it('writes every batch with sync: true', async () => {
    const batch = vi.spyOn(ClassicLevel.prototype, 'batch');
    const vault = await LevelVault.open(db);
    await vault.putReport(sampleReport('rep-1'));
    await vault.eraseReport('rep-1', { erasedAt: '2024-05-01T09:00:00.000Z', reason: 'SUBJECT_REQUEST' });
    await vault.putIdempotency({
      key: 'k-1',
      requestHash: 'f'.repeat(64),
      response: 1,
      createdAt: '2024-05-01T09:00:00.000Z',
    });
    await vault.close();
    expect(batch.mock.calls.length).toBeGreaterThanOrEqual(4);
    for (const call of batch.mock.calls as unknown[][]) expect(call[1]).toMatchObject({ sync: true });
  });

  it('stores values in the documented JSON format', async () => {
    const vault = await LevelVault.open(db);
    const report = sampleReport('rep-1');
    await vault.putReport(report);
    await vault.putIdempotency({
      key: 'k-1',
      requestHash: 'f'.repeat(64),
      response: { a: [1] },
      createdAt: report.createdAt,
    });
    await vault.close();
    const entries = await raw((level) => level.iterator().all());
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const nul = '\u0000';
    expect(Object.fromEntries(entries)).toEqual({
      '!format!version': '1',
      '!reports!rep-1': JSON.stringify({
        v: 1,
        reportId: 'rep-1',
        subjectRef: report.subjectRef,
        category: report.category,
        schemaVersion: report.schemaVersion,
        createdAt: report.createdAt,
        status: 'active',
      }),
      '!payloads!rep-1': JSON.stringify({
        v: 1,
        ciphertext: b64(report.ciphertext),
        salt: b64(report.salt),
        wrappedKey: {
          keyId: report.wrappedKey.keyId,
          enc: b64(report.wrappedKey.enc),
          ciphertext: b64(report.wrappedKey.ciphertext),
        },
      }),
      [`!by-time!${report.createdAt}${nul}rep-1`]: '',
      [`!by-subject!${report.subjectRef}${nul}${report.createdAt}${nul}rep-1`]: '',
      '!idempotency!k-1': JSON.stringify({
        v: 1,
        key: 'k-1',
        requestHash: 'f'.repeat(64),
        response: { a: [1] },
        createdAt: report.createdAt,
      }),
    });
  });

  it.each([
    ['still in the write-ahead log', 0, false],
    ['already in a table after a reopen', 0, true],
    ['among many other reports', 400, true],
  ])(
    'leaves no copy of erased contents in the database files (contents %s)',
    async (_when, extra, reopen) => {
      let vault = await LevelVault.open(db);
      const report = sampleReport('rep-1', { ciphertext: Uint8Array.from(randomBytes(4096)) });
      const other = sampleReport('rep-2');
      await vault.putReport(report);
      await vault.putReport(other);
      for (let i = 0; i < extra; i++) await vault.putReport(sampleReport(`more-${i}`));
      if (reopen) {
        await vault.close();
        vault = await LevelVault.open(db);
      }
      const needles = [report.ciphertext, report.salt, report.wrappedKey.ciphertext].map((b) =>
        Buffer.from(b).toString('base64').slice(8, 40),
      );
      for (const needle of needles) expect(await onDisk(needle)).toBe(true);

      await vault.eraseReport('rep-1', { erasedAt: '2024-05-02T00:00:00.000Z', reason: 'SUBJECT_REQUEST' });
      for (const needle of needles) expect(await onDisk(needle)).toBe(false);
      await vault.close();
      for (const needle of needles) expect(await onDisk(needle)).toBe(false);

      const reopened = await LevelVault.open(db);
      expect(await reopened.getReport('rep-2')).toEqual(other);
      expect((await reopened.listReports({ limit: 1000 })).items).toHaveLength(2 + extra);
      await reopened.close();
    },
  );

  it('reports a damaged value as VAULT_CORRUPT', async () => {
    const vault = await LevelVault.open(db);
    await vault.putReport(sampleReport('rep-1'));
    await vault.putIdempotency({
      key: 'k-1',
      requestHash: 'f'.repeat(64),
      response: 1,
      createdAt: '2024-05-01T09:00:00.000Z',
    });
    await vault.close();
    await raw(async (level) => {
      await level.put('!payloads!rep-1', '{"v":1,"ciphertext":"!!!"}');
      await level.put('!idempotency!k-1', 'not json');
    });
    const reopened = await LevelVault.open(db);
    const failures = await Promise.allSettled([
      reopened.getReport('rep-1'),
      reopened.getIdempotency('k-1', 'f'.repeat(64)),
    ]);
    expect(failures.map((f) => (f.status === 'rejected' ? (f.reason as VaultError).code : f.status))).toEqual(
      ['VAULT_CORRUPT', 'VAULT_CORRUPT'],
    );
    await reopened.close();
  });

  it('reports contents missing for an active report as VAULT_CORRUPT', async () => {
    const vault = await LevelVault.open(db);
    await vault.putReport(sampleReport('rep-1'));
    await vault.close();
    await raw((level) => level.del('!payloads!rep-1'));
    const reopened = await LevelVault.open(db);
    await expect(reopened.getReport('rep-1')).rejects.toMatchObject({
      name: 'VaultError',
      code: 'VAULT_CORRUPT',
    });
    expect((await reopened.listReports({ limit: 5 })).items).toHaveLength(1);
    await reopened.close();
  });

  it('refuses a directory held by another vault with VAULT_OPEN_FAILED', async () => {
    const first = await LevelVault.open(db);
    await expect(LevelVault.open(db)).rejects.toMatchObject({
      name: 'VaultError',
      code: 'VAULT_OPEN_FAILED',
    });
    await first.close();
  });

  it('refuses an unknown format version with VAULT_OPEN_FAILED', async () => {
    await (await LevelVault.open(db)).close();
    await raw((level) => level.put('!format!version', '2'));
    await expect(LevelVault.open(db)).rejects.toMatchObject({
      name: 'VaultError',
      code: 'VAULT_OPEN_FAILED',
    });
    // the failed open released the directory
    expect(await raw((level) => level.get('!format!version'))).toBe('2');
  });
});
