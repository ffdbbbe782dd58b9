import { createHash, verify, X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyBlockSignature } from './blocks.js';
import { anyOfRolesEnvelope } from './config-policies.js';
import { at, BlockDecoder, protoType } from './testing/decoders.js';
import { formatGoDuration, parseGoDuration } from './duration.js';
import { ChannelConfigError } from './errors.js';
import { buildGenesisBlock, parseChannelConfig } from './genesis.js';
import { makeEnvelope, makeTestChannel, type TestChannel } from './testing/fixtures.js';

function nodeVerify(creator: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const id = msp.SerializedIdentity.deserializeBinary(creator);
  return verify(
    'sha256',
    message,
    new X509Certificate(Buffer.from(id.getIdBytes_asU8())).publicKey,
    signature,
  );
}

const pemOf = (b: unknown): string => Buffer.from(b as Uint8Array).toString('utf8');

describe('buildGenesisBlock', () => {
  let t: TestChannel;
  let bytes: Uint8Array;
  let decoded: unknown;
  beforeAll(async () => {
    t = await makeTestChannel();
    ({ bytes } = buildGenesisBlock(t.spec, t.ordererSigner));
    decoded = BlockDecoder.decode(Buffer.from(bytes));
  });
  const cfg = (path: string): unknown => at(decoded, `data.data.0.payload.data.config.channel_group.${path}`);

  it('is block 0 with one CONFIG envelope for the channel, decodable by fabric-common', () => {
    expect(String(at(decoded, 'header.number'))).toBe('0');
    expect(at(decoded, 'header.previous_hash')).toHaveLength(0);
    expect(at(decoded, 'data.data')).toHaveLength(1);
    expect(at(decoded, 'data.data.0.payload.header.channel_header.type')).toBe(common.HeaderType.CONFIG);
    expect(at(decoded, 'data.data.0.payload.header.channel_header.typeString')).toBe('CONFIG');
    expect(at(decoded, 'data.data.0.payload.header.channel_header.channel_id')).toBe('mychannel');
    expect(String(at(decoded, 'data.data.0.payload.data.config.sequence'))).toBe('0');
  });

  it('has a tx id = sha256(nonce || creator) and a data hash over the envelope', () => {
    const nonce = at(decoded, 'data.data.0.payload.header.signature_header.nonce') as Buffer;
    expect(nonce).toHaveLength(24);
    expect(at(decoded, 'data.data.0.payload.header.channel_header.tx_id')).toBe(
      createHash('sha256').update(nonce).digest('hex'),
    );
    const block = common.Block.deserializeBinary(bytes);
    const env = block.getData()!.getDataList_asU8()[0]!;
    expect(
      (at(decoded, 'header.data_hash') as Buffer).equals(createHash('sha256').update(env).digest()),
    ).toBe(true);
  });

  it('carries the Orderer and Application groups with one group per org and their MSPs', () => {
    expect(Object.keys(cfg('groups') as object).sort()).toEqual(['Application', 'Orderer']);
    expect(Object.keys(cfg('groups.Orderer.groups') as object)).toEqual(['OrdererOrg']);
    expect(Object.keys(cfg('groups.Application.groups') as object).sort()).toEqual(['Org1MSP', 'Org2MSP']);
    expect(cfg('groups.Orderer.groups.OrdererOrg.values.MSP.value.config.name')).toBe('OrdererMSP');
    expect(cfg('groups.Application.groups.Org1MSP.values.MSP.value.config.name')).toBe('Org1MSP');
    expect(cfg('groups.Application.groups.Org2MSP.values.MSP.value.config.name')).toBe('Org2MSP');
    expect(pemOf(cfg('groups.Application.groups.Org1MSP.values.MSP.value.config.root_certs.0'))).toBe(
      t.org1.caCertPem,
    );
    expect(pemOf(cfg('groups.Application.groups.Org1MSP.values.MSP.value.config.tls_root_certs.0'))).toBe(
      t.org1.tlsCaCertPem,
    );
    expect(cfg('groups.Application.groups.Org2MSP.values.AnchorPeers.value.anchor_peers')).toEqual([
      { host: 'peer0.org2.example.com', port: 9051 },
    ]);
    expect(cfg('groups.Orderer.groups.OrdererOrg.mod_policy')).toBe('Admins');
  });

  it('enables NodeOUs pointing at the root CA, SHA2/SHA256 crypto config', () => {
    const block = common.Block.deserializeBinary(bytes);
    const payload = common.Payload.deserializeBinary(
      common.Envelope.deserializeBinary(block.getData()!.getDataList_asU8()[0]!).getPayload_asU8(),
    );
    const root = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8())
      .getConfig()!
      .getChannelGroup()!;
    const mspValue = root
      .getGroupsMap()
      .get('Application')!
      .getGroupsMap()
      .get('Org1MSP')!
      .getValuesMap()
      .get('MSP')!;
    // Independent decoder (protobufjs) for the FabricMSPConfig, which BlockDecoder does not expand fully.
    const mspConfig = protoType('msp', 'MSPConfig').decode(mspValue.getValue_asU8());
    expect(mspConfig.type ?? 0).toBe(0);
    const fabric = protoType('msp', 'FabricMSPConfig').decode(mspConfig.config as Uint8Array);
    expect(at(fabric, 'fabric_node_ous.enable')).toBe(true);
    for (const ou of ['client', 'peer', 'admin', 'orderer']) {
      expect(at(fabric, `fabric_node_ous.${ou}_ou_identifier.organizational_unit_identifier`)).toBe(ou);
      expect(pemOf(at(fabric, `fabric_node_ous.${ou}_ou_identifier.certificate`))).toBe(t.org1.caCertPem);
    }
    expect(at(fabric, 'crypto_config.signature_hash_family')).toBe('SHA2');
    expect(at(fabric, 'crypto_config.identity_identifier_hash_function')).toBe('SHA256');
  });

  it('has configtxgen values: hashing, addresses, capabilities, batch, consensus type', () => {
    expect(cfg('values.HashingAlgorithm.value.name')).toBe('SHA256');
    expect(cfg('values.BlockDataHashingStructure.value.width')).toBe(4294967295);
    expect(cfg('values.OrdererAddresses.value.addresses')).toEqual(['orderer.example.com:7050']);
    expect(cfg('values.OrdererAddresses.mod_policy')).toBe('/Channel/Orderer/Admins');
    expect(Object.keys(cfg('values.Capabilities.value.capabilities') as object)).toEqual(['V2_0']);
    expect(Object.keys(cfg('groups.Orderer.values.Capabilities.value.capabilities') as object)).toEqual([
      'V2_0',
    ]);
    expect(Object.keys(cfg('groups.Application.values.Capabilities.value.capabilities') as object)).toEqual([
      'V2_5',
    ]);
    expect(cfg('groups.Orderer.values.ConsensusType.value.type')).toBe('solo');
    expect(cfg('groups.Orderer.values.BatchTimeout.value.timeout')).toBe('2s');
    expect(cfg('groups.Orderer.values.BatchSize.value')).toEqual({
      max_message_count: 10,
      absolute_max_bytes: 99 * 1024 * 1024,
      preferred_max_bytes: 512 * 1024,
    });
    expect(cfg('groups.Orderer.values.ChannelRestrictions')).toBeDefined();
  });

  it('has the TwoOrgsApplicationGenesis policies', () => {
    const imp = (path: string, rule: string, sub: string): void => {
      expect(cfg(`${path}.policy.typeString`)).toBe('IMPLICIT_META');
      expect(cfg(`${path}.policy.value.ruleString`)).toBe(rule);
      expect(cfg(`${path}.policy.value.sub_policy`)).toBe(sub);
    };
    imp('policies.Readers', 'ANY', 'Readers');
    imp('policies.Writers', 'ANY', 'Writers');
    imp('policies.Admins', 'MAJORITY', 'Admins');
    imp('groups.Orderer.policies.BlockValidation', 'ANY', 'Writers');
    imp('groups.Application.policies.Endorsement', 'MAJORITY', 'Endorsement');
    imp('groups.Application.policies.LifecycleEndorsement', 'MAJORITY', 'Endorsement');

    const sig = (path: string, mspId: string, roles: string[]): void => {
      expect(cfg(`${path}.policy.typeString`)).toBe('SIGNATURE');
      expect(cfg(`${path}.policy.value.rule.n_out_of.n`)).toBe(1);
      expect(cfg(`${path}.policy.value.rule.n_out_of.rules`)).toEqual(
        roles.map((_, i) => ({ signed_by: i })),
      );
      const ids = cfg(`${path}.policy.value.identities`) as { msp_identifier: string; roleString: string }[];
      expect(ids.map((i) => [i.msp_identifier, i.roleString])).toEqual(roles.map((r) => [mspId, r]));
    };
    sig('groups.Application.groups.Org1MSP.policies.Readers', 'Org1MSP', ['ADMIN', 'PEER', 'CLIENT']);
    sig('groups.Application.groups.Org1MSP.policies.Writers', 'Org1MSP', ['ADMIN', 'CLIENT']);
    sig('groups.Application.groups.Org1MSP.policies.Admins', 'Org1MSP', ['ADMIN']);
    sig('groups.Application.groups.Org2MSP.policies.Endorsement', 'Org2MSP', ['PEER']);
    sig('groups.Orderer.groups.OrdererOrg.policies.Writers', 'OrdererMSP', ['MEMBER']);
    sig('groups.Orderer.groups.OrdererOrg.policies.Admins', 'OrdererMSP', ['ADMIN']);
  });

  it('is signed by the orderer identity', () => {
    expect(verifyBlockSignature(common.Block.deserializeBinary(bytes), nodeVerify)).toBe(true);
    expect(at(decoded, 'metadata.metadata.0.signatures.0.signature_header.creator.mspid')).toBe('OrdererMSP');
  });
});

describe('parseChannelConfig', () => {
  let t: TestChannel;
  beforeAll(async () => {
    t = await makeTestChannel({ timeoutMs: 250 });
  });

  it('reads back what the spec described', () => {
    const { block, bytes } = buildGenesisBlock(t.spec, t.ordererSigner);
    for (const input of [block, bytes]) {
      const c = parseChannelConfig(input);
      expect(c.channelId).toBe('mychannel');
      expect(c.blockNumber).toBe(0);
      expect(c.sequence).toBe(0);
      expect(c.batch).toEqual(t.spec.batch);
      expect(c.consensusType).toBe('solo');
      expect(c.ordererAddresses).toEqual(['orderer.example.com:7050']);
      expect(c.capabilities).toEqual({ channel: ['V2_0'], orderer: ['V2_0'], application: ['V2_5'] });
      expect(c.orgs.map((o) => [o.name, o.mspId, o.role])).toEqual([
        ['OrdererOrg', 'OrdererMSP', 'orderer'],
        ['Org1MSP', 'Org1MSP', 'application'],
        ['Org2MSP', 'Org2MSP', 'application'],
      ]);
      const org1 = c.orgs[1]!;
      expect(org1.rootCertsPem).toEqual([t.org1.caCertPem]);
      expect(org1.tlsRootCertsPem).toEqual([t.org1.tlsCaCertPem]);
      expect(org1.nodeOUs).toBe(true);
      expect(org1.anchorPeers).toEqual([{ host: 'peer0.org1.example.com', port: 7051 }]);
      expect(c.orgs[0]!.endpoints).toEqual(['orderer.example.com:7050']);
      expect(c.endorsementPolicy).toEqual({
        type: 'implicitMeta',
        rule: 'MAJORITY',
        subPolicy: 'Endorsement',
      });
      expect(c.lifecycleEndorsementPolicy).toEqual({
        type: 'implicitMeta',
        rule: 'MAJORITY',
        subPolicy: 'Endorsement',
      });
      const endorsement = c.policies['/Channel/Application/Org1MSP/Endorsement'];
      expect(endorsement?.type).toBe('signature');
      if (endorsement?.type === 'signature')
        expect(
          Buffer.from(endorsement.envelope).equals(Buffer.from(anyOfRolesEnvelope('Org1MSP', ['peer']))),
        ).toBe(true);
      expect(c.policies['/Channel/Orderer/BlockValidation']).toEqual({
        type: 'implicitMeta',
        rule: 'ANY',
        subPolicy: 'Writers',
      });
    }
  });

  it('accepts a signature policy as the channel endorsement policy', () => {
    const envelope = anyOfRolesEnvelope('Org1MSP', ['peer']);
    const { bytes } = buildGenesisBlock(
      { ...t.spec, endorsementPolicy: { signaturePolicy: envelope } },
      t.ordererSigner,
    );
    expect(parseChannelConfig(bytes).endorsementPolicy).toEqual({ type: 'signature', envelope });
  });

  it('refuses blocks that are not CONFIG blocks', async () => {
    const { buildBlock } = await import('./blocks.js');
    const { bytes } = buildBlock({
      number: 1,
      previousHash: Buffer.alloc(32),
      envelopes: [makeEnvelope(t.ordererSigner)],
      lastConfig: 0,
      signer: t.ordererSigner,
    });
    expect(() => parseChannelConfig(bytes)).toThrow(ChannelConfigError);
    expect(() => parseChannelConfig(Buffer.from('not a block at all'))).toThrow(ChannelConfigError);
  });

  it('validates the spec', () => {
    const bad = [
      { ...t.spec, channelId: 'MyChannel' },
      { ...t.spec, applicationOrgs: [] },
      { ...t.spec, applicationOrgs: [t.spec.applicationOrgs[0]!, t.spec.applicationOrgs[0]!] },
      { ...t.spec, batch: { ...t.spec.batch, preferredMaxBytes: t.spec.batch.absoluteMaxBytes + 1 } },
      { ...t.spec, batch: { ...t.spec.batch, maxMessageCount: 0 } },
      { ...t.spec, endorsementPolicy: 'SOME Endorsement' as 'ANY Endorsement' },
      { ...t.spec, ordererOrg: { ...t.spec.ordererOrg, rootCertsPem: ['garbage'] } },
      { ...t.spec, ordererOrg: { ...t.spec.ordererOrg, addresses: ['no-port'] } },
    ];
    for (const spec of bad)
      expect(() => buildGenesisBlock(spec, t.ordererSigner)).toThrow(ChannelConfigError);
  });
});

describe('Go durations', () => {
  it.each([
    [1, '1ms'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [2000, '2s'],
    [60_000, '1m0s'],
    [90_500, '1m30.5s'],
    [3_600_000, '1h0m0s'],
    [3_723_000, '1h2m3s'],
  ])('%i ms formats as %s and parses back', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
    expect(parseGoDuration(text)).toBe(ms);
  });

  it('parses other Go forms and refuses junk', () => {
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('250000us')).toBe(250);
    expect(() => parseGoDuration('2 s')).toThrow(ChannelConfigError);
    expect(() => parseGoDuration('')).toThrow(ChannelConfigError);
    expect(() => formatGoDuration(0)).toThrow(ChannelConfigError);
  });
});
