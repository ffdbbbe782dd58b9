import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { WalletError } from './errors.js';
import type { Identity } from './wallet.js';

/*
 * Argument checks shared by every adapter. User names double as file names, hence the narrow
 * alphabet (no path separators, no leading dot).
 */

const USER = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_PEM = 64 * 1024;

function invalid(message: string, user?: string, cause?: unknown): never {
  throw new WalletError('INVALID_ARGUMENT', message, {
    ...(user === undefined ? {} : { user }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Checks a user name. */
export function checkUser(value: unknown): string {
  if (typeof value !== 'string' || !USER.test(value))
    invalid('user must be 1 to 128 characters of [A-Za-z0-9._@-] starting with a letter or digit');
  return value;
}

/** Checks an MSP id. */
export function checkMspId(value: unknown, user?: string): string {
  if (typeof value !== 'string' || !MSP_ID.test(value))
    invalid('mspId must be 1 to 64 characters of [A-Za-z0-9._-] starting with a letter or digit', user);
  return value;
}

/** Parses a PEM private key. */
export function parsePrivateKey(pem: unknown, user: string): KeyObject {
  if (typeof pem !== 'string' || pem.length > MAX_PEM) invalid('privateKeyPem must be a PEM string', user);
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    return invalid('privateKeyPem is not a PEM private key', user, err);
  }
}

/** Checks an identity: well-formed MSP id, a parsable certificate and the private key of that certificate. */
export function checkIdentity(value: unknown, user: string): Identity {
  if (typeof value !== 'object' || value === null) invalid('identity must be an object', user);
  const { mspId, certPem, privateKeyPem } = value as Record<string, unknown>;
  checkMspId(mspId, user);
  if (typeof certPem !== 'string' || certPem.length > MAX_PEM) invalid('certPem must be a PEM string', user);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    return invalid('certPem is not a PEM X.509 certificate', user, err);
  }
  const key = parsePrivateKey(privateKeyPem, user);
  if (!cert.checkPrivateKey(key)) invalid('privateKeyPem does not belong to certPem', user);
  return { mspId: mspId as string, certPem, privateKeyPem: privateKeyPem as string };
}
