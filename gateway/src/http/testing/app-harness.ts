/* Test-only: the HTTP app over the in-memory services harness, with tokens and captured logs. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp, type GatewayApp } from '../../app.js';
import { MemoryTokenStore } from '../../auth/memory-token-store.js';
import { ApiTokens } from '../../auth/tokens.js';
import { harness, type Harness } from '../../services/testing/harness.js';
import type { ClientCertificateMapping, PeerCertificate } from '../auth.js';
import { loggerOptions } from '../logging.js';

/** The app, its world, a token per role and every log line written. */
export interface AppHarness extends Harness {
  readonly gateway: GatewayApp;
  readonly tokens: ApiTokens;
  readonly token: {
    readonly member: string;
    readonly bureau: string;
    readonly regulator: string;
    readonly admin: string;
  };
  readonly logs: string[];
  /** The client certificate the next requests present (mTLS), or undefined. */
  peer: PeerCertificate | undefined;
}

export async function appHarness(
  options: Parameters<typeof harness>[0] & {
    clientCertificates?: readonly ClientCertificateMapping[];
    clientCaPems?: readonly string[];
  } = {},
): Promise<AppHarness> {
  const world = await harness(options);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const tokens = new ApiTokens(new MemoryTokenStore(), { now: () => world.clock.now() });
  const issue = async (user: string, role: 'member' | 'regulator' | 'admin') =>
    (await tokens.issue({ user, role })).token;
  const token = {
    member: await issue('User1', 'member'),
    bureau: await issue('User2', 'member'),
    regulator: await issue('Regulator1', 'regulator'),
    admin: await issue('Admin', 'admin'),
  };
  const state: { peer: PeerCertificate | undefined } = { peer: undefined };
  const gateway = await buildApp({
    deps: world.deps,
    tokens,
    logger: pino(loggerOptions('debug'), sink),
    processMetrics: false,
    clientCertificates: options.clientCertificates ?? [],
    clientCaPems: options.clientCaPems ?? [],
    peerCertificate: () => state.peer,
  });
  return Object.assign(state, { ...world, gateway, tokens, token, logs });
}
