/*
 * The dashboard's picture of a period, aggregated from the trail entries the caller may see (the
 * audit service decides which: everything for a regulator, its own organisation's for a member):
 * data flows between organisations (provider → requester, weighted by granted receipts), activity
 * by day and by report category, and each organisation's share. Entries carry no subject
 * identifier, and neither does the summary.
 */
import type { AuditEntry } from '../audit/model.js';

/** Reports moving from one organisation to another in the period. */
export type Flow = {
  readonly provider: string;
  readonly requester: string;
  /** Granted receipts: the edge weight of the flow graph. */
  readonly granted: number;
  readonly denied: number;
  readonly delivered: number;
  /** Granted receipts of supervisory accesses (a regulator as requester). */
  readonly supervisory: number;
};

/** Counts of one bucket (a day, a category, an organisation). */
export type Activity = {
  /** Reports submitted or corrected. */
  readonly submitted: number;
  readonly granted: number;
  readonly denied: number;
  readonly delivered: number;
};

/** One organisation's part: what it submitted, provided and requested. */
export type OrganisationActivity = {
  readonly mspId: string;
  readonly submitted: number;
  /** Granted receipts for its reports. */
  readonly provided: number;
  /** Granted receipts of its requests. */
  readonly received: number;
  /** Denied receipts of its requests. */
  readonly deniedRequests: number;
};

/** The summary of a period. */
export type DashboardSummary = {
  /** First day of the period (`YYYY-MM-DD`, inclusive). */
  readonly from: string;
  /** Day after the period (exclusive). */
  readonly to: string;
  /** Trail entries the summary was made of. */
  readonly entries: number;
  /** True when the period held more entries than one summary reads; the counts cover the first ones. */
  readonly truncated: boolean;
  readonly organisations: readonly OrganisationActivity[];
  readonly flows: readonly Flow[];
  /** Days with activity, ascending (UTC). */
  readonly byDay: readonly (Activity & { readonly day: string })[];
  /** Categories with activity, by name. */
  readonly byCategory: readonly (Activity & { readonly category: string })[];
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const activity = (): Mutable<Activity> => ({ submitted: 0, granted: 0, denied: 0, delivered: 0 });

function bucket<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

const byKey = <T>(map: Map<string, T>): [string, T][] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Accumulates trail entries, one at a time, into a {@link DashboardSummary}. */
export class SummaryBuilder {
  readonly #days = new Map<string, Mutable<Activity>>();
  readonly #categories = new Map<string, Mutable<Activity>>();
  readonly #flows = new Map<string, Mutable<Flow>>();
  readonly #orgs = new Map<string, Mutable<OrganisationActivity>>();
  #entries = 0;

  add(entry: AuditEntry): void {
    this.#entries++;
    const provider = entry.parties.find((p) => p.role === 'provider')?.mspId;
    const requester = entry.parties.find((p) => p.role === 'requester')?.mspId;
    const org = (mspId: string) =>
      bucket(this.#orgs, mspId, () => ({ mspId, submitted: 0, provided: 0, received: 0, deniedRequests: 0 }));
    const flow = () =>
      provider === undefined || requester === undefined
        ? undefined
        : bucket(this.#flows, `${provider}\u0000${requester}`, () => ({
            provider,
            requester,
            granted: 0,
            denied: 0,
            delivered: 0,
            supervisory: 0,
          }));
    const counted: (keyof Activity)[] = [];
    switch (entry.kind) {
      case 'SUBMITTED':
      case 'CORRECTED':
        counted.push('submitted');
        org(provider ?? entry.actor.mspId).submitted++;
        break;
      case 'ACCESS_GRANTED': {
        counted.push('granted');
        const f = flow();
        if (f) {
          f.granted++;
          if (entry.supervisory) f.supervisory++;
        }
        if (provider !== undefined) org(provider).provided++;
        if (requester !== undefined) org(requester).received++;
        break;
      }
      case 'ACCESS_DENIED': {
        counted.push('denied');
        const f = flow();
        if (f) f.denied++;
        if (provider !== undefined) org(provider);
        if (requester !== undefined) org(requester).deniedRequests++;
        break;
      }
      case 'DELIVERED': {
        counted.push('delivered');
        const f = flow();
        if (f) f.delivered++;
        break;
      }
      default:
        // Supersessions, erasures and consents show in trails, not in the usage picture.
        return;
    }
    const day = bucket(this.#days, entry.time.slice(0, 10), activity);
    const category = bucket(this.#categories, entry.category ?? 'unknown', activity);
    for (const field of counted) {
      day[field]++;
      category[field]++;
    }
  }

  /** The summary of what was added. */
  build(period: { from: string; to: string }, truncated: boolean): DashboardSummary {
    return {
      from: period.from,
      to: period.to,
      entries: this.#entries,
      truncated,
      organisations: byKey(this.#orgs).map(([, o]) => ({ ...o })),
      flows: byKey(this.#flows).map(([, f]) => ({ ...f })),
      byDay: byKey(this.#days).map(([day, a]) => ({ day, ...a })),
      byCategory: byKey(this.#categories).map(([category, a]) => ({ category, ...a })),
    };
  }
}
