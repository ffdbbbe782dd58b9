import { Object as DataType, Property } from 'fabric-contract-api';

/*
 * Schemas of the records the contract stores and returns, as `org.hyperledger.fabric:GetMetadata`
 * publishes them. Code uses the plain-object types of `model.ts` derived from these classes.
 */

@DataType()
export class Alliance {
  @Property('code', 'string') code!: string;
  @Property('name', 'string') name!: string;
}

@DataType()
export class OrganisationConfig {
  @Property('mspId', 'string') mspId!: string;
  /** Alliance code; null for organisations outside the alliances (a national regulator). */
  @Property('alliance', 'string') alliance!: string | null;
  @Property('kind', 'string') kind!: 'member' | 'regulator';
  /** Purpose codes that match the organisation's business (used to flag mismatching requests). */
  @Property('businessPurposes', 'string[]') businessPurposes!: string[];
}

@DataType()
export class Category {
  @Property('code', 'string') code!: string;
  @Property('name', 'string') name!: string;
  /** Adverse information (warnings, defaults) expires `retentionYears` after the adverse event ends. */
  @Property('adverse', 'boolean') adverse!: boolean;
  @Property('retentionYears', 'number') retentionYears!: number | null;
  @Property('schemaVersions', 'string[]') schemaVersions!: string[];
}

@DataType()
export class Purpose {
  @Property('code', 'string') code!: string;
  @Property('name', 'string') name!: string;
  /** Supervisory purposes may be used by regulators only, and only without consent. */
  @Property('supervisory', 'boolean') supervisory!: boolean;
}

@DataType()
export class ConsortiumConfig {
  @Property('adminMsps', 'string[]') adminMsps!: string[];
  @Property('alliances', 'Alliance[]') alliances!: Alliance[];
  @Property('organisations', 'OrganisationConfig[]') organisations!: OrganisationConfig[];
  @Property('categories', 'Category[]') categories!: Category[];
  @Property('purposes', 'Purpose[]') purposes!: Purpose[];
  @Property('version', 'number') version!: number;
  @Property('updatedAt', 'string') updatedAt!: string;
  @Property('updatedTx', 'string') updatedTx!: string;
}

@DataType()
export class Actor {
  @Property('mspId', 'string') mspId!: string;
  @Property('institution', 'string') institution!: string | null;
  /** The certificate's subject and issuer as `ctx.clientIdentity.getID()` renders them. */
  @Property('id', 'string') id!: string;
}

@DataType()
export class Party {
  @Property('mspId', 'string') mspId!: string;
  @Property('institution', 'string') institution!: string;
}

@DataType()
export class OrgKey {
  @Property('keyId', 'string') keyId!: string;
  /** HPKE suite, e.g. `DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM`. */
  @Property('suite', 'string') suite!: string;
  /** Base64 of the serialised KEM public key. */
  @Property('publicKey', 'string') publicKey!: string;
  @Property('status', 'string') status!: 'active' | 'retired';
  @Property('publishedAt', 'string') publishedAt!: string;
  @Property('publishedTx', 'string') publishedTx!: string;
  @Property('retiredAt', 'string') retiredAt!: string | null;
}

@DataType()
export class OrgProfile {
  @Property('mspId', 'string') mspId!: string;
  @Property('activeKeyId', 'string') activeKeyId!: string;
  @Property('keys', 'OrgKey[]') keys!: OrgKey[];
}

@DataType()
export class SubjectSigner {
  /** Checksummed Ethereum address. */
  @Property('address', 'string') address!: string;
  @Property('status', 'string') status!: 'active' | 'rotated' | 'revoked';
  @Property('registeredAt', 'string') registeredAt!: string;
  @Property('registeredTx', 'string') registeredTx!: string;
  @Property('registeredBy', 'Party') registeredBy!: Party;
  @Property('retiredAt', 'string') retiredAt!: string | null;
}

@DataType()
export class Subject {
  /** Keyed hash of the subject's USCC, computed by gateways; never the code itself. */
  @Property('subjectRef', 'string') subjectRef!: string;
  @Property('activeSigner', 'string') activeSigner!: string | null;
  @Property('signers', 'SubjectSigner[]') signers!: SubjectSigner[];
}

@DataType()
export class Erasure {
  @Property('reason', 'string') reason!: string;
  @Property('at', 'string') at!: string;
  @Property('tx', 'string') tx!: string;
  @Property('by', 'Actor') by!: Actor;
}

@DataType()
export class Report {
  @Property('reportId', 'string') reportId!: string;
  @Property('subjectRef', 'string') subjectRef!: string;
  @Property('category', 'string') category!: string;
  @Property('schemaVersion', 'string') schemaVersion!: string;
  /** Hex SHA-256 of the stored ciphertext. */
  @Property('ciphertextHash', 'string') ciphertextHash!: string;
  /** Hex salted commitment to the canonical plaintext. */
  @Property('commitment', 'string') commitment!: string;
  @Property('sizeBucket', 'string') sizeBucket!: string;
  @Property('eventEndDate', 'string') eventEndDate!: string | null;
  /** First day on which the report is past its retention period; null when it does not expire. */
  @Property('expiresOn', 'string') expiresOn!: string | null;
  @Property('supersedes', 'string') supersedes!: string | null;
  @Property('supersededBy', 'string') supersededBy!: string | null;
  @Property('provider', 'Party') provider!: Party;
  @Property('submittedBy', 'Actor') submittedBy!: Actor;
  @Property('submittedAt', 'string') submittedAt!: string;
  @Property('submitTx', 'string') submitTx!: string;
  @Property('status', 'string') status!: 'active' | 'superseded' | 'erased';
  @Property('erasure', 'Erasure') erasure!: Erasure | null;
}

@DataType()
export class ConsentRevocation {
  @Property('at', 'string') at!: string;
  @Property('tx', 'string') tx!: string;
  @Property('by', 'string') by!: 'subject' | 'grantee';
}

@DataType()
export class Consent {
  /** EIP-712 digest of the signed message (hex, no 0x). */
  @Property('consentId', 'string') consentId!: string;
  @Property('subjectRef', 'string') subjectRef!: string;
  @Property('signer', 'string') signer!: string;
  @Property('grantee', 'Party') grantee!: Party;
  @Property('categories', 'string[]') categories!: string[];
  @Property('purpose', 'string') purpose!: string;
  /** Unix seconds. */
  @Property('notBefore', 'number') notBefore!: number;
  @Property('notAfter', 'number') notAfter!: number;
  @Property('maxUses', 'number') maxUses!: number;
  @Property('uses', 'number') uses!: number;
  @Property('nonce', 'string') nonce!: string;
  @Property('signature', 'string') signature!: string;
  @Property('status', 'string') status!: 'active' | 'revoked';
  @Property('recordedAt', 'string') recordedAt!: string;
  @Property('recordedTx', 'string') recordedTx!: string;
  @Property('recordedBy', 'Actor') recordedBy!: Actor;
  @Property('revocation', 'ConsentRevocation') revocation!: ConsentRevocation | null;
}

@DataType()
export class Delivery {
  @Property('at', 'string') at!: string;
  @Property('tx', 'string') tx!: string;
  @Property('by', 'Actor') by!: Actor;
}

@DataType()
export class Receipt {
  /** Transaction id of the transaction that wrote the receipt. */
  @Property('receiptId', 'string') receiptId!: string;
  /** The requester's own id for the request (idempotency key, unique per requester MSP). */
  @Property('requestId', 'string') requestId!: string;
  @Property('reportId', 'string') reportId!: string;
  @Property('consentId', 'string') consentId!: string | null;
  @Property('purpose', 'string') purpose!: string;
  @Property('requester', 'Actor') requester!: Actor;
  @Property('provider', 'Party') provider!: Party | null;
  @Property('subjectRef', 'string') subjectRef!: string | null;
  @Property('category', 'string') category!: string | null;
  @Property('outcome', 'string') outcome!: 'granted' | 'denied';
  /** `CONSENT` or `SUPERVISORY` when granted; a denial reason code otherwise. */
  @Property('reason', 'string') reason!: string;
  @Property('supervisory', 'boolean') supervisory!: boolean;
  @Property('caseReference', 'string') caseReference!: string | null;
  /** Which use of the consent this grant consumed (1-based); null when not granted under consent. */
  @Property('useNumber', 'number') useNumber!: number | null;
  @Property('requestedAt', 'string') requestedAt!: string;
  @Property('delivery', 'Delivery') delivery!: Delivery | null;
}

@DataType()
export class TrailEntry {
  @Property('reportId', 'string') reportId!: string;
  /** SUBMITTED, CORRECTED, SUPERSEDED, ACCESS_GRANTED, ACCESS_DENIED, DELIVERED or ERASED. */
  @Property('kind', 'string') kind!: string;
  @Property('txId', 'string') txId!: string;
  @Property('timestamp', 'string') timestamp!: string;
  @Property('actor', 'Actor') actor!: Actor;
  @Property('receiptId', 'string') receiptId!: string | null;
  @Property('relatedReportId', 'string') relatedReportId!: string | null;
  @Property('purpose', 'string') purpose!: string | null;
  @Property('reason', 'string') reason!: string | null;
  @Property('supervisory', 'boolean') supervisory!: boolean;
}

@DataType()
export class ReportPage {
  @Property('records', 'Report[]') records!: Report[];
  @Property('bookmark', 'string') bookmark!: string;
  @Property('fetchedCount', 'number') fetchedCount!: number;
}

@DataType()
export class ConsentPage {
  @Property('records', 'Consent[]') records!: Consent[];
  @Property('bookmark', 'string') bookmark!: string;
  @Property('fetchedCount', 'number') fetchedCount!: number;
}

@DataType()
export class ReceiptPage {
  @Property('records', 'Receipt[]') records!: Receipt[];
  @Property('bookmark', 'string') bookmark!: string;
  @Property('fetchedCount', 'number') fetchedCount!: number;
}

@DataType()
export class TrailPage {
  @Property('records', 'TrailEntry[]') records!: TrailEntry[];
  @Property('bookmark', 'string') bookmark!: string;
  @Property('fetchedCount', 'number') fetchedCount!: number;
}

@DataType()
export class UsageLine {
  /** `requester` (the member asked for reports) or `provider` (its reports were asked for). */
  @Property('role', 'string') role!: 'requester' | 'provider';
  @Property('institution', 'string') institution!: string;
  @Property('category', 'string') category!: string;
  @Property('purpose', 'string') purpose!: string;
  @Property('granted', 'number') granted!: number;
  @Property('denied', 'number') denied!: number;
  @Property('delivered', 'number') delivered!: number;
  @Property('supervisory', 'number') supervisory!: number;
}

@DataType()
export class UsageTotals {
  @Property('role', 'string') role!: 'requester' | 'provider';
  @Property('receipts', 'number') receipts!: number;
  @Property('granted', 'number') granted!: number;
  @Property('denied', 'number') denied!: number;
  @Property('delivered', 'number') delivered!: number;
  @Property('supervisory', 'number') supervisory!: number;
}

@DataType()
export class UsageStatement {
  @Property('mspId', 'string') mspId!: string;
  /** Inclusive first day, `YYYY-MM-DD`. */
  @Property('from', 'string') from!: string;
  /** Exclusive last day, `YYYY-MM-DD`. */
  @Property('to', 'string') to!: string;
  @Property('lines', 'UsageLine[]') lines!: UsageLine[];
  @Property('totals', 'UsageTotals[]') totals!: UsageTotals[];
  @Property('receiptCount', 'number') receiptCount!: number;
  @Property('receiptIds', 'string[]') receiptIds!: string[];
}
