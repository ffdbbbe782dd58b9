/**
 * `creditchain audit status|trail|usage|alerts|bundle`: the audit read model of a gateway, for
 * regulators (everything, at the regulator organisation's gateway) and members (what concerns their
 * own organisation). With `--org` and no `--user`, commands call as the organisation's regulator
 * officer when the gateway directory lists one, else as `User1`.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { ALERT_KINDS, type Alert, type AlertKind } from '../audit/alerts.js';
import type { AuditEntry, AuditPage } from '../audit/model.js';
import { parseProvenanceBundle, ProvenanceError } from '../audit/provenance/index.js';
import { GatewayClientError } from '../client/errors.js';
import { findGateway, readDirectory } from '../client/directory.js';
import type { AuditTrailQuery, GatewayClient } from '../client/gateway-client.js';
import type { GatewayCliContext } from './context.js';
import { withClient, withConnection, type CallerOption, type ConnectionOptions } from './connection.js';
import { action, CliError, invalidOption } from './errors.js';
import { writePrivateFile } from './files.js';
import {
  parseDay,
  parseInstitution,
  parseInteger,
  parseMspId,
  parseReportId,
  parseSubjectRef,
  parseUscc,
} from './parse.js';
import { printFields, printJson, printTable } from './table.js';

/** `--user` as the help shows it; {@link auditConnection} resolves the default. */
const AUDIT_CALLER: CallerOption = {
  flag: '--user',
  defaultUser: "the organisation's regulator officer if the directory lists one, else User1",
};

/** Pages `--all` fetches at most (500 entries each). */
export const MAX_PAGES = 1000;
const MAX_LIMIT = 500;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

interface Common extends ConnectionOptions {
  readonly json?: boolean;
}

interface PagingOptions extends Common {
  readonly limit?: string;
  readonly after?: string;
  readonly all?: boolean;
}

/** Options of `audit trail`. */
export interface TrailOptions extends PagingOptions {
  readonly report?: string;
  readonly uscc?: string;
  readonly subjectRef?: string;
  readonly member?: string;
  readonly institution?: string;
  readonly from?: string;
  readonly to?: string;
}

/** Which trail `audit trail` asks for. */
export type TrailTarget =
  | { readonly kind: 'report'; readonly reportId: string }
  | { readonly kind: 'subject'; readonly subject: { uscc: string } | { subjectRef: string } }
  | { readonly kind: 'member'; readonly mspId: string; readonly institution?: string }
  | { readonly kind: 'period' };

/** Paging as the options ask for it. */
export interface Paging {
  readonly limit?: number;
  readonly after?: string;
  readonly all: boolean;
}

/**
 * A period bound: a day `YYYY-MM-DD` or a UTC instant `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
 *
 * @throws CliError `INVALID_OPTION`
 */
export function parseBound(text: string, option: string): string {
  if (DAY.test(text)) return parseDay(text, option);
  if (INSTANT.test(text) && !Number.isNaN(new Date(text).getTime())) {
    parseDay(text.slice(0, 10), option);
    return text;
  }
  throw invalidOption(`${option} must be a day YYYY-MM-DD or a UTC instant YYYY-MM-DDTHH:MM:SSZ`);
}

/**
 * The trail `audit trail` asks for: at most one of `--report`, `--uscc`, `--subject-ref`,
 * `--member`; none means every entry of the period.
 *
 * @throws CliError `INVALID_OPTION`
 */
export function trailTarget(opts: TrailOptions): TrailTarget {
  const given = (['report', 'uscc', 'subjectRef', 'member'] as const).filter((k) => opts[k] !== undefined);
  if (given.length > 1)
    throw invalidOption('give one of --report, --uscc, --subject-ref and --member (or none, for a period)');
  if (opts.institution !== undefined && opts.member === undefined)
    throw invalidOption('--institution goes with --member');
  if (opts.report !== undefined) return { kind: 'report', reportId: parseReportId(opts.report, '--report') };
  if (opts.uscc !== undefined) return { kind: 'subject', subject: { uscc: parseUscc(opts.uscc) } };
  if (opts.subjectRef !== undefined)
    return { kind: 'subject', subject: { subjectRef: parseSubjectRef(opts.subjectRef) } };
  if (opts.member !== undefined) {
    const mspId = parseMspId(opts.member, '--member');
    return opts.institution === undefined
      ? { kind: 'member', mspId }
      : { kind: 'member', mspId, institution: parseInstitution(opts.institution, '--institution') };
  }
  if (opts.from === undefined || opts.to === undefined)
    throw invalidOption(
      'name a trail: --report <id>, --uscc <code>, --subject-ref <hex> or --member <msp>, or a period --from <day> --to <day>',
    );
  return { kind: 'period' };
}

/**
 * `--limit`, `--after` and `--all`.
 *
 * @throws CliError `INVALID_OPTION`
 */
export function parsePaging(opts: PagingOptions): Paging {
  if (opts.all === true && opts.after !== undefined) throw invalidOption('give --after or --all, not both');
  if (opts.after !== undefined && !/^[A-Za-z0-9_-]{1,2048}$/.test(opts.after))
    throw invalidOption('--after must be the cursor a previous page printed');
  return {
    ...(opts.limit === undefined ? {} : { limit: parseInteger(opts.limit, '--limit', 1, MAX_LIMIT) }),
    ...(opts.after === undefined ? {} : { after: opts.after }),
    all: opts.all === true,
  };
}

/** Every page from `paging.after` on when `paging.all`, else one page. */
async function pages<T>(
  paging: Paging,
  fetch: (limit: number | undefined, after: string | undefined) => Promise<AuditPage<T>>,
): Promise<AuditPage<T>> {
  const first = await fetch(paging.limit ?? (paging.all ? MAX_LIMIT : undefined), paging.after);
  if (!paging.all) return first;
  const items = [...first.items];
  let last = first;
  for (let n = 1; last.next !== null; n++) {
    if (n >= MAX_PAGES)
      throw new CliError('GATEWAY_FAILED', `more than ${MAX_PAGES} pages: narrow the period (--from, --to)`);
    last = await fetch(paging.limit ?? MAX_LIMIT, last.next);
    items.push(...last.items);
  }
  return { items, next: null, readModel: last.readModel };
}

/** `2026-03-02T10:00:00.123456789Z` as `2026-03-02 10:00:00`. */
function shortTime(time: string): string {
  return time.length >= 19 ? `${time.slice(0, 10)} ${time.slice(11, 19)}` : time;
}

function short(id: string, n = 12): string {
  return id.length > n + 1 ? `${id.slice(0, n)}…` : id;
}

function who(p: { readonly mspId: string; readonly institution: string | null }): string {
  return p.institution === null ? p.mspId : `${p.mspId}/${p.institution}`;
}

/** What an entry says beyond time, place, kind and actor. */
export function entryDetails(e: AuditEntry, showReport: boolean): string {
  const parts: string[] = [];
  if (showReport && e.reportId !== null) parts.push(`report ${e.reportId}`);
  if (e.category !== null && e.kind === 'SUBMITTED') parts.push(`category ${e.category}`);
  const requester = e.parties.find((p) => p.role === 'requester');
  if (requester && e.kind === 'DELIVERED') parts.push(`to ${who(requester)}`);
  const grantee = e.parties.find((p) => p.role === 'grantee');
  if (grantee) parts.push(`grantee ${who(grantee)}`);
  if (e.relatedReportId !== null)
    parts.push(`${e.kind === 'SUPERSEDED' ? 'by' : 'corrects'} ${e.relatedReportId}`);
  if (e.purpose !== null) parts.push(`purpose ${e.purpose}`);
  if (e.reason !== null) parts.push(`reason ${e.reason}`);
  if (e.supervisory) parts.push('supervisory');
  if (e.receiptId !== null) parts.push(`receipt ${short(e.receiptId)}`);
  if (e.consentId !== null) parts.push(`consent ${short(e.consentId)}`);
  return parts.join(', ');
}

/** The timeline table of `entries`, header first. */
export function timelineRows(entries: readonly AuditEntry[], showReport: boolean): string[][] {
  return [
    ['TIME (UTC)', 'BLOCK', 'TX', 'KIND', 'ACTOR', 'DETAILS'],
    ...entries.map((e) => [
      shortTime(e.time),
      `${e.block}:${e.txIndex}`,
      short(e.txId),
      e.kind,
      who(e.actor),
      entryDetails(e, showReport),
    ]),
  ];
}

/**
 * The audit commands' connection: with `--org` and no `--user`, `--token` or `--cert`, the
 * organisation's regulator officer when the directory lists one, else `User1`.
 */
export async function auditConnection<T extends ConnectionOptions>(
  ctx: GatewayCliContext,
  opts: T,
): Promise<T> {
  if (
    opts.org === undefined ||
    opts.user !== undefined ||
    opts.token !== undefined ||
    opts.cert !== undefined
  )
    return opts;
  if (opts.gateway !== undefined) return opts; // connect() refuses --org with --gateway
  const gateway = findGateway(await readDirectory(await ctx.profileDir()), opts.org);
  const regulator = gateway.users.find((u) => u.role === 'regulator');
  return { ...opts, user: regulator?.name ?? 'User1' };
}

async function withAuditClient(
  ctx: GatewayCliContext,
  opts: ConnectionOptions,
  work: (client: GatewayClient) => Promise<void>,
): Promise<void> {
  await withClient(ctx, await auditConnection(ctx, opts), work);
}

function readModelLine(page: { readonly readModel: AuditPage<unknown>['readModel'] }): string {
  const { nextBlock, alarm } = page.readModel;
  return `read model: blocks below ${nextBlock} indexed${alarm === null ? '' : `; INTEGRITY ALARM ${alarm.code} at block ${alarm.block}`}`;
}

async function fetchTrail(
  client: GatewayClient,
  target: TrailTarget,
  query: AuditTrailQuery,
): Promise<AuditPage<AuditEntry> & { subjectRef?: string }> {
  switch (target.kind) {
    case 'report':
      return client.reportTrail(target.reportId, query);
    case 'subject':
      return client.subjectTrail(target.subject, query);
    case 'member':
      return client.memberTrail(target.mspId, {
        ...query,
        ...(target.institution === undefined ? {} : { institution: target.institution }),
      });
    case 'period':
      return client.periodTrail(query);
  }
}

const connection = (command: Command): Command => withConnection(command, AUDIT_CALLER);

const paging = (command: Command): Command =>
  command
    .option('--limit <n>', `page size, 1 to ${MAX_LIMIT} (default 100)`)
    .option('--after <cursor>', 'the next page: the cursor the previous page printed')
    .option('--all', 'every page')
    .option('--json', 'print the answer as JSON');

/** Registers `audit` and its subcommands. */
export function registerAudit(program: Command, ctx: GatewayCliContext): void {
  const audit = program
    .command('audit')
    .description(
      "the audit read model of a gateway: trails, usage statements, misuse alerts and provenance bundles (regulators: at the regulator organisation's gateway; members: their own organisation)",
    );

  connection(
    audit
      .command('status')
      .description(
        "the read model: listener state, blocks indexed, last block's hash, integrity alarm, counts",
      )
      .option('--json', 'print the answer as JSON'),
  ).action(
    action(async (opts: Common) => {
      await withAuditClient(ctx, opts, async (client) => {
        const s = await client.auditStatus();
        if (opts.json === true) {
          printJson(ctx.out, s);
          return;
        }
        printFields(ctx.out, [
          ['listener', s.listener],
          ['next block', String(s.nextBlock)],
          ['last block hash', s.lastBlockHash ?? '-'],
          [
            'alarm',
            s.alarm === null ? 'none' : `${s.alarm.code} at block ${s.alarm.block}: ${s.alarm.reason}`,
          ],
          ...Object.entries(s.counts).map(([k, v]): [string, string] => [k, String(v)]),
          ...(s.lastError === null ? [] : ([['last error', s.lastError]] as [string, string][])),
        ]);
      });
    }),
  );

  paging(
    connection(
      audit
        .command('trail')
        .description(
          'a timeline of trail entries, oldest first: of a report, a subject (by USCC, sent in a request body only, or pseudonym), a member organisation or institution, or every entry of a period',
        )
        .option('--report <reportId>', "a report's trail")
        .option('--uscc <code>', "a subject's trail, by its Unified Social Credit Code")
        .option('--subject-ref <hex>', "a subject's trail, by its pseudonym")
        .option('--member <mspId>', "a member organisation's trail")
        .option('--institution <code>', "with --member: one of the organisation's institutions")
        .option('--from <day|instant>', 'from (inclusive): YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ')
        .option('--to <day|instant>', 'to (exclusive)'),
    ),
  ).action(
    action(async (opts: TrailOptions) => {
      const target = trailTarget(opts);
      const from = opts.from === undefined ? undefined : parseBound(opts.from, '--from');
      const to = opts.to === undefined ? undefined : parseBound(opts.to, '--to');
      const p = parsePaging(opts);
      await withAuditClient(ctx, opts, async (client) => {
        let subjectRef: string | undefined;
        const page = await pages(p, async (limit, after) => {
          const answer = await fetchTrail(client, target, {
            ...(from === undefined ? {} : { from }),
            ...(to === undefined ? {} : { to }),
            ...(limit === undefined ? {} : { limit }),
            ...(after === undefined ? {} : { after }),
          });
          subjectRef ??= answer.subjectRef;
          return answer;
        });
        if (opts.json === true) {
          printJson(ctx.out, { ...page, ...(subjectRef === undefined ? {} : { subjectRef }) });
          return;
        }
        if (subjectRef !== undefined) ctx.out(`subject ${subjectRef}`);
        printTable(ctx.out, timelineRows(page.items, target.kind !== 'report'), 'no entries');
        if (page.next !== null) ctx.out(`more: --after ${page.next}`);
        ctx.out(readModelLine(page));
      });
    }),
  );

  connection(
    audit
      .command('usage')
      .description(
        "a member's usage statement for billing over [from, to): receipts as requester and as provider, by counterparty, institution, category and purpose",
      )
      .requiredOption('--member <mspId>', 'the member organisation')
      .requiredOption('--from <day>', 'first day, YYYY-MM-DD')
      .requiredOption('--to <day>', 'day after the last (at most 366 days)')
      .option('--format <format>', 'csv or json (default: a table; csv with --out)')
      .option('--out <file>', 'write the statement to this file (0600) instead of printing it')
      .option('--force', 'replace --out if it exists'),
  ).action(
    action(
      async (
        opts: Common & {
          member: string;
          from: string;
          to: string;
          format?: string;
          out?: string;
          force?: boolean;
        },
      ) => {
        const mspId = parseMspId(opts.member, '--member');
        const from = parseDay(opts.from, '--from');
        const to = parseDay(opts.to, '--to');
        if (opts.format !== undefined && opts.format !== 'csv' && opts.format !== 'json')
          throw invalidOption('--format must be csv or json');
        const format = opts.format ?? (opts.out === undefined ? 'table' : 'csv');
        await withAuditClient(ctx, opts, async (client) => {
          let text: string;
          if (format === 'csv') text = await client.usageCsv(mspId, from, to);
          else {
            const statement = await client.usage(mspId, from, to);
            if (format === 'table') {
              ctx.out(`usage of ${statement.mspId} from ${statement.from} to ${statement.to} (exclusive)`);
              const counts = (c: {
                receipts: number;
                granted: number;
                denied: number;
                delivered: number;
                supervisory: number;
              }) => [c.receipts, c.granted, c.denied, c.delivered, c.supervisory].map(String);
              printTable(
                ctx.out,
                [
                  [
                    'ROLE',
                    'COUNTERPARTY',
                    'INSTITUTION',
                    'CATEGORY',
                    'PURPOSE',
                    'RECEIPTS',
                    'GRANTED',
                    'DENIED',
                    'DELIVERED',
                    'SUPERVISORY',
                  ],
                  ...statement.lines.map((l) => [
                    l.role,
                    l.counterparty,
                    l.institution,
                    l.category,
                    l.purpose,
                    ...counts(l),
                  ]),
                  ...statement.totals.map((t) => [t.role, 'TOTAL', '', '', '', ...counts(t)]),
                ],
                'no receipts',
              );
              ctx.out(readModelLine(statement));
              return;
            }
            text = `${JSON.stringify(statement, null, 2)}\n`;
          }
          if (opts.out === undefined) {
            for (const line of text.replace(/\r?\n$/, '').split(/\r?\n/)) ctx.out(line);
            return;
          }
          await writePrivateFile(opts.out, text, { force: opts.force === true });
          ctx.out(`usage statement of ${mspId} (${format}) written to ${opts.out}`);
        });
      },
    ),
  );

  paging(
    connection(
      audit
        .command('alerts')
        .description(
          'misuse alerts of [from, to) with their evidence: bursts on one subject, repeated denials, purposes outside the member’s business, supervisory accesses',
        )
        .requiredOption('--from <day>', 'first day, YYYY-MM-DD')
        .requiredOption('--to <day>', 'day after the last (at most 366 days)')
        .option('--kind <kind>', ALERT_KINDS.join(', ')),
    ),
  ).action(
    action(async (opts: PagingOptions & { from: string; to: string; kind?: string }) => {
      const from = parseDay(opts.from, '--from');
      const to = parseDay(opts.to, '--to');
      if (opts.kind !== undefined && !(ALERT_KINDS as readonly string[]).includes(opts.kind))
        throw invalidOption(`--kind must be one of ${ALERT_KINDS.join(', ')}`);
      const kind = opts.kind as AlertKind | undefined;
      const p = parsePaging(opts);
      await withAuditClient(ctx, opts, async (client) => {
        const page = await pages<Alert>(p, (limit, after) =>
          client.alerts({
            from,
            to,
            ...(kind === undefined ? {} : { kind }),
            ...(limit === undefined ? {} : { limit }),
            ...(after === undefined ? {} : { after }),
          }),
        );
        if (opts.json === true) {
          printJson(ctx.out, page);
          return;
        }
        printTable(
          ctx.out,
          [
            ['FIRST (UTC)', 'LAST (UTC)', 'KIND', 'MEMBER', 'COUNT', 'DETAIL'],
            ...page.items.map((a) => [
              shortTime(a.firstAt),
              shortTime(a.lastAt),
              a.kind,
              who(a.member),
              String(a.count),
              a.detail,
            ]),
          ],
          'no alerts',
        );
        if (page.next !== null) ctx.out(`more: --after ${page.next}`);
        ctx.out(readModelLine(page));
      });
    }),
  );

  connection(
    audit
      .command('bundle')
      .description(
        "download a report's provenance bundle: every trail transaction with the blocks that prove it; check it offline with creditchain proof verify <file> --roots <CA pems>",
      )
      .argument('<reportId>', 'the report id')
      .requiredOption('--out <file>', 'where to write the bundle')
      .option('--force', 'replace --out if it exists')
      .option('--json', 'print what was written as JSON'),
  ).action(
    action(async (reportId: string, opts: Common & { out: string; force?: boolean }) => {
      const id = parseReportId(reportId);
      await withAuditClient(ctx, opts, async (client) => {
        const download = await client.provenanceBundle(id);
        let summary: { transactions: number; blocks: number; lastBlock: number; channel: string };
        try {
          const bundle = parseProvenanceBundle(download.bytes);
          if (bundle.reportId !== id)
            throw new ProvenanceError('BUNDLE_MALFORMED', `it is about ${bundle.reportId}`);
          summary = {
            transactions: bundle.transactions.length,
            blocks: bundle.blocks.length,
            lastBlock: Math.max(0, ...bundle.blocks.map((b) => b.number)),
            channel: bundle.channel,
          };
        } catch (cause) {
          throw new GatewayClientError(
            'GATEWAY_BAD_RESPONSE',
            `the gateway answered a bundle that is not one of report ${id} (${cause instanceof Error ? cause.message : String(cause)})`,
            { cause },
          );
        }
        // The file's bytes are exactly the gateway's: its canonical spelling is part of the proof.
        await writePrivateFile(opts.out, Buffer.from(download.bytes).toString('utf8'), {
          force: opts.force === true,
        });
        if (opts.json === true) {
          printJson(ctx.out, {
            reportId: id,
            out: opts.out,
            ...summary,
            nextBlock: download.nextBlock ?? null,
          });
          return;
        }
        ctx.out(
          `provenance of report ${id} on channel ${summary.channel}: ${summary.transactions} transactions in ${summary.blocks} blocks (up to block ${summary.lastBlock}), written to ${opts.out}`,
        );
        ctx.out(`check it offline: creditchain proof verify ${opts.out} --roots <root CA pem files>`);
      });
    }),
  );
}
