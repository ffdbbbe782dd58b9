/**
 * Fabric common connection profiles, shaped exactly like the `connection-org1.json`/`.yaml` that
 * fabric-samples' `test-network/organizations/ccp-generate.sh` writes from `ccp-template.json`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ConnectionProfileFiles } from './admin-protocol.js';
import { writeFileAtomic } from './state.js';

/** What one organisation's connection profile describes. */
export interface ConnectionProfileInput {
  /** Profile name, e.g. `test-network`; the connection profile is named `<profile>-<org label>`. */
  readonly profileName: string;
  readonly mspId: string;
  /** e.g. `org1.example.com`; its first label (`org1`) names the files and the CA. */
  readonly domain: string;
  /** `peer0.org1.example.com`. */
  readonly peerHost: string;
  /** `host:port` clients dial. */
  readonly peerAddress: string;
  readonly tls: boolean;
  /** The organisation's TLS CA certificate (`tlsca/tlsca.<domain>-cert.pem`). */
  readonly tlsCaPem: string;
  /** The organisation's CA certificate (`ca/ca.<domain>-cert.pem`). */
  readonly caPem: string;
  readonly caPort: number;
}

/** The organisation name in a connection profile: the MSP id without its `MSP` suffix (`Org1MSP` → `Org1`). */
export function orgName(mspId: string): string {
  return /.MSP$/.test(mspId) ? mspId.slice(0, -3) : mspId;
}

/** First DNS label of a domain (`org1.example.com` → `org1`). */
export function domainLabel(domain: string): string {
  return domain.split('.')[0] ?? domain;
}

/** The connection profile as a JSON-ready object, keys in fabric-samples' order. */
export function connectionProfile(input: ConnectionProfileInput): Record<string, unknown> {
  const org = orgName(input.mspId);
  const label = domainLabel(input.domain);
  const ca = `ca.${input.domain}`;
  return {
    name: `${input.profileName}-${label}`,
    version: '1.0.0',
    client: { organization: org, connection: { timeout: { peer: { endorser: '300' } } } },
    organizations: {
      [org]: { mspid: input.mspId, peers: [input.peerHost], certificateAuthorities: [ca] },
    },
    peers: {
      [input.peerHost]: {
        url: `${input.tls ? 'grpcs' : 'grpc'}://${input.peerAddress}`,
        tlsCACerts: { pem: input.tlsCaPem },
        grpcOptions: { 'ssl-target-name-override': input.peerHost, hostnameOverride: input.peerHost },
      },
    },
    certificateAuthorities: {
      [ca]: {
        url: `https://localhost:${input.caPort}`,
        caName: `ca-${label}`,
        tlsCACerts: { pem: [input.caPem] },
        httpOptions: { verify: false },
      },
    },
  };
}

/** The JSON file's text (fabric-samples indents by four spaces). */
export function connectionProfileJson(input: ConnectionProfileInput): string {
  return `${JSON.stringify(connectionProfile(input), null, 4)}\n`;
}

/** The YAML file's text (`---` document, PEMs as block scalars). */
export function connectionProfileYaml(input: ConnectionProfileInput): string {
  return `---\n${stringify(connectionProfile(input), { lineWidth: 0 })}`;
}

/** Where an organisation's CA certificate lies in the Fabric test-network layout under `dir`. */
export function caCertPath(dir: string, domain: string): string {
  return join(dir, 'organizations', 'peerOrganizations', domain, 'ca', `ca.${domain}-cert.pem`);
}

/**
 * Writes `connection-<label>.json` and `.yaml` into `dir` (next to `organizations/`) and into the
 * organisation's folder `organizations/peerOrganizations/<domain>/`, where test-network keeps them.
 */
export async function writeConnectionProfile(
  dir: string,
  input: Omit<ConnectionProfileInput, 'caPem'>,
): Promise<ConnectionProfileFiles> {
  const caPem = await readFile(caCertPath(dir, input.domain), 'utf8');
  const full = { ...input, caPem };
  const base = `connection-${domainLabel(input.domain)}`;
  const json = connectionProfileJson(full);
  const yaml = connectionProfileYaml(full);
  const orgDir = join(dir, 'organizations', 'peerOrganizations', input.domain);
  await Promise.all([
    writeFileAtomic(join(dir, `${base}.json`), json),
    writeFileAtomic(join(dir, `${base}.yaml`), yaml),
    writeFileAtomic(join(orgDir, `${base}.json`), json),
    writeFileAtomic(join(orgDir, `${base}.yaml`), yaml),
  ]);
  return { mspId: input.mspId, json: join(dir, `${base}.json`), yaml: join(dir, `${base}.yaml`) };
}
