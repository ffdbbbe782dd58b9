import { requireOrgAdmin, requireParticipant } from './authz';
import { loadConfig } from './config';
import { fail } from './errors';
import { RecordType, recordKey } from './keys';
import type { OrgKey, OrgProfile } from './model';
import type { Tx } from './tx';
import * as v from './validate';

/** HPKE suites (RFC 9180) a member may publish, with the length of their serialised public keys. */
export const HPKE_SUITES: Readonly<Record<string, number>> = {
  'DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM': 32,
  'DHKEM(P-256, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM': 65,
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function checkPublicKey(suite: string, publicKey: string): void {
  const length = HPKE_SUITES[suite];
  if (length === undefined)
    fail('INVALID_ARGUMENT', `suite must be one of ${Object.keys(HPKE_SUITES).join('; ')}`);
  const bytes =
    BASE64.test(publicKey) && publicKey.length % 4 === 0 ? Buffer.from(publicKey, 'base64') : undefined;
  if (bytes?.length !== length || (length === 65 && bytes[0] !== 0x04)) {
    fail(
      'INVALID_ARGUMENT',
      `publicKey must be the base64 of a ${length}-byte ${suite.slice(0, suite.indexOf(')') + 1)} public key`,
    );
  }
}

/**
 * Publishes the caller organisation's payload-encryption key. The previous active key stays listed
 * as retired so that payloads wrapped to it remain attributable and readable.
 */
export async function publishOrgKey(
  tx: Tx,
  keyIdValue: string,
  suite: string,
  publicKey: string,
): Promise<OrgProfile> {
  v.keyId(keyIdValue);
  checkPublicKey(suite, publicKey);
  const config = await loadConfig(tx);
  requireOrgAdmin(tx, config);
  const key = recordKey(tx.stub, RecordType.org, tx.caller.mspId);
  const previous = await tx.get<OrgProfile>(key);
  if (previous?.keys.some((k) => k.keyId === keyIdValue))
    fail('KEY_EXISTS', `key id ${keyIdValue} was already published`);
  const retired: OrgKey[] = (previous?.keys ?? []).map((k) =>
    k.status === 'active' ? { ...k, status: 'retired', retiredAt: tx.at } : k,
  );
  const profile: OrgProfile = {
    mspId: tx.caller.mspId,
    activeKeyId: keyIdValue,
    keys: [
      ...retired,
      {
        keyId: keyIdValue,
        suite,
        publicKey,
        status: 'active',
        publishedAt: tx.at,
        publishedTx: tx.txId,
        retiredAt: null,
      },
    ],
  };
  await tx.put(key, profile);
  tx.emit('OrgKeyPublished', { keyId: keyIdValue, mspId: tx.caller.mspId, rotated: previous !== undefined });
  return profile;
}

/** An organisation's published profile. */
export async function getOrgProfile(tx: Tx, msp: string): Promise<OrgProfile> {
  v.mspId(msp);
  requireParticipant(tx, await loadConfig(tx));
  const profile = await tx.get<OrgProfile>(recordKey(tx.stub, RecordType.org, msp));
  if (!profile) fail('ORG_NOT_FOUND', `${msp} has not published a profile`);
  return profile;
}
