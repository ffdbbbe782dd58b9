/**
 * Organisation HPKE key pairs for payload encryption between member gateways. The private key stays
 * on disk (PKCS#8 PEM, mode 0600) under `keys/<MSP>/`; the public key is what `PublishOrgKey` puts on
 * the ledger (raw X25519 key, or uncompressed P-256 point, in base64).
 *
 * Rotation ({@link rotateOrgKey}) never deletes a key: reports sealed before it stay wrapped to the
 * old key, and the gateways need the old private key to open them. A key created by a rotation is
 * `pending` until the rotation has seen its publication committed; gateways do not wrap to a pending
 * key, but can open anything wrapped to it, so an interruption at any point leaves every report
 * readable, and running the rotation again completes it instead of starting another.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HpkeSuite } from './profile-file.js';

/** A key pair of an organisation, as stored. */
export interface OrgKey {
  readonly mspId: string;
  /** `<x25519|p256>-<first 16 hex digits of SHA-256 of the public key>`. */
  readonly keyId: string;
  readonly suite: HpkeSuite;
  /** base64 of the public key as the chaincode expects it. */
  readonly publicKey: string;
  readonly createdAt: string;
  /** PKCS#8 PEM file of the private key (mode 0600). */
  readonly privateKeyFile: string;
  /** Created by a rotation whose publication has not been seen committed yet: not to be wrapped to. */
  readonly pending?: true;
  /** When the ledger recorded the publication, once a rotation saw it committed. */
  readonly publishedAt?: string;
}

function rawPublicKey(key: KeyObject, suite: HpkeSuite): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (suite.startsWith('DHKEM(X25519')) return Buffer.from(jwk.x ?? '', 'base64url');
  return Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}

/**
 * Writes `file` so that it is either absent or complete and on disk: temporary file, fsync, rename,
 * fsync of the folder. A private key must be durable before its public key is published.
 */
async function writeDurably(file: string, text: string, mode: number): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function writeMeta(keysDir: string, key: OrgKey): Promise<void> {
  await writeDurably(
    join(keysDir, key.mspId, `${key.keyId}.json`),
    `${JSON.stringify(key, null, 2)}\n`,
    0o644,
  );
}

/** Every key of `mspId` stored under `keysDir`, pending ones included, oldest first. */
export async function readOrgKeys(keysDir: string, mspId: string): Promise<OrgKey[]> {
  const dir = join(keysDir, mspId);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const keys = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as OrgKey),
  );
  return keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The keys of `mspId` stored under `keysDir` that are not pending, oldest first. */
export async function storedOrgKeys(keysDir: string, mspId: string): Promise<OrgKey[]> {
  return (await readOrgKeys(keysDir, mspId)).filter((k) => k.pending !== true);
}

/**
 * Generates and stores a new key pair for `mspId`; the private key is on disk when this resolves.
 * `pending` marks a key whose publication is still to come (see {@link rotateOrgKey}).
 */
export async function createOrgKey(
  keysDir: string,
  mspId: string,
  suite: HpkeSuite,
  options: { readonly pending?: boolean } = {},
): Promise<OrgKey> {
  const { privateKey, publicKey } = suite.startsWith('DHKEM(X25519')
    ? generateKeyPairSync('x25519')
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const raw = rawPublicKey(publicKey, suite);
  const prefix = suite.startsWith('DHKEM(X25519') ? 'x25519' : 'p256';
  const keyId = `${prefix}-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
  const privateKeyFile = join(keysDir, mspId, `${keyId}.key.pem`);
  await writeDurably(privateKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 0o600);
  const key: OrgKey = {
    mspId,
    keyId,
    suite,
    publicKey: raw.toString('base64'),
    createdAt: new Date().toISOString(),
    privateKeyFile,
    ...(options.pending === true ? { pending: true as const } : {}),
  };
  await writeMeta(keysDir, key);
  return key;
}

/** Records that `key` is published (committed at `publishedAt`): gateways may now make it active. */
export async function markOrgKeyPublished(
  keysDir: string,
  key: OrgKey,
  publishedAt: string,
): Promise<OrgKey> {
  const published: OrgKey = {
    mspId: key.mspId,
    keyId: key.keyId,
    suite: key.suite,
    publicKey: key.publicKey,
    createdAt: key.createdAt,
    privateKeyFile: key.privateKeyFile,
    publishedAt,
  };
  await writeMeta(keysDir, published);
  return published;
}

/** A key as the organisation's profile on the ledger lists it (`GetOrgProfile`). */
export interface LedgerOrgKey {
  readonly keyId: string;
  readonly status: string;
  readonly publishedAt: string;
  readonly retiredAt?: string | null;
}

/** The part of an organisation's profile on the ledger that rotation reads. */
export interface LedgerOrgKeys {
  readonly activeKeyId: string;
  readonly keys: readonly LedgerOrgKey[];
}

/**
 * The ledger as a rotation sees it, acting as the organisation's administrator.
 *
 * Responsibilities: read the organisation's published keys; publish a key and resolve only once
 * the publication is committed. Failures are {@link OrgKeyError}s (`LEDGER_UNAVAILABLE`, or
 * `PUBLISH_FAILED` with the contract's code in the message).
 */
export interface OrgKeyLedger {
  /** The organisation's published keys; `undefined` when it has published none (`ORG_NOT_FOUND`). */
  profile(): Promise<LedgerOrgKeys | undefined>;
  /** `PublishOrgKey` of `key`, committed; the profile it produced and the transaction. */
  publish(
    key: OrgKey,
  ): Promise<{ readonly profile: LedgerOrgKeys; readonly txId: string; readonly block: bigint }>;
}

/** Stable codes of {@link OrgKeyError}. */
export type OrgKeyErrorCode =
  | 'UNKNOWN_ORG'
  | 'NO_CONSORTIUM'
  | 'NO_CONNECTION_PROFILE'
  | 'NO_ADMIN_IDENTITY'
  | 'LEDGER_UNAVAILABLE'
  | 'PUBLISH_FAILED';

/** A failure of an organisation-key operation: `message` says what went wrong, `hint` what to do. */
export class OrgKeyError extends Error {
  override readonly name = OrgKeyError.name;
  readonly code: OrgKeyErrorCode;
  readonly hint: string | undefined;

  constructor(
    code: OrgKeyErrorCode,
    message: string,
    options: Readonly<{ hint?: string; cause?: unknown }> = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** What a rotation did. */
export interface RotationResult {
  readonly mspId: string;
  /** The key now active on the ledger and in the key folder. */
  readonly key: OrgKey;
  /** The key that was active on the ledger before (now retired there; kept in the folder). */
  readonly previousKeyId: string | undefined;
  /** `created`: a new key; `resumed`: a pending key of an interrupted rotation was published now; `completed`: it was already published, only the folder was behind. */
  readonly outcome: 'created' | 'resumed' | 'completed';
  /** The publication, when this run made it. */
  readonly txId: string | undefined;
  readonly block: bigint | undefined;
}

/** Options of {@link rotateOrgKey}. */
export interface RotationOptions {
  readonly keysDir: string;
  readonly mspId: string;
  readonly suite: HpkeSuite;
  readonly ledger: OrgKeyLedger;
  /** Receives one line per step. */
  readonly log?: (line: string) => void;
}

function publishedAtOf(profile: LedgerOrgKeys, keyId: string): string | undefined {
  return profile.keys.find((k) => k.keyId === keyId)?.publishedAt;
}

/** The key retired most recently, i.e. the one active before the current one. */
function lastRetired(profile: LedgerOrgKeys | undefined): string | undefined {
  return profile?.keys
    .filter((k) => typeof k.retiredAt === 'string')
    .sort((a, b) => (a.retiredAt ?? '').localeCompare(b.retiredAt ?? ''))
    .at(-1)?.keyId;
}

/**
 * Rotates an organisation's HPKE key: creates a key pair (pending), publishes its public key on the
 * ledger (the contract retires the previous key), then marks it published, which makes it the key
 * gateways wrap new reports to. Older keys stay in the folder so that everything wrapped to them
 * still opens.
 *
 * Idempotent over interruptions: a pending key the ledger already lists is marked published; a
 * pending key the ledger does not list is published instead of creating another.
 *
 * @throws {@link OrgKeyError} `LEDGER_UNAVAILABLE` before anything is created when the ledger cannot
 *   be read; `PUBLISH_FAILED` when the publication was refused (the pending key is kept, and
 *   running the rotation again publishes it)
 */
export async function rotateOrgKey(options: RotationOptions): Promise<RotationResult> {
  const { keysDir, mspId, suite, ledger } = options;
  const log = options.log ?? (() => undefined);
  const before = await ledger.profile();
  const previousKeyId = before?.activeKeyId;

  let completed: OrgKey | undefined;
  for (const key of (await readOrgKeys(keysDir, mspId)).filter((k) => k.pending === true)) {
    const at = before && publishedAtOf(before, key.keyId);
    if (at === undefined) continue;
    const marked = await markOrgKeyPublished(keysDir, key, at);
    log(`${mspId}: key ${key.keyId} was published at ${at} by an interrupted rotation; marked published`);
    if (key.keyId === previousKeyId) completed = marked;
  }
  if (completed)
    return {
      mspId,
      key: completed,
      previousKeyId: lastRetired(before),
      outcome: 'completed',
      txId: undefined,
      block: undefined,
    };

  const pending = (await readOrgKeys(keysDir, mspId))
    .filter((k) => k.pending === true && k.suite === suite)
    .at(-1);
  let key: OrgKey;
  if (pending) {
    key = pending;
    log(`${mspId}: publishing key ${key.keyId}, created by an interrupted rotation`);
  } else {
    key = await createOrgKey(keysDir, mspId, suite, { pending: true });
    log(`${mspId}: created key ${key.keyId} (private key ${key.privateKeyFile}, mode 0600)`);
  }

  let publication: Awaited<ReturnType<OrgKeyLedger['publish']>> | undefined;
  let publishedAt: string | undefined;
  try {
    publication = await ledger.publish(key);
    publishedAt = publishedAtOf(publication.profile, key.keyId);
  } catch (err) {
    // The answer may have been lost after the commit (or an earlier run published it): the ledger decides.
    const after = await ledger.profile().catch(() => undefined);
    publishedAt = after && publishedAtOf(after, key.keyId);
    if (publishedAt === undefined)
      throw new OrgKeyError(
        'PUBLISH_FAILED',
        `${mspId}: publishing key ${key.keyId} failed: ${err instanceof Error ? err.message : String(err)}`,
        {
          hint: `nothing changed for the gateways; run the same command again to publish ${key.keyId} (it is kept, pending, in ${join(keysDir, mspId)})`,
          cause: err,
        },
      );
  }
  if (publishedAt === undefined)
    throw new OrgKeyError(
      'PUBLISH_FAILED',
      `${mspId}: the ledger does not list key ${key.keyId} after publishing it`,
      {
        hint: 'run the same command again',
      },
    );
  const marked = await markOrgKeyPublished(keysDir, key, publishedAt);
  return {
    mspId,
    key: marked,
    previousKeyId,
    outcome: pending ? 'resumed' : 'created',
    txId: publication?.txId,
    block: publication?.block,
  };
}
