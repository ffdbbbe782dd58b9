import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ASSET_CHAINCODE, connectAs } from '../../../test/network/support.js';
import { blockKey } from '../ledger/keys.js';
import { startNetwork } from '../network.js';
import { adminRequest, probeAdminSocket } from '../ops/admin-client.js';
import type { AdminRequest } from '../ops/admin-protocol.js';
import { AdminServer } from '../ops/admin-server.js';
import type { PeerVerification } from '../ops/ledger-verify.js';
import { testNetworkProfile } from '../profile.js';
import { OperatorError } from '../ops/errors.js';
import { profileHome } from '../ops/home.js';
import type { CliContext } from './context.js';
import { register, type LedgerDeps } from './ledger.js';

const BINARY = { keyEncoding: 'view', valueEncoding: 'view' } as const;

describe('creditchain ledger verify', () => {
  let home: string;
  let height: number;
  let lines: string[];
  let exitCode: number | undefined;
  const temps: string[] = [];

  const deps: LedgerDeps = {
    probe: probeAdminSocket,
    request: adminRequest,
    setExitCode: (code) => {
      exitCode = code;
    },
  };

  function context(at: string): CliContext {
    const profile = {
      file: '/p/test-network.yaml',
      network: testNetworkProfile(),
      caPorts: new Map(),
      gatewayPorts: new Map(),
      chaincodes: [],
      consortium: undefined,
    };
    const target = { profile, home: profileHome(dirname(at), basename(at)) };
    return {
      home: at,
      profileName: 'test-network',
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      root: '/repo',
      target: () => Promise.resolve(target),
    };
  }

  async function run(at: string, ...args: string[]): Promise<void> {
    const program = new Command().exitOverride();
    register(program, context(at), deps);
    await program.parseAsync(['node', 'creditchain', 'ledger', 'verify', ...args]);
  }

  /** A profile folder holding a copy of the network's ledgers. */
  async function homeCopy(): Promise<string> {
    const copy = await mkdtemp(join(tmpdir(), 'creditchain-cli-ledger-'));
    temps.push(copy);
    await cp(join(home, 'ledgers'), join(copy, 'ledgers'), { recursive: true });
    return copy;
  }

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'creditchain-cli-ledger-'));
    temps.push(home);
    const net = await startNetwork(testNetworkProfile(), { dir: home, freePorts: true });
    try {
      await net.deploy({
        name: 'asset',
        path: ASSET_CHAINCODE,
        version: '1.0',
        policy: 'MAJORITY Endorsement',
      });
      const { gateway, client } = connectAs(net, 'Org1MSP');
      const asset = gateway.getNetwork('mychannel').getContract('asset');
      await asset.submitTransaction('Put', 'a', '1');
      await asset.submitTransaction('Put', 'b', '2');
      gateway.close();
      client.close();
      height = net.peer('Org1MSP').ledger.height;
      for (let i = 0; i < 100 && net.peer('Org2MSP').ledger.height < height; i++)
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      await net.stop();
    }
  });

  afterAll(async () => {
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  beforeEach(() => {
    lines = [];
    exitCode = undefined;
  });

  it('verifies every peer ledger on disk when the network is down', async () => {
    await run(home);
    expect(exitCode).toBeUndefined();
    expect(lines).toEqual([
      'the test-network network is not running: verifying the ledgers on disk',
      'PEER                    ORG      HEIGHT  STATE KEYS  RESULT',
      `peer0.org1.example.com  Org1MSP  ${String(height).padEnd(6)}  2           ok`,
      `peer0.org2.example.com  Org2MSP  ${String(height).padEnd(6)}  2           ok`,
    ]);
  });

  it('verifies one peer named by organisation', async () => {
    await run(home, '--peer', 'org2');
    expect(lines.slice(2).map((l) => l.split(' ')[0])).toEqual(['peer0.org2.example.com']);
    const err = await run(home, '--peer', 'Org3MSP').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperatorError);
    expect(err).toMatchObject({
      code: 'UNKNOWN_PEER',
      message: 'no peer matches --peer Org3MSP',
      hint: 'name one by MSP id, organisation, domain or host: Org1MSP, Org2MSP',
    });
  });

  it('fails naming the first bad block of a tampered ledger, and exits non-zero', async () => {
    const copy = await homeCopy();
    const n = height - 1;
    const db = new ClassicLevel<Uint8Array, Uint8Array>(
      join(copy, 'ledgers', 'peer0.org2.example.com'),
      BINARY,
    );
    await db.open();
    const blocks = db.sublevel<Uint8Array, Uint8Array>('blocks', BINARY);
    const bytes = Buffer.from((await blocks.get(blockKey(n))) ?? []);
    const at = Math.floor(bytes.length / 3);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    await blocks.put(blockKey(n), bytes);
    await db.close();

    await run(copy);
    expect(exitCode).toBe(1);
    expect(lines[2]).toMatch(/ ok$/);
    expect(lines[3]).toMatch(new RegExp(`^peer0\\.org2\\.example\\.com +Org2MSP .* FAILED at block ${n}$`));
    expect(lines[4]).toBe('');
    expect(lines[5]).toBe('peer0.org2.example.com:');
    expect(lines[6]).toMatch(new RegExp(`^  block ${n}: `));
  });

  it('asks the running network through the admin socket', async () => {
    const copy = await homeCopy();
    const requests: AdminRequest[] = [];
    const answer: PeerVerification[] = [
      { peer: 'peer0.org1.example.com', mspId: 'Org1MSP', ok: true, height: 9, problems: [], stateKeys: 4 },
    ];
    const server = await AdminServer.listen(join(copy, 'admin.sock'), (op) =>
      op === 'verify'
        ? (request) => {
            requests.push(request);
            return Promise.resolve(answer);
          }
        : undefined,
    );
    try {
      await run(copy, '--peer', 'Org1MSP');
    } finally {
      await server.close();
    }
    expect(requests).toEqual([{ op: 'verify', peer: 'Org1MSP' }]);
    expect(lines).toEqual([
      'verifying the ledgers of the running test-network network',
      'PEER                    ORG      HEIGHT  STATE KEYS  RESULT',
      'peer0.org1.example.com  Org1MSP  9       4           ok',
    ]);
  });

  it('says when there is nothing to verify', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'creditchain-cli-ledger-'));
    temps.push(empty);
    await expect(run(empty)).rejects.toMatchObject({
      code: 'NO_LEDGERS',
      hint: 'the network of this profile has not run yet: start it with `creditchain network up`',
    });
  });
});
