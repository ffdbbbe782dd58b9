import { createRequire } from 'node:module';

/*
 * Test-only access to independent decoders: fabric-common 2.2's BlockDecoder and the protobufjs-based
 * 'fabric-protos' 2.2 package it uses (a different protobuf implementation from google-protobuf).
 */

const require = createRequire(import.meta.url);

/** A decoded object graph as BlockDecoder returns it (snake_case keys, Buffers, Longs). */
export type Decoded = Record<string, unknown>;

interface BlockDecoderClass {
  decode(bytes: Buffer): Decoded;
}

interface ProtobufJsType {
  decode(bytes: Uint8Array): Decoded;
}

interface FabricProtos22 {
  common: Record<string, ProtobufJsType>;
  msp: Record<string, ProtobufJsType>;
}

/** fabric-common 2.2's BlockDecoder. */
export const BlockDecoder = require('fabric-common/lib/BlockDecoder') as BlockDecoderClass;

/** The protobufjs message classes of 'fabric-protos' 2.2. */
export const fabricProtos22 = require('fabric-protos') as FabricProtos22;

/** Looks up a protobufjs message type, failing loudly if it does not exist. */
export function protoType(pkg: 'common' | 'msp', name: string): ProtobufJsType {
  const t = fabricProtos22[pkg][name];
  if (!t) throw new Error(`fabric-protos 2.2 has no ${pkg}.${name}`);
  return t;
}

/** Walks a decoded object graph along a dotted path (`a.b.0.c`), returning undefined when absent. */
export function at(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
