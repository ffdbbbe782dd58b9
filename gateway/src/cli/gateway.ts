/**
 * `creditchain gateway list` (the local gateway directory) and `creditchain gateway token
 * issue|list|revoke` (the gateway admin's API tokens, called as the organisation's Admin with its
 * client certificate from the directory, or `--as` another admin).
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { directoryFile, readDirectory } from '../client/directory.js';
import type { TokenView } from '../client/gateway-client.js';
import type { GatewayCliContext } from './context.js';
import { ADMIN_CALLER, withClient, withConnection, type ConnectionOptions } from './connection.js';
import { TOKEN_TTL } from '../http/routes/admin.js';
import { action, invalidOption } from './errors.js';
import { parseDuration, parseIdempotencyKey, parseRole, parseTokenId, parseUser } from './parse.js';
import { printJson, printTable } from './table.js';

interface Common extends ConnectionOptions {
  readonly json?: boolean;
  readonly idempotencyKey?: string;
}

function tokenRows(tokens: readonly TokenView[]): string[][] {
  return [
    ['TOKEN ID', 'USER', 'ROLE', 'STATUS', 'CREATED', 'EXPIRES'],
    ...tokens.map((t) => [t.tokenId, t.user, t.role, t.status, t.createdAt, t.expiresAt ?? 'never']),
  ];
}

/** Registers `gateway` and its subcommands. */
export function registerGateway(program: Command, ctx: GatewayCliContext): void {
  const gateway = program
    .command('gateway')
    .description('member gateways: the local directory and API tokens');

  gateway
    .command('list')
    .description('the gateways of the local directory (written when npm start launches them)')
    .option('--json', 'print the directory as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const profileDir = await ctx.profileDir();
        const directory = await readDirectory(profileDir);
        if (opts.json === true) {
          printJson(ctx.out, directory);
          return;
        }
        ctx.out(`gateways of ${directory.profile} (${directoryFile(profileDir)})`);
        printTable(
          ctx.out,
          [
            ['ORG', 'MSP', 'URL', 'USERS'],
            ...directory.gateways.map((g) => [
              g.org,
              g.mspId,
              g.url,
              g.users.map((u) => `${u.name} (${u.role})`).join(', '),
            ]),
          ],
          'no gateways',
        );
      }),
    );

  const token = gateway.command('token').description("the gateway admin's API tokens (stored hashed)");

  withConnection(
    token
      .command('issue')
      .description(
        'issue an API token for a wallet user; the token is printed once and cannot be shown again',
      )
      .requiredOption('--user <name>', 'the wallet user the token authenticates, e.g. User1')
      .requiredOption('--role <role>', 'member, regulator or admin')
      .option('--ttl <duration>', 'validity, e.g. 30d, 12h (default: the gateway’s, 30 days)')
      .option('--idempotency-key <key>', 'the key of an earlier attempt (a token is never shown twice)')
      .option('--json', 'print the answer as JSON'),
    ADMIN_CALLER,
  ).action(
    action(async (opts: Common & { role: string; ttl?: string }) => {
      // `--user` of this command is the token's user; the caller is `--as`.
      const user = parseUser(opts.user ?? '', '--user');
      const role = parseRole(opts.role);
      const ttlSeconds = opts.ttl === undefined ? undefined : parseDuration(opts.ttl, '--ttl');
      if (
        ttlSeconds !== undefined &&
        (ttlSeconds < TOKEN_TTL.minSeconds || ttlSeconds > TOKEN_TTL.maxSeconds)
      )
        throw invalidOption(
          `--ttl must be from ${TOKEN_TTL.minSeconds}s to ${TOKEN_TTL.maxSeconds / 86_400}d`,
        );
      const idempotencyKey = parseIdempotencyKey(opts.idempotencyKey);
      await withClient(
        ctx,
        opts,
        async (client) => {
          const issued = await client.issueToken(
            { user, role, ...(ttlSeconds === undefined ? {} : { ttlSeconds }) },
            idempotencyKey === undefined ? {} : { idempotencyKey },
          );
          if (opts.json === true) {
            printJson(ctx.out, issued);
            return;
          }
          ctx.out(`token ${issued.token}`);
          ctx.out(
            `id ${issued.tokenId}, ${issued.user} (${issued.role}), expires ${issued.expiresAt ?? 'never'}`,
          );
          ctx.err(
            'the token is shown only this once: hand it to its user now (they pass it as CREDITCHAIN_TOKEN)',
          );
        },
        ADMIN_CALLER,
      );
    }),
  );

  withConnection(
    token
      .command('list')
      .description("every token's metadata (never a token)")
      .option('--json', 'print the answer as JSON'),
    ADMIN_CALLER,
  ).action(
    action(async (opts: Common) => {
      await withClient(
        ctx,
        opts,
        async (client) => {
          const tokens = await client.listTokens();
          if (opts.json === true) printJson(ctx.out, tokens);
          else printTable(ctx.out, tokenRows(tokens), 'no tokens');
        },
        ADMIN_CALLER,
      );
    }),
  );

  withConnection(
    token
      .command('revoke')
      .description('revoke a token: its bearer is refused from now on')
      .argument('<tokenId>', 'the token id (gateway token list)')
      .option('--json', 'print the answer as JSON'),
    ADMIN_CALLER,
  ).action(
    action(async (tokenId: string, opts: Common) => {
      const id = parseTokenId(tokenId);
      await withClient(
        ctx,
        opts,
        async (client) => {
          const revoked = await client.revokeToken(id);
          if (opts.json === true) printJson(ctx.out, revoked);
          else ctx.out(`token ${revoked.tokenId} of ${revoked.user} is ${revoked.status}`);
        },
        ADMIN_CALLER,
      );
    }),
  );
}
