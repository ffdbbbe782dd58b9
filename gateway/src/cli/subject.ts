/**
 * `creditchain subject keygen|lookup|register`: an enterprise's consent-signing key (generated and
 * kept by the enterprise), its ledger pseudonym, and the registration of the key, proven by the
 * key's own EIP-712 `SignerBinding` signed here, offline.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { signSignerBinding } from '../crypto/eip712-consent.js';
import { channelOf } from './channel.js';
import type { GatewayCliContext } from './context.js';
import { withClient, withConnection, type ConnectionOptions } from './connection.js';
import { action } from './errors.js';
import { createKeyFile, readKeyFile } from './key-file.js';
import { parseIdempotencyKey, parseUscc } from './parse.js';
import { printFields, printJson } from './table.js';

/** Where `subject keygen` writes when `--out` is not given. */
export const DEFAULT_KEY_FILE = 'subject-key.json';

interface Common extends ConnectionOptions {
  readonly json?: boolean;
  readonly idempotencyKey?: string;
}

/** Registers `subject` and its subcommands. */
export function registerSubject(program: Command, ctx: GatewayCliContext): void {
  const subject = program
    .command('subject')
    .description('enterprises (report subjects): consent-signing keys and their registration');

  subject
    .command('keygen')
    .description(
      "generate an enterprise's consent-signing key (Ethereum, secp256k1); prints its address only",
    )
    .option('--out <file>', 'the key file to create (0600)', DEFAULT_KEY_FILE)
    .option('--force', 'replace the file if it exists (the old key is lost)')
    .option('--json', 'print the answer as JSON')
    .action(
      action(async (opts: { out: string; force?: boolean; json?: boolean }) => {
        const address = await createKeyFile(opts.out, { force: opts.force === true });
        if (opts.json === true) {
          printJson(ctx.out, { address, keyFile: opts.out });
          return;
        }
        ctx.out(`address ${address}`);
        ctx.out(`key written to ${opts.out} (0600): keep it secret, it signs consents for the enterprise`);
      }),
    );

  withConnection(
    subject
      .command('lookup')
      .description("a USCC's ledger pseudonym (subjectRef) and its registered consent-signing key")
      .requiredOption('--uscc <code>', "the enterprise's Unified Social Credit Code")
      .option('--json', 'print the answer as JSON'),
  ).action(
    action(async (opts: Common & { uscc: string }) => {
      const uscc = parseUscc(opts.uscc);
      await withClient(ctx, opts, async (client) => {
        const view = await client.lookupSubject(uscc);
        if (opts.json === true) printJson(ctx.out, view);
        else
          printFields(ctx.out, [
            ['subjectRef', view.subjectRef],
            ['registered', view.registered ? 'yes' : 'no'],
            ['signer', view.activeSigner ?? '-'],
          ]);
      });
    }),
  );

  withConnection(
    subject
      .command('register')
      .description(
        "register the enterprise's key: signs its SignerBinding with the key file, then records it",
      )
      .requiredOption('--uscc <code>', "the enterprise's Unified Social Credit Code")
      .requiredOption('--key <file>', 'the key file (creditchain subject keygen)')
      .option('--channel <name>', "the channel the signature is bound to (default: the profile's)")
      .option('--idempotency-key <key>', 'retry an earlier attempt safely: pass the key it printed')
      .option('--json', 'print the answer as JSON'),
  ).action(
    action(async (opts: Common & { uscc: string; key: string; channel?: string }) => {
      const uscc = parseUscc(opts.uscc);
      const idempotencyKey = parseIdempotencyKey(opts.idempotencyKey);
      const key = await readKeyFile(opts.key);
      const channelId = await channelOf(ctx, opts.channel);
      await withClient(ctx, opts, async (client) => {
        const { subjectRef } = await client.lookupSubject(uscc);
        const binding = await signSignerBinding(key.privateKey, {
          channelId,
          subjectRef,
          action: 'register',
        });
        const view = await client.registerSubject(
          { uscc, signer: binding.signer, signature: binding.signature },
          idempotencyKey === undefined ? {} : { idempotencyKey },
        );
        if (opts.json === true) printJson(ctx.out, view);
        else
          printFields(ctx.out, [
            ['subjectRef', view.subject.subjectRef],
            ['signer', view.subject.activeSigner ?? '-'],
            ['committed', `block ${view.block}, tx ${view.txId}`],
          ]);
      });
    }),
  );
}
