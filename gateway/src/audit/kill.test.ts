/**
 * The read model under SIGKILL: a separate process indexes a long chain and is killed at an
 * arbitrary moment; the store it leaves is at a block boundary (checkpoint, blocks, entries,
 * receipts and counts agree), and resuming from it gives exactly what an uninterrupted run gives.
 * The child runs the built modules (dist/), rebuilt first when older than the sources.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../ports/clock.js';
import { LevelAuditStore } from './level-audit-store.js';
import { AuditListener } from './listener.js';
import { TestChain } from './testing/blocks.js';
import { hex64, TestContract, testOfficers } from './testing/contract.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DIST = join(ROOT, 'dist', 'gateway', 'src', 'audit');
const clock = new ManualClock('2026-03-02T00:00:00Z');

function newest(dir: string): number {
  let latest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) latest = Math.max(latest, newest(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function buildIfStale(): void {
  const target = join(DIST, 'listener.js');
  const stale = () => !existsSync(target) || statSync(target).mtimeMs < newest(import.meta.dirname);
  if (!stale()) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // tsc emits despite type errors elsewhere in the tree; only a stale audit build is fatal here.
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (stale()) throw new Error(`build did not refresh ${target}:\n${result.stdout}${result.stderr}`);
}

const CHILD = `
import { readFileSync } from 'node:fs';
const [file, dir, dist] = process.argv.slice(1);
const { LevelAuditStore } = await import(dist + '/level-audit-store.js');
const { AuditListener } = await import(dist + '/listener.js');
const bytes = readFileSync(file);
const blocks = [];
for (let at = 0; at < bytes.length; ) {
  const length = bytes.readUInt32BE(at);
  blocks.push(bytes.subarray(at + 4, at + 4 + length));
  at += 4 + length;
}
const store = await LevelAuditStore.open(dir);
const listener = new AuditListener({ store, feed: {}, clock: { now: () => new Date() } });
for (const block of blocks.slice(Number(await store.checkpoint()))) {
  await listener.ingest(block);
  process.stdout.write('.');
}
process.stdout.write('done');
`;

let base: string;
let blocks: Uint8Array[];

beforeAll(async () => {
  buildIfStale();
  base = await mkdtemp(join(tmpdir(), 'cc-audit-kill-'));
  const chain = await TestChain.create();
  const { admin, yangtze, pearl, jingjinji } = await testOfficers();
  const c = new TestContract();
  chain.block([c.configure(admin).envelope]);
  const subject = hex64();
  for (let i = 0; i < 400; i++) {
    const txs = [c.submit(yangtze, `RPT-${i}`, subject).envelope];
    if (i > 0) {
      txs.push(c.request(pearl, `RPT-${i - 1}`).envelope);
      txs.push(c.request(jingjinji, `RPT-${i - 1}`, { denial: 'CONSENT_NOT_FOUND' }).envelope);
    }
    chain.block(txs);
  }
  blocks = chain.blocks;
  await writeFile(
    join(base, 'blocks.bin'),
    Buffer.concat(
      blocks.flatMap((b) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(b.length);
        return [length, Buffer.from(b)];
      }),
    ),
  );
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Runs the child until it has indexed `after` blocks, then kills it with SIGKILL. */
function killAfter(dir: string, after: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', CHILD, join(base, 'blocks.bin'), dir, DIST],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let seen = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('.').length - 1;
      if (seen >= after && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the child was not killed (${String(_code)}): ${stderr}`));
    });
  });
}

async function contents(store: LevelAuditStore) {
  return {
    state: await store.state(),
    entries: (await store.scanEntries('time', { partition: '', from: '', to: '', limit: 5000 })).items,
    receipts: await store.receiptsIn('time', '', '', ''),
  };
}

describe('SIGKILL while indexing', () => {
  it(
    'leaves the model at a block boundary, and a resumed run adds each block exactly once',
    { timeout: 120_000 },
    async () => {
      const reference = await LevelAuditStore.open(join(base, 'reference'));
      const ref = new AuditListener({
        store: reference,
        feed: { open: () => Promise.reject(new Error()), close: () => Promise.resolve() },
        clock,
      });
      for (const b of blocks) await ref.ingest(b);
      const expected = await contents(reference);
      await reference.close();

      const dir = join(base, 'killed');
      let indexed = 0n;
      for (const after of [10, 40, 80, 120]) {
        await killAfter(dir, after);
        const store = await LevelAuditStore.open(dir);
        const state = await store.state();
        const checkpoint = BigInt(state.nextBlock);
        // Killed while indexing: past where it started, short of the end.
        expect(checkpoint).toBeGreaterThanOrEqual(indexed + BigInt(after));
        expect(checkpoint).toBeLessThan(BigInt(blocks.length));
        indexed = checkpoint;
        expect(state.counts.blocks).toBe(state.nextBlock);
        await store.block(checkpoint - 1n);
        await expect(store.block(checkpoint)).rejects.toMatchObject({ code: 'BLOCK_NOT_FOUND' });
        const now = await contents(store);
        expect(now.entries).toHaveLength(state.counts.entries);
        expect(now.receipts).toHaveLength(state.counts.receipts);
        expect(now.entries).toEqual(expected.entries.filter((e) => BigInt(e.block) < checkpoint));
        await store.close();
      }
      const store = await LevelAuditStore.open(dir);
      const listener = new AuditListener({
        store,
        feed: { open: () => Promise.reject(new Error()), close: () => Promise.resolve() },
        clock,
      });
      for (const b of blocks.slice(Number(await store.checkpoint())))
        expect(await listener.ingest(b)).toBe('indexed');
      expect(await contents(store)).toEqual(expected);
      await store.close();
    },
  );
});
