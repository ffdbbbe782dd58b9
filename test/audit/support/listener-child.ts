/**
 * The regulator's audit block listener as a process of its own, so that a test can SIGKILL it in
 * the middle of a stream. Argument: a JSON file `{ dir, peer, identity }` (the LevelDB directory,
 * the peer connection and the identity signing the deliver requests). Prints the checkpoint (the
 * next block to index) on a line of its own every time it moves; runs until killed.
 */
import { readFileSync } from 'node:fs';
import { FabricBlockFeed } from '../../../gateway/src/audit/fabric-block-feed.js';
import { LevelAuditStore } from '../../../gateway/src/audit/level-audit-store.js';
import { AuditListener } from '../../../gateway/src/audit/listener.js';
import type { PeerConnection } from '../../../gateway/src/ledger/connection.js';
import { systemClock } from '../../../gateway/src/ports/clock.js';
import type { Identity } from '../../../gateway/src/wallet/wallet.js';

/** What the parent hands the child. */
export interface ListenerChildConfig {
  readonly dir: string;
  readonly peer: PeerConnection;
  readonly identity: Identity;
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: listener-child.ts <config.json>');
const config = JSON.parse(readFileSync(file, 'utf8')) as ListenerChildConfig;
const store = await LevelAuditStore.open(config.dir);
const feed = FabricBlockFeed.connect({
  peer: config.peer,
  channel: 'creditchain',
  identity: config.identity,
});
const listener = new AuditListener({ store, feed, clock: systemClock, retry: { initialMs: 50, maxMs: 500 } });
listener.start();
let next = await store.checkpoint();
process.stdout.write(`${next}\n`);
for (;;) {
  await listener.indexedUpTo(next + 1n, 3_600_000);
  next = await store.checkpoint();
  process.stdout.write(`${next}\n`);
}
