import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DAY,
  getIdentities,
  initialisedHarness,
  newHarness,
  ok,
  queryRefused,
  refused,
  type Identities,
} from '../test/fixtures';
import { TestCA, type ContractHarness, type TestIdentity, type TxResult } from '../test/harness/index';
import { canonicalJson } from './canonical';
import type { OrgProfile } from './model';
import { HPKE_SUITES } from './orgs';

const X25519 = 'DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM';
const P256 = 'DHKEM(P-256, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM';

/** Raw X25519 public key (32 bytes), base64: the last 32 bytes of the SPKI encoding. */
function x25519Raw(): Buffer {
  const der = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/** Uncompressed P-256 public point (0x04 || X || Y, 65 bytes): the tail of the SPKI encoding. */
function p256Raw(): Buffer {
  const der = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
    format: 'der',
    type: 'spki',
  });
  return der.subarray(der.length - 65);
}

const b64 = (bytes: Buffer): string => bytes.toString('base64');

/** Composite key of an organisation profile: `\x00org\x00<mspId>\x00`. */
const orgKey = (mspId: string): string => `\u0000org\u0000${mspId}\u0000`;

function stored(h: ContractHarness, mspId: string): OrgProfile | undefined {
  const entry = h.ledger.get(orgKey(mspId));
  return entry && (JSON.parse(entry.value.toString('utf8')) as OrgProfile);
}

function eventOf(res: TxResult): { name: string; payload: unknown } {
  if (!res.event) throw new Error('no event');
  return { name: res.event.name, payload: JSON.parse(res.event.payload.toString('utf8')) };
}

let id: Identities;
let outsiderAdmin: TestIdentity;

beforeAll(async () => {
  id = await getIdentities();
  const unknown = await TestCA.create('UnknownMSP');
  outsiderAdmin = await unknown.issue({ commonName: 'admin', ou: 'admin', attrs: { role: 'admin' } });
});

describe('HPKE suites', () => {
  it('offers exactly X25519 (32-byte keys) and P-256 (65-byte keys)', () => {
    expect(HPKE_SUITES).toEqual({ [X25519]: 32, [P256]: 65 });
  });
});

describe('PublishOrgKey', () => {
  it('publishes an X25519 key as the active key of the caller organisation', async () => {
    const { h } = await initialisedHarness();
    h.advance(3600);
    const publicKey = b64(x25519Raw());
    const res = await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['yangtze-2026', X25519, publicKey], {
      timestampNanos: 42,
    });
    const profile = ok<OrgProfile>(res);
    const expected: OrgProfile = {
      mspId: 'YangtzeMSP',
      activeKeyId: 'yangtze-2026',
      keys: [
        {
          keyId: 'yangtze-2026',
          suite: X25519,
          publicKey,
          status: 'active',
          publishedAt: '2026-03-01T01:00:00.000000042Z',
          publishedTx: res.txId,
          retiredAt: null,
        },
      ],
    };
    expect(profile).toEqual(expected);
    expect(h.ledger.get(orgKey('YangtzeMSP'))?.value.toString('utf8')).toBe(canonicalJson(expected));
    expect(eventOf(res)).toEqual({
      name: 'OrgKeyPublished',
      payload: { keyId: 'yangtze-2026', mspId: 'YangtzeMSP', rotated: false },
    });
    expect(h.ledger.events().at(-1)?.txId).toBe(res.txId);
  });

  it('publishes a P-256 key given as the 65-byte uncompressed point', async () => {
    const { h } = await initialisedHarness();
    const raw = p256Raw();
    expect(raw[0]).toBe(0x04);
    const profile = ok<OrgProfile>(await h.submit(id.pearlAdmin, 'PublishOrgKey', ['p1', P256, b64(raw)]));
    expect(profile.mspId).toBe('PearlMSP');
    expect(profile.keys).toHaveLength(1);
    expect(profile.keys[0]).toMatchObject({
      keyId: 'p1',
      suite: P256,
      publicKey: b64(raw),
      status: 'active',
    });
    expect(stored(h, 'PearlMSP')).toEqual(profile);
  });

  it('lets the regulator organisation publish its own key', async () => {
    const { h } = await initialisedHarness();
    const profile = ok<OrgProfile>(
      await h.submit(id.regulatorAdmin, 'PublishOrgKey', ['reg:1', X25519, b64(x25519Raw())]),
    );
    expect(profile.mspId).toBe('RegulatorMSP');
  });

  it('rotates: the new key becomes active and earlier keys stay listed as retired', async () => {
    const { h } = await initialisedHarness();
    const first = b64(x25519Raw());
    const second = b64(p256Raw());
    const third = b64(x25519Raw());
    const r1 = await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k1', X25519, first]);
    ok(r1);
    h.advance(DAY);
    const r2 = await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k2', P256, second]);
    const rotated = ok<OrgProfile>(r2);
    expect(rotated.activeKeyId).toBe('k2');
    expect(rotated.keys).toEqual([
      {
        keyId: 'k1',
        suite: X25519,
        publicKey: first,
        status: 'retired',
        publishedAt: '2026-03-01T00:00:00.000000000Z',
        publishedTx: r1.txId,
        retiredAt: '2026-03-02T00:00:00.000000000Z',
      },
      {
        keyId: 'k2',
        suite: P256,
        publicKey: second,
        status: 'active',
        publishedAt: '2026-03-02T00:00:00.000000000Z',
        publishedTx: r2.txId,
        retiredAt: null,
      },
    ]);
    expect(eventOf(r2)).toEqual({
      name: 'OrgKeyPublished',
      payload: { keyId: 'k2', mspId: 'YangtzeMSP', rotated: true },
    });

    // A member of another organisation sees both keys.
    expect(ok<OrgProfile>(await h.evaluate(id.pearlBank, 'GetOrgProfile', ['YangtzeMSP']))).toEqual(rotated);

    // A third key retires the second; the first keeps the instant it was retired at.
    h.advance(DAY);
    const r3 = ok<OrgProfile>(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k3', X25519, third]));
    expect(r3.activeKeyId).toBe('k3');
    expect(r3.keys.map((k) => [k.keyId, k.status, k.retiredAt])).toEqual([
      ['k1', 'retired', '2026-03-02T00:00:00.000000000Z'],
      ['k2', 'retired', '2026-03-03T00:00:00.000000000Z'],
      ['k3', 'active', null],
    ]);
    expect(h.ledger.events().map((e) => e.name)).toEqual([
      'ConsortiumConfigured',
      'OrgKeyPublished',
      'OrgKeyPublished',
      'OrgKeyPublished',
    ]);
  });

  it("keeps organisations' profiles apart (a key id may repeat across organisations)", async () => {
    const { h } = await initialisedHarness();
    ok(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())]));
    const pearl = ok<OrgProfile>(
      await h.submit(id.pearlAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())]),
    );
    expect(pearl.keys).toHaveLength(1);
    expect(stored(h, 'YangtzeMSP')?.keys).toHaveLength(1);
    expect(stored(h, 'YangtzeMSP')?.keys[0]?.status).toBe('active');
  });

  it('accepts a key id of one character and of 64 characters', async () => {
    const { h } = await initialisedHarness();
    ok(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['a', X25519, b64(x25519Raw())]));
    ok(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', [`k${'x'.repeat(63)}`, X25519, b64(x25519Raw())]));
  });

  describe('refusals', () => {
    it('refuses a key id the organisation already published, active or retired (KEY_EXISTS)', async () => {
      const { h } = await initialisedHarness();
      ok(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())]));
      await refused(h, id.yangtzeAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())], 'KEY_EXISTS');
      ok(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k2', X25519, b64(x25519Raw())]));
      await refused(h, id.yangtzeAdmin, 'PublishOrgKey', ['k1', P256, b64(p256Raw())], 'KEY_EXISTS');
      expect(stored(h, 'YangtzeMSP')?.activeKeyId).toBe('k2');
    });

    const badKeys: Array<[string, string, () => string]> = [
      ['an X25519 key of 31 bytes', X25519, () => b64(x25519Raw().subarray(1))],
      ['an X25519 key of 33 bytes', X25519, () => b64(Buffer.concat([x25519Raw(), Buffer.from([0])]))],
      ['a P-256 key given as an X25519 key', X25519, () => b64(p256Raw())],
      ['an X25519 key given as a P-256 key', P256, () => b64(x25519Raw())],
      ['a P-256 key of 64 bytes (no 0x04 prefix)', P256, () => b64(p256Raw().subarray(1))],
      [
        'a compressed P-256 key (33 bytes)',
        P256,
        () => {
          const raw = p256Raw();
          const y = raw[64] ?? 0;
          return b64(Buffer.concat([Buffer.from([0x02 + (y & 1)]), raw.subarray(1, 33)]));
        },
      ],
      [
        'a 65-byte P-256 key starting with 0x02',
        P256,
        () => {
          const raw = Buffer.from(p256Raw());
          raw[0] = 0x02;
          return b64(raw);
        },
      ],
      [
        'a 65-byte P-256 key starting with 0x05',
        P256,
        () => {
          const raw = Buffer.from(p256Raw());
          raw[0] = 0x05;
          return b64(raw);
        },
      ],
      ['hex instead of base64', X25519, () => x25519Raw().toString('hex')],
      ['base64url instead of base64', X25519, () => x25519Raw().toString('base64url')],
      ['base64 without padding', X25519, () => b64(x25519Raw()).replace(/=+$/, '')],
      ['base64 with whitespace', X25519, () => ` ${b64(x25519Raw())}`],
      [
        'base64 with a line break',
        X25519,
        () => `${b64(x25519Raw()).slice(0, 20)}\n${b64(x25519Raw()).slice(20)}`,
      ],
      ['a key that is not base64 at all', X25519, () => 'not a key!'],
      ['an empty key', X25519, () => ''],
    ];
    it.each(badKeys)('refuses %s (INVALID_ARGUMENT)', async (_label, suite, key) => {
      const { h } = await initialisedHarness();
      await refused(h, id.yangtzeAdmin, 'PublishOrgKey', ['k1', suite, key()], 'INVALID_ARGUMENT');
    });

    it.each([
      ['an unknown suite', 'DHKEM(X448, HKDF-SHA512)/HKDF-SHA512/AES-256-GCM'],
      ['a suite name in other letter case', X25519.toLowerCase()],
      ['a suite with a trailing space', `${X25519} `],
      ['an empty suite', ''],
    ])('refuses %s (INVALID_ARGUMENT)', async (_label, suite) => {
      const { h } = await initialisedHarness();
      await refused(h, id.yangtzeAdmin, 'PublishOrgKey', ['k1', suite, b64(x25519Raw())], 'INVALID_ARGUMENT');
    });

    it.each([
      ['an empty key id', ''],
      ['a key id starting with a hyphen', '-k1'],
      ['a key id with a space', 'k 1'],
      ['a key id with a slash', 'k/1'],
      ['a key id with a NUL', 'k\u00001'],
      ['a key id of 65 characters', `k${'x'.repeat(64)}`],
    ])('refuses %s (INVALID_ARGUMENT)', async (_label, keyId) => {
      const { h } = await initialisedHarness();
      await refused(
        h,
        id.yangtzeAdmin,
        'PublishOrgKey',
        [keyId, X25519, b64(x25519Raw())],
        'INVALID_ARGUMENT',
      );
    });

    it.each([
      ['a member officer', 'bankA'],
      ['a regulator officer', 'regulator'],
      ['a certificate without role', 'noRole'],
    ] as const)('refuses %s (ROLE_FORBIDDEN)', async (_label, who) => {
      const { h } = await initialisedHarness();
      await refused(h, id[who], 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())], 'ROLE_FORBIDDEN');
    });

    it('refuses an administrator of an MSP outside the consortium (ORG_FORBIDDEN)', async () => {
      const { h } = await initialisedHarness();
      await refused(h, outsiderAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())], 'ORG_FORBIDDEN');
      expect(stored(h, 'UnknownMSP')).toBeUndefined();
    });

    it('refuses before InitConsortium (NOT_INITIALISED)', async () => {
      const h = newHarness();
      await refused(h, id.yangtzeAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())], 'NOT_INITIALISED');
    });
  });
});

describe('GetOrgProfile', () => {
  it.each([
    ['the organisation itself', 'bankA'],
    ['a member of another organisation', 'jjjBank'],
    ['a regulator', 'regulator'],
    ['an administrator of another organisation', 'pearlAdmin'],
  ] as const)('shows a published profile to %s without writing', async (_label, who) => {
    const { h } = await initialisedHarness();
    const published = ok<OrgProfile>(
      await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())]),
    );
    const before = h.ledger.snapshot();
    const res = await h.evaluate(id[who], 'GetOrgProfile', ['YangtzeMSP']);
    expect(ok<OrgProfile>(res)).toEqual(published);
    expect(res.payload.toString('utf8')).toBe(canonicalJson(published));
    expect(h.ledger.snapshot()).toBe(before);
  });

  it('answers ORG_NOT_FOUND for an organisation that has not published a key', async () => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.bankA, 'GetOrgProfile', ['PearlMSP'], 'ORG_NOT_FOUND');
    await queryRefused(h, id.bankA, 'GetOrgProfile', ['NoSuchMSP'], 'ORG_NOT_FOUND');
  });

  it.each([
    ['an empty MSP id', ''],
    ['an MSP id with a space', 'Pearl MSP'],
    ['an MSP id starting with a dot', '.PearlMSP'],
    ['an MSP id with a NUL', 'Pearl\u0000MSP'],
    ['an MSP id of 65 characters', `M${'x'.repeat(64)}`],
  ])('refuses %s (INVALID_ARGUMENT)', async (_label, mspId) => {
    const { h } = await initialisedHarness();
    await queryRefused(h, id.bankA, 'GetOrgProfile', [mspId], 'INVALID_ARGUMENT');
  });

  it('refuses callers outside the consortium (ORG_FORBIDDEN) and without role (ROLE_FORBIDDEN)', async () => {
    const { h } = await initialisedHarness();
    ok(await h.submit(id.yangtzeAdmin, 'PublishOrgKey', ['k1', X25519, b64(x25519Raw())]));
    await queryRefused(h, id.outsider, 'GetOrgProfile', ['YangtzeMSP'], 'ORG_FORBIDDEN');
    await queryRefused(h, outsiderAdmin, 'GetOrgProfile', ['YangtzeMSP'], 'ORG_FORBIDDEN');
    await queryRefused(h, id.noRole, 'GetOrgProfile', ['YangtzeMSP'], 'ROLE_FORBIDDEN');
  });

  it('answers NOT_INITIALISED before InitConsortium', async () => {
    const h = newHarness();
    await queryRefused(h, id.bankA, 'GetOrgProfile', ['YangtzeMSP'], 'NOT_INITIALISED');
  });
});
