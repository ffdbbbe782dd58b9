import { common } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { blockDataHash, blockHeaderBytes, decodeExactly, orderedBlock, sha256 } from './blocks.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('Fabric block hashing', () => {
  const data = Buffer.alloc(32, 0xab);
  const previous = Buffer.alloc(32, 0x01);

  it('encodes the header as Go encoding/asn1 marshals asn1Header', () => {
    expect(hex(blockHeaderBytes({ number: 0n, previousHash: new Uint8Array(), dataHash: data }))).toBe(
      `302702010004000420${hex(data)}`,
    );
    expect(hex(blockHeaderBytes({ number: 7n, previousHash: previous, dataHash: data }))).toBe(
      `3047020107` + `0420${hex(previous)}` + `0420${hex(data)}`,
    );
    // minimal two's complement: a leading zero byte when the top bit is set, none otherwise
    expect(hex(blockHeaderBytes({ number: 128n, previousHash: previous, dataHash: data })).slice(4, 12)).toBe(
      '02020080',
    );
    expect(
      hex(blockHeaderBytes({ number: 0x7fffn, previousHash: previous, dataHash: data })).slice(4, 12),
    ).toBe('02027fff');
    expect(() => blockHeaderBytes({ number: -1n, previousHash: previous, dataHash: data })).toThrow(
      RangeError,
    );
  });

  it('hashes the data as SHA-256 of the concatenated entries', () => {
    expect(hex(blockDataHash([Buffer.from('ab'), Buffer.from('c')]))).toBe(hex(sha256(Buffer.from('abc'))));
  });

  it('decodes exactly: unknown fields cannot hide in a message', () => {
    const header = new common.BlockHeader();
    header.setNumber(3);
    header.setDataHash(data);
    const bytes = header.serializeBinary();
    expect(decodeExactly(common.BlockHeader, bytes, 'header').getNumber()).toBe(3);
    const withUnknown = Buffer.concat([bytes, Buffer.from([0x20, 0x01])]); // field 4, varint 1
    expect(() => decodeExactly(common.BlockHeader, withUnknown, 'header')).toThrow(/not canonically encoded/);
  });

  it('keeps of a block what the ordering service signed', () => {
    const block = new common.Block();
    block.setHeader(new common.BlockHeader());
    const metadata = new common.BlockMetadata();
    metadata.setMetadataList([
      Buffer.from('sig'),
      Buffer.from('lc'),
      Buffer.from([0]),
      new Uint8Array(),
      Buffer.from('ch'),
    ]);
    block.setMetadata(metadata);
    const ordered = orderedBlock(block);
    expect(
      ordered
        .getMetadata()
        ?.getMetadataList_asU8()
        .map((m) => Buffer.from(m).toString()),
    ).toEqual(['sig', '', '', '', '']);
    expect(block.getMetadata()?.getMetadataList_asU8()).toHaveLength(5);
  });
});
