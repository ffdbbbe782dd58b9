/**
 * Real-Fabric deployment artifacts for a creditchain profile (`creditchain fabric export`).
 * @packageDocumentation
 */
export {
  ccaasPackage,
  packageLabel,
  PACKAGE_LABEL,
  type CcaasConnection,
  type CcaasPackage,
  type CcaasPackageSpec,
} from './ccaas-package.js';
export { composeBindSources, composeYaml, DOCKER_NETWORK, FABRIC_IMAGES } from './compose.js';
export { byteSize, configtxYaml, goDuration } from './configtx.js';
export { CCAAS_BUILDER, coreYamlFragment, peerEnvironment, type PeerContainerPaths } from './core-yaml.js';
export { cryptoConfigYaml } from './crypto-config.js';
export { chaincodeDockerfile, DOCKERIGNORE, type ChaincodeFolderFacts } from './dockerfile.js';
export { commonEnvScript, orgEnvScriptPath, orgEnvScriptText, shQuote } from './env-scripts.js';
export { ExportError, type ExportErrorCode, type ExportErrorOptions } from './errors.js';
export {
  EXPORT_MARKER,
  exportFabric,
  missingReferences,
  type ExportedPackage,
  type ExportOptions,
  type ExportResult,
} from './export.js';
export { readme, type ReadmeFacts } from './readme.js';
export { tarGz, ustar, type TarEntry, type UstarOptions } from './tar.js';
export {
  BASE_APPLICATION_POLICIES,
  buildTopology,
  CHAINCODE_SERVER_PORT,
  lifecyclePolicy,
  ORDERER_ADMIN_PORT,
  ORDERER_PORT,
  referencedCryptoPaths,
  type ChaincodeTopology,
  type ConsortiumInit,
  type LifecyclePolicy,
  type NodePaths,
  type OrdererTopology,
  type PeerTopology,
  type Topology,
  type TopologyInput,
  type UserRef,
} from './topology.js';
