import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Mutual TLS between a peer and its chaincode server, as Fabric's chaincode-as-a-service supports
 * it: the server presents a certificate from the organisation's TLS CA and accepts only clients
 * whose certificate that CA issued; the peer presents its own TLS certificate.
 */
export interface ChaincodeTls {
  /** The organisation's TLS CA certificate, trusted by both ends. */
  readonly caPem: string;
  /** The chaincode server's certificate (SANs must cover the address the peer dials) and key. */
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /** The peer's client certificate and key. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /**
   * The name the peer checks the server certificate against (one of its SANs) instead of the host
   * it dials: TLS server names cannot be IP addresses (RFC 6066; Node warns with DEP0123).
   */
  readonly serverName?: string;
}

/** Server-side TLS files handed to `fabric-chaincode-node server`, in a private folder. */
export interface ChaincodeTlsFiles {
  readonly args: readonly string[];
  remove(): Promise<void>;
}

/** Writes the server's key, certificate and client CA to a fresh 0700 folder (files 0600). */
export async function writeServerTlsFiles(tls: ChaincodeTls): Promise<ChaincodeTlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'creditchain-cc-tls-'));
  await chmod(dir, 0o700);
  const files = {
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    ca: join(dir, 'client-ca.crt'),
  };
  await writeFile(files.cert, tls.serverCertPem, { mode: 0o600 });
  await writeFile(files.key, tls.serverKeyPem, { mode: 0o600 });
  await writeFile(files.ca, tls.caPem, { mode: 0o600 });
  return {
    args: [
      '--chaincode-tls-cert-file',
      files.cert,
      '--chaincode-tls-key-file',
      files.key,
      '--chaincode-tls-client-cacert-file',
      files.ca,
    ],
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
