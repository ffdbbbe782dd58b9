/*
 * Verification of each delivered block before anything of it is indexed: its number, the hash
 * chain (`previous_hash` = hash of the previous header), `data_hash` over its data entries, and the
 * orderer signatures in the SIGNATURES metadata, each over `value || signature_header || header DER`
 * by a certificate chaining to a root CA of an orderer organisation of the channel configuration
 * (block 0, or the last valid CONFIG block). Stricter than Fabric's default BlockValidation policy:
 * at least one signature, and every signature present must verify.
 *
 * The TRANSACTIONS_FILTER metadata (validation codes) is written by the committing peer and covered
 * by no signature; only its length is checked.
 */
import { verify, X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { dataHash, headerBytes, headerHash } from './block-hash.js';
import type { DecodedBlock } from './block-decode.js';
import type { IntegrityAlarmCode, OrdererTrust } from './model.js';

/** A failed check: the alarm to raise. */
export interface VerificationFailure {
  readonly code: IntegrityAlarmCode;
  readonly reason: string;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

function certificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** Whether `cert` chains to one of `roots`, through at most three of `intermediates`. */
function chainsTo(
  cert: X509Certificate,
  roots: readonly X509Certificate[],
  intermediates: readonly X509Certificate[],
  depth = 0,
): boolean {
  if (roots.some((r) => cert.checkIssued(r) && cert.verify(r.publicKey))) return true;
  if (depth >= 3) return false;
  return intermediates.some(
    (i) =>
      i.ca &&
      cert.checkIssued(i) &&
      cert.verify(i.publicKey) &&
      i.fingerprint256 !== cert.fingerprint256 &&
      chainsTo(i, roots, intermediates, depth + 1),
  );
}

/**
 * The hash chain and data hash of `block`, expected to be block `expected` following a block whose
 * header hash is `previousHash` (empty for block 0).
 */
export function verifyChain(
  block: DecodedBlock,
  expected: bigint,
  previousHash: Uint8Array,
): VerificationFailure | undefined {
  if (block.number !== expected)
    return {
      code: 'BLOCK_NUMBER_MISMATCH',
      reason: `block ${block.number} arrived where ${expected} was due`,
    };
  if (!equal(block.previousHash, previousHash))
    return {
      code: 'PREVIOUS_HASH_MISMATCH',
      reason: `previous_hash of block ${block.number} is not the hash of block ${expected - 1n}'s header`,
    };
  if (!equal(block.dataHash, dataHash(block.data)))
    return {
      code: 'DATA_HASH_MISMATCH',
      reason: `data_hash of block ${block.number} does not match its data`,
    };
  if (block.validationCodes.length !== block.data.length)
    return {
      code: 'BLOCK_MALFORMED',
      reason: `block ${block.number} has ${block.validationCodes.length} validation codes for ${block.data.length} transactions`,
    };
  return undefined;
}

/** The orderer signatures of `block`, checked against `trust`. */
export function verifySignatures(block: DecodedBlock, trust: OrdererTrust): VerificationFailure | undefined {
  const fail = (reason: string): VerificationFailure => ({ code: 'ORDERER_SIGNATURE_INVALID', reason });
  if (block.signatures.length === 0) return fail(`block ${block.number} carries no orderer signature`);
  const header = headerBytes(block.number, block.previousHash, block.dataHash);
  for (const [i, s] of block.signatures.entries()) {
    const org = trust.orgs.find((o) => o.mspId === s.creatorMspId);
    if (!org)
      return fail(`signature ${i} of block ${block.number} is by ${s.creatorMspId}, not an orderer org`);
    const cert = certificate(s.creatorCertPem);
    const roots = org.rootCertsPem.map(certificate).filter((c) => c !== undefined);
    const intermediates = org.intermediateCertsPem.map(certificate).filter((c) => c !== undefined);
    if (!cert || !chainsTo(cert, roots, intermediates))
      return fail(`signature ${i} of block ${block.number}: the signer does not chain to ${org.mspId}'s CA`);
    const message = Buffer.concat([s.value, s.signatureHeader, header]);
    let ok = false;
    try {
      ok = verify('sha256', message, cert.publicKey, s.signature);
    } catch {
      ok = false;
    }
    if (!ok) return fail(`signature ${i} of block ${block.number} does not verify`);
  }
  return undefined;
}

/** The header hash of a decoded block: what the next block's `previous_hash` must be. */
export function blockHash(block: DecodedBlock): Buffer {
  return headerHash(block.number, block.previousHash, block.dataHash);
}

/** A channel configuration that does not name orderer organisations with CA certificates. */
export class ChannelConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ChannelConfigError.name;
  }
}

const utf8 = new TextDecoder();

/**
 * The orderer organisations of a channel configuration (`ConfigEnvelope` bytes of a CONFIG
 * transaction): `Channel/Orderer/<org>/MSP`, each a FABRIC `MSPConfig` with its root and
 * intermediate CA certificates.
 *
 * @throws {@link ChannelConfigError}
 */
export function ordererTrustOf(configEnvelope: Uint8Array, fromBlock: number): OrdererTrust {
  let orderer: common.ConfigGroup | undefined;
  try {
    const envelope = common.ConfigEnvelope.deserializeBinary(configEnvelope);
    orderer = envelope.getConfig()?.getChannelGroup()?.getGroupsMap().get('Orderer');
  } catch (cause) {
    throw new ChannelConfigError('the channel configuration does not decode', { cause });
  }
  if (!orderer) throw new ChannelConfigError('the channel configuration has no Orderer group');
  const orgs: OrdererTrust['orgs'][number][] = [];
  const groups: [string, common.ConfigGroup][] = [];
  orderer.getGroupsMap().forEach((group, name) => groups.push([name, group]));
  for (const [name, group] of groups) {
    const value = group.getValuesMap().get('MSP');
    if (!value) continue;
    try {
      const mspConfig = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
      if (mspConfig.getType() !== 0) continue;
      const c = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
      orgs.push({
        mspId: c.getName(),
        rootCertsPem: c.getRootCertsList_asU8().map((b) => utf8.decode(b)),
        intermediateCertsPem: c.getIntermediateCertsList_asU8().map((b) => utf8.decode(b)),
      });
    } catch (cause) {
      throw new ChannelConfigError(`the MSP of orderer org ${name} does not decode`, { cause });
    }
  }
  if (orgs.length === 0 || orgs.every((o) => o.rootCertsPem.length === 0))
    throw new ChannelConfigError('the channel configuration names no orderer CA');
  return { orgs, fromBlock };
}
