/**
 * `creditchain report submit|list|get|correct|erase|retrieve`: an officer's reports at the
 * organisation's gateway, and retrieval of another member's report under a consent.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import type { AnchorView, SubmittedReportView } from '../services/views.js';
import type { GatewayCliContext } from './context.js';
import { withClient, withConnection, type ConnectionOptions } from './connection.js';
import { action } from './errors.js';
import { readJsonFile, writePrivateFile } from './files.js';
import {
  parseCode,
  parseConsentId,
  parseDay,
  parseErasureReason,
  parseIdempotencyKey,
  parseInteger,
  parseReportId,
  parseSchemaVersion,
  parseSubjectRef,
  parseUscc,
} from './parse.js';
import { printFields, printJson, printTable } from './table.js';

interface Common extends ConnectionOptions {
  readonly json?: boolean;
  readonly idempotencyKey?: string;
}

interface SubmitOptions extends Common {
  readonly category: string;
  readonly schemaVersion: string;
  readonly uscc: string;
  readonly file: string;
  readonly eventEndDate?: string;
}

interface OutOptions extends Common {
  readonly out?: string;
  readonly force?: boolean;
}

function anchorFields(a: AnchorView): [string, string][] {
  return [
    ['report', a.reportId],
    ['subject', a.subjectRef],
    ['category', `${a.category} ${a.schemaVersion}`],
    ['status', a.status],
    ['provider', `${a.provider.mspId} / ${a.provider.institution}`],
    ...(a.supersedes === null ? [] : ([['supersedes', a.supersedes]] as [string, string][])),
    ...(a.eventEndDate === null ? [] : ([['event ended', a.eventEndDate]] as [string, string][])),
    ...(a.expiresOn === null ? [] : ([['retained until', a.expiresOn]] as [string, string][])),
  ];
}

function printCommitted(ctx: GatewayCliContext, view: SubmittedReportView, json: boolean | undefined): void {
  if (json === true) {
    printJson(ctx.out, view);
    return;
  }
  printFields(ctx.out, [...anchorFields(view.report), ['committed', `block ${view.block}, tx ${view.txId}`]]);
}

const writeOptions = (command: Command): Command =>
  command
    .option('--idempotency-key <key>', 'retry an earlier attempt safely: pass the key it printed')
    .option('--json', 'print the answer as JSON');

/** Registers `report` and its subcommands. */
export function registerReport(program: Command, ctx: GatewayCliContext): void {
  const report = program
    .command('report')
    .description("an officer's credit reports at the organisation's gateway");

  writeOptions(
    withConnection(
      report
        .command('submit')
        .description('validate, encrypt, store and anchor a report; prints the ledger anchor')
        .requiredOption(
          '--category <code>',
          'report category (basic, business, credit_enhancement, warning, asset)',
        )
        .option('--schema-version <version>', 'schema version of the category', '1.0')
        .requiredOption('--uscc <code>', "the enterprise's Unified Social Credit Code")
        .requiredOption('--file <report.json>', 'the report (JSON conforming to the category schema)')
        .option('--event-end-date <YYYY-MM-DD>', 'the day the reported event ended (adverse categories)'),
    ),
  ).action(
    action(async (opts: SubmitOptions) => {
      const input = {
        category: parseCode(opts.category, '--category'),
        schemaVersion: parseSchemaVersion(opts.schemaVersion),
        uscc: parseUscc(opts.uscc),
        ...(opts.eventEndDate === undefined
          ? {}
          : { eventEndDate: parseDay(opts.eventEndDate, '--event-end-date') }),
      };
      const key = parseIdempotencyKey(opts.idempotencyKey);
      const payload = await readJsonFile(opts.file, 'the report');
      await withClient(ctx, opts, async (client) => {
        const view = await client.submitReport(
          { ...input, payload },
          key === undefined ? {} : { idempotencyKey: key },
        );
        printCommitted(ctx, view, opts.json);
      });
    }),
  );

  withConnection(
    report
      .command('list')
      .description("the organisation's reports (no contents), oldest first")
      .option(
        '--subject-ref <hex>',
        "only this subject's reports (its pseudonym: creditchain subject lookup)",
      )
      .option('--limit <n>', 'page size, 1 to 999 (default 50)')
      .option('--after <cursor>', 'the next page: the cursor the previous page printed')
      .option('--json', 'print the answer as JSON'),
  ).action(
    action(async (opts: Common & { subjectRef?: string; limit?: string; after?: string }) => {
      const query = {
        ...(opts.subjectRef === undefined ? {} : { subjectRef: parseSubjectRef(opts.subjectRef) }),
        ...(opts.limit === undefined ? {} : { limit: parseInteger(opts.limit, '--limit', 1, 999) }),
        ...(opts.after === undefined ? {} : { after: opts.after }),
      };
      await withClient(ctx, opts, async (client) => {
        const page = await client.listReports(query);
        if (opts.json === true) {
          printJson(ctx.out, page);
          return;
        }
        printTable(
          ctx.out,
          [
            ['REPORT', 'CATEGORY', 'VERSION', 'STATUS', 'CREATED', 'SUBJECT'],
            ...page.items.map((r) => [
              r.reportId,
              r.category,
              r.schemaVersion,
              r.status,
              r.createdAt,
              r.subjectRef,
            ]),
          ],
          'no reports',
        );
        if (page.next !== null) ctx.out(`more: --after ${page.next}`);
      });
    }),
  );

  withConnection(
    report
      .command('get')
      .description('one of the organisation’s reports, decrypted and checked against its ledger anchor')
      .argument('<reportId>', 'the report id')
      .option('--out <file>', 'write the report (JSON) to this file (0600) instead of printing it')
      .option('--force', 'replace --out if it exists')
      .option('--json', 'print the whole answer as JSON'),
  ).action(
    action(async (reportId: string, opts: OutOptions) => {
      const id = parseReportId(reportId);
      await withClient(ctx, opts, async (client) => {
        const view = await client.getReport(id);
        await printReport(ctx, view, opts);
      });
    }),
  );

  writeOptions(
    withConnection(
      report
        .command('correct')
        .description('submit a correction that supersedes the report (same subject and category)')
        .argument('<reportId>', 'the report to correct')
        .requiredOption('--file <report.json>', 'the corrected report')
        .option('--schema-version <version>', 'schema version of the category', '1.0')
        .option('--event-end-date <YYYY-MM-DD>', 'the day the reported event ended (adverse categories)'),
    ),
  ).action(
    action(
      async (
        reportId: string,
        opts: Common & { file: string; schemaVersion: string; eventEndDate?: string },
      ) => {
        const id = parseReportId(reportId);
        const input = {
          schemaVersion: parseSchemaVersion(opts.schemaVersion),
          ...(opts.eventEndDate === undefined
            ? {}
            : { eventEndDate: parseDay(opts.eventEndDate, '--event-end-date') }),
        };
        const key = parseIdempotencyKey(opts.idempotencyKey);
        const payload = await readJsonFile(opts.file, 'the report');
        await withClient(ctx, opts, async (client) => {
          const view = await client.correctReport(
            id,
            { ...input, payload },
            key === undefined ? {} : { idempotencyKey: key },
          );
          printCommitted(ctx, view, opts.json);
        });
      },
    ),
  );

  writeOptions(
    withConnection(
      report
        .command('erase')
        .description('erase the report: ledger tombstone first, then its data key is destroyed')
        .argument('<reportId>', 'the report to erase')
        .requiredOption(
          '--reason <code>',
          'SUBJECT_REQUEST, RETENTION_EXPIRED, DATA_ERROR, LEGAL_ORDER or PROVIDER_WITHDRAWAL',
        ),
    ),
  ).action(
    action(async (reportId: string, opts: Common & { reason: string }) => {
      const id = parseReportId(reportId);
      const reason = parseErasureReason(opts.reason);
      const key = parseIdempotencyKey(opts.idempotencyKey);
      await withClient(ctx, opts, async (client) => {
        const view = await client.eraseReport(id, reason, key === undefined ? {} : { idempotencyKey: key });
        printCommitted(ctx, view, opts.json);
      });
    }),
  );

  writeOptions(
    withConnection(
      report
        .command('retrieve')
        .description(
          "retrieve another member's report under a consent: access receipt on the ledger, transfer, verification",
        )
        .argument('<reportId>', "the report id (the provider's)")
        .requiredOption(
          '--consent <consentId>',
          'the consent recorded for this organisation (creditchain consent grant)',
        )
        .requiredOption('--purpose <code>', 'the purpose of the access, e.g. loan_underwriting')
        .option('--out <file>', 'write the report (JSON) to this file (0600) instead of printing it')
        .option('--force', 'replace --out if it exists'),
    ),
  ).action(
    action(async (reportId: string, opts: OutOptions & { consent: string; purpose: string }) => {
      const input = {
        reportId: parseReportId(reportId),
        consentId: parseConsentId(opts.consent, '--consent'),
        purpose: parseCode(opts.purpose, '--purpose'),
      };
      const key = parseIdempotencyKey(opts.idempotencyKey);
      await withClient(ctx, opts, async (client) => {
        const view = await client.retrieve(input, key === undefined ? {} : { idempotencyKey: key });
        if (opts.json !== true) ctx.out(`receipt ${view.receiptId} (block ${view.block}, tx ${view.txId})`);
        await printReport(ctx, view, opts);
      });
    }),
  );
}

/** Prints a decrypted report, or writes it to `--out` and prints its anchor. */
async function printReport(
  ctx: GatewayCliContext,
  view: { readonly anchor: AnchorView; readonly payload: unknown },
  opts: OutOptions,
): Promise<void> {
  const { payload, ...rest } = view;
  if (opts.out !== undefined) {
    await writePrivateFile(opts.out, `${JSON.stringify(payload, null, 2)}\n`, { force: opts.force === true });
    if (opts.json === true) printJson(ctx.out, { ...rest, out: opts.out });
    else {
      printFields(ctx.out, anchorFields(view.anchor));
      ctx.out(`report written to ${opts.out}`);
    }
    return;
  }
  if (opts.json === true) {
    printJson(ctx.out, view);
    return;
  }
  printFields(ctx.out, anchorFields(view.anchor));
  printJson(ctx.out, payload);
}
