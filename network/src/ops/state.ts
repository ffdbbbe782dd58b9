import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConnectionProfileFiles } from './admin-protocol.js';

/** What the last `network up` of a profile ran, kept in `state.json` for when the network is down. */
export interface NetworkState {
  readonly profile: string;
  readonly profileFile: string;
  readonly pid: number;
  readonly startedAt: string;
  /** Set by a clean stop; absent while running or after a crash. */
  readonly stoppedAt?: string;
  readonly channel: string;
  readonly peers: readonly {
    readonly mspId: string;
    readonly hostAlias: string;
    readonly address: string;
    readonly tlsRootCertPath: string;
  }[];
  readonly chaincodes: readonly {
    readonly name: string;
    readonly version: string;
    readonly sequence: number;
  }[];
  readonly connectionProfiles: readonly ConnectionProfileFiles[];
}

/** Writes `text` to `file` through a temporary file and a rename, so readers never see half of it. */
export async function writeFileAtomic(file: string, text: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}

/** The recorded state, or undefined when there is none or it is unreadable. */
export async function readState(file: string): Promise<NetworkState | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (
      value === null ||
      typeof value !== 'object' ||
      typeof (value as { profile?: unknown }).profile !== 'string'
    )
      return undefined;
    return value as NetworkState;
  } catch {
    return undefined;
  }
}

export async function writeState(file: string, state: NetworkState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}
