/*
 * The gateway admin's token API. Tokens are stored as SHA-256 hashes (`ApiTokens`); the token itself
 * leaves the gateway once, in the answer to its issue.
 *
 * Idempotency: issuing is a state-changing POST and takes an Idempotency-Key like every other, but
 * what is recorded for the key is only the token's metadata, never the token. A retry with the same
 * key and body therefore cannot get the token again: it is answered `409 TOKEN_ALREADY_ISSUED`
 * naming the token id, which the admin revokes before issuing anew under a new key. Keeping the
 * token in the idempotency record would put a live bearer secret at rest in the vault, and anyone
 * holding the admin's credentials and the key could replay it. When the answer cannot be recorded
 * after the token was stored, the token is revoked again, so that no token exists whose issue was
 * not answered.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AuthError } from '../../auth/errors.js';
import type { TokenRole } from '../../auth/token-store.js';
import type { ApiTokens, IssuedToken, TokenInfo } from '../../auth/tokens.js';
import type { Clock } from '../../ports/clock.js';
import { Idempotency, type IdempotentOutcome } from '../../services/idempotency.js';
import type { Wallet } from '../../wallet/wallet.js';
import { EdgeError } from '../problem.js';
import { idempotencyHeaders, problems } from '../schemas.js';
import { callerOf, idempotencyKeyOf } from './common.js';

const ADMINS = { roles: ['admin'] } as const;
const TAGS = ['admin'];

/** Shortest and longest validity of an issued token, and the validity when none is asked for. */
export const TOKEN_TTL = {
  minSeconds: 60,
  maxSeconds: 366 * 24 * 3600,
  defaultSeconds: 30 * 24 * 3600,
} as const;

/** What the admin routes need. */
export interface AdminDeps {
  readonly tokens: ApiTokens;
  readonly idempotency: Idempotency;
  readonly clock: Clock;
  /**
   * The wallet, listed (never opened) to refuse tokens for users it holds no identity for. Without
   * it, issuing fails closed with `IDENTITY_NOT_FOUND`.
   */
  readonly wallet: Pick<Wallet, 'list'> | undefined;
}

/** The body of `POST /v1/admin/tokens`. */
export interface IssueTokenInput {
  readonly user: string;
  readonly role: TokenRole;
  /** Validity in seconds; {@link TOKEN_TTL} `defaultSeconds` when absent. */
  readonly ttlSeconds?: number;
}

/** A token's metadata as the API shows it: never the token, never its hash. */
export type TokenView = {
  readonly tokenId: string;
  readonly user: string;
  readonly role: TokenRole;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revoked: boolean;
  /** `revoked` wins over `expired`, as in verification. */
  readonly status: 'active' | 'expired' | 'revoked';
};

/** The answer to an issue: the token, shown once, and its metadata. */
export type IssuedTokenView = {
  readonly tokenId: string;
  readonly token: string;
  readonly user: string;
  readonly role: TokenRole;
  readonly createdAt: string;
  readonly expiresAt: string | null;
};

const USER = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$';
const TOKEN_ID = '^[A-Za-z0-9_-]{1,64}$';
const ROLES = ['member', 'regulator', 'admin'] as const;

const issueTokenBody = {
  type: 'object',
  additionalProperties: false,
  required: ['user', 'role'],
  properties: {
    user: { type: 'string', pattern: USER, description: 'the wallet user the token authenticates' },
    role: { type: 'string', enum: ROLES },
    ttlSeconds: {
      type: 'integer',
      minimum: TOKEN_TTL.minSeconds,
      maximum: TOKEN_TTL.maxSeconds,
      description: `validity in seconds (default ${TOKEN_TTL.defaultSeconds}, at most ${TOKEN_TTL.maxSeconds})`,
    },
  },
} as const;

const tokenIdParams = {
  type: 'object',
  required: ['tokenId'],
  properties: { tokenId: { type: 'string', pattern: TOKEN_ID } },
} as const;

const metadata = {
  tokenId: { type: 'string' },
  user: { type: 'string' },
  role: { type: 'string', enum: ROLES },
  createdAt: { type: 'string' },
  expiresAt: { type: ['string', 'null'] },
} as const;

const tokenSchema = {
  type: 'object',
  properties: {
    ...metadata,
    revoked: { type: 'boolean' },
    status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
  },
} as const;

const issuedTokenSchema = {
  type: 'object',
  properties: {
    ...metadata,
    token: { type: 'string', description: 'the bearer token: shown once, stored only as its SHA-256 hash' },
  },
} as const;

function view(info: TokenInfo, now: Date): TokenView {
  const expired = info.expiresAt !== undefined && now.getTime() >= Date.parse(info.expiresAt);
  return {
    tokenId: info.tokenId,
    user: info.user,
    role: info.role,
    createdAt: info.createdAt,
    expiresAt: info.expiresAt ?? null,
    revoked: info.revoked,
    status: info.revoked ? 'revoked' : expired ? 'expired' : 'active',
  };
}

/** Token-store failures as API problems; anything else passes unchanged. */
function storeFailure(err: unknown): unknown {
  if (!(err instanceof AuthError)) return err;
  if (err.code === 'TOKEN_UNKNOWN') return new EdgeError('TOKEN_NOT_FOUND', 'no token has this id');
  if (err.code === 'TOKEN_STORE_IO' || err.code === 'TOKEN_STORE_CLOSED')
    return new EdgeError('TOKEN_STORE_UNAVAILABLE', 'the token store could not be read or written');
  return err;
}

async function checkIdentity(wallet: AdminDeps['wallet'], user: string): Promise<void> {
  if (!wallet)
    throw new EdgeError('IDENTITY_NOT_FOUND', 'this gateway has no wallet: it cannot issue tokens');
  const known = (await wallet.list()).some((identity) => identity.user === user);
  if (!known)
    throw new EdgeError('IDENTITY_NOT_FOUND', `the wallet holds no ledger identity for user ${user}`);
}

/**
 * `/v1/admin/tokens` (role `admin`): issue (`POST`, Idempotency-Key; the token is shown once), list
 * (`GET`, metadata only) and revoke (`DELETE /v1/admin/tokens/{tokenId}`) API tokens.
 */
export function adminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.post<{ Body: IssueTokenInput }>(
    '/v1/admin/tokens',
    {
      config: ADMINS,
      schema: {
        tags: TAGS,
        summary:
          'Issue an API token for a wallet user; the token is answered once and stored only as its hash',
        headers: idempotencyHeaders,
        body: issueTokenBody,
        response: { 201: issuedTokenSchema, ...problems(400, 401, 403, 409, 428, 503) },
      },
    },
    async (request, reply) =>
      issue(deps, reply, callerOf(request).user, request.body, idempotencyKeyOf(request)),
  );

  app.get(
    '/v1/admin/tokens',
    {
      config: ADMINS,
      schema: {
        tags: TAGS,
        summary: 'Every API token: metadata only, never a token or its hash',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: tokenSchema } } },
          ...problems(401, 403, 503),
        },
      },
    },
    async (request) => {
      callerOf(request);
      let infos: TokenInfo[];
      try {
        infos = await deps.tokens.list();
      } catch (err) {
        throw storeFailure(err);
      }
      const now = deps.clock.now();
      return { items: infos.map((info) => view(info, now)) };
    },
  );

  app.delete<{ Params: { tokenId: string } }>(
    '/v1/admin/tokens/:tokenId',
    {
      config: ADMINS,
      schema: {
        tags: TAGS,
        summary: 'Revoke a token (revoking twice changes nothing); its bearer is refused from now on',
        params: tokenIdParams,
        response: { 200: tokenSchema, ...problems(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      callerOf(request);
      try {
        return view(await deps.tokens.revoke(request.params.tokenId), deps.clock.now());
      } catch (err) {
        throw storeFailure(err);
      }
    },
  );
}

async function issue(
  deps: AdminDeps,
  reply: FastifyReply,
  admin: string,
  input: IssueTokenInput,
  idempotencyKey: string | undefined,
): Promise<FastifyReply> {
  Idempotency.checkKey(idempotencyKey);
  await checkIdentity(deps.wallet, input.user);
  const ttlSeconds = input.ttlSeconds ?? TOKEN_TTL.defaultSeconds;
  let issued: IssuedToken | undefined;
  let outcome: IdempotentOutcome<Omit<IssuedTokenView, 'token'>>;
  try {
    outcome = await deps.idempotency.run(
      {
        user: admin,
        key: idempotencyKey,
        fingerprint: { op: 'issueToken', user: input.user, role: input.role, ttlSeconds },
      },
      async () => {
        try {
          issued = await deps.tokens.issue({
            user: input.user,
            role: input.role,
            expiresAt: new Date(deps.clock.now().getTime() + ttlSeconds * 1000),
          });
        } catch (err) {
          throw storeFailure(err);
        }
        return { status: 201, body: metadataOf(issued.info) };
      },
    );
  } catch (err) {
    if (issued) await deps.tokens.revoke(issued.info.tokenId).catch(() => undefined);
    throw err;
  }
  if (outcome.replayed || !issued)
    throw new EdgeError(
      'TOKEN_ALREADY_ISSUED',
      `token ${outcome.body.tokenId} was already issued under this Idempotency-Key and is shown only once: revoke it and issue a new one under another key`,
    );
  const answer: IssuedTokenView = { ...metadataOf(issued.info), token: issued.token };
  return reply.code(201).send(answer);
}

/** What the idempotency record keeps of an issued token: its metadata, not the token. */
function metadataOf(info: TokenInfo): Omit<IssuedTokenView, 'token'> {
  return {
    tokenId: info.tokenId,
    user: info.user,
    role: info.role,
    createdAt: info.createdAt,
    expiresAt: info.expiresAt ?? null,
  };
}
