import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { WalletError } from './errors.js';
import { SALT_BYTES, SCRYPT_PARAMS, deriveKeys } from './kdf.js';
import { checkMspId, checkUser, parsePrivateKey } from './validate.js';
import type { Identity, IdentityInfo } from './wallet.js';

/*
 * The stored form of one identity (format version 1), the same for every adapter. UTF-8 JSON; bytes
 * are standard base64:
 *
 *   {
 *     "type": "creditchain.wallet.identity", "version": 1,
 *     "user": "alice", "mspId": "YangtzeMSP", "certPem": "-----BEGIN CERTIFICATE-----\n...",
 *     "kdf": { "name": "scrypt", "N": 32768, "r": 8, "p": 1, "salt": <16 bytes> },
 *     "check": <32 bytes>,
 *     "cipher": { "name": "aes-256-gcm", "iv": <12 bytes>, "tag": <16 bytes>, "ciphertext": <bytes> }
 *   }
 *
 * master = scrypt(secret, salt, 32, N, r, p); key = HKDF-SHA256(master, salt, "creditchain/wallet/v1/
 * aes-256-gcm"); check = HKDF-SHA256(master, salt, "creditchain/wallet/v1/check"). The ciphertext is
 * the UTF-8 private key PEM. AAD = UTF-8 of the JSON array ["creditchain.wallet.identity/v1", user,
 * mspId, hex SHA-256 of certPem], so the key cannot be moved to another user, MSP or certificate.
 *
 * Opening: a malformed document, unknown parameters or a failed GCM tag is WALLET_CORRUPT; a check
 * value that does not match (wrong secret, or an altered salt or check) is WALLET_LOCKED.
 */

const TYPE = 'creditchain.wallet.identity';
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Fields = Readonly<Record<string, unknown>>;

interface Envelope extends IdentityInfo {
  readonly salt: Buffer;
  readonly check: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

function aad(user: string, mspId: string, certPem: string): Buffer {
  const certHash = createHash('sha256').update(certPem, 'utf8').digest('hex');
  return Buffer.from(JSON.stringify([`${TYPE}/v${VERSION}`, user, mspId, certHash]), 'utf8');
}

/**
 * Encrypts `identity` for `user` under a fresh salt and IV. The identity must already be checked.
 *
 * @returns the document to store
 */
export async function seal(user: string, identity: Identity, secret: Uint8Array): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const keys = await deriveKeys(secret, salt);
  try {
    const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(user, identity.mspId, identity.certPem));
    const ciphertext = Buffer.concat([cipher.update(identity.privateKeyPem, 'utf8'), cipher.final()]);
    return `${JSON.stringify(
      {
        type: TYPE,
        version: VERSION,
        user,
        mspId: identity.mspId,
        certPem: identity.certPem,
        kdf: { name: 'scrypt', ...SCRYPT_PARAMS, salt: salt.toString('base64') },
        check: keys.check.toString('base64'),
        cipher: {
          name: 'aes-256-gcm',
          iv: iv.toString('base64'),
          tag: cipher.getAuthTag().toString('base64'),
          ciphertext: ciphertext.toString('base64'),
        },
      },
      null,
      2,
    )}\n`;
  } finally {
    keys.encryption.fill(0);
  }
}

/**
 * Decrypts the identity stored for `user`.
 *
 * @throws WalletError `WALLET_LOCKED` or `WALLET_CORRUPT`
 */
export async function unseal(user: string, text: string, secret: Uint8Array): Promise<Identity> {
  const e = parseEnvelope(user, text);
  const keys = await deriveKeys(secret, e.salt);
  try {
    if (!timingSafeEqual(keys.check, e.check))
      throw new WalletError('WALLET_LOCKED', `the wallet secret does not open the identity of ${user}`, {
        user,
      });
    let privateKeyPem: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.encryption, e.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(user, e.mspId, e.certPem));
      decipher.setAuthTag(e.tag);
      privateKeyPem = Buffer.concat([decipher.update(e.ciphertext), decipher.final()]).toString('utf8');
    } catch (err) {
      throw corrupt(user, 'fails authentication', err);
    }
    try {
      parsePrivateKey(privateKeyPem, user);
    } catch (err) {
      throw corrupt(user, 'holds no private key', err);
    }
    return { mspId: e.mspId, certPem: e.certPem, privateKeyPem };
  } finally {
    keys.encryption.fill(0);
  }
}

/**
 * The public part of the identity stored for `user`, without decrypting.
 *
 * @throws WalletError `WALLET_CORRUPT`
 */
export function infoOf(user: string, text: string): IdentityInfo {
  const { mspId, certPem } = parseEnvelope(user, text);
  return { user, mspId, certPem };
}

function corrupt(user: string, why: string, cause?: unknown): WalletError {
  return new WalletError('WALLET_CORRUPT', `the stored identity of ${user} ${why}`, {
    user,
    ...(cause === undefined ? {} : { cause }),
  });
}

function parseEnvelope(user: string, text: string): Envelope {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw corrupt(user, 'is not JSON', err);
  }
  const root = fields(doc);
  const kdf = fields(root?.kdf);
  const cipher = fields(root?.cipher);
  if (!root || !kdf || !cipher || root.type !== TYPE || root.version !== VERSION)
    throw corrupt(user, 'is not a version 1 wallet identity');
  if (root.user !== user) throw corrupt(user, 'belongs to another user');
  if (
    kdf.name !== 'scrypt' ||
    kdf.N !== SCRYPT_PARAMS.N ||
    kdf.r !== SCRYPT_PARAMS.r ||
    kdf.p !== SCRYPT_PARAMS.p ||
    cipher.name !== 'aes-256-gcm'
  )
    throw corrupt(user, 'uses unsupported parameters');
  const salt = bytes(kdf.salt, SALT_BYTES);
  const check = bytes(root.check, 32);
  const iv = bytes(cipher.iv, IV_BYTES);
  const tag = bytes(cipher.tag, TAG_BYTES);
  const ciphertext = bytes(cipher.ciphertext);
  const { mspId, certPem } = root;
  if (!salt || !check || !iv || !tag || !ciphertext || typeof certPem !== 'string')
    throw corrupt(user, 'has missing or malformed fields');
  try {
    checkUser(user);
  } catch (err) {
    throw corrupt(user, 'is stored under a malformed user name', err);
  }
  try {
    checkMspId(mspId, user);
  } catch (err) {
    throw corrupt(user, 'has a malformed MSP id', err);
  }
  return { user, mspId: mspId as string, certPem, salt, check, iv, tag, ciphertext };
}

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function bytes(value: unknown, length?: number): Buffer | undefined {
  if (typeof value !== 'string' || !BASE64.test(value)) return undefined;
  const out = Buffer.from(value, 'base64');
  return length === undefined ? (out.length > 0 ? out : undefined) : out.length === length ? out : undefined;
}
