/**
 * Chaincode-as-a-service packages in Fabric's lifecycle format, as fabric-samples'
 * `test-network/scripts/deployCCAAS.sh` builds them: a `.tar.gz` holding `metadata.json`
 * (`{"type":"ccaas","label":...}`) and `code.tar.gz`, which holds the `connection.json` that the peer's
 * `ccaas_builder` reads (its string fields are Go templates over `CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG`).
 */
import { createHash } from 'node:crypto';
import { ExportError } from './errors.js';
import { tarGz } from './tar.js';

/** Fabric's `persistence.LabelRegexp`: what `peer lifecycle chaincode install` accepts as a label. */
export const PACKAGE_LABEL = /^[a-zA-Z0-9]+([.+-_][a-zA-Z0-9]+)*$/;

/** The `connection.json` of a CCaaS package (no TLS between peer and chaincode server). */
export interface CcaasConnection {
  /** `host:port` of the chaincode server, e.g. `{{.peername}}_credit:9999`. */
  readonly address: string;
  readonly dial_timeout: string;
  readonly tls_required: false;
}

/** What to package. */
export interface CcaasPackageSpec {
  readonly name: string;
  readonly version: string;
  readonly address: string;
  /** Default `10s`. */
  readonly dialTimeout?: string;
}

/** A built package and the id a peer gives it on install. */
export interface CcaasPackage {
  /** `<name>_<version>`. */
  readonly label: string;
  /** `<label>:<sha256 of the package bytes>`, as `peer lifecycle chaincode calculatepackageid` prints it. */
  readonly packageId: string;
  readonly metadata: { readonly type: 'ccaas'; readonly label: string };
  readonly connection: CcaasConnection;
  /** The `.tar.gz` file content. */
  readonly bytes: Buffer;
}

/** `<name>_<version>`, checked against Fabric's label rule. */
export function packageLabel(name: string, version: string): string {
  const label = `${name}_${version}`;
  if (!PACKAGE_LABEL.test(label))
    throw new ExportError('BAD_LABEL', `chaincode package label "${label}" is not valid for Fabric`, {
      hint: 'use a chaincode name and version of letters and digits separated by single . + - or _ characters',
    });
  return label;
}

/**
 * Builds the CCaaS package of a chaincode. The archive is reproducible (fixed timestamps and order), so
 * the package id is the same on every export of the same name, version and address.
 */
export function ccaasPackage(spec: CcaasPackageSpec): CcaasPackage {
  const label = packageLabel(spec.name, spec.version);
  const metadata = { type: 'ccaas', label } as const;
  const connection: CcaasConnection = {
    address: spec.address,
    dial_timeout: spec.dialTimeout ?? '10s',
    tls_required: false,
  };
  const json = (v: unknown): Buffer => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);
  const code = tarGz([{ name: 'connection.json', data: json(connection) }]);
  const bytes = tarGz([
    { name: 'metadata.json', data: json(metadata) },
    { name: 'code.tar.gz', data: code },
  ]);
  const packageId = `${label}:${createHash('sha256').update(bytes).digest('hex')}`;
  return { label, packageId, metadata, connection, bytes };
}
