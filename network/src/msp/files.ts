import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Contents of `path` as UTF-8, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

let tmpCounter = 0;

/** Writes `data` to `path` atomically (temporary file + rename), creating parent directories. */
export async function writeAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}

/**
 * Writes `data` to `path` unless it already holds exactly that; records the path in `written` when it
 * writes.
 */
export async function writeIfChanged(
  path: string,
  data: string,
  written: string[],
  mode = 0o644,
): Promise<void> {
  if ((await readIfExists(path)) === data) return;
  await writeAtomic(path, data, mode);
  written.push(path);
}
