/**
 * Subject pseudonyms: the `subjectRef` under which the ledger knows an enterprise.
 *
 * `subjectRef = hex(HMAC-SHA256(subjectKey, "creditchain/subject/v1\0" || USCC))`, where USCC is
 * the normalised code (see {@link normaliseUscc}) and `subjectKey` is the consortium's 32-byte
 * subject key, shared by the member gateways and never written to the ledger. Without the key, a
 * `subjectRef` cannot be linked to a code by hashing guesses (the USCC space is small and
 * structured, so an unkeyed hash would be reversible).
 *
 * @packageDocumentation
 */
import { createHmac } from 'node:crypto';
import { normaliseUscc } from '../domain/uscc.js';
import { isBytes } from './bytes.js';
import { PseudonymError } from './errors.js';

/** Domain-separation prefix of the subject pseudonym, version 1 (ends with a NUL byte). */
export const SUBJECT_REF_PREFIX = 'creditchain/subject/v1\0';

/** Length in bytes of the consortium subject key. */
export const SUBJECT_KEY_BYTES = 32;

/**
 * Computes the ledger pseudonym of an enterprise.
 *
 * @param uscc - the Unified Social Credit Code, in any letter case and with surrounding spaces;
 *   it is normalised and validated first
 * @param subjectKey - the consortium subject key: exactly 32 bytes, not all zero. Exactly, not "at
 *   least": a key loaded in the wrong encoding (say the 64 bytes of its hex text) would otherwise
 *   be accepted and silently give every subject a different pseudonym on this gateway.
 * @returns 64 lower-case hex characters, the format the chaincode requires
 * @throws {@link UsccError} `INVALID_USCC` for an invalid code
 * @throws {@link PseudonymError} `INVALID_SUBJECT_KEY` for a malformed key
 */
export function subjectRef(uscc: string, subjectKey: Uint8Array): string {
  checkSubjectKey(subjectKey);
  const code = normaliseUscc(uscc);
  return createHmac('sha256', subjectKey)
    .update(SUBJECT_REF_PREFIX + code, 'utf8')
    .digest('hex');
}

function checkSubjectKey(key: Uint8Array): void {
  if (!isBytes(key)) throw new PseudonymError('INVALID_SUBJECT_KEY', 'the subject key must be bytes');
  if (key.byteLength !== SUBJECT_KEY_BYTES) {
    throw new PseudonymError(
      'INVALID_SUBJECT_KEY',
      `the subject key must be ${SUBJECT_KEY_BYTES} bytes, got ${key.byteLength}`,
    );
  }
  if (key.every((b) => b === 0))
    throw new PseudonymError('INVALID_SUBJECT_KEY', 'the subject key is all zero');
}
