import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { profileHome } from '../ops/home.js';
import type { ExportOptions, ExportResult } from '../ops/export/index.js';
import type { OperatorProfile } from '../ops/profile-file.js';
import { testNetworkProfile } from '../profile.js';
import type { CliContext } from './context.js';
import { register, type FabricDeps } from './fabric.js';

const profile: OperatorProfile = {
  file: '/profiles/test-network.yaml',
  network: testNetworkProfile(),
  caPorts: new Map([['Org1MSP', 7054]]),
  gatewayPorts: new Map(),
  chaincodes: [
    { name: 'credit', path: '/cc', version: '0.1.0', policy: 'MAJORITY Endorsement', field: 'chaincodes[0]' },
  ],
  consortium: undefined,
};

const result: ExportResult = {
  out: '/exports/tn',
  configtxProfile: 'MychannelChannel',
  packages: [
    { name: 'credit', label: 'credit_0.1.0', packageId: 'credit_0.1.0:abc', file: 'packages/credit.tar.gz' },
  ],
  files: [],
  warnings: ['something to know'],
};

function harness(failure?: Error): { program: Command; lines: string[]; exports: ExportOptions[] } {
  const lines: string[] = [];
  const exports: ExportOptions[] = [];
  const home = profileHome('/base', 'test-network');
  const ctx: CliContext = {
    home: home.dir,
    profileName: 'test-network',
    out: (l) => lines.push(l),
    err: () => undefined,
    root: '/repo',
    target: () => Promise.resolve({ profile, home }),
  };
  const deps: FabricDeps = {
    exportFabric: (options) => {
      exports.push(options);
      return failure ? Promise.reject(failure) : Promise.resolve(result);
    },
  };
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  register(program, ctx, deps);
  return { program, lines, exports };
}

describe('creditchain fabric export', () => {
  it('exports the selected profile from its home, and reports the package ids and notes', async () => {
    const h = harness();
    await h.program.parseAsync(['node', 'creditchain', 'fabric', 'export', '--out', 'out-dir', '--force']);
    expect(h.exports).toEqual([
      {
        profile: profile.network,
        home: '/base/test-network',
        out: 'out-dir',
        chaincodes: profile.chaincodes,
        consortium: undefined,
        caPorts: profile.caPorts,
        force: true,
      },
    ]);
    const text = h.lines.join('\n');
    expect(text).toContain('MychannelChannel');
    expect(text).toContain('packages/credit.tar.gz  id credit_0.1.0:abc');
    expect(text).toContain('note: something to know');
    expect(h.lines.at(-1)).toBe('next: follow /exports/tn/README.md');
  });

  it('does not force by default', async () => {
    const h = harness();
    await h.program.parseAsync(['node', 'creditchain', 'fabric', 'export', '--out', 'x']);
    expect(h.exports[0]?.force).toBe(false);
  });

  it('requires --out', async () => {
    const h = harness();
    await expect(h.program.parseAsync(['node', 'creditchain', 'fabric', 'export'])).rejects.toThrow(/--out/);
    expect(h.exports).toEqual([]);
  });

  it('lets export failures, with their hint, reach the CLI', async () => {
    const failure = Object.assign(new Error('out-dir is not empty'), { hint: 'choose a new folder' });
    const h = harness(failure);
    await expect(
      h.program.parseAsync(['node', 'creditchain', 'fabric', 'export', '--out', 'out-dir']),
    ).rejects.toBe(failure);
  });
});
