/**
 * Organisation HPKE key pairs for payload encryption between member gateways. The private key stays
 * on disk (PKCS#8 PEM, mode 0600) under `keys/<MSP>/`; the public key is what `PublishOrgKey` puts on
 * the ledger (raw X25519 key, or uncompressed P-256 point, in base64).
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HpkeSuite } from './profile-file.js';
import { writeFileAtomic } from './state.js';

/** A key pair of an organisation, as stored. */
export interface OrgKey {
  readonly mspId: string;
  /** `<x25519|p256>-<first 16 hex digits of SHA-256 of the public key>`. */
  readonly keyId: string;
  readonly suite: HpkeSuite;
  /** base64 of the public key as the chaincode expects it. */
  readonly publicKey: string;
  readonly createdAt: string;
  /** PKCS#8 PEM file of the private key (mode 0600). */
  readonly privateKeyFile: string;
}

function rawPublicKey(key: KeyObject, suite: HpkeSuite): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (suite.startsWith('DHKEM(X25519')) return Buffer.from(jwk.x ?? '', 'base64url');
  return Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}

/** The keys of `mspId` stored under `keysDir`, oldest first. */
export async function storedOrgKeys(keysDir: string, mspId: string): Promise<OrgKey[]> {
  const dir = join(keysDir, mspId);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const keys = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as OrgKey),
  );
  return keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Generates and stores a new key pair for `mspId`. */
export async function createOrgKey(keysDir: string, mspId: string, suite: HpkeSuite): Promise<OrgKey> {
  const { privateKey, publicKey } = suite.startsWith('DHKEM(X25519')
    ? generateKeyPairSync('x25519')
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const raw = rawPublicKey(publicKey, suite);
  const prefix = suite.startsWith('DHKEM(X25519') ? 'x25519' : 'p256';
  const keyId = `${prefix}-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
  const dir = join(keysDir, mspId);
  const privateKeyFile = join(dir, `${keyId}.key.pem`);
  await writeFileAtomic(
    privateKeyFile,
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    0o600,
  );
  const key: OrgKey = {
    mspId,
    keyId,
    suite,
    publicKey: raw.toString('base64'),
    createdAt: new Date().toISOString(),
    privateKeyFile,
  };
  await writeFileAtomic(join(dir, `${keyId}.json`), `${JSON.stringify(key, null, 2)}\n`);
  return key;
}
