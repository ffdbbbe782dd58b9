/**
 * The admin control protocol of a running network: newline-delimited JSON over the Unix domain
 * socket `admin.sock` (mode 0600). Each request line `{"op": ..., ...}` gets one response line,
 * `{"ok": true, "result": ...}` or `{"ok": false, "error": {"code", "message", "hint"?}}`.
 */

/** A request: `op` picks the handler; the other fields are its arguments. */
export interface AdminRequest {
  readonly op: string;
  readonly [argument: string]: unknown;
}

/** A failed request's error. */
export interface AdminErrorBody {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** One response line. */
export type AdminResponse =
  { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: AdminErrorBody };

/** `{op: 'deploy'}`: define (or upgrade) a chaincode on the running network. */
export interface DeployRequest extends AdminRequest {
  readonly op: 'deploy';
  readonly name: string;
  /** Absolute path of a prepared (installed and built) chaincode folder. */
  readonly path: string;
  readonly version: string;
  readonly policy: string;
}

/** Where the network is in its life. */
export type NetworkPhase = 'starting' | 'ready' | 'stopping';

/** A peer as `{op: 'status'}` reports it. */
export interface PeerStatus {
  readonly mspId: string;
  /** `<peer>.<domain>`, the TLS host name (`ssl-target-name-override`). */
  readonly hostAlias: string;
  /** `host:port` clients dial. */
  readonly address: string;
  readonly running: boolean;
  /** Committed blocks; undefined when the ledger could not be read. */
  readonly height: number | undefined;
}

/** One organisation's process of a chaincode. */
export interface ChaincodeRuntimeStatus {
  readonly mspId: string;
  /** `ready`, `starting`, `restarting`, `stopped`... or `unknown`. */
  readonly state: string;
  readonly pid: number | undefined;
  readonly address: string | undefined;
}

/** A chaincode defined on the channel. */
export interface ChaincodeStatus {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly runtimes: readonly ChaincodeRuntimeStatus[];
}

/** An organisation's Fabric common connection profile files. */
export interface ConnectionProfileFiles {
  readonly mspId: string;
  readonly json: string;
  readonly yaml: string;
}

/** The answer to `{op: 'status'}`. */
export interface NetworkStatus {
  readonly profile: string;
  readonly profileFile: string;
  readonly dir: string;
  readonly socket: string;
  readonly pid: number;
  readonly phase: NetworkPhase;
  readonly startedAt: string;
  readonly channel: string;
  readonly orderer: { readonly mspId: string; readonly host: string };
  readonly peers: readonly PeerStatus[];
  readonly chaincodes: readonly ChaincodeStatus[];
  readonly connectionProfiles: readonly ConnectionProfileFiles[];
  /** The member gateways `network up` started (none for profiles without gateway ports). */
  readonly gateways?: readonly GatewayStatus[];
}

/** A member gateway of the running network. */
export interface GatewayStatus {
  readonly mspId: string;
  /** Short organisation name (`yangtze`). */
  readonly org: string;
  /** `https://localhost:<port>`. */
  readonly url: string;
  readonly state: 'ready' | 'restarting' | 'stopped';
  readonly pid: number | undefined;
  readonly restarts: number;
  readonly logFile: string;
}

/** Longest request or response line accepted (bytes). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** Parses one request line; undefined when it is not a JSON object with a string `op`. */
export function parseRequest(line: string): AdminRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const op = (value as { op?: unknown }).op;
  return typeof op === 'string' ? (value as AdminRequest) : undefined;
}
