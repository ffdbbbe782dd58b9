import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSET_CHAINCODE, connectAs } from '../../../test/network/support.js';
import { PeerLedger } from '../ledger/index.js';
import { blockKey, stateKey } from '../ledger/keys.js';
import { decodeStateRecord, encodeStateRecord } from '../ledger/records.js';
import { startNetwork } from '../network.js';
import { parseChannelConfig, type ChannelConfig } from '../orderer/channel-config.js';
import { LevelOrdererStore } from '../orderer/store.js';
import { testNetworkProfile } from '../profile.js';
import { verifyLedger, type LedgerVerification, type VerifyLedgerOptions } from './ledger-verify.js';

const BINARY = { keyEncoding: 'view', valueEncoding: 'view' } as const;
const PEER1 = 'peer0.org1.example.com';
const PEER2 = 'peer0.org2.example.com';

let dir: string;
let genesisConfig: ChannelConfig;
let genesisBytes: Uint8Array;
/** Where the tx that wrote `plain` (VALID) committed, and a block holding an invalid tx. */
let plainTx: { block: number; tx: number };
let stateKeys: number;
let height: number;

/** A private copy of a stopped peer's ledger folder, so each test tampers its own. */
async function ledgerCopy(host: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'creditchain-verify-'));
  await cp(join(dir, 'ledgers', host), copy, { recursive: true });
  return copy;
}

/** Changes raw LevelDB values of a closed ledger, as an attacker with disk access would. */
async function tamper(
  ledgerDir: string,
  sublevel: 'blocks' | 'state',
  key: Uint8Array,
  change: (bytes: Buffer) => Uint8Array,
): Promise<void> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(ledgerDir, BINARY);
  await db.open();
  try {
    const store = db.sublevel<Uint8Array, Uint8Array>(sublevel, BINARY);
    const bytes = await store.get(key);
    if (bytes === undefined) throw new Error(`no ${sublevel} entry to tamper with`);
    await store.put(key, change(Buffer.from(bytes)));
  } finally {
    await db.close();
  }
}

async function verifyDir(ledgerDir: string, options: VerifyLedgerOptions = {}): Promise<LedgerVerification> {
  const ledger = await PeerLedger.open(ledgerDir);
  try {
    return await verifyLedger(ledger, options);
  } finally {
    await ledger.close();
    await rm(ledgerDir, { recursive: true, force: true });
  }
}

function flip(bytes: Buffer, at: number): Buffer {
  const out = Buffer.from(bytes);
  out[at] = (out[at] ?? 0) ^ 0x01;
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'creditchain-verify-net-'));
  const net = await startNetwork(testNetworkProfile(), { dir, freePorts: true });
  try {
    await net.deploy({
      name: 'asset',
      path: ASSET_CHAINCODE,
      version: '1.0',
      policy: 'MAJORITY Endorsement',
    });
    const { gateway, client } = connectAs(net, 'Org1MSP');
    try {
      const asset = gateway.getNetwork('mychannel').getContract('asset');
      await asset.submitTransaction('Create', 'guarded', 'v1');
      const plain = await asset.submitAsync('Put', { arguments: ['plain', 'hello'] });
      const status = await plain.getStatus();
      await asset.submitTransaction('SetKeyPolicy', 'guarded', JSON.stringify(['Org1MSP', 'Org2MSP']));
      await asset.submitTransaction('Put', 'guarded', 'v2');
      await asset.submitTransaction('PutMany', 'bulk', '5');
      await asset.submitTransaction('Put', 'counter', '0');
      // Two read-modify-writes of one key in one block: one commits, the other is MVCC_READ_CONFLICT.
      const first = await asset.newProposal('Increment', { arguments: ['counter'] }).endorse();
      const second = await asset.newProposal('Increment', { arguments: ['counter'] }).endorse();
      const codes = await Promise.all(
        [first.submit(), second.submit()].map(async (s) => (await s).getStatus()),
      );
      expect(codes.map((c) => c.code).sort()).toEqual([0, 11]);
      const ledger = net.peer('Org1MSP').ledger;
      const where = await ledger.getTxStatus(status.transactionId);
      if (!where) throw new Error('plain tx not indexed');
      plainTx = { block: where.blockNumber, tx: where.txNumber };
    } finally {
      gateway.close();
      client.close();
    }
    // Let the second peer catch up before stopping.
    const target = net.peer('Org1MSP').ledger.height;
    for (let i = 0; i < 100 && net.peer('Org2MSP').ledger.height < target; i++)
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    await net.stop();
  }
  const orderer = await LevelOrdererStore.open(join(dir, 'ledgers', 'orderer'));
  const genesis = await orderer.get(0);
  await orderer.close();
  if (!genesis) throw new Error('orderer has no genesis block');
  genesisBytes = genesis;
  genesisConfig = parseChannelConfig(genesis);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyLedger', () => {
  it('accepts the ledgers a running network committed, on every peer', async () => {
    const one = await verifyDir(await ledgerCopy(PEER1));
    expect(one.problems).toEqual([]);
    expect(one.ok).toBe(true);
    expect(one.firstBadBlock).toBeUndefined();
    expect(one.height).toBeGreaterThanOrEqual(7);
    // guarded, plain, counter and bulk-0000..bulk-0004
    expect(one.stateKeys).toBe(8);
    const two = await verifyDir(await ledgerCopy(PEER2), { genesisBlock: genesisBytes });
    expect(two).toEqual(one);
    expect(await verifyDir(await ledgerCopy(PEER2), { channelConfig: genesisConfig })).toEqual(one);
    ({ height, stateKeys } = one);
  });

  it('names the block whose transaction bytes changed', async () => {
    const copy = await ledgerCopy(PEER1);
    await tamper(copy, 'blocks', blockKey(plainTx.block), (bytes) => {
      const envelope = common.Block.deserializeBinary(bytes).getData()?.getDataList_asU8()[plainTx.tx];
      if (!envelope) throw new Error('no envelope');
      const at = bytes.indexOf(Buffer.from(envelope));
      return flip(bytes, at + Math.floor(envelope.length / 2));
    });
    const result = await verifyDir(copy, { genesisBlock: genesisBytes });
    expect(result.ok).toBe(false);
    expect(result.firstBadBlock).toBe(plainTx.block);
    expect(result.problems[0]).toBe(
      `block ${plainTx.block}: data_hash does not match the SHA-256 of its transactions (block data changed)`,
    );
  });

  it('names the block whose orderer signature changed', async () => {
    const copy = await ledgerCopy(PEER1);
    const n = height - 1;
    await tamper(copy, 'blocks', blockKey(n), (bytes) => {
      const slot = common.Block.deserializeBinary(bytes).getMetadata()?.getMetadataList_asU8()[
        common.BlockMetadataIndex.SIGNATURES
      ];
      const signature = common.Metadata.deserializeBinary(slot ?? new Uint8Array())
        .getSignaturesList()[0]
        ?.getSignature_asU8();
      if (!signature) throw new Error('no signature');
      return flip(bytes, bytes.indexOf(Buffer.from(signature)) + signature.length - 1);
    });
    const result = await verifyDir(copy);
    expect(result).toMatchObject({ ok: false, firstBadBlock: n });
    expect(result.problems).toEqual([
      `block ${n}: orderer signature is missing or does not verify against the ordering organisations of the channel`,
    ]);
  });

  it('names the block whose header was rewritten, breaking the hash chain', async () => {
    const copy = await ledgerCopy(PEER1);
    const n = plainTx.block;
    await tamper(copy, 'blocks', blockKey(n), (bytes) => {
      const previous = common.Block.deserializeBinary(bytes).getHeader()?.getPreviousHash_asU8();
      if (!previous) throw new Error('no header');
      return flip(bytes, bytes.indexOf(Buffer.from(previous)));
    });
    const result = await verifyDir(copy);
    expect(result.firstBadBlock).toBe(n);
    expect(result.problems).toContain(
      `block ${n}: previous_hash is not the hash of block ${n - 1}'s header (hash chain broken)`,
    );
  });

  it('detects a transaction marked invalid after the fact, in the block and in the replayed state', async () => {
    const copy = await ledgerCopy(PEER1);
    await tamper(copy, 'blocks', blockKey(plainTx.block), (bytes) => {
      const block = common.Block.deserializeBinary(bytes);
      const slots = block.getMetadata()?.getMetadataList_asU8().slice() ?? [];
      const filter = Uint8Array.from(slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? []);
      filter[plainTx.tx] = 11;
      slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = filter;
      block.getMetadata()?.setMetadataList(slots);
      return block.serializeBinary();
    });
    const result = await verifyDir(copy);
    expect(result.firstBadBlock).toBe(plainTx.block);
    expect(result.problems).toEqual([
      `block ${plainTx.block}: tx ${plainTx.tx} has validation code 11 in TRANSACTIONS_FILTER but 0 in the txid index`,
      `state asset "plain": stored (version ${plainTx.block}:${plainTx.tx}) but no valid transaction leaves it there`,
    ]);
  });

  it('reports a state value that differs from the replay of the blocks', async () => {
    const copy = await ledgerCopy(PEER1);
    await tamper(copy, 'state', stateKey('asset', 'plain'), (record) => {
      const { version } = decodeStateRecord(record);
      return encodeStateRecord(Buffer.from('hellO'), version);
    });
    const result = await verifyDir(copy);
    expect(result).toMatchObject({ ok: false, height, stateKeys });
    expect(result.firstBadBlock).toBeUndefined();
    expect(result.problems).toEqual([
      `state asset "plain": value differs from the one written at ${plainTx.block}:${plainTx.tx}`,
    ]);
  });

  it('reports a state entry no transaction wrote, and one that disappeared', async () => {
    const copy = await ledgerCopy(PEER1);
    const db = new ClassicLevel<Uint8Array, Uint8Array>(copy, BINARY);
    await db.open();
    const state = db.sublevel<Uint8Array, Uint8Array>('state', BINARY);
    await state.put(
      stateKey('asset', 'forged'),
      encodeStateRecord(Buffer.from('x'), { blockNum: 1, txNum: 0 }),
    );
    await state.del(stateKey('asset', 'bulk-0003'));
    await db.close();
    const result = await verifyDir(copy);
    expect(result.stateKeys).toBe(stateKeys);
    expect(result.problems).toEqual([
      'state asset "forged": stored (version 1:0) but no valid transaction leaves it there',
      expect.stringMatching(/^state asset "bulk-0003": missing, but written at \d+:0 and never deleted$/),
    ]);
  });

  it("refuses a ledger whose block 0 is not the orderer's genesis block", async () => {
    const other = common.Block.deserializeBinary(genesisBytes);
    other.getHeader()?.setDataHash(Buffer.alloc(32, 7));
    const result = await verifyDir(await ledgerCopy(PEER1), { genesisBlock: other.serializeBinary() });
    expect(result.firstBadBlock).toBe(0);
    expect(result.problems).toEqual([
      "block 0: is not the channel's genesis block (its header differs from the orderer's)",
    ]);
  });

  it('uses the signature check it is given', async () => {
    const copy = await ledgerCopy(PEER1);
    const ledger = await PeerLedger.open(copy);
    try {
      const result = await verifyLedger(ledger, {
        verifyOrdererSignature: (block) => block.getHeader()?.getNumber() !== 2,
      });
      expect(result).toMatchObject({ ok: false, firstBadBlock: 2 });
    } finally {
      await ledger.close();
      await rm(copy, { recursive: true, force: true });
    }
  });
});
