import { X509Certificate } from 'node:crypto';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import {
  blockDataHash,
  blockHeaderBytes,
  blockHeaderHash,
  channelHeaderOf,
  decodeExactly,
  headerFields,
  METADATA_SLOTS,
  sameBytes,
  sha256,
  timestampOf,
} from './blocks.js';
import { readChannelConfiguration, type ChannelConfiguration } from './channel-config.js';
import { ProvenanceError, type VerificationCode } from './errors.js';
import {
  decodeBase64,
  parseProvenanceBundle,
  type BundleTransaction,
  type ProvenanceBundle,
} from './format.js';
import { anchoredIn, ChannelIdentities, IdentityError, type ChannelIdentity } from './identities.js';
import { evaluatePolicy } from './policy.js';

/** The checks the verifier makes, in the order it makes them. */
export type CheckName =
  | 'bundle'
  | 'config'
  | 'roots'
  | 'previous-hash'
  | 'data-hash'
  | 'orderer-signature'
  | 'config-current'
  | 'tx-in-block'
  | 'validation-code'
  | 'creator'
  | 'transaction'
  | 'endorsements'
  | 'endorsement-policy'
  | 'report';

/** The outcome of one check. */
export interface ProvenanceCheck {
  readonly check: CheckName;
  readonly ok: boolean;
  /** Why it failed; absent when it passed. */
  readonly code?: VerificationCode;
  readonly message: string;
  readonly block?: number;
  readonly txId?: string;
}

/** A trail transaction that passed every check. */
export interface VerifiedTransaction {
  readonly txId: string;
  readonly block: number;
  readonly index: number;
  /** The client's proposal timestamp, ISO 8601. */
  readonly timestamp: string;
  /** The contract function, e.g. `SubmitReport`. */
  readonly function: string;
  readonly creator: { readonly mspId: string; readonly name: string };
  /** MSP IDs of the endorsing peers. */
  readonly endorsers: readonly string[];
}

/** The outcome of {@link verifyProvenanceBundle}. */
export interface ProvenanceVerification {
  readonly ok: boolean;
  /** From the bundle, once it could be read. */
  readonly reportId?: string;
  readonly channel?: string;
  /** Every check made, passed or failed, in order; checks that depend on a failed one are not made. */
  readonly checks: readonly ProvenanceCheck[];
  /** The first failed check. */
  readonly failure?: ProvenanceCheck;
  readonly transactions: readonly VerifiedTransaction[];
}

/** Options of {@link verifyProvenanceBundle}. */
export interface VerifyProvenanceOptions {
  /** The consortium's root CA certificates (PEM texts, each holding one or more certificates). */
  readonly roots: readonly string[];
}

interface Where {
  readonly block?: number;
  readonly txId?: string;
}

/** A failure after which nothing else can be checked. */
class Fatal extends Error {}

/** A failure of one check of one transaction. */
class CheckFailure extends Error {
  constructor(
    readonly check: CheckName,
    readonly code: VerificationCode,
    message: string,
  ) {
    super(message);
  }
}

class Checks {
  readonly list: ProvenanceCheck[] = [];

  pass(check: CheckName, message: string, where: Where = {}): void {
    this.list.push({ check, ok: true, message, ...where });
  }

  fail(check: CheckName, code: VerificationCode, message: string, where: Where = {}): void {
    this.list.push({ check, ok: false, code, message, ...where });
  }

  fatal(check: CheckName, code: VerificationCode, message: string, where: Where = {}): never {
    this.fail(check, code, message, where);
    throw new Fatal(message);
  }
}

const VALID_NAME = 'VALID';
const SUCCESS_LIMIT = 400;
const TRAIL_PREFIX = 'idx\u0001trail\u0001';

function parseRoots(pems: readonly string[]): X509Certificate[] {
  const blocks = pems.flatMap(
    (pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [],
  );
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new Error(`root certificate ${i + 1} cannot be read`);
    }
  });
}

/** Strict decoding of a bundle block: canonical encoding, its number, the ordered metadata layout. */
function decodeBundleBlock(base64: string, number: number, where: string): common.Block {
  const bytes = decodeBase64(base64, where);
  let block: common.Block;
  try {
    block = decodeExactly(common.Block, bytes, where);
  } catch (err) {
    throw new ProvenanceError('BUNDLE_MALFORMED', (err as Error).message);
  }
  const header = block.getHeader();
  if (!header) throw new ProvenanceError('BUNDLE_MALFORMED', `${where} has no header`);
  if (header.getNumber() !== number)
    throw new ProvenanceError('BUNDLE_MALFORMED', `${where} is block ${header.getNumber()}, not ${number}`);
  const slots = block.getMetadata()?.getMetadataList_asU8() ?? [];
  if (
    slots.length !== METADATA_SLOTS ||
    slots.some((slot, i) => i !== common.BlockMetadataIndex.SIGNATURES && slot.length > 0)
  )
    throw new ProvenanceError(
      'BUNDLE_MALFORMED',
      `${where} must carry only the SIGNATURES metadata, in ${METADATA_SLOTS} slots`,
    );
  return block;
}

function blockTime(block: common.Block): Date | undefined {
  const first = block.getData()?.getDataList_asU8()[0];
  if (first === undefined) return undefined;
  try {
    return timestampOf(channelHeaderOf(first));
  } catch {
    return undefined;
  }
}

/**
 * Checks the SIGNATURES metadata: every signature by a valid orderer identity of an ordering
 * organisation (as of the block's time) over `value || signature_header || header DER`. Returns the
 * last config index the signed value records. A genesis block may be unsigned, as `configtxgen`
 * writes it: it is then bound by the next block's signed `previous_hash`.
 */
function ordererSignatures(
  block: common.Block,
  identities: ChannelIdentities,
  allowUnsigned: boolean,
): { readonly lastConfig: number; readonly signers: string[] } {
  const header = block.getHeader();
  if (!header) throw new Error('the block has no header');
  const slot = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES];
  const metadata = decodeExactly(common.Metadata, slot ?? new Uint8Array(), 'the SIGNATURES metadata');
  const value = metadata.getValue_asU8();
  const lastConfig =
    decodeExactly(common.OrdererBlockMetadata, value, 'the orderer block metadata')
      .getLastConfig()
      ?.getIndex() ?? 0;
  const signatures = metadata.getSignaturesList();
  if (signatures.length === 0) {
    if (allowUnsigned) return { lastConfig, signers: [] };
    throw new Error('the block is not signed');
  }
  const headerBytes = blockHeaderBytes(headerFields(header));
  const at = blockTime(block);
  const signers = signatures.map((signature, i) => {
    if (signature.getIdentifierHeader_asU8().length > 0)
      throw new Error(`signature ${i} uses an identifier header (BFT orderers are not supported)`);
    const signatureHeader = signature.getSignatureHeader_asU8();
    const creator = decodeExactly(
      common.SignatureHeader,
      signatureHeader,
      `signature header ${i}`,
    ).getCreator_asU8();
    let id: ChannelIdentity;
    try {
      id = identities.identity(creator, at);
    } catch (err) {
      throw new Error(`signature ${i}: ${(err as Error).message}`);
    }
    if (id.kind !== 'orderer' || id.nodeOU !== 'orderer')
      throw new Error(
        `signature ${i} is by ${id.mspId} ${id.name}, not an orderer of an ordering organisation`,
      );
    if (!id.verify(Buffer.concat([value, signatureHeader, headerBytes]), signature.getSignature_asU8()))
      throw new Error(`signature ${i} by ${id.name} does not verify`);
    return `${id.mspId} ${id.name}`;
  });
  return { lastConfig, signers };
}

/** Verifies one block held in full, after the previous header hash `previous`. */
function verifyBlock(
  checks: Checks,
  block: common.Block,
  number: number,
  previous: Uint8Array,
  identities: ChannelIdentities,
): void {
  const where = { block: number };
  const header = block.getHeader() ?? new common.BlockHeader();
  if (sameBytes(header.getPreviousHash_asU8(), previous))
    checks.pass('previous-hash', `block ${number} follows block ${number - 1}`, where);
  else
    checks.fail(
      'previous-hash',
      'CHAIN_BROKEN',
      `block ${number}'s previous_hash is not the hash of block ${number - 1}'s header`,
      where,
    );
  if (sameBytes(header.getDataHash_asU8(), blockDataHash(block.getData()?.getDataList_asU8() ?? [])))
    checks.pass('data-hash', `block ${number}'s data hash matches its transactions`, where);
  else
    checks.fail(
      'data-hash',
      'DATA_HASH_MISMATCH',
      `block ${number}'s data_hash is not the SHA-256 of its transactions`,
      where,
    );
  let signed: ReturnType<typeof ordererSignatures>;
  try {
    signed = ordererSignatures(block, identities, false);
  } catch (err) {
    checks.fail(
      'orderer-signature',
      'ORDERER_SIGNATURE_INVALID',
      `block ${number}: ${(err as Error).message}`,
      where,
    );
    return;
  }
  checks.pass('orderer-signature', `block ${number} signed by ${signed.signers.join(', ')}`, where);
  if (signed.lastConfig === 0)
    checks.pass('config-current', `block ${number} was ordered under block 0's configuration`, where);
  else
    checks.fail(
      'config-current',
      'CONFIG_NOT_CURRENT',
      `block ${number} was ordered under the configuration of block ${signed.lastConfig}, which the bundle does not hold`,
      where,
    );
}

interface TxContext {
  readonly bundle: ProvenanceBundle;
  readonly config: ChannelConfiguration;
  readonly identities: ChannelIdentities;
}

function decoded<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch {
    throw new CheckFailure('transaction', 'TX_INVALID', `${what} does not decode`);
  }
}

function identityOf(
  identities: ChannelIdentities,
  serialized: Uint8Array,
  at: Date,
  check: CheckName,
  code: VerificationCode,
  who: string,
): ChannelIdentity {
  try {
    return identities.identity(serialized, at);
  } catch (err) {
    throw new CheckFailure(
      check,
      code,
      `${who}: ${err instanceof IdentityError ? err.message : 'invalid identity'}`,
    );
  }
}

/** Runs the checks of one trail transaction, recording each; returns it when all passed. */
function verifyTransaction(
  checks: Checks,
  tx: BundleTransaction,
  block: common.Block,
  ctx: TxContext,
): VerifiedTransaction | undefined {
  const where = { block: tx.block, txId: tx.txId };
  try {
    const data = block.getData()?.getDataList_asU8() ?? [];
    const raw = data[tx.index];
    if (raw === undefined)
      throw new CheckFailure(
        'tx-in-block',
        'TX_NOT_IN_BLOCK',
        `block ${tx.block} has ${data.length} transactions, none at index ${tx.index}`,
      );
    const envelope = decoded('the envelope', () => common.Envelope.deserializeBinary(raw));
    const payload = decoded('the payload', () =>
      common.Payload.deserializeBinary(envelope.getPayload_asU8()),
    );
    const header = payload.getHeader() ?? new common.Header();
    const chdr = decoded('the channel header', () =>
      common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()),
    );
    const shdr = decoded('the signature header', () =>
      common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()),
    );
    if (chdr.getTxId() !== tx.txId)
      throw new CheckFailure(
        'tx-in-block',
        'TX_NOT_IN_BLOCK',
        `the transaction at index ${tx.index} of block ${tx.block} is ${chdr.getTxId() || 'unnamed'}`,
      );
    checks.pass('tx-in-block', `transaction ${tx.txId} is at index ${tx.index} of block ${tx.block}`, where);

    if (tx.validationCode !== VALID_NAME)
      throw new CheckFailure(
        'validation-code',
        'TX_INVALID',
        `the transaction was committed ${tx.validationCode}`,
      );
    checks.pass('validation-code', 'the committing peer recorded it VALID', where);

    const at = timestampOf(chdr);
    if (at === undefined) throw new CheckFailure('creator', 'TX_INVALID', 'the transaction has no timestamp');
    const creator = identityOf(
      ctx.identities,
      shdr.getCreator_asU8(),
      at,
      'creator',
      'CREATOR_INVALID',
      'creator',
    );
    if (creator.kind !== 'application' || (creator.nodeOU !== 'client' && creator.nodeOU !== 'admin'))
      throw new CheckFailure(
        'creator',
        'CREATOR_INVALID',
        `creator ${creator.mspId} ${creator.name} is not a client or admin of a peer organisation`,
      );
    if (!creator.verify(envelope.getPayload_asU8(), envelope.getSignature_asU8()))
      throw new CheckFailure(
        'creator',
        'CREATOR_INVALID',
        `the signature of ${creator.mspId} ${creator.name} does not verify`,
      );
    checks.pass('creator', `signed by ${creator.mspId} ${creator.name}`, where);

    const invalid = (message: string): CheckFailure => new CheckFailure('transaction', 'TX_INVALID', message);
    if (chdr.getType() !== common.HeaderType.ENDORSER_TRANSACTION)
      throw invalid('not an endorser transaction');
    if (chdr.getChannelId() !== ctx.config.channelId)
      throw invalid(`it is for channel ${chdr.getChannelId()}`);
    if (shdr.getNonce_asU8().length === 0) throw invalid('it has no nonce');
    if (sha256(shdr.getNonce_asU8(), shdr.getCreator_asU8()).toString('hex') !== tx.txId)
      throw invalid('its id is not the hash of its nonce and creator');
    const actions = decoded('the transaction', () =>
      peer.Transaction.deserializeBinary(payload.getData_asU8()),
    ).getActionsList();
    const action = actions[0];
    if (actions.length !== 1 || !action) throw invalid('it does not have exactly one action');
    if (!sameBytes(action.getHeader_asU8(), header.getSignatureHeader_asU8()))
      throw invalid("its action's header is not its signature header");
    const actionPayload = decoded('the action payload', () =>
      peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()),
    );
    const endorsed = actionPayload.getAction();
    if (!endorsed) throw invalid('it has no endorsed action');
    const prpBytes = endorsed.getProposalResponsePayload_asU8();
    const prp = decoded('the proposal response payload', () =>
      peer.ProposalResponsePayload.deserializeBinary(prpBytes),
    );
    const proposalPayload = actionPayload.getChaincodeProposalPayload_asU8();
    if (
      !sameBytes(
        prp.getProposalHash_asU8(),
        sha256(header.getChannelHeader_asU8(), header.getSignatureHeader_asU8(), proposalPayload),
      )
    )
      throw invalid('the proposal response is not for this proposal');
    const ccAction = decoded('the chaincode action', () =>
      peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()),
    );
    const chaincode = ccAction.getChaincodeId()?.getName() ?? '';
    if (chaincode !== ctx.bundle.chaincode)
      throw invalid(`it is a transaction of chaincode ${chaincode || '(none)'}, not ${ctx.bundle.chaincode}`);
    const status = ccAction.getResponse()?.getStatus() ?? 0;
    if (status >= SUCCESS_LIMIT) throw invalid(`the chaincode answered status ${status}`);
    const fn = decoded('the proposal payload', () => {
      const spec = peer.ChaincodeInvocationSpec.deserializeBinary(
        peer.ChaincodeProposalPayload.deserializeBinary(proposalPayload).getInput_asU8(),
      );
      return Buffer.from(
        spec.getChaincodeSpec()?.getInput()?.getArgsList_asU8()[0] ?? new Uint8Array(),
      ).toString('utf8');
    });
    const writes: string[] = [];
    for (const ns of decoded('the read-write set', () =>
      ledger.rwset.TxReadWriteSet.deserializeBinary(ccAction.getResults_asU8()),
    ).getNsRwsetList()) {
      const kv = decoded('the read-write set', () =>
        ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()),
      );
      if (ns.getNamespace() !== chaincode) {
        if (kv.getWritesList().length > 0 || kv.getMetadataWritesList().length > 0)
          throw invalid(`it writes to namespace ${ns.getNamespace()}`);
        continue;
      }
      for (const w of kv.getWritesList()) if (!w.getIsDelete()) writes.push(w.getKey());
    }
    checks.pass('transaction', `${chaincode} ${fn}, proposal response bound to the proposal`, where);

    const endorsements = endorsed.getEndorsementsList();
    if (endorsements.length === 0)
      throw new CheckFailure('endorsements', 'ENDORSEMENT_INVALID', 'the transaction has no endorsement');
    const signers = new Map<string, ChannelIdentity>();
    endorsements.forEach((e, i) => {
      const endorser = identityOf(
        ctx.identities,
        e.getEndorser_asU8(),
        at,
        'endorsements',
        'ENDORSEMENT_INVALID',
        `endorsement ${i}`,
      );
      if (endorser.kind !== 'application')
        throw new CheckFailure(
          'endorsements',
          'ENDORSEMENT_INVALID',
          `endorsement ${i} is by ${endorser.mspId}, not a peer organisation`,
        );
      if (!endorser.verify(Buffer.concat([prpBytes, e.getEndorser_asU8()]), e.getSignature_asU8()))
        throw new CheckFailure(
          'endorsements',
          'ENDORSEMENT_INVALID',
          `the endorsement of ${endorser.mspId} ${endorser.name} does not verify`,
        );
      signers.set(endorser.key, endorser);
    });
    const endorsers = [...new Set([...signers.values()].map((s) => s.mspId))].sort();
    checks.pass(
      'endorsements',
      `endorsed by ${[...signers.values()].map((s) => `${s.mspId} ${s.name}`).join(', ')}`,
      where,
    );

    let policy: ReturnType<typeof evaluatePolicy>;
    try {
      policy = evaluatePolicy(ctx.config.application, 'Endorsement', [...signers.values()]);
    } catch {
      throw new CheckFailure(
        'endorsement-policy',
        'POLICY_NOT_SATISFIED',
        'the endorsement policy does not decode',
      );
    }
    if (!policy.satisfied)
      throw new CheckFailure(
        'endorsement-policy',
        'POLICY_NOT_SATISFIED',
        `/Channel/Application/Endorsement ${policy.detail}`,
      );
    checks.pass('endorsement-policy', `/Channel/Application/Endorsement ${policy.detail}`, where);

    const prefix = `${TRAIL_PREFIX}${ctx.bundle.reportId}\u0001`;
    const suffix = `\u0001${tx.txId}`;
    if (!writes.some((key) => key.startsWith(prefix) && key.endsWith(suffix)))
      throw new CheckFailure(
        'report',
        'NOT_ABOUT_REPORT',
        `the transaction does not append to the trail of report ${ctx.bundle.reportId}`,
      );
    checks.pass('report', `appends to the trail of report ${ctx.bundle.reportId}`, where);

    return {
      txId: tx.txId,
      block: tx.block,
      index: tx.index,
      timestamp: at.toISOString(),
      function: fn,
      creator: { mspId: creator.mspId, name: creator.name },
      endorsers,
    };
  } catch (err) {
    if (!(err instanceof CheckFailure)) throw err;
    checks.fail(err.check, err.code, err.message, where);
    return undefined;
  }
}

function run(
  checks: Checks,
  file: Uint8Array | string,
  options: VerifyProvenanceOptions,
  out: { bundle?: ProvenanceBundle; transactions: VerifiedTransaction[] },
): void {
  let bundle: ProvenanceBundle;
  let genesis: common.Block;
  const full = new Map<number, common.Block>();
  try {
    bundle = parseProvenanceBundle(file);
    genesis = decodeBundleBlock(bundle.config, 0, 'config');
    for (const b of bundle.blocks)
      full.set(b.number, decodeBundleBlock(b.block, b.number, `block ${b.number}`));
  } catch (err) {
    if (!(err instanceof ProvenanceError)) throw err;
    checks.fatal('bundle', 'BUNDLE_MALFORMED', err.message.replace(/^BUNDLE_MALFORMED: /, ''));
  }
  out.bundle = bundle;
  checks.pass(
    'bundle',
    `${bundle.format}: report ${bundle.reportId}, ${bundle.transactions.length} transactions in ${bundle.blocks.length} blocks, ${bundle.chain.length} linked blocks`,
  );

  const genesisHeader = genesis.getHeader() ?? new common.BlockHeader();
  const at0 = { block: 0 };
  if (genesisHeader.getPreviousHash_asU8().length > 0)
    checks.fatal(
      'previous-hash',
      'CHAIN_BROKEN',
      'block 0 has a previous_hash: it is not a genesis block',
      at0,
    );
  if (
    !sameBytes(genesisHeader.getDataHash_asU8(), blockDataHash(genesis.getData()?.getDataList_asU8() ?? []))
  )
    checks.fatal(
      'data-hash',
      'DATA_HASH_MISMATCH',
      "block 0's data_hash is not the SHA-256 of its configuration",
      at0,
    );
  checks.pass('data-hash', "block 0's data hash matches its configuration", at0);

  let config: ChannelConfiguration;
  try {
    config = readChannelConfiguration(genesis);
  } catch (err) {
    if (!(err instanceof ProvenanceError)) throw err;
    checks.fatal('config', 'CONFIG_INVALID', err.message.replace(/^CONFIG_INVALID: /, ''), at0);
  }
  if (config.channelId !== bundle.channel)
    checks.fatal(
      'bundle',
      'BUNDLE_MALFORMED',
      `the bundle says channel ${bundle.channel}, its block 0 configures ${config.channelId}`,
      at0,
    );
  const names = (kind: string): string =>
    config.orgs
      .filter((o) => o.kind === kind)
      .map((o) => o.mspId)
      .join(', ');
  checks.pass(
    'config',
    `channel ${config.channelId}: ordering ${names('orderer')}; peers ${names('application')}`,
    at0,
  );

  let roots: X509Certificate[];
  try {
    roots = parseRoots(options.roots);
  } catch (err) {
    checks.fatal('roots', 'ROOT_MISMATCH', (err as Error).message);
  }
  if (roots.length === 0) checks.fatal('roots', 'ROOT_MISMATCH', 'no root certificate was given');
  const unanchored = config.orgs.filter((o) => !anchoredIn(o, roots)).map((o) => o.mspId);
  if (unanchored.length > 0)
    checks.fatal(
      'roots',
      'ROOT_MISMATCH',
      `the root CA of ${unanchored.join(', ')} in block 0 is not among the given roots`,
    );
  checks.pass('roots', `every organisation's root CA is among the ${roots.length} given roots`);

  const identities = new ChannelIdentities(config.orgs);
  try {
    const signed = ordererSignatures(genesis, identities, true);
    if (signed.lastConfig !== 0) throw new Error('block 0 records another last config block');
    checks.pass(
      'orderer-signature',
      signed.signers.length > 0
        ? `block 0 signed by ${signed.signers.join(', ')}`
        : 'block 0 is unsigned, as configtxgen writes it; the hash chain binds it',
      at0,
    );
  } catch (err) {
    checks.fail('orderer-signature', 'ORDERER_SIGNATURE_INVALID', `block 0: ${(err as Error).message}`, at0);
  }

  const links = new Map(bundle.chain.map((l) => [l.number, Buffer.from(l.dataHash, 'hex')]));
  const last = bundle.blocks[bundle.blocks.length - 1]?.number ?? 0;
  let previous: Uint8Array = blockHeaderHash(headerFields(genesisHeader));
  for (let n = 1; n <= last; n++) {
    const dataHash = links.get(n);
    if (dataHash !== undefined) {
      previous = blockHeaderHash({ number: BigInt(n), previousHash: previous, dataHash });
      continue;
    }
    const block = full.get(n);
    if (!block) continue;
    verifyBlock(checks, block, n, previous, identities);
    previous = blockHeaderHash(headerFields(block.getHeader() ?? new common.BlockHeader()));
  }

  const ctx = { bundle, config, identities };
  for (const tx of bundle.transactions) {
    const block = full.get(tx.block);
    if (!block) continue;
    const verified = verifyTransaction(checks, tx, block, ctx);
    if (verified) out.transactions.push(verified);
  }
}

/**
 * Verifies a provenance bundle offline, with nothing but the consortium's root CA certificates: the
 * file is a canonical `creditchain.provenance/1` document; block 0 is a channel configuration whose
 * organisations' root CAs are all among `roots`; the hash chain runs from block 0 to every trail
 * block; each trail block's data hash matches its transactions and it is signed by an orderer of an
 * ordering organisation under that configuration; each trail transaction is in its block at its
 * index, recorded VALID, signed by a client or admin of a peer organisation, bound to its proposal,
 * of the bundle's chaincode, endorsed by valid peer signatures satisfying the channel's
 * `/Channel/Application/Endorsement` policy, and appends to the trail of the bundle's report.
 * Pure: no clock, no network, no files.
 *
 * @example
 * ```ts
 * const result = verifyProvenanceBundle(await readFile('r.provenance.json'), { roots: [ordererCa, yangtzeCa, ...] });
 * if (!result.ok) console.log(result.failure?.code, result.failure?.message);
 * ```
 */
export function verifyProvenanceBundle(
  file: Uint8Array | string,
  options: VerifyProvenanceOptions,
): ProvenanceVerification {
  const checks = new Checks();
  const out: { bundle?: ProvenanceBundle; transactions: VerifiedTransaction[] } = { transactions: [] };
  try {
    run(checks, file, options, out);
  } catch (err) {
    // Every expected failure is a recorded check; anything else still must not pass or crash a caller.
    if (!(err instanceof Fatal))
      checks.fail('bundle', 'BUNDLE_MALFORMED', `the bundle cannot be verified: ${(err as Error).message}`);
  }
  const failure = checks.list.find((c) => !c.ok);
  const ok =
    failure === undefined &&
    out.bundle !== undefined &&
    out.transactions.length === out.bundle.transactions.length;
  return {
    ok,
    ...(out.bundle ? { reportId: out.bundle.reportId, channel: out.bundle.channel } : {}),
    checks: checks.list,
    ...(failure ? { failure } : {}),
    transactions: ok ? out.transactions : [],
  };
}
