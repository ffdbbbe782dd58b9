#!/usr/bin/env node
// `creditchain` operator CLI. The code is TypeScript compiled to dist/ by `npm run build`; this shim
// runs it, or says how to build it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'scripts', 'creditchain.js');
if (!existsSync(entry)) {
  console.error(`creditchain: ${entry} is missing (the CLI is not built)`);
  console.error('  what to do: run `npm run build` in the repository root');
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
process.exit(await main(process.argv.slice(2)));
