/**
 * Messages between the benchmark (which runs the network) and its load client, a separate Node
 * process as Caliper's workers are, so that the client's CPU is not counted as the network's.
 */
import type { GatewayPeer, GatewayUser } from '../../network/src/ops/gateway-client.js';

/** One gateway connection of the client: a user of an organisation, connected to its own peer. */
export interface ClientConnection {
  readonly mspId: string;
  /** `member` connections submit and read; the `regulator` reads and walks trails. */
  readonly role: 'member' | 'regulator';
  readonly peer: GatewayPeer;
  readonly user: GatewayUser;
}

export interface SetupMessage {
  readonly type: 'setup';
  readonly channel: string;
  readonly chaincode: string;
  readonly timeoutMs: number;
  readonly connections: readonly ClientConnection[];
}

/** The operation a round repeats. */
export type Workload =
  /** `SubmitReport` of a new report, round-robin over the member organisations. */
  | 'submit'
  /** `GetReport` of a report committed earlier, round-robin over all organisations' peers. */
  | 'read'
  /** `RequestAccess` to one report with an unknown consent: a committed, denied receipt and trail entry. */
  | 'access'
  /** `GetReportTrail` by the regulator, one page of 100 at a bookmark from an earlier walk. */
  | 'trail-page';

export type LoadSpec =
  | {
      readonly mode: 'closed';
      readonly concurrency: number;
      readonly durationMs?: number;
      readonly maxOps?: number;
    }
  | { readonly mode: 'open'; readonly ratePerSec: number; readonly durationMs: number };

export interface RoundMessage {
  readonly type: 'round';
  readonly id: number;
  readonly workload: Workload;
  readonly load: LoadSpec;
  /** The report of `access` and `trail-page` rounds. */
  readonly reportId?: string;
  /** The bookmarks `trail-page` rounds pick from. */
  readonly bookmarks?: readonly string[];
}

/** Submits one report with a given id (the report the trail workload writes receipts to). */
export interface SubmitOneMessage {
  readonly type: 'submit-one';
  readonly id: number;
  readonly reportId: string;
}

/** Reads a report's whole trail page by page, as the regulator. */
export interface WalkMessage {
  readonly type: 'walk';
  readonly id: number;
  readonly reportId: string;
  readonly pageSize: number;
}

export interface ExitMessage {
  readonly type: 'exit';
}

export type ToClient = SetupMessage | RoundMessage | SubmitOneMessage | WalkMessage | ExitMessage;

/** A sample as sent back: start and end (ms from the round start), the failure cause or null, seq. */
export type WireSample = [number, number, string | null, number];

/** Phases of a committed transaction (ms): endorse, submit (to the orderer), wait for the commit status. */
export type WirePhases = [seq: number, endorse: number, submit: number, commitWait: number];

export type FromClient =
  | { readonly type: 'ready' }
  | {
      readonly type: 'round-done';
      readonly id: number;
      readonly samples: WireSample[];
      /** For committing workloads, the phases of each successful transaction. */
      readonly phases: WirePhases[];
    }
  | { readonly type: 'submit-one-done'; readonly id: number; readonly cause: string | null }
  | {
      readonly type: 'walk-done';
      readonly id: number;
      readonly records: number;
      /** Per page: [start, end] ms from the walk's start. */
      readonly pages: Array<[number, number]>;
      /** The bookmark that starts each page ('' for the first). */
      readonly bookmarks: string[];
      readonly cause: string | null;
    }
  | { readonly type: 'error'; readonly id?: number; readonly message: string };
