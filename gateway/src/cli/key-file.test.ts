import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { createKeyFile, KEY_FILE_TYPE, readKeyFile } from './key-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-keyfile-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a failure');
}

describe.skipIf(process.platform === 'win32')('subject key files', () => {
  it('are created owner-only, hold a key matching their address, and read back', async () => {
    const file = join(dir, 'key.json');
    const address = await createKeyFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const body = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(body).toEqual({
      type: KEY_FILE_TYPE,
      version: 1,
      address,
      privateKey: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(new Wallet(body.privateKey ?? '').address).toBe(address);
    expect(await readKeyFile(file)).toEqual({ address, privateKey: body.privateKey });
  });

  it('are never overwritten unless forced; a forced one is replaced owner-only', async () => {
    const file = join(dir, 'key.json');
    const first = await createKeyFile(file);
    const err = await failure(createKeyFile(file));
    expect(err.code).toBe('FILE_EXISTS');
    expect(err.hint).toContain('--force');
    expect((await readKeyFile(file)).address).toBe(first);
    await chmod(file, 0o644);
    const second = await createKeyFile(file, { force: true });
    expect(second).not.toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('are refused when group or others may read or write them', async () => {
    const file = join(dir, 'key.json');
    await createKeyFile(file);
    for (const mode of [0o640, 0o604, 0o620, 0o666]) {
      await chmod(file, mode);
      const err = await failure(readKeyFile(file));
      expect(err.code).toBe('KEY_FILE_INSECURE');
      expect(err.message).toContain(`0${mode.toString(8)}`);
      expect(err.hint).toBe(`restrict it to its owner: chmod 600 ${file}`);
    }
    await chmod(file, 0o400);
    await expect(readKeyFile(file)).resolves.toBeDefined();
  });

  it('are refused when missing, malformed, or when the address is not the key’s', async () => {
    expect((await failure(readKeyFile(join(dir, 'none.json')))).code).toBe('FILE_INVALID');
    const file = join(dir, 'key.json');
    const write = async (body: unknown) => {
      await rm(file, { force: true });
      await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body), { mode: 0o600 });
    };
    const other = Wallet.createRandom();
    const good = { type: KEY_FILE_TYPE, version: 1, address: other.address, privateKey: other.privateKey };
    const cases: [unknown, string][] = [
      ['not json', 'not JSON'],
      [{ ...good, type: 'ethereum' }, 'not a creditchain subject key file'],
      [{ ...good, version: 2 }, 'not a creditchain subject key file'],
      [{ ...good, privateKey: '0x1234' }, '64 hex'],
      [{ ...good, privateKey: `0x${'0'.repeat(64)}` }, 'not a secp256k1 key'],
      [{ ...good, address: Wallet.createRandom().address }, 'does not belong'],
    ];
    for (const [body, message] of cases) {
      await write(body);
      const err = await failure(readKeyFile(file));
      expect(err.code, message).toBe('FILE_INVALID');
      expect(err.message).toContain(message);
      expect(err.message).not.toContain(other.privateKey.slice(2));
    }
    await write(good);
    expect((await readKeyFile(file)).address).toBe(other.address);
  });
});
