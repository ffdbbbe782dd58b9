import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sources(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat().filter((f) => f.endsWith('.ts'));
}

describe('gateway boundaries', () => {
  it('no gateway source or test support imports network/: the gateway cannot tell the emulator from Fabric', async () => {
    const offenders: string[] = [];
    for (const file of await sources(SRC)) {
      if (file.endsWith('.test.ts')) continue;
      const text = await readFile(file, 'utf8');
      if (/from\s+['"][^'"]*\/network\/|import\(\s*['"][^'"]*\/network\//.test(text))
        offenders.push(relative(SRC, file));
    }
    expect(offenders).toEqual([]);
  });
});
