/**
 * The benchmark's load client: a child process of the benchmark that connects the real
 * `@hyperledger/fabric-gateway` client over TLS to the peers, as each organisation's users, and runs
 * the rounds it is told to run. Entry point of `dist/scripts/bench/client.js`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { StatusCode, type Contract } from '@hyperledger/fabric-gateway';
import { gatewayErrorText, type GatewaySession } from '../../network/src/ops/gateway-client.js';
import { failureCause, type Stage } from './causes.js';
import { connectGateway } from '../../network/src/ops/gateway-client.js';
import { closedLoop, openLoop, realClock, type Operation } from './load.js';
import type { FromClient, RoundMessage, SetupMessage, ToClient, WirePhases, WireSample } from './protocol.js';

const STATUS_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

interface Connected {
  readonly mspId: string;
  readonly role: 'member' | 'regulator';
  readonly contract: Contract;
  readonly session: GatewaySession;
}

function send(message: FromClient): void {
  process.send?.(message);
}

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function causeOf(stage: Stage, err: unknown): string {
  return failureCause({ stage, grpcCode: grpcCode(err), text: gatewayErrorText(err) });
}

/** Where a successful submit's phases are recorded: endorse, submit, commit-status wait (ms). */
type PhaseSink = (endorse: number, submit: number, commitWait: number) => void;

/** Endorses, submits and waits for the commit status: undefined when committed VALID, else the cause. */
async function submit(
  contract: Contract,
  name: string,
  args: string[],
  phases?: PhaseSink,
): Promise<string | undefined> {
  const t0 = performance.now();
  const proposal = contract.newProposal(name, { arguments: args });
  let tx;
  try {
    tx = await proposal.endorse();
  } catch (err) {
    return causeOf('endorse', err);
  }
  const t1 = performance.now();
  let commit;
  try {
    commit = await tx.submit();
  } catch (err) {
    return causeOf('submit', err);
  }
  const t2 = performance.now();
  let status;
  try {
    status = await commit.getStatus();
  } catch (err) {
    return causeOf('commitStatus', err);
  }
  if (status.successful) {
    phases?.(t1 - t0, t2 - t1, performance.now() - t2);
    return undefined;
  }
  return failureCause({
    stage: 'commit',
    text: '',
    validationCode: STATUS_NAMES.get(status.code) ?? `CODE_${status.code}`,
  });
}

async function evaluate(contract: Contract, name: string, args: string[]): Promise<Uint8Array | string> {
  try {
    return await contract.evaluateTransaction(name, ...args);
  } catch (err) {
    return causeOf('evaluate', err);
  }
}

const hex64 = (): string => randomBytes(32).toString('hex');

class LoadClient {
  readonly #members: Connected[];
  readonly #readers: Connected[];
  readonly #regulator: Connected;
  /** Reports committed by `submit` rounds, which `read` rounds read. */
  readonly #reports: string[] = [];
  readonly #subjects = Array.from({ length: 64 }, hex64);
  readonly #tag = randomBytes(3).toString('hex');

  constructor(setup: SetupMessage) {
    const all = setup.connections.map((c) => {
      const session = connectGateway(c.peer, c.user, setup.timeoutMs);
      const contract = session.gateway.getNetwork(setup.channel).getContract(setup.chaincode);
      return { mspId: c.mspId, role: c.role, contract, session };
    });
    this.#members = all.filter((c) => c.role === 'member');
    this.#readers = all;
    const regulator = all.find((c) => c.role === 'regulator');
    if (!regulator || this.#members.length === 0) throw new Error('need member and regulator connections');
    this.#regulator = regulator;
  }

  close(): void {
    for (const c of this.#readers) c.session.close();
  }

  #pick(list: readonly Connected[], seq: number): Connected {
    const c = list[seq % list.length];
    if (!c) throw new Error('no connection');
    return c;
  }

  async submitReport(
    contract: Contract,
    reportId: string,
    seq: number,
    phases?: PhaseSink,
  ): Promise<string | undefined> {
    const subject = this.#subjects[seq % this.#subjects.length] ?? hex64();
    const args = [
      JSON.stringify({
        reportId,
        subjectRef: subject,
        category: 'basic',
        schemaVersion: '1.0',
        ciphertextHash: hex64(),
        commitment: hex64(),
        sizeBucket: 'S',
        eventEndDate: '',
        supersedes: '',
      }),
    ];
    const cause = await submit(contract, 'SubmitReport', args, phases);
    if (cause === undefined) this.#reports.push(reportId);
    return cause;
  }

  operation(round: RoundMessage, phases: WirePhases[]): Operation {
    const prefix = `${this.#tag}-${round.id}`;
    const sink =
      (seq: number): PhaseSink =>
      (endorse, submitted, commitWait) => {
        phases.push([seq, endorse, submitted, commitWait]);
      };
    switch (round.workload) {
      case 'submit':
        return (seq) =>
          this.submitReport(
            this.#pick(this.#members, seq).contract,
            `bench-${prefix}-${seq}`,
            seq,
            sink(seq),
          );
      case 'read':
        return async (seq) => {
          if (this.#reports.length === 0) return 'NO_REPORTS';
          const id = this.#reports[Math.floor(Math.random() * this.#reports.length)] ?? '';
          const out = await evaluate(this.#pick(this.#readers, seq).contract, 'GetReport', [id]);
          return typeof out === 'string' ? out : undefined;
        };
      case 'access': {
        const reportId = round.reportId ?? '';
        return (seq) => {
          const requestId = `acc-${prefix}-${seq}`;
          const consentId = createHash('sha256').update(requestId).digest('hex'); // no such consent
          const args = [requestId, reportId, consentId, 'loan_underwriting'];
          return submit(this.#pick(this.#members, seq).contract, 'RequestAccess', args, sink(seq));
        };
      }
      case 'trail-page': {
        const reportId = round.reportId ?? '';
        const bookmarks = round.bookmarks ?? [''];
        return async (seq) => {
          const bookmark = bookmarks[seq % bookmarks.length] ?? '';
          const out = await evaluate(this.#regulator.contract, 'GetReportTrail', [reportId, '100', bookmark]);
          return typeof out === 'string' ? out : undefined;
        };
      }
    }
  }

  async round(round: RoundMessage): Promise<{ samples: WireSample[]; phases: WirePhases[] }> {
    const phases: WirePhases[] = [];
    const op = this.operation(round, phases);
    const samples =
      round.load.mode === 'closed'
        ? await closedLoop(op, round.load, realClock)
        : await openLoop(op, round.load, realClock);
    return { samples: samples.map((s) => [s.start, s.end, s.cause ?? null, s.seq ?? -1]), phases };
  }

  async submitOne(reportId: string): Promise<string | undefined> {
    return this.submitReport(this.#pick(this.#members, 0).contract, reportId, 0);
  }

  async walk(reportId: string, pageSize: number): Promise<Extract<FromClient, { type: 'walk-done' }>> {
    const pages: Array<[number, number]> = [];
    const bookmarks: string[] = [];
    let records = 0;
    let bookmark = '';
    const t0 = performance.now();
    for (;;) {
      const start = performance.now() - t0;
      const out = await evaluate(this.#regulator.contract, 'GetReportTrail', [
        reportId,
        String(pageSize),
        bookmark,
      ]);
      if (typeof out === 'string') return { type: 'walk-done', id: 0, records, pages, bookmarks, cause: out };
      pages.push([start, performance.now() - t0]);
      bookmarks.push(bookmark);
      const page = JSON.parse(Buffer.from(out).toString('utf8')) as { records: unknown[]; bookmark: string };
      records += page.records.length;
      if (page.records.length < pageSize || page.bookmark === '' || page.bookmark === bookmark) break;
      bookmark = page.bookmark;
    }
    return { type: 'walk-done', id: 0, records, pages, bookmarks, cause: null };
  }
}

let client: LoadClient | undefined;

async function handle(message: ToClient): Promise<void> {
  switch (message.type) {
    case 'setup':
      client = new LoadClient(message);
      send({ type: 'ready' });
      return;
    case 'exit':
      client?.close();
      process.exit(0);
      return;
    default:
      break;
  }
  if (!client) throw new Error('not set up');
  switch (message.type) {
    case 'round':
      send({ type: 'round-done', id: message.id, ...(await client.round(message)) });
      return;
    case 'submit-one':
      send({
        type: 'submit-one-done',
        id: message.id,
        cause: (await client.submitOne(message.reportId)) ?? null,
      });
      return;
    case 'walk':
      send({ ...(await client.walk(message.reportId, message.pageSize)), id: message.id });
      return;
  }
}

process.on('message', (message: ToClient) => {
  handle(message).catch((err: unknown) => {
    const id = 'id' in message ? message.id : undefined;
    send({ type: 'error', ...(id === undefined ? {} : { id }), message: String(err) });
  });
});
// The benchmark is gone: nothing to report to.
process.on('disconnect', () => process.exit(0));
