import { common } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { BlockCutter, envelopeSize, type PendingEnvelope } from './batcher.js';

const env = (size: number, tag = size): PendingEnvelope => ({ bytes: Uint8Array.of(tag & 0xff), size });

describe('BlockCutter', () => {
  it('cuts when maxMessageCount is reached', () => {
    const c = new BlockCutter({ maxMessageCount: 3, preferredMaxBytes: 1000 });
    expect(c.ordered(env(1))).toEqual({ batches: [], pending: true });
    expect(c.ordered(env(2))).toEqual({ batches: [], pending: true });
    const r = c.ordered(env(3));
    expect(r.pending).toBe(false);
    expect(r.batches.map((b) => b.map((e) => e.size))).toEqual([[1, 2, 3]]);
    expect(c.pendingCount).toBe(0);
  });

  it('cuts the pending batch before an envelope that would overflow preferredMaxBytes', () => {
    const c = new BlockCutter({ maxMessageCount: 10, preferredMaxBytes: 100 });
    c.ordered(env(40));
    c.ordered(env(40));
    const r = c.ordered(env(30));
    expect(r.batches.map((b) => b.map((e) => e.size))).toEqual([[40, 40]]);
    expect(r.pending).toBe(true);
    expect(c.pendingCount).toBe(1);
  });

  it('fills a batch exactly to preferredMaxBytes without cutting', () => {
    const c = new BlockCutter({ maxMessageCount: 10, preferredMaxBytes: 100 });
    c.ordered(env(60));
    expect(c.ordered(env(40))).toEqual({ batches: [], pending: true });
  });

  it('puts an envelope larger than preferredMaxBytes alone, after cutting the pending batch', () => {
    const c = new BlockCutter({ maxMessageCount: 10, preferredMaxBytes: 100 });
    expect(c.ordered(env(150)).batches.map((b) => b.length)).toEqual([1]);
    c.ordered(env(10));
    const r = c.ordered(env(150));
    expect(r.batches.map((b) => b.map((e) => e.size))).toEqual([[10], [150]]);
    expect(r.pending).toBe(false);
  });

  it('cut() returns and clears the pending batch', () => {
    const c = new BlockCutter({ maxMessageCount: 10, preferredMaxBytes: 100 });
    c.ordered(env(10));
    expect(c.cut()).toHaveLength(1);
    expect(c.cut()).toHaveLength(0);
    c.ordered(env(95));
    expect(c.ordered(env(5)).batches).toEqual([]);
  });

  it('measures an envelope as payload + signature bytes', () => {
    const e = new common.Envelope();
    e.setPayload(new Uint8Array(100));
    e.setSignature(new Uint8Array(71));
    expect(envelopeSize(e)).toBe(171);
  });
});
