/* How a requester reads a provider gateway's answer, whatever carried it. */
import { PeerTransportError, type TransferPayload } from '../ports/peer-transport.js';

function isPayload(value: unknown): value is TransferPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const w = v.wrappedKey as Record<string, unknown> | undefined;
  return (
    typeof v.reportId === 'string' &&
    typeof v.receiptId === 'string' &&
    typeof v.ciphertext === 'string' &&
    typeof v.salt === 'string' &&
    typeof w === 'object' &&
    typeof w.enc === 'string' &&
    typeof w.ciphertext === 'string' &&
    typeof w.keyId === 'string'
  );
}

/**
 * The payload of a `200`, or the {@link PeerTransportError} for anything else: a 5xx or a problem
 * marked retryable is `PROVIDER_UNAVAILABLE`, another problem `PROVIDER_REFUSED` with its code.
 */
export function interpretTransferResponse(status: number, body: string): TransferPayload {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  if (status === 200) {
    if (isPayload(json)) return json;
    throw new PeerTransportError('PROVIDER_REFUSED', 'the provider answered with a malformed payload', {
      providerCode: 'BAD_RESPONSE',
    });
  }
  const problem = (typeof json === 'object' && json !== null ? json : {}) as {
    code?: unknown;
    retryable?: unknown;
  };
  const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
  if (status >= 500 || problem.retryable === true)
    throw new PeerTransportError(
      'PROVIDER_UNAVAILABLE',
      `the provider could not serve the transfer (${code})`,
      {
        providerCode: code,
      },
    );
  throw new PeerTransportError('PROVIDER_REFUSED', `the provider refused the transfer (${code})`, {
    providerCode: code,
  });
}
