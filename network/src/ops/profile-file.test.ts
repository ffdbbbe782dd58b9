import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorError } from './errors.js';
import { loadProfileFile, ProfileFileError, resolveProfileFile } from './profile-file.js';

const PROFILES = resolve(import.meta.dirname, '..', '..', 'profiles');
const CHAINCODE = resolve(import.meta.dirname, '..', '..', '..', 'chaincode');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'creditchain-profile-'));
  await mkdir(join(dir, 'cc'));
  await writeFile(join(dir, 'cc', 'package.json'), JSON.stringify({ name: 'cc', version: '2.1.0' }));
  await writeFile(join(dir, 'consortium.json'), '{"adminMsps":["AMSP"]}');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GOOD = `
name: small
channel: smallchannel
orderer: { mspId: OrdererMSP, domain: example.org }
orgs:
  - mspId: AMSP
    domain: a.example.org
    peer: { port: 7051 }
    users:
      - { name: Admin, ou: admin, attrs: { role: admin } }
  - mspId: BMSP
    domain: b.example.org
    peer: { port: 8051 }
    ca: { port: 8054 }
    users:
      - { name: Admin, ou: admin }
chaincodes:
  - { name: cc, path: ./cc }
consortium:
  chaincode: cc
  config: consortium.json
  initBy: { org: AMSP }
  orgKeys: { orgs: [AMSP, BMSP] }
`;

async function profileWith(text: string, name = 'p.yaml'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Loads `text` and returns the error it raises. */
async function failure(text: string): Promise<ProfileFileError> {
  const file = await profileWith(text);
  const err = await loadProfileFile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProfileFileError);
  return err as ProfileFileError;
}

describe('loadProfileFile', () => {
  it('loads the default creditchain profile', async () => {
    const p = await loadProfileFile(join(PROFILES, 'creditchain.yaml'));
    expect(p.network.name).toBe('creditchain');
    expect(p.network.channel).toBe('creditchain');
    expect(p.network.orderer).toEqual({
      mspId: 'OrdererMSP',
      domain: 'creditchain.example',
      name: 'orderer',
    });
    expect(p.network.orgs.map((o) => [o.mspId, o.domain, o.peer.port])).toEqual([
      ['YangtzeMSP', 'yangtze.creditchain.example', 7051],
      ['PearlMSP', 'pearl.creditchain.example', 8051],
      ['JingJinJiMSP', 'jingjinji.creditchain.example', 9051],
      ['RegulatorMSP', 'regulator.creditchain.example', 10051],
    ]);
    const yangtze = p.network.orgs[0]!;
    expect(yangtze.users).toEqual([
      { name: 'Admin', ou: 'admin', attrs: { role: 'admin' } },
      { name: 'User1', ou: 'client', attrs: { role: 'member', institution: 'YRD-BANK-01' } },
      { name: 'User2', ou: 'client', attrs: { role: 'member', institution: 'YRD-BUREAU-01' } },
    ]);
    expect(p.network.orgs[3]!.users.map((u) => [u.name, u.attrs?.role])).toEqual([
      ['Admin', 'admin'],
      ['Regulator1', 'regulator'],
    ]);
    const institutions = p.network.orgs.flatMap((o) =>
      o.users.map((u) => u.attrs?.institution).filter(Boolean),
    );
    expect(new Set(institutions).size).toBe(institutions.length);
    const { version } = JSON.parse(await readFile(join(CHAINCODE, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(p.chaincodes).toEqual([
      { name: 'credit', path: CHAINCODE, version, policy: 'MAJORITY Endorsement', field: 'chaincodes[0]' },
    ]);
    expect(p.consortium).toMatchObject({
      chaincode: 'credit',
      configFile: join(CHAINCODE, 'examples', 'consortium.json'),
      initBy: { mspId: 'YangtzeMSP', user: 'Admin' },
      orgKeys: {
        suite: 'DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM',
        user: 'Admin',
        orgs: ['YangtzeMSP', 'PearlMSP', 'JingJinJiMSP', 'RegulatorMSP'],
      },
    });
    expect(JSON.parse(p.consortium!.configJson)).toHaveProperty('adminMsps');
  });

  it('loads the test-network profile as Fabric test-network', async () => {
    const p = await loadProfileFile(join(PROFILES, 'test-network.yaml'));
    expect(p.network).toMatchObject({
      name: 'test-network',
      channel: 'mychannel',
      tls: true,
      orderer: { mspId: 'OrdererMSP', domain: 'example.com', name: 'orderer' },
    });
    expect(p.network.orgs.map((o) => [o.mspId, `${o.peer.name}.${o.domain}`, o.peer.port])).toEqual([
      ['Org1MSP', 'peer0.org1.example.com', 7051],
      ['Org2MSP', 'peer0.org2.example.com', 9051],
    ]);
    expect(p.network.orgs.map((o) => o.users.map((u) => u.name))).toEqual([
      ['Admin', 'User1'],
      ['Admin', 'User1'],
    ]);
    expect([...p.caPorts]).toEqual([
      ['Org1MSP', 7054],
      ['Org2MSP', 8054],
    ]);
    expect(p.chaincodes).toEqual([]);
    expect(p.consortium).toBeUndefined();
  });

  it('reads gateway ports; organisations without one run no gateway', async () => {
    const p = await loadProfileFile(
      await profileWith(
        GOOD.replace('    ca: { port: 8054 }\n', '    ca: { port: 8054 }\n    gateway: { port: 8443 }\n'),
      ),
    );
    expect([...p.gatewayPorts]).toEqual([['BMSP', 8443]]);
    const d = await loadProfileFile(join(PROFILES, 'creditchain.yaml'));
    expect([...d.gatewayPorts.values()]).toEqual([7443, 8443, 9443, 10443]);
  });

  it('applies defaults: peer name and host, CA port, chaincode version from package.json, policies, key user', async () => {
    const p = await loadProfileFile(await profileWith(GOOD));
    expect(p.network.orgs[0]!.peer).toEqual({ name: 'peer0', host: 'localhost', port: 7051 });
    expect(p.network.orderer.name).toBe('orderer');
    expect(p.network.endorsementPolicy).toBe('MAJORITY Endorsement');
    expect([...p.caPorts]).toEqual([
      ['AMSP', 7054],
      ['BMSP', 8054],
    ]);
    expect(p.chaincodes[0]).toEqual({
      name: 'cc',
      path: join(dir, 'cc'),
      version: '2.1.0',
      policy: 'MAJORITY Endorsement',
      field: 'chaincodes[0]',
    });
    expect(p.consortium?.initBy).toEqual({ mspId: 'AMSP', user: 'Admin' });
    expect(p.consortium?.orgKeys?.user).toBe('Admin');
  });

  it.each([
    ['an unknown field', GOOD.replace('channel:', 'chanel: x\nchannel:'), 'chanel', /unknown field/, 3],
    [
      'a misspelt nested field',
      GOOD.replace('peer: { port: 7051 }', 'peer: { prot: 7051 }'),
      'orgs[0].peer.prot',
      /unknown field/,
      8,
    ],
    ['a missing field', GOOD.replace('channel: smallchannel\n', ''), 'channel', /is required/, 2],
    [
      'a port of the wrong type',
      GOOD.replace('port: 8051', 'port: "8051"'),
      'orgs[1].peer.port',
      /must be an integer/,
      13,
    ],
    [
      'a duplicate port',
      GOOD.replace('port: 8051', 'port: 7051'),
      'orgs[1].peer.port',
      /7051 is used twice/,
      13,
    ],
    [
      'a gateway on a peer port',
      GOOD.replace('    ca: { port: 8054 }\n', '    ca: { port: 8054 }\n    gateway: { port: 7051 }\n'),
      'orgs[1].gateway.port',
      /7051 is already used/,
      15,
    ],
    [
      'a duplicate MSP',
      GOOD.replace('mspId: BMSP', 'mspId: AMSP'),
      'orgs[1].mspId',
      /AMSP appears twice/,
      11,
    ],
    [
      'the orderer MSP reused',
      GOOD.replace('mspId: BMSP', 'mspId: OrdererMSP'),
      'orgs[1].mspId',
      /appears twice/,
      11,
    ],
    [
      'a duplicate domain',
      GOOD.replace('b.example.org', 'a.example.org'),
      'orgs[1].domain',
      /appears twice/,
      12,
    ],
    ['a bad channel name', GOOD.replace('smallchannel', 'Small Channel'), 'channel', /channel name/, 3],
    ['a bad OU', GOOD.replace('ou: admin }\n', 'ou: boss }\n'), 'orgs[1].users[0].ou', /must be one of/, 16],
    [
      'no users',
      GOOD.replace(/users:\n {6}- { name: Admin, ou: admin }\n/, 'users: []\n'),
      'orgs[1].users',
      /at least one user/,
      15,
    ],
    [
      'a missing chaincode folder',
      GOOD.replace('path: ./cc', 'path: ./nowhere'),
      'chaincodes[0].path',
      /chaincode folder .*nowhere not found/,
      18,
    ],
    [
      'a bad endorsement policy',
      GOOD.replace('path: ./cc }', 'path: ./cc, policy: "AND(\'AMSP.peer\'," }'),
      'chaincodes[0].policy',
      /not an endorsement policy/,
      18,
    ],
    [
      'a policy naming an unknown org',
      GOOD.replace('path: ./cc }', "path: ./cc, policy: \"AND('AMSP.peer','ZMSP.peer')\" }"),
      'chaincodes[0].policy',
      /ZMSP/,
      18,
    ],
    [
      'a consortium chaincode not deployed',
      GOOD.replace('chaincode: cc', 'chaincode: other'),
      'consortium.chaincode',
      /not one of this profile's chaincodes/,
      20,
    ],
    [
      'a missing consortium config',
      GOOD.replace('config: consortium.json', 'config: nope.json'),
      'consortium.config',
      /nope.json not found/,
      21,
    ],
    [
      'an unknown init org',
      GOOD.replace('initBy: { org: AMSP }', 'initBy: { org: ZMSP }'),
      'consortium.initBy.org',
      /ZMSP is not a peer organisation/,
      22,
    ],
    [
      'an unknown init user',
      GOOD.replace('initBy: { org: AMSP }', 'initBy: { org: AMSP, user: Bob }'),
      'consortium.initBy.user',
      /AMSP has no user Bob/,
      22,
    ],
    [
      'an unknown key suite',
      GOOD.replace('orgKeys: {', 'orgKeys: { suite: RSA,'),
      'consortium.orgKeys.suite',
      /must be one of/,
      23,
    ],
    [
      'a key org without the user',
      GOOD.replace('orgKeys: {', 'orgKeys: { user: Nobody,'),
      'consortium.orgKeys.orgs[0]',
      /has no user Nobody/,
      23,
    ],
  ])('rejects %s naming the field, the reason and the line', async (_what, text, field, reason, line) => {
    const err = await failure(text);
    expect(err.field).toBe(field);
    expect(err.reason).toMatch(reason);
    expect(err.line).toBe(line);
    expect(err.message).toContain(`profile field ${field}: `);
    expect(err.message.startsWith(join(dir, 'p.yaml'))).toBe(true);
  });

  it('reports YAML syntax errors and duplicate keys with their line', async () => {
    const syntax = await failure('channel: [unclosed\norgs: []\n');
    expect(syntax.field).toBe('(syntax)');
    expect(syntax.line).toBeGreaterThanOrEqual(1);
    const dup = await failure(GOOD.replace('channel: smallchannel', 'channel: a\nchannel: b'));
    expect(dup.field).toBe('(syntax)');
    expect(dup.reason).toMatch(/unique/i);
  });

  it('rejects a document that is not a mapping', async () => {
    const err = await failure('- a\n- b\n');
    expect(err.field).toBe('(top level)');
    expect(err.reason).toMatch(/must be a mapping/);
  });
});

describe('resolveProfileFile', () => {
  it('finds profiles by name, by path, and defaults to creditchain', async () => {
    expect(await resolveProfileFile(undefined, PROFILES)).toBe(join(PROFILES, 'creditchain.yaml'));
    expect(await resolveProfileFile('test-network', PROFILES)).toBe(join(PROFILES, 'test-network.yaml'));
    expect(await resolveProfileFile('test-network.yaml', PROFILES)).toBe(join(PROFILES, 'test-network.yaml'));
    const file = await profileWith(GOOD, 'mine.yaml');
    expect(await resolveProfileFile(file, PROFILES)).toBe(file);
  });

  it('lists the known profiles when a name is unknown', async () => {
    const err = await resolveProfileFile('nope', PROFILES).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperatorError);
    expect(err).toMatchObject({ code: 'PROFILE_NOT_FOUND', message: 'profile "nope" not found' });
    expect((err as OperatorError).hint).toMatch(/creditchain, test-network/);
  });
});
