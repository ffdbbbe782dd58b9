/**
 * `creditchain consent sign|grant|get|revoke`. `sign` is the enterprise's side, offline: it builds
 * and signs an EIP-712 `Consent` with the enterprise's key file and writes a consent file (a gateway
 * is needed only to turn a USCC into the subject's pseudonym; `--subject-ref` needs none). `grant`
 * records that file at the grantee member's gateway; `revoke` revokes, with the subject's own
 * signature when `--key` is given, otherwise as the grantee.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { signConsent, signConsentRevocation, type SignedConsent } from '../crypto/eip712-consent.js';
import type { ConsentView } from '../services/views.js';
import { channelOf } from './channel.js';
import type { GatewayCliContext } from './context.js';
import { connect, withClient, withConnection, type ConnectionOptions } from './connection.js';
import { action, CliError, invalidOption } from './errors.js';
import { readJsonFile, writePrivateFile } from './files.js';
import { readKeyFile } from './key-file.js';
import {
  parseCategories,
  parseCode,
  parseConsentId,
  parseIdempotencyKey,
  parseInstant,
  parseInstitution,
  parseInteger,
  parseMspId,
  parseSubjectRef,
  parseUscc,
  unixSeconds,
} from './parse.js';
import { printFields, printJson } from './table.js';

/** The `type` member of a consent file. */
export const CONSENT_FILE_TYPE = 'creditchain-consent';
/** The current consent file version. */
export const CONSENT_FILE_VERSION = 1;

/** Default start of a consent's validity: a minute before signing, for clocks that run behind. */
const DEFAULT_NOT_BEFORE_SKEW_SECONDS = 60;
/** Most uses the contract allows per consent. */
const MAX_USES = 1_000_000;

/** What `consent sign` writes. */
export interface ConsentFile {
  readonly type: typeof CONSENT_FILE_TYPE;
  readonly version: typeof CONSENT_FILE_VERSION;
  readonly channel: string;
  readonly consentId: string;
  readonly consent: SignedConsent['consent'];
  readonly signature: string;
}

interface Common extends ConnectionOptions {
  readonly json?: boolean;
  readonly idempotencyKey?: string;
}

interface SignOptions extends Common {
  readonly key: string;
  readonly subjectRef?: string;
  readonly uscc?: string;
  readonly grantee: string;
  readonly institution: string;
  readonly categories: string;
  readonly purpose: string;
  readonly notAfter: string;
  readonly notBefore?: string;
  readonly maxUses: string;
  readonly channel?: string;
  readonly out?: string;
  readonly force?: boolean;
}

/**
 * Reads a consent file written by `consent sign`.
 *
 * @throws CliError `FILE_INVALID`
 */
export async function readConsentFile(file: string): Promise<ConsentFile> {
  const raw = await readJsonFile(file, 'the consent file');
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (
    o.type !== CONSENT_FILE_TYPE ||
    o.version !== CONSENT_FILE_VERSION ||
    typeof o.consent !== 'object' ||
    o.consent === null ||
    typeof o.signature !== 'string' ||
    typeof o.consentId !== 'string' ||
    typeof o.channel !== 'string'
  )
    throw new CliError('FILE_INVALID', `${file} is not a consent file of creditchain consent sign`);
  return o as unknown as ConsentFile;
}

function consentFields(c: ConsentView): [string, string][] {
  return [
    ['consent', c.consentId],
    ['subject', c.subjectRef],
    ['grantee', `${c.grantee.mspId} / ${c.grantee.institution}`],
    ['categories', c.categories.join(',')],
    ['purpose', c.purpose],
    [
      'valid',
      `${new Date(c.notBefore * 1000).toISOString()} to ${new Date(c.notAfter * 1000).toISOString()}`,
    ],
    ['uses', `${c.uses} of ${c.maxUses}`],
    ['status', c.revokedBy === null ? c.status : `${c.status} (by the ${c.revokedBy})`],
  ];
}

/** Registers `consent` and its subcommands. */
export function registerConsent(program: Command, ctx: GatewayCliContext): void {
  const consent = program
    .command('consent')
    .description("enterprises' consents to members' access to their reports");

  withConnection(
    consent
      .command('sign')
      .description(
        'sign a consent as the enterprise (EIP-712, offline with --subject-ref); writes a consent file for the grantee',
      )
      .requiredOption('--key <file>', "the enterprise's key file (creditchain subject keygen)")
      .option(
        '--subject-ref <hex>',
        "the enterprise's pseudonym (creditchain subject lookup); no gateway needed",
      )
      .option(
        '--uscc <code>',
        'the enterprise’s USCC: its pseudonym is looked up at a gateway (--org or --gateway)',
      )
      .requiredOption('--grantee <msp>', "the grantee member's MSP id, e.g. PearlMSP")
      .requiredOption('--institution <code>', 'the grantee institution, e.g. PRD-BANK-01')
      .requiredOption('--categories <list>', 'report categories, comma-separated, e.g. business,basic')
      .requiredOption('--purpose <code>', 'the purpose consented to, e.g. loan_underwriting')
      .requiredOption(
        '--not-after <when>',
        'end of validity: a duration from now (30d), a day, or an ISO date-time',
      )
      .option('--not-before <when>', 'start of validity (default: a minute ago)')
      .option('--max-uses <n>', 'how many retrievals the consent allows', '1')
      .option('--channel <name>', "the channel the signature is bound to (default: the profile's)")
      .option('--out <file>', 'write the consent file here (default: print it)')
      .option('--force', 'replace --out if it exists'),
  ).action(
    action(async (opts: SignOptions) => {
      if ((opts.subjectRef === undefined) === (opts.uscc === undefined))
        throw invalidOption('give the subject as --subject-ref <hex> or --uscc <code> (one of them)');
      const now = ctx.now();
      const notAfter = unixSeconds(parseInstant(opts.notAfter, '--not-after', now), '--not-after');
      const notBefore =
        opts.notBefore === undefined
          ? Math.floor(now.getTime() / 1000) - DEFAULT_NOT_BEFORE_SKEW_SECONDS
          : unixSeconds(parseInstant(opts.notBefore, '--not-before', now), '--not-before');
      if (notAfter <= notBefore) throw invalidOption('--not-after must be later than --not-before');
      if (notAfter <= Math.floor(now.getTime() / 1000))
        throw invalidOption('--not-after must be in the future');
      const fields = {
        granteeMsp: parseMspId(opts.grantee, '--grantee'),
        granteeInstitution: parseInstitution(opts.institution, '--institution'),
        categories: parseCategories(opts.categories),
        purpose: parseCode(opts.purpose, '--purpose'),
        notBefore,
        notAfter,
        maxUses: parseInteger(opts.maxUses, '--max-uses', 1, MAX_USES),
      };
      const uscc = opts.uscc === undefined ? undefined : parseUscc(opts.uscc);
      const given = opts.subjectRef === undefined ? undefined : parseSubjectRef(opts.subjectRef);
      const key = await readKeyFile(opts.key);
      const channel = await channelOf(ctx, opts.channel);
      const subjectRef = given ?? (await lookupOwnSubject(ctx, opts, uscc ?? '', key.address));
      const signed = await signConsent(key.privateKey, channel, { ...fields, subjectRef });
      const file: ConsentFile = {
        type: CONSENT_FILE_TYPE,
        version: CONSENT_FILE_VERSION,
        channel,
        consentId: signed.consentId,
        consent: signed.consent,
        signature: signed.signature,
      };
      if (opts.out === undefined) {
        printJson(ctx.out, file);
        return;
      }
      await writePrivateFile(opts.out, `${JSON.stringify(file, null, 2)}\n`, { force: opts.force === true });
      if (opts.json === true) printJson(ctx.out, { consentId: signed.consentId, out: opts.out });
      else {
        ctx.out(`consent ${signed.consentId}`);
        ctx.out(
          `written to ${opts.out}: hand it to ${fields.granteeMsp}, which records it (creditchain consent grant)`,
        );
      }
    }),
  );

  withConnection(
    consent
      .command('grant')
      .description("record a consent file at the grantee's gateway (as the grantee's officer)")
      .requiredOption('--file <consent.json>', 'the consent file (creditchain consent sign)')
      .option('--idempotency-key <key>', 'retry an earlier attempt safely: pass the key it printed')
      .option('--json', 'print the answer as JSON'),
  ).action(
    action(async (opts: Common & { file: string }) => {
      const idempotencyKey = parseIdempotencyKey(opts.idempotencyKey);
      const file = await readConsentFile(opts.file);
      await withClient(ctx, opts, async (client) => {
        const view = await client.recordConsent(
          { consent: file.consent, signature: file.signature },
          idempotencyKey === undefined ? {} : { idempotencyKey },
        );
        if (opts.json === true) printJson(ctx.out, view);
        else
          printFields(ctx.out, [
            ...consentFields(view.consent),
            ['committed', `block ${view.block}, tx ${view.txId}`],
          ]);
      });
    }),
  );

  withConnection(
    consent
      .command('get')
      .description('a consent granted to this organisation')
      .argument('<consentId>', 'the consent id')
      .option('--json', 'print the answer as JSON'),
  ).action(
    action(async (consentId: string, opts: Common) => {
      const id = parseConsentId(consentId);
      await withClient(ctx, opts, async (client) => {
        const view = await client.getConsent(id);
        if (opts.json === true) printJson(ctx.out, view);
        else printFields(ctx.out, consentFields(view));
      });
    }),
  );

  withConnection(
    consent
      .command('revoke')
      .description("revoke a consent: with the enterprise's signature (--key), or as the grantee")
      .argument('<consentId>', 'the consent id')
      .option('--key <file>', "the enterprise's key file: revoke as the subject")
      .option('--channel <name>', "the channel the signature is bound to (default: the profile's)")
      .option('--idempotency-key <key>', 'retry an earlier attempt safely: pass the key it printed')
      .option('--json', 'print the answer as JSON'),
  ).action(
    action(async (consentId: string, opts: Common & { key?: string; channel?: string }) => {
      const id = parseConsentId(consentId);
      const idempotencyKey = parseIdempotencyKey(opts.idempotencyKey);
      let signature: string | undefined;
      if (opts.key !== undefined) {
        const key = await readKeyFile(opts.key);
        signature = await signConsentRevocation(key.privateKey, {
          channelId: await channelOf(ctx, opts.channel),
          consentId: id,
        });
      }
      await withClient(ctx, opts, async (client) => {
        const view = await client.revokeConsent(
          id,
          signature === undefined ? {} : { signature },
          idempotencyKey === undefined ? {} : { idempotencyKey },
        );
        if (opts.json === true) printJson(ctx.out, view);
        else
          printFields(ctx.out, [
            ...consentFields(view.consent),
            ['committed', `block ${view.block}, tx ${view.txId}`],
          ]);
      });
    }),
  );
}

/** The pseudonym of `uscc`, checking that `address` is the subject's registered key. */
async function lookupOwnSubject(
  ctx: GatewayCliContext,
  opts: ConnectionOptions,
  uscc: string,
  address: string,
): Promise<string> {
  const client = await connect(ctx, opts);
  try {
    const subject = await client.lookupSubject(uscc);
    if (!subject.registered)
      throw new CliError('INVALID_OPTION', 'the enterprise has no registered consent-signing key', {
        hint: 'register this key first: creditchain subject register --uscc <code> --key <file>',
      });
    if (subject.activeSigner?.toLowerCase() !== address.toLowerCase())
      throw new CliError(
        'INVALID_OPTION',
        `the key file's address ${address} is not the enterprise's registered key ${subject.activeSigner ?? ''}`,
        { hint: 'sign with the key file of the registered key' },
      );
    return subject.subjectRef;
  } finally {
    client.close();
  }
}
