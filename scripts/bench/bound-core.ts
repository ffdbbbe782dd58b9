/**
 * The work one committed transaction needs, without the emulator: the client's proposal and
 * envelope signatures, the endorsers' signatures, on every peer the verification of the creator's
 * signature and of each endorsement, the SHA-256 hashes (txid, proposal hash, block data hash), and
 * per block the orderer's signature and each peer's check of it. The LevelDB writes are done by the
 * caller ({@link BoundLedgers}), batched per block and synced, on each peer's own database.
 *
 * Shared by the single-threaded pipeline and the worker threads of the parallel one.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { TxShape } from './tx-shape.js';

/** PEM keys of the parties (the client, each endorser, the orderer); public keys are parsed once. */
export interface BoundKeyMaterial {
  readonly client: { readonly privatePem: string; readonly publicPem: string };
  readonly endorsers: ReadonlyArray<{ readonly privatePem: string; readonly publicPem: string }>;
  readonly orderer: { readonly privatePem: string; readonly publicPem: string };
}

/** Fresh P-256 keys for the client, `endorsers` endorsers and the orderer. */
export function generateBoundKeys(endorsers: number): BoundKeyMaterial {
  const pair = () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return {
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  };
  return { client: pair(), endorsers: Array.from({ length: endorsers }, pair), orderer: pair() };
}

/** What the pipeline is asked to do per block. */
export interface BoundConfig {
  readonly shape: TxShape;
  readonly keys: BoundKeyMaterial;
  /** Peers that each validate every transaction (the channel's peers). */
  readonly peers: number;
}

/** A processed block: its bytes and, per transaction, its id and the state writes to commit. */
export interface BoundBlock {
  readonly number: number;
  readonly bytes: Uint8Array;
  readonly txIds: string[];
  /** Per transaction, its writes (keys unique per transaction, values of the sampled sizes). */
  readonly writes: Array<Array<{ key: string; value: Uint8Array }>>;
}

interface Party {
  readonly priv: KeyObject;
  readonly pub: KeyObject;
}

function party(p: { privatePem: string; publicPem: string }): Party {
  return { priv: createPrivateKey(p.privatePem), pub: createPublicKey(p.publicPem) };
}

const HEX64 = /[0-9a-f]{64}/g;

/** Counts of the operations per transaction and per block (for the report). */
export function boundOperationCounts(endorsers: number, peers: number) {
  return {
    perTx: {
      signatures: 2 + endorsers,
      verifications: peers * (1 + endorsers),
      sha256: 1 + peers * 2,
    },
    perBlock: { signatures: 1, verifications: peers, sha256: 1 + peers, syncedBatchWrites: peers },
  };
}

/** The crypto half of the bound pipeline. */
export class BoundCrypto {
  readonly #shape: TxShape;
  readonly #peers: number;
  readonly #client: Party;
  readonly #endorsers: Party[];
  readonly #orderer: Party;
  readonly #valueTexts: string[];

  constructor(config: BoundConfig) {
    this.#shape = config.shape;
    this.#peers = config.peers;
    this.#client = party(config.keys.client);
    this.#endorsers = config.keys.endorsers.map(party);
    this.#orderer = party(config.keys.orderer);
    this.#valueTexts = config.shape.writes.map((w) => Buffer.from(w.value).toString('latin1'));
  }

  /** Signs, hashes and verifies `txCount` transactions and the block holding them. */
  block(number: number, txCount: number): BoundBlock {
    const shape = this.#shape;
    const envelopes: Buffer[] = [];
    const txIds: string[] = [];
    const writes: BoundBlock['writes'] = [];
    for (let i = 0; i < txCount; i++) {
      // Client: nonce, txid, signed proposal.
      const nonce = randomBytes(24);
      const txId = createHash('sha256').update(nonce).update(shape.creator).digest('hex');
      const proposal = Buffer.from(shape.proposal);
      nonce.copy(proposal, 0);
      const proposalSig = sign('sha256', proposal, this.#client.priv);
      // Endorsers: each signs the proposal response payload with its identity appended.
      const prp = Buffer.from(shape.proposalResponsePayload);
      proposal.copy(prp, 0, 0, Math.min(32, prp.length));
      const endorsements = this.#endorsers.map((e, k) => {
        const endorser = shape.endorsers[k % Math.max(1, shape.endorsers.length)] ?? new Uint8Array();
        const message = Buffer.concat([prp, endorser]);
        return { message, signature: sign('sha256', message, e.priv), pub: e.pub };
      });
      // Client: the envelope payload carrying the endorsements, signed for ordering.
      const payload = Buffer.from(shape.payload);
      nonce.copy(payload, 0);
      payload.write(txId, 24, 'latin1');
      const envelopeSig = sign('sha256', payload, this.#client.priv);
      // Every peer validates the transaction on its own.
      for (let p = 0; p < this.#peers; p++) {
        if (!verify('sha256', payload, this.#client.pub, envelopeSig)) throw new Error('creator signature');
        const again = createHash('sha256').update(nonce).update(shape.creator).digest('hex');
        if (again !== txId) throw new Error('txid');
        createHash('sha256').update(proposal).digest();
        for (const e of endorsements) {
          if (!verify('sha256', e.message, e.pub, e.signature)) throw new Error('endorsement signature');
        }
      }
      if (proposalSig.length === 0) throw new Error('proposal signature');
      const envelope = Buffer.concat([payload, envelopeSig]);
      envelopes.push(envelope);
      txIds.push(txId);
      writes.push(this.#writesOf(txId));
    }
    // Orderer: data hash and block signature; every peer recomputes the hash and checks the signature.
    const data = Buffer.concat(envelopes);
    const dataHash = createHash('sha256').update(data).digest();
    const header = Buffer.alloc(8 + 32);
    header.writeBigUInt64BE(BigInt(number), 0);
    dataHash.copy(header, 8);
    const blockSig = sign('sha256', header, this.#orderer.priv);
    for (let p = 0; p < this.#peers; p++) {
      if (!createHash('sha256').update(data).digest().equals(dataHash)) throw new Error('data hash');
      if (!verify('sha256', header, this.#orderer.pub, blockSig)) throw new Error('block signature');
    }
    return { number, bytes: Buffer.concat([header, blockSig, data]), txIds, writes };
  }

  /** The sampled writes with keys made unique to the transaction and fresh hashes in the values. */
  #writesOf(txId: string): Array<{ key: string; value: Uint8Array }> {
    return this.#shape.writes.map((w, k) => {
      const tail = Math.min(16, w.key.length);
      const key = w.key.slice(0, w.key.length - tail) + txId.slice(0, tail);
      const text = (this.#valueTexts[k] ?? '').replace(HEX64, () => randomBytes(32).toString('hex'));
      return { key, value: Buffer.from(text, 'latin1') };
    });
  }
}
