/* Test-only: a PeerTransport that calls provider apps in-process, presenting a TLS client certificate. */
import type { FastifyInstance } from 'fastify';
import {
  PeerTransportError,
  type PeerTransport,
  type SignedTransferRequest,
  type TransferPayload,
} from '../../ports/peer-transport.js';
import type { PeerCertificate } from '../../http/auth.js';
import { interpretTransferResponse } from '../transfer-response.js';

/** Routes transfers to in-process apps; `down` providers are unreachable. */
export class InjectTransport implements PeerTransport {
  readonly down = new Set<string>();
  /** Changes a payload on its way (tests of tamper detection). */
  tamper: ((payload: TransferPayload) => TransferPayload) | undefined;

  constructor(
    private readonly providers: ReadonlyMap<string, FastifyInstance>,
    /** Sets the client certificate the provider app sees. */
    private readonly present: (cert: PeerCertificate | undefined) => void,
    private readonly clientCert: PeerCertificate,
  ) {}

  async requestTransfer(providerMsp: string, signed: SignedTransferRequest): Promise<TransferPayload> {
    const app = this.providers.get(providerMsp);
    if (!app || this.down.has(providerMsp))
      throw new PeerTransportError('PROVIDER_UNAVAILABLE', `${providerMsp} is down`);
    this.present(this.clientCert);
    const res = await app.inject({
      method: 'POST',
      url: '/peer/v1/transfers',
      payload: signed as unknown as object,
    });
    const payload = interpretTransferResponse(res.statusCode, res.body);
    return this.tamper ? this.tamper(payload) : payload;
  }
}
