/*
 * A report's data key wrapped to the organisation's own HPKE key, as kept in the vault. There is no
 * access receipt for the provider's own copy, so the wrap is bound to the reserved all-zero receipt
 * id: real receipt ids are transaction ids (SHA-256 outputs), so a self-wrap can never be replayed
 * as a delivery, nor a delivery as a self-wrap.
 */
import { decodeBase64, encodeBase64 } from '../crypto/bytes.js';
import { unwrapDataKey, wrapDataKey } from '../crypto/hpke.js';
import { openReport } from '../crypto/payload.js';
import { KeyStoreError, type KeyStore } from '../ports/key-store.js';
import type { ActiveReport, WrappedKey } from '../vault/types.js';
import { ServiceError } from './errors.js';

/** The receipt id self-wraps are bound to. */
export const SELF_RECEIPT_ID = '0'.repeat(64);

/** Wraps `dataKey` of `reportId` to the organisation's active key. */
export async function wrapToSelf(keys: KeyStore, reportId: string, dataKey: Uint8Array): Promise<WrappedKey> {
  let active;
  try {
    active = await keys.activeKey();
  } catch (cause) {
    throw new ServiceError('KEY_UNAVAILABLE', 'this gateway has no active organisation key', { cause });
  }
  const wrapped = await wrapDataKey({
    dataKey,
    recipientPublicKey: active.publicKey,
    keyId: active.keyId,
    reportId,
    receiptId: SELF_RECEIPT_ID,
  });
  return {
    keyId: wrapped.keyId,
    enc: decodeBase64(wrapped.enc) ?? new Uint8Array(),
    ciphertext: decodeBase64(wrapped.ciphertext) ?? new Uint8Array(),
  };
}

/** Unwraps the data key of a stored report with the organisation's key it was wrapped to. */
export async function dataKeyOf(keys: KeyStore, report: ActiveReport): Promise<Uint8Array> {
  const { keyId } = report.wrappedKey;
  let privateKey: Uint8Array | undefined;
  try {
    privateKey = await keys.privateKey(keyId);
  } catch (cause) {
    if (!(cause instanceof KeyStoreError)) throw cause;
    privateKey = undefined;
  }
  if (!privateKey)
    throw new ServiceError(
      'KEY_UNAVAILABLE',
      `the organisation key ${keyId} of report ${report.reportId} is not available`,
    );
  try {
    return await unwrapDataKey(
      {
        keyId,
        enc: encodeBase64(report.wrappedKey.enc),
        ciphertext: encodeBase64(report.wrappedKey.ciphertext),
      },
      privateKey,
      { reportId: report.reportId, receiptId: SELF_RECEIPT_ID },
    );
  } catch (cause) {
    throw new ServiceError(
      'INTEGRITY_FAILURE',
      `the stored data key of report ${report.reportId} does not open`,
      {
        cause,
      },
    );
  } finally {
    privateKey.fill(0);
  }
}

/** Decrypts a stored report to its canonical plaintext bytes. */
export async function openStored(keys: KeyStore, report: ActiveReport): Promise<Uint8Array> {
  const dataKey = await dataKeyOf(keys, report);
  try {
    return openReport({ ciphertext: report.ciphertext, dataKey });
  } catch (cause) {
    throw new ServiceError(
      'INTEGRITY_FAILURE',
      `the stored ciphertext of report ${report.reportId} does not open`,
      {
        cause,
      },
    );
  } finally {
    dataKey.fill(0);
  }
}
