import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ccaasPackage, packageLabel } from './ccaas-package.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'creditchain-ccaas-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tar = (...args: string[]): string => execFileSync('tar', args, { cwd: dir, encoding: 'utf8' });

describe('ccaasPackage', () => {
  it("has Fabric's layout: metadata.json and code.tar.gz holding connection.json, regular files only", async () => {
    const pkg = ccaasPackage({ name: 'credit', version: '0.1.0', address: '{{.peername}}_credit:9999' });
    await writeFile(join(dir, 'credit.tar.gz'), pkg.bytes);
    expect(tar('-tzf', 'credit.tar.gz').trim().split('\n')).toEqual(['metadata.json', 'code.tar.gz']);
    expect(
      tar('-tvzf', 'credit.tar.gz')
        .trim()
        .split('\n')
        .every((l) => l.startsWith('-')),
    ).toBe(true);
    tar('-xzf', 'credit.tar.gz');
    expect(JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'))).toEqual({
      type: 'ccaas',
      label: 'credit_0.1.0',
    });
    expect(tar('-tzf', 'code.tar.gz').trim()).toBe('connection.json');
    tar('-xzf', 'code.tar.gz');
    expect(JSON.parse(await readFile(join(dir, 'connection.json'), 'utf8'))).toEqual({
      address: '{{.peername}}_credit:9999',
      dial_timeout: '10s',
      tls_required: false,
    });
  });

  it('ids the package as <label>:<sha256 of its bytes>, reproducibly', () => {
    const spec = { name: 'credit', version: '1.0', address: 'cc:9999' };
    const a = ccaasPackage(spec);
    expect(a.packageId).toBe(`credit_1.0:${createHash('sha256').update(a.bytes).digest('hex')}`);
    expect(ccaasPackage(spec).packageId).toBe(a.packageId);
    expect(ccaasPackage({ ...spec, address: 'other:9999' }).packageId).not.toBe(a.packageId);
  });

  it('accepts the labels Fabric accepts and refuses the others with what to do', () => {
    expect(packageLabel('credit', '0.1.0')).toBe('credit_0.1.0');
    expect(packageLabel('my-cc', '2.0+build.1')).toBe('my-cc_2.0+build.1');
    expect(() => packageLabel('credit', '1..0')).toThrow(/not valid for Fabric/);
    expect(() => packageLabel('credit', '-1')).toThrow(
      expect.objectContaining({ code: 'BAD_LABEL' }) as Error,
    );
  });
});
