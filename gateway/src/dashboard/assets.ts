/*
 * The dashboard's static files (`public/`: one HTML page, one JavaScript module, one style sheet,
 * an icon), read once when the gateway starts. They are plain browser files, not compiled: the
 * build (`tsc`) emits only `.ts`, so a gateway running from `dist/` reads them from `dist/` when a
 * build step has copied them there, else from the sources of the repository it was built from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard serves. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** URL path below `/dashboard/` → file. */
export type DashboardAssets = ReadonlyMap<string, DashboardAsset>;

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

const SOURCE_DIR = join('gateway', 'src', 'dashboard', 'public');

/**
 * The folder holding the files: `public/` next to this module, else `gateway/src/dashboard/public`
 * of the nearest enclosing repository (a gateway run from `dist/` without copied assets).
 */
export function dashboardDir(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  const beside = join(from, 'public');
  if (existsSync(join(beside, 'index.html'))) return beside;
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, SOURCE_DIR);
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}

/** Reads every file of the dashboard; undefined when they are not installed. */
export function loadDashboardAssets(dir: string | undefined): DashboardAssets | undefined {
  if (dir === undefined) return undefined;
  return new Map(
    Object.entries(FILES).map(([name, contentType]) => [
      name,
      { body: readFileSync(join(dir, name)), contentType },
    ]),
  );
}
