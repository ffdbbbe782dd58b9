/**
 * Event delivery of the emulator through the real, unmodified `@hyperledger/fabric-gateway` client:
 * chaincode events (`gateway.Gateway/ChaincodeEvents`) with start blocks and checkpoint resume, and
 * block events (`protos.Deliver` Deliver / DeliverFiltered / DeliverWithPrivateData).
 */
import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  checkpointers,
  connect,
  signers,
  type ChaincodeEvent,
  type CloseableAsyncIterable,
  type Contract,
  type Gateway,
  type Network,
  type Status,
} from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../network/src/msp/index.js';
import { connectAs, startTestNetwork, type TestNetwork } from './support.js';

const STREAM_TIMEOUT_MS = 20_000;

/** Reads the next `n` items of a stream, failing after `ms`; the stream stays open. */
async function take<T>(iterator: AsyncIterator<T>, n: number, ms = STREAM_TIMEOUT_MS): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    const next = iterator.next();
    next.catch(() => undefined); // a stream closed after a timeout rejects the pending read
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          reject(new Error(`timed out after ${ms} ms with ${out.length} of ${n} items`));
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      const result = await Promise.race([next, timeout]);
      if (result.done === true) throw new Error(`stream ended after ${out.length} of ${n} items`);
      out.push(result.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return out;
}

/** Opens a stream, reads `n` items and closes it. */
async function takeAndClose<T>(open: Promise<CloseableAsyncIterable<T>>, n: number): Promise<T[]> {
  const stream = await open;
  try {
    return await take(stream[Symbol.asyncIterator](), n);
  } finally {
    stream.close();
  }
}

/** The first error a stream fails with (it must fail before yielding anything). */
async function streamError(open: () => Promise<CloseableAsyncIterable<unknown>>): Promise<Error> {
  let stream: CloseableAsyncIterable<unknown> | undefined;
  try {
    stream = await open();
    const items = await take(stream[Symbol.asyncIterator](), 1);
    throw new Error(`expected the stream to be refused, got ${items.length} item(s)`);
  } catch (err) {
    return err as Error;
  } finally {
    stream?.close();
  }
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

interface Submitted {
  readonly id: string;
  readonly value: string;
  readonly status: Status;
}

/** Chaincode header, validation code and the chaincode event (if any) of each tx of a full block. */
function describeBlock(
  block: common.Block,
): { txId: string; type: number; code: number; event?: peer.ChaincodeEvent }[] {
  const filter = block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER]!;
  return block
    .getData()!
    .getDataList_asU8()
    .map((raw, i) => {
      const payload = common.Payload.deserializeBinary(
        common.Envelope.deserializeBinary(raw).getPayload_asU8(),
      );
      const chdr = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
      const entry = { txId: chdr.getTxId(), type: chdr.getType(), code: filter[i]! };
      if (chdr.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return entry;
      const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0]!;
      const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
      const prp = peer.ProposalResponsePayload.deserializeBinary(
        cap.getAction()!.getProposalResponsePayload_asU8(),
      );
      const events = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()).getEvents_asU8();
      return events.length === 0 ? entry : { ...entry, event: peer.ChaincodeEvent.deserializeBinary(events) };
    });
}

describe('events through the fabric-gateway client', () => {
  let t: TestNetwork;
  let gateway: Gateway;
  let client: grpc.Client;
  let network: Network;
  let asset: Contract;
  let unique = 0;
  const newId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${unique++}`;
  const height = (): number => t.net.peer('Org1MSP').ledger.height;

  /** Submits `Create(id, value)` for each value concurrently and waits for every commit status. */
  async function create(prefix: string, count: number): Promise<Submitted[]> {
    const pending = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const id = newId(prefix);
        const value = `${prefix}-value-${i}`;
        return { id, value, submitted: await asset.submitAsync('Create', { arguments: [id, value] }) };
      }),
    );
    return Promise.all(
      pending.map(async ({ id, value, submitted }) => {
        const status = await submitted.getStatus();
        expect(status.successful).toBe(true);
        return { id, value, status };
      }),
    );
  }

  /** Ledger order: by block, then by position of the tx in its block. */
  async function inLedgerOrder(txs: readonly Submitted[]): Promise<Submitted[]> {
    const position = new Map<string, number>();
    for (const tx of txs) {
      const status = await t.net.peer('Org1MSP').ledger.getTxStatus(tx.status.transactionId);
      if (!status) throw new Error(`tx ${tx.status.transactionId} not in the ledger`);
      position.set(tx.status.transactionId, status.blockNumber * 1_000_000 + status.txNumber);
    }
    return [...txs].sort(
      (a, b) => position.get(a.status.transactionId)! - position.get(b.status.transactionId)!,
    );
  }

  function expectEventOf(event: ChaincodeEvent, tx: Submitted): void {
    expect(event.chaincodeName).toBe('asset');
    expect(event.eventName).toBe('Created');
    expect(event.transactionId).toBe(tx.status.transactionId);
    expect(event.blockNumber).toBe(tx.status.blockNumber);
    expect(JSON.parse(text(event.payload))).toEqual({ id: tx.id, value: tx.value });
  }

  beforeAll(async () => {
    t = await startTestNetwork();
    ({ gateway, client } = connectAs(t.net, 'Org1MSP'));
    network = gateway.getNetwork('mychannel');
    asset = network.getContract('asset');
  });

  afterAll(async () => {
    gateway.close();
    client.close();
    await t.close();
  });

  describe('chaincode events', () => {
    it('delivers the Created events of committed transactions in ledger order, with payloads', async () => {
      const start = height();
      const txs = await inLedgerOrder(await create('ev', 5));
      const events = await takeAndClose(
        network.getChaincodeEvents('asset', { startBlock: BigInt(start) }),
        txs.length,
      );
      events.forEach((event, i) => {
        expectEventOf(event, txs[i]!);
      });
    });

    it('skips events of invalid transactions and of other chaincodes', async () => {
      const start = height();
      const id = newId('dup');
      // Both proposals are endorsed against the same state, so the second Create of `id` is an MVCC conflict.
      const first = await asset.newProposal('Create', { arguments: [id, 'first'] }).endorse();
      const second = await asset.newProposal('Create', { arguments: [id, 'second'] }).endorse();
      const s1 = await first.submit(); // Submit returns once the orderer accepted the envelope
      const s2 = await second.submit();
      const statuses = [await s1.getStatus(), await s2.getStatus()];
      expect(statuses.map((s) => s.code)).toEqual([
        peer.TxValidationCode.VALID,
        peer.TxValidationCode.MVCC_READ_CONFLICT,
      ]);
      const [after] = await create('after-dup', 1);
      const events = await takeAndClose(
        network.getChaincodeEvents('asset', { startBlock: BigInt(start) }),
        2,
      );
      expect(events.map((e) => e.transactionId)).toEqual([
        statuses[0]!.transactionId,
        after!.status.transactionId,
      ]);
      // A stream for a chaincode that emitted nothing in those blocks sees only later events of that chaincode.
      const other = await network.getChaincodeEvents('no-such-chaincode', { startBlock: BigInt(start) });
      try {
        await expect(take(other[Symbol.asyncIterator](), 1, 1_500)).rejects.toThrow(/timed out/);
      } finally {
        other.close();
      }
    });

    it('resumes from a checkpoint with exactly the events after it (after_transaction_id)', async () => {
      const start = height();
      const batch1 = await inLedgerOrder(await create('cp1', 6));
      // Checkpoint at an event followed by another one in the same block, to exercise after_transaction_id.
      const k = batch1.findIndex(
        (tx, i) => i + 1 < batch1.length && batch1[i + 1]!.status.blockNumber === tx.status.blockNumber,
      );
      expect(k).toBeGreaterThanOrEqual(0);

      const checkpointer = checkpointers.inMemory();
      const first = await network.getChaincodeEvents('asset', { startBlock: BigInt(start) });
      try {
        const events = await take(first[Symbol.asyncIterator](), k + 1);
        events.forEach((event, i) => {
          expectEventOf(event, batch1[i]!);
        });
        for (const event of events) await checkpointer.checkpointChaincodeEvent(event);
      } finally {
        first.close();
      }
      expect(checkpointer.getBlockNumber()).toBe(batch1[k]!.status.blockNumber);
      expect(checkpointer.getTransactionId()).toBe(batch1[k]!.status.transactionId);

      const batch2 = await inLedgerOrder(await create('cp2', 3));
      const expected = [...batch1.slice(k + 1), ...batch2];
      // The checkpoint wins over startBlock, as in the client's EventsBuilder.
      const resumed = await network.getChaincodeEvents('asset', { checkpoint: checkpointer, startBlock: 0n });
      try {
        const iterator = resumed[Symbol.asyncIterator]();
        const events = await take(iterator, expected.length);
        events.forEach((event, i) => {
          expectEventOf(event, expected[i]!);
        });
        // Nothing else is pending: the next event is that of a transaction committed now.
        const [later] = await create('cp3', 1);
        const [next] = await take(iterator, 1);
        expectEventOf(next!, later!);
      } finally {
        resumed.close();
      }
    });

    it('resumes from a block checkpoint with a file checkpointer', async () => {
      const dir = t.net.dir;
      const start = height();
      const txs = await inLedgerOrder(await create('file', 2));
      const checkpointer = await checkpointers.file(`${dir}/events-checkpoint.json`);
      await checkpointer.checkpointBlock(BigInt(start - 1)); // next block to read: start
      const events = await takeAndClose(
        network.getChaincodeEvents('asset', { checkpoint: checkpointer }),
        txs.length,
      );
      events.forEach((event, i) => {
        expectEventOf(event, txs[i]!);
      });
      const reloaded = await checkpointers.file(`${dir}/events-checkpoint.json`);
      expect(reloaded.getBlockNumber()).toBe(BigInt(start));
      expect(reloaded.getTransactionId()).toBeUndefined();
    });
  });

  describe('block events', () => {
    type Kind = 'block' | 'filtered' | 'private';
    const kinds: Kind[] = ['block', 'filtered', 'private'];
    const numberOf = (item: common.Block | peer.FilteredBlock | peer.BlockAndPrivateData): number => {
      if (item instanceof common.Block) return item.getHeader()!.getNumber();
      if (item instanceof peer.FilteredBlock) return item.getNumber();
      return item.getBlock()!.getHeader()!.getNumber();
    };
    const open = (
      kind: Kind,
      startBlock: bigint,
    ): Promise<CloseableAsyncIterable<common.Block | peer.FilteredBlock | peer.BlockAndPrivateData>> => {
      if (kind === 'block') return network.getBlockEvents({ startBlock });
      if (kind === 'filtered') return network.getFilteredBlockEvents({ startBlock });
      return network.getBlockAndPrivateDataEvents({ startBlock });
    };

    beforeAll(async () => {
      if (height() < 4) await create('blocks', 1);
      if (height() < 4) await create('blocks', 1);
    });

    it.each(kinds)(
      '%s events from block 0 and from a later block are consecutive committed blocks',
      async (kind) => {
        const h = height();
        const all = await takeAndClose(open(kind, 0n), h);
        expect(all.map(numberOf)).toEqual(Array.from({ length: h }, (_, i) => i));
        const later = await takeAndClose(open(kind, BigInt(h - 2)), 2);
        expect(later.map(numberOf)).toEqual([h - 2, h - 1]);
        for (const item of [...all, ...later]) {
          const n = numberOf(item);
          const stored = (await t.net.peer('Org1MSP').ledger.getBlock(n))!;
          if (item instanceof common.Block)
            expect(Buffer.from(item.serializeBinary()).equals(Buffer.from(stored.serializeBinary()))).toBe(
              true,
            );
          if (item instanceof peer.BlockAndPrivateData) {
            expect(
              Buffer.from(item.getBlock()!.serializeBinary()).equals(Buffer.from(stored.serializeBinary())),
            ).toBe(true);
            expect(item.getPrivateDataMapMap().getLength()).toBe(0);
          }
        }
      },
    );

    it('filtered blocks carry tx ids, validation codes and chaincode events without payload', async () => {
      const start = height();
      const id = newId('filtered');
      const first = await asset.newProposal('Create', { arguments: [id, 'one'] }).endorse();
      const second = await asset.newProposal('Create', { arguments: [id, 'two'] }).endorse();
      const noEvent = await asset.newProposal('Put', { arguments: [newId('put'), 'x'] }).endorse();
      const submitted = [await first.submit(), await second.submit(), await noEvent.submit()];
      const statuses = await Promise.all(submitted.map((s) => s.getStatus()));
      expect(statuses.map((s) => s.code)).toEqual([
        peer.TxValidationCode.VALID,
        peer.TxValidationCode.MVCC_READ_CONFLICT,
        peer.TxValidationCode.VALID,
      ]);
      const last = Math.max(...statuses.map((s) => Number(s.blockNumber)));
      const count = last - start + 1;

      const filtered = await takeAndClose(
        network.getFilteredBlockEvents({ startBlock: BigInt(start) }),
        count,
      );
      const full = await takeAndClose(network.getBlockEvents({ startBlock: BigInt(start) }), count);
      const seen = new Map<string, peer.FilteredTransaction>();
      filtered.forEach((fb, i) => {
        const block = full[i]!;
        expect(fb.getChannelId()).toBe('mychannel');
        expect(fb.getNumber()).toBe(block.getHeader()!.getNumber());
        const txs = describeBlock(block);
        expect(fb.getFilteredTransactionsList()).toHaveLength(txs.length);
        fb.getFilteredTransactionsList().forEach((ftx, j) => {
          const tx = txs[j]!;
          expect(ftx.getTxid()).toBe(tx.txId);
          expect(ftx.getType()).toBe(tx.type);
          expect(ftx.getTxValidationCode()).toBe(tx.code);
          const actions = ftx.getTransactionActions()?.getChaincodeActionsList() ?? [];
          // As Fabric's deliverevents.go: one filtered action per chaincode event, name but no payload.
          expect(actions).toHaveLength(tx.event ? 1 : 0);
          if (tx.event) {
            const event = actions[0]!.getChaincodeEvent()!;
            expect(event.getTxId()).toBe(tx.txId);
            expect(event.getChaincodeId()).toBe(tx.event.getChaincodeId());
            expect(event.getEventName()).toBe(tx.event.getEventName());
            expect(event.getPayload_asU8()).toHaveLength(0);
            expect(tx.event.getPayload_asU8().length).toBeGreaterThan(0);
          }
          seen.set(ftx.getTxid(), ftx);
        });
      });
      statuses.forEach((status) => {
        expect(seen.get(status.transactionId)?.getTxValidationCode()).toBe(status.code);
      });
      const created = seen.get(statuses[0]!.transactionId)!;
      expect(
        created.getTransactionActions()!.getChaincodeActionsList()[0]!.getChaincodeEvent()!.getEventName(),
      ).toBe('Created');
      // The invalid tx keeps its event in the filtered block (Fabric filters by code only for chaincode events).
      expect(
        seen.get(statuses[1]!.transactionId)!.getTransactionActions()!.getChaincodeActionsList(),
      ).toHaveLength(1);
      expect(
        seen.get(statuses[2]!.transactionId)!.getTransactionActions()!.getChaincodeActionsList(),
      ).toHaveLength(0);
    });

    it('streams stay open and deliver blocks committed after they were opened', async () => {
      const next = height();
      const streams = await Promise.all(kinds.map((kind) => open(kind, BigInt(next))));
      const events = await network.getChaincodeEvents('asset', { startBlock: BigInt(next) });
      try {
        const pending = streams.map((s) => take(s[Symbol.asyncIterator](), 1));
        const pendingEvent = take(events[Symbol.asyncIterator](), 1);
        // Nothing is committed yet, so nothing arrives.
        const early = await Promise.race([
          Promise.all(pending).then(() => 'delivered'),
          new Promise((r) => {
            setTimeout(() => {
              r('waiting');
            }, 700);
          }),
        ]);
        expect(early).toBe('waiting');
        const [tx] = await create('live', 1);
        expect(Number(tx!.status.blockNumber)).toBe(next);
        const delivered = (await Promise.all(pending)).map((items) => items[0]!);
        expect(delivered.map(numberOf)).toEqual([next, next, next]);
        const block = delivered[0] as common.Block;
        expect(describeBlock(block).map((x) => x.txId)).toContain(tx!.status.transactionId);
        const [event] = await pendingEvent;
        expectEventOf(event!, tx!);
      } finally {
        for (const s of streams) s.close();
        events.close();
      }
    });
  });

  describe('access control', () => {
    /** A gateway through Org1's peer for a user of a CA the channel does not know. */
    async function rogue(mspId: string): Promise<{ gateway: Gateway; client: grpc.Client }> {
      const ca = await CertificateAuthority.create({ domain: 'rogue.example.com' });
      const user = await ca.issue({ commonName: 'User1@rogue.example.com', ou: 'client' });
      const endpoint = t.net.peers.find((p) => p.mspId === 'Org1MSP')!;
      const rogueClient = new grpc.Client(
        endpoint.address,
        grpc.credentials.createSsl(Buffer.from(endpoint.tlsRootCertPem)),
        {
          'grpc.ssl_target_name_override': endpoint.hostAlias,
        },
      );
      const rogueGateway = connect({
        client: rogueClient,
        identity: { mspId, credentials: Buffer.from(user.certPem) },
        signer: signers.newPrivateKeySigner(createPrivateKey(user.keyPem)),
      });
      return { gateway: rogueGateway, client: rogueClient };
    }

    it.each(['RogueMSP', 'Org1MSP'])(
      'refuses event streams of an identity from an unknown CA (claiming %s)',
      async (mspId) => {
        const r = await rogue(mspId);
        try {
          const net = r.gateway.getNetwork('mychannel');
          for (const open of [
            () => net.getBlockEvents({ startBlock: 0n }),
            () => net.getFilteredBlockEvents({ startBlock: 0n }),
            () => net.getBlockAndPrivateDataEvents({ startBlock: 0n }),
          ]) {
            const err = await streamError(open);
            expect(err.message).toMatch(/403/);
          }
          const err = await streamError(() => net.getChaincodeEvents('asset', { startBlock: 0n }));
          expect(err).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
        } finally {
          r.gateway.close();
          r.client.close();
        }
      },
    );
  });
});
