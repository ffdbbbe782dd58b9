import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { blockHeaderBytes, blockHeaderHash, dataHash } from './blockhash.js';

function header(number: number, previousHash: Uint8Array, hash: Uint8Array): common.BlockHeader {
  const h = new common.BlockHeader();
  h.setNumber(number);
  h.setPreviousHash(previousHash);
  h.setDataHash(hash);
  return h;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('block header DER (Go encoding/asn1 of {big.Int, []byte, []byte})', () => {
  const data = Buffer.alloc(32, 0xab);

  it('encodes a genesis header', () => {
    expect(hex(blockHeaderBytes(header(0, new Uint8Array(), data)))).toBe(
      `3027020100040004 20${hex(data)}`.replace(' ', ''),
    );
  });

  it('encodes numbers as minimal two’s-complement integers', () => {
    const intOf = (n: number): string =>
      hex(blockHeaderBytes(header(n, new Uint8Array(), new Uint8Array()))).slice(4, -8);
    expect(intOf(1)).toBe('020101');
    expect(intOf(127)).toBe('02017f');
    expect(intOf(128)).toBe('02020080');
    expect(intOf(256)).toBe('02020100');
    expect(intOf(2 ** 32)).toBe('02050100000000');
    expect(intOf(2 ** 53 - 1)).toBe('02071fffffffffffff');
  });

  it('uses long-form lengths above 127 bytes', () => {
    const previous = Buffer.alloc(200, 1);
    const der = blockHeaderBytes(header(5, previous, data));
    expect(hex(der.subarray(0, 3))).toBe('3081f0'); // 3 + 3 + 200 + 2 + 32 = 240
    expect(hex(der.subarray(6, 9))).toBe('0481c8');
  });

  it('hashes the DER bytes and the concatenated data entries with SHA-256', () => {
    const h = header(3, Buffer.alloc(32, 1), data);
    expect(blockHeaderHash(h)).toEqual(createHash('sha256').update(blockHeaderBytes(h)).digest());
    const entries = [Buffer.from('ab'), Buffer.from(''), Buffer.from('cd')];
    expect(dataHash(entries)).toEqual(createHash('sha256').update('abcd').digest());
    expect(hex(dataHash([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
