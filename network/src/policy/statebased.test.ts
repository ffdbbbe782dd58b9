import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseSignaturePolicy, toSignaturePolicyEnvelope } from './dsl.js';
import { checkEndorsementPolicy, parseEndorsementPolicy, type PolicyCheck } from './endorsement.js';
import { PolicyError } from './errors.js';
import type { PolicySigner } from './evaluate.js';
import {
  BlockMetadataUpdates,
  VALIDATION_PARAMETER,
  keyEndorsementPolicyBytes,
  keyLevelPolicy,
  validateKeyLevelEndorsement,
  type KeyLevelValidationInput,
} from './statebased.js';

interface ShimKeyEndorsementPolicy {
  getPolicy(): Uint8Array;
  addOrgs(role: string, ...orgs: string[]): void;
  delOrgs(...orgs: string[]): void;
  listOrgs(): string[];
}
const require = createRequire(import.meta.url);
const KeyEndorsementPolicy = require('fabric-shim/lib/utils/statebased.js') as new (
  policy?: Uint8Array,
) => ShimKeyEndorsementPolicy;

function shimPolicy(role: 'PEER' | 'MEMBER', ...orgs: string[]): Buffer {
  const kep = new KeyEndorsementPolicy();
  kep.addOrgs(role, ...orgs);
  return Buffer.from(kep.getPolicy());
}

const peer = (mspId: string): PolicySigner => ({
  identityKey: `${mspId}-peer`,
  satisfies: (p) => p.mspId === mspId && (p.role === 'peer' || p.role === 'member'),
});

describe('keyLevelPolicy', () => {
  it('reads what fabric-shim KeyEndorsementPolicy writes', () => {
    expect(keyLevelPolicy(shimPolicy('PEER', 'Org1MSP', 'Org2MSP'))).toEqual(
      parseSignaturePolicy("AND('Org1MSP.peer', 'Org2MSP.peer')"),
    );
    expect(keyLevelPolicy(shimPolicy('MEMBER', 'Org3MSP'))).toEqual(
      parseSignaturePolicy("AND('Org3MSP.member')"),
    );
    // shim after delOrgs
    const kep = new KeyEndorsementPolicy(shimPolicy('PEER', 'A', 'B', 'C'));
    kep.delOrgs('B');
    expect(keyLevelPolicy(kep.getPolicy())).toEqual(parseSignaturePolicy("AND('A.peer', 'C.peer')"));
  });

  it('treats absent or empty metadata as "no key-level policy"', () => {
    expect(keyLevelPolicy(undefined)).toBeUndefined();
    expect(keyLevelPolicy(new Uint8Array())).toBeUndefined();
  });

  it('rejects garbage', () => {
    expect(() => keyLevelPolicy(Uint8Array.from([0x12, 0x05, 0x01]))).toThrow(PolicyError);
  });

  it('keyEndorsementPolicyBytes is byte-identical to fabric-shim', () => {
    expect(Buffer.from(keyEndorsementPolicyBytes(['Org1MSP', 'Org2MSP']))).toEqual(
      shimPolicy('PEER', 'Org1MSP', 'Org2MSP'),
    );
    expect(Buffer.from(keyEndorsementPolicyBytes(['Org2MSP', 'Org1MSP', 'Org2MSP'], 'member'))).toEqual(
      shimPolicy('MEMBER', 'Org2MSP', 'Org1MSP', 'Org2MSP'),
    );
    expect(Buffer.from(keyEndorsementPolicyBytes([]))).toEqual(shimPolicy('PEER'));
    expect(VALIDATION_PARAMETER).toBe('VALIDATION_PARAMETER');
  });
});

describe('validateKeyLevelEndorsement', () => {
  const ccPolicy = parseEndorsementPolicy("AND('Org1MSP.peer', 'Org2MSP.peer')");

  function run(
    over: Partial<KeyLevelValidationInput> & { vps?: Record<string, Uint8Array>; updated?: string[] },
  ): { result: PolicyCheck; ccCalls: number } {
    let ccCalls = 0;
    const signers = over.signers ?? [];
    const input: KeyLevelValidationInput = {
      namespace: 'credit',
      blockNumber: 7,
      txNumber: 2,
      writeKeys: over.writeKeys ?? [],
      metadataWriteKeys: over.metadataWriteKeys ?? [],
      committedValidationParameter: (key) => over.vps?.[key],
      metadataUpdatedEarlierInBlock: (key) => over.updated?.includes(key) ?? false,
      checkChaincodePolicy: () => {
        ccCalls++;
        return checkEndorsementPolicy(ccPolicy, [], signers);
      },
      signers,
    };
    return { result: validateKeyLevelEndorsement(input), ccCalls };
  }

  it('uses the chaincode policy, once, for keys without a validation parameter', () => {
    const ok = run({ writeKeys: ['a', 'b', 'c'], signers: [peer('Org1MSP'), peer('Org2MSP')] });
    expect(ok).toEqual({ result: { ok: true }, ccCalls: 1 });
    const bad = run({ writeKeys: ['a', 'b'], signers: [peer('Org1MSP')] });
    expect(bad.result).toEqual({
      ok: false,
      message:
        'validation of endorsement policy for chaincode credit in tx 7:2 failed: signature set did not satisfy policy',
    });
  });

  it('checks the chaincode policy for read-only transactions', () => {
    expect(run({ signers: [peer('Org1MSP')] }).result.ok).toBe(false);
    expect(run({ signers: [peer('Org1MSP'), peer('Org2MSP')] })).toEqual({
      result: { ok: true },
      ccCalls: 1,
    });
  });

  it('replaces the chaincode policy by the key policy', () => {
    const vps = { a: keyEndorsementPolicyBytes(['Org3MSP']) };
    // Org3 alone does not satisfy the chaincode policy, but key "a" only needs Org3
    expect(run({ writeKeys: ['a'], vps, signers: [peer('Org3MSP')] })).toEqual({
      result: { ok: true },
      ccCalls: 0,
    });
    // the chaincode endorsers do not satisfy the key policy
    expect(run({ writeKeys: ['a'], vps, signers: [peer('Org1MSP'), peer('Org2MSP')] }).result).toEqual({
      ok: false,
      message:
        "validation of key a (coll'':ns'credit') in tx 7:2 failed: signature set did not satisfy policy",
    });
  });

  it('needs both when one key has a key policy and another does not', () => {
    const vps = { a: keyEndorsementPolicyBytes(['Org3MSP']) };
    expect(run({ writeKeys: ['a', 'b'], vps, signers: [peer('Org3MSP')] }).result.ok).toBe(false);
    expect(
      run({ writeKeys: ['a', 'b'], vps, signers: [peer('Org1MSP'), peer('Org2MSP'), peer('Org3MSP')] }),
    ).toEqual({ result: { ok: true }, ccCalls: 1 });
  });

  it('requires the CURRENT key policy to change a key’s metadata', () => {
    const vps = { a: keyEndorsementPolicyBytes(['Org3MSP']) };
    expect(
      run({ metadataWriteKeys: ['a'], vps, signers: [peer('Org1MSP'), peer('Org2MSP')] }).result.ok,
    ).toBe(false);
    expect(run({ metadataWriteKeys: ['a'], vps, signers: [peer('Org3MSP')] })).toEqual({
      result: { ok: true },
      ccCalls: 0,
    });
  });

  it('invalidates writes to a key whose metadata an earlier valid tx of the block changed', () => {
    const r = run({ writeKeys: ['a'], updated: ['a'], signers: [peer('Org1MSP'), peer('Org2MSP')] });
    expect(r.result).toEqual({
      ok: false,
      message:
        'validation parameters for key [a] in namespace [credit:] have been changed in transaction 2 of block 7',
    });
    expect(run({ metadataWriteKeys: ['a'], updated: ['a'], signers: [] }).result.ok).toBe(false);
    expect(
      run({ writeKeys: ['b'], updated: ['a'], signers: [peer('Org1MSP'), peer('Org2MSP')] }).result.ok,
    ).toBe(true);
  });

  it('fails the transaction on an undecodable validation parameter', () => {
    const r = run({ writeKeys: ['a'], vps: { a: Uint8Array.from([0xff]) }, signers: [] });
    expect(r.result.ok).toBe(false);
    expect(!r.result.ok && r.result.message).toMatch(
      /^validation of key a \(coll'':ns'credit'\) in tx 7:2 failed: /,
    );
  });

  it('accepts any envelope form, not just the shim’s', () => {
    const vps = {
      a: toSignaturePolicyEnvelope(
        parseSignaturePolicy("OR('Org1MSP.peer', 'Org3MSP.peer')"),
      ).serializeBinary(),
    };
    expect(run({ writeKeys: ['a'], vps, signers: [peer('Org3MSP')] }).result.ok).toBe(true);
  });
});

describe('BlockMetadataUpdates', () => {
  it('tracks (namespace, key) pairs', () => {
    const u = new BlockMetadataUpdates();
    expect(u.updated('cc', 'a')).toBe(false);
    u.record('cc', ['a', 'b']);
    expect(u.updated('cc', 'a')).toBe(true);
    expect(u.updated('cc', 'b')).toBe(true);
    expect(u.updated('other', 'a')).toBe(false);
    expect(u.updated('cc', 'c')).toBe(false);
  });
});
