/**
 * The committer's checks on hand-built transactions, with signatures verified on the calling thread
 * and on worker threads: a verdict never depends on where a signature was checked, and every
 * validator (peer) checks every signature itself.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { common, ledger as ledgerPb, peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanEntry, VersionedValue } from '../chaincode/ports.js';
import { derSignatureS, signLowS, signingIdentity, type SigningIdentity } from '../crypto/signing.js';
import { inlineVerifier, VerifyPool, type SignatureVerifier } from '../crypto/verify-pool.js';
import { CertificateAuthority, MspManager } from '../msp/index.js';
import { parseEndorsementPolicy } from '../policy/index.js';
import type { ChaincodeDefinition, TxStatus } from './ports.js';
import { computeTxId, prepareTransaction, proposalResponsePayload, unpackProposal } from './proposal.js';
import { BlockValidator } from './validator.js';

const Code = peer.TxValidationCode;
const CHANNEL = 'mychannel';
const CC = 'asset';
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function highS(der: Buffer): Buffer {
  const rLen = der[3] ?? 0;
  const r = der.subarray(4, 4 + rLen);
  const s = N - (derSignatureS(der) ?? 0n);
  let sBytes = Buffer.from(s.toString(16).padStart(64, '0'), 'hex');
  if ((sBytes[0] ?? 0) & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, sBytes.length]), sBytes]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

interface TxSpec {
  readonly creator: SigningIdentity;
  readonly endorsers: readonly SigningIdentity[];
  readonly writes?: ReadonlyArray<[string, string]>;
  /** Keys read as absent. */
  readonly reads?: readonly string[];
  /** Signs the envelope with this instead of the creator's key. */
  readonly envelopeSigner?: (payload: Uint8Array) => Buffer;
  /** Signs the n-th endorsement with this instead of the endorser's key. */
  readonly forgeEndorsement?: { readonly index: number; readonly sign: (m: Uint8Array) => Buffer };
  readonly nonce?: Uint8Array;
}

function envelope(spec: TxSpec): { bytes: Uint8Array; txId: string } {
  const nonce = spec.nonce ?? randomBytes(24);
  const txId = computeTxId(nonce, spec.creator.serialized);
  const ccId = new peer.ChaincodeID();
  ccId.setName(CC);
  const ext = new peer.ChaincodeHeaderExtension();
  ext.setChaincodeId(ccId);
  const chdr = new common.ChannelHeader();
  chdr.setType(common.HeaderType.ENDORSER_TRANSACTION);
  chdr.setChannelId(CHANNEL);
  chdr.setTxId(txId);
  chdr.setExtension$(ext.serializeBinary());
  const shdr = new common.SignatureHeader();
  shdr.setCreator(spec.creator.serialized);
  shdr.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(chdr.serializeBinary());
  header.setSignatureHeader(shdr.serializeBinary());
  const input = new peer.ChaincodeInput();
  input.setArgsList([Buffer.from('Put')]);
  const ccSpec = new peer.ChaincodeSpec();
  ccSpec.setChaincodeId(ccId);
  ccSpec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(ccSpec);
  const ccp = new peer.ChaincodeProposalPayload();
  ccp.setInput(invocation.serializeBinary());
  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(ccp.serializeBinary());
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposal.serializeBinary());
  signed.setSignature(spec.creator.sign(signed.getProposalBytes_asU8()));
  const unpacked = unpackProposal(signed);

  const kv = new ledgerPb.rwset.kvrwset.KVRWSet();
  for (const key of spec.reads ?? []) {
    const read = new ledgerPb.rwset.kvrwset.KVRead();
    read.setKey(key);
    kv.addReads(read);
  }
  for (const [key, value] of spec.writes ?? []) {
    const w = new ledgerPb.rwset.kvrwset.KVWrite();
    w.setKey(key);
    w.setValue(Buffer.from(value));
    kv.addWrites(w);
  }
  const ns = new ledgerPb.rwset.NsReadWriteSet();
  ns.setNamespace(CC);
  ns.setRwset(kv.serializeBinary());
  const rwset = new ledgerPb.rwset.TxReadWriteSet();
  rwset.setDataModel(ledgerPb.rwset.TxReadWriteSet.DataModel.KV);
  rwset.addNsRwset(ns);
  const response = new peer.Response();
  response.setStatus(200);
  const action = new peer.ChaincodeAction();
  action.setResults(rwset.serializeBinary());
  action.setResponse(response);
  const actionCcId = new peer.ChaincodeID();
  actionCcId.setName(CC);
  actionCcId.setVersion('1.0');
  action.setChaincodeId(actionCcId);
  const prp = proposalResponsePayload(unpacked.proposalHash, action);
  const endorsements = spec.endorsers.map((e, i) => {
    const endorsement = new peer.Endorsement();
    endorsement.setEndorser(e.serialized);
    const message = Buffer.concat([prp, e.serialized]);
    const sign =
      spec.forgeEndorsement?.index === i ? spec.forgeEndorsement.sign : (m: Uint8Array) => e.sign(m);
    endorsement.setSignature(sign(message));
    return endorsement;
  });
  const env = prepareTransaction(unpacked, prp, endorsements);
  const payload = env.getPayload_asU8();
  env.setSignature((spec.envelopeSigner ?? ((p: Uint8Array) => spec.creator.sign(p)))(payload));
  return { bytes: env.serializeBinary(), txId };
}

function block(number: number, envelopes: readonly Uint8Array[]): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(number);
  const data = new common.BlockData();
  data.setDataList([...envelopes]);
  const b = new common.Block();
  b.setHeader(header);
  b.setData(data);
  return b;
}

/** Committed state as a map; nothing committed unless a test puts it there. */
function memoryLedger(txs = new Map<string, TxStatus>()) {
  const state = new Map<string, VersionedValue>();
  return {
    state,
    txs,
    getState: (ns: string, key: string) => Promise.resolve(state.get(`${ns}\u0000${key}`)),
    getStateMetadata: () => Promise.resolve(undefined),
    getTxStatus: (txId: string) => Promise.resolve(txs.get(txId)),
    scan: async function* (): AsyncGenerator<ScanEntry> {},
    getHistory: async function* () {},
  };
}

describe('block validation with signatures checked on worker threads', () => {
  let msp: MspManager;
  let user1: SigningIdentity;
  let user2: SigningIdentity;
  let peer1: SigningIdentity;
  let peer2: SigningIdentity;
  let pool: VerifyPool;
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const definition: ChaincodeDefinition = {
    name: CC,
    version: '1.0',
    sequence: 1,
    policy: parseEndorsementPolicy('MAJORITY Endorsement'),
  };

  beforeAll(async () => {
    const [ca1, ca2] = await Promise.all([
      CertificateAuthority.create({ domain: 'org1.example.com' }),
      CertificateAuthority.create({ domain: 'org2.example.com' }),
    ]);
    msp = new MspManager([
      { mspId: 'Org1MSP', rootCertsPem: [ca1.certPem], tlsRootCertsPem: [] },
      { mspId: 'Org2MSP', rootCertsPem: [ca2.certPem], tlsRootCertsPem: [] },
    ]);
    const id = async (ca: CertificateAuthority, mspId: string, cn: string, ou: 'client' | 'peer') => {
      const issued = await ca.issue({ commonName: cn, ou });
      return signingIdentity(mspId, issued.certPem, issued.keyPem);
    };
    [user1, user2, peer1, peer2] = await Promise.all([
      id(ca1, 'Org1MSP', 'User1@org1.example.com', 'client'),
      id(ca2, 'Org2MSP', 'User1@org2.example.com', 'client'),
      id(ca1, 'Org1MSP', 'peer0.org1.example.com', 'peer'),
      id(ca2, 'Org2MSP', 'peer0.org2.example.com', 'peer'),
    ]);
    pool = VerifyPool.start(2);
  });

  afterAll(async () => {
    await pool.close();
  });

  function validator(verifier: SignatureVerifier, ledger = memoryLedger()): BlockValidator {
    return new BlockValidator({
      channelId: CHANNEL,
      deserialize: (bytes) => msp.deserialize(bytes),
      ledger,
      definition: (name) => (name === CC ? definition : undefined),
      applicationOrgs: ['Org1MSP', 'Org2MSP'],
      verifier,
    });
  }

  /** One block with a case per validation code the signatures decide, in Fabric's order of checks. */
  function mixedBlock(): { block: common.Block; expected: number[]; txIds: string[] } {
    const both = [peer1, peer2];
    const valid = envelope({ creator: user1, endorsers: both, writes: [['k0', 'v0']] });
    const cases: Array<[{ bytes: Uint8Array; txId: string }, number]> = [
      [valid, Code.VALID],
      [
        envelope({ creator: user1, endorsers: both, envelopeSigner: (p) => signLowS(otherKey, p) }),
        Code.BAD_CREATOR_SIGNATURE,
      ],
      [
        envelope({ creator: user2, endorsers: both, envelopeSigner: (p) => highS(user2.sign(p)) }),
        Code.BAD_CREATOR_SIGNATURE,
      ],
      [
        envelope({
          creator: user2,
          endorsers: both,
          writes: [['k1', 'v1']],
          forgeEndorsement: { index: 1, sign: (m) => signLowS(otherKey, m) },
        }),
        Code.ENDORSEMENT_POLICY_FAILURE,
      ],
      [
        envelope({
          creator: user2,
          endorsers: both,
          writes: [['k2', 'v2']],
          forgeEndorsement: { index: 0, sign: (m) => highS(peer1.sign(m)) },
        }),
        Code.ENDORSEMENT_POLICY_FAILURE,
      ],
      [
        envelope({ creator: user1, endorsers: [peer1], writes: [['k3', 'v3']] }),
        Code.ENDORSEMENT_POLICY_FAILURE,
      ],
      [valid, Code.DUPLICATE_TXID],
      [
        envelope({ creator: user2, endorsers: both, reads: ['k0'], writes: [['k4', 'v4']] }),
        Code.MVCC_READ_CONFLICT,
      ],
      [envelope({ creator: user2, endorsers: [peer2, peer1], writes: [['k5', 'v5']] }), Code.VALID],
    ];
    return {
      block: block(
        1,
        cases.map(([e]) => e.bytes),
      ),
      expected: cases.map(([, code]) => code),
      txIds: cases.map(([e]) => e.txId),
    };
  }

  it.each<[string, () => SignatureVerifier]>([
    ['on the calling thread', () => inlineVerifier],
    ['on worker threads', () => pool],
  ])('rejects forged and high-S creator and endorsement signatures %s', async (_, verifier) => {
    const { block: b, expected, txIds } = mixedBlock();
    const txs = await validator(verifier()).validate(b);
    expect(txs.map((t) => t.code)).toEqual(expected);
    expect(txs.map((t) => t.txId)).toEqual(txIds);
    expect(txs[0]?.writes).toEqual([{ ns: CC, key: 'k0', value: new Uint8Array(Buffer.from('v0')) }]);
    expect(txs[1]?.writes).toEqual([]);
  });

  it('lets each of several validators sharing a pool verify for itself', async () => {
    const { block: b, expected } = mixedBlock();
    const bytes = b.serializeBinary();
    const peers = [validator(pool), validator(pool), validator(pool), validator(pool)];
    const results = await Promise.all(peers.map((v) => v.validate(common.Block.deserializeBinary(bytes))));
    for (const txs of results) expect(txs.map((t) => t.code)).toEqual(expected);
  });

  it('marks a transaction already committed DUPLICATE_TXID without looking further', async () => {
    const tx = envelope({ creator: user1, endorsers: [peer1, peer2], writes: [['d', '1']] });
    const ledger = memoryLedger(new Map([[tx.txId, { blockNumber: 1, txNumber: 0, code: Code.VALID }]]));
    const txs = await validator(pool, ledger).validate(block(2, [tx.bytes]));
    expect(txs.map((t) => t.code)).toEqual([Code.DUPLICATE_TXID]);
  });

  it('checks reads against committed versions', async () => {
    const ledger = memoryLedger();
    ledger.state.set(`${CC}\u0000k`, { value: Buffer.from('x'), version: { blockNum: 1, txNum: 0 } });
    const stale = envelope({ creator: user1, endorsers: [peer1, peer2], reads: ['k'], writes: [['k', 'y']] });
    const txs = await validator(pool, ledger).validate(block(2, [stale.bytes]));
    expect(txs.map((t) => t.code)).toEqual([Code.MVCC_READ_CONFLICT]);
  });
});
