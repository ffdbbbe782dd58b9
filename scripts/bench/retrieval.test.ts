import { describe, expect, it } from 'vitest';
import { SchemaCatalogue } from '../../gateway/src/schemas/catalogue.js';
import type { RoundResult } from './results.js';
import { assetPayload, retrievalCause, retrievalRates } from './retrieval.js';
import { retrievalTarget } from './targets.js';

describe('assetPayload', () => {
  it.each([300, 2048, 250 * 1024, 1024 * 1024])('fills %i bytes closely without exceeding them', (target) => {
    const size = JSON.stringify(assetPayload(target)).length;
    expect(size).toBeLessThanOrEqual(target);
    expect(size).toBeGreaterThan(target - 200);
  });

  it('keeps to the asset 1.1 schema: at most 5,000 items of at most 500-character descriptions', () => {
    const payload = assetPayload(10 * 1024 * 1024);
    expect(payload.assets.length).toBe(5000);
    for (const a of payload.assets) expect(String(a.description).length).toBeLessThanOrEqual(500);
    expect(SchemaCatalogue.shipped().check('asset', '1.1', payload)).toEqual({ ok: true });
    expect(SchemaCatalogue.shipped().check('asset', '1.1', assetPayload(1024 * 1024))).toEqual({ ok: true });
  });

  it('refuses a size no item fits in', () => {
    expect(() => assetPayload(50)).toThrow(RangeError);
  });
});

describe('retrievalRates', () => {
  it('gives reports/s and MB/s (10^6 bytes)', () => {
    expect(retrievalRates(400, 2048)).toEqual({ reportsPerSec: 400, mbPerSec: 0.819 });
    expect(retrievalRates(0, 2048)).toEqual({ reportsPerSec: 0, mbPerSec: 0 });
  });
});

describe('retrievalCause', () => {
  it('uses the error code, else the error name', () => {
    expect(retrievalCause(Object.assign(new Error('x'), { code: 'ACCESS_DENIED' }))).toBe('ACCESS_DENIED');
    expect(retrievalCause(new TypeError('x'))).toBe('CLIENT_ERROR:TypeError');
    expect(retrievalCause('boom')).toBe('CLIENT_ERROR:unknown');
  });
});

describe('retrievalTarget', () => {
  const round = (reportBytes: number, throughput: number, mbPerSec: number): RoundResult =>
    ({ kind: 'retrieval', reportBytes, throughput, mbPerSec }) as RoundResult;

  it('is not measured without retrieval rounds', () => {
    expect(retrievalTarget([]).met).toBeNull();
  });

  it('takes the best small-report rate and the best large-report bandwidth', () => {
    const t = retrievalTarget([round(2048, 120, 0.2), round(2048, 310, 0.6), round(256000, 400, 102)]);
    expect(t.met).toBe(true);
    expect(t.measured).toContain('310.0 reports/s of 2048 B');
    expect(t.measured).toContain('102.00 MB/s with 256000 B reports');
  });

  it('is missed when either falls short, and unknown when one size was not run', () => {
    expect(retrievalTarget([round(2048, 310, 0.6), round(256000, 4, 1)]).met).toBe(false);
    expect(retrievalTarget([round(2048, 310, 0.6)]).met).toBeNull();
  });
});
