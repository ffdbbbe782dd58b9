import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileWallet } from './file-wallet.js';
import { makeIdentity } from './testing/identity.js';
import type { Identity } from './wallet.js';
import { runWalletCompliance } from './wallet.compliance.js';

const fileOf = (dir: string, user: string) => join(dir, `${user}.identity.json`);

runWalletCompliance('FileWallet', async () => {
  const root = await mkdtemp(join(tmpdir(), 'creditchain-wallet-'));
  const dir = join(root, 'wallet');
  return {
    open: (secret: string) => FileWallet.open(dir, secret),
    readRaw: (user: string) => readFile(fileOf(dir, user), 'utf8'),
    writeRaw: (user: string, document: string) => writeFile(fileOf(dir, user), document),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FileWallet', () => {
  let root: string;
  let dir: string;
  let alice: Identity;

  beforeAll(async () => {
    alice = await makeIdentity('YangtzeMSP', 'alice');
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'creditchain-wallet-'));
    dir = join(root, 'wallet');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps one 0600 file per identity in a 0700 directory, and no temporary files', async () => {
    const wallet = await FileWallet.open(dir, 's3cret');
    await wallet.put('alice', alice);
    await wallet.put('alice', alice);
    expect(await readdir(dir)).toEqual(['alice.identity.json']);
    expect((await stat(fileOf(dir, 'alice'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('writes the documented format', async () => {
    const wallet = await FileWallet.open(dir, 's3cret');
    await wallet.put('alice', alice);
    const doc = JSON.parse(await readFile(fileOf(dir, 'alice'), 'utf8')) as Record<string, unknown>;
    expect(doc).toEqual({
      type: 'creditchain.wallet.identity',
      version: 1,
      user: 'alice',
      mspId: alice.mspId,
      certPem: alice.certPem,
      kdf: { name: 'scrypt', N: 32768, r: 8, p: 1, salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/) },
      check: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      cipher: {
        name: 'aes-256-gcm',
        iv: expect.stringMatching(/^[A-Za-z0-9+/]{16}$/),
        tag: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
        ciphertext: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      },
    });
  });

  it('ignores temporary files left by a crash and files of other kinds', async () => {
    const wallet = await FileWallet.open(dir, 's3cret');
    await wallet.put('alice', alice);
    await writeFile(join(dir, '.bob.0123456789abcdef.tmp'), '{"half":');
    await writeFile(join(dir, 'README.txt'), 'not an identity');
    expect((await wallet.list()).map((i) => i.user)).toEqual(['alice']);
  });

  it('reopens with the same secret', async () => {
    await (await FileWallet.open(dir, 's3cret')).put('alice', alice);
    expect(await (await FileWallet.open(dir, 's3cret')).get('alice')).toEqual(alice);
  });
});
