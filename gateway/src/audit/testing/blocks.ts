// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill
// loaded first.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, sign, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb.js';
import { dataHash, headerBytes, headerHash } from '../block-hash.js';

/*
 * Test-only: Fabric blocks built here with fabric-protos, as an orderer and a committing peer would
 * write them — a genesis CONFIG block naming the orderer org and its CA, endorser transactions with
 * the credit namespace's writes and event, orderer signatures and the validation codes.
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CHANNEL = 'creditchain';

/** A certificate with its private key. */
export interface TestCert {
  readonly certPem: string;
  readonly key: KeyObject;
}

/** A CA that issues certificates, optionally with Fabric CA attributes. */
export class TestCa {
  readonly cert: x509.X509Certificate;
  readonly #keys: CryptoKeyPair;

  private constructor(cert: x509.X509Certificate, keys: CryptoKeyPair) {
    this.cert = cert;
    this.#keys = keys;
  }

  static async create(name: string): Promise<TestCa> {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=ca.${name},O=${name},C=CN`,
      keys,
      signingAlgorithm: ALG,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    return new TestCa(cert, keys);
  }

  get pem(): string {
    return this.cert.toString('pem');
  }

  async issue(commonName: string, attrs?: Record<string, string>): Promise<TestCert> {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      subject: `C=CN,O=${this.cert.subjectName.getField('O')[0] ?? 'org'},OU=client,CN=${commonName}`,
      issuer: this.cert.subject,
      publicKey: keys.publicKey,
      signingKey: this.#keys.privateKey,
      signingAlgorithm: ALG,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      extensions: attrs
        ? [new x509.Extension('1.2.3.4.5.6.7.8.1', false, Buffer.from(JSON.stringify({ attrs })))]
        : [],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return {
      certPem: cert.toString('pem'),
      key: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
    };
  }
}

function serializedIdentity(mspId: string, certPem: string): Uint8Array {
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(Buffer.from(certPem));
  return id.serializeBinary();
}

/** `ConfigEnvelope` bytes naming orderer organisations and their root CAs. */
export function channelConfig(
  orderers: readonly { mspId: string; rootPems: readonly string[] }[],
): Uint8Array {
  const ordererGroup = new common.ConfigGroup();
  for (const o of orderers) {
    const fabric = new msp.FabricMSPConfig();
    fabric.setName(o.mspId);
    fabric.setRootCertsList(o.rootPems.map((p) => Buffer.from(p)));
    const mspConfig = new msp.MSPConfig();
    mspConfig.setType(0);
    mspConfig.setConfig(fabric.serializeBinary());
    const value = new common.ConfigValue();
    value.setValue(mspConfig.serializeBinary());
    const org = new common.ConfigGroup();
    org.getValuesMap().set('MSP', value);
    ordererGroup.getGroupsMap().set(o.mspId, org);
  }
  const channel = new common.ConfigGroup();
  channel.getGroupsMap().set('Orderer', ordererGroup);
  const config = new common.Config();
  config.setChannelGroup(channel);
  const envelope = new common.ConfigEnvelope();
  envelope.setConfig(config);
  return envelope.serializeBinary();
}

function envelope(type: number, txId: string, time: Date, creator: Uint8Array, data: Uint8Array): Uint8Array {
  const ts = new Timestamp();
  ts.setSeconds(Math.floor(time.getTime() / 1000));
  ts.setNanos((time.getTime() % 1000) * 1_000_000);
  const ch = new common.ChannelHeader();
  ch.setType(type);
  ch.setChannelId(CHANNEL);
  ch.setTxId(txId);
  ch.setTimestamp(ts);
  const sh = new common.SignatureHeader();
  sh.setCreator(creator);
  sh.setNonce(randomBytes(24));
  const header = new common.Header();
  header.setChannelHeader(ch.serializeBinary());
  header.setSignatureHeader(sh.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  env.setSignature(randomBytes(70));
  return env.serializeBinary();
}

/** A CONFIG transaction carrying `config` (`ConfigEnvelope` bytes). */
export function configTx(config: Uint8Array, txId = ''): Uint8Array {
  return envelope(common.HeaderType.CONFIG, txId, new Date(), new Uint8Array(0), config);
}

/** A write of an endorser transaction. */
export interface TestWrite {
  readonly key: string;
  /** JSON-serialised, or a delete when null. */
  readonly value: unknown;
  readonly namespace?: string;
}

/** An endorser transaction of chaincode `credit` with `writes` and an optional event. */
export function endorserTx(tx: {
  readonly txId: string;
  readonly time: Date;
  readonly creator: { readonly mspId: string; readonly certPem: string };
  readonly writes: readonly TestWrite[];
  readonly event?: { readonly name: string; readonly payload: unknown };
}): Uint8Array {
  const byNamespace = new Map<string, ledger.rwset.kvrwset.KVWrite[]>();
  for (const w of tx.writes) {
    const kv = new ledger.rwset.kvrwset.KVWrite();
    kv.setKey(w.key);
    if (w.value === null) kv.setIsDelete(true);
    else kv.setValue(Buffer.from(JSON.stringify(w.value)));
    const ns = w.namespace ?? 'credit';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), kv]);
  }
  const rwset = new ledger.rwset.TxReadWriteSet();
  rwset.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  rwset.setNsRwsetList(
    [...byNamespace.entries()].map(([namespace, writes]) => {
      const kv = new ledger.rwset.kvrwset.KVRWSet();
      kv.setWritesList(writes.sort((a, b) => (a.getKey() < b.getKey() ? -1 : 1)));
      const ns = new ledger.rwset.NsReadWriteSet();
      ns.setNamespace(namespace);
      ns.setRwset(kv.serializeBinary());
      return ns;
    }),
  );
  const action = new peer.ChaincodeAction();
  action.setResults(rwset.serializeBinary());
  if (tx.event) {
    const ev = new peer.ChaincodeEvent();
    ev.setChaincodeId('credit');
    ev.setTxId(tx.txId);
    ev.setEventName(tx.event.name);
    ev.setPayload(Buffer.from(JSON.stringify(tx.event.payload)));
    action.setEvents(ev.serializeBinary());
  }
  const prp = new peer.ProposalResponsePayload();
  prp.setProposalHash(randomBytes(32));
  prp.setExtension$(action.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(prp.serializeBinary());
  const cap = new peer.ChaincodeActionPayload();
  cap.setAction(endorsed);
  const ta = new peer.TransactionAction();
  ta.setPayload(cap.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([ta]);
  return envelope(
    common.HeaderType.ENDORSER_TRANSACTION,
    tx.txId,
    tx.time,
    serializedIdentity(tx.creator.mspId, tx.creator.certPem),
    transaction.serializeBinary(),
  );
}

/** Options of {@link TestChain.block}. */
export interface BlockOptions {
  /** Validation codes (default all VALID). */
  readonly codes?: readonly number[];
  /** Signs with another identity (default the chain's orderer). */
  readonly signer?: { readonly mspId: string; readonly cert: TestCert };
  /** Overrides the previous hash. */
  readonly previousHash?: Uint8Array;
  /** Overrides the data hash. */
  readonly dataHash?: Uint8Array;
}

/** A chain of signed blocks: genesis first, then {@link TestChain.block}. */
export class TestChain {
  readonly ordererCa: TestCa;
  readonly orderer: TestCert;
  readonly blocks: Uint8Array[] = [];
  #previousHash: Uint8Array = new Uint8Array(0);

  private constructor(ordererCa: TestCa, orderer: TestCert) {
    this.ordererCa = ordererCa;
    this.orderer = orderer;
  }

  /** A chain with its genesis block (block 0, a CONFIG block naming OrdererMSP). */
  static async create(): Promise<TestChain> {
    const ca = await TestCa.create('orderer');
    const chain = new TestChain(ca, await ca.issue('orderer.creditchain.example'));
    chain.block([configTx(channelConfig([{ mspId: 'OrdererMSP', rootPems: [ca.pem] }]))]);
    return chain;
  }

  get height(): number {
    return this.blocks.length;
  }

  /** Builds, signs and appends the next block; returns its bytes. */
  block(envelopes: readonly Uint8Array[], options: BlockOptions = {}): Uint8Array {
    const number = BigInt(this.blocks.length);
    const previousHash = options.previousHash ?? this.#previousHash;
    const hash = options.dataHash ?? dataHash(envelopes);
    const header = new common.BlockHeader();
    header.setNumber(Number(number));
    header.setPreviousHash(previousHash);
    header.setDataHash(hash);
    const data = new common.BlockData();
    data.setDataList([...envelopes]);

    const obm = new common.OrdererBlockMetadata();
    const lc = new common.LastConfig();
    lc.setIndex(0);
    obm.setLastConfig(lc);
    const value = obm.serializeBinary();
    const signer = options.signer ?? { mspId: 'OrdererMSP', cert: this.orderer };
    const sh = new common.SignatureHeader();
    sh.setCreator(serializedIdentity(signer.mspId, signer.cert.certPem));
    sh.setNonce(randomBytes(24));
    const signatureHeader = sh.serializeBinary();
    const sig = new common.MetadataSignature();
    sig.setSignatureHeader(signatureHeader);
    sig.setSignature(
      sign(
        'sha256',
        Buffer.concat([value, signatureHeader, headerBytes(number, previousHash, hash)]),
        signer.cert.key,
      ),
    );
    const md = new common.Metadata();
    md.setValue(value);
    md.setSignaturesList([sig]);
    const slots: Uint8Array[] = Array.from({ length: 5 }, () => new Uint8Array(0));
    slots[common.BlockMetadataIndex.SIGNATURES] = md.serializeBinary();
    slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(
      options.codes ?? envelopes.map(() => 0),
    );
    const metadata = new common.BlockMetadata();
    metadata.setMetadataList(slots);
    const block = new common.Block();
    block.setHeader(header);
    block.setData(data);
    block.setMetadata(metadata);
    const bytes = block.serializeBinary();
    this.blocks.push(bytes);
    this.#previousHash = headerHash(number, previousHash, hash);
    return bytes;
  }
}
