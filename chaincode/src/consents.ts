import { requireMember, requireParticipant } from './authz';
import { findCategory, findPurpose, loadConfig } from './config';
import {
  CONSENT_REVOCATION_TYPES,
  CONSENT_TYPES,
  consentDigest,
  recoverSigner,
  type ConsentMessage,
} from './eip712';
import { fail } from './errors';
import { RecordType, recordKey } from './keys';
import type { Consent, Subject } from './model';
import { pageByPartialKey, parseJson, type Page } from './query';
import { findSubject } from './subjects';
import type { Tx } from './tx';
import * as v from './validate';

const CONSENT_FIELDS = [
  'subjectRef',
  'granteeMsp',
  'granteeInstitution',
  'categories',
  'purpose',
  'notBefore',
  'notAfter',
  'maxUses',
  'nonce',
] as const;
const BYTES32 = /^0x[0-9a-f]{64}$/;
/** Latest instant a consent may name (year 9999), so windows stay within calendar arithmetic. */
const MAX_INSTANT = 253402300799;
export const MAX_CONSENT_USES = 1_000_000;

function bytes32(value: unknown, name: string): string {
  if (typeof value !== 'string' || !BYTES32.test(value))
    fail('INVALID_ARGUMENT', `${name} must be 0x and 64 lower-case hex characters`);
  return value;
}

/** Parses the EIP-712 `Consent` message as the subject signed it. */
export function parseConsentMessage(text: string): ConsentMessage {
  const raw = v.jsonObject(text, 'consent', CONSENT_FIELDS);
  return {
    subjectRef: bytes32(raw.subjectRef, 'consent.subjectRef'),
    granteeMsp: v.mspId(v.str(raw.granteeMsp, 'consent.granteeMsp'), 'consent.granteeMsp'),
    granteeInstitution: v.institution(
      v.str(raw.granteeInstitution, 'consent.granteeInstitution'),
      'consent.granteeInstitution',
    ),
    categories: v.stringList(raw.categories, 'consent.categories', v.code, 1, 32),
    purpose: v.code(v.str(raw.purpose, 'consent.purpose'), 'consent.purpose'),
    notBefore: v.integer(raw.notBefore, 'consent.notBefore', 0, MAX_INSTANT),
    notAfter: v.integer(raw.notAfter, 'consent.notAfter', 0, MAX_INSTANT),
    maxUses: v.integer(raw.maxUses, 'consent.maxUses', 1, MAX_CONSENT_USES),
    nonce: bytes32(raw.nonce, 'consent.nonce'),
  };
}

export function consentKey(tx: Tx, consentId: string): string {
  return recordKey(tx.stub, RecordType.consent, consentId);
}

export async function findConsent(tx: Tx, consentId: string): Promise<Consent | undefined> {
  return tx.get<Consent>(consentKey(tx, consentId));
}

/** Refuses a signature by a key that is not the subject's active key, with the precise reason. */
function checkSubjectSigner(subject: Subject | undefined, recovered: string | undefined): string {
  if (recovered === undefined)
    fail('BAD_SIGNATURE', 'the signature is malformed or does not match the message');
  const entry = subject?.signers.find((s) => s.address === recovered);
  if (!entry) fail('SIGNER_UNKNOWN', 'the consent was not signed by a key registered for the subject');
  if (entry.status !== 'active') fail('SIGNER_REVOKED', `the signing key was ${entry.status}`);
  return recovered;
}

/**
 * Records a consent the subject signed (EIP-712 `Consent`). The signature is verified once, here;
 * later access checks read the stored record. Recorded by an officer of the grantee institution.
 */
export async function recordConsent(tx: Tx, consentText: string, signature: string): Promise<Consent> {
  const message = parseConsentMessage(consentText);
  const config = await loadConfig(tx);
  const caller = requireMember(tx, config);
  if (caller.mspId !== message.granteeMsp || caller.institution !== message.granteeInstitution) {
    fail('ORG_FORBIDDEN', 'a consent is recorded by the grantee institution');
  }
  for (const category of message.categories) findCategory(config, category);
  if (findPurpose(config, message.purpose).supervisory)
    fail('PURPOSE_FORBIDDEN', 'a consent cannot name a supervisory purpose');
  if (message.notBefore >= message.notAfter)
    fail('CONSENT_WINDOW_EMPTY', 'notBefore must be earlier than notAfter');
  if (message.notAfter <= tx.time.seconds) fail('CONSENT_EXPIRED', 'notAfter has already passed');

  const subjectRef = message.subjectRef.slice(2);
  const subject = await findSubject(tx, subjectRef);
  if (!subject) fail('SUBJECT_NOT_FOUND');
  const signer = checkSubjectSigner(
    subject,
    recoverSigner(tx.channelId, CONSENT_TYPES, { ...message }, signature),
  );

  const nonce = message.nonce.slice(2);
  const nonceKey = recordKey(tx.stub, RecordType.consentNonce, subjectRef, nonce);
  if (await tx.exists(nonceKey)) fail('NONCE_REPLAYED');

  const consentId = consentDigest(tx.channelId, message);
  const consent: Consent = {
    consentId,
    subjectRef,
    signer,
    grantee: { mspId: message.granteeMsp, institution: message.granteeInstitution },
    categories: message.categories,
    purpose: message.purpose,
    notBefore: message.notBefore,
    notAfter: message.notAfter,
    maxUses: message.maxUses,
    uses: 0,
    nonce,
    signature,
    status: 'active',
    recordedAt: tx.at,
    recordedTx: tx.txId,
    recordedBy: tx.actor(),
    revocation: null,
  };
  await tx.put(consentKey(tx, consentId), consent);
  await tx.put(nonceKey, { consentId });
  await tx.put(recordKey(tx.stub, RecordType.consentBySubject, subjectRef, consentId), { consentId });
  tx.emit('ConsentRecorded', { consentId, granteeMsp: message.granteeMsp, purpose: message.purpose });
  return consent;
}

/**
 * Revokes a consent: signed by the subject (EIP-712 `ConsentRevocation` by its active key or by the
 * still-valid key that signed the consent), or, with an empty signature, by the grantee institution.
 */
export async function revokeConsent(tx: Tx, consentId: string, signature: string): Promise<Consent> {
  v.hex64(consentId, 'consentId');
  const caller = requireMember(tx, await loadConfig(tx));
  const consent = await findConsent(tx, consentId);
  if (!consent) fail('CONSENT_NOT_FOUND');
  if (consent.status === 'revoked') fail('CONSENT_REVOKED');
  let by: 'subject' | 'grantee';
  if (signature === '') {
    if (consent.grantee.mspId !== caller.mspId || consent.grantee.institution !== caller.institution) {
      fail('ORG_FORBIDDEN', 'without the subject signature only the grantee institution may revoke');
    }
    by = 'grantee';
  } else {
    const subject = await findSubject(tx, consent.subjectRef);
    checkSubjectSigner(
      subject,
      recoverSigner(tx.channelId, CONSENT_REVOCATION_TYPES, { consentId: `0x${consentId}` }, signature),
    );
    by = 'subject';
  }
  const revoked: Consent = { ...consent, status: 'revoked', revocation: { at: tx.at, tx: tx.txId, by } };
  await tx.put(consentKey(tx, consentId), revoked);
  tx.emit('ConsentRevoked', { by, consentId, granteeMsp: consent.grantee.mspId });
  return revoked;
}

/** A consent; visible to regulators and to the grantee's organisation. */
export async function getConsent(tx: Tx, consentId: string): Promise<Consent> {
  v.hex64(consentId, 'consentId');
  const audience = requireParticipant(tx, await loadConfig(tx));
  const consent = await findConsent(tx, consentId);
  if (!consent) fail('CONSENT_NOT_FOUND');
  if (audience.kind === 'member' && audience.mspId !== consent.grantee.mspId)
    fail('ORG_FORBIDDEN', 'the consent names another grantee');
  return consent;
}

/** A subject's consents, a page at a time; members see those granted to their organisation. */
export async function listConsentsBySubject(
  tx: Tx,
  subjectRef: string,
  size: number,
  bookmark: string,
): Promise<Page<Consent>> {
  v.hex64(subjectRef, 'subjectRef');
  const audience = requireParticipant(tx, await loadConfig(tx));
  return pageByPartialKey(
    tx,
    RecordType.consentBySubject,
    [subjectRef],
    size,
    bookmark,
    async (_key, value) => {
      const { consentId } = parseJson(value) as { consentId: string };
      const consent = await findConsent(tx, consentId);
      return consent && (audience.kind === 'regulator' || consent.grantee.mspId === audience.mspId)
        ? consent
        : undefined;
    },
  );
}
