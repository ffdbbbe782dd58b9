/**
 * `compose.yaml`: the orderer, one peer per organisation (Fabric 2.5 images, TLS, Gateway, CCaaS
 * builder), one chaincode server per organisation and chaincode (compose profile `chaincode`, started
 * once the package id is known) and a Fabric tools container on the host network (profile `tools`) for
 * operators without Fabric binaries. Crypto material is mounted from the exported `organizations/`
 * folder, outside `/etc/hyperledger/fabric` so the image's own core.yaml stays in effect.
 */
import { Document, Scalar } from 'yaml';
import { peerEnvironment } from './core-yaml.js';
import { CHAINCODE_SERVER_PORT, type Topology } from './topology.js';

/** Fabric images the export runs. */
export const FABRIC_IMAGES = {
  peer: 'hyperledger/fabric-peer:2.5',
  orderer: 'hyperledger/fabric-orderer:2.5',
  tools: 'hyperledger/fabric-tools:2.5',
} as const;

/** The Docker network the services share (peers reach the orderer and chaincode servers by name). */
export const DOCKER_NETWORK = 'creditchain';

/** `host:container` port mappings as strings, as Compose recommends (YAML 1.1 reads some as base 60). */
function portMapping(port: number): Scalar<string> {
  const node = new Scalar(`${port}:${port}`);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

const PEER_MSP = '/etc/hyperledger/peer/msp';
const PEER_TLS = '/etc/hyperledger/peer/tls';
const ORDERER_MSP = '/var/hyperledger/orderer/msp';
const ORDERER_TLS = '/var/hyperledger/orderer/tls';

/** Every bind-mount source of `compose.yaml`, relative to the export folder (for checks). */
export function composeBindSources(t: Topology): string[] {
  return [
    t.orderer.node.msp,
    t.orderer.node.tlsDir,
    ...t.orgs.flatMap((o) => [o.node.msp, o.node.tlsDir]),
    ...t.chaincodes.map((c) => c.dir),
  ];
}

function ordererService(t: Topology): Record<string, unknown> {
  const o = t.orderer;
  return {
    container_name: o.host,
    image: FABRIC_IMAGES.orderer,
    environment: {
      FABRIC_LOGGING_SPEC: 'INFO',
      ORDERER_GENERAL_LISTENADDRESS: '0.0.0.0',
      ORDERER_GENERAL_LISTENPORT: String(o.port),
      ORDERER_GENERAL_LOCALMSPID: o.mspId,
      ORDERER_GENERAL_LOCALMSPDIR: ORDERER_MSP,
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_GENERAL_TLS_PRIVATEKEY: `${ORDERER_TLS}/server.key`,
      ORDERER_GENERAL_TLS_CERTIFICATE: `${ORDERER_TLS}/server.crt`,
      ORDERER_GENERAL_TLS_ROOTCAS: `[${ORDERER_TLS}/ca.crt]`,
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: `${ORDERER_TLS}/server.crt`,
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: `${ORDERER_TLS}/server.key`,
      ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${ORDERER_TLS}/ca.crt]`,
      ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_ADMIN_TLS_ENABLED: 'true',
      ORDERER_ADMIN_TLS_CERTIFICATE: `${ORDERER_TLS}/server.crt`,
      ORDERER_ADMIN_TLS_PRIVATEKEY: `${ORDERER_TLS}/server.key`,
      ORDERER_ADMIN_TLS_ROOTCAS: `[${ORDERER_TLS}/ca.crt]`,
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${ORDERER_TLS}/ca.crt]`,
      ORDERER_ADMIN_LISTENADDRESS: `0.0.0.0:${o.adminPort}`,
    },
    command: 'orderer',
    volumes: [
      `./${o.node.msp}:${ORDERER_MSP}:ro`,
      `./${o.node.tlsDir}:${ORDERER_TLS}:ro`,
      `${o.host}:/var/hyperledger/production/orderer`,
    ],
    ports: [portMapping(o.port), portMapping(o.adminPort)],
    networks: [DOCKER_NETWORK],
  };
}

/** The text of `compose.yaml`. */
export function composeYaml(t: Topology): string {
  const services: Record<string, unknown> = { [t.orderer.host]: ordererService(t) };
  for (const org of t.orgs) {
    services[org.host] = {
      container_name: org.host,
      image: FABRIC_IMAGES.peer,
      environment: peerEnvironment(org, { msp: PEER_MSP, tlsDir: PEER_TLS }),
      command: 'peer node start',
      volumes: [
        `./${org.node.msp}:${PEER_MSP}:ro`,
        `./${org.node.tlsDir}:${PEER_TLS}:ro`,
        `${org.host}:/var/hyperledger/production`,
      ],
      ports: [portMapping(org.port)],
      depends_on: [t.orderer.host],
      networks: [DOCKER_NETWORK],
    };
  }
  for (const cc of t.chaincodes) {
    for (const org of t.orgs) {
      const name = cc.serviceFor(org);
      services[name] = {
        profiles: ['chaincode'],
        container_name: name,
        build: { context: `./${cc.dir}` },
        image: cc.image,
        environment: {
          CHAINCODE_ID: `\${${cc.packageIdVar}:?set ${cc.packageIdVar} in .env to the id printed by peer lifecycle chaincode calculatepackageid ${cc.packageFile}}`,
          CHAINCODE_SERVER_ADDRESS: `0.0.0.0:${CHAINCODE_SERVER_PORT}`,
          CORE_PEER_LOCALMSPID: org.mspId,
        },
        restart: 'unless-stopped',
        networks: [DOCKER_NETWORK],
      };
    }
  }
  services.cli = {
    profiles: ['tools'],
    image: FABRIC_IMAGES.tools,
    network_mode: 'host',
    working_dir: '/export',
    environment: { EXPORT_DIR: '/export' },
    volumes: ['.:/export'],
    stdin_open: true,
    tty: true,
    command: 'bash',
  };
  const doc = new Document({
    name: `creditchain-${t.profileName.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`,
    services,
    volumes: Object.fromEntries([t.orderer.host, ...t.orgs.map((o) => o.host)].map((h) => [h, null])),
    networks: { [DOCKER_NETWORK]: { name: DOCKER_NETWORK } },
  });
  doc.commentBefore = [
    ` Consortium of creditchain profile "${t.profileName}" on Hyperledger Fabric 2.5 (generated by creditchain fabric export).`,
    `   docker compose up -d                               orderer and peers`,
    `   docker compose --profile chaincode up -d --build   chaincode servers (after the chaincode is committed; ids in .env)`,
    `   docker compose run --rm cli                        Fabric tools, for operators without Fabric binaries`,
    ` Peers run the image's core.yaml with the per-peer overrides below (see peercfg/core-ccaas.yaml).`,
  ].join('\n');
  return doc.toString({ lineWidth: 0, nullStr: '' });
}
