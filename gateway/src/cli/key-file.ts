/**
 * The enterprise's consent-signing key file written by `creditchain subject keygen`:
 *
 * ```json
 * { "type": "creditchain-subject-key", "version": 1, "address": "0x…", "privateKey": "0x…" }
 * ```
 *
 * The private key is in clear, so the file is created owner-only (0600) and refused, like an SSH
 * key, when other users may read it. The address is checked against the key on every read.
 *
 * @packageDocumentation
 */
import { stat } from 'node:fs/promises';
import { Wallet } from 'ethers';
import { generateSubjectSigningKey, type SubjectSigningKey } from '../crypto/eip712-consent.js';
import { CliError } from './errors.js';
import { readJsonFile, writePrivateFile } from './files.js';

/** The `type` member of a key file. */
export const KEY_FILE_TYPE = 'creditchain-subject-key';
/** The current key file version. */
export const KEY_FILE_VERSION = 1;

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * Generates a consent-signing key and writes it to `file` (0600).
 *
 * @returns the key's address (the private key stays in the file)
 * @throws CliError `FILE_EXISTS` (unless `force`), `FILE_INVALID`
 */
export async function createKeyFile(
  file: string,
  options: { readonly force?: boolean } = {},
): Promise<string> {
  const key = generateSubjectSigningKey();
  const body = {
    type: KEY_FILE_TYPE,
    version: KEY_FILE_VERSION,
    address: key.address,
    privateKey: key.privateKey,
  };
  await writePrivateFile(file, `${JSON.stringify(body, null, 2)}\n`, options);
  return key.address;
}

/**
 * Reads a key file, refusing one that other users may read.
 *
 * @throws CliError `KEY_FILE_INSECURE` (group or other permission bits set), `FILE_INVALID` (missing,
 *   malformed, or the address does not belong to the key)
 */
export async function readKeyFile(file: string): Promise<SubjectSigningKey> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (cause) {
    throw new CliError('FILE_INVALID', `the key file ${file} cannot be read`, { cause });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new CliError(
      'KEY_FILE_INSECURE',
      `the key file ${file} may be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')})`,
      { hint: `restrict it to its owner: chmod 600 ${file}` },
    );
  const raw = await readJsonFile(file, 'the key file');
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (o.type !== KEY_FILE_TYPE || o.version !== KEY_FILE_VERSION)
    throw new CliError(
      'FILE_INVALID',
      `${file} is not a creditchain subject key file (type ${KEY_FILE_TYPE}, version ${KEY_FILE_VERSION})`,
      { hint: 'create one with creditchain subject keygen' },
    );
  if (typeof o.privateKey !== 'string' || !PRIVATE_KEY.test(o.privateKey))
    throw new CliError('FILE_INVALID', `the private key in ${file} is not 0x and 64 hex characters`);
  let address: string;
  try {
    address = new Wallet(o.privateKey).address;
  } catch (cause) {
    throw new CliError('FILE_INVALID', `the private key in ${file} is not a secp256k1 key`, { cause });
  }
  if (typeof o.address !== 'string' || o.address.toLowerCase() !== address.toLowerCase())
    throw new CliError('FILE_INVALID', `the address in ${file} does not belong to its private key`);
  return { address, privateKey: o.privateKey };
}
