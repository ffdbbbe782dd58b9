import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical.js';
import { KeyWrapError } from './errors.js';
import {
  DATA_KEY_INFO,
  HPKE_SUITE,
  createHpkeSuite,
  dataKeyAad,
  generateHpkeKeyPair,
  hpkePublicKeyOf,
  unwrapDataKey,
  wrapDataKey,
  type WrappedDataKey,
} from './hpke.js';
import { HPKE_SUITES } from '../../../chaincode/src/orgs.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: ArrayBuffer | Uint8Array): string => Buffer.from(new Uint8Array(b)).toString('hex');

/*
 * RFC 9180 test vector for this suite: test-vectors.json of the RFC (github.com/cfrg/
 * draft-irtf-cfrg-hpke, the file the RFC's Appendix A points to), entry mode 0, kem_id 32, kdf_id 1,
 * aead_id 2. The RFC text prints only the AES-128-GCM and ChaCha20-Poly1305 variants of this KEM;
 * this entry is in the JSON file. skRm, skEm, pkRm, pkEm, the ciphertexts and the exports are as
 * carried verbatim by aws-lc (crypto/hpke/hpke_test_vectors.txt, converted from that file);
 * ikmR and ikmE are the entry's seeds, and the test checks they derive exactly that skRm/pkRm and
 * skEm/pkEm.
 */
const V = {
  info: '4f6465206f6e2061204772656369616e2055726e', // "Ode on a Grecian Urn"
  ikmR: 'dac33b0e9db1b59dbbea58d59a14e7b5896e9bdf98fad6891e99d1686492b9ee',
  ikmE: '2cd7c601cefb3d42a62b04b7a9041494c06c7843818e0ce28a8f704ae7ab20f9',
  skRm: '497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d',
  pkRm: '430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c',
  skEm: '179d4b53b6365c45b600c4163b61d95cbc2f4d9e36f1695558dce265ab8bab11',
  pkEm: '6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256',
  enc: '6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256',
  pt: '4265617574792069732074727574682c20747275746820626561757479', // "Beauty is truth, truth beauty"
  encryptions: [
    {
      aad: '436f756e742d30', // "Count-0"
      ct: 'e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a',
    },
    {
      aad: '436f756e742d31',
      ct: '2c43aff25343fdbff864506f0818b9d87df84ea01b1a2144d23b4d40c26bf655fdf197fe40297a8aebeed5cc2d',
    },
  ],
  exports: [
    { context: '', value: 'ded6cffafaea6b812cbf3e241e88332adbc077aca81512914213810ee291770a' },
    { context: '00', value: '04d3cb6cc116b28ffd22ad5bc276c60d31fec71ceb87ae24db811c64b7507339' },
    {
      context: '54657374436f6e74657874',
      value: '7c5ded445732c14fe09727d29b4251c0fd38455fe8440571e687f0886aac94d2',
    },
  ],
} as const;

describe('RFC 9180 known answers for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM (base mode)', () => {
  const suite = createHpkeSuite();

  it('is the suite with ids 0x0020 / 0x0001 / 0x0002, one the chaincode accepts', () => {
    expect(suite.kem.id).toBe(0x0020);
    expect(suite.kdf.id).toBe(0x0001);
    expect(suite.aead.id).toBe(0x0002);
    expect(HPKE_SUITES[HPKE_SUITE]).toBe(32);
  });

  it('DeriveKeyPair(ikmR) and DeriveKeyPair(ikmE) give the vector key pairs', async () => {
    for (const [ikm, sk, pk] of [
      [V.ikmR, V.skRm, V.pkRm],
      [V.ikmE, V.skEm, V.pkEm],
    ] as const) {
      const pair = await suite.kem.deriveKeyPair(hex(ikm));
      expect(toHex(await suite.kem.serializePrivateKey(pair.privateKey))).toBe(sk);
      expect(toHex(await suite.kem.serializePublicKey(pair.publicKey))).toBe(pk);
    }
  });

  it('the sender with the vector ephemeral key reproduces enc and the ciphertexts', async () => {
    const sender = await suite.createSenderContext({
      recipientPublicKey: await suite.kem.deserializePublicKey(hex(V.pkRm)),
      info: hex(V.info),
      ekm: hex(V.ikmE), // test-only hook of @hpke/core: derive the ephemeral key from ikmE
    });
    expect(toHex(sender.enc)).toBe(V.enc);
    for (const { aad, ct } of V.encryptions) expect(toHex(await sender.seal(hex(V.pt), hex(aad)))).toBe(ct);
  });

  it('the recipient with skRm opens the vector ciphertexts and reproduces the exports', async () => {
    const recipient = await suite.createRecipientContext({
      recipientKey: await suite.kem.deserializePrivateKey(hex(V.skRm)),
      enc: hex(V.enc),
      info: hex(V.info),
    });
    for (const { aad, ct } of V.encryptions)
      expect(toHex(await recipient.open(hex(ct), hex(aad)))).toBe(V.pt);
    for (const { context, value } of V.exports)
      expect(toHex(await recipient.export(hex(context), 32))).toBe(value);
  });

  it('hpkePublicKeyOf derives pkRm from skRm', async () => {
    expect(await hpkePublicKeyOf(hex(V.skRm))).toBe(Buffer.from(V.pkRm, 'hex').toString('base64'));
  });
});

const REPORT_ID = 'rpt-2024-000123';
const RECEIPT_ID = 'a'.repeat(64);
const KEY_ID = 'pearl-2024-01';

async function setup(): Promise<{
  dataKey: Uint8Array;
  publicKeyB64: string;
  privateKeyB64: string;
  wrapped: WrappedDataKey;
}> {
  const { publicKeyB64, privateKeyB64 } = await generateHpkeKeyPair();
  const dataKey = new Uint8Array(32).map((_, i) => i + 1);
  const wrapped = await wrapDataKey({
    dataKey,
    recipientPublicKey: publicKeyB64,
    keyId: KEY_ID,
    reportId: REPORT_ID,
    receiptId: RECEIPT_ID,
  });
  return { dataKey, publicKeyB64, privateKeyB64, wrapped };
}

async function unwrapFailure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyWrapError) return error.code;
    throw error;
  }
  return 'OPENED';
}

describe('wrapDataKey / unwrapDataKey', () => {
  it('round-trips, with base64 fields of the expected sizes', async () => {
    const { dataKey, privateKeyB64, wrapped } = await setup();
    expect(wrapped.keyId).toBe(KEY_ID);
    expect(Buffer.from(wrapped.enc, 'base64')).toHaveLength(32);
    expect(Buffer.from(wrapped.ciphertext, 'base64')).toHaveLength(48);
    const context = { reportId: REPORT_ID, receiptId: RECEIPT_ID };
    expect(await unwrapDataKey(wrapped, privateKeyB64, context)).toEqual(dataKey);
    expect(await unwrapDataKey(wrapped, Buffer.from(privateKeyB64, 'base64'), context)).toEqual(dataKey);
  });

  it('uses a fresh ephemeral key for every wrap', async () => {
    const { dataKey, publicKeyB64 } = await setup();
    const input = {
      dataKey,
      recipientPublicKey: publicKeyB64,
      keyId: KEY_ID,
      reportId: REPORT_ID,
      receiptId: RECEIPT_ID,
    };
    const [a, b] = await Promise.all([wrapDataKey(input), wrapDataKey(input)]);
    expect(a.enc).not.toBe(b.enc);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('fails with UNWRAP_FAILED for the wrong private key', async () => {
    const { wrapped } = await setup();
    const other = await generateHpkeKeyPair();
    expect(
      await unwrapFailure(
        unwrapDataKey(wrapped, other.privateKeyB64, { reportId: REPORT_ID, receiptId: RECEIPT_ID }),
      ),
    ).toBe('UNWRAP_FAILED');
  });

  it('fails with UNWRAP_FAILED for another report id', async () => {
    const { wrapped, privateKeyB64 } = await setup();
    expect(
      await unwrapFailure(
        unwrapDataKey(wrapped, privateKeyB64, { reportId: 'rpt-2024-000124', receiptId: RECEIPT_ID }),
      ),
    ).toBe('UNWRAP_FAILED');
  });

  it('fails with UNWRAP_FAILED for another receipt id', async () => {
    const { wrapped, privateKeyB64 } = await setup();
    expect(
      await unwrapFailure(
        unwrapDataKey(wrapped, privateKeyB64, { reportId: REPORT_ID, receiptId: 'b'.repeat(64) }),
      ),
    ).toBe('UNWRAP_FAILED');
  });

  it('fails with UNWRAP_FAILED when the key id, enc or ciphertext is altered or malformed', async () => {
    const { wrapped, privateKeyB64 } = await setup();
    const context = { reportId: REPORT_ID, receiptId: RECEIPT_ID };
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[5] = (bytes[5] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    const variants: WrappedDataKey[] = [
      { ...wrapped, keyId: 'pearl-2024-02' },
      { ...wrapped, keyId: '' },
      { ...wrapped, enc: flip(wrapped.enc) },
      { ...wrapped, ciphertext: flip(wrapped.ciphertext) },
      { ...wrapped, ciphertext: wrapped.ciphertext.slice(0, -4) },
      { ...wrapped, enc: `${wrapped.enc.slice(0, -2)}!=` },
      { ...wrapped, enc: Buffer.alloc(32).toString('base64') },
    ];
    for (const variant of variants) {
      expect(await unwrapFailure(unwrapDataKey(variant, privateKeyB64, context))).toBe('UNWRAP_FAILED');
    }
    const notAnObject = null as unknown as WrappedDataKey;
    expect(await unwrapFailure(unwrapDataKey(notAnObject, privateKeyB64, context))).toBe('UNWRAP_FAILED');
    // A malformed id of the caller's own is a programming error, not a failed unwrap.
    expect(await unwrapFailure(unwrapDataKey(wrapped, privateKeyB64, { ...context, receiptId: 'r1' }))).toBe(
      'INVALID_CONTEXT',
    );
  });

  it('binds the AAD to the canonical JSON of key id, receipt id and report id', () => {
    const aad = dataKeyAad({ keyId: KEY_ID, reportId: REPORT_ID, receiptId: RECEIPT_ID });
    expect(Buffer.from(aad).toString()).toBe(
      canonicalize({ keyId: KEY_ID, receiptId: RECEIPT_ID, reportId: REPORT_ID }),
    );
    expect(DATA_KEY_INFO).toBe('creditchain/datakey/v1');
  });

  it('refuses malformed inputs with typed codes', async () => {
    const { dataKey, publicKeyB64, wrapped } = await setup();
    const base = {
      dataKey,
      recipientPublicKey: publicKeyB64,
      keyId: KEY_ID,
      reportId: REPORT_ID,
      receiptId: RECEIPT_ID,
    };
    expect(await unwrapFailure(wrapDataKey({ ...base, dataKey: new Uint8Array(16) }))).toBe(
      'INVALID_DATA_KEY',
    );
    expect(await unwrapFailure(wrapDataKey({ ...base, recipientPublicKey: 'not base64' }))).toBe(
      'INVALID_PUBLIC_KEY',
    );
    expect(await unwrapFailure(wrapDataKey({ ...base, recipientPublicKey: new Uint8Array(65) }))).toBe(
      'INVALID_PUBLIC_KEY',
    );
    // A low-order point: the X25519 shared secret would be all zero (RFC 9180 §7.1.4).
    expect(await unwrapFailure(wrapDataKey({ ...base, recipientPublicKey: new Uint8Array(32) }))).toBe(
      'INVALID_PUBLIC_KEY',
    );
    expect(await unwrapFailure(wrapDataKey({ ...base, receiptId: 'A'.repeat(64) }))).toBe('INVALID_CONTEXT');
    expect(await unwrapFailure(wrapDataKey({ ...base, reportId: 'x' }))).toBe('INVALID_CONTEXT');
    expect(await unwrapFailure(wrapDataKey({ ...base, keyId: 'bad key' }))).toBe('INVALID_CONTEXT');
    expect(
      await unwrapFailure(unwrapDataKey(wrapped, 'AAAA', { reportId: REPORT_ID, receiptId: RECEIPT_ID })),
    ).toBe('INVALID_PRIVATE_KEY');
  });

  it('generates key pairs in the published format: base64 of 32 raw bytes', async () => {
    const pair = await generateHpkeKeyPair();
    expect(pair.suite).toBe(HPKE_SUITE);
    expect(pair.publicKeyB64).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(pair.privateKeyB64, 'base64')).toHaveLength(32);
    expect(await hpkePublicKeyOf(pair.privateKeyB64)).toBe(pair.publicKeyB64);
    expect(await hpkePublicKeyOf(Buffer.from(pair.privateKeyB64, 'base64'))).toBe(pair.publicKeyB64);
  });
});
