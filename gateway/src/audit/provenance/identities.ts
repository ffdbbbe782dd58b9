/*
 * Identities of the channel as a Fabric peer validates them (`msp/mspimpl.go`, NodeOUs enabled):
 * an X.509 certificate with a P-256 key chaining to a root of its organisation's MSP, not a CA,
 * with exactly one NodeOU, valid at the time it signed; ECDSA signatures with low S.
 */
import { verify, X509Certificate, type KeyObject } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import * as asn1js from 'asn1js';
import type { ConfigOrg, OrgKind } from './channel-config.js';

/** Fabric's NodeOU roles. */
export type NodeOU = 'client' | 'peer' | 'admin' | 'orderer';

const NODE_OUS: readonly string[] = ['client', 'peer', 'admin', 'orderer'] satisfies NodeOU[];

/** Order of the P-256 group: Fabric refuses signatures whose S is above half of it. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/** Longest CA chain searched above a certificate. */
const MAX_CHAIN = 8;

/** A validated channel identity. */
export interface ChannelIdentity {
  readonly mspId: string;
  readonly kind: OrgKind;
  readonly nodeOU: NodeOU;
  /** Subject common name, for reports. */
  readonly name: string;
  /** Distinguishes identities (MSP ID and certificate DER). */
  readonly key: string;
  /** Verifies a DER ECDSA signature over SHA-256 of `message`, refusing high S. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** The S value of a DER `ECDSA-Sig-Value`, or `undefined` when it is not one. */
function signatureS(signature: Uint8Array): bigint | undefined {
  const parsed = asn1js.fromBER(Uint8Array.from(signature));
  if (parsed.offset !== signature.length) return undefined;
  const seq = parsed.result;
  if (!(seq instanceof asn1js.Sequence) || seq.valueBlock.value.length !== 2) return undefined;
  const [r, s] = seq.valueBlock.value;
  if (!(r instanceof asn1js.Integer) || !(s instanceof asn1js.Integer)) return undefined;
  return s.toBigInt();
}

/** Fabric's ECDSA check: SHA-256, DER, P-256, `0 < S <= n/2`. */
export function verifyEcdsaLowS(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  const s = signatureS(signature);
  if (s === undefined || s <= 0n || s > HALF_ORDER) return false;
  try {
    return verify('sha256', message, key, signature);
  } catch {
    return false;
  }
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validAt(cert: X509Certificate, at: Date | undefined): boolean {
  if (at === undefined) return true;
  const t = at.getTime();
  return t >= Date.parse(cert.validFrom) && t <= Date.parse(cert.validTo);
}

function chainToRoot(cert: X509Certificate, org: ConfigOrg, at: Date | undefined, depth = 0): boolean {
  if (depth >= MAX_CHAIN) return false;
  if (org.rootCerts.some((root) => signedBy(cert, root) && validAt(root, at))) return true;
  return org.intermediateCerts.some(
    (inter) =>
      !inter.raw.equals(cert.raw) &&
      signedBy(cert, inter) &&
      validAt(inter, at) &&
      chainToRoot(inter, org, at, depth + 1),
  );
}

/** Every value of a subject attribute (`OU`, `CN`), in order. */
function subjectField(cert: X509Certificate, field: string): string[] {
  const value = (cert.toLegacyObject().subject as unknown as Record<string, string | string[] | undefined>)[
    field
  ];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Why an identity is refused. */
export class IdentityError extends Error {
  override readonly name = IdentityError.name;
}

/**
 * Whether every root of `org` is one of `trusted`, or is issued and signed by one of them: the
 * caller's roots are the trust anchor, the configuration's are only claims until they match.
 */
export function anchoredIn(org: ConfigOrg, trusted: readonly X509Certificate[]): boolean {
  return org.rootCerts.every((root) =>
    trusted.some((anchor) => anchor.raw.equals(root.raw) || signedBy(root, anchor)),
  );
}

/** The channel's MSPs: validates serialized identities of its organisations. */
export class ChannelIdentities {
  readonly #orgs: ReadonlyMap<string, ConfigOrg>;

  constructor(orgs: readonly ConfigOrg[]) {
    this.#orgs = new Map(orgs.map((o) => [o.mspId, o]));
  }

  /**
   * Validates `msp.SerializedIdentity` bytes as of `at` (the time it signed; `undefined` skips the
   * validity windows).
   *
   * @throws {@link IdentityError} saying why the identity is not valid
   */
  identity(serialized: Uint8Array, at: Date | undefined): ChannelIdentity {
    let mspId: string;
    let cert: X509Certificate;
    try {
      const sid = msp.SerializedIdentity.deserializeBinary(serialized);
      mspId = sid.getMspid();
      cert = new X509Certificate(Buffer.from(sid.getIdBytes_asU8()));
    } catch {
      throw new IdentityError('not a serialized X.509 identity');
    }
    const org = this.#orgs.get(mspId);
    if (!org) throw new IdentityError(`MSP ${mspId} is not an organisation of the channel`);
    const key = cert.publicKey;
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new IdentityError(`${mspId} identity does not have a P-256 key`);
    if (cert.ca) throw new IdentityError(`${mspId} identity is a CA certificate`);
    if (!chainToRoot(cert, org, at))
      throw new IdentityError(`${mspId} identity does not chain to a root of ${mspId}`);
    if (!validAt(cert, at))
      throw new IdentityError(`${mspId} identity was not valid at ${at?.toISOString() ?? ''}`);
    const ous = subjectField(cert, 'OU').filter((ou) => NODE_OUS.includes(ou));
    const nodeOU = ous[0] as NodeOU | undefined;
    if (ous.length !== 1 || nodeOU === undefined)
      throw new IdentityError(`${mspId} identity does not have exactly one NodeOU`);
    return {
      mspId,
      kind: org.kind,
      nodeOU,
      name: subjectField(cert, 'CN')[0] ?? '',
      key: `${mspId}\u0000${cert.raw.toString('base64')}`,
      verify: (message, signature) => verifyEcdsaLowS(key, message, signature),
    };
  }
}
