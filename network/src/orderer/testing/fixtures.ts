import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect polyfill loaded first
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import * as x509 from '@peculiar/x509';
import { signingIdentity, type SigningIdentity } from '../../crypto/signing.js';
import type { ChannelSpec } from '../channel-group.js';

/*
 * Test-only certificate material (self-signed P-256 CAs and NodeOU leaf certificates), minted with
 * @peculiar/x509 so the orderer tests do not depend on the msp module.
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A test organization: its CA and TLS CA, and a way to mint signing identities. */
export interface TestOrg {
  readonly mspId: string;
  readonly caCertPem: string;
  readonly tlsCaCertPem: string;
  issue(commonName: string, ou: 'client' | 'peer' | 'admin' | 'orderer'): Promise<SigningIdentity>;
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
}

async function selfSignedCa(
  name: string,
): Promise<{ cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert, keys };
}

/** Creates a test organization with a CA and a TLS CA. */
export async function makeOrg(mspId: string): Promise<TestOrg> {
  const ca = await selfSignedCa(`CN=ca.${mspId.toLowerCase()}`);
  const tls = await selfSignedCa(`CN=tlsca.${mspId.toLowerCase()}`);
  let serial = 1;
  return {
    mspId,
    caCertPem: ca.cert.toString('pem'),
    tlsCaCertPem: tls.cert.toString('pem'),
    async issue(commonName, ou) {
      const keys = await keyPair();
      serial += 1;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial.toString(16).padStart(2, '0'),
        subject: `CN=${commonName}, OU=${ou}`,
        issuer: ca.cert.subject,
        publicKey: keys.publicKey,
        signingKey: ca.keys.privateKey,
        signingAlgorithm: ALG,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 24 * 3600_000),
      });
      const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
      const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64')}\n-----END PRIVATE KEY-----\n`;
      return signingIdentity(mspId, cert.toString('pem'), keyPem);
    },
  };
}

/** A two-org channel like test-network's, with its orderer signing identity. */
export interface TestChannel {
  readonly spec: ChannelSpec;
  readonly ordererOrg: TestOrg;
  readonly org1: TestOrg;
  readonly org2: TestOrg;
  readonly ordererSigner: SigningIdentity;
}

/** Builds the material and spec of a `mychannel` with OrdererMSP, Org1MSP and Org2MSP. */
export async function makeTestChannel(batch: Partial<ChannelSpec['batch']> = {}): Promise<TestChannel> {
  const [ordererOrg, org1, org2] = await Promise.all([
    makeOrg('OrdererMSP'),
    makeOrg('Org1MSP'),
    makeOrg('Org2MSP'),
  ]);
  const ordererSigner = await ordererOrg.issue('orderer.example.com', 'orderer');
  const spec: ChannelSpec = {
    channelId: 'mychannel',
    ordererOrg: {
      name: 'OrdererOrg',
      mspId: ordererOrg.mspId,
      rootCertsPem: [ordererOrg.caCertPem],
      tlsRootCertsPem: [ordererOrg.tlsCaCertPem],
      addresses: ['orderer.example.com:7050'],
    },
    applicationOrgs: [org1, org2].map((o, i) => ({
      mspId: o.mspId,
      rootCertsPem: [o.caCertPem],
      tlsRootCertsPem: [o.tlsCaCertPem],
      anchorPeers: [{ host: `peer0.org${i + 1}.example.com`, port: 7051 + 2000 * i }],
    })),
    batch: {
      maxMessageCount: 10,
      absoluteMaxBytes: 99 * 1024 * 1024,
      preferredMaxBytes: 512 * 1024,
      timeoutMs: 2000,
      ...batch,
    },
    endorsementPolicy: 'MAJORITY Endorsement',
  };
  return { spec, ordererOrg, org1, org2, ordererSigner };
}

/** A signed envelope with a Fabric header (ENDORSER_TRANSACTION by default) and `data` as payload data. */
export function makeEnvelope(
  signer: SigningIdentity,
  options: { channelId?: string; type?: number; data?: Uint8Array; badSignature?: boolean } = {},
): Uint8Array {
  const nonce = randomBytes(24);
  const ch = new common.ChannelHeader();
  ch.setType(options.type ?? common.HeaderType.ENDORSER_TRANSACTION);
  ch.setChannelId(options.channelId ?? 'mychannel');
  ch.setTxId(createHash('sha256').update(nonce).update(signer.serialized).digest('hex'));
  const sh = new common.SignatureHeader();
  sh.setCreator(signer.serialized);
  sh.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(ch.serializeBinary());
  header.setSignatureHeader(sh.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(options.data ?? new Uint8Array(0));
  const payloadBytes = payload.serializeBinary();
  const env = new common.Envelope();
  env.setPayload(payloadBytes);
  env.setSignature(options.badSignature ? randomBytes(70) : signer.sign(payloadBytes));
  return env.serializeBinary();
}
