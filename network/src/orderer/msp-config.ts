import { X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { ChannelConfigError } from './errors.js';

/*
 * The verifying MSP definition configtxgen puts into each org group (`msp.GetVerifyingMspConfig` over
 * an MSP folder whose config.yaml enables NodeOUs with every OU identifier pointing at the CA cert).
 */

/** The certificate material of one org's MSP. */
export interface MspDefinition {
  readonly mspId: string;
  /** CA certificates (PEM); the first one anchors the NodeOU identifiers. */
  readonly rootCertsPem: readonly string[];
  readonly intermediateCertsPem?: readonly string[];
  /** TLS CA certificates (PEM). */
  readonly tlsRootCertsPem: readonly string[];
  readonly tlsIntermediateCertsPem?: readonly string[];
}

function pemBytes(mspId: string, what: string, pems: readonly string[]): Uint8Array[] {
  return pems.map((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new ChannelConfigError(
        `${mspId}: ${what}[${i}] is not a PEM certificate: ${(err as Error).message}`,
      );
    }
    return Buffer.from(pem, 'utf8');
  });
}

function ouIdentifier(certificate: Uint8Array, ou: string): msp.FabricOUIdentifier {
  const id = new msp.FabricOUIdentifier();
  id.setCertificate(certificate);
  id.setOrganizationalUnitIdentifier(ou);
  return id;
}

/** `msp.MSPConfig{type: FABRIC (0), config: FabricMSPConfig}` bytes, NodeOUs enabled. */
export function fabricMspConfig(def: MspDefinition): Uint8Array {
  if (!/^[A-Za-z0-9_.-]+$/.test(def.mspId)) throw new ChannelConfigError(`invalid MSP ID '${def.mspId}'`);
  const roots = pemBytes(def.mspId, 'rootCertsPem', def.rootCertsPem);
  const anchor = roots[0];
  if (anchor === undefined)
    throw new ChannelConfigError(`${def.mspId}: at least one root certificate is required`);
  const tlsRoots = pemBytes(def.mspId, 'tlsRootCertsPem', def.tlsRootCertsPem);
  if (tlsRoots.length === 0)
    throw new ChannelConfigError(`${def.mspId}: at least one TLS root certificate is required`);

  const crypto = new msp.FabricCryptoConfig();
  crypto.setSignatureHashFamily('SHA2');
  crypto.setIdentityIdentifierHashFunction('SHA256');

  const ous = new msp.FabricNodeOUs();
  ous.setEnable(true);
  ous.setClientOuIdentifier(ouIdentifier(anchor, 'client'));
  ous.setPeerOuIdentifier(ouIdentifier(anchor, 'peer'));
  ous.setAdminOuIdentifier(ouIdentifier(anchor, 'admin'));
  ous.setOrdererOuIdentifier(ouIdentifier(anchor, 'orderer'));

  const config = new msp.FabricMSPConfig();
  config.setName(def.mspId);
  config.setRootCertsList(roots);
  config.setIntermediateCertsList(
    pemBytes(def.mspId, 'intermediateCertsPem', def.intermediateCertsPem ?? []),
  );
  config.setTlsRootCertsList(tlsRoots);
  config.setTlsIntermediateCertsList(
    pemBytes(def.mspId, 'tlsIntermediateCertsPem', def.tlsIntermediateCertsPem ?? []),
  );
  config.setCryptoConfig(crypto);
  config.setFabricNodeOus(ous);

  const mspConfig = new msp.MSPConfig();
  mspConfig.setType(0);
  mspConfig.setConfig(config.serializeBinary());
  return mspConfig.serializeBinary();
}

/** An MSP definition read back from a config's MSP value. */
export interface DecodedMsp {
  readonly mspId: string;
  readonly rootCertsPem: string[];
  readonly intermediateCertsPem: string[];
  readonly tlsRootCertsPem: string[];
  readonly tlsIntermediateCertsPem: string[];
  readonly nodeOUs: boolean;
}

/** Decodes `msp.MSPConfig` bytes of type FABRIC. */
export function decodeFabricMspConfig(bytes: Uint8Array, where: string): DecodedMsp {
  const mspConfig = msp.MSPConfig.deserializeBinary(bytes);
  if (mspConfig.getType() !== 0)
    throw new ChannelConfigError(`${where}: unsupported MSP type ${mspConfig.getType()} (only FABRIC)`);
  const c = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
  const pem = (list: Uint8Array[]): string[] => list.map((b) => Buffer.from(b).toString('utf8'));
  return {
    mspId: c.getName(),
    rootCertsPem: pem(c.getRootCertsList_asU8()),
    intermediateCertsPem: pem(c.getIntermediateCertsList_asU8()),
    tlsRootCertsPem: pem(c.getTlsRootCertsList_asU8()),
    tlsIntermediateCertsPem: pem(c.getTlsIntermediateCertsList_asU8()),
    nodeOUs: c.getFabricNodeOus()?.getEnable() ?? false,
  };
}
