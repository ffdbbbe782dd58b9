/*
 * The provenance bundle file, format `creditchain.provenance/1`: RFC 8785 canonical JSON followed by
 * one newline, so that the file has exactly one spelling and every byte of it is checked (gateway
 * README, "Provenance bundles").
 */
import { peer } from '@hyperledger/fabric-protos';
import { canonicalize } from '../../crypto/canonical.js';
import { ProvenanceError } from './errors.js';

/** Format identifier of the bundles this module writes and reads. */
export const PROVENANCE_FORMAT = 'creditchain.provenance/1';

/** A block the bundle holds in full: one that contains a trail transaction. */
export interface BundleBlock {
  readonly number: number;
  /** Base64 of the serialized `common.Block` as ordered (see `orderedBlock`). */
  readonly block: string;
}

/** A block between block 0 and the last trail block that the bundle does not hold in full. */
export interface BundleChainLink {
  readonly number: number;
  /** Lower-case hex of the block's `data_hash`: with it, its header can be rebuilt and hashed. */
  readonly dataHash: string;
}

/** One transaction of the report's trail. */
export interface BundleTransaction {
  /** Fabric transaction id (64 lower-case hex). */
  readonly txId: string;
  readonly block: number;
  /** Position of the transaction in the block's data. */
  readonly index: number;
  /** The `TxValidationCode` name the committing peer recorded, e.g. `VALID`. */
  readonly validationCode: string;
}

/** A provenance bundle: every transaction of a report's trail with what proves it offline. */
export interface ProvenanceBundle {
  readonly format: typeof PROVENANCE_FORMAT;
  readonly channel: string;
  readonly chaincode: string;
  readonly reportId: string;
  /** Base64 of block 0, the channel's genesis configuration block, as ordered. */
  readonly config: string;
  /** Blocks holding trail transactions, ascending. */
  readonly blocks: readonly BundleBlock[];
  /** Every other block from 1 to the last trail block, ascending. */
  readonly chain: readonly BundleChainLink[];
  /** The trail transactions in ledger order (block, then index). */
  readonly transactions: readonly BundleTransaction[];
}

const KEYS = ['blocks', 'chain', 'chaincode', 'channel', 'config', 'format', 'reportId', 'transactions'];
const BLOCK_KEYS = ['block', 'number'];
const LINK_KEYS = ['dataHash', 'number'];
const TX_KEYS = ['block', 'index', 'txId', 'validationCode'];

const CHANNEL = /^[a-z][a-z0-9.-]{0,248}$/;
const CHAINCODE = /^[a-zA-Z0-9]+(?:[-_][a-zA-Z0-9]+)*$/;
const REPORT_ID = /^[A-Za-z0-9._:-]{3,128}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Names of `TxValidationCode` values, by code. */
export const VALIDATION_CODE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(peer.TxValidationCode).map(([name, code]) => [code, name]),
);

const validationCodeNames = new Set(VALIDATION_CODE_NAMES.values());

/** Whether `value` is a channel name, a chaincode name, a report id, a tx id or a SHA-256 in hex. */
export const formats = {
  channel: (value: string): boolean => CHANNEL.test(value),
  chaincode: (value: string): boolean => CHAINCODE.test(value),
  reportId: (value: string): boolean => REPORT_ID.test(value),
  hex64: (value: string): boolean => HEX64.test(value),
};

/** The file bytes of a bundle: canonical JSON and a newline. */
export function serializeProvenanceBundle(bundle: ProvenanceBundle): Uint8Array {
  return new TextEncoder().encode(`${canonicalize(bundle)}\n`);
}

/** Base64 that decodes to `bytes` and has exactly one spelling: padding, no whitespace. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes base64 written by {@link encodeBase64}. Node's decoder skips characters outside the
 * alphabet and ignores unused trailing bits, so the text must be what encoding its bytes gives back.
 */
export function decodeBase64(text: string, where: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.toString('base64') !== text)
    throw malformed(`${where} is not canonical, non-empty base64`);
  return new Uint8Array(bytes);
}

function malformed(message: string): ProvenanceError {
  return new ProvenanceError('BUNDLE_MALFORMED', message);
}

type Json = Record<string, unknown>;

function object(value: unknown, keys: readonly string[], where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`${where} must be an object`);
  const actual = Object.keys(value).sort();
  if (actual.length !== keys.length || actual.some((k, i) => k !== keys[i]))
    throw malformed(`${where} must have exactly the members ${keys.join(', ')}`);
  return value as Json;
}

function text(value: unknown, where: string, valid: (s: string) => boolean): string {
  if (typeof value !== 'string' || !valid(value)) throw malformed(`${where} is not valid`);
  return value;
}

function count(value: unknown, where: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw malformed(`${where} must be an integer of at least ${min}`);
  return value;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(`${where} must be an array`);
  return value;
}

function ascending(numbers: readonly number[], where: string): void {
  for (let i = 1; i < numbers.length; i++)
    if ((numbers[i] ?? 0) <= (numbers[i - 1] ?? 0)) throw malformed(`${where} must be strictly ascending`);
}

function checkStructure(bundle: ProvenanceBundle): void {
  const full = bundle.blocks.map((b) => b.number);
  const links = bundle.chain.map((l) => l.number);
  ascending(full, 'blocks');
  ascending(links, 'chain');
  if (full.length === 0) throw malformed('the bundle holds no block');
  const last = full[full.length - 1] ?? 0;
  const covered = new Set([...full, ...links]);
  if (covered.size !== full.length + links.length) throw malformed('a block is both in blocks and in chain');
  for (let n = 1; n <= last; n++)
    if (!covered.has(n)) throw malformed(`block ${n} is neither in blocks nor in chain`);
  if (covered.size !== last) throw malformed('chain goes beyond the last block');

  const txs = bundle.transactions;
  if (txs.length === 0) throw malformed('the bundle holds no transaction');
  const fullSet = new Set(full);
  const referenced = new Set<number>();
  const ids = new Set<string>();
  txs.forEach((tx, i) => {
    if (!fullSet.has(tx.block)) throw malformed(`transactions[${i}] is in block ${tx.block}, not in blocks`);
    referenced.add(tx.block);
    if (ids.has(tx.txId)) throw malformed(`transaction ${tx.txId} is listed twice`);
    ids.add(tx.txId);
    const previous = txs[i - 1];
    if (
      previous &&
      (tx.block < previous.block || (tx.block === previous.block && tx.index <= previous.index))
    )
      throw malformed('transactions must be in ledger order (block, then index)');
  });
  for (const n of full) if (!referenced.has(n)) throw malformed(`block ${n} holds no listed transaction`);
}

/**
 * Reads a bundle file. Refuses anything but the canonical bytes of a well-formed bundle: every member
 * present with its type and format, nothing else, blocks and links covering 1 to the last trail
 * block exactly once, transactions in ledger order, each in a listed block.
 *
 * @throws {@link ProvenanceError} `BUNDLE_MALFORMED`
 */
export function parseProvenanceBundle(file: Uint8Array | string): ProvenanceBundle {
  let textContent: string;
  try {
    textContent = typeof file === 'string' ? file : new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    throw malformed('the file is not UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(textContent);
  } catch {
    throw malformed('the file is not JSON');
  }
  const root = object(parsed, KEYS, 'the bundle');
  if (root.format !== PROVENANCE_FORMAT) throw malformed(`format must be ${PROVENANCE_FORMAT}`);
  const bundle: ProvenanceBundle = {
    format: PROVENANCE_FORMAT,
    channel: text(root.channel, 'channel', formats.channel),
    chaincode: text(root.chaincode, 'chaincode', formats.chaincode),
    reportId: text(root.reportId, 'reportId', formats.reportId),
    config: text(root.config, 'config', (s) => s.length > 0),
    blocks: list(root.blocks, 'blocks').map((value, i) => {
      const b = object(value, BLOCK_KEYS, `blocks[${i}]`);
      return {
        number: count(b.number, `blocks[${i}].number`, 1),
        block: text(b.block, `blocks[${i}].block`, (s) => s.length > 0),
      };
    }),
    chain: list(root.chain, 'chain').map((value, i) => {
      const l = object(value, LINK_KEYS, `chain[${i}]`);
      return {
        number: count(l.number, `chain[${i}].number`, 1),
        dataHash: text(l.dataHash, `chain[${i}].dataHash`, formats.hex64),
      };
    }),
    transactions: list(root.transactions, 'transactions').map((value, i) => {
      const t = object(value, TX_KEYS, `transactions[${i}]`);
      return {
        txId: text(t.txId, `transactions[${i}].txId`, formats.hex64),
        block: count(t.block, `transactions[${i}].block`, 1),
        index: count(t.index, `transactions[${i}].index`, 0),
        validationCode: text(t.validationCode, `transactions[${i}].validationCode`, (s) =>
          validationCodeNames.has(s),
        ),
      };
    }),
  };
  checkStructure(bundle);
  if (`${canonicalize(bundle)}\n` !== textContent)
    throw malformed('the file is not in canonical form (RFC 8785 JSON followed by one newline)');
  return bundle;
}
