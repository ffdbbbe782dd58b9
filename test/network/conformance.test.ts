/**
 * Conformance of the emulator with a Fabric 2.5 peer, driven by the real, unmodified
 * `@hyperledger/fabric-gateway` client: endorsement, ordering, validation codes and errors. The
 * expected codes and messages are those a real peer gave (../shared/docs/fabric-protocol.md).
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import {
  connect,
  signers,
  type Contract,
  type Gateway,
  type GatewayError,
} from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../network/src/msp/index.js';
import { connectAs, startTestNetwork, type TestNetwork } from './support.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

async function gatewayError(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error('expected the call to fail');
}

describe('emulator conformance (fabric-gateway client)', () => {
  let t: TestNetwork;
  let org1: { gateway: Gateway; client: grpc.Client };
  let org2: { gateway: Gateway; client: grpc.Client };
  let asset: Contract;
  let unique = 0;
  const id = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${unique++}`;

  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };

  beforeAll(async () => {
    process.on('warning', onWarning);
    t = await startTestNetwork();
    org1 = connectAs(t.net, 'Org1MSP');
    org2 = connectAs(t.net, 'Org2MSP');
    asset = org1.gateway.getNetwork('mychannel').getContract('asset');
  });

  afterAll(async () => {
    process.off('warning', onWarning);
    for (const c of [org1, org2]) {
      c.gateway.close();
      c.client.close();
    }
    await t.close();
  });

  it('dials its chaincode servers over TLS by certificate name, not with an IP address as server name', () => {
    // Node's DEP0123: a TLS server name that is an IP address (RFC 6066 forbids it).
    expect(warnings.map((w) => (w as Error & { code?: string }).code)).not.toContain('DEP0123');
  });

  it('evaluates and submits with endorsements from both organisations', async () => {
    const key = id('a');
    expect(text(await asset.submitTransaction('Create', key, '7'))).toBe('7');
    expect(text(await asset.evaluateTransaction('Read', key))).toBe('7');
    const block = await t.net.peer('Org1MSP').ledger.getBlock(t.net.peer('Org1MSP').ledger.height - 1);
    expect(block?.getData()?.getDataList().length).toBeGreaterThan(0);
  });

  it('runs each organisation its own chaincode process (CORE_PEER_LOCALMSPID)', async () => {
    expect(text(await asset.evaluateTransaction('PeerMsp'))).toBe('Org1MSP');
    const viaOrg2 = org2.gateway.getNetwork('mychannel').getContract('asset');
    expect(text(await viaOrg2.evaluateTransaction('PeerMsp'))).toBe('Org2MSP');
  });

  it('talks to chaincode servers over mutual TLS only', async () => {
    const runtimes = t.net.chaincodeRuntimes().filter((r) => r.name === 'asset');
    expect(runtimes).toHaveLength(2);
    for (const r of runtimes) {
      const cmdline = await readFile(`/proc/${String(r.pid)}/cmdline`, 'utf8');
      expect(cmdline).toContain('--chaincode-tls-client-cacert-file');
      const plain = new grpc.Client(r.address ?? '', grpc.credentials.createInsecure());
      const connected = await new Promise<boolean>((resolve) => {
        plain.waitForReady(Date.now() + 1500, (err) => {
          resolve(err === undefined);
        });
      });
      plain.close();
      expect(connected).toBe(false);
    }
  });

  it('submitAsync returns the result at once and the commit status later', async () => {
    const key = id('async');
    const submitted = await asset.submitAsync('Create', { arguments: [key, 'x'] });
    expect(text(submitted.getResult())).toBe('x');
    const status = await submitted.getStatus();
    expect(status).toMatchObject({ successful: true, code: 0, transactionId: submitted.getTransactionId() });
    expect(status.blockNumber).toBeGreaterThan(0n);
  });

  it('reports a chaincode error on evaluate as Fabric does', async () => {
    const err = await gatewayError(asset.evaluateTransaction('Fail', 'boom'));
    expect(err.code).toBe(grpc.status.UNKNOWN);
    expect(err.message).toContain('evaluate call to endorser returned error: chaincode response 500, boom');
    expect(err.details).toHaveLength(1);
    expect(err.details[0]).toMatchObject({ mspId: 'Org1MSP', message: 'chaincode response 500, boom' });
  });

  it('reports a chaincode error on endorse as Fabric does', async () => {
    const err = await gatewayError(asset.submitTransaction('Fail', 'kaput'));
    expect(err.name).toBe('EndorseError');
    expect(err.code).toBe(grpc.status.ABORTED);
    expect(err.message).toContain('failed to endorse transaction, see attached details for more info');
    expect(err.details[0]?.message).toBe('chaincode response 500, kaput');
  });

  it('refuses an unknown channel and an unknown chaincode', async () => {
    const noChannel = await gatewayError(
      org1.gateway.getNetwork('nochannel').getContract('asset').evaluateTransaction('PeerMsp'),
    );
    expect(noChannel.code).toBe(grpc.status.UNAVAILABLE);
    expect(noChannel.message).toContain('failed to get config for channel [nochannel]');
    const noCc = await gatewayError(
      org1.gateway.getNetwork('mychannel').getContract('nocc').evaluateTransaction('X'),
    );
    expect(noCc.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(noCc.message).toContain('no peers available to evaluate chaincode nocc in channel mychannel');
  });

  it('commits one of two conflicting read-modify-writes and marks the other MVCC_READ_CONFLICT', async () => {
    const key = id('counter');
    await asset.submitTransaction('Put', key, '0');
    const first = await asset.newProposal('Increment', { arguments: [key] }).endorse();
    const second = await asset.newProposal('Increment', { arguments: [key] }).endorse();
    const [s1, s2] = await Promise.all([first.submit(), second.submit()]);
    const [st1, st2] = await Promise.all([s1.getStatus(), s2.getStatus()]);
    expect([st1.code, st2.code].sort()).toEqual([0, 11]);
    expect(text(await asset.evaluateTransaction('Read', key))).toBe('1');
  });

  it('detects a phantom read of a range', async () => {
    const prefix = id('range');
    await asset.submitTransaction('Put', `${prefix}-1`, 'v');
    const count = await asset
      .newProposal('CountRange', { arguments: [`${prefix}-0`, `${prefix}-9`, `${prefix}-count`] })
      .endorse();
    const insert = await asset.newProposal('Put', { arguments: [`${prefix}-5`, 'v'] }).endorse();
    expect((await (await insert.submit()).getStatus()).code).toBe(0);
    const status = await (await count.submit()).getStatus();
    expect(status.code).toBe(12);
  });

  it('validates large range reads through their Merkle summary, and detects phantoms in them', async () => {
    const prefix = id('big');
    await asset.submitTransaction('PutMany', prefix, '120');
    const unchanged = await asset
      .newProposal('CountRange', { arguments: [`${prefix}-`, `${prefix}.`, `${prefix}-c1`] })
      .endorse();
    expect(text(unchanged.getResult())).toBe('120');
    expect((await (await unchanged.submit()).getStatus()).code).toBe(0);
    const count = await asset
      .newProposal('CountRange', { arguments: [`${prefix}-`, `${prefix}.`, `${prefix}-c2`] })
      .endorse();
    const insert = await asset.newProposal('Put', { arguments: [`${prefix}-0050x`, 'v'] }).endorse();
    expect((await (await insert.submit()).getStatus()).code).toBe(0);
    expect((await (await count.submit()).getStatus()).code).toBe(12);
  });

  it('refuses a transaction endorsed by too few organisations (ENDORSEMENT_POLICY_FAILURE)', async () => {
    const tx = await asset
      .newProposal('Put', { arguments: [id('few'), 'v'], endorsingOrganizations: ['Org1MSP'] })
      .endorse();
    const status = await (await tx.submit()).getStatus();
    expect(status.code).toBe(10);
  });

  it('applies key-level endorsement policies (state-based endorsement)', async () => {
    const key = id('sbe');
    await asset.submitTransaction('Put', key, 'v0');
    await asset.submitTransaction('SetKeyPolicy', key, JSON.stringify(['Org1MSP']));
    const byOrg2 = await org2.gateway
      .getNetwork('mychannel')
      .getContract('asset')
      .newProposal('Put', { arguments: [key, 'by-org2'], endorsingOrganizations: ['Org2MSP'] })
      .endorse();
    expect((await (await byOrg2.submit()).getStatus()).code).toBe(10);
    const byOrg1 = await asset
      .newProposal('Put', { arguments: [key, 'by-org1'], endorsingOrganizations: ['Org1MSP'] })
      .endorse();
    expect((await (await byOrg1.submit()).getStatus()).code).toBe(0);
    expect(text(await asset.evaluateTransaction('Read', key))).toBe('by-org1');
  });

  it('catches non-deterministic chaincode as mismatched endorsements', async () => {
    const err = await gatewayError(asset.submitTransaction('Random', id('rnd')));
    expect(err.name).toBe('EndorseError');
    expect(err.code).toBe(grpc.status.ABORTED);
    expect(err.message).toContain('failed to collect enough transaction endorsements');
    expect(err.details.map((d) => d.message)).toContain('ProposalResponsePayloads do not match');
  });

  it('marks a replayed transaction DUPLICATE_TXID and reports the first commit', async () => {
    const key = id('dup');
    const proposal = asset.newProposal('Create', { arguments: [key, '1'] });
    const tx = await proposal.endorse();
    const first = await tx.submit();
    const firstStatus = await first.getStatus();
    expect(firstStatus.code).toBe(0);
    const replay = org1.gateway.newTransaction(tx.getBytes());
    const again = await replay.submit();
    const againStatus = await again.getStatus();
    expect(againStatus).toMatchObject({ code: 0, blockNumber: firstStatus.blockNumber });
    const ledger = t.net.peer('Org1MSP').ledger;
    const deadline = Date.now() + 20_000;
    let codes: number[] = [];
    while (Date.now() < deadline) {
      codes = [];
      for (let n = Number(firstStatus.blockNumber); n < ledger.height; n++) {
        const block = await ledger.getBlock(n);
        const filter =
          block?.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ??
          new Uint8Array();
        (block?.getData()?.getDataList_asU8() ?? []).forEach((raw, i) => {
          const payload = common.Payload.deserializeBinary(
            common.Envelope.deserializeBinary(raw).getPayload_asU8(),
          );
          const chdr = common.ChannelHeader.deserializeBinary(
            payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
          );
          if (chdr.getTxId() === tx.getTransactionId()) codes.push(filter[i] ?? -1);
        });
      }
      if (codes.length === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(codes).toEqual([0, 9]);
    const reEndorse = await gatewayError(org1.gateway.newProposal(proposal.getBytes()).endorse());
    expect(reEndorse.code).toBe(grpc.status.ABORTED);
    expect(reEndorse.details[0]?.message).toContain(`duplicate transaction found [${tx.getTransactionId()}]`);
  });

  it('refuses an identity from an unknown MSP and a forged signature', async () => {
    const ca = await CertificateAuthority.create({ domain: 'evil.example.com' });
    const user = await ca.issue({ commonName: 'User1@evil.example.com', ou: 'client' });
    const endpoint = t.net.peers[0];
    if (!endpoint) throw new Error('no peer');
    const client = new grpc.Client(
      endpoint.address,
      grpc.credentials.createSsl(Buffer.from(endpoint.tlsRootCertPem)),
      {
        'grpc.ssl_target_name_override': endpoint.hostAlias,
      },
    );
    try {
      const evil = connect({
        client,
        identity: { mspId: 'EvilMSP', credentials: Buffer.from(user.certPem) },
        signer: signers.newPrivateKeySigner(createPrivateKey(user.keyPem)),
      });
      const unknown = await gatewayError(
        evil.getNetwork('mychannel').getContract('asset').evaluateTransaction('PeerMsp'),
      );
      expect(unknown.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(unknown.message).toContain(
        'access denied: channel [mychannel] creator org unknown, creator is malformed',
      );

      const real = t.net.identity('Org1MSP', 'User1');
      const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const forged = connect({
        client,
        identity: { mspId: 'Org1MSP', credentials: Buffer.from(real.certPem) },
        signer: signers.newPrivateKeySigner(otherKey),
      });
      const bad = await gatewayError(
        forged.getNetwork('mychannel').getContract('asset').evaluateTransaction('PeerMsp'),
      );
      expect(bad.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(bad.message).toContain('access denied: channel [mychannel] creator org [Org1MSP]');
    } finally {
      client.close();
    }
  });
});
