/**
 * EIP-712 signing for enterprises (subjects), used by the enterprise CLI: the subject's
 * consent-signing Ethereum key, `SignerBinding` (register / revoke), `SignerRotation`, `Consent`
 * and `ConsentRevocation`, with the chaincode's own types and channel-bound domain
 * (`chaincode/src/eip712.ts`), so that what is signed here is exactly what the contract verifies.
 *
 * Subject references are passed in ledger form (64 lower-case hex, no `0x`); the messages carry
 * them as `bytes32` (`0x`-prefixed), as the contract does.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { Wallet, getAddress, hexlify } from 'ethers';
import {
  CONSENT_REVOCATION_TYPES,
  CONSENT_TYPES,
  SIGNER_BINDING_TYPES,
  SIGNER_ROTATION_TYPES,
  consentDigest,
  eip712Domain,
  type ConsentMessage,
} from '../../../chaincode/src/eip712.js';
import { canonicalize } from './canonical.js';
import { ConsentSigningError } from './errors.js';

export {
  CONSENT_REVOCATION_TYPES,
  CONSENT_TYPES,
  SIGNER_BINDING_TYPES,
  SIGNER_ROTATION_TYPES,
  consentDigest,
  eip712Domain,
  recoverSigner,
  type ConsentMessage,
} from '../../../chaincode/src/eip712.js';

const HEX64 = /^[0-9a-f]{64}$/;
const BINDING_ACTIONS: readonly string[] = ['register', 'revoke'];
const BYTES32 = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** Limits the contract applies to consents (`chaincode/src/consents.ts`): year 9999, 10^6 uses. */
const MAX_INSTANT = 253402300799;
const MAX_USES = 1_000_000;

/** A subject's consent-signing key. The private key is secret; keep it in an encrypted key file. */
export interface SubjectSigningKey {
  /** Checksummed Ethereum address: what `RegisterSubjectSigner` registers. */
  readonly address: string;
  /** `0x` and 64 hex characters. */
  readonly privateKey: string;
}

/** A signing key: an ethers `Wallet`, or its `0x`-prefixed hex private key. */
export type SubjectSigner = Wallet | string;

/** Generates a consent-signing key from node:crypto randomness. */
export function generateSubjectSigningKey(): SubjectSigningKey {
  for (;;) {
    const secret = randomBytes(32);
    try {
      const wallet = new Wallet(hexlify(secret));
      return { address: wallet.address, privateKey: wallet.privateKey };
    } catch {
      // Zero or ≥ the secp256k1 order (probability ~2^-128): draw again.
    } finally {
      secret.fill(0);
    }
  }
}

function wallet(signer: SubjectSigner): Wallet {
  if (signer instanceof Wallet) return signer;
  try {
    return new Wallet(signer);
  } catch (cause) {
    throw new ConsentSigningError('INVALID_PRIVATE_KEY', 'not a secp256k1 private key', { cause });
  }
}

function bytes32Of(subjectRef: string): string {
  if (typeof subjectRef !== 'string' || !HEX64.test(subjectRef)) {
    throw new ConsentSigningError('INVALID_MESSAGE', 'subjectRef must be 64 lower-case hex characters');
  }
  return `0x${subjectRef}`;
}

function addressOf(value: string, name: string): string {
  if (typeof value !== 'string' || !ADDRESS.test(value)) {
    throw new ConsentSigningError('INVALID_MESSAGE', `${name} must be a 0x-prefixed 20-byte address`);
  }
  return getAddress(value.toLowerCase());
}

/** A signed `SignerBinding`: the arguments of `RegisterSubjectSigner` / `RevokeSubjectSigner`. */
export interface SignedSignerBinding {
  readonly subjectRef: string;
  readonly signer: string;
  readonly action: 'register' | 'revoke';
  readonly signature: string;
}

/**
 * Signs a `SignerBinding`: the key holder binds its address to the subject (`register`) or
 * releases it (`revoke`). The signer is the key's own address.
 *
 * @throws {@link ConsentSigningError} `INVALID_MESSAGE`, `INVALID_PRIVATE_KEY`
 */
export async function signSignerBinding(
  signer: SubjectSigner,
  input: { readonly channelId: string; readonly subjectRef: string; readonly action: 'register' | 'revoke' },
): Promise<SignedSignerBinding> {
  const key = wallet(signer);
  if (!BINDING_ACTIONS.includes(input.action)) {
    throw new ConsentSigningError('INVALID_MESSAGE', 'action must be register or revoke');
  }
  const message = { subjectRef: bytes32Of(input.subjectRef), signer: key.address, action: input.action };
  const signature = await key.signTypedData(eip712Domain(input.channelId), SIGNER_BINDING_TYPES, message);
  return { subjectRef: input.subjectRef, signer: key.address, action: input.action, signature };
}

/**
 * Signs a `SignerRotation` from `from` to `to`. `RotateSubjectSigner` needs this signature from
 * both keys: call it once with each.
 *
 * @throws {@link ConsentSigningError} `INVALID_MESSAGE`, `INVALID_PRIVATE_KEY`
 */
export async function signSignerRotation(
  signer: SubjectSigner,
  input: {
    readonly channelId: string;
    readonly subjectRef: string;
    readonly from: string;
    readonly to: string;
  },
): Promise<string> {
  const key = wallet(signer);
  const message = {
    subjectRef: bytes32Of(input.subjectRef),
    from: addressOf(input.from, 'from'),
    to: addressOf(input.to, 'to'),
  };
  return key.signTypedData(eip712Domain(input.channelId), SIGNER_ROTATION_TYPES, message);
}

/** What a subject consents to; `subjectRef` in ledger form, `nonce` generated when omitted. */
export interface ConsentInput {
  readonly subjectRef: string;
  readonly granteeMsp: string;
  readonly granteeInstitution: string;
  readonly categories: readonly string[];
  readonly purpose: string;
  /** Unix seconds, inclusive. */
  readonly notBefore: number;
  /** Unix seconds, exclusive; after `notBefore`. */
  readonly notAfter: number;
  readonly maxUses: number;
  /** `0x` and 64 lower-case hex; a fresh random one when omitted. A nonce is usable once per subject. */
  readonly nonce?: string;
}

/** A signed consent: `consentJson` and `signature` are the arguments of `RecordConsent`. */
export interface SignedConsent {
  readonly consent: ConsentMessage;
  /** Canonical JSON of `consent`. */
  readonly consentJson: string;
  readonly signature: string;
  /** The consent id the ledger will assign: the EIP-712 digest, 64 lower-case hex. */
  readonly consentId: string;
}

/** A fresh consent nonce: `0x` and 64 lower-case hex from node:crypto randomness. */
export function newConsentNonce(): string {
  return `0x${randomBytes(32).toString('hex')}`;
}

function integer(value: number, name: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConsentSigningError('INVALID_MESSAGE', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Builds the EIP-712 `Consent` message from `input`. Checks structure, the validity window and the
 * contract's numeric limits; the contract checks MSP, institution, category and purpose codes
 * against its configuration.
 *
 * @throws {@link ConsentSigningError} `INVALID_MESSAGE`
 */
export function buildConsent(input: ConsentInput): ConsentMessage {
  const nonce = input.nonce ?? newConsentNonce();
  if (!BYTES32.test(nonce))
    throw new ConsentSigningError('INVALID_MESSAGE', 'nonce must be 0x and 64 lower-case hex');
  if (
    !Array.isArray(input.categories) ||
    input.categories.length === 0 ||
    !input.categories.every((c) => typeof c === 'string')
  ) {
    throw new ConsentSigningError('INVALID_MESSAGE', 'categories must be a non-empty list of codes');
  }
  for (const [name, value] of [
    ['granteeMsp', input.granteeMsp],
    ['granteeInstitution', input.granteeInstitution],
    ['purpose', input.purpose],
  ] as const) {
    if (typeof value !== 'string' || value === '') {
      throw new ConsentSigningError('INVALID_MESSAGE', `${name} must be a non-empty string`);
    }
  }
  const notBefore = integer(input.notBefore, 'notBefore', 0, MAX_INSTANT);
  const notAfter = integer(input.notAfter, 'notAfter', 0, MAX_INSTANT);
  if (notBefore >= notAfter)
    throw new ConsentSigningError('INVALID_MESSAGE', 'notBefore must be earlier than notAfter');
  return {
    subjectRef: bytes32Of(input.subjectRef),
    granteeMsp: input.granteeMsp,
    granteeInstitution: input.granteeInstitution,
    categories: [...input.categories],
    purpose: input.purpose,
    notBefore,
    notAfter,
    maxUses: integer(input.maxUses, 'maxUses', 1, MAX_USES),
    nonce,
  };
}

/**
 * Builds and signs a `Consent` for `channelId`.
 *
 * @throws {@link ConsentSigningError} `INVALID_MESSAGE`, `INVALID_PRIVATE_KEY`
 */
export async function signConsent(
  signer: SubjectSigner,
  channelId: string,
  input: ConsentInput,
): Promise<SignedConsent> {
  const key = wallet(signer);
  const consent = buildConsent(input);
  const signature = await key.signTypedData(eip712Domain(channelId), CONSENT_TYPES, consent);
  return {
    consent,
    consentJson: canonicalize(consent),
    signature,
    consentId: consentDigest(channelId, consent),
  };
}

/**
 * Signs a `ConsentRevocation` of `consentId` (64 lower-case hex): the argument of `RevokeConsent`.
 *
 * @throws {@link ConsentSigningError} `INVALID_MESSAGE`, `INVALID_PRIVATE_KEY`
 */
export async function signConsentRevocation(
  signer: SubjectSigner,
  input: { readonly channelId: string; readonly consentId: string },
): Promise<string> {
  const key = wallet(signer);
  if (typeof input.consentId !== 'string' || !HEX64.test(input.consentId)) {
    throw new ConsentSigningError('INVALID_MESSAGE', 'consentId must be 64 lower-case hex characters');
  }
  return key.signTypedData(eip712Domain(input.channelId), CONSENT_REVOCATION_TYPES, {
    consentId: `0x${input.consentId}`,
  });
}
