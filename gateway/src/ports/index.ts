/**
 * The gateway's ports: what its domain services need from the outside world.
 *
 * @packageDocumentation
 */
export { ManualClock, systemClock, type Clock } from './clock.js';
export { KeyStoreError, type KeyStore, type KeyStoreErrorCode, type OrgPublicKey } from './key-store.js';
export type {
  AccessRequestInput,
  DeliveryInput,
  Ledger,
  LedgerUser,
  PageRequest,
  ReportAnchorInput,
} from './ledger.js';
export {
  LedgerError,
  type ContractErrorCode,
  type LedgerErrorCode,
  type LedgerErrorOptions,
} from './ledger-error.js';
export type {
  Committed,
  LedgerConsent,
  LedgerConsortium,
  LedgerOrgProfile,
  LedgerPage,
  LedgerReceipt,
  LedgerReport,
  LedgerSubject,
  TxCommitStatus,
} from './ledger-records.js';
export {
  PeerTransportError,
  type PeerTransport,
  type PeerTransportErrorCode,
  type SignedTransferRequest,
  type TransferPayload,
  type TransferRequest,
} from './peer-transport.js';
