/**
 * The gateway's configuration file (JSON): where it listens, how it reaches the ledger, where its
 * vault, wallet, tokens and organisation keys live, and where its secrets come from. Relative paths
 * are resolved against the file's folder. Secrets (wallet secret, subject key) are never in the
 * file itself: they come from environment variables or files named here.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_THRESHOLDS, type AlertThresholds } from './audit/alerts.js';
import type { ClientCertificateMapping } from './http/auth.js';
import type { CallerRole } from './services/context.js';

/** The validated configuration, paths absolute. */
export interface GatewayConfig {
  readonly mspId: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** Server certificate and key (PEM files) and the CAs whose client certificates are accepted. */
  readonly tls: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly clientCaFiles: readonly string[];
  };
  readonly ledger: {
    /** A Fabric connection profile (JSON); or `peer`. */
    readonly connectionProfile?: string;
    readonly peer?: {
      readonly endpoint: string;
      readonly tlsRootCertFile?: string;
      readonly hostAlias?: string;
    };
    readonly channel: string;
    readonly chaincode: string;
  };
  readonly vaultDir: string;
  readonly walletDir: string;
  readonly tokensDir: string;
  /** The organisation's key folder (`<home>/keys/<MSP>/`). */
  readonly keysDir: string;
  readonly activeKeyId?: string;
  /** Environment variable holding the wallet secret (default `CREDITCHAIN_WALLET_SECRET`). */
  readonly walletSecretEnv: string;
  /** The consortium subject key: base64 of 32 bytes, from an environment variable or a file. */
  readonly subjectKey: { readonly env: string } | { readonly file: string };
  readonly maxReportBytes?: number;
  /** Accepted categories and versions; every shipped schema when absent. */
  readonly categories?: Readonly<Record<string, readonly string[]>>;
  readonly clientCertificates: readonly ClientCertificateMapping[];
  /** Transfers between member gateways; absent: this gateway neither retrieves nor delivers. */
  readonly transfers?: TransfersConfig;
  /** The audit read model and API (`/v1/audit`); absent: this gateway runs none. */
  readonly audit?: AuditConfig;
  readonly logLevel: string;
}

/** The audit read model: a block listener feeding LevelDB indexes, and the audit API over them. */
export interface AuditConfig {
  readonly enabled: boolean;
  /** The read model's LevelDB folder. */
  readonly dataDir: string;
  /** The wallet user whose identity signs the block stream requests (any reader of the channel). */
  readonly user: string;
  /**
   * The orderer organisation and CA certificates whose block signatures to trust; absent: those
   * named by the channel's genesis block (and later configuration blocks).
   */
  readonly orderer?: { readonly mspId: string; readonly caFiles: readonly string[] };
  readonly thresholds: AlertThresholds;
}

/** Gateway-to-gateway transfers. */
export interface TransfersConfig {
  /** The wallet user that records deliveries on the ledger. */
  readonly transferUser: string;
  /** This gateway's TLS client certificate towards other gateways; default `tls.certFile` / `tls.keyFile`. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** The other members' gateways by MSP id. */
  readonly peers: Readonly<Record<string, PeerGatewayConfig>>;
}

/** Another member organisation's gateway. */
export interface PeerGatewayConfig {
  /** `https://host:port`; needed only to retrieve from it. */
  readonly url?: string;
  /** Its organisation's TLS CA: its gateway's server and client certificates chain to it. */
  readonly tlsCaFile: string;
  /** Its organisation's signing CA(s): its officers' transfer requests are signed by certificates of these. */
  readonly signingCaFiles: readonly string[];
  readonly servername?: string;
}

/** The configuration is missing a field or has a malformed one. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ConfigError.name;
  }
}

type Json = Readonly<Record<string, unknown>>;
const ROLES: readonly CallerRole[] = ['member', 'regulator', 'admin'];

function obj(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`${at} must be an object`);
  return value as Json;
}

function str(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${at} must be a non-empty string`);
  return value;
}

function optStr(value: unknown, at: string): string | undefined {
  return value === undefined ? undefined : str(value, at);
}

function port(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535)
    throw new ConfigError(`${at} must be a port number`);
  return value;
}

/**
 * Validates a parsed configuration; `baseDir` resolves relative paths.
 *
 * @throws {@link ConfigError} naming the field
 */
export function parseConfig(raw: unknown, baseDir: string): GatewayConfig {
  const c = obj(raw, 'config');
  const path = (value: unknown, at: string): string => resolve(baseDir, str(value, at));
  const listen = obj(c.listen, 'listen');
  const tls = obj(c.tls, 'tls');
  const ledger = obj(c.ledger, 'ledger');
  const peerRaw = ledger.peer === undefined ? undefined : obj(ledger.peer, 'ledger.peer');
  if ((ledger.connectionProfile === undefined) === (peerRaw === undefined))
    throw new ConfigError('ledger needs exactly one of connectionProfile or peer');
  const subject = obj(c.subjectKey, 'subjectKey');
  const subjectKey =
    subject.env !== undefined
      ? { env: str(subject.env, 'subjectKey.env') }
      : { file: path(subject.file, 'subjectKey.file') };
  const clientCaFiles = tls.clientCaFiles === undefined ? [] : tls.clientCaFiles;
  if (!Array.isArray(clientCaFiles)) throw new ConfigError('tls.clientCaFiles must be a list of files');
  const mappings = c.clientCertificates === undefined ? [] : c.clientCertificates;
  if (!Array.isArray(mappings)) throw new ConfigError('clientCertificates must be a list');
  const maxReportBytes = c.maxReportBytes;
  if (
    maxReportBytes !== undefined &&
    (typeof maxReportBytes !== 'number' || !Number.isInteger(maxReportBytes) || maxReportBytes < 1024)
  )
    throw new ConfigError('maxReportBytes must be an integer of at least 1024');
  const categories =
    c.categories === undefined
      ? undefined
      : (obj(c.categories, 'categories') as Readonly<Record<string, readonly string[]>>);
  const activeKeyId = optStr(c.activeKeyId, 'activeKeyId');
  const transfers =
    c.transfers === undefined ? undefined : parseTransfers(obj(c.transfers, 'transfers'), path, tls);
  const peerTls =
    peerRaw === undefined ? undefined : optStr(peerRaw.tlsRootCertFile, 'ledger.peer.tlsRootCertFile');
  const hostAlias = peerRaw === undefined ? undefined : optStr(peerRaw.hostAlias, 'ledger.peer.hostAlias');
  return {
    mspId: str(c.mspId, 'mspId'),
    listen: {
      host: optStr(listen.host, 'listen.host') ?? '127.0.0.1',
      port: port(listen.port, 'listen.port'),
    },
    tls: {
      certFile: path(tls.certFile, 'tls.certFile'),
      keyFile: path(tls.keyFile, 'tls.keyFile'),
      clientCaFiles: clientCaFiles.map((f, i) => path(f, `tls.clientCaFiles[${i}]`)),
    },
    ledger: {
      ...(ledger.connectionProfile === undefined
        ? {}
        : { connectionProfile: path(ledger.connectionProfile, 'ledger.connectionProfile') }),
      ...(peerRaw === undefined
        ? {}
        : {
            peer: {
              endpoint: str(peerRaw.endpoint, 'ledger.peer.endpoint'),
              ...(peerTls === undefined ? {} : { tlsRootCertFile: resolve(baseDir, peerTls) }),
              ...(hostAlias === undefined ? {} : { hostAlias }),
            },
          }),
      channel: str(ledger.channel, 'ledger.channel'),
      chaincode: optStr(ledger.chaincode, 'ledger.chaincode') ?? 'credit',
    },
    vaultDir: path(c.vaultDir, 'vaultDir'),
    walletDir: path(c.walletDir, 'walletDir'),
    tokensDir: path(c.tokensDir, 'tokensDir'),
    keysDir: path(c.keysDir, 'keysDir'),
    ...(activeKeyId === undefined ? {} : { activeKeyId }),
    walletSecretEnv: optStr(c.walletSecretEnv, 'walletSecretEnv') ?? 'CREDITCHAIN_WALLET_SECRET',
    subjectKey,
    ...(maxReportBytes === undefined ? {} : { maxReportBytes }),
    ...(categories === undefined ? {} : { categories }),
    clientCertificates: mappings.map((m, i) => {
      const e = obj(m, `clientCertificates[${i}]`);
      const role = str(e.role, `clientCertificates[${i}].role`) as CallerRole;
      if (!ROLES.includes(role))
        throw new ConfigError(`clientCertificates[${i}].role must be one of ${ROLES.join(', ')}`);
      const fingerprint256 = optStr(e.fingerprint256, `clientCertificates[${i}].fingerprint256`);
      const subjectCn = optStr(e.subjectCn, `clientCertificates[${i}].subjectCn`);
      if (fingerprint256 === undefined && subjectCn === undefined)
        throw new ConfigError(`clientCertificates[${i}] needs fingerprint256 or subjectCn`);
      return {
        user: str(e.user, `clientCertificates[${i}].user`),
        role,
        ...(fingerprint256 === undefined ? {} : { fingerprint256 }),
        ...(subjectCn === undefined ? {} : { subjectCn }),
      };
    }),
    ...(transfers === undefined ? {} : { transfers }),
    ...(c.audit === undefined ? {} : { audit: parseAudit(obj(c.audit, 'audit'), path) }),
    logLevel: optStr(c.logLevel, 'logLevel') ?? 'info',
  };
}

function parseTransfers(t: Json, path: (value: unknown, at: string) => string, tls: Json): TransfersConfig {
  const peers = obj(t.peers, 'transfers.peers');
  return {
    transferUser: str(t.transferUser, 'transfers.transferUser'),
    clientCertFile: path(t.clientCertFile ?? tls.certFile, 'transfers.clientCertFile'),
    clientKeyFile: path(t.clientKeyFile ?? tls.keyFile, 'transfers.clientKeyFile'),
    peers: Object.fromEntries(
      Object.entries(peers).map(([mspId, raw]) => {
        const at = `transfers.peers.${mspId}`;
        const p = obj(raw, at);
        const files = p.signingCaFiles;
        if (!Array.isArray(files) || files.length === 0)
          throw new ConfigError(`${at}.signingCaFiles must list files`);
        const url = optStr(p.url, `${at}.url`);
        const servername = optStr(p.servername, `${at}.servername`);
        const peer: PeerGatewayConfig = {
          ...(url === undefined ? {} : { url }),
          tlsCaFile: path(p.tlsCaFile, `${at}.tlsCaFile`),
          signingCaFiles: files.map((f, i) => path(f, `${at}.signingCaFiles[${i}]`)),
          ...(servername === undefined ? {} : { servername }),
        };
        return [mspId, peer];
      }),
    ),
  };
}

function count(value: unknown, at: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new ConfigError(`${at} must be an integer from 1 to ${max}`);
  return value;
}

function flag(value: unknown, at: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${at} must be true or false`);
  return value;
}

function parseAudit(a: Json, path: (value: unknown, at: string) => string): AuditConfig {
  const orderer = a.orderer === undefined ? undefined : obj(a.orderer, 'audit.orderer');
  const files = orderer?.caFiles;
  if (orderer && (!Array.isArray(files) || files.length === 0))
    throw new ConfigError('audit.orderer.caFiles must list files');
  const t = a.thresholds === undefined ? {} : obj(a.thresholds, 'audit.thresholds');
  const burst = t.burst === undefined ? {} : obj(t.burst, 'audit.thresholds.burst');
  const denials = t.denials === undefined ? {} : obj(t.denials, 'audit.thresholds.denials');
  const d = DEFAULT_THRESHOLDS;
  const YEAR = 366 * 86_400;
  return {
    enabled: flag(a.enabled, 'audit.enabled', true),
    dataDir: path(a.dataDir, 'audit.dataDir'),
    user: str(a.user, 'audit.user'),
    ...(orderer && Array.isArray(files)
      ? {
          orderer: {
            mspId: str(orderer.mspId, 'audit.orderer.mspId'),
            caFiles: files.map((f, i) => path(f, `audit.orderer.caFiles[${i}]`)),
          },
        }
      : {}),
    thresholds: {
      burst: {
        requests: count(burst.requests, 'audit.thresholds.burst.requests', d.burst.requests, 100_000),
        windowSeconds: count(
          burst.windowSeconds,
          'audit.thresholds.burst.windowSeconds',
          d.burst.windowSeconds,
          YEAR,
        ),
      },
      denials: {
        count: count(denials.count, 'audit.thresholds.denials.count', d.denials.count, 100_000),
        windowSeconds: count(
          denials.windowSeconds,
          'audit.thresholds.denials.windowSeconds',
          d.denials.windowSeconds,
          YEAR,
        ),
      },
      purposeMismatch: flag(t.purposeMismatch, 'audit.thresholds.purposeMismatch', d.purposeMismatch),
      supervisory: flag(t.supervisory, 'audit.thresholds.supervisory', d.supervisory),
    },
  };
}

/**
 * Reads and validates a configuration file.
 *
 * @throws {@link ConfigError}
 */
export async function loadConfig(file: string): Promise<GatewayConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError(`${file} is not a readable JSON file`, { cause });
  }
  return parseConfig(raw, dirname(resolve(file)));
}
