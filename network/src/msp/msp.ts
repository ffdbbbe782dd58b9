import { createHash, X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { serializeIdentity, verifyLowS } from '../crypto/signing.js';
import { MspConfigError, MspError } from './errors.js';
import {
  certificateFacts,
  type CertificateFacts,
  satisfiesPrincipal as roleMatches,
  type Identity,
  type MspRole,
  type Principal,
} from './identity.js';
import { LruCache } from './lru.js';
import { firstPemBlock, NODE_OUS, type NodeOU } from './pki.js';

/** One organisation's MSP as a channel configuration defines it (X.509, NodeOUs enabled). */
export interface MspDefinition {
  readonly mspId: string;
  /** Root CA certificates (PEM) of signing identities. */
  readonly rootCertsPem: readonly string[];
  /** Intermediate CA certificates (PEM), each chaining to a root. */
  readonly intermediateCertsPem?: readonly string[];
  /** Root CA certificates (PEM) of the organisation's TLS certificates. */
  readonly tlsRootCertsPem: readonly string[];
}

/** Options for {@link MspManager}. */
export interface MspManagerOptions {
  /** Maximum number of deserialised identities (and refusals) cached by their bytes; default 4096. */
  readonly cacheSize?: number;
}

/** Longest CA chain (intermediates + root) searched above a certificate. */
const MAX_CHAIN = 8;

interface TrustedMsp {
  readonly definition: MspDefinition;
  readonly roots: readonly X509Certificate[];
  readonly intermediates: readonly X509Certificate[];
  /** DER (latin1) of CA certificates that issued another CA of this MSP: identities may not hang off them. */
  readonly internalNodes: ReadonlySet<string>;
}

/** A cached verdict: the identity with its validity window, or the refusal (time-independent). */
type Verdict = { readonly identity: Identity } | { readonly error: MspError };

function parseCa(pem: string, what: string, mspId: string): X509Certificate {
  const block = firstPemBlock(pem);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(block?.der ?? pem);
  } catch (e) {
    throw new MspConfigError(`MSP ${mspId}: cannot parse ${what} certificate: ${(e as Error).message}`);
  }
  if (!cert.ca) throw new MspConfigError(`MSP ${mspId}: ${what} certificate ${cert.subject} is not a CA`);
  return cert;
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** The CA chain above `cert` ([parent, ..., root]) within `m`, or undefined when it does not chain. */
function chainAbove(cert: X509Certificate, m: TrustedMsp, depth = 0): X509Certificate[] | undefined {
  if (depth >= MAX_CHAIN) return undefined;
  for (const root of m.roots) if (signedBy(cert, root)) return [root];
  for (const inter of m.intermediates) {
    if (inter.raw.equals(cert.raw) || !signedBy(cert, inter)) continue;
    const rest = chainAbove(inter, m, depth + 1);
    if (rest) return [inter, ...rest];
  }
  return undefined;
}

function buildTrustedMsp(def: MspDefinition): TrustedMsp {
  if (def.rootCertsPem.length === 0) throw new MspConfigError(`MSP ${def.mspId} has no root certificates`);
  const roots = def.rootCertsPem.map((p) => parseCa(p, 'root CA', def.mspId));
  const intermediates = (def.intermediateCertsPem ?? []).map((p) => parseCa(p, 'intermediate CA', def.mspId));
  const partial: TrustedMsp = { definition: def, roots, intermediates, internalNodes: new Set() };
  const internalNodes = new Set<string>();
  for (const inter of intermediates) {
    const chain = chainAbove(inter, partial);
    if (!chain)
      throw new MspConfigError(`MSP ${def.mspId}: intermediate CA ${inter.subject} does not chain to a root`);
    if (chain[0]) internalNodes.add(chain[0].raw.toString('latin1'));
  }
  for (const p of def.tlsRootCertsPem) parseCa(p, 'TLS root CA', def.mspId);
  return { ...partial, internalNodes };
}

/** Fabric's `OUIDs` formatting: `[client(0A1B2C3D4E5F6071) ...]`, the hex being the certifiers identifier. */
function formatOus(ous: readonly string[], certifiersId: Buffer): string {
  const hex = certifiersId.subarray(0, 8).toString('hex').toUpperCase();
  return `[${ous.map((ou) => `${ou}(${hex})`).join(' ')}]`;
}

/**
 * The identity validator of one channel: the MSPs of its organisations, NodeOUs enabled. Deserialises
 * `SerializedIdentity` bytes into validated {@link Identity} objects as a Fabric peer does, caching
 * verdicts by bytes (bounded LRU) so per-transaction calls are cheap. Immutable: build a new manager when
 * the channel configuration changes.
 */
export class MspManager {
  private readonly msps = new Map<string, TrustedMsp>();
  private readonly cache: LruCache<string, Verdict>;

  /**
   * @param definitions the channel's MSPs.
   * @throws MspConfigError on unparsable or non-CA certificates, intermediates that do not chain to a root,
   *   or duplicate MSP IDs.
   */
  constructor(definitions: readonly MspDefinition[], options: MspManagerOptions = {}) {
    for (const def of definitions) {
      if (this.msps.has(def.mspId)) throw new MspConfigError(`MSP ${def.mspId} is defined twice`);
      this.msps.set(def.mspId, buildTrustedMsp(def));
    }
    this.cache = new LruCache(options.cacheSize ?? 4096);
  }

  /** The MSP IDs defined, in definition order. */
  get mspIds(): readonly string[] {
    return [...this.msps.keys()];
  }

  /** Whether `mspId` is defined. */
  has(mspId: string): boolean {
    return this.msps.has(mspId);
  }

  /** The definition of `mspId`, if defined. */
  definition(mspId: string): MspDefinition | undefined {
    return this.msps.get(mspId)?.definition;
  }

  /** TLS root certificates (PEM) of one MSP, or of all MSPs when `mspId` is omitted (for gRPC trust). */
  tlsRootCertsPem(mspId?: string): string[] {
    const defs = mspId === undefined ? [...this.msps.values()] : [this.msps.get(mspId)].filter((m) => !!m);
    return defs.flatMap((m) => [...m.definition.tlsRootCertsPem]);
  }

  /** Number of cached verdicts (diagnostics). */
  get cachedIdentities(): number {
    return this.cache.size;
  }

  /**
   * Deserialises and validates a `SerializedIdentity` (the creator or endorser field of Fabric messages):
   * the MSP must be defined, `id_bytes` a PEM X.509 certificate with a P-256 key that chains to one of the
   * MSP's roots (through its intermediates), is not a CA, carries exactly one NodeOU, and is valid at `at`.
   * @param serialized `msp.SerializedIdentity` bytes.
   * @param at time of the check (default now); only the validity window depends on it.
   * @throws MspError with Fabric's wording; see {@link MspError.endorserMessage} for the client answer.
   */
  deserialize(serialized: Uint8Array, at: Date = new Date()): Identity {
    const key = Buffer.from(serialized.buffer, serialized.byteOffset, serialized.byteLength).toString(
      'latin1',
    );
    let verdict = this.cache.get(key);
    if (verdict === undefined) {
      verdict = this.validate(Uint8Array.from(serialized));
      this.cache.set(key, verdict);
    }
    if ('error' in verdict) throw verdict.error;
    const { identity } = verdict;
    const t = at.getTime();
    if (t > identity.notAfter.getTime())
      throw new MspError(
        'EXPIRED',
        `identity expired: certificate expired at ${identity.notAfter.toISOString()}`,
        identity.mspId,
      );
    if (t < identity.notBefore.getTime())
      throw new MspError(
        'EXPIRED',
        `identity not yet valid: certificate valid from ${identity.notBefore.toISOString()}`,
        identity.mspId,
      );
    return identity;
  }

  /** {@link MspManager.deserialize} for a certificate PEM and MSP ID (serialises them first). */
  identityFromCert(mspId: string, certPem: string, at?: Date): Identity {
    return this.deserialize(serializeIdentity(mspId, certPem), at);
  }

  /** See {@link satisfiesPrincipal}: Fabric `MSPRole` matching for an identity this manager validated. */
  satisfiesPrincipal(identity: Identity, principal: Principal): boolean {
    return roleMatches(identity, principal);
  }

  /** Everything but the validity window, which is checked per call. */
  private validate(serialized: Uint8Array): Verdict {
    try {
      return { identity: this.validateOrThrow(serialized) };
    } catch (e) {
      if (e instanceof MspError) return { error: e };
      throw e;
    }
  }

  private validateOrThrow(serialized: Uint8Array): Identity {
    let sid: msp.SerializedIdentity;
    try {
      sid = msp.SerializedIdentity.deserializeBinary(serialized);
    } catch (e) {
      throw new MspError('MALFORMED', `could not deserialize a SerializedIdentity: ${(e as Error).message}`);
    }
    const mspId = sid.getMspid();
    const m = this.msps.get(mspId);
    if (!m) throw new MspError('UNKNOWN_MSP', `MSP ${mspId} is not defined on channel`, mspId);

    const certPem = Buffer.from(sid.getIdBytes_asU8()).toString('utf8');
    const block = firstPemBlock(certPem);
    if (!block) throw new MspError('MALFORMED', 'could not decode the PEM structure', mspId);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block.der);
    } catch (e) {
      throw new MspError('MALFORMED', `parseCertificate failed: ${(e as Error).message}`, mspId);
    }
    const publicKey = cert.publicKey;
    if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new MspError(
        'MALFORMED',
        "failed to import certificate's public key: only ECDSA P-256 identities are supported",
        mspId,
      );

    const chain = chainAbove(cert, m);
    if (!chain)
      throw new MspError(
        'UNTRUSTED',
        'the supplied identity is not valid: x509: certificate signed by unknown authority',
        mspId,
      );
    const certifiersId = createHash('sha256')
      .update(Buffer.concat(chain.map((c) => c.raw)))
      .digest();

    // identity.Validate(): from here on Fabric answers "creator org [<MSP>]".
    if (cert.ca)
      throw new MspError(
        'UNTRUSTED',
        'could not obtain certification chain: An X509 certificate with Basic Constraint: Certificate Authority equals true cannot be used as an identity',
        mspId,
        'validate',
      );
    if (chain[0] && m.internalNodes.has(chain[0].raw.toString('latin1')))
      throw new MspError(
        'UNTRUSTED',
        'could not obtain certification chain: failed getting validation chain: invalid validation chain. Parent certificate should be a leaf of the certification tree',
        mspId,
        'validate',
      );

    let facts: CertificateFacts;
    try {
      facts = certificateFacts(block.der);
    } catch (e) {
      throw new MspError('MALFORMED', `parseCertificate failed: ${(e as Error).message}`, mspId);
    }
    const nodeOUs = facts.ous.filter((ou): ou is NodeOU => (NODE_OUS as readonly string[]).includes(ou));
    const nodeOU = nodeOUs[0];
    if (nodeOUs.length !== 1 || nodeOU === undefined)
      throw new MspError(
        'NO_NODE_OU',
        `could not validate identity's OUs: the identity must be a client, a peer, an orderer or an admin identity to be valid, not a combination of them. OUs: ${formatOus(facts.ous, certifiersId)}, MSP: [${mspId}]`,
        mspId,
      );

    const roles: ReadonlySet<MspRole> = new Set<MspRole>(['member', nodeOU]);
    return Object.freeze({
      mspId,
      certPem,
      certificate: cert,
      publicKey,
      ous: Object.freeze(facts.ous),
      nodeOU,
      roles,
      id: facts.id,
      attrs: Object.freeze(facts.attrs),
      serialized,
      notBefore: new Date(cert.validFrom),
      notAfter: new Date(cert.validTo),
      verify: (message: Uint8Array, signature: Uint8Array) => verifyLowS(publicKey, message, signature),
    });
  }
}
