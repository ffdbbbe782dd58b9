/**
 * How a command reaches a gateway. Locally: `--org` (and `--user`, default `User1`) pick the
 * gateway and the officer's client certificate from the gateway directory that `npm start` writes.
 * Elsewhere: `--gateway <url> --ca <file>` with `--token <t>` (or `CREDITCHAIN_TOKEN`), or with a
 * client certificate `--cert <file> --cert-key <file>`.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { directoryClient } from '../client/connect.js';
import { findGateway, readDirectory } from '../client/directory.js';
import { GatewayClient, type GatewayAuth } from '../client/gateway-client.js';
import type { GatewayCliContext } from './context.js';
import { CliError, invalidOption } from './errors.js';
import { parseInteger, parseUser } from './parse.js';

/** The environment variable holding an API token. */
export const TOKEN_ENV = 'CREDITCHAIN_TOKEN';

/** The connection options as commander parses them. */
export interface ConnectionOptions {
  readonly org?: string;
  readonly user?: string;
  readonly as?: string;
  readonly gateway?: string;
  readonly ca?: string;
  readonly token?: string;
  readonly cert?: string;
  readonly certKey?: string;
  readonly timeout?: string;
}

/** Which option names the calling officer: `--user` for member commands, `--as` for admin ones. */
export interface CallerOption {
  readonly flag: '--user' | '--as';
  readonly defaultUser: string;
}

/** Member commands call as `--user`, default User1. */
export const MEMBER_CALLER: CallerOption = { flag: '--user', defaultUser: 'User1' };
/** Admin commands call as `--as`, default Admin (their `--user` names the token's user). */
export const ADMIN_CALLER: CallerOption = { flag: '--as', defaultUser: 'Admin' };

/** Adds the connection options to `command`. */
export function withConnection(command: Command, caller: CallerOption = MEMBER_CALLER): Command {
  return command
    .option(
      '--org <org>',
      'the organisation whose local gateway to call (MSP id or short name, from the gateway directory)',
    )
    .option(
      `${caller.flag} <name>`,
      `the officer to call as, with the client certificate the directory names (default ${caller.defaultUser})`,
    )
    .option('--gateway <url>', 'the gateway URL (https://host:port), when not using the directory')
    .option('--ca <file>', "PEM of the CA of the gateway's TLS certificate (with --gateway)")
    .option('--token <token>', `API token (default $${TOKEN_ENV} with --gateway)`)
    .option('--cert <file>', 'PEM client certificate (with --cert-key)')
    .option('--cert-key <file>', 'PEM private key of --cert')
    .option('--timeout <seconds>', 'how long to wait for an answer (default 120)');
}

async function readPem(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new CliError('FILE_INVALID', `${option} ${file} cannot be read`, { cause });
  }
}

/**
 * A client for the gateway the options name.
 *
 * @throws CliError `INVALID_OPTION` for missing or conflicting options, `DIRECTORY`, `FILE_INVALID`
 */
export async function connect(
  ctx: GatewayCliContext,
  options: ConnectionOptions,
  caller: CallerOption = MEMBER_CALLER,
): Promise<GatewayClient> {
  const timeoutMs =
    options.timeout === undefined ? undefined : parseInteger(options.timeout, '--timeout', 1, 3600) * 1000;
  const extra = timeoutMs === undefined ? {} : { timeoutMs };
  const name = caller.flag === '--user' ? options.user : options.as;
  if ((options.cert === undefined) !== (options.certKey === undefined))
    throw invalidOption('--cert and --cert-key go together');
  const explicit = await explicitAuth(options);
  if (options.gateway !== undefined) {
    if (options.org !== undefined) throw invalidOption('give --org or --gateway, not both');
    if (name !== undefined)
      throw invalidOption(`${caller.flag} picks a certificate from the directory: use it with --org`);
    if (options.ca === undefined)
      throw invalidOption("--gateway needs --ca, the CA of the gateway's TLS certificate");
    const token = ctx.env[TOKEN_ENV];
    const auth = explicit ?? (token !== undefined && token !== '' ? { token } : undefined);
    if (!auth)
      throw invalidOption(`--gateway needs credentials: --token, $${TOKEN_ENV}, or --cert and --cert-key`);
    return new GatewayClient({
      url: options.gateway,
      caPem: await readPem(options.ca, '--ca'),
      auth,
      ...extra,
    });
  }
  if (options.org === undefined)
    throw invalidOption(
      'name the gateway: --org <org> (local gateways, creditchain gateway list) or --gateway <url> --ca <file>',
    );
  if (options.ca !== undefined)
    throw invalidOption('--ca goes with --gateway; --org takes the CA from the directory');
  const directory = await readDirectory(await ctx.profileDir());
  if (explicit) {
    if (name !== undefined) throw invalidOption(`${caller.flag} and --token/--cert are alternatives`);
    const gateway = findGateway(directory, options.org);
    return new GatewayClient({
      url: gateway.url,
      caPem: await readPem(gateway.tlsCaFile, "the directory's tlsCaFile"),
      auth: explicit,
      ...extra,
    });
  }
  return directoryClient(directory, options.org, parseUser(name ?? caller.defaultUser, caller.flag), extra);
}

async function explicitAuth(options: ConnectionOptions): Promise<GatewayAuth | undefined> {
  if (options.token !== undefined) {
    if (options.cert !== undefined) throw invalidOption('give --token or --cert, not both');
    return { token: options.token };
  }
  if (options.cert !== undefined && options.certKey !== undefined)
    return {
      certPem: await readPem(options.cert, '--cert'),
      keyPem: await readPem(options.certKey, '--cert-key'),
    };
  return undefined;
}

/** Runs `work` with a client for the options' gateway, and closes it. */
export async function withClient(
  ctx: GatewayCliContext,
  options: ConnectionOptions,
  work: (client: GatewayClient) => Promise<void>,
  caller: CallerOption = MEMBER_CALLER,
): Promise<void> {
  const client = await connect(ctx, options, caller);
  try {
    await work(client);
  } finally {
    client.close();
  }
}
