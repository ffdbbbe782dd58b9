import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportError } from './errors.js';
import { tarGz, ustar } from './tar.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'creditchain-tar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tar = (...args: string[]): string => execFileSync('tar', args, { cwd: dir, encoding: 'utf8' });

describe('ustar', () => {
  it('writes archives the system tar lists and extracts byte for byte', async () => {
    const long = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(90)}.txt`;
    const entries = [
      { name: 'metadata.json', data: Buffer.from('{"type":"ccaas"}\n') },
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'dir/exactly-512', data: Buffer.alloc(512, 7) },
      { name: long, data: Buffer.alloc(1300, 'x'), mode: 0o600 },
    ];
    await writeFile(join(dir, 'a.tar.gz'), tarGz(entries));
    const listing = tar('-tvzf', 'a.tar.gz').trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).slice(5).join(' '))).toEqual(entries.map((e) => e.name));
    expect(listing.map((l) => l.split(/\s+/)[2])).toEqual(['17', '0', '512', '1300']);
    expect(listing[0]).toMatch(/^-rw-r--r-- root\/root/);
    expect(listing[3]).toMatch(/^-rw------- /);
    tar('-xzf', 'a.tar.gz');
    for (const e of entries)
      expect(Buffer.compare(await readFile(join(dir, e.name)), Buffer.from(e.data))).toBe(0);
  });

  it('is reproducible and ends with two zero blocks', () => {
    const entries = [{ name: 'x', data: Buffer.from('1') }];
    expect(tarGz(entries).equals(tarGz(entries))).toBe(true);
    expect([...tarGz(entries).subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
    const raw = ustar(entries);
    expect(raw.length).toBe(512 * 4);
    expect(raw.subarray(1024).every((b) => b === 0)).toBe(true);
    expect(raw.subarray(257, 265).toString('latin1')).toBe('ustar\x0000');
  });

  it.each([
    ['/etc/passwd', 'not a relative file name'],
    ['a/../b', '".." path part'],
    ['a//b', 'empty'],
    ['tab\there', 'control character'],
    ['x'.repeat(101), 'longer than ustar allows'],
  ])('refuses the name %j', (name, reason) => {
    let caught: unknown;
    try {
      ustar([{ name, data: new Uint8Array(1) }]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExportError);
    expect(caught).toMatchObject({ code: 'TAR_ENTRY', message: expect.stringContaining(reason) as string });
  });

  it('refuses duplicate names', () => {
    const e = { name: 'a', data: new Uint8Array(0) };
    expect(() => ustar([e, e])).toThrow(/appears twice/);
  });
});
