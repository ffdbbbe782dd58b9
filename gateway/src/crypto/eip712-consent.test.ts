import { TypedDataEncoder, Wallet, id } from 'ethers';
import { describe, expect, it } from 'vitest';
import { parseConsentMessage } from '../../../chaincode/src/consents.js';
import {
  CONSENT_REVOCATION_TYPES,
  CONSENT_TYPES,
  SIGNER_BINDING_TYPES,
  SIGNER_ROTATION_TYPES,
  consentDigest,
  recoverSigner,
} from '../../../chaincode/src/eip712.js';
import { ConsentSigningError } from './errors.js';
import {
  buildConsent,
  generateSubjectSigningKey,
  newConsentNonce,
  signConsent,
  signConsentRevocation,
  signSignerBinding,
  signSignerRotation,
  type ConsentInput,
} from './eip712-consent.js';

const CHANNEL = 'creditchain';
const SUBJECT_REF = '27ec7a7298a487148f1141f81918631d0931853012ec5d1e0f65080b356232e4';

const CONSENT: ConsentInput = {
  subjectRef: SUBJECT_REF,
  granteeMsp: 'PearlMSP',
  granteeInstitution: 'bank-of-pearl',
  categories: ['loan', 'warning'],
  purpose: 'credit_review',
  notBefore: 1_735_689_600,
  notAfter: 1_767_225_600,
  maxUses: 3,
  nonce: `0x${'11'.repeat(32)}`,
};

describe('EIP-712 signing for subjects', () => {
  it('the underlying library reproduces the EIP-712 specification example (Ether Mail, key keccak256("cow"))', async () => {
    // https://eips.ethereum.org/EIPS/eip-712, assets/eip-712/Example.js
    const domain = {
      name: 'Ether Mail',
      version: '1',
      chainId: 1,
      verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
    };
    const types = {
      Person: [
        { name: 'name', type: 'string' },
        { name: 'wallet', type: 'address' },
      ],
      Mail: [
        { name: 'from', type: 'Person' },
        { name: 'to', type: 'Person' },
        { name: 'contents', type: 'string' },
      ],
    };
    const message = {
      from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
      to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
      contents: 'Hello, Bob!',
    };
    expect(TypedDataEncoder.hash(domain, types, message)).toBe(
      '0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2',
    );
    const cow = new Wallet(id('cow'));
    expect(cow.address).toBe('0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826');
    expect(await cow.signTypedData(domain, types, message)).toBe(
      '0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d' +
        '07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c',
    );
  });

  it('generates distinct keys with checksummed addresses', () => {
    const a = generateSubjectSigningKey();
    const b = generateSubjectSigningKey();
    expect(a.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(a.privateKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect(new Wallet(a.privateKey).address).toBe(a.address);
    expect(a.address).not.toBe(b.address);
  });

  it('SignerBinding register and revoke recover to the key with the chaincode', async () => {
    const key = generateSubjectSigningKey();
    for (const action of ['register', 'revoke'] as const) {
      const signed = await signSignerBinding(key.privateKey, {
        channelId: CHANNEL,
        subjectRef: SUBJECT_REF,
        action,
      });
      expect(signed).toMatchObject({ subjectRef: SUBJECT_REF, signer: key.address, action });
      // Exactly how chaincode/src/subjects.ts verifies it.
      const message = { subjectRef: `0x${SUBJECT_REF}`, signer: signed.signer, action };
      expect(recoverSigner(CHANNEL, SIGNER_BINDING_TYPES, message, signed.signature)).toBe(key.address);
      // Bound to the channel and to the action.
      expect(recoverSigner('otherchannel', SIGNER_BINDING_TYPES, message, signed.signature)).not.toBe(
        key.address,
      );
      const other = { ...message, action: action === 'register' ? 'revoke' : 'register' };
      expect(recoverSigner(CHANNEL, SIGNER_BINDING_TYPES, other, signed.signature)).not.toBe(key.address);
    }
  });

  it('SignerRotation is signed by both keys over the same message', async () => {
    const from = generateSubjectSigningKey();
    const to = generateSubjectSigningKey();
    const input = {
      channelId: CHANNEL,
      subjectRef: SUBJECT_REF,
      from: from.address,
      to: to.address.toLowerCase(),
    };
    const message = { subjectRef: `0x${SUBJECT_REF}`, from: from.address, to: to.address };
    const bySigner = [
      [from, await signSignerRotation(new Wallet(from.privateKey), input)],
      [to, await signSignerRotation(to.privateKey, input)],
    ] as const;
    for (const [key, signature] of bySigner) {
      expect(recoverSigner(CHANNEL, SIGNER_ROTATION_TYPES, message, signature)).toBe(key.address);
    }
  });

  it('Consent: the chaincode parses the JSON, recovers the signer and derives the same consent id', async () => {
    const key = generateSubjectSigningKey();
    const signed = await signConsent(key.privateKey, CHANNEL, CONSENT);
    const parsed = parseConsentMessage(signed.consentJson); // what RecordConsent does first
    expect(parsed).toEqual(signed.consent);
    expect(parsed.subjectRef).toBe(`0x${SUBJECT_REF}`);
    expect(recoverSigner(CHANNEL, CONSENT_TYPES, { ...parsed }, signed.signature)).toBe(key.address);
    expect(signed.consentId).toBe(consentDigest(CHANNEL, parsed));
    expect(signed.consentId).toMatch(/^[0-9a-f]{64}$/);
    // Any change to the consent changes who the signature recovers to.
    const widened = { ...parsed, maxUses: 100 };
    expect(recoverSigner(CHANNEL, CONSENT_TYPES, widened, signed.signature)).not.toBe(key.address);
  });

  it('Consent: draws a fresh nonce when none is given', () => {
    const withoutNonce = Object.fromEntries(
      Object.entries(CONSENT).filter(([k]) => k !== 'nonce'),
    ) as ConsentInput;
    const a = buildConsent(withoutNonce);
    const b = buildConsent(withoutNonce);
    expect(a.nonce).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a.nonce).not.toBe(b.nonce);
    expect(newConsentNonce()).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('ConsentRevocation recovers to the key with the chaincode', async () => {
    const key = generateSubjectSigningKey();
    const consentId = 'c'.repeat(64);
    const signature = await signConsentRevocation(key.privateKey, { channelId: CHANNEL, consentId });
    expect(recoverSigner(CHANNEL, CONSENT_REVOCATION_TYPES, { consentId: `0x${consentId}` }, signature)).toBe(
      key.address,
    );
  });

  it('refuses malformed messages and keys with typed errors', async () => {
    const key = generateSubjectSigningKey();
    const invalid: ConsentInput[] = [
      { ...CONSENT, subjectRef: `0x${SUBJECT_REF}` },
      { ...CONSENT, subjectRef: SUBJECT_REF.toUpperCase() },
      { ...CONSENT, categories: [] },
      { ...CONSENT, notAfter: CONSENT.notBefore },
      { ...CONSENT, notBefore: 1.5 },
      { ...CONSENT, maxUses: 0 },
      { ...CONSENT, maxUses: 1_000_001 },
      { ...CONSENT, nonce: '0x1234' },
      { ...CONSENT, purpose: '' },
    ];
    for (const input of invalid) {
      expect(() => buildConsent(input)).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
    }
    await expect(signConsent('0x1234', CHANNEL, CONSENT)).rejects.toThrow(
      expect.objectContaining({ name: 'ConsentSigningError', code: 'INVALID_PRIVATE_KEY' }),
    );
    await expect(
      signSignerRotation(key.privateKey, {
        channelId: CHANNEL,
        subjectRef: SUBJECT_REF,
        from: 'x',
        to: key.address,
      }),
    ).rejects.toThrow(ConsentSigningError);
    await expect(
      signConsentRevocation(key.privateKey, { channelId: CHANNEL, consentId: 'xyz' }),
    ).rejects.toThrow(ConsentSigningError);
  });
});
