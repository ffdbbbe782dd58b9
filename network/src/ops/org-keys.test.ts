import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOrgKey,
  OrgKeyError,
  readOrgKeys,
  rotateOrgKey,
  storedOrgKeys,
  type LedgerOrgKeys,
  type OrgKey,
  type OrgKeyLedger,
} from './org-keys.js';
import { HPKE_SUITES } from './profile-file.js';

const SUITE = HPKE_SUITES[0];
const MSP = 'YangtzeMSP';

/**
 * The contract's PublishOrgKey semantics (chaincode/src/orgs.ts) for one organisation: the
 * previous active key is retired, a key id is published once. `failNext` makes the next
 * publication fail before (`refuse`) or after (`lose-answer`) it commits.
 */
class FakeLedger implements OrgKeyLedger {
  state: LedgerOrgKeys | undefined;
  published: string[] = [];
  failNext: 'refuse' | 'lose-answer' | undefined;
  down = false;
  #tx = 0;

  profile(): Promise<LedgerOrgKeys | undefined> {
    if (this.down) return Promise.reject(new OrgKeyError('LEDGER_UNAVAILABLE', 'peer down'));
    return Promise.resolve(this.state);
  }

  publish(key: OrgKey) {
    if (this.down) return Promise.reject(new OrgKeyError('LEDGER_UNAVAILABLE', 'peer down'));
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure === 'refuse') return Promise.reject(new OrgKeyError('PUBLISH_FAILED', 'ROLE_FORBIDDEN: no'));
    if (this.state?.keys.some((k) => k.keyId === key.keyId))
      return Promise.reject(new OrgKeyError('PUBLISH_FAILED', 'KEY_EXISTS: already published'));
    const at = `2026-11-26T10:00:0${++this.#tx}.000000000Z`;
    this.state = {
      activeKeyId: key.keyId,
      keys: [
        ...(this.state?.keys ?? []).map((k) =>
          k.status === 'active' ? { ...k, status: 'retired', retiredAt: at } : k,
        ),
        { keyId: key.keyId, status: 'active', publishedAt: at, retiredAt: null },
      ],
    };
    this.published.push(key.keyId);
    if (failure === 'lose-answer')
      return Promise.reject(new OrgKeyError('LEDGER_UNAVAILABLE', 'connection reset'));
    return Promise.resolve({ profile: this.state, txId: `tx${this.#tx}`, block: BigInt(this.#tx + 2) });
  }
}

describe('rotateOrgKey', () => {
  let keysDir: string;
  let ledger: FakeLedger;
  let first: OrgKey;

  beforeEach(async () => {
    keysDir = await mkdtemp(join(tmpdir(), 'cc-orgkeys-'));
    ledger = new FakeLedger();
    first = await createOrgKey(keysDir, MSP, SUITE); // as the consortium bootstrap does
    await ledger.publish(first);
    ledger.published = [];
  });
  afterEach(async () => {
    await rm(keysDir, { recursive: true, force: true });
  });

  const rotate = () => rotateOrgKey({ keysDir, mspId: MSP, suite: SUITE, ledger });

  it('publishes a new key, retires the old one on the ledger, keeps both on disk and marks the new one published', async () => {
    const result = await rotate();
    expect(result).toMatchObject({ mspId: MSP, previousKeyId: first.keyId, outcome: 'created', txId: 'tx2' });
    expect(result.key.keyId).not.toBe(first.keyId);
    expect(ledger.published).toEqual([result.key.keyId]);
    expect(ledger.state?.activeKeyId).toBe(result.key.keyId);
    expect(ledger.state?.keys.find((k) => k.keyId === first.keyId)?.status).toBe('retired');

    const stored = await readOrgKeys(keysDir, MSP);
    expect(stored.map((k) => k.keyId)).toEqual([first.keyId, result.key.keyId]);
    expect(stored[1]).not.toHaveProperty('pending');
    expect(stored[1]?.publishedAt).toBe(ledger.state?.keys.at(-1)?.publishedAt);
    expect((await stat(result.key.privateKeyFile)).mode & 0o777).toBe(0o600);
    expect((await readdir(join(keysDir, MSP))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('creates nothing when the ledger cannot be read', async () => {
    ledger.down = true;
    await expect(rotate()).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    expect(await readOrgKeys(keysDir, MSP)).toHaveLength(1);
  });

  it('keeps a refused key pending (not for wrapping) and publishes that same key when run again', async () => {
    ledger.failNext = 'refuse';
    const failure = await rotate().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OrgKeyError);
    expect(failure).toMatchObject({
      code: 'PUBLISH_FAILED',
      hint: expect.stringContaining('run the same command again'),
    });
    const pending = (await readOrgKeys(keysDir, MSP)).filter((k) => k.pending === true);
    expect(pending).toHaveLength(1);
    expect((await storedOrgKeys(keysDir, MSP)).map((k) => k.keyId)).toEqual([first.keyId]);
    expect(ledger.state?.activeKeyId).toBe(first.keyId);

    const again = await rotate();
    expect(again).toMatchObject({ outcome: 'resumed', previousKeyId: first.keyId });
    expect(again.key.keyId).toBe(pending[0]?.keyId);
    expect(ledger.published).toEqual([again.key.keyId]);
    expect((await readOrgKeys(keysDir, MSP)).map((k) => k.pending)).toEqual([undefined, undefined]);
  });

  it('takes a publication whose answer was lost as done when the ledger lists the key', async () => {
    ledger.failNext = 'lose-answer';
    const result = await rotate();
    expect(result).toMatchObject({ outcome: 'created', txId: undefined });
    expect(ledger.state?.activeKeyId).toBe(result.key.keyId);
    expect((await readOrgKeys(keysDir, MSP)).at(-1)).not.toHaveProperty('pending');
  });

  it('completes a rotation interrupted after the commit without publishing another key', async () => {
    const pending = await createOrgKey(keysDir, MSP, SUITE, { pending: true });
    await ledger.publish(pending);
    ledger.published = [];
    const result = await rotate();
    expect(result).toMatchObject({ outcome: 'completed', previousKeyId: first.keyId });
    expect(result.key.keyId).toBe(pending.keyId);
    expect(ledger.published).toEqual([]);
    expect((await storedOrgKeys(keysDir, MSP)).map((k) => k.keyId)).toEqual([first.keyId, pending.keyId]);
  });

  it('publishes the first key of an organisation that has none on the ledger', async () => {
    ledger.state = undefined;
    const result = await rotate();
    expect(result).toMatchObject({ outcome: 'created', previousKeyId: undefined });
    expect(ledger.state).toMatchObject({ activeKeyId: result.key.keyId });
  });
});
