import { join, resolve } from 'node:path';
import { OperatorError } from './errors.js';

/** Environment variable naming the folder that holds every profile's runtime data. */
export const HOME_ENV = 'CREDITCHAIN_HOME';

/** Longest Unix domain socket path Linux accepts (`sun_path` is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

/** Where one profile's network keeps everything it writes. */
export interface ProfileHome {
  /** `<home>/<profile>`: crypto material (`organizations/`), `ledgers/`, connection profiles. */
  readonly dir: string;
  /** Admin control socket (mode 0600) while the network runs. */
  readonly socket: string;
  /** What the last `network up` ran ({@link NetworkState}). */
  readonly stateFile: string;
  readonly logs: string;
  /** The `network up` process's own log. */
  readonly networkLog: string;
  readonly ledgers: string;
  /** Organisation HPKE private keys, `keys/<MSP>/`. */
  readonly keys: string;
}

/**
 * The folder holding all profiles' data: `--home`, else `$CREDITCHAIN_HOME`, else `network/.local`
 * of the repository.
 */
export function homeBase(option: string | undefined, env: NodeJS.ProcessEnv, repoRoot: string): string {
  const chosen = option ?? (env[HOME_ENV] === '' ? undefined : env[HOME_ENV]);
  return chosen === undefined ? join(repoRoot, 'network', '.local') : resolve(chosen);
}

/**
 * The folders and files of profile `profileName` under `base`.
 * @throws OperatorError `SOCKET_PATH_TOO_LONG` when the admin socket path would not fit a Unix socket.
 */
export function profileHome(base: string, profileName: string): ProfileHome {
  const dir = join(base, profileName);
  const socket = join(dir, 'admin.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH)
    throw new OperatorError(
      'SOCKET_PATH_TOO_LONG',
      `the admin socket path ${socket} is too long for a Unix socket`,
      {
        hint: `use a shorter home folder: --home /tmp/creditchain or ${HOME_ENV}=/tmp/creditchain`,
      },
    );
  const logs = join(dir, 'logs');
  return {
    dir,
    socket,
    stateFile: join(dir, 'state.json'),
    logs,
    networkLog: join(logs, 'network.log'),
    ledgers: join(dir, 'ledgers'),
    keys: join(dir, 'keys'),
  };
}
