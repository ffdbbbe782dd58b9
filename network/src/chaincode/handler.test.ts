import { ledger, peer } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { RequestHandler, type TransactionContext } from './handler.js';
import { chaincodeMessage, MsgType, type MsgTypeValue } from './messages.js';
import { QueryContexts } from './query-response.js';
import { decodeTxReadWriteSet } from './rwset.js';
import { TxSimulator } from './simulator.js';
import { MemoryLedger } from './testdata/memory-ledger.js';

const NS = 'cc';

function context(l: MemoryLedger, txId = 'tx1'): TransactionContext {
  return {
    channelId: 'ch',
    txId,
    namespace: NS,
    simulator: new TxSimulator(l, { txId }),
    queries: new QueryContexts(),
  };
}

function request(type: MsgTypeValue, payload: { serializeBinary(): Uint8Array } | Uint8Array, txId = 'tx1') {
  return chaincodeMessage(type, {
    txId,
    channelId: 'ch',
    payload: payload instanceof Uint8Array ? payload : payload.serializeBinary(),
  });
}

function rangeRequest(start: string, end: string, meta?: { pageSize: number; bookmark: string }) {
  const req = new peer.GetStateByRange();
  req.setStartkey(start);
  req.setEndkey(end);
  if (meta) {
    const m = new peer.QueryMetadata();
    m.setPagesize(meta.pageSize);
    m.setBookmark(meta.bookmark);
    req.setMetadata(m.serializeBinary());
  }
  return request(MsgType.GET_STATE_BY_RANGE, req);
}

function queryResponse(msg: peer.ChaincodeMessage) {
  expect(msg.getType(), Buffer.from(msg.getPayload_asU8()).toString()).toBe(MsgType.RESPONSE);
  const res = peer.QueryResponse.deserializeBinary(msg.getPayload_asU8());
  const keys = res
    .getResultsList()
    .map((r) => ledger.queryresult.KV.deserializeBinary(r.getResultbytes_asU8()).getKey());
  const metaBytes = res.getMetadata_asU8();
  const meta = metaBytes.length > 0 ? peer.QueryResponseMetadata.deserializeBinary(metaBytes) : undefined;
  return { res, keys, meta };
}

function errorText(msg: peer.ChaincodeMessage): string {
  expect(msg.getType()).toBe(MsgType.ERROR);
  return Buffer.from(msg.getPayload_asU8()).toString('utf8');
}

const seeded = (n: number): MemoryLedger => {
  const l = new MemoryLedger();
  for (let i = 0; i < n; i++) l.put(NS, `k${String(i).padStart(3, '0')}`, `v${i}`);
  return l;
};

describe('RequestHandler (peer side of the ledger requests)', () => {
  it('cuts unpaginated range results into batches of 100 and serves QUERY_STATE_NEXT', async () => {
    const h = new RequestHandler();
    const ctx = context(seeded(250));
    const first = queryResponse(await h.handle(rangeRequest('', ''), ctx));
    expect(first.keys).toHaveLength(100);
    expect(first.res.getHasMore()).toBe(true);
    const id = first.res.getId();
    const next = new peer.QueryStateNext();
    next.setId(id);
    const second = queryResponse(await h.handle(request(MsgType.QUERY_STATE_NEXT, next), ctx));
    expect(second.keys[0]).toBe('k100');
    expect(second.res.getHasMore()).toBe(true);
    const third = queryResponse(await h.handle(request(MsgType.QUERY_STATE_NEXT, next), ctx));
    expect(third.keys).toHaveLength(50);
    expect(third.res.getHasMore()).toBe(false);
    expect(errorText(await h.handle(request(MsgType.QUERY_STATE_NEXT, next), ctx))).toBe(
      'QUERY_STATE_NEXT failed: transaction ID: tx1: query iterator not found',
    );
    const [ns] = decodeTxReadWriteSet(await ctx.simulator.done());
    expect(ns?.rangeQueries[0]).toMatchObject({ startKey: '', endKey: '', itrExhausted: true });
  });

  it('records the 101st result of a batch as read, as Fabric does, even if the chaincode closes early', async () => {
    const h = new RequestHandler();
    const ctx = context(seeded(150));
    const first = queryResponse(await h.handle(rangeRequest('', ''), ctx));
    const close = new peer.QueryStateClose();
    close.setId(first.res.getId());
    const closed = await h.handle(request(MsgType.QUERY_STATE_CLOSE, close), ctx);
    expect(peer.QueryResponse.deserializeBinary(closed.getPayload_asU8()).getHasMore()).toBe(false);
    const [ns] = decodeTxReadWriteSet(await ctx.simulator.done());
    expect(ns?.rangeQueries[0]).toMatchObject({ startKey: '', endKey: 'k100', itrExhausted: false });
  });

  it('serves paginated ranges: one batch, fetched count and bookmark, bookmark as the next start key', async () => {
    const h = new RequestHandler();
    const l = seeded(7);
    const ctx = context(l);
    const p1 = queryResponse(
      await h.handle(rangeRequest('k001', 'k006', { pageSize: 3, bookmark: '' }), ctx),
    );
    expect(p1.keys).toEqual(['k001', 'k002', 'k003']);
    expect(p1.res.getHasMore()).toBe(false);
    expect(p1.meta?.getFetchedRecordsCount()).toBe(3);
    expect(p1.meta?.getBookmark()).toBe('k004');
    const p2 = queryResponse(
      await h.handle(rangeRequest('k001', 'k006', { pageSize: 3, bookmark: 'k004' }), ctx),
    );
    expect(p2.keys).toEqual(['k004', 'k005']);
    expect(p2.meta?.getFetchedRecordsCount()).toBe(2);
    expect(p2.meta?.getBookmark()).toBe('');
    const [ns] = decodeTxReadWriteSet(await ctx.simulator.done());
    expect(ns?.rangeQueries.map((r) => [r.startKey, r.endKey, r.itrExhausted])).toEqual([
      ['k001', 'k003', false],
      ['k004', 'k006', true],
    ]);
  });

  it('caps unpaginated queries at totalQueryLimit', async () => {
    const h = new RequestHandler({ totalQueryLimit: 5 });
    const r = queryResponse(await h.handle(rangeRequest('', ''), context(seeded(20))));
    expect(r.keys).toHaveLength(5);
    expect(r.res.getHasMore()).toBe(false);
  });

  it('answers GET_STATE, PUT_STATE and metadata requests, recording them in the simulator', async () => {
    const h = new RequestHandler();
    const l = seeded(1);
    const ctx = context(l);
    const get = new peer.GetState();
    get.setKey('k000');
    const got = await h.handle(request(MsgType.GET_STATE, get), ctx);
    expect(got.getType()).toBe(MsgType.RESPONSE);
    expect(Buffer.from(got.getPayload_asU8()).toString()).toBe('v0');
    get.setKey('absent');
    expect((await h.handle(request(MsgType.GET_STATE, get), ctx)).getPayload_asU8()).toHaveLength(0);

    const put = new peer.PutStateMetadata();
    put.setKey('k000');
    const md = new peer.StateMetadata();
    md.setMetakey('VALIDATION_PARAMETER');
    md.setValue(Buffer.from('policy'));
    put.setMetadata(md);
    expect((await h.handle(request(MsgType.PUT_STATE_METADATA, put), ctx)).getType()).toBe(MsgType.RESPONSE);
    const [ns] = decodeTxReadWriteSet(await ctx.simulator.done());
    expect(ns?.reads.map((r) => r.key)).toEqual(['absent', 'k000']);
    expect(ns?.metadataWrites).toEqual([
      {
        key: 'k000',
        entries: [{ name: 'VALIDATION_PARAMETER', value: new Uint8Array(Buffer.from('policy')) }],
      },
    ]);
  });

  it("words errors as Fabric's handler: '<TYPE> failed: transaction ID: <txid>: <reason>'", async () => {
    const h = new RequestHandler();
    const l = seeded(1);
    const get = new peer.GetState();
    get.setKey('k');
    expect(errorText(await h.handle(request(MsgType.GET_STATE, get, 'nope'), undefined))).toBe(
      'GET_STATE failed: transaction ID: nope: no ledger context',
    );
    const rich = new peer.GetQueryResult();
    rich.setQuery('{"selector":{}}');
    expect(errorText(await h.handle(request(MsgType.GET_QUERY_RESULT, rich), context(l)))).toBe(
      'GET_QUERY_RESULT failed: transaction ID: tx1: ExecuteQuery not supported for leveldb',
    );
    expect(
      errorText(await h.handle(request(MsgType.GET_STATE, Buffer.from([0xff, 0xff])), context(l))),
    ).toMatch(/^GET_STATE failed: transaction ID: tx1: unmarshal failed: /);
    get.setCollection('secret');
    expect(errorText(await h.handle(request(MsgType.GET_STATE, get), context(l)))).toBe(
      'GET_STATE failed: transaction ID: tx1: collection ch/cc/secret could not be found (private data is not supported by this network)',
    );
    const spec = new peer.ChaincodeSpec();
    const id = new peer.ChaincodeID();
    id.setName('other');
    spec.setChaincodeId(id);
    expect(errorText(await h.handle(request(MsgType.INVOKE_CHAINCODE, spec), context(l)))).toBe(
      'INVOKE_CHAINCODE failed: transaction ID: tx1: chaincode-to-chaincode invocation (of other) is not supported by this network',
    );
  });

  it('serves history newest first with timestamps, in KeyModification messages', async () => {
    const h = new RequestHandler();
    const l = new MemoryLedger();
    l.put(NS, 'k', 'one', 'tx-a');
    l.put(NS, 'k', 'two', 'tx-b');
    const req = new peer.GetHistoryForKey();
    req.setKey('k');
    const msg = await h.handle(request(MsgType.GET_HISTORY_FOR_KEY, req), context(l));
    const res = peer.QueryResponse.deserializeBinary(msg.getPayload_asU8());
    const mods = res
      .getResultsList()
      .map((r) => ledger.queryresult.KeyModification.deserializeBinary(r.getResultbytes_asU8()));
    expect(
      mods.map((m) => [
        m.getTxId(),
        Buffer.from(m.getValue_asU8()).toString(),
        m.getTimestamp()?.getSeconds(),
      ]),
    ).toEqual([
      ['tx-b', 'two', 1_700_000_000],
      ['tx-a', 'one', 1_700_000_000],
    ]);
  });
});
