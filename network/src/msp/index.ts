/**
 * Membership services: certificate authorities, MSP folders in Fabric's layout and identity validation.
 * @packageDocumentation
 */
export {
  CertificateAuthority,
  type CaFiles,
  type CertificateAuthorityJson,
  type CertificateAuthorityOptions,
  type IssuedCertificate,
  type IssueOptions,
} from './ca.js';
export {
  CaError,
  LayoutError,
  MspConfigError,
  MspError,
  type MspErrorCode,
  type MspErrorStage,
} from './errors.js';
export { satisfiesPrincipal, type Identity, type MspRole, type Principal } from './identity.js';
export {
  writeOrgMaterial,
  type KeyPairFiles,
  type LocalMspMaterial,
  type NodeMaterial,
  type NodeSpec,
  type OrgMaterial,
  type OrgSpec,
  type PemFile,
  type UserMaterial,
  type UserSpec,
} from './layout.js';
export { MspManager, type MspDefinition, type MspManagerOptions } from './msp.js';
export { nodeOUsConfigYaml } from './node-ous.js';
export { FABRIC_ATTRS_OID, NODE_OUS, type NodeOU } from './pki.js';
