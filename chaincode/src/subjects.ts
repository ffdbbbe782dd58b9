import { getAddress } from 'ethers';
import { requireMember, requireParticipant } from './authz';
import { loadConfig } from './config';
import { SIGNER_BINDING_TYPES, SIGNER_ROTATION_TYPES, recoverSigner } from './eip712';
import { fail } from './errors';
import { RecordType, recordKey } from './keys';
import type { Party, Subject, SubjectSigner } from './model';
import type { Tx } from './tx';
import * as v from './validate';

function subjectKey(tx: Tx, subjectRef: string): string {
  return recordKey(tx.stub, RecordType.subject, subjectRef);
}

/** The subject record, or undefined when no key was ever registered for it. */
export async function findSubject(tx: Tx, subjectRef: string): Promise<Subject | undefined> {
  return tx.get<Subject>(subjectKey(tx, subjectRef));
}

function newSigner(tx: Tx, address: string, by: Party): SubjectSigner {
  return {
    address,
    status: 'active',
    registeredAt: tx.at,
    registeredTx: tx.txId,
    registeredBy: by,
    retiredAt: null,
  };
}

function bindingSigner(
  tx: Tx,
  subjectRef: string,
  signer: string,
  action: 'register' | 'revoke',
  signature: string,
): string | undefined {
  return recoverSigner(
    tx.channelId,
    SIGNER_BINDING_TYPES,
    { subjectRef: `0x${subjectRef}`, signer, action },
    signature,
  );
}

/**
 * Registers a subject's consent-signing address. The signature (EIP-712 `SignerBinding` with action
 * `register`) must be made by that address, proving the enterprise holds the key.
 */
export async function registerSigner(
  tx: Tx,
  subjectRef: string,
  signerValue: string,
  signature: string,
): Promise<Subject> {
  v.hex64(subjectRef, 'subjectRef');
  const signer = getAddress(v.address(signerValue, 'signer').toLowerCase());
  const by = requireMember(tx, await loadConfig(tx));
  if (bindingSigner(tx, subjectRef, signer, 'register', signature) !== signer) {
    fail('BAD_SIGNATURE', 'the registration must be signed by the registered address');
  }
  const existing = await findSubject(tx, subjectRef);
  if (existing?.activeSigner != null) fail('SUBJECT_SIGNER_EXISTS', 'rotate or revoke the active key first');
  if (existing?.signers.some((s) => s.address === signer)) fail('SIGNER_REUSED');
  const subject: Subject = {
    subjectRef,
    activeSigner: signer,
    signers: [...(existing?.signers ?? []), newSigner(tx, signer, by)],
  };
  await tx.put(subjectKey(tx, subjectRef), subject);
  tx.emit('SubjectSignerRegistered', { registeredBy: by.mspId });
  return subject;
}

/**
 * Replaces a subject's active consent-signing address. Both the current and the new key sign the
 * same EIP-712 `SignerRotation`; the old key is kept as `rotated`.
 */
export async function rotateSigner(
  tx: Tx,
  subjectRef: string,
  newSignerValue: string,
  currentSignature: string,
  newSignature: string,
): Promise<Subject> {
  v.hex64(subjectRef, 'subjectRef');
  const next = getAddress(v.address(newSignerValue, 'newSigner').toLowerCase());
  const by = requireMember(tx, await loadConfig(tx));
  const subject = await findSubject(tx, subjectRef);
  const current = subject?.activeSigner;
  if (!subject || current == null) fail('SUBJECT_NOT_FOUND');
  if (subject.signers.some((s) => s.address === next)) fail('SIGNER_REUSED');
  const message = { subjectRef: `0x${subjectRef}`, from: current, to: next };
  if (recoverSigner(tx.channelId, SIGNER_ROTATION_TYPES, message, currentSignature) !== current) {
    fail('BAD_SIGNATURE', 'currentSignature must be made by the active key');
  }
  if (recoverSigner(tx.channelId, SIGNER_ROTATION_TYPES, message, newSignature) !== next) {
    fail('BAD_SIGNATURE', 'newSignature must be made by the new key');
  }
  const updated: Subject = {
    subjectRef,
    activeSigner: next,
    signers: [
      ...subject.signers.map((s) =>
        s.address === current ? { ...s, status: 'rotated' as const, retiredAt: tx.at } : s,
      ),
      newSigner(tx, next, by),
    ],
  };
  await tx.put(subjectKey(tx, subjectRef), updated);
  tx.emit('SubjectSignerRotated', { registeredBy: by.mspId });
  return updated;
}

/**
 * Revokes a subject's active key: either signed by that key (EIP-712 `SignerBinding`, action
 * `revoke`), or, with an empty signature, by the institution that registered it.
 */
export async function revokeSigner(
  tx: Tx,
  subjectRef: string,
  signerValue: string,
  signature: string,
): Promise<Subject> {
  v.hex64(subjectRef, 'subjectRef');
  const signer = getAddress(v.address(signerValue, 'signer').toLowerCase());
  const by = requireMember(tx, await loadConfig(tx));
  const subject = await findSubject(tx, subjectRef);
  if (!subject) fail('SUBJECT_NOT_FOUND');
  const entry = subject.signers.find((s) => s.address === signer);
  if (entry?.status !== 'active') fail('SIGNER_NOT_ACTIVE');
  if (signature === '') {
    if (entry.registeredBy.mspId !== by.mspId || entry.registeredBy.institution !== by.institution) {
      fail('ORG_FORBIDDEN', 'without the subject signature only the registering institution may revoke');
    }
  } else if (bindingSigner(tx, subjectRef, signer, 'revoke', signature) !== signer) {
    fail('BAD_SIGNATURE', 'the revocation must be signed by the revoked key');
  }
  const updated: Subject = {
    subjectRef,
    activeSigner: null,
    signers: subject.signers.map((s) =>
      s.address === signer ? { ...s, status: 'revoked' as const, retiredAt: tx.at } : s,
    ),
  };
  await tx.put(subjectKey(tx, subjectRef), updated);
  tx.emit('SubjectSignerRevoked', { bySubject: signature !== '' });
  return updated;
}

/** The subject's signing keys. */
export async function getSubject(tx: Tx, subjectRef: string): Promise<Subject> {
  v.hex64(subjectRef, 'subjectRef');
  requireParticipant(tx, await loadConfig(tx));
  const subject = await findSubject(tx, subjectRef);
  if (!subject) fail('SUBJECT_NOT_FOUND');
  return subject;
}
