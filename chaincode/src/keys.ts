import type { ChaincodeStub } from 'fabric-shim-api';

/*
 * The key schema. Records live under composite keys (`\x00type\x00attr\x00...`); indexes that are
 * read by time period are simple keys `idx\x01<index>\x01<attr>\x01<ISO instant>\x01<id>`, because
 * Fabric only serves range queries (`GetStateByRange`) over simple keys. Every attribute is validated
 * before it reaches a key, so no attribute contains a separator. No key ever holds a subject's
 * USCC; subjects appear only as gateway-computed pseudonyms (`subjectRef`).
 */

export const RecordType = {
  config: 'config',
  org: 'org',
  subject: 'subject',
  report: 'report',
  reportBySubject: 'report~subject',
  consent: 'consent',
  consentNonce: 'consent~nonce',
  consentBySubject: 'consent~subject',
  receipt: 'receipt',
  receiptByRequest: 'receipt~request',
} as const;

export type RecordTypeName = (typeof RecordType)[keyof typeof RecordType];

/** Composite key of a record. */
export function recordKey(stub: ChaincodeStub, type: RecordTypeName, ...attributes: string[]): string {
  return stub.createCompositeKey(type, attributes);
}

const SEP = '\u0001';
const PREFIX = `idx${SEP}`;

export const OrderedIndex = {
  trail: 'trail',
  receiptsByRequester: 'rcpt-requester',
  receiptsByProvider: 'rcpt-provider',
  receiptsBySubject: 'rcpt-subject',
  receiptsByTime: 'rcpt-time',
} as const;

export type OrderedIndexName = (typeof OrderedIndex)[keyof typeof OrderedIndex];

/** Key of an entry in a time-ordered index; `partition` is empty for the global time index. */
export function orderedKey(index: OrderedIndexName, partition: string, instant: string, id: string): string {
  return `${PREFIX}${index}${SEP}${partition}${SEP}${instant}${SEP}${id}`;
}

/**
 * Range `[start, end)` covering the entries of one partition whose instant lies in
 * `[fromInstant, toInstant)`; empty bounds cover the whole partition.
 */
export function orderedRange(
  index: OrderedIndexName,
  partition: string,
  fromInstant = '',
  toInstant = '',
): { start: string; end: string } {
  const base = `${PREFIX}${index}${SEP}${partition}${SEP}`;
  return { start: base + fromInstant, end: toInstant === '' ? base + '\u{10FFFF}' : base + toInstant };
}
