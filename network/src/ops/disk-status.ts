import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PeerLedger } from '../ledger/index.js';
import type { ProfileHome } from './home.js';
import type { OperatorProfile } from './profile-file.js';
import { readState, type NetworkState } from './state.js';

/** A peer's ledger as found on disk while the network is down. */
export interface DiskPeerStatus {
  readonly mspId: string;
  readonly hostAlias: string;
  /** The address it last served, if known. */
  readonly lastAddress: string | undefined;
  /** Committed blocks; undefined when there is no ledger (never started) or it cannot be opened. */
  readonly height: number | undefined;
  readonly problem?: string;
}

/** A stopped network: its last recorded state and its ledgers' heights. */
export interface DiskStatus {
  readonly profile: string;
  readonly dir: string;
  readonly exists: boolean;
  readonly lastRun: NetworkState | undefined;
  readonly peers: readonly DiskPeerStatus[];
}

/** Where a peer's ledger lives under the profile folder. */
export function peerLedgerDir(home: ProfileHome, hostAlias: string): string {
  return join(home.ledgers, hostAlias);
}

async function heightOf(dir: string): Promise<{ height?: number; problem?: string }> {
  if (!existsSync(dir)) return {};
  try {
    const ledger = await PeerLedger.open(dir);
    try {
      return { height: ledger.height };
    } finally {
      await ledger.close();
    }
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

/** Reads what a stopped network left on disk (opens each ledger briefly; never writes). */
export async function diskStatus(profile: OperatorProfile, home: ProfileHome): Promise<DiskStatus> {
  const lastRun = await readState(home.stateFile);
  const peers = await Promise.all(
    profile.network.orgs.map(async (org) => {
      const hostAlias = `${org.peer.name}.${org.domain}`;
      const { height, problem } = await heightOf(peerLedgerDir(home, hostAlias));
      return {
        mspId: org.mspId,
        hostAlias,
        lastAddress: lastRun?.peers.find((p) => p.mspId === org.mspId)?.address,
        height,
        ...(problem === undefined ? {} : { problem }),
      };
    }),
  );
  return { profile: profile.network.name, dir: home.dir, exists: existsSync(home.dir), lastRun, peers };
}
