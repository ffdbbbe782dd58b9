/*
 * Records kept by a Vault. Timestamps are UTC instants in the exact form of
 * `Date.prototype.toISOString()` (`YYYY-MM-DDTHH:mm:ss.sssZ`): fixed width, so text order is time
 * order, which the listing index relies on.
 */

/** A JSON value, as stored for idempotent responses. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A report's data key, wrapped (HPKE) to one of the organisation's own public keys. */
export interface WrappedKey {
  /** Id of the organisation key the data key is wrapped to, as published on the ledger. */
  readonly keyId: string;
  /** HPKE encapsulated key. */
  readonly enc: Uint8Array;
  /** HPKE ciphertext of the data key. */
  readonly ciphertext: Uint8Array;
}

/** What a vault keeps about every report, active or erased. */
export interface ReportMeta {
  /** Ledger report id: 3 to 128 characters of `[A-Za-z0-9._:-]`, starting with a letter or digit. */
  readonly reportId: string;
  /** Subject pseudonym (as anchored on the ledger): 1 to 128 characters of `[A-Za-z0-9._:-]`. */
  readonly subjectRef: string;
  /** Report category code. */
  readonly category: string;
  /** Schema version of the plaintext, such as `1`, `1.2` or `1.2.3`. */
  readonly schemaVersion: string;
  /** When the report was stored (`toISOString()` form). */
  readonly createdAt: string;
}

/** A stored report whose contents can still be decrypted by the organisation. */
export interface ActiveReport extends ReportMeta {
  readonly status: 'active';
  /** AES-256-GCM ciphertext of the canonical report (as hashed into `ciphertextHash`). */
  readonly ciphertext: Uint8Array;
  /** Salt of the plaintext commitment anchored on the ledger. */
  readonly salt: Uint8Array;
  /** The data key, wrapped to the organisation's own HPKE key. */
  readonly wrappedKey: WrappedKey;
}

/** Why and when a report was erased. */
export interface Erasure {
  /** When the report was erased (`toISOString()` form). */
  readonly erasedAt: string;
  /** Why, e.g. a ledger erasure reason code such as `SUBJECT_REQUEST`; at most 256 characters. */
  readonly reason: string;
}

/**
 * Tombstone of a crypto-shredded report: metadata and the erasure only. Ciphertext, salt and
 * wrapped key are gone for good.
 */
export interface ErasedReport extends ReportMeta, Erasure {
  readonly status: 'erased';
}

/** A report as stored: active, or the tombstone left by its erasure. */
export type StoredReport = ActiveReport | ErasedReport;

/** An active report without its contents, as listed. */
export interface ActiveReportSummary extends ReportMeta {
  readonly status: 'active';
}

/** One listing entry: metadata of an active report, or a tombstone. */
export type ReportSummary = ActiveReportSummary | ErasedReport;

/** The response remembered for a retried API call. */
export interface IdempotencyRecord {
  /** Client-chosen key: 1 to 256 characters of `[A-Za-z0-9._:-]`, starting with a letter or digit. */
  readonly key: string;
  /** Lower-case hex SHA-256 of the request the key was first used with. */
  readonly requestHash: string;
  /** The response to replay. */
  readonly response: JsonValue;
  /** When the first request completed (`toISOString()` form). */
  readonly createdAt: string;
}

/** Which reports to list and where to start. */
export interface ReportQuery {
  /** Only reports of this subject pseudonym; all reports when absent. */
  readonly subjectRef?: string;
  /** Cursor (`next`) of the previous page; the first page when absent. */
  readonly after?: string;
  /** Page size, 1 to 1000. */
  readonly limit: number;
}

/** One page of a listing, ordered by `createdAt` then `reportId`, ascending. */
export interface ReportPage {
  readonly items: readonly ReportSummary[];
  /** Opaque cursor for the next page; absent on the last page. */
  readonly next?: string;
}

/** One operation of a {@link Vault.batch}. */
export type VaultOp =
  | { readonly type: 'putReport'; readonly report: ActiveReport }
  | { readonly type: 'eraseReport'; readonly reportId: string; readonly erasure: Erasure }
  | { readonly type: 'putIdempotency'; readonly record: IdempotencyRecord };
