/**
 * Durability of the emulator: the network process is killed with SIGKILL in the middle of a load of
 * transactions submitted through the real `@hyperledger/fabric-gateway` client, restarted on the same
 * folder and ports, and every transaction the client saw committed must still be there, with both
 * peers' states identical and equal to a replay of their block stores. A peer that was down catches up.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerLedger, type NamespacedStateEntry } from '../../network/src/ledger/index.js';
import type { PeerEndpoint } from '../../network/src/network.js';
import { ASSET_CHAINCODE, connectAs, startTestNetwork, type TestNetwork } from './support.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RUNNER = join(ROOT, 'dist', 'network', 'src', 'run-network.js');

const TOTAL = 200;
const CONCURRENCY = 20;
const KILL_AFTER_ACKS = 60;

/** Newest modification time of the emulator's sources that the build compiles. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testing' && entry.name !== 'testdata')
        newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Builds dist/ when the runner is missing or older than the emulator sources. */
function buildIfStale(): void {
  const stale = (): boolean =>
    !existsSync(RUNNER) || statSync(RUNNER).mtimeMs < newestSource(join(ROOT, 'network', 'src'));
  if (!stale()) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // tsc emits despite type errors elsewhere in the tree; only a missing or stale runner is fatal here.
  if (result.status !== 0)
    console.warn(
      `tsc -p tsconfig.build.json exited ${String(result.status)}:\n${result.stdout}${result.stderr}`,
    );
  if (stale())
    throw new Error(`build did not produce an up-to-date ${RUNNER}:\n${result.stdout}${result.stderr}`);
}

interface ReadyLine {
  readonly ready: true;
  readonly peers: PeerEndpoint[];
  readonly users: { mspId: string; name: string; certPath: string; keyPath: string }[];
}

/** A spawned `run-network` process (its own process group, so a kill takes its chaincode processes too). */
interface Runner {
  readonly child: ChildProcess;
  readonly ready: ReadyLine;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
}

async function startRunner(dir: string): Promise<Runner> {
  const child = spawn(
    process.execPath,
    [RUNNER, '--dir', dir, '--profile', 'test-network', '--free-ports', '--chaincode', ASSET_CHAINCODE],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: 'CRITICAL' },
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`run-network not ready after 60 s:\n${stderr}`));
    }, 60_000);
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<ReadyLine>;
        if (parsed.ready === true) {
          clearTimeout(timer);
          resolve(parsed as ReadyLine);
        }
      } catch {
        // not the ready line
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`run-network exited (${String(code ?? signal)}) before it was ready:\n${stderr}`));
    });
  });
  return { child, ready, exited, stderr: () => stderr };
}

/** SIGKILL to the runner's whole process group: the network process and its chaincode servers. */
async function crash(runner: Runner): Promise<void> {
  if (runner.child.exitCode === null && runner.child.signalCode === null)
    process.kill(-runner.child.pid!, 'SIGKILL');
  await runner.exited;
}

/** A gateway through `endpoint` as the given user of the runner's network. */
async function gatewayTo(
  runner: Runner,
  endpoint: PeerEndpoint,
  mspId = 'Org1MSP',
): Promise<{ gateway: Gateway; client: grpc.Client }> {
  const user = runner.ready.users.find((u) => u.mspId === mspId && u.name === 'User1')!;
  const [certPem, keyPem] = await Promise.all([
    readFile(user.certPath, 'utf8'),
    readFile(user.keyPath, 'utf8'),
  ]);
  const client = new grpc.Client(
    endpoint.address,
    grpc.credentials.createSsl(Buffer.from(endpoint.tlsRootCertPem)),
    {
      'grpc.ssl_target_name_override': endpoint.hostAlias,
    },
  );
  const gateway = connect({
    client,
    identity: { mspId, credentials: Buffer.from(certPem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(keyPem)),
    evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 30_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return { gateway, client };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

type StateRow = { ns: string; key: string; value: string; version: string };

const row = (e: NamespacedStateEntry): StateRow => ({
  ns: e.ns,
  key: e.key,
  value: Buffer.from(e.value).toString('hex'),
  version: `${e.version.blockNum}:${e.version.txNum}`,
});

const byKey = (a: StateRow, b: StateRow): number =>
  a.ns === b.ns ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.ns < b.ns ? -1 : 1;

/**
 * World state rebuilt from the block store alone: the KV writes of every VALID endorser transaction,
 * in block order, versioned (block, tx).
 */
async function replay(l: PeerLedger): Promise<StateRow[]> {
  const state = new Map<string, StateRow>();
  for (let n = 0; n < l.height; n++) {
    const block = (await l.getBlock(n))!;
    const filter = block.getMetadata()!.getMetadataList_asU8()[
      common.BlockMetadataIndex.TRANSACTIONS_FILTER
    ]!;
    block
      .getData()!
      .getDataList_asU8()
      .forEach((raw, txNum) => {
        if (filter[txNum] !== peer.TxValidationCode.VALID) return;
        const payload = common.Payload.deserializeBinary(
          common.Envelope.deserializeBinary(raw).getPayload_asU8(),
        );
        const chdr = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
        if (chdr.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
        for (const action of peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()) {
          const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
          const prp = peer.ProposalResponsePayload.deserializeBinary(
            cap.getAction()!.getProposalResponsePayload_asU8(),
          );
          const results = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()).getResults_asU8();
          for (const ns of ledger.rwset.TxReadWriteSet.deserializeBinary(results).getNsRwsetList()) {
            for (const w of ledger.rwset.kvrwset.KVRWSet.deserializeBinary(
              ns.getRwset_asU8(),
            ).getWritesList()) {
              const id = `${ns.getNamespace()}\u0000${w.getKey()}`;
              if (w.getIsDelete()) state.delete(id);
              else
                state.set(id, {
                  ns: ns.getNamespace(),
                  key: w.getKey(),
                  value: Buffer.from(w.getValue_asU8()).toString('hex'),
                  version: `${n}:${txNum}`,
                });
            }
          }
        }
      });
  }
  return [...state.values()].sort(byKey);
}

/** Bounded worker pool over `ids`: each worker takes the next id until `stop()` says so. */
async function load(
  contract: () => Contract,
  ids: { next: number },
  acked: Map<string, string>,
  failed: string[],
  stop: () => boolean,
  onAck: () => void,
): Promise<void> {
  const worker = async (): Promise<void> => {
    while (!stop() && ids.next < TOTAL) {
      const i = ids.next++;
      const id = `load-${String(i).padStart(3, '0')}`;
      const value = `value-${i}`;
      try {
        await contract().submitTransaction('Create', id, value);
        acked.set(id, value);
        onAck();
      } catch {
        failed.push(id);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

describe('durability: SIGKILL of the network process under load', () => {
  let dir: string;
  let runner: Runner | undefined;
  const connections: { gateway: Gateway; client: grpc.Client }[] = [];

  beforeAll(async () => {
    buildIfStale();
    dir = await mkdtemp(join(tmpdir(), 'creditchain-durability-'));
  });

  afterAll(async () => {
    for (const c of connections) {
      c.gateway.close();
      c.client.close();
    }
    if (runner) await crash(runner);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'keeps every acknowledged transaction and identical, replayable peer states',
    { timeout: 120_000 },
    async () => {
      runner = await startRunner(dir);
      const firstEndpoints = runner.ready.peers;
      const org1 = firstEndpoints.find((p) => p.mspId === 'Org1MSP')!;
      let conn = await gatewayTo(runner, org1);
      connections.push(conn);
      let contract = conn.gateway.getNetwork('mychannel').getContract('asset');

      const acked = new Map<string, string>();
      const failed: string[] = [];
      const ids = { next: 0 };
      let killed: Promise<void> | undefined;
      const first = runner;
      await load(
        () => contract,
        ids,
        acked,
        failed,
        () => killed !== undefined,
        () => {
          if (killed === undefined && acked.size >= KILL_AFTER_ACKS) killed = crash(first);
        },
      );
      await killed;
      expect(first.child.signalCode).toBe('SIGKILL');
      const ackedBeforeCrash = acked.size;
      expect(ackedBeforeCrash).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
      expect(ackedBeforeCrash).toBeLessThan(TOTAL);
      // Only the transactions in flight at the kill can have failed.
      expect(failed.length).toBeLessThanOrEqual(CONCURRENCY);

      // Restart on the same folder: same ports, so clients reconnect to the same endpoints.
      runner = await startRunner(dir);
      expect(runner.ready.peers.map((p) => [p.mspId, p.address])).toEqual(
        firstEndpoints.map((p) => [p.mspId, p.address]),
      );
      conn = await gatewayTo(runner, org1);
      connections.push(conn);
      contract = conn.gateway.getNetwork('mychannel').getContract('asset');

      // Finish the load on the restarted network: all of it must commit.
      const failedBefore = failed.length;
      await load(
        () => contract,
        ids,
        acked,
        failed,
        () => false,
        () => undefined,
      );
      expect(failed.slice(failedBefore)).toEqual([]);
      expect(acked.size).toBe(TOTAL - failedBefore);

      // A last transaction; once each peer has committed its block, both are at the same height.
      const sentinel = await contract.submitAsync('Create', { arguments: ['sentinel', 'last'] });
      const { blockNumber } = await sentinel.getStatus();
      for (const endpoint of runner.ready.peers) {
        const c = await gatewayTo(runner, endpoint);
        connections.push(c);
        const stream = await c.gateway.getNetwork('mychannel').getBlockEvents({ startBlock: blockNumber });
        try {
          const next = await stream[Symbol.asyncIterator]().next();
          if (next.done === true) throw new Error('block stream ended');
          expect(next.value.getHeader()?.getNumber()).toBe(Number(blockNumber));
        } finally {
          stream.close();
        }
        // Every acknowledged transaction is readable, with its value, on this peer.
        const peerContract = c.gateway.getNetwork('mychannel').getContract('asset');
        const entries = [...acked.entries()];
        for (let i = 0; i < entries.length; i += CONCURRENCY) {
          await Promise.all(
            entries.slice(i, i + CONCURRENCY).map(async ([id, value]) => {
              const read = await peerContract.evaluate('Read', {
                arguments: [id],
                endorsingOrganizations: [endpoint.mspId],
              });
              expect(Buffer.from(read).toString()).toBe(value);
            }),
          );
        }
      }

      // Stop cleanly, then inspect the ledgers on disk.
      const stopped = runner;
      runner = undefined;
      stopped.child.kill('SIGTERM');
      const exit = await Promise.race([
        stopped.exited,
        new Promise<undefined>((r) => {
          setTimeout(() => {
            r(undefined);
          }, 30_000);
        }),
      ]);
      if (exit === undefined) await crash(stopped);
      expect(exit).toEqual({ code: 0, signal: null });

      const ledgers = await Promise.all(
        firstEndpoints.map((p) => PeerLedger.open(join(dir, 'ledgers', p.hostAlias))),
      );
      try {
        const [l1, l2] = ledgers as [PeerLedger, PeerLedger];
        expect(l1.height).toBe(Number(blockNumber) + 1);
        expect(l2.height).toBe(l1.height);
        for (const l of ledgers) {
          const report = await l.verifyIntegrity();
          expect(report.problems).toEqual([]);
          expect(report.ok).toBe(true);
        }
        const s1 = (await collect(l1.stateEntries())).map(row).sort(byKey);
        const s2 = (await collect(l2.stateEntries())).map(row).sort(byKey);
        expect(s2).toEqual(s1);
        expect(await replay(l1)).toEqual(s1);
        expect(await replay(l2)).toEqual(s2);
        const assetState = new Map(
          s1.filter((r) => r.ns === 'asset').map((r) => [r.key, Buffer.from(r.value, 'hex').toString()]),
        );
        for (const [id, value] of acked) expect(assetState.get(id)).toBe(value);
        // Blocks are identical on both peers, filters included.
        for (let n = 0; n < l1.height; n++) {
          expect(
            Buffer.from((await l2.getBlockBytes(n))!).equals(Buffer.from((await l1.getBlockBytes(n))!)),
          ).toBe(true);
        }
      } finally {
        await Promise.all(ledgers.map((l) => l.close()));
      }
    },
  );
});

describe('a peer that was down catches up', () => {
  let t: TestNetwork;
  let conn: { gateway: Gateway; client: grpc.Client } | undefined;

  beforeAll(async () => {
    t = await startTestNetwork();
    await t.net.deploy({
      name: 'asset-any',
      path: ASSET_CHAINCODE,
      version: '1.0',
      policy: 'ANY Endorsement',
    });
  });

  afterAll(async () => {
    conn?.gateway.close();
    conn?.client.close();
    await t.close();
  });

  it('commits the blocks it missed and ends with the same state', async () => {
    conn = connectAs(t.net, 'Org1MSP');
    const contract = conn.gateway.getNetwork('mychannel').getContract('asset-any');
    await contract.submitTransaction('Create', 'before-stop', 'b');

    await t.net.stopPeer('Org2MSP');
    const stoppedLedger = await PeerLedger.open(
      join(t.net.dir, 'ledgers', t.net.peers.find((p) => p.mspId === 'Org2MSP')!.hostAlias),
    );
    const org2HeightWhileDown = stoppedLedger.height;
    await stoppedLedger.close();
    for (let i = 0; i < 5; i++) {
      await contract.submitTransaction('Create', `while-down-${i}`, `v${i}`);
    }
    const org1 = t.net.peer('Org1MSP').ledger;
    expect(org1.height).toBeGreaterThan(org2HeightWhileDown);

    await t.net.startPeer('Org2MSP');
    const org2 = (): PeerLedger => t.net.peer('Org2MSP').ledger;
    for (let i = 0; i < 200 && org2().height < org1.height; i++) await new Promise((r) => setTimeout(r, 50));
    expect(org2().height).toBe(org1.height);

    const s1 = (await collect(org1.stateEntries())).map(row);
    const s2 = (await collect(org2().stateEntries())).map(row);
    expect(s2).toEqual(s1);
    expect(s1.filter((r) => r.ns === 'asset-any' && r.key.startsWith('while-down-'))).toHaveLength(5);
    expect((await org2().verifyIntegrity()).ok).toBe(true);

    // Org2's own peer now answers for the keys it missed.
    const c2 = connectAs(t.net, 'Org2MSP');
    try {
      const viaOrg2 = c2.gateway.getNetwork('mychannel').getContract('asset-any');
      const read = await viaOrg2.evaluate('Read', {
        arguments: ['while-down-4'],
        endorsingOrganizations: ['Org2MSP'],
      });
      expect(Buffer.from(read).toString()).toBe('v4');
    } finally {
      c2.gateway.close();
      c2.client.close();
    }
  });
});

describe('chaincode processes of a killed network', () => {
  beforeAll(buildIfStale);

  it('exit when the process that started them is killed with SIGKILL', async () => {
    const runtimeModule = join(ROOT, 'dist', 'network', 'src', 'chaincode', 'index.js');
    const script = `
      const { ChaincodeRuntime } = await import(${JSON.stringify(runtimeModule)});
      const runtime = new ChaincodeRuntime({ mspId: 'Org1MSP', name: 'asset', version: '1.0', folder: ${JSON.stringify(ASSET_CHAINCODE)} });
      await runtime.start();
      console.log(JSON.stringify({ pid: runtime.pid }));
      setInterval(() => undefined, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: parent.stdout as NodeJS.ReadableStream });
      lines.once('line', resolve);
      parent.once('exit', (code) => {
        reject(new Error(`runtime host exited with ${String(code)}`));
      });
    });
    const { pid } = JSON.parse(line) as { pid: number };
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    parent.kill('SIGKILL');
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  });
});
