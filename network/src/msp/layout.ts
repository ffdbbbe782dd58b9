import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { CertificateAuthority, type IssueOptions } from './ca.js';
import { LayoutError } from './errors.js';
import { readIfExists, writeAtomic, writeIfChanged } from './files.js';
import type { MspDefinition } from './msp.js';
import { nodeOUsConfigYaml } from './node-ous.js';
import type { NodeOU } from './pki.js';

/** A peer or orderer of the organisation; its host name is `<name>.<domain>`. */
export interface NodeSpec {
  /** Short name, e.g. `peer0` or `orderer`. */
  readonly name: string;
  /** Extra TLS subject alternative names (DNS names or IPs) besides host, name, `localhost`, `127.0.0.1`. */
  readonly sans?: readonly string[];
}

/** A user (client or admin) of the organisation; its directory is `users/<name>@<domain>`. */
export interface UserSpec {
  /** e.g. `User1` or `Admin`. */
  readonly name: string;
  /** NodeOU of the enrolment certificate (`client` for users, `admin` for administrators). */
  readonly ou: NodeOU;
  /** Fabric CA attributes (read by chaincode through `ClientIdentity.getAttributeValue`). */
  readonly attrs?: Readonly<Record<string, string>>;
}

/** An organisation to lay out. */
export interface OrgSpec {
  /** `peer` organisations go to `peerOrganizations/`, `orderer` ones to `ordererOrganizations/`. */
  readonly type: 'peer' | 'orderer';
  /** e.g. `org1.example.com` (peer org) or `example.com` (orderer org). */
  readonly domain: string;
  readonly mspId: string;
  /** Peers (peer org) or orderers (orderer org). */
  readonly nodes: readonly NodeSpec[];
  readonly users: readonly UserSpec[];
  /** Subject L of the CAs; default `Durham`. */
  readonly locality?: string;
}

/** A file and its PEM content. */
export interface PemFile {
  readonly path: string;
  readonly pem: string;
}

/** A certificate and private key written (or found) on disk. */
export interface KeyPairFiles {
  readonly cert: PemFile;
  readonly key: PemFile;
  /** True when existing files were kept, false when newly issued. */
  readonly reused: boolean;
}

/** A local MSP folder (`msp/`) of a node or user. */
export interface LocalMspMaterial {
  readonly dir: string;
  /** `signcerts/cert.pem` and `keystore/priv_sk`. */
  readonly signing: KeyPairFiles;
  /** `cacerts/ca.<domain>-cert.pem`. */
  readonly caCert: PemFile;
  /** `tlscacerts/tlsca.<domain>-cert.pem`. */
  readonly tlsCaCert: PemFile;
  /** `config.yaml` path. */
  readonly configYaml: string;
}

/** A peer's or orderer's material. */
export interface NodeMaterial {
  readonly name: string;
  /** `<name>.<domain>`: certificate CN and directory name. */
  readonly host: string;
  readonly nodeOU: 'peer' | 'orderer';
  readonly dir: string;
  readonly msp: LocalMspMaterial;
  /** `tls/server.crt`, `tls/server.key` and `tls/ca.crt`. */
  readonly tls: KeyPairFiles & {
    readonly dir: string;
    readonly caCert: PemFile;
    readonly sans: readonly string[];
  };
}

/** A user's material. */
export interface UserMaterial {
  readonly name: string;
  /** `<name>@<domain>`: certificate CN and directory name. */
  readonly enrollmentId: string;
  readonly ou: NodeOU;
  readonly attrs: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly msp: LocalMspMaterial;
}

/** Everything {@link writeOrgMaterial} wrote or reused for one organisation. */
export interface OrgMaterial {
  readonly type: 'peer' | 'orderer';
  readonly domain: string;
  readonly mspId: string;
  /** `organizations/<peer|orderer>Organizations/<domain>`. */
  readonly dir: string;
  /** The signing CA (`ca/ca.<domain>-cert.pem`, `ca/priv_sk`). */
  readonly ca: CertificateAuthority;
  readonly caFiles: { readonly cert: PemFile; readonly keyPath: string };
  /** The TLS CA (`tlsca/tlsca.<domain>-cert.pem`, `tlsca/priv_sk`). */
  readonly tlsCa: CertificateAuthority;
  readonly tlsCaFiles: { readonly cert: PemFile; readonly keyPath: string };
  /** The organisation MSP folder (`msp/cacerts`, `msp/tlscacerts`, `msp/config.yaml`) for channel configs. */
  readonly msp: {
    readonly dir: string;
    readonly caCert: PemFile;
    readonly tlsCaCert: PemFile;
    readonly configYaml: string;
  };
  readonly nodes: readonly NodeMaterial[];
  readonly users: readonly UserMaterial[];
  /** The organisation's MSP as a channel defines it (for `MspManager` and the genesis block). */
  readonly mspDefinition: MspDefinition;
  /** Files written by this call (empty when everything was reused). */
  readonly written: readonly string[];
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkSpec(spec: OrgSpec): void {
  const bad = (what: string, v: string): never => {
    throw new LayoutError(`invalid ${what} ${JSON.stringify(v)}: use letters, digits, '.', '_' and '-'`);
  };
  if (!SAFE_NAME.test(spec.domain) || spec.domain.includes('..')) bad('domain', spec.domain);
  if (spec.mspId.length === 0) throw new LayoutError('mspId must not be empty');
  for (const [kind, names] of [
    ['node', spec.nodes.map((n) => n.name)],
    ['user', spec.users.map((u) => u.name)],
  ] as const) {
    const seen = new Set<string>();
    for (const n of names) {
      if (!SAFE_NAME.test(n) || n.includes('..')) bad(`${kind} name`, n);
      if (seen.has(n)) throw new LayoutError(`duplicate ${kind} name ${JSON.stringify(n)} in ${spec.domain}`);
      seen.add(n);
    }
  }
}

async function loadOrCreateCa(
  dir: string,
  spec: OrgSpec,
  purpose: 'signing' | 'tls',
  written: string[],
): Promise<{ ca: CertificateAuthority; cert: PemFile; keyPath: string }> {
  const commonName = `${purpose === 'tls' ? 'tlsca' : 'ca'}.${spec.domain}`;
  const files = CertificateAuthority.filesIn(dir, commonName);
  const [certPem, keyPem] = await Promise.all([readIfExists(files.certPath), readIfExists(files.keyPath)]);
  let ca: CertificateAuthority | undefined;
  if (certPem !== undefined && keyPem !== undefined) {
    try {
      ca = await CertificateAuthority.fromJSON({ certPem, keyPem });
      if (new Date(ca.certificate.validTo).getTime() < Date.now()) ca = undefined;
    } catch {
      ca = undefined; // unreadable or mismatched: replace it (and everything it issued)
    }
  }
  if (!ca) {
    ca = await CertificateAuthority.create({
      domain: spec.domain,
      purpose,
      ...(spec.locality === undefined ? {} : { locality: spec.locality }),
    });
    await ca.save(dir);
    written.push(files.certPath, files.keyPath);
  }
  return { ca, cert: { path: files.certPath, pem: ca.certPem }, keyPath: files.keyPath };
}

function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).publicKey.equals(createPublicKey(createPrivateKey(keyPem)));
  } catch {
    return false;
  }
}

/** Reuses `certPath`/`keyPath` when they conform to `opts` under `ca`, otherwise issues and writes anew. */
async function leafPair(
  ca: CertificateAuthority,
  opts: IssueOptions,
  certPath: string,
  keyPath: string,
  written: string[],
): Promise<KeyPairFiles> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (
    certPem !== undefined &&
    keyPem !== undefined &&
    keyMatches(certPem, keyPem) &&
    ca.conforms(certPem, opts)
  )
    return { cert: { path: certPath, pem: certPem }, key: { path: keyPath, pem: keyPem }, reused: true };
  const issued = await ca.issue(opts);
  // Key first: a crash in between leaves a cert/key mismatch, which the next run detects and repairs.
  await writeAtomic(keyPath, issued.keyPem, 0o600);
  await writeAtomic(certPath, issued.certPem, 0o644);
  written.push(certPath, keyPath);
  return {
    cert: { path: certPath, pem: issued.certPem },
    key: { path: keyPath, pem: issued.keyPem },
    reused: false,
  };
}

interface OrgContext {
  readonly spec: OrgSpec;
  readonly ca: CertificateAuthority;
  readonly tlsCa: CertificateAuthority;
  readonly caFile: string;
  readonly tlsCaFile: string;
  readonly configYaml: string;
  readonly written: string[];
}

/** Writes a local MSP folder: signcerts/cert.pem, keystore/priv_sk, cacerts, tlscacerts, config.yaml. */
async function localMsp(ctx: OrgContext, dir: string, opts: IssueOptions): Promise<LocalMspMaterial> {
  const caCert = { path: join(dir, 'cacerts', ctx.caFile), pem: ctx.ca.certPem };
  const tlsCaCert = { path: join(dir, 'tlscacerts', ctx.tlsCaFile), pem: ctx.tlsCa.certPem };
  const configYaml = join(dir, 'config.yaml');
  await Promise.all([
    writeIfChanged(caCert.path, caCert.pem, ctx.written),
    writeIfChanged(tlsCaCert.path, tlsCaCert.pem, ctx.written),
    writeIfChanged(configYaml, ctx.configYaml, ctx.written),
  ]);
  const signing = await leafPair(
    ctx.ca,
    opts,
    join(dir, 'signcerts', 'cert.pem'),
    join(dir, 'keystore', 'priv_sk'),
    ctx.written,
  );
  return { dir, signing, caCert, tlsCaCert, configYaml };
}

async function nodeMaterial(ctx: OrgContext, orgDir: string, node: NodeSpec): Promise<NodeMaterial> {
  const { spec } = ctx;
  const host = `${node.name}.${spec.domain}`;
  const nodeOU = spec.type === 'peer' ? 'peer' : 'orderer';
  const dir = join(orgDir, spec.type === 'peer' ? 'peers' : 'orderers', host);
  const msp = await localMsp(ctx, join(dir, 'msp'), { commonName: host, ou: nodeOU, fabricCaDefaults: true });
  const tlsDir = join(dir, 'tls');
  const sans = [...new Set([host, node.name, 'localhost', '127.0.0.1', ...(node.sans ?? [])])];
  const caCert = { path: join(tlsDir, 'ca.crt'), pem: ctx.tlsCa.certPem };
  await writeIfChanged(caCert.path, caCert.pem, ctx.written);
  const pair = await leafPair(
    ctx.tlsCa,
    { commonName: host, ou: nodeOU, sans, tls: true },
    join(tlsDir, 'server.crt'),
    join(tlsDir, 'server.key'),
    ctx.written,
  );
  return { name: node.name, host, nodeOU, dir, msp, tls: { ...pair, dir: tlsDir, caCert, sans } };
}

async function userMaterial(ctx: OrgContext, orgDir: string, user: UserSpec): Promise<UserMaterial> {
  const enrollmentId = `${user.name}@${ctx.spec.domain}`;
  const dir = join(orgDir, 'users', enrollmentId);
  const attrs = { ...(user.attrs ?? {}) };
  const msp = await localMsp(ctx, join(dir, 'msp'), {
    commonName: enrollmentId,
    ou: user.ou,
    attrs,
    fabricCaDefaults: true,
  });
  return { name: user.name, enrollmentId, ou: user.ou, attrs, dir, msp };
}

/**
 * Writes an organisation's crypto material in Fabric's test-network layout under
 * `<baseDir>/organizations/{peer,orderer}Organizations/<domain>/`: `ca/` and `tlsca/` (CA certificate and
 * key), the organisation `msp/` (cacerts, tlscacerts, NodeOUs config.yaml), each node's `msp/` and `tls/`
 * (`ca.crt`, `server.crt`, `server.key`) and each user's `msp/` (`signcerts/cert.pem`, `keystore/priv_sk`).
 *
 * Idempotent: existing CAs are reloaded and existing certificates kept when they still conform (issued by
 * the current CA, same subject, OU, attributes and SANs, valid for at least another day); anything missing,
 * mismatched or expiring is (re)issued. Enrolment certificates carry Fabric CA's `hf.*` attributes.
 * @throws LayoutError for unusable names.
 */
export async function writeOrgMaterial(spec: OrgSpec, baseDir: string): Promise<OrgMaterial> {
  checkSpec(spec);
  const orgDir = join(
    baseDir,
    'organizations',
    spec.type === 'peer' ? 'peerOrganizations' : 'ordererOrganizations',
    spec.domain,
  );
  const written: string[] = [];
  const [signing, tls] = await Promise.all([
    loadOrCreateCa(join(orgDir, 'ca'), spec, 'signing', written),
    loadOrCreateCa(join(orgDir, 'tlsca'), spec, 'tls', written),
  ]);
  const caFile = `ca.${spec.domain}-cert.pem`;
  const tlsCaFile = `tlsca.${spec.domain}-cert.pem`;
  const ctx: OrgContext = {
    spec,
    ca: signing.ca,
    tlsCa: tls.ca,
    caFile,
    tlsCaFile,
    configYaml: nodeOUsConfigYaml(caFile),
    written,
  };

  const mspDir = join(orgDir, 'msp');
  const orgMsp = {
    dir: mspDir,
    caCert: { path: join(mspDir, 'cacerts', caFile), pem: signing.ca.certPem },
    tlsCaCert: { path: join(mspDir, 'tlscacerts', tlsCaFile), pem: tls.ca.certPem },
    configYaml: join(mspDir, 'config.yaml'),
  };
  await Promise.all([
    writeIfChanged(orgMsp.caCert.path, orgMsp.caCert.pem, written),
    writeIfChanged(orgMsp.tlsCaCert.path, orgMsp.tlsCaCert.pem, written),
    writeIfChanged(orgMsp.configYaml, ctx.configYaml, written),
  ]);

  const [nodes, users] = await Promise.all([
    Promise.all(spec.nodes.map((n) => nodeMaterial(ctx, orgDir, n))),
    Promise.all(spec.users.map((u) => userMaterial(ctx, orgDir, u))),
  ]);
  return {
    type: spec.type,
    domain: spec.domain,
    mspId: spec.mspId,
    dir: orgDir,
    ca: signing.ca,
    caFiles: { cert: signing.cert, keyPath: signing.keyPath },
    tlsCa: tls.ca,
    tlsCaFiles: { cert: tls.cert, keyPath: tls.keyPath },
    msp: orgMsp,
    nodes,
    users,
    mspDefinition: {
      mspId: spec.mspId,
      rootCertsPem: [signing.ca.certPem],
      tlsRootCertsPem: [tls.ca.certPem],
    },
    written: [...written].sort(),
  };
}
