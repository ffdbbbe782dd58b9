/**
 * The member gateway's composition root: reads the configuration, opens the adapters it names
 * (Fabric ledger, LevelDB vault and token store, file wallet, file key store), builds the app and
 * serves it over HTTPS with optional client certificates (mutual TLS).
 *
 * ```sh
 * CREDITCHAIN_WALLET_SECRET=... node dist/gateway/src/main.js --config gateway.json
 * ```
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { buildApp, type GatewayApp } from './app.js';
import { AuditService } from './audit/audit-service.js';
import { FabricBlockFeed } from './audit/fabric-block-feed.js';
import { LevelAuditStore } from './audit/level-audit-store.js';
import { AuditListener, type AuditLog } from './audit/listener.js';
import { LevelTokenStore } from './auth/level-token-store.js';
import { ApiTokens } from './auth/tokens.js';
import {
  ConfigError,
  loadConfig,
  type AuditConfig,
  type GatewayConfig,
  type TransfersConfig,
} from './config.js';
import { decodeBase64 } from './crypto/bytes.js';
import { SUBJECT_KEY_BYTES } from './crypto/pseudonym.js';
import { loggerOptions } from './http/logging.js';
import { FileKeyStore } from './keystore/file-key-store.js';
import { readConnectionProfile, type PeerConnection } from './ledger/connection.js';
import { FabricLedger } from './ledger/fabric-ledger.js';
import { systemClock } from './ports/clock.js';
import { SchemaCatalogue } from './schemas/catalogue.js';
import { DEFAULT_LIMITS } from './services/context.js';
import { Idempotency } from './services/idempotency.js';
import { parseCas } from './transfer/certificates.js';
import { HttpsPeerTransport, type PeerGatewayEndpoint } from './transfer/https-peer-transport.js';
import { LevelVault } from './vault/level-vault.js';
import { FileWallet } from './wallet/file-wallet.js';
import { cachedIdentities } from './wallet/identity-cache.js';

/** A gateway that is listening. */
export interface RunningGateway {
  readonly gateway: GatewayApp;
  /** `https://host:port`. */
  readonly url: string;
  /** Stops listening and closes ledger connections, vault and token store. */
  close(): Promise<void>;
}

async function peerOf(config: GatewayConfig): Promise<PeerConnection> {
  const { ledger } = config;
  if (ledger.connectionProfile !== undefined)
    return readConnectionProfile(ledger.connectionProfile, config.mspId);
  const peer = ledger.peer;
  if (!peer) throw new ConfigError('ledger needs connectionProfile or peer');
  return {
    endpoint: peer.endpoint,
    ...(peer.tlsRootCertFile === undefined
      ? {}
      : { tlsRootCertPem: await readFile(peer.tlsRootCertFile, 'utf8') }),
    ...(peer.hostAlias === undefined ? {} : { hostAlias: peer.hostAlias }),
  };
}

async function subjectKeyOf(config: GatewayConfig, env: NodeJS.ProcessEnv): Promise<Uint8Array> {
  const source = config.subjectKey;
  const text = 'env' in source ? env[source.env] : (await readFile(source.file, 'utf8')).trim();
  const key = text === undefined ? undefined : decodeBase64(text);
  if (!key || key.byteLength !== SUBJECT_KEY_BYTES)
    throw new ConfigError(`the subject key must be base64 of ${SUBJECT_KEY_BYTES} bytes`);
  return key;
}

/**
 * Opens everything `config` names and starts listening.
 *
 * @throws {@link ConfigError} for missing secrets; adapter errors when a store cannot be opened
 */
export async function startGateway(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningGateway> {
  const walletSecret = env[config.walletSecretEnv];
  if (walletSecret === undefined || walletSecret === '')
    throw new ConfigError(`the wallet secret must be in the environment variable ${config.walletSecretEnv}`);
  const logger = pino(loggerOptions(config.logLevel));
  const subjectKey = await subjectKeyOf(config, env);
  const wallet = await FileWallet.open(config.walletDir, walletSecret);
  // Opened once per user: every officer-signed request would otherwise run scrypt.
  const identities = cachedIdentities(wallet);
  const keys = await FileKeyStore.open(
    config.keysDir,
    config.activeKeyId === undefined ? {} : { activeKeyId: config.activeKeyId },
  );
  const clientCas = await Promise.all(config.tls.clientCaFiles.map((f) => readFile(f, 'utf8')));
  const transfers = config.transfers ? await transferOptions(config.transfers) : undefined;
  // One TLS server for officers and peer gateways: it accepts certificates of every trusted CA and
  // the authenticators decide which CA may stand for what.
  const trusted = [...clientCas, ...(transfers?.delivery.peerGateways.flatMap((p) => p.tlsCaPems) ?? [])];
  const https = {
    cert: await readFile(config.tls.certFile),
    key: await readFile(config.tls.keyFile),
    ...(trusted.length > 0 ? { ca: trusted, requestCert: true, rejectUnauthorized: false } : {}),
  };
  // Opened in order, closed in reverse, also when a later step fails.
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const ledger = FabricLedger.connect({
      peer: await peerOf(config),
      channel: config.ledger.channel,
      chaincode: config.ledger.chaincode,
      identityOf: identities,
    });
    closers.push(() => ledger.close());
    const audit = config.audit?.enabled
      ? await startAudit(config, config.audit, {
          wallet,
          subjectKey,
          log: logger,
          closers,
        })
      : undefined;
    const vault = await LevelVault.open(config.vaultDir);
    closers.push(() => vault.close());
    const tokenStore = await LevelTokenStore.open(config.tokensDir);
    closers.push(() => tokenStore.close());
    const gateway = await buildApp({
      deps: {
        mspId: config.mspId,
        channel: config.ledger.channel,
        ledger,
        vault,
        keys,
        clock: systemClock,
        catalogue: SchemaCatalogue.shipped(config.categories),
        idempotency: new Idempotency(vault, systemClock),
        subjectKey,
        limits: {
          ...DEFAULT_LIMITS,
          ...(config.maxReportBytes === undefined ? {} : { maxReportBytes: config.maxReportBytes }),
        },
      },
      tokens: new ApiTokens(tokenStore),
      wallet,
      clientCaPems: clientCas,
      clientCertificates: config.clientCertificates,
      ...(transfers
        ? {
            retrieval: { transport: transfers.transport, identityOf: identities },
            delivery: transfers.delivery,
          }
        : {}),
      ...(audit ? { audit } : {}),
      logger,
      https,
    });
    closers.push(() => gateway.app.close());
    const url = await gateway.app.listen({ host: config.listen.host, port: config.listen.port });
    return { gateway, url, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The audit read model: opens its store, starts the block listener (identity of `audit.user`) and
 * returns the service the `/v1/audit` routes call. Registers what it opens with `closers`.
 */
async function startAudit(
  config: GatewayConfig,
  audit: AuditConfig,
  context: {
    readonly wallet: FileWallet;
    readonly subjectKey: Uint8Array;
    readonly log: AuditLog;
    readonly closers: (() => Promise<void>)[];
  },
): Promise<AuditService> {
  const identity = await context.wallet.get(audit.user);
  if (!identity) throw new ConfigError(`audit.user ${audit.user} has no identity in the wallet`);
  const pinnedTrust = audit.orderer
    ? {
        orgs: [
          {
            mspId: audit.orderer.mspId,
            rootCertsPem: (await Promise.all(audit.orderer.caFiles.map((f) => readFile(f, 'utf8')))).flatMap(
              (pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [],
            ),
            intermediateCertsPem: [],
          },
        ],
        fromBlock: -1,
      }
    : undefined;
  const store = await LevelAuditStore.open(audit.dataDir);
  context.closers.push(() => store.close());
  const feed = FabricBlockFeed.connect({
    peer: await peerOf(config),
    channel: config.ledger.channel,
    identity,
  });
  context.closers.push(() => feed.close());
  const listener = new AuditListener({
    store,
    feed,
    chaincode: config.ledger.chaincode,
    clock: systemClock,
    log: context.log,
    ...(pinnedTrust ? { pinnedTrust } : {}),
  });
  listener.start();
  context.closers.push(() => listener.close());
  return new AuditService({
    store,
    mspId: config.mspId,
    subjectKey: context.subjectKey,
    thresholds: audit.thresholds,
    listener,
    chaincode: config.ledger.chaincode,
  });
}

async function transferOptions(t: TransfersConfig) {
  const peers = await Promise.all(
    Object.entries(t.peers).map(async ([mspId, p]) => ({
      mspId,
      url: p.url,
      servername: p.servername,
      tlsCaPem: await readFile(p.tlsCaFile, 'utf8'),
      signingCaPems: await Promise.all(p.signingCaFiles.map((f) => readFile(f, 'utf8'))),
    })),
  );
  const endpoints: Record<string, PeerGatewayEndpoint> = {};
  for (const p of peers)
    if (p.url !== undefined)
      endpoints[p.mspId] = {
        url: p.url,
        tlsCaPem: p.tlsCaPem,
        ...(p.servername === undefined ? {} : { servername: p.servername }),
      };
  return {
    transport: new HttpsPeerTransport({
      peers: endpoints,
      clientCertPem: await readFile(t.clientCertFile, 'utf8'),
      clientKeyPem: await readFile(t.clientKeyFile, 'utf8'),
    }),
    delivery: {
      transferUser: t.transferUser,
      signingCas: new Map(peers.map((p) => [p.mspId, parseCas(p.signingCaPems)])),
      peerGateways: peers.map((p) => ({ mspId: p.mspId, tlsCaPems: [p.tlsCaPem] })),
    },
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--config');
  const file = at >= 0 ? argv[at + 1] : process.env.CREDITCHAIN_GATEWAY_CONFIG;
  if (file === undefined)
    throw new ConfigError('usage: main.js --config <gateway.json> (or CREDITCHAIN_GATEWAY_CONFIG)');
  const running = await startGateway(await loadConfig(file));
  running.gateway.app.log.info({ url: running.url }, 'gateway listening');
  const stop = (): void => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`creditchain gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
