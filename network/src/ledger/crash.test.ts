import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { common } from '@hyperledger/fabric-protos';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerLedger } from './peer-ledger.js';

/*
 * Crash consistency: a child process commits blocks in a loop and is killed with SIGKILL at random
 * moments; after each kill the ledger must reopen at a block boundary with state equal to the replay
 * of the stored blocks. The child runs the ledger's own code, transpiled to JS into a temp dir (plain
 * node cannot import TypeScript). Each envelope's payload is the JSON of its BlockTx, so the parent
 * can replay write sets from the stored blocks alone.
 */

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

const CHILD = `
import { PeerLedger, blockHeaderHash } from './ledger/index.js';
import { buildTestBlock, envelopeBytes } from './ledger/test-support.js';

const [dir, limit] = process.argv.slice(2);
const ledger = await PeerLedger.open(dir);
let { height, currentBlockHash } = ledger.blockchainInfo;
process.stdout.write('open ' + height + '\\n');

function blockTxs(n) {
  const txs = [];
  const count = 1 + (n % 5);
  for (let t = 0; t < count; t++) {
    const writes = [];
    for (let w = 0; w < 3; w++) {
      const k = (n * 7 + t * 3 + w * 11) % 40;
      const key = w === 2 ? '\\u0000idx\\u0000' + (k % 5) + '\\u0000' + k + '\\u0000' : 'k' + k + (k % 3 === 0 ? '\\u{1F600}' : '');
      const value = (n + t + w) % 6 === 5 ? null : n + ':' + t + ':' + w;
      writes.push({ ns: w === 1 ? 'cc2' : 'cc', key, value });
    }
    if (t === 0) writes.push({ ns: 'cc', key: 'blob', value: String(n).repeat(20000) });
    const metadataWrites = [];
    if ((n + t) % 3 === 0) metadataWrites.push({ ns: 'cc', key: writes[0].key, metadata: { VP: 'a' + n } });
    if ((n + t) % 4 === 2) metadataWrites.push({ ns: 'cc', key: 'k' + ((n + t) % 40), metadata: (n % 2) ? {} : { VP: 'b' + n } });
    txs.push({
      txId: n % 4 === 1 && t === 0 ? 'tx-' + (n - 1) + '-0' : 'tx-' + n + '-' + t,
      txNum: t,
      code: (n + t) % 7 === 3 ? 11 : 0,
      timestamp: { seconds: 1700000000 + n, nanos: t },
      writes,
      metadataWrites,
    });
  }
  return txs;
}

const bytesOf = (s) => Buffer.from(s, 'utf8');
for (let n = height; n < Number(limit); n++) {
  const described = blockTxs(n);
  const txs = described.map((tx) => ({
    ...tx,
    writes: tx.writes.map((w) => ({ ...w, value: w.value === null ? null : bytesOf(w.value) })),
    metadataWrites: tx.metadataWrites.map((m) => ({
      ...m,
      metadata: Object.fromEntries(Object.entries(m.metadata).map(([k, v]) => [k, bytesOf(v)])),
    })),
  }));
  const built = buildTestBlock(n, currentBlockHash, described.map((tx) => envelopeBytes(JSON.stringify(tx))), described.map((tx) => tx.code));
  await ledger.commit(built.bytes, built.block, txs);
  currentBlockHash = blockHeaderHash(built.block.getHeader());
  process.stdout.write(n + '\\n');
}
await ledger.close();
`;

interface DescribedTx {
  txId: string;
  txNum: number;
  code: number;
  writes: Array<{ ns: string; key: string; value: string | null }>;
  metadataWrites: Array<{ ns: string; key: string; metadata: Record<string, string> }>;
}

interface Expected {
  state: Map<string, { value: string; blockNum: number; txNum: number; metadata?: Record<string, string> }>;
  firstTx: Map<string, { blockNumber: number; txNumber: number; code: number }>;
  history: Map<string, Array<{ blockNum: number; txNum: number; txId: string }>>;
}

const id = (ns: string, key: string): string => JSON.stringify([ns, key]);

/** Replays the write sets stored in blocks 0..height-1 with Fabric's key semantics, written independently. */
async function replay(ledger: PeerLedger): Promise<Expected> {
  const expected: Expected = { state: new Map(), firstTx: new Map(), history: new Map() };
  for (let n = 0; n < ledger.height; n++) {
    const block = (await ledger.getBlock(n))!;
    for (const env of block.getData()!.getDataList_asU8()) {
      const tx = JSON.parse(
        Buffer.from(common.Envelope.deserializeBinary(env).getPayload_asU8()).toString(),
      ) as DescribedTx;
      if (!expected.firstTx.has(tx.txId)) {
        expected.firstTx.set(tx.txId, { blockNumber: n, txNumber: tx.txNum, code: tx.code });
      }
      if (tx.code !== 0) continue;
      const own = new Map<string, string | null>();
      for (const w of tx.writes) {
        const k = id(w.ns, w.key);
        own.set(k, w.value);
        const previous = expected.state.get(k);
        if (w.value === null) expected.state.delete(k);
        else {
          const entry = { value: w.value, blockNum: n, txNum: tx.txNum };
          expected.state.set(k, previous?.metadata ? { ...entry, metadata: previous.metadata } : entry);
        }
        expected.history.set(k, [
          { blockNum: n, txNum: tx.txNum, txId: tx.txId },
          ...(expected.history.get(k) ?? []),
        ]);
      }
      for (const m of tx.metadataWrites) {
        const k = id(m.ns, m.key);
        const current = expected.state.get(k);
        if (own.get(k) === null || current === undefined) continue;
        const version = own.has(k) ? current : { blockNum: n, txNum: tx.txNum };
        const rest = { value: current.value, blockNum: version.blockNum, txNum: version.txNum };
        expected.state.set(
          k,
          Object.keys(m.metadata).length === 0 ? rest : { ...rest, metadata: m.metadata },
        );
      }
    }
  }
  return expected;
}

async function checkConsistency(dir: string): Promise<number> {
  const ledger = await PeerLedger.open(dir);
  try {
    const height = ledger.height;
    expect(await ledger.verifyIntegrity()).toEqual({ ok: true, height, problems: [] });
    expect(await ledger.getBlockBytes(height)).toBeUndefined();
    expect(await ledger.getTxStatus(`tx-${height}-0`)).toBeUndefined();
    const expected = await replay(ledger);
    const actual = new Map<
      string,
      { value: string; blockNum: number; txNum: number; metadata?: Record<string, string> }
    >();
    for await (const e of ledger.stateEntries()) {
      expect(e.version.blockNum).toBeLessThanOrEqual(height - 1);
      const md = await ledger.getStateMetadata(e.ns, e.key);
      const entry = { value: Buffer.from(e.value).toString(), ...e.version };
      actual.set(
        id(e.ns, e.key),
        md === undefined
          ? entry
          : {
              ...entry,
              metadata: Object.fromEntries(
                Object.entries(md).map(([k, v]) => [k, Buffer.from(v).toString()]),
              ),
            },
      );
    }
    expect(actual).toEqual(expected.state);
    for (const [txId, status] of expected.firstTx) expect(await ledger.getTxStatus(txId)).toEqual(status);
    for (const [k, entries] of expected.history) {
      const [ns, key] = JSON.parse(k) as [string, string];
      const history: Array<{ blockNum: number; txNum: number; txId: string }> = [];
      for await (const h of ledger.getHistory(ns, key))
        history.push({ blockNum: h.blockNum, txNum: h.txNum, txId: h.txId });
      expect(history).toEqual(entries);
    }
    return height;
  } finally {
    await ledger.close();
  }
}

/** Runs the child until it has committed `commits` blocks (or `delayOnly`), then SIGKILLs it after a random delay. */
function runAndKill(script: string, dir: string, commits: number, delayMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, dir, '100000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    let killed = false;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    if (commits === 0) kill();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      lines += chunk.split('\n').filter((l) => /^\d+$/.test(l)).length;
      if (lines >= commits) kill();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolvePromise();
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

describe('crash consistency (kill -9 during commits)', () => {
  let work: string;
  let script: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ledger-crash-'));
    // The ledger and the modules it imports (block hashing lives with the orderer).
    for (const folder of ['ledger', 'orderer', 'crypto']) {
      const source = join(here, '..', folder);
      await mkdir(join(work, folder));
      for (const file of await readdir(source)) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
        const { outputText } = ts.transpileModule(await readFile(join(source, file), 'utf8'), {
          fileName: file,
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        await writeFile(join(work, folder, file.replace(/\.ts$/, '.js')), outputText);
      }
    }
    await symlink(join(repoRoot, 'node_modules'), join(work, 'node_modules'), 'dir');
    await writeFile(join(work, 'package.json'), '{ "type": "module" }\n');
    script = join(work, 'child.mjs');
    await writeFile(script, CHILD);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('reopens at a block boundary with state equal to the replay of stored blocks', async () => {
    const dir = join(work, 'peer');
    let height = 0;
    const rounds: Array<[commits: number, delayMs: number]> = [
      [0, 150],
      [5, 0],
      [12, 3],
      [20, 7],
      [8, 1],
      [30, 11],
      [3, 0],
      [15, 5],
    ];
    for (const [commits, delayMs] of rounds) {
      await runAndKill(script, dir, commits, delayMs + Math.floor(Math.random() * 4));
      const reopened = await checkConsistency(dir);
      expect(reopened).toBeGreaterThanOrEqual(height + commits);
      height = reopened;
    }
    expect(height).toBeGreaterThan(50);
  });
});
