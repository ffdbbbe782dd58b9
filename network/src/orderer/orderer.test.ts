import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify, X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyLowS, type SigningIdentity } from '../crypto/signing.js';
import { blockHeaderHash, verifyBlockSignature } from './blocks.js';
import { at, BlockDecoder } from './testing/decoders.js';
import { OrdererError } from './errors.js';
import { buildGenesisBlock } from './genesis.js';
import { Orderer, type AuthoriseResult, type BroadcastEnvelope, type DeliveredBlock } from './orderer.js';
import { LevelOrdererStore, MemoryOrdererStore, type OrdererStore } from './store.js';
import { makeEnvelope, makeTestChannel, type TestChannel } from './testing/fixtures.js';

const WRITERS_FAILURE =
  "implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied";

/** What the network wires in: the creator's certificate must have signed the payload. */
function authorise(envelope: common.Envelope, parsed: BroadcastEnvelope): AuthoriseResult {
  const creator = msp.SerializedIdentity.deserializeBinary(parsed.signatureHeader.getCreator_asU8());
  const cert = new X509Certificate(Buffer.from(creator.getIdBytes_asU8()));
  return verifyLowS(cert.publicKey, envelope.getPayload_asU8(), envelope.getSignature_asU8())
    ? 'ok'
    : { status: 403, info: WRITERS_FAILURE };
}

function nodeVerify(creator: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const id = msp.SerializedIdentity.deserializeBinary(creator);
  return verify(
    'sha256',
    message,
    new X509Certificate(Buffer.from(id.getIdBytes_asU8())).publicKey,
    signature,
  );
}

const txCount = (b: DeliveredBlock | Uint8Array): number =>
  common.Block.deserializeBinary(b instanceof Uint8Array ? b : b.bytes)
    .getData()!
    .getDataList().length;

async function blockAt(store: OrdererStore, n: number): Promise<common.Block> {
  return common.Block.deserializeBinary((await store.get(n))!);
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let t: TestChannel;
let client: SigningIdentity;
let genesis: Uint8Array;
beforeAll(async () => {
  t = await makeTestChannel({ maxMessageCount: 3, timeoutMs: 1000 });
  client = await t.org1.issue('User1@org1.example.com', 'client');
  genesis = buildGenesisBlock(t.spec, t.ordererSigner).bytes;
});

const opened: Orderer[] = [];
async function open(
  store: OrdererStore = new MemoryOrdererStore(),
  extra: Partial<Parameters<typeof Orderer.open>[0]> = {},
) {
  const o = await Orderer.open({
    store,
    signer: t.ordererSigner,
    authorise,
    genesisBlock: genesis,
    ...extra,
  });
  opened.push(o);
  return o;
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(opened.splice(0).map((o) => o.stop()));
});

describe('Orderer', () => {
  it('starts from the genesis block and reads the batch config from it', async () => {
    const store = new MemoryOrdererStore();
    const o = await open(store);
    expect(o.height).toBe(1);
    expect(o.channelId).toBe('mychannel');
    expect(o.batch).toEqual(t.spec.batch);
    expect(Buffer.from((await store.get(0))!).equals(Buffer.from(genesis))).toBe(true);
  });

  it('cuts a block at maxMessageCount, chained, signed and decodable', async () => {
    const store = new MemoryOrdererStore();
    const o = await open(store);
    for (let i = 0; i < 3; i++)
      expect(await o.broadcast(makeEnvelope(client))).toEqual({ status: 200, info: '' });
    await o.settled();
    expect(o.height).toBe(2);
    const b0 = await blockAt(store, 0);
    const b1 = await blockAt(store, 1);
    expect(b1.getHeader()!.getNumber()).toBe(1);
    expect(Buffer.from(b1.getHeader()!.getPreviousHash_asU8()).equals(blockHeaderHash(b0.getHeader()!))).toBe(
      true,
    );
    expect(verifyBlockSignature(b1, nodeVerify)).toBe(true);
    const decoded = BlockDecoder.decode(Buffer.from((await store.get(1))!));
    expect(at(decoded, 'data.data')).toHaveLength(3);
    expect(at(decoded, 'data.data.0.payload.header.channel_header.typeString')).toBe('ENDORSER_TRANSACTION');
    expect(at(decoded, 'data.data.0.payload.header.channel_header.channel_id')).toBe('mychannel');
    expect(at(decoded, 'data.data.0.payload.header.signature_header.creator.mspid')).toBe('Org1MSP');
    expect(at(decoded, 'metadata.metadata.0.signatures.0.signature_header.creator.mspid')).toBe('OrdererMSP');
  });

  it('cuts a block when the batch timeout elapses after the first pending envelope', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const o = await open();
    await o.broadcast(makeEnvelope(client));
    await vi.advanceTimersByTimeAsync(600);
    await o.broadcast(makeEnvelope(client));
    await vi.advanceTimersByTimeAsync(399);
    await o.settled();
    expect(o.height).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await o.settled();
    expect(o.height).toBe(2);
    const blocks: DeliveredBlock[] = [];
    for await (const b of o.blocks(1)) {
      blocks.push(b);
      break;
    }
    expect(blocks.map(txCount)).toEqual([2]);
    // No pending envelopes: the timer is not re-armed.
    await vi.advanceTimersByTimeAsync(5000);
    await o.settled();
    expect(o.height).toBe(2);
  });

  it('restarts the timeout after a count cut', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const o = await open();
    for (let i = 0; i < 4; i++) await o.broadcast(makeEnvelope(client));
    await o.settled();
    expect(o.height).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    await o.settled();
    expect(o.height).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await o.settled();
    expect(o.height).toBe(3);
  });

  it('cuts by preferredMaxBytes', async () => {
    const size = (() => {
      const e = common.Envelope.deserializeBinary(makeEnvelope(client, { data: new Uint8Array(1000) }));
      return e.getPayload_asU8().length + e.getSignature_asU8().length;
    })();
    const store = new MemoryOrdererStore();
    // Room for two envelopes (ECDSA signatures vary by a couple of bytes).
    const o = await open(store, {
      batch: {
        maxMessageCount: 100,
        absoluteMaxBytes: 10 * size,
        preferredMaxBytes: 2 * size + 10,
        timeoutMs: 60_000,
      },
    });
    for (let i = 0; i < 5; i++) await o.broadcast(makeEnvelope(client, { data: new Uint8Array(1000) }));
    await o.settled();
    expect(o.height).toBe(3);
    expect([txCount((await store.get(1))!), txCount((await store.get(2))!)]).toEqual([2, 2]);
  });

  it('refuses an envelope larger than absoluteMaxBytes with BAD_REQUEST', async () => {
    const o = await open(new MemoryOrdererStore(), {
      batch: { maxMessageCount: 10, absoluteMaxBytes: 2000, preferredMaxBytes: 1000, timeoutMs: 60_000 },
    });
    const r = await o.broadcast(makeEnvelope(client, { data: new Uint8Array(3000) }));
    expect(r.status).toBe(400);
    expect(r.info).toMatch(/^message payload is \d+ bytes and exceeds maximum allowed 2000 bytes$/);
  });

  it('answers 403 FORBIDDEN when authorisation fails, and other refusals', async () => {
    const o = await open();
    expect(await o.broadcast(makeEnvelope(client, { badSignature: true }))).toEqual({
      status: 403,
      info: WRITERS_FAILURE,
    });
    expect((await o.broadcast(makeEnvelope(client, { channelId: 'other' }))).status).toBe(404);
    expect((await o.broadcast(makeEnvelope(client, { type: common.HeaderType.CONFIG_UPDATE }))).status).toBe(
      400,
    );
    expect((await o.broadcast(Buffer.from([0xff, 0xff, 0xff]))).status).toBe(400);
    expect(await o.broadcast(new Uint8Array(0))).toEqual({ status: 400, info: 'Message was empty' });
    await o.settled();
    expect(o.height).toBe(1);
  });

  it('answers 500 when the authorise hook throws', async () => {
    const o = await open(new MemoryOrdererStore(), {
      authorise: () => {
        throw new Error('msp exploded');
      },
    });
    expect(await o.broadcast(makeEnvelope(client))).toEqual({
      status: 500,
      info: 'authorisation failed: msp exploded',
    });
  });

  it('replays stored blocks from any height, then follows live blocks', async () => {
    const o = await open();
    for (let i = 0; i < 6; i++) await o.broadcast(makeEnvelope(client));
    await o.settled();
    expect(o.height).toBe(3);

    const seen: number[] = [];
    const follower = (async () => {
      for await (const b of o.blocks(1)) {
        seen.push(b.number);
        expect(common.Block.deserializeBinary(b.bytes).getHeader()!.getNumber()).toBe(b.number);
        if (b.number === 4) break;
      }
    })();
    await vi.waitFor(() => {
      expect(seen).toEqual([1, 2]);
    });
    for (let i = 0; i < 6; i++) await o.broadcast(makeEnvelope(client));
    await follower;
    expect(seen).toEqual([1, 2, 3, 4]);

    const all: number[] = [];
    for await (const b of o.blocks()) {
      all.push(b.number);
      if (all.length === 5) break;
    }
    expect(all).toEqual([0, 1, 2, 3, 4]);
  });

  it('ends a waiting iterator when its signal aborts', async () => {
    const o = await open();
    const ac = new AbortController();
    const seen: number[] = [];
    const follower = (async () => {
      for await (const b of o.blocks(0, { signal: ac.signal })) seen.push(b.number);
    })();
    await vi.waitFor(() => {
      expect(seen).toEqual([0]);
    });
    ac.abort();
    await follower;
    expect(seen).toEqual([0]);
  });

  it('persists a block before announcing it', async () => {
    const gate = deferred<undefined>();
    const inner = new MemoryOrdererStore();
    const store: OrdererStore = {
      height: () => inner.height(),
      get: (n) => inner.get(n),
      close: () => inner.close(),
      append: async (n, bytes) => {
        if (n > 0) await gate.promise;
        await inner.append(n, bytes);
      },
    };
    const o = await open(store);
    const seen: number[] = [];
    const follower = (async () => {
      for await (const b of o.blocks(1)) {
        seen.push(b.number);
        break;
      }
    })();
    for (let i = 0; i < 3; i++) await o.broadcast(makeEnvelope(client));
    await new Promise((r) => setTimeout(r, 20));
    expect(o.height).toBe(1);
    expect(seen).toEqual([]);
    gate.resolve(undefined);
    await follower;
    expect(seen).toEqual([1]);
    expect(inner.size).toBe(2);
  });

  it('stop(): drops the pending batch, fails in-flight and later broadcasts with 503, ends followers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const gate = deferred<AuthoriseResult>();
    let calls = 0;
    const store = new MemoryOrdererStore();
    const o = await open(store, { authorise: () => (++calls === 2 ? gate.promise : 'ok') });
    expect((await o.broadcast(makeEnvelope(client))).status).toBe(200);
    const inFlight = o.broadcast(makeEnvelope(client));
    const ended = (async () => {
      const got: number[] = [];
      for await (const b of o.blocks(0)) got.push(b.number);
      return got;
    })();
    await o.stop();
    gate.resolve('ok');
    expect(await inFlight).toMatchObject({ status: 503 });
    expect(await o.broadcast(makeEnvelope(client))).toMatchObject({ status: 503 });
    expect(await ended).toEqual([0]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(o.height).toBe(1);
    expect(store.size).toBe(1);
    expect(o.isStopped).toBe(true);
  });

  it('stops and fails followers when the store cannot write', async () => {
    const inner = new MemoryOrdererStore();
    const store: OrdererStore = {
      height: () => inner.height(),
      get: (n) => inner.get(n),
      close: () => inner.close(),
      append: (n, bytes) => (n > 0 ? Promise.reject(new Error('disk full')) : inner.append(n, bytes)),
    };
    const o = await open(store);
    const follower = (async () => {
      for await (const b of o.blocks(1)) expect(b.number).toBeGreaterThan(0);
    })();
    for (let i = 0; i < 3; i++) await o.broadcast(makeEnvelope(client));
    await o.settled();
    await expect(follower).rejects.toThrow(/writing block 1 failed: disk full/);
    expect(await o.broadcast(makeEnvelope(client))).toMatchObject({ status: 503 });
    expect(o.height).toBe(1);
  });

  it('refuses to open without a genesis block or with a different one', async () => {
    await expect(
      Orderer.open({ store: new MemoryOrdererStore(), signer: t.ordererSigner, authorise }),
    ).rejects.toThrow(OrdererError);
    const store = new MemoryOrdererStore();
    await open(store);
    const other = buildGenesisBlock(t.spec, t.ordererSigner).bytes;
    await expect(open(store, { genesisBlock: other })).rejects.toThrow(/does not match/);
  });
});

describe('Orderer restart on LevelDB', () => {
  it('continues from the stored height and previous hash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orderer-'));
    try {
      let store = await LevelOrdererStore.open(join(dir, 'chain'));
      let o = await Orderer.open({ store, signer: t.ordererSigner, authorise, genesisBlock: genesis });
      for (let i = 0; i < 6; i++) await o.broadcast(makeEnvelope(client));
      await o.broadcast(makeEnvelope(client)); // pending, lost at stop
      await o.settled();
      expect(o.height).toBe(3);
      await o.stop();
      await store.close();

      store = await LevelOrdererStore.open(join(dir, 'chain'));
      expect(await store.height()).toBe(3);
      o = await Orderer.open({ store, signer: t.ordererSigner, authorise, genesisBlock: genesis });
      expect(o.height).toBe(3);
      for (let i = 0; i < 3; i++) await o.broadcast(makeEnvelope(client));
      await o.settled();
      expect(o.height).toBe(4);

      // The whole chain links header hashes and every block verifies.
      const chain: common.Block[] = [];
      for await (const b of o.blocks(0)) {
        chain.push(common.Block.deserializeBinary(b.bytes));
        if (b.number === 3) break;
      }
      for (let n = 1; n < chain.length; n++) {
        const prev = blockHeaderHash(chain[n - 1]!.getHeader()!);
        expect(Buffer.from(chain[n]!.getHeader()!.getPreviousHash_asU8()).equals(prev)).toBe(true);
        expect(verifyBlockSignature(chain[n]!, nodeVerify)).toBe(true);
      }
      expect(chain.map((b) => b.getData()!.getDataList().length)).toEqual([1, 3, 3, 3]);
      await o.stop();
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
