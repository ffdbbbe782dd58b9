import { createHash } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { Context, Contract, Param, Returns, Transaction } from 'fabric-contract-api';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ContractHarness,
  FakeHandler,
  InMemoryLedger,
  TestCA,
  buildSignedProposal,
  compareKeys,
  parseDerSignature,
  verifyLowS,
  type TestIdentity,
} from './index.js';

/*
 * Decorator order: @Transaction() sits closest to the method so it runs first; the @Param
 * decorators above it then either refine the parameters it derived from design:paramtypes or, if
 * no type metadata was emitted, append the parameters bottom-up (hence listed last-to-first).
 */
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

class KvContract extends Contract {
  constructor() {
    super('kv');
  }

  @Param('value', 'string')
  @Param('key', 'string')
  @Transaction()
  async put(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, Buffer.from(value));
  }

  @Returns('string')
  @Param('key', 'string')
  @Transaction(false)
  async get(ctx: Context, key: string): Promise<string> {
    return text(await ctx.stub.getState(key));
  }

  @Param('key', 'string')
  @Transaction()
  async del(ctx: Context, key: string): Promise<void> {
    await ctx.stub.deleteState(key);
  }

  /** Writes then reads back the same key within one transaction. */
  @Returns('string')
  @Param('value', 'string')
  @Param('key', 'string')
  @Transaction()
  async putThenGet(ctx: Context, key: string, value: string): Promise<string> {
    await ctx.stub.putState(key, Buffer.from(value));
    const seen = text(await ctx.stub.getState(key));
    await ctx.stub.putState(key, Buffer.from(`${value}-final`));
    return seen;
  }

  @Param('count', 'number')
  @Transaction()
  async fill(ctx: Context, count: number): Promise<void> {
    for (let i = 0; i < count; i++)
      await ctx.stub.putState(`n${String(i).padStart(4, '0')}`, Buffer.from(String(i)));
  }

  @Returns('string')
  @Param('endKey', 'string')
  @Param('startKey', 'string')
  @Transaction(false)
  async range(ctx: Context, startKey: string, endKey: string): Promise<string> {
    const keys: string[] = [];
    for await (const kv of ctx.stub.getStateByRange(startKey, endKey)) keys.push(kv.key);
    return JSON.stringify(keys);
  }

  @Param('value', 'string')
  @Param('id', 'string')
  @Param('bank', 'string')
  @Param('objectType', 'string')
  @Transaction()
  async putComposite(
    ctx: Context,
    objectType: string,
    bank: string,
    id: string,
    value: string,
  ): Promise<void> {
    await ctx.stub.putState(ctx.stub.createCompositeKey(objectType, [bank, id]), Buffer.from(value));
  }

  /** Lists `objectType` composite keys, optionally under one bank (empty `bank` = all). */
  @Returns('string')
  @Param('bank', 'string')
  @Param('objectType', 'string')
  @Transaction(false)
  async listComposite(ctx: Context, objectType: string, bank: string): Promise<string> {
    const found: Array<{ attributes: string[]; value: string }> = [];
    for await (const kv of ctx.stub.getStateByPartialCompositeKey(objectType, bank ? [bank] : [])) {
      found.push({ attributes: ctx.stub.splitCompositeKey(kv.key).attributes, value: text(kv.value) });
    }
    return JSON.stringify(found);
  }

  /** Echoes a `string[]` parameter as the contract receives it. */
  @Returns('string')
  @Param('items', 'string[]')
  @Transaction(false)
  echoArray(_ctx: Context, items: string[]): string {
    return JSON.stringify(items);
  }

  @Returns('string')
  @Param('bookmark', 'string')
  @Param('pageSize', 'number')
  @Transaction(false)
  async page(ctx: Context, pageSize: number, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination('', '', pageSize, bookmark);
    const keys: string[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) keys.push(r.value.key);
    await iterator.close();
    return JSON.stringify({ keys, bookmark: metadata.bookmark, fetched: metadata.fetchedRecordsCount });
  }

  @Param('key', 'string')
  @Transaction()
  async pageThenWrite(ctx: Context, key: string): Promise<void> {
    await ctx.stub.getStateByRangeWithPagination('', '', 1, '');
    await ctx.stub.putState(key, Buffer.from('x'));
  }

  @Param('key', 'string')
  @Transaction()
  async writeThenPage(ctx: Context, key: string): Promise<void> {
    await ctx.stub.putState(key, Buffer.from('x'));
    await ctx.stub.getStateByRangeWithPagination('', '', 1, '');
  }

  @Returns('string')
  @Param('key', 'string')
  @Transaction(false)
  async history(ctx: Context, key: string): Promise<string> {
    const out: unknown[] = [];
    for await (const km of ctx.stub.getHistoryForKey(key)) {
      const ts = km.timestamp as unknown as { seconds: number; nanos: number };
      out.push({
        txId: km.txId,
        isDelete: km.isDelete,
        value: text(km.value),
        seconds: ts.seconds,
        nanos: ts.nanos,
      });
    }
    return JSON.stringify(out);
  }

  @Param('key', 'string')
  @Transaction()
  async fail(ctx: Context, key: string): Promise<void> {
    await ctx.stub.putState(key, Buffer.from('should-not-commit'));
    ctx.stub.setEvent('Failed', Buffer.from('nope'));
    throw new Error(`boom on ${key}`);
  }

  @Returns('string')
  @Transaction(false)
  whoami(ctx: Context): string {
    const ts = ctx.stub.getTxTimestamp();
    return JSON.stringify({
      mspId: ctx.clientIdentity.getMSPID(),
      id: ctx.clientIdentity.getID(),
      role: ctx.clientIdentity.getAttributeValue('role'),
      institution: ctx.clientIdentity.getAttributeValue('institution'),
      enrollmentId: ctx.clientIdentity.getAttributeValue('hf.EnrollmentID'),
      missing: ctx.clientIdentity.getAttributeValue('nope'),
      peerMspId: ctx.stub.getMspID(),
      seconds: ts.seconds.toNumber(),
      nanos: ts.nanos,
      date: ctx.stub.getDateTimestamp().toISOString(),
      txId: ctx.stub.getTxID(),
      channel: ctx.stub.getChannelID(),
      transient: text(ctx.stub.getTransient().get('secret') ?? new Uint8Array()),
    });
  }

  @Param('payload', 'string')
  @Param('name', 'string')
  @Transaction()
  async emit(ctx: Context, name: string, payload: string): Promise<void> {
    await ctx.stub.putState('emitted', Buffer.from(name));
    ctx.stub.setEvent(name, Buffer.from(payload));
  }

  @Returns('number')
  @Transaction(false)
  async rich(ctx: Context): Promise<number> {
    let n = 0;
    for await (const kv of ctx.stub.getQueryResult('{"selector":{}}')) n += kv.key.length;
    return n;
  }

  @Param('policy', 'string')
  @Param('key', 'string')
  @Transaction()
  async setPolicy(ctx: Context, key: string, policy: string): Promise<void> {
    await ctx.stub.setStateValidationParameter(key, Buffer.from(policy));
  }

  @Returns('string')
  @Param('key', 'string')
  @Transaction(false)
  async getPolicy(ctx: Context, key: string): Promise<string> {
    // undefined at runtime when the key has no metadata, whatever the typings say
    const ep = (await ctx.stub.getStateValidationParameter(key)) as Uint8Array | undefined;
    return ep ? text(ep) : '<none>';
  }
}

let org1: TestCA;
let org2: TestCA;
let alice: TestIdentity;
let bob: TestIdentity;

beforeAll(async () => {
  org1 = await TestCA.create('Org1MSP');
  org2 = await TestCA.create('Org2MSP', 'ca.org2.example.com');
  alice = await org1.issue({
    commonName: 'alice',
    ou: 'client',
    attrs: { role: 'member', institution: 'bank-a' },
  });
  bob = await org2.issue({ commonName: 'bob', ou: 'admin', fabricCaDefaults: false });
});

let h: ContractHarness;
beforeEach(() => {
  h = new ContractHarness([KvContract], {
    channelId: 'testchannel',
    chaincodeName: 'kvcc',
    now: 1_700_000_000,
  });
});

async function ok(p: Promise<{ status: number; message: string }>): Promise<void> {
  const r = await p;
  expect(r.message).toBe('');
  expect(r.status).toBe(200);
}

describe('identities', () => {
  it('exposes MSP ID, X.509 ID and Fabric CA attributes through the real ClientIdentity', async () => {
    const r = await h.evaluate(alice, 'whoami');
    expect(r.status).toBe(200);
    const who = r.json<Record<string, unknown>>();
    expect(who).toMatchObject({
      mspId: 'Org1MSP',
      id: 'x509::/C=US/ST=North Carolina/O=Hyperledger/OU=client/CN=alice::/C=US/ST=North Carolina/L=Durham/O=Org1MSP/CN=ca.org1msp',
      role: 'member',
      institution: 'bank-a',
      enrollmentId: 'alice',
      missing: null,
      peerMspId: 'Org1MSP',
    });
  });

  it('encodes attributes as Fabric CA does (sorted Go JSON in the raw extension value)', async () => {
    const { X509Certificate } = await import('@peculiar/x509');
    const ext = new X509Certificate(alice.certPem).getExtension('1.2.3.4.5.6.7.8.1');
    expect(ext?.critical).toBe(false);
    expect(Buffer.from(ext?.value ?? new ArrayBuffer(0)).toString('utf8')).toBe(
      '{"attrs":{"hf.Affiliation":"","hf.EnrollmentID":"alice","hf.Type":"client","institution":"bank-a","role":"member"}}',
    );
    expect(new X509Certificate(bob.certPem).getExtension('1.2.3.4.5.6.7.8.1')).toBeNull();
    expect(alice.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(org1.caCertPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  it('uses the peer MSP override for getMspID and restores CORE_PEER_LOCALMSPID', async () => {
    const before = process.env.CORE_PEER_LOCALMSPID;
    const who = (await h.evaluate(bob, 'whoami', [], { peerMspId: 'Org1MSP' })).json<
      Record<string, unknown>
    >();
    expect(who).toMatchObject({ mspId: 'Org2MSP', peerMspId: 'Org1MSP', role: null });
    expect(who.id).toBe(
      'x509::/C=US/ST=North Carolina/O=Hyperledger/OU=admin/CN=bob::/C=US/ST=North Carolina/L=Durham/O=Org2MSP/CN=ca.org2.example.com',
    );
    expect(process.env.CORE_PEER_LOCALMSPID).toBe(before);
  });
});

describe('proposals', () => {
  it('builds a Fabric-shaped, low-S signed proposal with txId = sha256(nonce || creator)', () => {
    const nonce = Buffer.alloc(24, 7);
    const built = buildSignedProposal({
      channelId: 'ch',
      chaincodeName: 'cc',
      args: ['fn', 'a'],
      identity: alice,
      timestampSeconds: 42,
      nonce,
      transient: { k: Buffer.from('v') },
    });
    const proposal = peer.Proposal.deserializeBinary(built.signedProposal.getProposalBytes_asU8());
    const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    const chdr = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const shdr = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const creator = msp.SerializedIdentity.deserializeBinary(shdr.getCreator_asU8());
    const ext = peer.ChaincodeHeaderExtension.deserializeBinary(chdr.getExtension_asU8());
    const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
    const spec = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()).getChaincodeSpec();

    expect(chdr.getType()).toBe(common.HeaderType.ENDORSER_TRANSACTION);
    expect(chdr.getChannelId()).toBe('ch');
    expect(chdr.getTimestamp()?.getSeconds()).toBe(42);
    expect(ext.getChaincodeId()?.getName()).toBe('cc');
    expect(creator.getMspid()).toBe('Org1MSP');
    expect(Buffer.from(creator.getIdBytes_asU8()).toString()).toBe(alice.certPem);
    expect(spec?.getType()).toBe(peer.ChaincodeSpec.Type.NODE);
    expect(spec?.getInput()?.getArgsList_asU8().map(text)).toEqual(['fn', 'a']);
    const transient = payload.getTransientmapMap() as { get(key: string): Uint8Array | undefined };
    expect(text(transient.get('k') ?? new Uint8Array())).toBe('v');

    const expectedTxId = createHash('sha256').update(nonce).update(shdr.getCreator_asU8()).digest('hex');
    expect(chdr.getTxId()).toBe(expectedTxId);
    expect(built.txId).toBe(expectedTxId);

    const sig = built.signedProposal.getSignature_asU8();
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    expect(parseDerSignature(sig).s <= n / 2n).toBe(true);
    expect(verifyLowS(alice.certPem, built.proposalBytes, sig)).toBe(true);
    expect(verifyLowS(bob.certPem, built.proposalBytes, sig)).toBe(false);
  });
});

describe('transaction simulation', () => {
  it('has no read-your-own-writes; the last write wins at commit', async () => {
    await ok(h.submit(alice, 'put', ['k', 'old']));
    const r = await h.submit(alice, 'putThenGet', ['k', 'new']);
    expect(r.status).toBe(200);
    expect(r.payload.toString()).toBe('old');
    expect((await h.evaluate(alice, 'get', ['k'])).payload.toString()).toBe('new-final');
    expect((await h.submit(alice, 'putThenGet', ['fresh', 'v'])).payload.toString()).toBe('');
  });

  it('never commits an evaluate', async () => {
    const before = h.ledger.snapshot();
    const r = await h.evaluate(alice, 'put', ['k', 'v']);
    expect(r.status).toBe(200);
    expect(r.committed).toBe(false);
    expect(r.writeSet.writes.get('k')?.toString()).toBe('v');
    expect(h.ledger.snapshot()).toBe(before);
    expect(h.ledger.hasTx(r.txId)).toBe(false);
  });

  it('treats putState with an empty value as a delete, as the peer does', async () => {
    await ok(h.submit(alice, 'put', ['k', 'v']));
    await ok(h.submit(alice, 'put', ['k', '']));
    expect(h.ledger.get('k')).toBeUndefined();
    expect(h.ledger.history('k').map((e) => e.isDelete)).toEqual([false, true]);
  });

  it('rolls back a failing transaction completely and reports status 500 with the message', async () => {
    await ok(h.submit(alice, 'put', ['k', 'v']));
    const before = h.ledger.snapshot();
    const r = await h.submit(alice, 'fail', ['k']);
    expect(r).toMatchObject({ status: 500, message: 'boom on k', committed: false });
    expect(r.event).toBeUndefined();
    expect(h.ledger.snapshot()).toBe(before);
    expect(h.ledger.hasTx(r.txId)).toBe(false);
    expect(h.ledger.events()).toEqual([]);
  });

  it('reports unknown functions and bad arguments like fabric-contract-api', async () => {
    expect((await h.submit(alice, 'nope')).message).toBe(
      "You've asked to invoke a function that does not exist: nope",
    );
    expect((await h.submit(alice, 'put', ['only-one'])).message).toBe(
      'Expected 2 parameters, but 1 have been supplied',
    );
    expect((await h.submit(alice, 'fill', ['many'])).status).toBe(500);
  });

  it('passes string[] parameters JSON-quoted, as fabric-contract-api 2.5.8 really does', async () => {
    const r = await h.evaluate(alice, 'echoArray', [JSON.stringify(['a', 'b'])]);
    expect(r.json()).toEqual(['"a"', '"b"']);
  });

  it('keeps key metadata (state-based endorsement) across value writes', async () => {
    await ok(h.submit(alice, 'setPolicy', ['missing', 'ep']));
    expect(h.ledger.get('missing')).toBeUndefined();
    await ok(h.submit(alice, 'put', ['k', 'v']));
    await ok(h.submit(alice, 'setPolicy', ['k', 'ep1']));
    await ok(h.submit(alice, 'put', ['k', 'v2']));
    expect((await h.evaluate(alice, 'getPolicy', ['k'])).payload.toString()).toBe('ep1');
    expect(h.ledger.get('k')?.value.toString()).toBe('v2');
    expect(h.ledger.history('k')).toHaveLength(2);
  });
});

describe('range queries', () => {
  beforeEach(async () => {
    for (const k of ['kb', 'k\u{10000}', 'ka', 'k\uffff', 'k1', 'z'])
      await ok(h.submit(alice, 'put', [k, `v-${k}`]));
    await ok(h.submit(alice, 'putComposite', ['loan', 'bankA', '2', 'a2']));
    await ok(h.submit(alice, 'putComposite', ['loan', 'bankA', '1', 'a1']));
    await ok(h.submit(alice, 'putComposite', ['loan', 'bankB', '1', 'b1']));
    await ok(h.submit(alice, 'putComposite', ['loanx', 'bankA', '9', 'x']));
    await ok(h.submit(alice, 'putComposite', ['loan', 'bankAA', '1', 'aa1']));
  });

  it('returns [start, end) in UTF-8 byte order and skips composite keys', async () => {
    const keys = (start: string, end: string): Promise<string[]> =>
      h.evaluate(alice, 'range', [start, end]).then((r) => r.json<string[]>());
    expect(await keys('', '')).toEqual(['k1', 'ka', 'kb', 'k\uffff', 'k\u{10000}', 'z']);
    expect(await keys('ka', 'k\u{10000}')).toEqual(['ka', 'kb', 'k\uffff']);
    expect(['k\uffff', 'k\u{10000}'].sort()).toEqual(['k\u{10000}', 'k\uffff']); // JS order differs
    expect(['k\uffff', 'k\u{10000}'].sort(compareKeys)).toEqual(['k\uffff', 'k\u{10000}']);
  });

  it('iterates partial composite keys of one object type and prefix only', async () => {
    const r = await h.evaluate(alice, 'listComposite', ['loan', 'bankA']);
    expect(r.json()).toEqual([
      { attributes: ['bankA', '1'], value: 'a1' },
      { attributes: ['bankA', '2'], value: 'a2' },
    ]);
    const all = await h.evaluate(alice, 'listComposite', ['loan', '']);
    expect(all.json<Array<{ value: string }>>().map((e) => e.value)).toEqual(['a1', 'a2', 'aa1', 'b1']);
  });

  it('paginates with bookmarks and fetched_records_count like the peer', async () => {
    const page = (
      size: number,
      bookmark: string,
    ): Promise<{ keys: string[]; bookmark: string; fetched: number }> =>
      h.evaluate(alice, 'page', [String(size), bookmark]).then((r) => r.json());
    expect(await page(4, '')).toEqual({
      keys: ['k1', 'ka', 'kb', 'k\uffff'],
      bookmark: 'k\u{10000}',
      fetched: 4,
    });
    expect(await page(4, 'k\u{10000}')).toEqual({ keys: ['k\u{10000}', 'z'], bookmark: '', fetched: 2 });
    expect(await page(2, 'kb')).toEqual({ keys: ['kb', 'k\uffff'], bookmark: 'k\u{10000}', fetched: 2 });
  });

  it('allows paginated queries only in read-only transactions', async () => {
    const a = await h.submit(alice, 'pageThenWrite', ['w']);
    expect(a.status).toBe(500);
    expect(a.message).toBe(
      `PUT_STATE failed: transaction ID: ${a.txId}: txid [${a.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
    );
    const b = await h.submit(alice, 'writeThenPage', ['w']);
    expect(b.message).toBe(
      `GET_STATE_BY_RANGE failed: transaction ID: ${b.txId}: txid [${b.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
    );
    expect(h.ledger.get('w')).toBeUndefined();
  });

  it('rejects rich queries like a LevelDB peer', async () => {
    const before = h.ledger.snapshot();
    const r = await h.submit(alice, 'rich');
    expect(r.status).toBe(500);
    expect(r.message).toBe(
      `GET_QUERY_RESULT failed: transaction ID: ${r.txId}: ExecuteQuery not supported for leveldb`,
    );
    expect(h.ledger.snapshot()).toBe(before);
  });
});

describe('query batching', () => {
  it('streams more than one peer batch through QueryStateNext', async () => {
    await ok(h.submit(alice, 'fill', ['250']));
    const keys = (await h.evaluate(alice, 'range', ['', ''])).json<string[]>();
    expect(keys).toHaveLength(250);
    expect(keys[0]).toBe('n0000');
    expect(keys[249]).toBe('n0249');
  });

  it('cuts unpaginated responses at 100 results with has_more and an iterator id', async () => {
    const ledger = new InMemoryLedger();
    const writes = new Map<string, Buffer | null>();
    for (let i = 0; i < 230; i++) writes.set(`k${String(i).padStart(3, '0')}`, Buffer.from('v'));
    ledger.commit('tx0', { seconds: 1, nanos: 0 }, { writes, metadataWrites: new Map() });
    const handler = new FakeHandler(ledger, { channelId: 'ch', txId: 'tx1', namespace: 'cc' });
    const { iterator } = await handler.handleGetStateByRange('', 'k000', '', 'ch', 'tx1');
    const first = (iterator as unknown as { response: peer.QueryResponse }).response;
    expect(first.getResultsList()).toHaveLength(100);
    expect(first.getHasMore()).toBe(true);
    const second = await handler.handleQueryStateNext(first.getId());
    expect(second.getResultsList()).toHaveLength(100);
    const third = await handler.handleQueryStateNext(first.getId());
    expect(third.getResultsList()).toHaveLength(30);
    expect(third.getHasMore()).toBe(false);
    await expect(handler.handleQueryStateNext(first.getId())).rejects.toThrow(
      'QUERY_STATE_NEXT failed: transaction ID: tx1: query iterator not found',
    );
    handler.finish();
    await expect(handler.handleGetState('', 'k000')).rejects.toThrow(
      'GET_STATE failed: transaction ID: tx1: no ledger context',
    );
  });
});

describe('history, clock and events', () => {
  it('returns history newest first with transaction timestamps', async () => {
    h.now = 1_000;
    const t1 = await h.submit(alice, 'put', ['k', 'v1']);
    h.advance(10);
    const t2 = await h.submit(alice, 'put', ['k', 'v2']);
    h.advance(10);
    const t3 = await h.submit(alice, 'del', ['k']);
    const r = await h.evaluate(alice, 'history', ['k']);
    expect(r.json()).toEqual([
      { txId: t3.txId, isDelete: true, value: '', seconds: 1_020, nanos: 0 },
      { txId: t2.txId, isDelete: false, value: 'v2', seconds: 1_010, nanos: 0 },
      { txId: t1.txId, isDelete: false, value: 'v1', seconds: 1_000, nanos: 0 },
    ]);
  });

  it('gives getTxTimestamp the harness clock', async () => {
    const who = (await h.evaluate(alice, 'whoami')).json<Record<string, unknown>>();
    expect(who).toMatchObject({
      seconds: 1_700_000_000,
      nanos: 0,
      date: '2023-11-14T22:13:20.000Z',
      channel: 'testchannel',
    });
    h.advance(60);
    expect((await h.evaluate(alice, 'whoami')).json()).toMatchObject({ seconds: 1_700_000_060 });
    const explicit = (await h.evaluate(alice, 'whoami', [], { timestamp: 5, timestampNanos: 7 })).json();
    expect(explicit).toMatchObject({ seconds: 5, nanos: 7 });
  });

  it('passes transient data and the txId to the stub', async () => {
    const r = await h.evaluate(alice, 'whoami', [], { transient: { secret: Buffer.from('s3cr3t') } });
    expect(r.json()).toMatchObject({ transient: 's3cr3t', txId: r.txId });
  });

  it('records chaincode events of committed transactions only', async () => {
    const r = await h.submit(alice, 'emit', ['Anchored', '{"id":1}']);
    expect(r.event).toEqual({ name: 'Anchored', payload: Buffer.from('{"id":1}') });
    expect(h.ledger.events()).toEqual([
      { txId: r.txId, blockNum: 1, name: 'Anchored', payload: Buffer.from('{"id":1}') },
    ]);
    const e = await h.evaluate(alice, 'emit', ['Other', 'x']);
    expect(e.event?.name).toBe('Other');
    expect(h.ledger.events()).toHaveLength(1);
  });
});

describe('endorser checks', () => {
  it('rejects a duplicate transaction ID without running the chaincode', async () => {
    const nonce = Buffer.alloc(24, 1);
    const first = await h.submit(alice, 'put', ['k', 'v1'], { nonce });
    expect(first.committed).toBe(true);
    const before = h.ledger.snapshot();
    const again = await h.submit(alice, 'put', ['k', 'v2'], { nonce });
    expect(again.txId).toBe(first.txId);
    expect(again.status).toBe(500);
    expect(again.message).toMatch(
      new RegExp(`^duplicate transaction found \\[${first.txId}\\]\\. Creator \\[[0-9a-f]+\\]$`),
    );
    expect(h.ledger.snapshot()).toBe(before);
    expect((await h.evaluate(alice, 'get', ['k'], { nonce })).status).toBe(500);
  });

  it('lets a failed transaction ID be reused, since it never reached the ledger', async () => {
    const nonce = Buffer.alloc(24, 2);
    expect((await h.submit(alice, 'fail', ['k'], { nonce })).status).toBe(500);
    expect((await h.submit(alice, 'put', ['k', 'v'], { nonce })).committed).toBe(true);
  });

  it('gives every submit a fresh txId and serializes concurrent calls', async () => {
    const results = await Promise.all([1, 2, 3].map((i) => h.submit(alice, 'put', [`c${i}`, String(i)])));
    expect(new Set(results.map((r) => r.txId)).size).toBe(3);
    expect(h.ledger.committedTxIds()).toEqual(results.map((r) => r.txId));
    expect(h.ledger.height).toBe(3);
    expect(h.ledger.get('c3')?.version).toEqual({ blockNum: 3, txNum: 0 });
  });
});

describe('metadata', () => {
  it('serves org.hyperledger.fabric:GetMetadata with the contract transactions', async () => {
    const r = await h.evaluate(alice, 'org.hyperledger.fabric:GetMetadata');
    expect(r.status).toBe(200);
    const md = r.json<{
      contracts: Record<
        string,
        { transactions: Array<{ name: string; tag?: string[]; parameters?: Array<{ name: string }> }> }
      >;
    }>();
    expect(Object.keys(md.contracts)).toEqual(['kv', 'org.hyperledger.fabric']);
    const txs = md.contracts.kv?.transactions ?? [];
    expect(txs.map((t) => t.name)).toEqual(
      expect.arrayContaining(['put', 'get', 'del', 'range', 'page', 'history', 'whoami', 'emit', 'rich']),
    );
    expect(txs.find((t) => t.name === 'put')?.parameters?.map((p) => p.name)).toEqual(['key', 'value']);
    expect(txs.find((t) => t.name === 'get')?.tag).toEqual(['EVALUATE']);
    expect(txs.find((t) => t.name === 'put')?.tag).toEqual(['SUBMIT', 'submitTx']);
  });
});
