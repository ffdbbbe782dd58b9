/**
 * The export's README.md: the exact commands, in order, that bring the consortium up on Fabric 2.5
 * (genesis block, orderer join, peer joins, chaincode lifecycle, chaincode servers, consortium
 * initialisation) and how the creditchain gateway configuration carries over.
 */
import { exportPath, orgEnvScriptPath, shQuote } from './env-scripts.js';
import type { ChaincodeTopology, KeyPublisher, PeerTopology, Topology } from './topology.js';

/** An organisation key to publish on the new channel, as the emulated network did. */
export interface KeyInvocation extends KeyPublisher {
  readonly keyId: string;
  /** `consortium/publish-key-<MSP>.json`: the `PublishOrgKey` invocation argument. */
  readonly file: string;
}

/** What the README reports besides the topology. */
export interface ReadmeFacts {
  /** Package id of each chaincode, by name. */
  readonly packageIds: ReadonlyMap<string, string>;
  /** Connection profiles written into `gateway/`. */
  readonly gatewayFiles: readonly string[];
  readonly keyInvocations: readonly KeyInvocation[];
  readonly warnings: readonly string[];
}

/** Double quotes when nothing inside needs escaping, else POSIX single quotes. */
function arg(value: string): string {
  return /["$`\\!]/.test(value) ? shQuote(value) : `"${value}"`;
}

const ORDERER_FLAGS =
  '-o "$ORDERER_ADDRESS" --ordererTLSHostnameOverride "$ORDERER_HOST" --tls --cafile "$ORDERER_CA"';

function peerTargets(t: Topology): string {
  return t.orgs
    .map((o) => `--peerAddresses localhost:${o.port} --tlsRootCertFiles ${exportPath(o.node.tlsCa)}`)
    .join(' \\\n  ');
}

function definitionFlags(cc: ChaincodeTopology): string {
  return `--channelID "$CHANNEL_NAME" --name ${cc.name} --version ${shQuote(cc.version)} --sequence ${cc.sequence} ${cc.policy.flag} ${arg(cc.policy.value)}`;
}

function asOrg(org: PeerTopology, command: string): string {
  return `. ${orgEnvScriptPath(org)} && ${command}`;
}

function chaincodeSection(t: Topology, cc: ChaincodeTopology, packageId: string, step: number): string {
  const first = t.orgs[0];
  const servers = t.orgs.map((o) => `\`${cc.serviceFor(o)}\``).join(', ');
  const policyNote =
    cc.policy.flag === '--signature-policy'
      ? `signature policy \`${cc.policy.value}\``
      : `\`${cc.policy.text}\`, i.e. the channel policy \`${cc.policy.value}\` defined in configtx.yaml`;
  return `## ${step}. Deploy chaincode \`${cc.name}\` ${cc.version}

\`${cc.packageFile}\` is a chaincode-as-a-service package: \`metadata.json\` (\`{"type":"ccaas","label":"${cc.label}"}\`)
and \`code.tar.gz\` holding \`connection.json\` with address \`${cc.address}\`, which each peer's
\`ccaas_builder\` completes from \`CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG\` (compose.yaml) into ${servers}.
Its package id is \`${packageId}\` (also in \`.env\` as \`${cc.packageIdVar}\`). Endorsement policy: ${policyNote}.

Install on every peer, and check the id:

\`\`\`sh
${t.orgs.map((o) => asOrg(o, `peer lifecycle chaincode install ${cc.packageFile}`)).join('\n')}
peer lifecycle chaincode calculatepackageid ${cc.packageFile}
peer lifecycle chaincode queryinstalled
\`\`\`

Approve the definition as every organisation:

\`\`\`sh
export PACKAGE_ID=${shQuote(packageId)}
${t.orgs
  .map((o) =>
    asOrg(
      o,
      `peer lifecycle chaincode approveformyorg ${ORDERER_FLAGS} \\\n  ${definitionFlags(cc)} --package-id "$PACKAGE_ID"`,
    ),
  )
  .join('\n')}
\`\`\`

Check that every organisation approved, commit (endorsed by every peer, which satisfies the channel's
\`LifecycleEndorsement\`, MAJORITY), and check the committed definition:

\`\`\`sh
${first ? asOrg(first, `peer lifecycle chaincode checkcommitreadiness ${definitionFlags(cc)} --output json`) : ''}
peer lifecycle chaincode commit ${ORDERER_FLAGS} \\
  ${definitionFlags(cc)} \\
  ${peerTargets(t)}
peer lifecycle chaincode querycommitted --channelID "$CHANNEL_NAME" --name ${cc.name}
\`\`\`
`;
}

function invoke(t: Topology, chaincode: string, args: string): string {
  return `peer chaincode invoke ${ORDERER_FLAGS} \\
  -C "$CHANNEL_NAME" -n ${chaincode} --waitForEvent \\
  ${peerTargets(t)} \\
  -c ${args}`;
}

function asUser(org: PeerTopology, msp: string): string {
  return `. ${orgEnvScriptPath(org)}\nexport CORE_PEER_MSPCONFIGPATH=${exportPath(msp)}`;
}

function consortiumSection(t: Topology, keys: readonly KeyInvocation[], step: number): string {
  const c = t.consortium;
  if (!c) {
    const org = t.orgs[0];
    const cc = t.chaincodes[0];
    if (!org || !cc) return '';
    return `## ${step}. Initialise the consortium

The profile names no consortium configuration: write it to \`consortium/consortium.json\` (the credit
chaincode's \`examples/consortium.json\` is an example) and submit it as an admin of an MSP it lists in
\`adminMsps\` (here ${org.admin.enrollmentId}); then each organisation's admin publishes its HPKE public key with
\`PublishOrgKey\` (key id, suite, base64 public key).

\`\`\`sh
${asUser(org, org.admin.msp)}
${invoke(t, cc.name, `"$(jq -c '{function: "InitConsortium", Args: [tojson]}' consortium/consortium.json)"`)}
\`\`\`
`;
  }
  const keySteps = keys.map(
    (k) => `${asUser(k.org, k.user.msp)}\n${invoke(t, c.chaincode, `"$(cat ${k.file})"`)}`,
  );
  const keyText = keys.length
    ? `Then each organisation publishes the HPKE public key its gateway already uses (the private keys stay in the
emulator's \`keys/<MSP>/\` folder, where the gateways read them): ${keys.map((k) => `${k.org.mspId} \`${k.keyId}\``).join(', ')}.

\`\`\`sh
${keySteps.join('\n')}
\`\`\`
`
    : '';
  return `## ${step}. Initialise the consortium

As the profile says, \`${c.user.enrollmentId}\` submits \`consortium/consortium.json\`;
\`consortium/init-consortium.json\` is that configuration as the \`InitConsortium\` invocation argument.

\`\`\`sh
${asUser(c.initOrg, c.user.msp)}
${invoke(t, c.chaincode, '"$(cat consortium/init-consortium.json)"')}
peer chaincode query -C "$CHANNEL_NAME" -n ${c.chaincode} -c '{"function":"GetConsortium","Args":[]}'
\`\`\`

${keyText}`;
}

/** The text of `README.md`. */
export function readme(t: Topology, facts: ReadmeFacts): string {
  const o = t.orderer;
  let step = 3;
  const ccSections = t.chaincodes.map((cc) =>
    chaincodeSection(t, cc, facts.packageIds.get(cc.name) ?? '', ++step),
  );
  const servers = t.chaincodes.length
    ? `## ${++step}. Start the chaincode servers

One server per organisation and chaincode, each with \`CHAINCODE_ID\` = the package id from \`.env\` and
\`CORE_PEER_LOCALMSPID\` = its organisation; a peer dials its own organisation's server on first use.
If you rebuild a package, put the new id (\`peer lifecycle chaincode calculatepackageid\`) in \`.env\`.

\`\`\`sh
docker compose --profile chaincode up -d --build
\`\`\`

`
    : '';
  const consortium = t.chaincodes.length ? consortiumSection(t, facts.keyInvocations, ++step) : '';
  const gatewayStep = ++step;
  const orgRows = t.orgs
    .map(
      (org) =>
        `| ${org.mspId} | \`${org.host}\` | localhost:${org.port} | \`${org.admin.enrollmentId}\` | \`${orgEnvScriptPath(org)}\` |`,
    )
    .join('\n');
  const warnings = facts.warnings.length
    ? `\n> **Notes from the export:**\n${facts.warnings.map((w) => `> - ${w}`).join('\n')}\n`
    : '';
  const gateway = facts.gatewayFiles
    .filter((f) => f.endsWith('.json'))
    .map((f) => `\`${f}\``)
    .join(', ');
  return `# Creditchain consortium \`${t.profileName}\` on Hyperledger Fabric 2.5

Generated by \`creditchain fabric export\`. The same organisations, MSPs, certificates, channel
(\`${t.channel}\`), chaincode definitions and gateway configuration as the emulated network, for real
Fabric 2.5 peers and an etcdraft orderer in Docker.
${warnings}
| organisation | peer | from the host | admin | shell environment |
| --- | --- | --- | --- | --- |
| ${o.mspId} | \`${o.host}\` (orderer) | localhost:${o.port}, admin API localhost:${o.adminPort} | \`Admin@${o.domain}\` | \`env/common.sh\` |
${orgRows}

| file | what |
| --- | --- |
| \`configtx.yaml\` | channel profile \`${t.configtxProfile}\` for \`configtxgen\` (MSPDir paths relative to it) |
| \`organizations/\` | the emulator's crypto material, Fabric test-network layout (every private key: keep it private) |
| \`crypto-config.yaml\` | the same organisations for \`cryptogen\`, to start afresh with new keys (no CA attributes) |
| \`compose.yaml\`, \`.env\` | orderer, peers, chaincode servers, tools; \`.env\` holds the package ids |
| \`peercfg/core-ccaas.yaml\` | the core.yaml keys the peers need (CCaaS builder, Gateway), shared; per-peer values are env overrides in compose.yaml |
| \`packages/\` | chaincode-as-a-service packages for \`peer lifecycle chaincode install\` |
| \`chaincode/<name>/\` | chaincode sources and the Dockerfile of its server |
| \`env/\` | shell environments for the commands below |
| \`consortium/\` | the consortium configuration and its \`InitConsortium\` argument |
| \`gateway/\` | connection profiles of the creditchain gateways |

## Prerequisites

- Docker with Compose v2.
- Fabric 2.5 binaries \`configtxgen\`, \`osnadmin\` and \`peer\` on \`PATH\`, with \`FABRIC_CFG_PATH\` set to their
  \`config/\` folder (it holds the \`core.yaml\` the peer CLI reads). Without them, \`docker compose run --rm cli\`
  opens a shell in \`hyperledger/fabric-tools:2.5\` on the host network (Linux, or Docker Desktop with host
  networking enabled), in this folder, where every command below runs as is.
- Run everything from this folder (the \`env/\` scripts use it as \`EXPORT_DIR\`), in bash or zsh.
- Stop the emulated network first (\`creditchain network down\`): the peers publish the same ports.

## 1. Start the orderer and the peers

\`\`\`sh
docker compose up -d
\`\`\`

## 2. Create the channel on the orderer

\`\`\`sh
. env/common.sh
configtxgen -configPath . -profile ${t.configtxProfile} -channelID "$CHANNEL_NAME" -outputBlock channel-artifacts/${t.channel}.block
osnadmin channel join --channelID "$CHANNEL_NAME" --config-block channel-artifacts/${t.channel}.block \\
  -o "$ORDERER_ADMIN_ADDRESS" --ca-file "$ORDERER_CA" \\
  --client-cert "$ORDERER_ADMIN_TLS_SIGN_CERT" --client-key "$ORDERER_ADMIN_TLS_PRIVATE_KEY"
osnadmin channel list -o "$ORDERER_ADMIN_ADDRESS" --ca-file "$ORDERER_CA" \\
  --client-cert "$ORDERER_ADMIN_TLS_SIGN_CERT" --client-key "$ORDERER_ADMIN_TLS_PRIVATE_KEY"
\`\`\`

## 3. Join every peer to the channel

The anchor peers are already in the genesis block (\`AnchorPeers\` in configtx.yaml).

\`\`\`sh
${t.orgs.map((org) => asOrg(org, `peer channel join -b channel-artifacts/${t.channel}.block`)).join('\n')}
${t.orgs[0] ? asOrg(t.orgs[0], 'peer channel getinfo -c "$CHANNEL_NAME"') : ''}
\`\`\`

${ccSections.join('\n')}
${servers}${consortium}
## ${gatewayStep}. Point the creditchain gateways at it

The gateways keep their configuration: ${gateway} (and the same as \`.yaml\`) are the Fabric common connection profiles
\`creditchain network up\` writes for this profile (same generator, same content when the profile's peer ports are
fixed). Each names an organisation's peer \`<peer>.<domain>\` at \`localhost:<port>\` with that organisation's TLS
CA certificate and the peer's host name as the TLS name to expect; the exported peers publish the same ports with
the same TLS certificates. The users keep their certificates and keys
(\`organizations/peerOrganizations/<domain>/users/<user>@<domain>/msp\`), so a gateway configured for the emulated
network (MSP id, user, connection profile) connects to this one unchanged. From another machine, replace
\`localhost\` in the connection profiles with the Docker host's name (the TLS name stays the peer's).

## Running peers from Fabric binaries

Merge \`peercfg/core-ccaas.yaml\` into each peer's \`core.yaml\` (with \`path\` set to your installation's
\`builders/ccaas\`), set the peer's \`CORE_*\` values and \`CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG\` as compose.yaml
does, and make each \`<peername>_<chaincode>\` host name resolve to that organisation's chaincode server.

## Tear down

\`\`\`sh
docker compose --profile chaincode --profile tools down --volumes
\`\`\`
`;
}
