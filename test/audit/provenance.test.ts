/**
 * Provenance bundles on the default consortium: reports anchored through the gateway's
 * `FabricLedger`, the trail read from the contract, blocks read with `FabricBlockSource` (the real
 * `@hyperledger/fabric-gateway` block events), the bundle verified offline with the CA certificates of
 * the network's home folder, then tampered with: one byte in every region of the file, every byte of
 * its JSON skeleton, hundreds of random bytes, wrong roots, a transaction of another report, and
 * blocks re-signed with the orderer's own key (and the creator's) to reach the transaction checks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { common, peer } from '@hyperledger/fabric-protos';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildProvenanceBundle,
  FabricBlockSource,
  parseProvenanceBundle,
  serializeProvenanceBundle,
  verifyProvenanceBundle,
  type ProvenanceBundle,
  type ProvenanceVerification,
  type VerificationCode,
} from '../../gateway/src/audit/provenance/index.js';
import { blockHeaderBytes as gatewayHeaderBytes } from '../../gateway/src/audit/provenance/blocks.js';
import { registerProof } from '../../gateway/src/cli/proof.js';
import { readConnectionProfile } from '../../gateway/src/ledger/connection.js';
import { FabricLedger } from '../../gateway/src/ledger/fabric-ledger.js';
import type { ReportAnchorInput } from '../../gateway/src/ports/ledger.js';
import { sha256, signingIdentity, type SigningIdentity } from '../../network/src/crypto/signing.js';
import { CertificateAuthority } from '../../network/src/msp/ca.js';
import { blockHeaderBytes as emulatorHeaderBytes } from '../../network/src/orderer/blocks.js';
import { connectGateway, type GatewaySession } from '../../network/src/ops/gateway-client.js';
import { profileHome, type ProfileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const PEER_DOMAINS = [
  'yangtze.creditchain.example',
  'pearl.creditchain.example',
  'jingjinji.creditchain.example',
  'regulator.creditchain.example',
];
const ORDERER_DOMAIN = 'creditchain.example';
const REPORT_A = 'YangtzeMSP:prov-a';
const REPORT_A2 = 'YangtzeMSP:prov-a2';
const REPORT_C = 'YangtzeMSP:prov-c';

const hex = (): string => randomBytes(32).toString('hex');

function anchor(reportId: string, subjectRef: string, supersedes?: string): ReportAnchorInput {
  return {
    reportId,
    subjectRef,
    category: 'basic',
    schemaVersion: '1.0',
    ciphertextHash: hex(),
    commitment: hex(),
    sizeBucket: 'XS',
    ...(supersedes === undefined ? {} : { supersedes }),
  };
}

/** A deterministic byte generator, so a failing random flip can be reproduced. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('provenance bundles of report trails on the default consortium', () => {
  let base: string;
  let home: ProfileHome;
  let session: NetworkSession;
  let ledger: FabricLedger;
  let client: GatewaySession;
  let blocks: FabricBlockSource;
  let roots: string[];
  let rootFiles: string[];
  let bundleBytes: Uint8Array;
  let bundle: ProvenanceBundle;
  let orderer: SigningIdentity;
  let creator: SigningIdentity;
  let otherPeer: SigningIdentity;
  let reportCTxId: string;

  const verify = (file: Uint8Array | string, withRoots = roots): ProvenanceVerification =>
    verifyProvenanceBundle(file, { roots: withRoots });
  const codeOf = (file: Uint8Array | string): VerificationCode | undefined => verify(file).failure?.code;

  async function trailOf(reportId: string): Promise<{ txId: string; kind: string }[]> {
    const raw = await client.gateway
      .getNetwork('creditchain')
      .getContract('credit')
      .evaluateTransaction('GetReportTrail', reportId, '100', '');
    return (JSON.parse(Buffer.from(raw).toString()) as { records: { txId: string; kind: string }[] }).records;
  }

  const locate = async (txId: string): Promise<bigint> =>
    BigInt((await ledger.commitStatus('User1', txId)).blockNumber);

  async function nodeIdentity(mspId: string, dir: string): Promise<SigningIdentity> {
    return signingIdentity(
      mspId,
      await readFile(join(dir, 'msp', 'signcerts', 'cert.pem'), 'utf8'),
      await readFile(join(dir, 'msp', 'keystore', 'priv_sk'), 'utf8'),
    );
  }

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-prov-'));
    home = profileHome(join(base, 'net'), 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
    });
    const user = session.net.identity('YangtzeMSP', 'User1');
    ledger = FabricLedger.connect({
      peer: await readConnectionProfile(join(home.dir, 'connection-yangtze.json')),
      channel: 'creditchain',
      chaincode: 'credit',
      identityOf: (name) =>
        Promise.resolve(
          name === 'User1'
            ? { mspId: 'YangtzeMSP', certPem: user.certPem, privateKeyPem: user.keyPem }
            : undefined,
        ),
    });
    const yangtzePeer = session.net.peers.find((p) => p.mspId === 'YangtzeMSP');
    if (!yangtzePeer) throw new Error('no Yangtze peer');
    client = connectGateway(yangtzePeer, user);
    blocks = new FabricBlockSource(client.gateway.getNetwork('creditchain'));

    const orgs = join(home.dir, 'organizations');
    rootFiles = [
      join(orgs, 'ordererOrganizations', ORDERER_DOMAIN, 'ca', `ca.${ORDERER_DOMAIN}-cert.pem`),
      ...PEER_DOMAINS.map((d) => join(orgs, 'peerOrganizations', d, 'ca', `ca.${d}-cert.pem`)),
    ];
    roots = await Promise.all(rootFiles.map((f) => readFile(f, 'utf8')));
    orderer = await nodeIdentity(
      'OrdererMSP',
      join(orgs, 'ordererOrganizations', ORDERER_DOMAIN, 'orderers', `orderer.${ORDERER_DOMAIN}`),
    );
    creator = signingIdentity('YangtzeMSP', user.certPem, user.keyPem);
    const pearlDomain = PEER_DOMAINS[1] ?? '';
    otherPeer = await nodeIdentity(
      'PearlMSP',
      join(orgs, 'peerOrganizations', pearlDomain, 'peers', `peer0.${pearlDomain}`),
    );

    // Report A, an unrelated report C in between, then a correction of A: A's trail is SUBMITTED
    // and SUPERSEDED, in two blocks with C's block between them.
    const subject = hex();
    await ledger.submitReport('User1', anchor(REPORT_A, subject));
    reportCTxId = (await ledger.submitReport('User1', anchor(REPORT_C, hex()))).txId;
    await ledger.submitReport('User1', anchor(REPORT_A2, subject, REPORT_A));
  });

  afterAll(async () => {
    blocks.close();
    client.close();
    await ledger.close();
    await session.stop();
    await rm(base, { recursive: true, force: true });
  });

  it("builds the bundle of a report's trail from the peer's blocks and verifies it offline", async () => {
    const trail = await trailOf(REPORT_A);
    expect(trail.map((e) => e.kind)).toEqual(['SUBMITTED', 'SUPERSEDED']);
    bundle = await buildProvenanceBundle({
      reportId: REPORT_A,
      chaincode: 'credit',
      transactions: trail.map((e) => ({ txId: e.txId })),
      locate,
      blocks,
    });
    bundleBytes = serializeProvenanceBundle(bundle);
    expect(bundle.blocks).toHaveLength(2);
    expect(bundle.chain.length).toBeGreaterThanOrEqual(1);
    expect(bundle.transactions.map((t) => t.txId)).toEqual(trail.map((e) => e.txId));
    expect(parseProvenanceBundle(bundleBytes)).toEqual(bundle);

    const result = verify(bundleBytes);
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.reportId).toBe(REPORT_A);
    expect(result.transactions.map((t) => t.function)).toEqual(['SubmitReport', 'SubmitReport']);
    for (const tx of result.transactions) {
      expect(tx.creator).toEqual({ mspId: 'YangtzeMSP', name: 'User1@yangtze.creditchain.example' });
      expect(tx.endorsers.length).toBeGreaterThanOrEqual(3);
    }
    const names = new Set(result.checks.map((c) => c.check));
    for (const check of [
      'roots',
      'previous-hash',
      'data-hash',
      'orderer-signature',
      'endorsement-policy',
      'report',
    ])
      expect(names).toContain(check);
  });

  it('hashes block headers exactly as the emulator does', () => {
    const block = common.Block.deserializeBinary(Buffer.from(bundle.blocks[1]?.block ?? '', 'base64'));
    const header = block.getHeader() ?? new common.BlockHeader();
    expect(
      Buffer.from(
        gatewayHeaderBytes({
          number: BigInt(header.getNumber()),
          previousHash: header.getPreviousHash_asU8(),
          dataHash: header.getDataHash_asU8(),
        }),
      ).equals(emulatorHeaderBytes(header)),
    ).toBe(true);
  });

  it('verifies through `creditchain proof verify`, exit code 0 when valid and 1 naming the first failing check', async () => {
    const file = join(base, 'a.provenance.json');
    await writeFile(file, bundleBytes);
    const run = async (args: string[]): Promise<{ code: number; out: string[] }> => {
      const out: string[] = [];
      let code = -1;
      const program = new Command('creditchain').exitOverride();
      registerProof(program, {
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        setExitCode: (c) => (code = c),
      });
      await program.parseAsync(args, { from: 'user' });
      return { code, out };
    };
    const ok = await run(['proof', 'verify', file, '--roots', ...rootFiles]);
    expect(ok.code).toBe(0);
    expect(ok.out[0]).toMatch(
      /VALID provenance of report YangtzeMSP:prov-a on channel creditchain, 2 transactions/,
    );

    const json = await run(['proof', 'verify', file, '--roots', ...rootFiles, '--json']);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ ok: true, reportId: REPORT_A });

    const tampered = join(base, 'tampered.json');
    const copy = Buffer.from(bundleBytes);
    const at = copy.indexOf('"dataHash":"') + 12;
    copy[at] = copy[at] === 0x30 ? 0x31 : 0x30;
    await writeFile(tampered, copy);
    const bad = await run(['proof', 'verify', tampered, '--roots', ...rootFiles]);
    expect(bad.code).toBe(1);
    expect(bad.out[0]).toMatch(/INVALID: CHAIN_BROKEN \(previous-hash, block \d+\)/);

    const fewerRoots = await run(['proof', 'verify', file, '--roots', rootFiles[0] ?? '']);
    expect(fewerRoots.code).toBe(1);
    expect(fewerRoots.out[0]).toMatch(/INVALID: ROOT_MISMATCH \(roots\): the root CA of .*YangtzeMSP/);
    await expect(
      run(['proof', 'verify', join(base, 'missing.json'), '--roots', ...rootFiles]),
    ).rejects.toThrow(/cannot read bundle/);
  });

  /** The bundle with one byte of one block's raw bytes flipped, at `offset` within the first `needle`. */
  function flipInBlock(
    number: number,
    needle: Uint8Array,
    offset = Math.floor(needle.length / 2),
  ): Uint8Array {
    const raw = Buffer.from(
      number === 0 ? bundle.config : (bundle.blocks.find((b) => b.number === number)?.block ?? ''),
      'base64',
    );
    const at = raw.indexOf(Buffer.from(needle));
    expect(at).toBeGreaterThanOrEqual(0);
    raw[at + offset] = (raw[at + offset] ?? 0) ^ 0x01;
    return number === 0
      ? serializeProvenanceBundle({ ...bundle, config: raw.toString('base64') })
      : withBlock(number, raw);
  }

  function withBlock(number: number, raw: Uint8Array): Uint8Array {
    return serializeProvenanceBundle({
      ...bundle,
      blocks: bundle.blocks.map((b) =>
        b.number === number ? { ...b, block: Buffer.from(raw).toString('base64') } : b,
      ),
    });
  }

  function blockOf(number: number): common.Block {
    const b64 = number === 0 ? bundle.config : (bundle.blocks.find((b) => b.number === number)?.block ?? '');
    return common.Block.deserializeBinary(Buffer.from(b64, 'base64'));
  }

  function signatureMetadata(block: common.Block): common.Metadata {
    return common.Metadata.deserializeBinary(
      block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array(),
    );
  }

  interface TxParts {
    envelope: common.Envelope;
    payload: common.Payload;
    transaction: peer.Transaction;
    actionPayload: peer.ChaincodeActionPayload;
    endorsed: peer.ChaincodeEndorsedAction;
  }

  function txParts(envelopeBytes: Uint8Array): TxParts {
    const envelope = common.Envelope.deserializeBinary(envelopeBytes);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(
      transaction.getActionsList()[0]!.getPayload_asU8(),
    );
    return { envelope, payload, transaction, actionPayload, endorsed: actionPayload.getAction()! };
  }

  it('rejects a changed byte in every region of every block, with the check it breaks', () => {
    for (const { number } of bundle.blocks) {
      const block = blockOf(number);
      const header = block.getHeader()!;
      const envelope = block.getData()!.getDataList_asU8()[0]!;
      const parts = txParts(envelope);
      const endorsement = parts.endorsed.getEndorsementsList()[0]!;
      const signature = signatureMetadata(block).getSignaturesList()[0]!;
      const signatureHeader = common.SignatureHeader.deserializeBinary(signature.getSignatureHeader_asU8());
      const cases: [string, Uint8Array, VerificationCode][] = [
        ['header previous_hash', flipInBlock(number, header.getPreviousHash_asU8()), 'CHAIN_BROKEN'],
        ['header data_hash', flipInBlock(number, header.getDataHash_asU8()), 'DATA_HASH_MISMATCH'],
        ['envelope payload', flipInBlock(number, parts.envelope.getPayload_asU8(), 5), 'DATA_HASH_MISMATCH'],
        [
          "creator's signature",
          flipInBlock(number, parts.envelope.getSignature_asU8()),
          'DATA_HASH_MISMATCH',
        ],
        ['endorsement signature', flipInBlock(number, endorsement.getSignature_asU8()), 'DATA_HASH_MISMATCH'],
        ['endorser', flipInBlock(number, endorsement.getEndorser_asU8()), 'DATA_HASH_MISMATCH'],
        [
          'proposal response payload',
          flipInBlock(number, parts.endorsed.getProposalResponsePayload_asU8()),
          'DATA_HASH_MISMATCH',
        ],
        [
          "orderer's signature",
          flipInBlock(number, signature.getSignature_asU8()),
          'ORDERER_SIGNATURE_INVALID',
        ],
        [
          "orderer's nonce",
          flipInBlock(number, signatureHeader.getNonce_asU8()),
          'ORDERER_SIGNATURE_INVALID',
        ],
        [
          "orderer's certificate",
          flipInBlock(number, signatureHeader.getCreator_asU8()),
          'ORDERER_SIGNATURE_INVALID',
        ],
        [
          'orderer block metadata',
          flipInBlock(
            number,
            block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES]!,
            2,
          ),
          'ORDERER_SIGNATURE_INVALID',
        ],
      ];
      for (const [region, file, code] of cases)
        expect([`block ${number} ${region}`, codeOf(file)]).toEqual([`block ${number} ${region}`, code]);
    }
  });

  it('rejects a changed byte of the configuration block', () => {
    const config = blockOf(0);
    const data = config.getData()!.getDataList_asU8()[0]!;
    const pem = Buffer.from(data).indexOf('-----BEGIN CERTIFICATE-----');
    const signature = signatureMetadata(config).getSignaturesList()[0]!;
    const cases: [string, Uint8Array, VerificationCode][] = [
      ['a root certificate', flipInBlock(0, data.subarray(pem + 40, pem + 60)), 'DATA_HASH_MISMATCH'],
      ['the configuration', flipInBlock(0, data, 3), 'DATA_HASH_MISMATCH'],
      ['data_hash', flipInBlock(0, config.getHeader()!.getDataHash_asU8()), 'DATA_HASH_MISMATCH'],
      ["orderer's signature", flipInBlock(0, signature.getSignature_asU8()), 'ORDERER_SIGNATURE_INVALID'],
    ];
    for (const [region, file, code] of cases) expect([region, codeOf(file)]).toEqual([region, code]);
  });

  it('rejects a changed byte in the JSON fields', () => {
    const text = Buffer.from(bundleBytes).toString('utf8');
    const edit = (needle: string, offset: number, replacement: string): string => {
      const at = text.indexOf(needle);
      expect(at).toBeGreaterThanOrEqual(0);
      const i = at + offset;
      expect(replacement).toHaveLength(1);
      expect(text[i]).not.toBe(replacement);
      return text.slice(0, i) + replacement + text.slice(i + 1);
    };
    const tx = bundle.transactions[0]!;
    const cases: [string, string, VerificationCode][] = [
      ['reportId', edit(`"reportId":"${REPORT_A}"`, 13, 'Z'), 'NOT_ABOUT_REPORT'],
      ['txId', edit(`"txId":"${tx.txId}"`, 8, tx.txId[0] === 'a' ? 'b' : 'a'), 'TX_NOT_IN_BLOCK'],
      ['index', edit(`"index":${tx.index}`, 8, String(tx.index + 1)), 'TX_NOT_IN_BLOCK'],
      ['chaincode', edit('"chaincode":"credit"', 17, 's'), 'TX_INVALID'],
      [
        'chain dataHash',
        edit('"dataHash":"', 12 + 10, text[text.indexOf('"dataHash":"') + 22] === 'f' ? 'e' : 'f'),
        'CHAIN_BROKEN',
      ],
      [
        'block number',
        edit(`"number":${bundle.blocks[0]!.number}`, 9, String((bundle.blocks[0]!.number % 9) + 1)),
        'BUNDLE_MALFORMED',
      ],
      ['channel', edit('"channel":"creditchain"', 11, 'k'), 'BUNDLE_MALFORMED'],
      ['format', edit('"format":"creditchain.provenance/1"', 34, '2'), 'BUNDLE_MALFORMED'],
      ['validationCode', edit('"validationCode":"VALID"', 18, 'W'), 'BUNDLE_MALFORMED'],
      ['final newline', text.slice(0, -1) + ' ', 'BUNDLE_MALFORMED'],
    ];
    for (const [field, file, code] of cases) expect([field, codeOf(file)]).toEqual([field, code]);
  });

  it('rejects every single-byte change of the JSON skeleton (everything but the base64 blocks)', () => {
    const text = Buffer.from(bundleBytes);
    const inBase64 = new Uint8Array(text.length);
    for (const b64 of [bundle.config, ...bundle.blocks.map((b) => b.block)]) {
      const at = text.indexOf(`"${b64}"`);
      inBase64.fill(1, at + 1, at + 1 + b64.length);
    }
    let flips = 0;
    for (let i = 0; i < text.length; i++) {
      if (inBase64[i] === 1) continue;
      const copy = Buffer.from(text);
      copy[i] = (copy[i] ?? 0) ^ 0x01;
      expect([i, verify(copy).ok]).toEqual([i, false]);
      flips++;
    }
    expect(flips).toBeGreaterThan(500);
  });

  it('rejects hundreds of random single-byte changes anywhere in the file', () => {
    const next = xorshift(0x5eed);
    for (let n = 0; n < 400; n++) {
      const copy = Buffer.from(bundleBytes);
      const i = next() % copy.length;
      copy[i] = (copy[i] ?? 0) ^ (1 + (next() % 255));
      expect([i, verify(copy).ok]).toEqual([i, false]);
    }
  });

  it('rejects wrong roots: another CA for one organisation, a missing organisation, none at all', async () => {
    const stranger = await CertificateAuthority.create({ domain: 'pearl.creditchain.example' });
    const swapped = roots.map((pem, i) => (i === 2 ? stranger.certPem : pem));
    expect(verify(bundleBytes, swapped).failure).toMatchObject({ check: 'roots', code: 'ROOT_MISMATCH' });
    expect(verify(bundleBytes, swapped).failure?.message).toMatch(/PearlMSP/);
    expect(verify(bundleBytes, roots.slice(1)).failure?.message).toMatch(/OrdererMSP/);
    expect(verify(bundleBytes, []).failure).toMatchObject({ code: 'ROOT_MISMATCH' });
    // every root in one file is as good as one file per root
    expect(verify(bundleBytes, [roots.join('\n')]).ok).toBe(true);
  });

  it('rejects a bundle whose transaction belongs to another report', async () => {
    const foreign = await buildProvenanceBundle({
      reportId: REPORT_A,
      chaincode: 'credit',
      transactions: [{ txId: reportCTxId }],
      locate,
      blocks,
    });
    expect(verify(serializeProvenanceBundle(foreign)).failure).toMatchObject({
      check: 'report',
      code: 'NOT_ABOUT_REPORT',
      txId: reportCTxId,
    });
    // the same transaction under its own report is fine
    expect(verify(serializeProvenanceBundle({ ...foreign, reportId: REPORT_C })).ok).toBe(true);
    // the correction appends to both trails (A: SUPERSEDED, A2: CORRECTED): its bundle is valid for A2 too
    const a2 = await trailOf(REPORT_A2);
    expect(a2.map((e) => e.kind)).toEqual(['CORRECTED']);
    const a2Bundle = await buildProvenanceBundle({
      reportId: REPORT_A2,
      chaincode: 'credit',
      transactions: a2.map((e) => ({ txId: e.txId })),
      locate,
      blocks,
    });
    expect(a2Bundle.transactions[0]?.txId).toBe(bundle.transactions[1]?.txId);
    expect(verify(serializeProvenanceBundle(a2Bundle)).ok).toBe(true);
  });

  /**
   * Re-seals the last trail block after `change` edits its first transaction: optionally re-signs the
   * envelope as its creator, recomputes the data hash and re-signs the header as the orderer (or
   * `blockSigner`). The hash chain still holds, because no block follows it in the bundle.
   */
  function resealed(
    change: (parts: TxParts) => void,
    options: { resignEnvelope?: boolean; blockSigner?: SigningIdentity } = {},
  ): Uint8Array {
    const last = bundle.blocks[bundle.blocks.length - 1]!;
    const block = blockOf(last.number);
    const tx = bundle.transactions.find((t) => t.block === last.number)!;
    const data = block.getData()!.getDataList_asU8().slice();
    const parts = txParts(data[tx.index]!);
    change(parts);
    parts.actionPayload.setAction(parts.endorsed);
    parts.transaction.getActionsList()[0]!.setPayload(parts.actionPayload.serializeBinary());
    parts.payload.setData(parts.transaction.serializeBinary());
    const payloadBytes = parts.payload.serializeBinary();
    if (!Buffer.from(payloadBytes).equals(parts.envelope.getPayload_asU8()))
      parts.envelope.setPayload(payloadBytes);
    if (options.resignEnvelope === true)
      parts.envelope.setSignature(creator.sign(parts.envelope.getPayload_asU8()));
    data[tx.index] = parts.envelope.serializeBinary();
    block.getData()!.setDataList(data);
    const header = block.getHeader()!;
    header.setDataHash(sha256(...data));
    const signer = options.blockSigner ?? orderer;
    const md = signatureMetadata(block);
    const sh = new common.SignatureHeader();
    sh.setCreator(signer.serialized);
    sh.setNonce(randomBytes(24));
    const shBytes = sh.serializeBinary();
    const sig = new common.MetadataSignature();
    sig.setSignatureHeader(shBytes);
    sig.setSignature(signer.sign(Buffer.concat([md.getValue_asU8(), shBytes, emulatorHeaderBytes(header)])));
    md.setSignaturesList([sig]);
    const slots = block.getMetadata()!.getMetadataList_asU8().slice();
    slots[common.BlockMetadataIndex.SIGNATURES] = md.serializeBinary();
    block.getMetadata()!.setMetadataList(slots);
    return withBlock(last.number, block.serializeBinary());
  }

  it('reaches the transaction checks when an insider re-signs the block with the orderer key', () => {
    const failure = (file: Uint8Array) => verify(file).failure;
    expect(verify(resealed(() => undefined)).ok).toBe(true);
    expect(failure(resealed(() => undefined, { blockSigner: otherPeer }))).toMatchObject({
      check: 'orderer-signature',
      code: 'ORDERER_SIGNATURE_INVALID',
    });
    expect(
      failure(
        resealed((p) => {
          const s = Buffer.from(p.envelope.getSignature_asU8());
          s[s.length - 1] = (s[s.length - 1] ?? 0) ^ 0x01;
          p.envelope.setSignature(s);
        }),
      ),
    ).toMatchObject({ check: 'creator', code: 'CREATOR_INVALID' });
    expect(
      failure(
        resealed((p) => {
          const [first, ...rest] = p.endorsed.getEndorsementsList();
          const s = Buffer.from(first!.getSignature_asU8());
          s[s.length - 1] = (s[s.length - 1] ?? 0) ^ 0x01;
          first!.setSignature(s);
          p.endorsed.setEndorsementsList([first!, ...rest]);
        }),
      ),
    ).toMatchObject({ check: 'creator', code: 'CREATOR_INVALID' });
    expect(
      failure(
        resealed(
          (p) => {
            const [first, ...rest] = p.endorsed.getEndorsementsList();
            const s = Buffer.from(first!.getSignature_asU8());
            s[s.length - 1] = (s[s.length - 1] ?? 0) ^ 0x01;
            first!.setSignature(s);
            p.endorsed.setEndorsementsList([first!, ...rest]);
          },
          { resignEnvelope: true },
        ),
      ),
    ).toMatchObject({ check: 'endorsements', code: 'ENDORSEMENT_INVALID' });
    expect(
      failure(
        resealed(
          (p) => {
            p.endorsed.setEndorsementsList(p.endorsed.getEndorsementsList().slice(0, 2));
          },
          {
            resignEnvelope: true,
          },
        ),
      ),
    ).toMatchObject({ check: 'endorsement-policy', code: 'POLICY_NOT_SATISFIED' });
    expect(
      failure(
        resealed(
          (p) => {
            const e = p.endorsed.getEndorsementsList()[0]!;
            p.endorsed.setEndorsementsList([e, e, e, e]);
          },
          { resignEnvelope: true },
        ),
      ),
    ).toMatchObject({ check: 'endorsement-policy', code: 'POLICY_NOT_SATISFIED' });
    const invalid = serializeProvenanceBundle({
      ...bundle,
      transactions: bundle.transactions.map((t, i) =>
        i === 0 ? { ...t, validationCode: 'MVCC_READ_CONFLICT' } : t,
      ),
    });
    expect(failure(invalid)).toMatchObject({ check: 'validation-code', code: 'TX_INVALID' });
  });
});
