/*
 * Shared X.509 plumbing for the msp module: @peculiar/x509 set up on node's WebCrypto, PEM helpers and
 * the Fabric CA attribute encoding.
 */
// @peculiar/x509 resolves its services through tsyringe, which throws at import time unless a Reflect
// metadata polyfill is loaded first (checked with @peculiar/x509 2.2 / tsyringe 4.10).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };

/** A Fabric NodeOU classification, the `OU` that tells identities of one MSP apart. */
export type NodeOU = 'client' | 'peer' | 'admin' | 'orderer';

/** The NodeOUs in Fabric's order (client, peer, admin, orderer). */
export const NODE_OUS: readonly NodeOU[] = ['client', 'peer', 'admin', 'orderer'];

/** OID under which Fabric CA stores enrolment attributes (`attrmgr.AttrOID`). */
export const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

/** ECDSA P-256 key generation parameters. */
export const EC_P256: webcrypto.EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** ECDSA with SHA-256, the signature algorithm of every certificate minted here. */
export const ECDSA_SHA256: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** Ensures a PEM text ends with exactly one newline, as Fabric's tools write it. */
export function withTrailingNewline(pem: string): string {
  return `${pem.trimEnd()}\n`;
}

/** Encodes DER bytes as PEM with the given label. */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  return withTrailingNewline(x509.PemConverter.encode(Uint8Array.from(bytes).buffer, label));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * The first PEM block of `text` (like Go's `pem.Decode`): its label and DER bytes, or undefined when there
 * is no well-formed block.
 */
export function firstPemBlock(text: string): { label: string; der: Buffer } | undefined {
  const m = PEM_BLOCK.exec(text);
  if (!m) return undefined;
  const body = (m[2] ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length === 0) return undefined;
  return { label: m[1] ?? '', der: Buffer.from(body, 'base64') };
}

/**
 * Encodes a value as Go's `encoding/json` does for `map[string]string` (what Fabric CA's `attrmgr`
 * marshals): keys sorted, HTML-sensitive characters and U+2028/U+2029 escaped.
 */
export function goJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  };
  return JSON.stringify(sortKeys(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The raw `extnValue` Fabric CA writes for enrolment attributes: the JSON bytes of `{"attrs":{...}}`. */
export function encodeFabricAttrs(attrs: Readonly<Record<string, string>>): Buffer {
  return Buffer.from(goJson({ attrs }), 'utf8');
}

/**
 * Decodes the Fabric CA attribute extension value; undefined when it is not `{"attrs":{string:string}}`.
 */
export function decodeFabricAttrs(value: Uint8Array): Record<string, string> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value).toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const attrs: unknown = (parsed as { attrs?: unknown }).attrs;
    if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v !== 'string') return undefined;
      out[k] = v;
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * A random positive 128-bit serial number (hex). The first byte is kept in 0x40..0x7f so the DER INTEGER
 * is minimal and positive: Go's x509 parser rejects non-minimal and negative serials.
 */
export function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}
