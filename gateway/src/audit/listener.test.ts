import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import * as asn1js from 'asn1js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../ports/clock.js';
import type { AuditStore, BlockCommit } from './audit-store.js';
import { headerBytes } from './block-hash.js';
import { AuditError } from './errors.js';
import { LevelAuditStore } from './level-audit-store.js';
import { AuditListener } from './listener.js';
import { channelConfig, configTx, TestCa, TestChain } from './testing/blocks.js';
import { MemoryBlockFeed } from './testing/memory-feed.js';
import { scenario, type Scenario } from './testing/scenario.js';

let dir: string;
let stores: LevelAuditStore[] = [];
const clock = new ManualClock('2026-03-02T00:00:00Z');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-audit-'));
});
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
  await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<LevelAuditStore> {
  const store = await LevelAuditStore.open(dir);
  stores.push(store);
  return store;
}

async function reopen(store: LevelAuditStore): Promise<LevelAuditStore> {
  await store.close();
  stores = stores.filter((s) => s !== store);
  return open();
}

/** Everything the read model derived, to compare two runs. */
async function contents(store: AuditStore) {
  const entries = await store.scanEntries('time', { partition: '', from: '', to: '', limit: 500 });
  return {
    state: await store.state(),
    entries: entries.items,
    receipts: await store.receiptsIn('time', '', '', ''),
  };
}

describe('block hashes', () => {
  it('header DER is what asn1js encodes', () => {
    for (const n of [0n, 1n, 127n, 128n, 255n, 256n, 70000n, 2n ** 40n]) {
      const prev = createHash('sha256').update(String(n)).digest();
      const data = createHash('sha256').update(`d${n}`).digest();
      const expected = new asn1js.Sequence({
        value: [
          asn1js.Integer.fromBigInt(n),
          new asn1js.OctetString({ valueHex: n === 0n ? new Uint8Array(0) : prev }),
          new asn1js.OctetString({ valueHex: data }),
        ],
      }).toBER(false);
      expect(headerBytes(n, n === 0n ? new Uint8Array(0) : prev, data).equals(Buffer.from(expected))).toBe(
        true,
      );
    }
  });
});

describe('audit listener', () => {
  let s: Scenario;
  beforeEach(async () => {
    s = await scenario();
  });

  it('indexes every block once, keeps the bytes and hashes, and counts valid and invalid transactions', async () => {
    const store = await open();
    const listener = new AuditListener({ store, feed: new MemoryBlockFeed(s.chain.blocks), clock });
    listener.start();
    await listener.indexedUpTo(BigInt(s.chain.height));
    await listener.close();
    const state = await store.state();
    expect(state).toMatchObject({
      nextBlock: 7,
      alarm: null,
      counts: { blocks: 7, transactions: 14, invalidTransactions: 1, entries: 12, receipts: 4 },
    });
    for (const [n, bytes] of s.chain.blocks.entries())
      expect(Buffer.from(await store.block(BigInt(n))).equals(Buffer.from(bytes))).toBe(true);
    await expect(store.block(7n)).rejects.toMatchObject({ code: 'BLOCK_NOT_FOUND' });
    expect(state.lastBlockHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.trust())?.orgs.map((o) => o.mspId)).toEqual(['OrdererMSP']);
    expect((await store.config())?.version).toBe(1);
    expect(listener.status().state).toBe('stopped');
  });

  it('resumes exactly at the checkpoint after being stopped mid-stream, without counting anything twice', async () => {
    const reference = await open();
    const ref = new AuditListener({ store: reference, feed: new MemoryBlockFeed(s.chain.blocks), clock });
    for (const b of s.chain.blocks) await ref.ingest(b);
    const expected = await contents(reference);
    await reference.close();
    stores = [];
    await rm(dir, { recursive: true, force: true });

    const feed = new MemoryBlockFeed(s.chain.blocks.slice(0, 4));
    let store = await open();
    const first = new AuditListener({ store, feed, clock });
    first.start();
    await first.indexedUpTo(4n);
    await first.close();
    expect(await store.checkpoint()).toBe(4n);
    store = await reopen(store);
    const second = new AuditListener({ store, feed, clock });
    second.start();
    feed.append(...s.chain.blocks.slice(4));
    await second.indexedUpTo(7n);
    await second.close();
    expect(feed.opened).toEqual([0n, 4n]);
    expect(await contents(store)).toEqual(expected);
  });

  it('a block delivered again is recognised and skipped', async () => {
    const store = await open();
    const listener = new AuditListener({ store, feed: new MemoryBlockFeed(), clock });
    for (const b of s.chain.blocks.slice(0, 4)) expect(await listener.ingest(b)).toBe('indexed');
    const before = await contents(store);
    expect(await listener.ingest(s.chain.blocks[3]!)).toBe('duplicate');
    expect(await listener.ingest(s.chain.blocks[1]!)).toBe('duplicate');
    expect(await contents(store)).toEqual(before);
  });

  it('a crash before a block’s batch leaves nothing of it; after the batch, nothing is repeated', async () => {
    const reference = await open();
    const ref = new AuditListener({ store: reference, feed: new MemoryBlockFeed(), clock });
    for (const b of s.chain.blocks) await ref.ingest(b);
    const expected = await contents(reference);
    await reference.close();
    stores = [];
    await rm(dir, { recursive: true, force: true });

    let store = await open();
    const crash = (when: 'before' | 'after', block: bigint): AuditStore =>
      new Proxy(store, {
        get(target, prop, receiver) {
          if (prop !== 'commit') {
            const value = Reflect.get(target, prop, receiver) as unknown;
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          }
          return async (commit: BlockCommit) => {
            if (commit.number === block && when === 'before') throw new Error('crash');
            await target.commit(commit);
            if (commit.number === block) throw new Error('crash');
          };
        },
      });
    const feed = new MemoryBlockFeed(s.chain.blocks);
    const a = new AuditListener({ store: crash('before', 3n), feed, clock });
    for (const b of s.chain.blocks.slice(0, 3)) await a.ingest(b);
    await expect(a.ingest(s.chain.blocks[3]!)).rejects.toThrow('crash');
    expect(await store.checkpoint()).toBe(3n);
    expect((await store.state()).counts.blocks).toBe(3);

    store = await reopen(store);
    const b = new AuditListener({ store: crash('after', 5n), feed, clock });
    for (const block of s.chain.blocks.slice(3, 5)) await b.ingest(block);
    await expect(b.ingest(s.chain.blocks[5]!)).rejects.toThrow('crash');
    expect(await store.checkpoint()).toBe(6n);

    store = await reopen(store);
    const c = new AuditListener({ store, feed, clock });
    c.start();
    await c.indexedUpTo(7n);
    await c.close();
    expect(await contents(store)).toEqual(expected);
  });

  it('reconnects after the stream fails and carries on from the checkpoint', async () => {
    const store = await open();
    const feed = new MemoryBlockFeed(s.chain.blocks);
    feed.failOpen = new Error('peer down');
    feed.failAfter = 3;
    const listener = new AuditListener({ store, feed, clock, retry: { initialMs: 1, maxMs: 5 } });
    listener.start();
    await listener.indexedUpTo(7n);
    await listener.close();
    expect(feed.opened.slice(0, 4)).toEqual([0n, 0n, 3n, 6n]);
    expect((await store.state()).counts).toMatchObject({ blocks: 7, receipts: 4 });
    expect(listener.status().lastError).toBe('stream broken');
  });
});

describe('integrity alarms', () => {
  async function tampered(make: (chain: TestChain) => Promise<Uint8Array> | Uint8Array) {
    const chain = await TestChain.create();
    const store = await open();
    const feed = new MemoryBlockFeed(chain.blocks.slice());
    const listener = new AuditListener({ store, feed, clock });
    listener.start();
    await listener.indexedUpTo(1n);
    const fine = chain.block([]);
    feed.append(fine, await make(chain));
    await listener.indexedUpTo(3n, 5000).catch(() => undefined);
    await listener.close();
    return { store, listener };
  }

  const expectAlarm = async (store: AuditStore, code: string) => {
    const state = await store.state();
    expect(state.alarm).toMatchObject({ code, block: 2, detectedAt: '2026-03-02T00:00:00.000Z' });
    expect(state.nextBlock).toBe(2);
    await expect(store.block(2n)).rejects.toBeInstanceOf(AuditError);
  };

  it('a previous hash that is not the previous header’s hash', async () => {
    const { store, listener } = await tampered((chain) =>
      chain.block([], { previousHash: new Uint8Array(32) }),
    );
    await expectAlarm(store, 'PREVIOUS_HASH_MISMATCH');
    expect(listener.status().state).toBe('halted');
  });

  it('data that does not match the data hash', async () => {
    const { store } = await tampered((chain) => {
      const bytes = chain.block([configTx(new Uint8Array([1, 2, 3]))]);
      const block = common.Block.deserializeBinary(bytes);
      block.getData()?.setDataList([configTx(new Uint8Array([9, 9, 9]))]);
      return block.serializeBinary();
    });
    await expectAlarm(store, 'DATA_HASH_MISMATCH');
  });

  it('a signature by a certificate outside the orderer organisation’s CA', async () => {
    const { store } = await tampered(async (chain) => {
      const rogue = await (await TestCa.create('OrdererMSP')).issue('orderer.creditchain.example');
      return chain.block([], { signer: { mspId: 'OrdererMSP', cert: rogue } });
    });
    await expectAlarm(store, 'ORDERER_SIGNATURE_INVALID');
  });

  it('a signature by an organisation that is not an orderer', async () => {
    const { store } = await tampered(async (chain) => {
      const member = await (await TestCa.create('YangtzeMSP')).issue('peer0.yangtze');
      return chain.block([], { signer: { mspId: 'YangtzeMSP', cert: member } });
    });
    await expectAlarm(store, 'ORDERER_SIGNATURE_INVALID');
  });

  it('a signature that does not verify over the header', async () => {
    const { store } = await tampered((chain) => {
      const bytes = chain.block([]);
      const block = common.Block.deserializeBinary(bytes);
      const md = common.Metadata.deserializeBinary(
        block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES]!,
      );
      const sig = md.getSignaturesList()[0]!;
      const flipped = Uint8Array.from(sig.getSignature_asU8());
      flipped[flipped.length - 1] = (flipped.at(-1) ?? 0) ^ 1;
      sig.setSignature(flipped);
      const slots = block.getMetadata()!.getMetadataList_asU8().slice();
      slots[common.BlockMetadataIndex.SIGNATURES] = md.serializeBinary();
      block.getMetadata()!.setMetadataList(slots);
      return block.serializeBinary();
    });
    await expectAlarm(store, 'ORDERER_SIGNATURE_INVALID');
  });

  it('stays halted after a restart, and a block skipping ahead is an alarm too', async () => {
    const { store } = await tampered((chain) => chain.block([], { previousHash: new Uint8Array(32) }));
    const again = await reopen(store);
    const listener = new AuditListener({ store: again, feed: new MemoryBlockFeed(), clock });
    expect(await listener.ingest(new Uint8Array(0))).toBe('halted');

    await rm(dir, { recursive: true, force: true });
    await again.close();
    stores = [];
    const chain = await TestChain.create();
    chain.block([]);
    chain.block([]);
    const fresh = await open();
    const l = new AuditListener({ store: fresh, feed: new MemoryBlockFeed(), clock });
    expect(await l.ingest(chain.blocks[0]!)).toBe('indexed');
    expect(await l.ingest(chain.blocks[2]!)).toBe('alarm');
    expect((await fresh.alarm())?.code).toBe('BLOCK_NUMBER_MISMATCH');
  });

  it('trusts pinned orderer CAs instead of the genesis block when configured', async () => {
    const chain = await TestChain.create();
    const other = await TestCa.create('orderer');
    const store = await open();
    const pinned = {
      orgs: [{ mspId: 'OrdererMSP', rootCertsPem: [other.pem], intermediateCertsPem: [] }],
      fromBlock: -1,
    };
    const listener = new AuditListener({ store, feed: new MemoryBlockFeed(), clock, pinnedTrust: pinned });
    expect(await listener.ingest(chain.blocks[0]!)).toBe('alarm');
    expect((await store.alarm())?.code).toBe('ORDERER_SIGNATURE_INVALID');
  });

  it('a CONFIG block changes the orderer trust for the blocks after it', async () => {
    const chain = await TestChain.create();
    const next = await TestCa.create('orderer2');
    const nextOrderer = await next.issue('orderer2');
    chain.block([configTx(channelConfig([{ mspId: 'Orderer2MSP', rootPems: [next.pem] }]))]);
    chain.block([], { signer: { mspId: 'Orderer2MSP', cert: nextOrderer } });
    const store = await open();
    const listener = new AuditListener({ store, feed: new MemoryBlockFeed(), clock });
    for (const b of chain.blocks) expect(await listener.ingest(b)).toBe('indexed');
    expect(await store.trust()).toMatchObject({ fromBlock: 1, orgs: [{ mspId: 'Orderer2MSP' }] });
  });
});
