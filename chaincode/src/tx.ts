import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical';
import { formatInstant, type TxTime } from './time';
import type { Actor } from './model';

/** The caller of a transaction as its certificate describes it. */
export interface Caller {
  readonly mspId: string;
  /** The `role` attribute (member, regulator, admin), or null when absent. */
  readonly role: string | null;
  /** The `institution` attribute, or null when absent. */
  readonly institution: string | null;
  readonly id: string;
}

/**
 * One transaction's view of the ledger: typed reads, sorted-key JSON writes, the transaction id
 * and timestamp, the caller, and its single chaincode event. Reads never see this transaction's
 * own writes (Fabric semantics); writing a key twice is a programming error and throws.
 */
export class Tx {
  readonly txId: string;
  readonly channelId: string;
  readonly time: TxTime;
  /** Transaction timestamp as an ISO 8601 instant with nanoseconds. */
  readonly at: string;
  /** Transaction day, in days since 1970-01-01 (UTC). */
  readonly today: number;
  readonly caller: Caller;
  readonly ctx: Context;
  readonly #written = new Set<string>();
  #eventName: string | undefined;

  constructor(ctx: Context) {
    this.ctx = ctx;
    const stub = ctx.stub;
    this.txId = stub.getTxID();
    this.channelId = stub.getChannelID();
    const ts = stub.getTxTimestamp();
    const seconds = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds.toNumber();
    this.time = { seconds, nanos: ts.nanos };
    this.at = formatInstant(this.time);
    this.today = Math.floor(seconds / 86400);
    const identity = ctx.clientIdentity;
    this.caller = {
      mspId: identity.getMSPID(),
      role: identity.getAttributeValue('role'),
      institution: identity.getAttributeValue('institution'),
      id: identity.getID(),
    };
  }

  get stub(): Context['stub'] {
    return this.ctx.stub;
  }

  /** The caller as recorded in trails and receipts. */
  actor(): Actor {
    return { mspId: this.caller.mspId, institution: this.caller.institution, id: this.caller.id };
  }

  /** Reads and parses a JSON record; undefined when the key does not exist. */
  async get<T>(key: string): Promise<T | undefined> {
    const bytes = await this.stub.getState(key);
    if (bytes.length === 0) return undefined;
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stub.getState(key)).length > 0;
  }

  /** Writes a record as sorted-key JSON. */
  async put(key: string, value: unknown): Promise<void> {
    if (this.#written.has(key)) throw new Error(`internal: key written twice in one transaction`);
    this.#written.add(key);
    await this.stub.putState(key, Buffer.from(canonicalJson(value), 'utf8'));
  }

  /** Sets the transaction's chaincode event; a transaction emits exactly one. */
  emit(name: string, payload: Record<string, unknown>): void {
    if (this.#eventName !== undefined) throw new Error(`internal: second chaincode event ${name}`);
    this.#eventName = name;
    this.stub.setEvent(name, Buffer.from(canonicalJson(payload), 'utf8'));
  }
}
