/*
 * Test fixture chaincode for network/src/chaincode: plain JavaScript (no build step), one contract
 * whose transactions exercise every ledger request of the chaincode protocol. fabric-contract-api and
 * fabric-shim resolve from the repository root node_modules.
 */
'use strict';

const { Contract } = require('fabric-contract-api');
const { KeyEndorsementPolicy } = require('fabric-shim');

/** Collects an async-iterable state query into `[{ key, value }]` (the shim closes it). */
async function collect(iterable) {
  const out = [];
  for await (const kv of iterable) out.push({ key: kv.key, value: Buffer.from(kv.value).toString('utf8') });
  return out;
}

/** Drains a shim `StateQueryIterator` (as returned with pagination metadata) and closes it. */
async function drain(iterator) {
  const out = [];
  for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
    out.push({ key: r.value.key, value: Buffer.from(r.value.value).toString('utf8') });
  }
  await iterator.close();
  return out;
}

class FixtureContract extends Contract {
  constructor() {
    super('fixture');
  }

  async Put(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return 'ok';
  }

  async PutMany(ctx, prefix, count) {
    const n = Number(count);
    for (let i = 0; i < n; i++) {
      await ctx.stub.putState(`${prefix}${String(i).padStart(4, '0')}`, Buffer.from(`v${i}`, 'utf8'));
    }
    return String(n);
  }

  /** Writes `[[key, value], ...]` (JSON) in the given order. */
  async PutAll(ctx, entriesJson) {
    for (const [key, value] of JSON.parse(entriesJson))
      await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return 'ok';
  }

  async Get(ctx, key) {
    const value = await ctx.stub.getState(key);
    return value && value.length > 0 ? Buffer.from(value).toString('utf8') : '';
  }

  /** Reads `keys` (JSON array) concurrently: the shim serialises the requests of one transaction. */
  async GetAll(ctx, keysJson) {
    const keys = JSON.parse(keysJson);
    const values = await Promise.all(keys.map((k) => ctx.stub.getState(k)));
    return JSON.stringify(values.map((v) => Buffer.from(v).toString('utf8')));
  }

  async Del(ctx, key) {
    await ctx.stub.deleteState(key);
    return 'deleted';
  }

  /** Writes then reads the same key: Fabric has no read-your-own-writes, so this returns the committed value. */
  async PutThenGet(ctx, key, value) {
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    const read = await ctx.stub.getState(key);
    return Buffer.from(read).toString('utf8');
  }

  async Range(ctx, startKey, endKey) {
    return JSON.stringify(await collect(ctx.stub.getStateByRange(startKey, endKey)));
  }

  /** Reads only the first `n` results of a range, then stops (closing the iterator early). */
  async RangeFirst(ctx, startKey, endKey, n) {
    const out = [];
    for await (const kv of ctx.stub.getStateByRange(startKey, endKey)) {
      out.push(kv.key);
      if (out.length >= Number(n)) break;
    }
    return JSON.stringify(out);
  }

  async Page(ctx, startKey, endKey, pageSize, bookmark) {
    const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination(
      startKey,
      endKey,
      Number(pageSize),
      bookmark,
    );
    const records = await drain(iterator);
    return JSON.stringify({
      keys: records.map((r) => r.key),
      bookmark: metadata.bookmark,
      fetched: metadata.fetchedRecordsCount,
    });
  }

  /** A write before a paginated query: the peer refuses the query. */
  async PutThenPage(ctx, key, startKey, endKey) {
    await ctx.stub.putState(key, Buffer.from('x', 'utf8'));
    const { iterator } = await ctx.stub.getStateByRangeWithPagination(startKey, endKey, 5, '');
    return JSON.stringify(await drain(iterator));
  }

  /** A paginated query before a write: the peer refuses the write. */
  async PageThenPut(ctx, startKey, endKey, key) {
    const { iterator } = await ctx.stub.getStateByRangeWithPagination(startKey, endKey, 5, '');
    await drain(iterator);
    await ctx.stub.putState(key, Buffer.from('x', 'utf8'));
    return 'unreachable';
  }

  async History(ctx, key) {
    const out = [];
    for await (const m of ctx.stub.getHistoryForKey(key)) {
      out.push({
        txId: m.txId,
        value: Buffer.from(m.value).toString('utf8'),
        isDelete: m.isDelete,
        seconds: Number(m.timestamp.seconds),
        nanos: m.timestamp.nanos,
      });
    }
    return JSON.stringify(out);
  }

  async PutComposite(ctx, type, a, b, value) {
    await ctx.stub.putState(ctx.stub.createCompositeKey(type, [a, b]), Buffer.from(value, 'utf8'));
    return 'ok';
  }

  async ListComposite(ctx, type, a) {
    const out = [];
    for await (const kv of ctx.stub.getStateByPartialCompositeKey(type, [a])) {
      const { attributes } = ctx.stub.splitCompositeKey(kv.key);
      out.push(attributes.join('/'));
    }
    return JSON.stringify(out);
  }

  /** Sets a key-level endorsement policy requiring a peer of each listed MSP (JSON array). */
  async SetKeyPolicy(ctx, key, mspIdsJson) {
    const policy = new KeyEndorsementPolicy();
    policy.addOrgs('PEER', ...JSON.parse(mspIdsJson));
    await ctx.stub.setStateValidationParameter(key, policy.getPolicy());
    return 'ok';
  }

  async GetKeyPolicy(ctx, key) {
    const bytes = await ctx.stub.getStateValidationParameter(key);
    if (!bytes || bytes.length === 0) return '[]';
    return JSON.stringify(new KeyEndorsementPolicy(bytes).listOrgs().sort());
  }

  async Emit(ctx, name, payload) {
    ctx.stub.setEvent(name, Buffer.from(payload, 'utf8'));
    return 'emitted';
  }

  async Fail(ctx, message) {
    throw new Error(message);
  }

  /** Non-deterministic on purpose: two endorsements of the same proposal differ. */
  async Random(ctx) {
    const value = require('node:crypto').randomBytes(16).toString('hex');
    await ctx.stub.putState('random', Buffer.from(value, 'utf8'));
    return value;
  }

  async MspId(ctx) {
    return ctx.stub.getMspID();
  }

  async TxInfo(ctx) {
    const ts = ctx.stub.getTxTimestamp();
    return JSON.stringify({
      txId: ctx.stub.getTxID(),
      channelId: ctx.stub.getChannelID(),
      creatorMsp: ctx.clientIdentity.getMSPID(),
      seconds: Number(ts.seconds),
    });
  }

  async Sleep(ctx, ms) {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return 'slept';
  }

  async Rich(ctx, query) {
    return JSON.stringify(await collect(ctx.stub.getQueryResult(query)));
  }

  async Private(ctx, collection, key) {
    const value = await ctx.stub.getPrivateData(collection, key);
    return Buffer.from(value).toString('utf8');
  }

  async CallOther(ctx, name) {
    const res = await ctx.stub.invokeChaincode(name, ['Get', 'k'], '');
    return String(res.status);
  }

  /** Exits the chaincode process mid-transaction (for supervision tests). */
  async Crash() {
    process.exit(3);
  }
}

module.exports.contracts = [FixtureContract];
