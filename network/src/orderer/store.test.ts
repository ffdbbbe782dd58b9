import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrdererStoreError } from './errors.js';
import { LevelOrdererStore, MemoryOrdererStore, type OrdererStore } from './store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orderer-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const adapters: [string, () => Promise<OrdererStore>][] = [
  ['memory', () => Promise.resolve(new MemoryOrdererStore())],
  ['level', () => LevelOrdererStore.open(join(dir, 'nested', 'chain'))],
];

describe.each(adapters)('%s orderer store', (_name, create) => {
  it('appends contiguously and reads blocks back', async () => {
    const s = await create();
    expect(await s.height()).toBe(0);
    await s.append(0, Uint8Array.of(0));
    await s.append(1, Uint8Array.of(1, 1));
    expect(await s.height()).toBe(2);
    expect(Buffer.from((await s.get(1))!).equals(Buffer.from([1, 1]))).toBe(true);
    expect(await s.get(2)).toBeUndefined();
    await expect(s.append(3, Uint8Array.of(3))).rejects.toThrow(OrdererStoreError);
    await expect(s.append(1, Uint8Array.of(9))).rejects.toThrow(OrdererStoreError);
    await s.close();
  });
});

describe('LevelOrdererStore', () => {
  it('keeps its blocks across reopen, beyond 16 blocks (key ordering)', async () => {
    let s = await LevelOrdererStore.open(join(dir, 'chain'));
    for (let n = 0; n < 20; n++) await s.append(n, Uint8Array.of(n));
    await s.close();
    s = await LevelOrdererStore.open(join(dir, 'chain'));
    expect(await s.height()).toBe(20);
    expect(Buffer.from((await s.get(17))!).equals(Buffer.from([17]))).toBe(true);
    await s.append(20, Uint8Array.of(20));
    expect(await s.height()).toBe(21);
    await s.close();
  });

  it('refuses a concurrent append', async () => {
    const s = await LevelOrdererStore.open(join(dir, 'chain'));
    const first = s.append(0, Uint8Array.of(0));
    await expect(s.append(0, Uint8Array.of(0))).rejects.toThrow(OrdererStoreError);
    await first;
    await s.close();
  });
});
