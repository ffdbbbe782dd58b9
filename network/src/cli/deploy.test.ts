import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminRequest, probeAdminSocket } from '../ops/admin-client.js';
import type { AdminRequest } from '../ops/admin-protocol.js';
import { AdminServer } from '../ops/admin-server.js';
import type { PrepareOptions, PreparedChaincode } from '../ops/chaincode-package.js';
import { ChaincodePackageError } from '../ops/chaincode-package.js';
import { OperatorError } from '../ops/errors.js';
import { profileHome } from '../ops/home.js';
import { testNetworkProfile } from '../profile.js';
import type { CliContext } from './context.js';
import { register, type DeployDeps } from './deploy.js';

describe('creditchain deploy', () => {
  let home: string;
  let server: AdminServer | undefined;
  let lines: string[];
  let requests: AdminRequest[];
  let prepared: string[];

  const prepare = (path: string, options: PrepareOptions): Promise<PreparedChaincode> => {
    prepared.push(path);
    options.log?.('building chaincode: npm run build');
    return Promise.resolve({
      folder: `/abs/${path}`,
      main: `/abs/${path}/dist/index.js`,
      language: 'typescript',
      packageVersion: '1.0.0',
      contracts: ['kv'],
    });
  };
  const deps = (): DeployDeps => ({ prepare, probe: probeAdminSocket, request: adminRequest });

  /** A context whose profile is test-network, with `endorsementPolicy` when given. */
  function context(endorsementPolicy?: string): CliContext {
    const network = {
      ...testNetworkProfile(),
      ...(endorsementPolicy === undefined ? {} : { endorsementPolicy }),
    };
    const profile = {
      file: '/p/test-network.yaml',
      network,
      caPorts: new Map(),
      gatewayPorts: new Map(),
      chaincodes: [],
      consortium: undefined,
    };
    const target = { profile, home: profileHome(dirname(home), basename(home)) };
    return {
      home,
      profileName: 'test-network',
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      root: '/repo',
      target: () => Promise.resolve(target),
    };
  }

  async function run(...args: string[]): Promise<void> {
    const program = new Command().exitOverride();
    register(program, context(), deps());
    await program.parseAsync(['node', 'creditchain', ...args]);
  }

  async function serve(answer: (request: AdminRequest) => Promise<unknown>): Promise<void> {
    server = await AdminServer.listen(join(home, 'admin.sock'), (op) =>
      op === 'deploy'
        ? (request) => {
            requests.push(request);
            return answer(request);
          }
        : undefined,
    );
  }

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'creditchain-cli-deploy-'));
    lines = [];
    requests = [];
    prepared = [];
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(home, { recursive: true, force: true });
  });

  it('prepares the folder and sends op deploy with the package version and the default policy', async () => {
    await serve((r) => Promise.resolve({ name: r['name'], version: r['version'], sequence: 1 }));
    await run('deploy', '--name', 'kv', '--path', 'cc');
    expect(prepared).toEqual(['cc']);
    expect(requests).toEqual([
      { op: 'deploy', name: 'kv', path: '/abs/cc', version: '1.0.0', policy: 'MAJORITY Endorsement' },
    ]);
    expect(lines).toEqual([
      'preparing cc',
      '  building chaincode: npm run build',
      'deploying kv version 1.0.0 (from package.json) with policy MAJORITY Endorsement',
      'deployed kv version 1.0.0, sequence 1',
    ]);
  });

  it("defaults the policy to the profile's endorsement policy", async () => {
    await serve(() => Promise.resolve(null));
    const program = new Command().exitOverride();
    register(program, context("OR('Org1MSP.peer','Org2MSP.peer')"), deps());
    await program.parseAsync(['node', 'creditchain', 'deploy', '--name', 'kv', '--path', 'cc']);
    expect(requests[0]).toMatchObject({ policy: "OR('Org1MSP.peer','Org2MSP.peer')" });
    expect(lines.at(-1)).toBe('deployed kv version 1.0.0');
  });

  it('passes an explicit version and policy', async () => {
    await serve(() => Promise.resolve({ name: 'kv', version: '2', sequence: 2 }));
    await run('deploy', '--name', 'kv', '--path', 'cc', '--version', '2', '--policy', "OR('Org1MSP.peer')");
    expect(requests[0]).toMatchObject({ version: '2', policy: "OR('Org1MSP.peer')" });
    expect(lines.at(-1)).toBe('deployed kv version 2, sequence 2');
  });

  it('says the network is not running before building anything', async () => {
    const err = await run('deploy', '--name', 'kv', '--path', 'cc').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperatorError);
    expect(err).toMatchObject({
      code: 'NOT_RUNNING',
      message: 'the test-network network is not running',
      hint: 'start it with `creditchain network up --profile test-network` (in another terminal), then deploy again',
    });
    expect(prepared).toEqual([]);
  });

  it('passes on packaging and server failures with their hints', async () => {
    await serve(() =>
      Promise.reject(new OperatorError('ADMIN_OP_FAILED', 'policy does not parse', { hint: 'fix --policy' })),
    );
    const refused = await run('deploy', '--name', 'kv', '--path', 'cc', '--policy', 'AND(').catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({
      code: 'ADMIN_OP_FAILED',
      message: 'policy does not parse',
      hint: 'fix --policy',
    });

    const broken: DeployDeps = {
      ...deps(),
      prepare: () => Promise.reject(new ChaincodePackageError('BUILD_FAILED', 'tsc failed', 'fix it')),
    };
    const program = new Command().exitOverride();
    register(program, context(), broken);
    await expect(
      program.parseAsync(['node', 'creditchain', 'deploy', '--name', 'kv', '--path', 'cc']),
    ).rejects.toMatchObject({ code: 'BUILD_FAILED', hint: 'fix it' });
    expect(requests).toHaveLength(1);
  });
});
