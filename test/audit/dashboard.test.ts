/**
 * The audit dashboard in a real browser (Debian's Chromium driven by playwright-core) against the
 * default consortium with its gateways running from `dist/`: Yangtze submits a report, the
 * enterprise registers its key and consents, Pearl retrieves the report and is denied three times;
 * the regulator gateway's admin issues a token; the page, signed in with it, shows the ledger
 * health, the flow Yangtze → Pearl, usage bars, the repeated-denials alert, and the trails found by
 * report id, by USCC (sent in a POST body, never in a URL) and by institution. Screenshots of the
 * charts are decoded and must show the colours of the data they draw, not an empty frame.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Wallet } from 'ethers';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGateway, readDirectory, type GatewayDirectory } from '../../gateway/src/client/directory.js';
import {
  generateSubjectSigningKey,
  signConsent,
  signSignerBinding,
} from '../../gateway/src/crypto/eip712-consent.js';
import { profileHome } from '../../network/src/ops/home.js';
import { NetworkSession } from '../../network/src/ops/network-session.js';
import { loadProfileFile } from '../../network/src/ops/profile-file.js';

const PROFILE = join(import.meta.dirname, '..', '..', 'network', 'profiles', 'creditchain.yaml');
const CHROMIUM = '/usr/bin/chromium';
const USCC = '91350100M000100Y43';
const REPORT = {
  periodStart: '2025-01-01',
  periodEnd: '2025-12-31',
  revenue: { amount: '98200000.00', currency: 'CNY' },
  netProfit: { amount: '4100000.00', currency: 'CNY' },
  taxCreditRating: 'A',
  employees: 214,
  source: 'audited_statement',
};
/** Colours the page draws data with (dashboard.js). */
const COLOUR = {
  granted: [0x2e, 0x8b, 0x57],
  denied: [0xc0, 0x39, 0x2b],
  submitted: [0x1f, 0x77, 0xb4],
  delivered: [0x8e, 0x6c, 0x00],
  node: [0x1f, 0x4e, 0x79],
} as const;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// PNG: enough of a decoder for Chromium's screenshots (8-bit RGB or RGBA, not interlaced).

interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row. */
  readonly pixels: Uint8Array;
}

function decodePng(png: Buffer): Image {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      expect({ depth, interlace }).toEqual({ depth: 8, interlace: 0 });
      channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
      expect(channels, `PNG colour type ${String(colourType)}`).toBeGreaterThan(0);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (cur[i - channels] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= channels ? (prev[i - channels] ?? 0) : 0;
      const x = line[i] ?? 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new Error(`PNG filter ${String(filter)}`);
      }
      cur[i] = v & 0xff;
    }
    for (let px = 0; px < width; px++) {
      out.set(
        [cur[px * channels] ?? 0, cur[px * channels + 1] ?? 0, cur[px * channels + 2] ?? 0, 255],
        (y * width + px) * 4,
      );
    }
    prev = cur;
  }
  return { width, height, pixels: out };
}

/** How many pixels are (nearly) `rgb`, and how many distinct colours the image has. */
function census(image: Image, rgb: readonly number[]): { matching: number; colours: number } {
  const colours = new Set<number>();
  let matching = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    const [r, g, b] = [image.pixels[i] ?? 0, image.pixels[i + 1] ?? 0, image.pixels[i + 2] ?? 0];
    colours.add((r << 16) | (g << 8) | b);
    if (Math.abs(r - (rgb[0] ?? 0)) + Math.abs(g - (rgb[1] ?? 0)) + Math.abs(b - (rgb[2] ?? 0)) <= 24)
      matching++;
  }
  return { matching, colours: colours.size };
}

async function shot(locator: Locator): Promise<Image> {
  return decodePng(await locator.screenshot());
}

// ---------------------------------------------------------------------------------------------

describe('the audit dashboard in headless Chromium', () => {
  let base: string;
  let session: NetworkSession | undefined;
  let directory: GatewayDirectory;
  let context: BrowserContext | undefined;
  let page: Page;
  let reportId: string;
  let token: string;
  const enterprise = new Wallet(generateSubjectSigningKey().privateKey);
  const requests: { method: string; url: string; body: string | null }[] = [];
  const browserErrors: string[] = [];

  async function call(org: string, user: string, method: string, path: string, body?: unknown, key?: string) {
    const gw = findGateway(directory, org);
    const officer = gw.users.find((u) => u.name === user);
    if (!officer) throw new Error(`no ${user} at ${org}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const [cert, keyPem, ca] = await Promise.all([
      readFile(officer.certFile),
      readFile(officer.keyFile),
      readFile(gw.tlsCaFile),
    ]);
    return new Promise<Answer>((done, fail) => {
      const req = request(
        new URL(path, gw.url),
        {
          method,
          ca,
          cert,
          key: keyPem,
          headers: {
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(key === undefined ? {} : { 'idempotency-key': key }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            done({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : {} });
          });
        },
      );
      req.on('error', fail);
      req.end(payload);
    });
  }

  async function consent(nonce: string, maxUses: number, subjectRef: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const signed = await signConsent(enterprise, 'creditchain', {
      subjectRef,
      granteeMsp: 'PearlMSP',
      granteeInstitution: 'PRD-BANK-01',
      categories: ['business'],
      purpose: 'loan_underwriting',
      notBefore: now - 60,
      notAfter: now + 3600,
      maxUses,
      nonce: `0x${nonce.repeat(64)}`,
    });
    const body = { consent: signed.consent, signature: signed.signature };
    const res = await call('pearl', 'User1', 'POST', '/v1/consents', body, `consent-${nonce}`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return signed.consentId;
  }

  /** An attribute of every element `selector` matches, in document order. */
  async function attributes(selector: string, name: string): Promise<(string | null)[]> {
    return Promise.all((await page.locator(selector).all()).map((l) => l.getAttribute(name)));
  }

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cc-dashboard-'));
    const home = profileHome(join(base, 'net'), 'creditchain');
    session = await NetworkSession.start(await loadProfileFile(PROFILE), {
      home,
      freePorts: true,
      progress: () => undefined,
      gateways: true,
    });
    directory = await readDirectory(home.dir);

    // Yangtze registers the enterprise's key and submits a report about it.
    const lookup = await call('yangtze', 'User1', 'POST', '/v1/subjects/lookup', { uscc: USCC });
    expect(lookup.status, JSON.stringify(lookup.body)).toBe(200);
    const subjectRef = lookup.body.subjectRef as string;
    const binding = await signSignerBinding(enterprise, {
      channelId: 'creditchain',
      subjectRef,
      action: 'register',
    });
    const reg = await call(
      'yangtze',
      'User1',
      'POST',
      '/v1/subjects',
      { uscc: USCC, signer: binding.signer, signature: binding.signature },
      'reg',
    );
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const sub = await call(
      'yangtze',
      'User1',
      'POST',
      '/v1/reports',
      { category: 'business', schemaVersion: '1.0', uscc: USCC, payload: REPORT },
      'rep',
    );
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    reportId = (sub.body.report as { reportId: string }).reportId;

    // Pearl retrieves it under the enterprise's consent, then is denied three times.
    const once = await consent('a', 1, subjectRef);
    const got = await call(
      'pearl',
      'User1',
      'POST',
      '/v1/retrievals',
      { reportId, consentId: once, purpose: 'loan_underwriting' },
      'get',
    );
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    const denials: [string, string][] = [
      [once, 'loan_underwriting'],
      [once, 'post_loan_monitoring'],
      ['9'.repeat(64), 'loan_underwriting'],
    ];
    for (const [i, [consentId, purpose]] of denials.entries()) {
      const res = await call(
        'pearl',
        'User1',
        'POST',
        '/v1/retrievals',
        { reportId, consentId, purpose },
        `deny-${i}`,
      );
      expect(res.body.code).toBe('ACCESS_DENIED');
    }

    // JingJinJi asks for it under Pearl's consent: denied.
    const stray = await call(
      'jingjinji',
      'User1',
      'POST',
      '/v1/retrievals',
      { reportId, consentId: once, purpose: 'loan_underwriting' },
      'stray',
    );
    expect(stray.body.code).toBe('ACCESS_DENIED');

    // The regulator gateway's admin issues the regulator officer a token.
    const issued = await call(
      'regulator',
      'Admin',
      'POST',
      '/v1/admin/tokens',
      { user: 'Regulator1', role: 'regulator', ttlSeconds: 3600 },
      'dashboard-token',
    );
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    token = issued.body.token as string;

    // The regulator's read model follows the ledger: wait until it has indexed the whole trail.
    const gw = findGateway(directory, 'regulator');
    const ca = await readFile(gw.tlsCaFile);
    for (let i = 0; ; i++) {
      const trail = await new Promise<{ items?: unknown[] }>((done, fail) => {
        request(
          new URL(`/v1/audit/reports/${encodeURIComponent(reportId)}/trail`, gw.url),
          { ca, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              done(JSON.parse(Buffer.concat(chunks).toString()) as { items?: unknown[] });
            });
          },
        )
          .on('error', fail)
          .end();
      });
      if ((trail.items?.length ?? 0) >= 7) break;
      if (i > 150)
        throw new Error(`the regulator's read model did not index the trail: ${JSON.stringify(trail)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // Chromium trusts exactly the regulator gateway's TLS key (it chains to the organisation's TLS
    // CA, which the browser does not know): pinned by SPKI hash, which Chromium honours only with
    // its own user data directory.
    const config = JSON.parse(await readFile(gw.configFile, 'utf8')) as { tls: { certFile: string } };
    const serverCert = new X509Certificate(
      await readFile(resolve(dirname(gw.configFile), config.tls.certFile)),
    );
    const spki = createHash('sha256')
      .update(serverCert.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    const browser = await chromium.launchPersistentContext(await mkdtemp(join(base, 'chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--ignore-certificate-errors-spki-list=${spki}`,
      ],
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
    context = browser;
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() }));
    page.on('pageerror', (err) => browserErrors.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy|Trusted Type/i.test(m.text()))
        browserErrors.push(m.text());
    });
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await session?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('signs in with the regulator token and shows ledger health, flows, usage and alerts', async () => {
    const url = `${findGateway(directory, 'regulator').url}/dashboard`;
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    await page.fill('#token', token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('creditchain.dashboard.token')")).toBe(
      token,
    );
    expect(await page.textContent('#gateway')).toBe('gateway of RegulatorMSP');

    // Ledger health: the listener follows; its peer's height and the last verified block.
    expect(await page.textContent('[data-test=listener]')).toBe('following');
    const heights = (await attributes('[data-test=peer-height]', 'data-height')).map(Number);
    expect(heights.length).toBe(2);
    for (const height of heights) expect(height).toBeGreaterThan(5);
    expect(await page.textContent('[data-test=last-verified-block]')).toMatch(/^#\d+ · hash [0-9a-f]{16}…$/);
    expect(await page.textContent('[data-test=alarm]')).toBe('none');

    // Flows: Yangtze → Pearl, one granted receipt (and the denials beside it).
    const flow = page.locator('#flows g.flow[data-provider="YangtzeMSP"][data-requester="PearlMSP"]');
    expect(await flow.getAttribute('data-granted')).toBe('1');
    expect(await flow.getAttribute('data-denied')).toBe('3');
    const stray = page.locator('#flows g.flow[data-provider="YangtzeMSP"][data-requester="JingJinJiMSP"]');
    expect([await stray.getAttribute('data-granted'), await stray.getAttribute('data-denied')]).toEqual([
      '0',
      '1',
    ]);
    expect(await page.locator('#flows g.org').count()).toBe(3);

    // Usage: bars by day and by category, with the counts of this run.
    const bar = async (chart: string, series: string) =>
      (await attributes(`#${chart} rect.bar[data-series="${series}"]`, 'data-value')).reduce(
        (sum, v) => sum + Number(v),
        0,
      );
    expect(await bar('usage-by-day', 'granted')).toBe(1);
    expect(await bar('usage-by-day', 'denied')).toBe(4);
    expect(await bar('usage-by-day', 'submitted')).toBe(1);
    expect(await bar('usage-by-category', 'granted')).toBe(1);
    expect(await page.locator('#usage-by-category g.bars').getAttribute('data-label')).toBe('business');

    // Alerts: three denials of one institution within the hour.
    const alert = page.locator('#alerts li.alert[data-kind="REPEATED_DENIALS"]');
    expect(await alert.textContent()).toContain('PearlMSP/PRD-BANK-01');
  }, 60_000);

  it('searches trails by report id, USCC and institution, on a timeline', async () => {
    const kinds = () => attributes('#timeline g.entry', 'data-kind');
    const searchFor = async (kind: string, value: string, shown: string) => {
      await page.selectOption('#search-kind', kind);
      await page.fill('#search-value', value);
      await page.click('#search button[type=submit]');
      await page.locator('#search-status', { hasText: `trail entries of ${shown}` }).waitFor();
    };

    await searchFor('member', 'PearlMSP/PRD-BANK-01', 'PearlMSP/PRD-BANK-01');
    expect(await kinds()).toEqual([
      'CONSENT_RECORDED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
    ]);
    await page.waitForSelector('#member-usage rect.bar');
    expect(await page.textContent('#member-usage h3')).toContain('Usage statement of PearlMSP');

    await searchFor('uscc', USCC, 'the enterprise');
    expect(await kinds()).toEqual([
      'SUBMITTED',
      'CONSENT_RECORDED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
    ]);
    expect(await page.textContent('#search-status')).toMatch(/pseudonym [0-9a-f]{12}…/);
    // The USCC left the browser once, in the body of a POST, never in a URL.
    const withUscc = requests.filter((r) => r.url.includes(USCC) || (r.body ?? '').includes(USCC));
    expect(withUscc.map((r) => [r.method, new URL(r.url).pathname])).toEqual([
      ['POST', '/v1/audit/subjects/trail'],
    ]);
    expect(page.url()).not.toContain(USCC);

    await searchFor('report', reportId, `report ${reportId}`);
    expect(await kinds()).toEqual([
      'SUBMITTED',
      'ACCESS_GRANTED',
      'DELIVERED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
      'ACCESS_DENIED',
    ]);
    expect(await page.locator('#timeline g.entry').first().textContent()).toContain(
      'by YangtzeMSP/YRD-BANK-01',
    );
    expect(browserErrors).toEqual([]);
  }, 60_000);

  it('renders data, not just a page: screenshots carry the colours of the drawn data', async () => {
    const full = await page.screenshot({ fullPage: true });
    await writeFile(join(base, 'dashboard.png'), full);
    // `CREDITCHAIN_DASHBOARD_SCREENSHOT=gateway/docs/dashboard.png` refreshes the README's picture.
    const keep = process.env.CREDITCHAIN_DASHBOARD_SCREENSHOT;
    if (keep !== undefined && keep !== '') {
      await mkdir(dirname(resolve(keep)), { recursive: true });
      await writeFile(resolve(keep), full);
    }
    const image = decodePng(full);
    expect(image.width).toBe(1280);
    expect(census(image, COLOUR.granted).matching).toBeGreaterThan(500);

    const flows = await shot(page.locator('#flows svg'));
    expect(census(flows, COLOUR.granted).matching, 'the granted flow edge').toBeGreaterThan(100);
    expect(census(flows, COLOUR.node).matching, 'organisation nodes').toBeGreaterThan(1000);
    expect(census(flows, COLOUR.node).colours, 'an empty or uniform chart').toBeGreaterThan(20);

    const usage = await shot(page.locator('#usage-by-day svg'));
    for (const series of ['granted', 'denied', 'submitted'] as const)
      expect(census(usage, COLOUR[series]).matching, `${series} bars`).toBeGreaterThan(100);

    const timeline = await shot(page.locator('#timeline svg'));
    for (const kind of ['submitted', 'granted', 'denied', 'delivered'] as const)
      expect(census(timeline, COLOUR[kind]).matching, `${kind} entries`).toBeGreaterThan(40);

    const health = await shot(page.locator('#health'));
    expect(census(health, COLOUR.node).matching, 'height bars').toBeGreaterThan(300);
  }, 60_000);
});
