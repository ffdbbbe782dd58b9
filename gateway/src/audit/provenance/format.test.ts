import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../crypto/canonical.js';
import { ProvenanceError } from './errors.js';
import {
  decodeBase64,
  parseProvenanceBundle,
  PROVENANCE_FORMAT,
  serializeProvenanceBundle,
  type ProvenanceBundle,
} from './format.js';

const TX = (n: number): string => n.toString(16).padStart(64, '0');
const BUNDLE: ProvenanceBundle = {
  format: PROVENANCE_FORMAT,
  channel: 'creditchain',
  chaincode: 'credit',
  reportId: 'YangtzeMSP:r-1',
  config: 'AAEC',
  blocks: [
    { number: 2, block: 'AwQF' },
    { number: 4, block: 'BgcI' },
  ],
  chain: [
    { number: 1, dataHash: 'ab'.repeat(32) },
    { number: 3, dataHash: 'cd'.repeat(32) },
  ],
  transactions: [
    { txId: TX(1), block: 2, index: 0, validationCode: 'VALID' },
    { txId: TX(2), block: 4, index: 1, validationCode: 'VALID' },
  ],
};

function malformed(file: string | Uint8Array | object): string {
  const text = typeof file === 'string' || file instanceof Uint8Array ? file : `${canonicalize(file)}\n`;
  try {
    parseProvenanceBundle(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ProvenanceError);
    expect((err as ProvenanceError).code).toBe('BUNDLE_MALFORMED');
    return (err as ProvenanceError).message;
  }
  throw new Error('accepted');
}

describe('provenance bundle format', () => {
  it('writes canonical JSON and one newline, and reads it back', () => {
    const bytes = serializeProvenanceBundle(BUNDLE);
    const text = new TextDecoder().decode(bytes);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toMatch(/\s(?!$)/);
    expect(parseProvenanceBundle(bytes)).toEqual(BUNDLE);
  });

  it('refuses every other spelling of the same bundle', () => {
    const text = new TextDecoder().decode(serializeProvenanceBundle(BUNDLE));
    expect(malformed(text.trimEnd())).toMatch(/canonical/);
    expect(malformed(`${text}\n`)).toMatch(/canonical/);
    expect(malformed(` ${text}`)).toMatch(/canonical/);
    expect(malformed(`${JSON.stringify(BUNDLE, null, 2)}\n`)).toMatch(/canonical/);
    expect(malformed(text.replace('"index":0', '"index":0.0'))).toMatch(/canonical/);
    expect(malformed(text.replace('"chaincode":"credit"', '"chaincode":"cred\\u0069t"'))).toMatch(
      /canonical/,
    );
    expect(malformed(text.replace('{"blocks"', '{"channel":"x","blocks"'))).toMatch(/canonical/);
    expect(malformed(Buffer.from([0xff, ...Buffer.from(text)]))).toMatch(/UTF-8/);
  });

  it('refuses missing, extra and ill-formed members', () => {
    expect(malformed({ ...BUNDLE, extra: 1 })).toMatch(/exactly the members/);
    const noChain: Record<string, unknown> = { ...BUNDLE };
    delete noChain.chain;
    expect(malformed(noChain)).toMatch(/exactly the members/);
    expect(malformed({ ...BUNDLE, format: 'creditchain.provenance/2' })).toMatch(/format/);
    expect(malformed({ ...BUNDLE, reportId: 'r' })).toMatch(/reportId/);
    expect(malformed({ ...BUNDLE, channel: 'Credit' })).toMatch(/channel/);
    expect(
      malformed({ ...BUNDLE, transactions: [{ ...BUNDLE.transactions[0], validationCode: 'OK' }] }),
    ).toMatch(/validationCode/);
    expect(
      malformed({ ...BUNDLE, chain: [{ number: 1, dataHash: 'AB'.repeat(32) }, BUNDLE.chain[1]] }),
    ).toMatch(/dataHash/);
  });

  it('requires blocks and links to cover 1 to the last trail block once, and transactions in ledger order', () => {
    expect(malformed({ ...BUNDLE, chain: [BUNDLE.chain[0]] })).toMatch(/block 3 is neither/);
    expect(
      malformed({ ...BUNDLE, chain: [...BUNDLE.chain, { number: 5, dataHash: 'ee'.repeat(32) }] }),
    ).toMatch(/beyond/);
    expect(
      malformed({ ...BUNDLE, chain: [...BUNDLE.chain, { number: 4, dataHash: 'ee'.repeat(32) }] }),
    ).toMatch(/both/);
    expect(malformed({ ...BUNDLE, blocks: [...BUNDLE.blocks].reverse() })).toMatch(/ascending/);
    expect(malformed({ ...BUNDLE, transactions: [...BUNDLE.transactions].reverse() })).toMatch(
      /ledger order/,
    );
    expect(
      malformed({
        ...BUNDLE,
        transactions: [BUNDLE.transactions[0], { ...BUNDLE.transactions[1], txId: TX(1) }],
      }),
    ).toMatch(/twice/);
    expect(malformed({ ...BUNDLE, transactions: [BUNDLE.transactions[0]] })).toMatch(/block 4 holds no/);
    expect(
      malformed({
        ...BUNDLE,
        transactions: [{ ...BUNDLE.transactions[0], block: 3 }, BUNDLE.transactions[1]],
      }),
    ).toMatch(/not in blocks/);
  });

  it('decodes only base64 that has one spelling', () => {
    expect([...decodeBase64('AAEC', 'x')]).toEqual([0, 1, 2]);
    for (const text of ['AAE', 'AA EC', 'AA*EC', 'AAEC\n', '', 'AQ', 'AR=='])
      expect(() => decodeBase64(text, 'x')).toThrow(/canonical/);
  });
});
