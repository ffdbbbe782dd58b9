/*
 * Transfer requests signed by the requesting officer: the requester gateway signs with the
 * officer's own enrolment key (from the wallet); the provider checks the certificate against the
 * requester organisation's CA, the signature over the canonical JSON of the request, and that the
 * certificate is the identity the ledger recorded as the receipt's requester.
 */
import { createPrivateKey, randomBytes, sign, verify, type X509Certificate } from 'node:crypto';
import { canonicalBytes } from '../crypto/canonical.js';
import type { SignedTransferRequest, TransferRequest } from '../ports/peer-transport.js';
import type { Identity } from '../wallet/wallet.js';
import { commonNameOf, issuedByAny, issuerCommonNameOf, parseCertificate } from './certificates.js';

/** Why a signed request is refused. */
export type RequestCheckFailure = 'MALFORMED' | 'SIGNATURE_INVALID' | 'REQUEST_EXPIRED';

const HEX64 = /^[0-9a-f]{64}$/;
const NONCE = /^[0-9a-f]{32}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;
const MSP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Builds and signs a transfer request as `identity`. */
export function signTransferRequest(
  identity: Identity,
  fields: Omit<TransferRequest, 'v' | 'nonce' | 'issuedAt'>,
  now: Date,
): SignedTransferRequest {
  const request: TransferRequest = {
    v: 1,
    ...fields,
    nonce: randomBytes(16).toString('hex'),
    issuedAt: now.toISOString(),
  };
  const signature = sign('sha256', canonicalBytes(request), createPrivateKey(identity.privateKeyPem));
  return { request, signerCertPem: identity.certPem, signature: signature.toString('base64') };
}

/** Whether `value` has the shape of a transfer request (every field, nothing else). */
export function isTransferRequest(value: unknown): value is TransferRequest {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const keys = Object.keys(r).sort().join(',');
  return (
    keys === 'issuedAt,nonce,providerMsp,receiptId,reportId,requestId,requesterMsp,v' &&
    r.v === 1 &&
    typeof r.requesterMsp === 'string' &&
    MSP.test(r.requesterMsp) &&
    typeof r.providerMsp === 'string' &&
    MSP.test(r.providerMsp) &&
    typeof r.requestId === 'string' &&
    ID.test(r.requestId) &&
    typeof r.receiptId === 'string' &&
    HEX64.test(r.receiptId) &&
    typeof r.reportId === 'string' &&
    ID.test(r.reportId) &&
    typeof r.nonce === 'string' &&
    NONCE.test(r.nonce) &&
    typeof r.issuedAt === 'string' &&
    !Number.isNaN(Date.parse(r.issuedAt))
  );
}

/** The outcome of {@link checkTransferRequest}. */
export type RequestCheck =
  | { readonly ok: true; readonly signer: X509Certificate }
  | { readonly ok: false; readonly failure: RequestCheckFailure };

/**
 * Checks a signed request: shape, signer certificate issued by one of `signingCas` and valid now,
 * signature, and `issuedAt` within `maxSkewMs` of `now`.
 */
export function checkTransferRequest(
  signed: SignedTransferRequest,
  signingCas: readonly X509Certificate[],
  now: Date,
  maxSkewMs: number,
): RequestCheck {
  if (
    !isTransferRequest(signed.request) ||
    typeof signed.signature !== 'string' ||
    typeof signed.signerCertPem !== 'string'
  )
    return { ok: false, failure: 'MALFORMED' };
  const cert = parseCertificate(signed.signerCertPem);
  if (!cert || !issuedByAny(cert, signingCas, now)) return { ok: false, failure: 'SIGNATURE_INVALID' };
  let valid = false;
  try {
    valid = verify(
      'sha256',
      canonicalBytes(signed.request),
      cert.publicKey,
      Buffer.from(signed.signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, failure: 'SIGNATURE_INVALID' };
  if (Math.abs(now.getTime() - Date.parse(signed.request.issuedAt)) > maxSkewMs)
    return { ok: false, failure: 'REQUEST_EXPIRED' };
  return { ok: true, signer: cert };
}

/**
 * Whether `cert` is the identity Fabric recorded as `actorId` (`x509::<subject DN>::<issuer DN>`,
 * as fabric-shim's `ClientIdentity.getID()` renders it): same subject and issuer common names.
 */
export function isActor(cert: X509Certificate, actorId: string): boolean {
  const [scheme, subject, issuer] = actorId.split('::');
  const cn = commonNameOf(cert);
  const issuerCn = issuerCommonNameOf(cert);
  if (scheme !== 'x509' || subject === undefined || issuer === undefined || !cn || !issuerCn) return false;
  const has = (dn: string, value: string) => dn.split('/').includes(`CN=${value.replaceAll('/', '\\/')}`);
  return has(subject, cn) && has(issuer, issuerCn);
}
