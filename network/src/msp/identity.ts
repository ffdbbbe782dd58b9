import type { KeyObject, X509Certificate } from 'node:crypto';
import { readTbs, type DnAttribute } from './der.js';
import { decodeFabricAttrs, FABRIC_ATTRS_OID, type NodeOU } from './pki.js';

/** A role an identity can hold in its MSP: every valid identity is a `member`, plus its NodeOU. */
export type MspRole = 'member' | NodeOU;

/** An MSP principal in Fabric's `MSPRole` form (`'Org1MSP.peer'` in the policy DSL). */
export interface Principal {
  readonly mspId: string;
  readonly role: MspRole;
}

/** A creator/endorser identity validated against its MSP (see `MspManager.deserialize`). */
export interface Identity {
  /** The MSP the identity belongs to. */
  readonly mspId: string;
  /** The certificate PEM as carried in `SerializedIdentity.id_bytes`. */
  readonly certPem: string;
  /** The certificate as node:crypto parses it. */
  readonly certificate: X509Certificate;
  /** The certificate's public key (EC P-256). */
  readonly publicKey: KeyObject;
  /** Every `OU` of the certificate subject, in order (the NodeOU and, with Fabric CA, affiliations). */
  readonly ous: readonly string[];
  /** The identity's single NodeOU. */
  readonly nodeOU: NodeOU;
  /** `member` plus the NodeOU. */
  readonly roles: ReadonlySet<MspRole>;
  /** fabric-shim's `ClientIdentity.getID()`: `x509::/C=US/.../CN=<cn>::/C=US/.../CN=<ca cn>`. */
  readonly id: string;
  /** Fabric CA attributes (extension 1.2.3.4.5.6.7.8.1), empty when the certificate has none. */
  readonly attrs: Readonly<Record<string, string>>;
  /** The `SerializedIdentity` bytes this identity was read from. */
  readonly serialized: Uint8Array;
  /** Start of the certificate's validity. */
  readonly notBefore: Date;
  /** End of the certificate's validity. */
  readonly notAfter: Date;
  /** Verifies a DER ECDSA signature over SHA-256(`message`), refusing high-S signatures as Fabric does. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * Whether `identity` satisfies `principal` with Fabric's `MSPRole` semantics (NodeOUs enabled): the MSP IDs
 * must match; `member` is any valid identity of that MSP; `admin`, `client`, `peer` and `orderer` require
 * that NodeOU.
 */
export function satisfiesPrincipal(identity: Identity, principal: Principal): boolean {
  return identity.mspId === principal.mspId && identity.roles.has(principal.role);
}

/** Short names fabric-shim's certificate parser (@fidm/x509) gives attribute types; others print as ''. */
const FIDM_SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['1.2.840.113549.1.9.1', 'E'],
]);

const OU_OID = '2.5.4.11';

/**
 * A distinguished name as fabric-shim's `ClientIdentity` formats it: `/<short>=<value>` per attribute in
 * certificate order, with the first `/` of each value escaped (fabric-shim's `String.replace` quirk).
 */
function formatDnLikeFabricShim(dn: readonly DnAttribute[]): string {
  return dn.map((a) => `/${FIDM_SHORT_NAMES.get(a.oid) ?? ''}=${a.value.replace('/', '\\/')}`).join('');
}

/** The facts the MSP needs from a certificate besides what node:crypto exposes. */
export interface CertificateFacts {
  /** Subject OUs in order. */
  readonly ous: string[];
  /** fabric-shim `getID()` string. */
  readonly id: string;
  /** Fabric CA attributes; empty when absent or not `{"attrs":{...}}` JSON (Fabric's MSP ignores them). */
  readonly attrs: Record<string, string>;
}

/**
 * Reads subject OUs, the fabric-shim ID and the Fabric CA attributes of a DER certificate.
 * @throws DerError when the certificate structure cannot be read.
 */
export function certificateFacts(der: Uint8Array): CertificateFacts {
  const tbs = readTbs(der);
  const ext = tbs.extensions.get(FABRIC_ATTRS_OID);
  return {
    ous: tbs.subject.filter((a) => a.oid === OU_OID).map((a) => a.value),
    id: `x509::${formatDnLikeFabricShim(tbs.subject)}::${formatDnLikeFabricShim(tbs.issuer)}`,
    attrs: (ext ? decodeFabricAttrs(ext) : undefined) ?? {},
  };
}
