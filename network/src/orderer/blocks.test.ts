import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SigningIdentity } from '../crypto/signing.js';
import {
  blockDataHash,
  blockHeaderBytes,
  blockHeaderHash,
  buildBlock,
  getLastConfigIndex,
  setTransactionsFilter,
  verifyBlockSignature,
} from './blocks.js';
import { BlockDecoder, protoType } from './testing/decoders.js';
import { BlockError } from './errors.js';
import { makeEnvelope, makeOrg } from './testing/fixtures.js';

function header(number: number, previousHash: Uint8Array, dataHash: Uint8Array): common.BlockHeader {
  const h = new common.BlockHeader();
  h.setNumber(number);
  h.setPreviousHash(previousHash);
  h.setDataHash(dataHash);
  return h;
}

/** Independent DER encoding with asn1js. */
function asn1jsHeader(number: number, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  const seq = new asn1js.Sequence({
    value: [
      asn1js.Integer.fromBigInt(BigInt(number)),
      new asn1js.OctetString({ valueHex: previousHash }),
      new asn1js.OctetString({ valueHex: dataHash }),
    ],
  });
  return Buffer.from(seq.toBER(false));
}

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** Verifies with node:crypto directly (no signing.ts): creator = SerializedIdentity{mspid, PEM}. */
function nodeVerify(creator: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const id = msp.SerializedIdentity.deserializeBinary(creator);
  const cert = new X509Certificate(Buffer.from(id.getIdBytes_asU8()));
  return verify('sha256', message, cert.publicKey, signature);
}

describe('block header and data hash', () => {
  it.each([0, 1, 127, 128, 255, 256, 65535, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER])(
    'DER header of block %i matches asn1js',
    (n) => {
      const prev = randomBytes(32);
      const data = randomBytes(32);
      const h = header(n, n === 0 ? new Uint8Array(0) : prev, data);
      const expected = asn1jsHeader(n, n === 0 ? new Uint8Array(0) : prev, data);
      expect(blockHeaderBytes(h).toString('hex')).toBe(expected.toString('hex'));
      expect(blockHeaderHash(h).toString('hex')).toBe(sha(expected).toString('hex'));
    },
  );

  it('encodes a known genesis header exactly as Go encoding/asn1', () => {
    const dataHash = Buffer.alloc(32, 0xab);
    // SEQUENCE(39) { INTEGER 0, OCTET STRING '', OCTET STRING(32) }
    const expected = `3027020100040004 20${'ab'.repeat(32)}`.replace(/ /g, '');
    expect(blockHeaderBytes(header(0, new Uint8Array(0), dataHash)).toString('hex')).toBe(expected);
    // 128 needs a leading zero byte (positive two's complement).
    expect(
      blockHeaderBytes(header(128, Buffer.alloc(32), dataHash))
        .subarray(2, 6)
        .toString('hex'),
    ).toBe('02020080');
  });

  it('handles long-form lengths for long hashes', () => {
    const prev = randomBytes(200);
    const data = randomBytes(300);
    expect(blockHeaderBytes(header(7, prev, data)).equals(asn1jsHeader(7, prev, data))).toBe(true);
  });

  it('data hash is sha256 of the concatenated entries', () => {
    const entries = [randomBytes(10), randomBytes(0), randomBytes(1000)];
    expect(blockDataHash(entries).equals(sha(Buffer.concat(entries)))).toBe(true);
    expect(blockDataHash([]).equals(sha(Buffer.alloc(0)))).toBe(true);
  });
});

describe('buildBlock', () => {
  let signer: SigningIdentity;
  beforeAll(async () => {
    signer = await (await makeOrg('OrdererMSP')).issue('orderer.example.com', 'orderer');
  });

  const envelope = (): Uint8Array => makeEnvelope(signer);

  it('builds header, data and five metadata slots decodable by fabric-common', () => {
    const envelopes = [envelope(), envelope()];
    const prev = randomBytes(32);
    const { block, bytes } = buildBlock({ number: 5, previousHash: prev, envelopes, lastConfig: 0, signer });
    expect(Buffer.from(bytes).equals(Buffer.from(block.serializeBinary()))).toBe(true);

    const decoded = BlockDecoder.decode(Buffer.from(bytes)) as {
      header: { number: { toString(): string }; previous_hash: Buffer; data_hash: Buffer };
      data: { data: unknown[] };
      metadata: {
        metadata: [{ value: Buffer; signatures: { signature_header: { creator: { mspid: string } } }[] }];
      };
    };
    expect(decoded.header.number.toString()).toBe('5');
    expect(decoded.header.previous_hash.equals(prev)).toBe(true);
    expect(decoded.header.data_hash.equals(sha(Buffer.concat(envelopes)))).toBe(true);
    expect(decoded.data.data).toHaveLength(2);
    expect(decoded.metadata.metadata[0].signatures).toHaveLength(1);
    expect(decoded.metadata.metadata[0].signatures[0]?.signature_header.creator.mspid).toBe('OrdererMSP');

    const slots = block.getMetadata()!.getMetadataList_asU8();
    expect(slots).toHaveLength(5);
    expect(slots[2]).toHaveLength(0);
    expect(slots[3]).toHaveLength(0);
    expect(slots[4]).toHaveLength(0);
  });

  it('signs value || signature_header || header DER, verifiable with node:crypto', () => {
    const { block, bytes } = buildBlock({
      number: 3,
      previousHash: randomBytes(32),
      envelopes: [envelope()],
      lastConfig: 0,
      signer,
    });
    // Independent path: protobufjs decode of the raw slots, asn1js for the header bytes.
    const raw = protoType('common', 'Block').decode(bytes) as {
      header: { previous_hash: Buffer; data_hash: Buffer };
      metadata: { metadata: Buffer[] };
    };
    const md = protoType('common', 'Metadata').decode(raw.metadata.metadata[0]!) as {
      value: Buffer;
      signatures: { signature_header: Buffer; signature: Buffer }[];
    };
    const sig = md.signatures[0]!;
    const sh = protoType('common', 'SignatureHeader').decode(sig.signature_header) as {
      creator: Buffer;
      nonce: Buffer;
    };
    expect(sh.nonce).toHaveLength(24);
    const message = Buffer.concat([
      md.value,
      sig.signature_header,
      asn1jsHeader(3, raw.header.previous_hash, raw.header.data_hash),
    ]);
    expect(nodeVerify(sh.creator, message, sig.signature)).toBe(true);

    const obm = protoType('common', 'OrdererBlockMetadata').decode(md.value) as {
      last_config: { index: unknown };
    };
    expect(String(obm.last_config.index)).toBe('0');
    const legacy = protoType('common', 'Metadata').decode(raw.metadata.metadata[1]!) as { value: Buffer };
    expect(String((protoType('common', 'LastConfig').decode(legacy.value) as { index: unknown }).index)).toBe(
      '0',
    );

    expect(verifyBlockSignature(block, nodeVerify)).toBe(true);
  });

  it('detects tampering and missing signatures', () => {
    const { bytes } = buildBlock({
      number: 1,
      previousHash: randomBytes(32),
      envelopes: [envelope()],
      lastConfig: 0,
      signer,
    });
    const tampered = common.Block.deserializeBinary(bytes);
    tampered.getHeader()!.setDataHash(randomBytes(32));
    expect(verifyBlockSignature(tampered, nodeVerify)).toBe(false);

    const unsigned = common.Block.deserializeBinary(bytes);
    const slots = unsigned.getMetadata()!.getMetadataList_asU8().slice();
    slots[0] = new Uint8Array(0);
    unsigned.getMetadata()!.setMetadataList(slots);
    expect(verifyBlockSignature(unsigned, nodeVerify)).toBe(false);
  });

  it('records the last config index in both metadata slots', () => {
    const { block } = buildBlock({
      number: 9,
      previousHash: randomBytes(32),
      envelopes: [],
      lastConfig: 4,
      signer,
    });
    expect(getLastConfigIndex(block)).toBe(4);
    const legacyOnly = common.Block.deserializeBinary(block.serializeBinary());
    const slots = legacyOnly.getMetadata()!.getMetadataList_asU8().slice();
    const md = new common.Metadata();
    slots[0] = md.serializeBinary();
    legacyOnly.getMetadata()!.setMetadataList(slots);
    expect(getLastConfigIndex(legacyOnly)).toBe(4);
  });

  it('refuses inconsistent input', () => {
    expect(() =>
      buildBlock({ number: 1, previousHash: new Uint8Array(0), envelopes: [], lastConfig: 0, signer }),
    ).toThrow(BlockError);
    expect(() =>
      buildBlock({ number: 1, previousHash: randomBytes(32), envelopes: [], lastConfig: 2, signer }),
    ).toThrow(BlockError);
    expect(() =>
      buildBlock({ number: -1, previousHash: randomBytes(32), envelopes: [], lastConfig: 0, signer }),
    ).toThrow(BlockError);
  });

  it('sets the transactions filter, visible to fabric-common', () => {
    const { block } = buildBlock({
      number: 2,
      previousHash: randomBytes(32),
      envelopes: [envelope(), envelope(), envelope()],
      lastConfig: 0,
      signer,
    });
    setTransactionsFilter(block, [0, 11, 2]);
    const decoded = BlockDecoder.decode(Buffer.from(block.serializeBinary())) as {
      metadata: { metadata: unknown[] };
    };
    expect(decoded.metadata.metadata[2]).toEqual([0, 11, 2]);
    // The signature does not cover the filter, so it still verifies.
    expect(verifyBlockSignature(block, nodeVerify)).toBe(true);
    expect(() => {
      setTransactionsFilter(block, [0]);
    }).toThrow(BlockError);
    expect(() => {
      setTransactionsFilter(block, [0, 256, 1]);
    }).toThrow(BlockError);
  });

  it('pads short metadata to five slots before writing the filter', () => {
    const block = new common.Block();
    block.setHeader(header(1, randomBytes(32), randomBytes(32)));
    const data = new common.BlockData();
    data.setDataList([envelope()]);
    block.setData(data);
    setTransactionsFilter(block, [0]);
    expect(block.getMetadata()!.getMetadataList_asU8()).toHaveLength(5);
  });

  it('chains blocks by header hash', () => {
    const b0 = buildBlock({
      number: 0,
      previousHash: new Uint8Array(0),
      envelopes: [envelope()],
      lastConfig: 0,
      signer,
    });
    const b1 = buildBlock({
      number: 1,
      previousHash: blockHeaderHash(b0.block.getHeader()!),
      envelopes: [envelope()],
      lastConfig: 0,
      signer,
    });
    const h0 = b0.block.getHeader()!;
    expect(
      Buffer.from(b1.block.getHeader()!.getPreviousHash_asU8()).equals(
        sha(asn1jsHeader(0, h0.getPreviousHash_asU8(), h0.getDataHash_asU8())),
      ),
    ).toBe(true);
  });
});
