/**
 * The emulator's blocks as a client receives them (`getBlockEvents` through the real
 * `@hyperledger/fabric-gateway` client), checked with independent tools only: fabric-common 2.2's
 * deprecated BlockDecoder and the protobufjs-based fabric-protos 2.2 for decoding, asn1js for the
 * header DER, node:crypto for hashes and signatures. Nothing here uses the emulator's own block code.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { Contract, Gateway, Network, Status } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, BlockDecoder, protoType, type Decoded } from '../../network/src/orderer/testing/decoders.js';
import { connectAs, startTestNetwork, type TestNetwork } from './support.js';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** Go encoding/asn1 of SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}, by asn1js. */
function headerDer(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  const seq = new asn1js.Sequence({
    value: [
      asn1js.Integer.fromBigInt(number),
      new asn1js.OctetString({ valueHex: previousHash }),
      new asn1js.OctetString({ valueHex: dataHash }),
    ],
  });
  return Buffer.from(seq.toBER(false));
}

/** A block as fabric-protos 2.2 (protobufjs) decodes it: raw data entries and metadata slots. */
interface RawBlock {
  header: { number: { toString(): string }; previous_hash: Buffer; data_hash: Buffer };
  data: { data: Buffer[] };
  metadata: { metadata: Buffer[] };
}

interface RawMetadata {
  value: Buffer;
  signatures: { signature_header: Buffer; signature: Buffer }[];
}

const pem = (bytes: unknown): string => Buffer.from(bytes as Uint8Array).toString('utf8');

describe('blocks delivered to the fabric-gateway client, verified independently', () => {
  let t: TestNetwork;
  let gateway: Gateway;
  let client: grpc.Client;
  let network: Network;
  let asset: Contract;
  const statuses: Status[] = [];
  const blocks: common.Block[] = [];
  let raw: Buffer[] = [];
  let decoded: Decoded[] = [];
  let rawBlocks: RawBlock[] = [];

  beforeAll(async () => {
    t = await startTestNetwork();
    ({ gateway, client } = connectAs(t.net, 'Org1MSP'));
    network = gateway.getNetwork('mychannel');
    asset = network.getContract('asset');

    // Several blocks with several transactions each, and one invalid transaction (MVCC conflict).
    for (let round = 0; round < 3; round++) {
      const submitted = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          asset.submitAsync('Create', { arguments: [`blk-${round}-${i}`, `v${round}${i}`] }),
        ),
      );
      statuses.push(...(await Promise.all(submitted.map((s) => s.getStatus()))));
    }
    const first = await asset.newProposal('Create', { arguments: ['blk-dup', 'one'] }).endorse();
    const second = await asset.newProposal('Create', { arguments: ['blk-dup', 'two'] }).endorse();
    const s1 = await first.submit();
    const s2 = await second.submit();
    statuses.push(await s1.getStatus(), await s2.getStatus());
    expect(statuses.at(-1)!.code).toBe(peer.TxValidationCode.MVCC_READ_CONFLICT);

    const height = t.net.peer('Org1MSP').ledger.height;
    const stream = await network.getBlockEvents({ startBlock: 0n });
    try {
      const iterator = stream[Symbol.asyncIterator]();
      for (let n = 0; n < height; n++) {
        const next = await iterator.next();
        if (next.done === true) throw new Error(`block stream ended at ${n}`);
        blocks.push(next.value);
      }
    } finally {
      stream.close();
    }
    raw = blocks.map((b) => Buffer.from(b.serializeBinary()));
    decoded = raw.map((bytes) => BlockDecoder.decode(bytes));
    rawBlocks = raw.map((bytes) => protoType('common', 'Block').decode(bytes) as unknown as RawBlock);
  });

  afterAll(async () => {
    gateway.close();
    client.close();
    await t.close();
  });

  it('delivers every block, consecutively, byte for byte as the peer stored it', async () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const [n, bytes] of raw.entries()) {
      expect(String(at(decoded[n], 'header.number'))).toBe(String(n));
      expect(rawBlocks[n]!.header.number.toString()).toBe(String(n));
      const stored = await t.net.peer('Org1MSP').ledger.getBlockBytes(n);
      expect(bytes.equals(Buffer.from(stored!))).toBe(true);
      // The other peer committed the same blocks (its own TRANSACTIONS_FILTER included).
      const other = await t.net.peer('Org2MSP').ledger.getBlockBytes(n);
      if (other) expect(bytes.equals(Buffer.from(other))).toBe(true);
    }
  });

  it('block 0 is a CONFIG block for mychannel carrying the org MSPs', () => {
    const b0 = decoded[0]!;
    const env = 'data.data.0.payload';
    expect(at(b0, 'data.data')).toHaveLength(1);
    expect(at(b0, `${env}.header.channel_header.type`)).toBe(common.HeaderType.CONFIG);
    expect(at(b0, `${env}.header.channel_header.channel_id`)).toBe('mychannel');
    const group = (path: string): unknown => at(b0, `${env}.data.config.channel_group.groups.${path}`);
    expect(Object.keys(group('Application.groups') as object).sort()).toEqual(['Org1MSP', 'Org2MSP']);
    for (const org of ['Org1MSP', 'Org2MSP']) {
      expect(group(`Application.groups.${org}.values.MSP.value.config.name`)).toBe(org);
      // The channel's root CA for the org is the one that issued the org's users.
      const root = new X509Certificate(
        pem(group(`Application.groups.${org}.values.MSP.value.config.root_certs.0`)),
      );
      const user = new X509Certificate(t.net.identity(org, 'User1').certPem);
      expect(user.checkIssued(root)).toBe(true);
      expect(user.verify(root.publicKey)).toBe(true);
    }
    const ordererOrgs = group('Orderer.groups') as Record<string, unknown>;
    expect(Object.values(ordererOrgs).map((g) => at(g, 'values.MSP.value.config.name'))).toEqual([
      'OrdererMSP',
    ]);
    expect(at(b0, 'metadata.metadata.2')).toEqual([peer.TxValidationCode.VALID]);
  });

  it('header.data_hash is sha256 of the concatenated data entries', () => {
    for (const [n, block] of rawBlocks.entries()) {
      const expected = sha256(...block.data.data);
      expect(block.header.data_hash.equals(expected)).toBe(true);
      expect((at(decoded[n], 'header.data_hash') as Buffer).equals(expected)).toBe(true);
    }
  });

  it('previous_hash is sha256 of the DER of the previous header (asn1js)', () => {
    expect(rawBlocks[0]!.header.previous_hash).toHaveLength(0);
    for (let n = 1; n < rawBlocks.length; n++) {
      const prev = rawBlocks[n - 1]!.header;
      const der = headerDer(BigInt(n - 1), prev.previous_hash, prev.data_hash);
      expect(rawBlocks[n]!.header.previous_hash.equals(sha256(der))).toBe(true);
      expect((at(decoded[n], 'header.previous_hash') as Buffer).equals(sha256(der))).toBe(true);
    }
  });

  it('every block carries an orderer signature over value || signature_header || header DER', () => {
    const b0 = decoded[0]!;
    const ordererGroups = at(
      b0,
      'data.data.0.payload.data.config.channel_group.groups.Orderer.groups',
    ) as Record<string, unknown>;
    const ordererRoot = new X509Certificate(
      pem(at(Object.values(ordererGroups)[0], 'values.MSP.value.config.root_certs.0')),
    );
    for (const [n, block] of rawBlocks.entries()) {
      const md = protoType('common', 'Metadata').decode(
        block.metadata.metadata[common.BlockMetadataIndex.SIGNATURES]!,
      ) as unknown as RawMetadata;
      expect(md.signatures.length).toBeGreaterThanOrEqual(1);
      const headerBytes = headerDer(BigInt(n), block.header.previous_hash, block.header.data_hash);
      for (const sig of md.signatures) {
        const shdr = protoType('common', 'SignatureHeader').decode(sig.signature_header) as unknown as {
          creator: Buffer;
          nonce: Buffer;
        };
        expect(shdr.nonce.length).toBeGreaterThan(0);
        const creator = protoType('msp', 'SerializedIdentity').decode(shdr.creator) as unknown as {
          mspid: string;
          id_bytes: Buffer;
        };
        expect(creator.mspid).toBe('OrdererMSP');
        const cert = new X509Certificate(creator.id_bytes);
        expect(cert.verify(ordererRoot.publicKey)).toBe(true);
        const message = Buffer.concat([md.value, sig.signature_header, headerBytes]);
        expect(verify('sha256', message, cert.publicKey, sig.signature)).toBe(true);
        // A different header (e.g. another block number) does not verify.
        const forged = Buffer.concat([
          md.value,
          sig.signature_header,
          headerDer(BigInt(n + 1), block.header.previous_hash, block.header.data_hash),
        ]);
        expect(verify('sha256', forged, cert.publicKey, sig.signature)).toBe(false);
      }
      expect(at(decoded[n], 'metadata.metadata.0.signatures.0.signature_header.creator.mspid')).toBe(
        'OrdererMSP',
      );
      const obm = protoType('common', 'OrdererBlockMetadata').decode(md.value) as unknown as {
        last_config: { index: unknown };
      };
      expect(String(obm.last_config.index)).toBe('0');
    }
  });

  it('TRANSACTIONS_FILTER has one code per tx, matching what CommitStatus reported', () => {
    const found = new Map<string, { block: number; code: number }>();
    for (const [n, block] of rawBlocks.entries()) {
      const filter = block.metadata.metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER]!;
      expect(filter).toHaveLength(block.data.data.length);
      expect(at(decoded[n], 'metadata.metadata.2')).toEqual([...filter]);
      const txs = at(decoded[n], 'data.data') as unknown[];
      txs.forEach((tx, i) => {
        const txId = at(tx, 'payload.header.channel_header.tx_id') as string;
        expect(found.has(txId)).toBe(false);
        found.set(txId, { block: n, code: filter[i]! });
        if (n > 0) {
          expect(at(tx, 'payload.header.channel_header.type')).toBe(common.HeaderType.ENDORSER_TRANSACTION);
          expect(at(tx, 'payload.header.channel_header.channel_id')).toBe('mychannel');
          const action = at(tx, 'payload.data.actions.0.payload.action.proposal_response_payload.extension');
          expect(at(action, 'chaincode_id.name')).toBe('asset');
          expect(at(action, 'events.event_name')).toBe('Created');
          expect(at(action, 'response.status')).toBe(200);
          expect((at(tx, 'payload.data.actions.0.payload.action.endorsements') as unknown[]).length).toBe(2);
        }
      });
    }
    for (const status of statuses) {
      expect(found.get(status.transactionId)).toEqual({
        block: Number(status.blockNumber),
        code: status.code,
      });
    }
    expect(statuses.filter((s) => s.code === peer.TxValidationCode.VALID)).toHaveLength(statuses.length - 1);
  });
});
