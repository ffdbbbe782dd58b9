/*
 * Child processes of the network (chaincode servers, member gateways) must not outlive it. Each is
 * spawned with an IPC channel and {@link ORPHAN_GUARD} preloaded: the channel closes when this
 * process dies, even by SIGKILL, and the child then exits instead of living on holding its port.
 * Children still running when this process exits normally are killed ({@link guardChild}).
 */
import type { ChildProcess } from 'node:child_process';

/** `node --import` argument that makes the child exit when its parent's IPC channel closes. */
export const ORPHAN_GUARD =
  'data:text/javascript,if(process.send)process.on("disconnect",()=>process.exit(0))';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills `child` if it still runs when this process exits; forgets it once it has exited. */
export function guardChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}
