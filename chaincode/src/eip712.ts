import {
  TypedDataEncoder,
  getAddress,
  id,
  verifyTypedData,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers';

/**
 * EIP-712 messages that enterprises (subjects) sign with their consent-signing Ethereum key.
 * The domain is bound to the channel, so a signature for one channel is worthless on another.
 */
export function eip712Domain(channelId: string): TypedDataDomain {
  return { name: 'creditchain', version: '1', salt: id(`creditchain:${channelId}`) };
}

/** Proof that the holder of `signer` binds it to (action `register`) or releases it from (`revoke`) a subject. */
export const SIGNER_BINDING_TYPES: Record<string, TypedDataField[]> = {
  SignerBinding: [
    { name: 'subjectRef', type: 'bytes32' },
    { name: 'signer', type: 'address' },
    { name: 'action', type: 'string' },
  ],
};

/** Signed by both the current and the new key of a subject to rotate its consent-signing key. */
export const SIGNER_ROTATION_TYPES: Record<string, TypedDataField[]> = {
  SignerRotation: [
    { name: 'subjectRef', type: 'bytes32' },
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
  ],
};

/** A subject's consent for one grantee institution. */
export const CONSENT_TYPES: Record<string, TypedDataField[]> = {
  Consent: [
    { name: 'subjectRef', type: 'bytes32' },
    { name: 'granteeMsp', type: 'string' },
    { name: 'granteeInstitution', type: 'string' },
    { name: 'categories', type: 'string[]' },
    { name: 'purpose', type: 'string' },
    { name: 'notBefore', type: 'uint64' },
    { name: 'notAfter', type: 'uint64' },
    { name: 'maxUses', type: 'uint32' },
    { name: 'nonce', type: 'bytes32' },
  ],
};

/** A subject's revocation of one consent. */
export const CONSENT_REVOCATION_TYPES: Record<string, TypedDataField[]> = {
  ConsentRevocation: [{ name: 'consentId', type: 'bytes32' }],
};

/** The EIP-712 `Consent` message. `subjectRef` and `nonce` are 0x-prefixed 32-byte hex strings. */
export interface ConsentMessage {
  subjectRef: string;
  granteeMsp: string;
  granteeInstitution: string;
  categories: string[];
  purpose: string;
  notBefore: number;
  notAfter: number;
  maxUses: number;
  nonce: string;
}

/** The EIP-712 digest (without 0x) of a consent; it is the consent id. */
export function consentDigest(channelId: string, message: ConsentMessage): string {
  return TypedDataEncoder.hash(eip712Domain(channelId), CONSENT_TYPES, message).slice(2);
}

const SIGNATURE_RE = /^0x[0-9a-fA-F]{130}$/;

/**
 * Recovers the checksummed address that signed a typed-data message, or returns undefined when
 * the signature is malformed or cannot be recovered.
 */
export function recoverSigner(
  channelId: string,
  types: Record<string, TypedDataField[]>,
  message: Record<string, unknown>,
  signature: string,
): string | undefined {
  if (!SIGNATURE_RE.test(signature)) return undefined;
  try {
    return getAddress(verifyTypedData(eip712Domain(channelId), types, message, signature));
  } catch {
    return undefined;
  }
}
