/*
 * The audit dashboard's only script (a plain ES module: no framework, no third-party code, no build
 * step). It asks for an API token, keeps it in this tab's session storage, and calls this gateway's
 * `/v1/audit/*` and `/v1/dashboard/*` with it. Everything it shows is drawn as DOM and inline SVG
 * nodes, never from HTML strings (the page's CSP enforces Trusted Types with no policy). A USCC
 * search goes in a POST body, never in a URL, so no subject identifier reaches history or logs.
 */
/* global document, window */

const TOKEN_KEY = 'creditchain.dashboard.token';
const SVG_NS = 'http://www.w3.org/2000/svg';
const DAY_MS = 86_400_000;
const TRAIL_PAGE = 200;

const KIND_COLOURS = {
  SUBMITTED: '#1f77b4',
  CORRECTED: '#17becf',
  SUPERSEDED: '#95a5a6',
  ACCESS_GRANTED: '#2e8b57',
  ACCESS_DENIED: '#c0392b',
  DELIVERED: '#8e6c00',
  ERASED: '#34495e',
  CONSENT_RECORDED: '#7b4fa0',
  CONSENT_REVOKED: '#b5651d',
};
const SERIES = {
  submitted: { colour: '#1f77b4', label: 'submitted' },
  granted: { colour: '#2e8b57', label: 'granted' },
  denied: { colour: '#c0392b', label: 'denied' },
  delivered: { colour: '#8e6c00', label: 'delivered' },
};
const ORG_COLOURS = ['#1f4e79', '#6c3483', '#a04000', '#2e4053', '#9a7d0a', '#1a5276', '#76448a', '#873600'];

/** A refusal of the gateway: an RFC 9457 problem. */
class ApiProblem extends Error {
  /**
   * @param {number} status
   * @param {{ code?: string, detail?: string, title?: string }} problem
   */
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem.code ?? `HTTP_${status}`;
  }
}

/** @param {string} id */
function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/**
 * An element with attributes (`class`, `data-*`, …) and children (nodes or text).
 * @param {string} ns
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined>} attrs
 * @param {(Node | string | number)[]} children
 */
function node(ns, tag, attrs, children) {
  const el = ns === SVG_NS ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children)
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  return el;
}

/** @type {(tag: string, attrs?: Record<string, any>, ...children: (Node | string | number)[]) => HTMLElement} */
const h = (tag, attrs = {}, ...children) => node('', tag, attrs, children);
/** @type {(tag: string, attrs?: Record<string, any>, ...children: (Node | string | number)[]) => SVGElement} */
const s = (tag, attrs = {}, ...children) => node(SVG_NS, tag, attrs, children);

/** @param {number} width @param {number} height */
const svgRoot = (width, height, label) =>
  s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, width, height });

/** @param {string} text @param {number} width */
function emptyChart(text, width = 480) {
  const svg = svgRoot(width, 60, text);
  svg.append(s('text', { x: 10, y: 34, class: 'empty' }, text));
  return svg;
}

const short = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const who = (party) => (party.institution ? `${party.mspId}/${party.institution}` : party.mspId);
/** `2026-11-26T11:06:56.375123456Z` → `2026-11-26 11:06:56.375` */
const when = (instant) => `${instant.slice(0, 10)} ${instant.slice(11, 23)}`;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Session and calls

const session = {
  /** @type {string | null} */
  token: sessionStorage.getItem(TOKEN_KEY),
  /** Loads the next page of the current search, when there is one. @type {(() => Promise<void>) | null} */
  more: null,
  /** @type {any[]} */
  entries: [],
};

/**
 * Calls the gateway with the session's token.
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 */
async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', authorization: `Bearer ${session.token ?? ''}` };
  const init = { method: options.method ?? 'GET', headers, cache: 'no-store', credentials: 'omit' };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let json = {};
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = { detail: `the gateway answered HTTP ${res.status} without JSON` };
  }
  if (!res.ok) throw new ApiProblem(res.status, json);
  return json;
}

/** @param {unknown} err */
function explain(err) {
  if (err instanceof ApiProblem) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** @param {unknown} err */
const refusedToken = (err) => err instanceof ApiProblem && err.status === 401;

/** @param {string} [why] */
function signOut(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  session.token = null;
  byId('board').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in').hidden = false;
  byId('gateway').textContent = '';
  byId('sign-in-error').textContent = why ?? '';
  byId('token').focus();
}

function showBoard() {
  byId('sign-in').hidden = true;
  byId('board').hidden = false;
  byId('sign-out').hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Ledger health

function renderHealth(health) {
  const box = byId('health');
  const rm = health.readModel;
  byId('gateway').textContent = `gateway of ${health.mspId}`;
  const following = rm.listener === 'following';
  const dl = h(
    'dl',
    { class: 'kv' },
    h('dt', {}, 'Read model'),
    h('dd', { class: following ? 'ok' : 'bad', 'data-test': 'listener' }, rm.listener),
    h('dt', {}, 'Verified blocks'),
    h(
      'dd',
      { 'data-test': 'verified-blocks' },
      rm.verifiedBlocks > 0 ? `0 – ${rm.verifiedBlocks - 1}` : 'none yet',
    ),
    h('dt', {}, 'Last verified block'),
    h(
      'dd',
      { 'data-test': 'last-verified-block' },
      rm.lastVerifiedBlock === null ? '—' : `#${rm.lastVerifiedBlock}`,
      rm.lastBlockHash ? h('span', { class: 'muted' }, ` · hash ${rm.lastBlockHash.slice(0, 16)}…`) : '',
    ),
    h('dt', {}, 'Integrity alarm'),
    h(
      'dd',
      { class: rm.alarm ? 'bad' : 'ok', 'data-test': 'alarm' },
      rm.alarm ? `${rm.alarm.code} at block ${rm.alarm.block}: ${rm.alarm.reason}` : 'none',
    ),
    h('dt', {}, 'Indexed'),
    h(
      'dd',
      {},
      // Members' gateways count transactions only, not other organisations' entries and receipts.
      [
        `${rm.counts.transactions ?? 0} transactions (${rm.counts.invalidTransactions ?? 0} invalid)`,
        ...(rm.counts.entries === undefined ? [] : [`${rm.counts.entries} trail entries`]),
        ...(rm.counts.receipts === undefined ? [] : [`${rm.counts.receipts} receipts`]),
      ].join(', '),
    ),
    h('dt', {}, 'Checked'),
    h('dd', { class: 'muted' }, when(health.checkedAt)),
  );
  if (rm.lastError) dl.append(h('dt', {}, 'Last stream error'), h('dd', { class: 'bad' }, rm.lastError));

  // Heights as horizontal bars: each peer this gateway can see, and the read model.
  const rows = [
    ...health.peers.map((p) => ({
      label: `peer of ${p.mspId}${p.role === 'own' ? ' (this gateway’s)' : ''}`,
      value: p.height,
      note: `${p.reachable ? 'reachable' : 'UNREACHABLE'} · ${p.heightSource}`,
      ok: p.reachable,
    })),
    {
      label: 'read model (verified)',
      value: rm.verifiedBlocks,
      note: `last verified block #${rm.lastVerifiedBlock ?? '—'}`,
      ok: !rm.alarm,
    },
  ];
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  const width = 520;
  const svg = svgRoot(width, rows.length * 44 + 8, 'Block heights');
  rows.forEach((row, i) => {
    const y = 8 + i * 44;
    const barWidth = Math.max(2, ((row.value ?? 0) / max) * 300);
    svg.append(
      s(
        'g',
        { class: 'height', 'data-test': 'peer-height', 'data-height': row.value ?? '' },
        s('text', { x: 0, y: y + 12 }, row.label),
        s('rect', {
          x: 0,
          y: y + 17,
          width: barWidth,
          height: 12,
          rx: 2,
          fill: row.ok ? '#1f4e79' : '#c0392b',
        }),
        s(
          'text',
          { x: barWidth + 6, y: y + 28, 'font-weight': 600 },
          row.value === null ? 'unknown' : `height ${row.value}`,
        ),
        s('text', { x: 0, y: y + 41, class: 'label-muted' }, short(row.note, 90)),
      ),
    );
  });
  box.replaceChildren(dl, h('div', { class: 'chart' }, svg));
}

// ---------------------------------------------------------------------------------------------
// Flows between organisations

function renderFlows(summary) {
  const box = byId('flows');
  const names = new Set(summary.organisations.map((o) => o.mspId));
  for (const f of summary.flows) names.add(f.provider).add(f.requester);
  const orgs = [...names].sort();
  if (orgs.length === 0) {
    box.replaceChildren(emptyChart('No organisation was active in this period'));
    return;
  }
  const activity = new Map(summary.organisations.map((o) => [o.mspId, o]));
  const W = 560;
  const H = 400;
  const cx = W / 2;
  const cy = H / 2;
  const radius = orgs.length === 1 ? 0 : 135;
  const nodeR = 30;
  const at = new Map(
    orgs.map((o, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / orgs.length;
      return [
        o,
        {
          x: cx + radius * Math.cos(angle),
          y: cy + radius * Math.sin(angle),
          colour: ORG_COLOURS[i % ORG_COLOURS.length],
        },
      ];
    }),
  );
  const svg = svgRoot(W, H, 'Data flows between organisations');
  const marker = (id, colour) =>
    s(
      'marker',
      {
        id,
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 10,
        markerHeight: 10,
        markerUnits: 'userSpaceOnUse',
        orient: 'auto',
      },
      s('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour }),
    );
  svg.append(
    s(
      'defs',
      {},
      marker('arrow-granted', SERIES.granted.colour),
      marker('arrow-denied', SERIES.denied.colour),
    ),
  );

  for (const f of summary.flows) {
    const p = at.get(f.provider);
    const q = at.get(f.requester);
    if (!p || !q || f.provider === f.requester) continue;
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.hypot(dx, dy) || 1;
    const [ux, uy] = [dx / len, dy / len];
    // Bend to the right of the direction of travel, so A→B and B→A stay apart.
    const [nx, ny] = [-uy, ux];
    const bend = 28;
    const start = { x: p.x + ux * nodeR, y: p.y + uy * nodeR };
    const end = { x: q.x - ux * (nodeR + 2), y: q.y - uy * (nodeR + 2) };
    const ctrl = { x: (start.x + end.x) / 2 + nx * bend, y: (start.y + end.y) / 2 + ny * bend };
    const mid = {
      x: 0.25 * start.x + 0.5 * ctrl.x + 0.25 * end.x,
      y: 0.25 * start.y + 0.5 * ctrl.y + 0.25 * end.y,
    };
    const granted = f.granted > 0;
    const label = granted
      ? `${f.granted}${f.denied > 0 ? ` (+${f.denied} denied)` : ''}`
      : `${f.denied} denied`;
    svg.append(
      s(
        'g',
        {
          class: 'flow',
          'data-provider': f.provider,
          'data-requester': f.requester,
          'data-granted': f.granted,
          'data-denied': f.denied,
        },
        s(
          'title',
          {},
          `${f.provider} → ${f.requester}: ${f.granted} granted, ${f.denied} denied, ${f.delivered} delivered`,
        ),
        s('path', {
          d: `M${start.x.toFixed(1)},${start.y.toFixed(1)} Q${ctrl.x.toFixed(1)},${ctrl.y.toFixed(1)} ${end.x.toFixed(1)},${end.y.toFixed(1)}`,
          fill: 'none',
          stroke: granted ? SERIES.granted.colour : SERIES.denied.colour,
          'stroke-width': granted ? (1.5 + 2.5 * Math.log2(1 + f.granted)).toFixed(1) : 1.5,
          'stroke-dasharray': granted ? undefined : '5 4',
          'marker-end': `url(#${granted ? 'arrow-granted' : 'arrow-denied'})`,
        }),
        s('rect', {
          x: mid.x - label.length * 3.4 - 4,
          y: mid.y - 9,
          width: label.length * 6.8 + 8,
          height: 16,
          rx: 3,
          fill: '#ffffff',
          'fill-opacity': 0.9,
        }),
        s('text', { x: mid.x, y: mid.y + 3, 'text-anchor': 'middle', 'font-weight': 600 }, label),
      ),
    );
  }
  for (const o of orgs) {
    const pos = at.get(o);
    const a = activity.get(o);
    svg.append(
      s(
        'g',
        { class: 'org', 'data-msp': o },
        s(
          'title',
          {},
          a
            ? `${o}: ${a.submitted} submitted, ${a.provided} provided, ${a.received} received, ${a.deniedRequests} requests denied`
            : o,
        ),
        s('circle', { cx: pos.x, cy: pos.y, r: nodeR, fill: pos.colour }),
        s(
          'text',
          { x: pos.x, y: pos.y + 4, 'text-anchor': 'middle', fill: '#ffffff', 'font-weight': 700 },
          short(o.replace(/MSP$/, ''), 9),
        ),
        s(
          'text',
          { x: pos.x, y: pos.y + nodeR + 14, 'text-anchor': 'middle', class: 'label-muted' },
          a ? `↑${a.provided} ↓${a.received} · ${a.submitted} submitted` : '',
        ),
      ),
    );
  }
  box.replaceChildren(svg);
}

// ---------------------------------------------------------------------------------------------
// Bars

/**
 * Grouped bars, one group per row and one bar per series.
 * @param {{ label: string, values: Record<string, number> }[]} rows
 * @param {string[]} series
 * @param {string} title
 */
function barChart(rows, series, title) {
  const wrap = h('div');
  wrap.append(
    h(
      'div',
      { class: 'legend' },
      ...series.map((k) => h('span', {}, h('span', { class: `swatch ${k}` }), SERIES[k]?.label ?? k)),
    ),
  );
  if (rows.length === 0) {
    wrap.append(emptyChart('No activity in this period'));
    return wrap;
  }
  const bar = 14;
  const group = series.length * bar + 16;
  const left = 36;
  const top = 10;
  const plot = 150;
  const W = Math.max(420, left + rows.length * group + 10);
  const H = top + plot + 44;
  const max = Math.max(1, ...rows.flatMap((r) => series.map((k) => r.values[k] ?? 0)));
  const y = (v) => top + plot - (v / max) * plot;
  const svg = svgRoot(W, H, title);
  for (const t of [...new Set([0, Math.round(max / 2), max])]) {
    svg.append(
      s('line', { x1: left - 4, x2: W, y1: y(t), y2: y(t), class: 'axis', 'stroke-width': 1 }),
      s('text', { x: left - 8, y: y(t) + 4, 'text-anchor': 'end', class: 'label-muted' }, t),
    );
  }
  rows.forEach((row, i) => {
    const x0 = left + i * group + 8;
    const g = s('g', { class: 'bars', 'data-label': row.label });
    series.forEach((k, j) => {
      const v = row.values[k] ?? 0;
      g.append(
        s(
          'rect',
          {
            x: x0 + j * bar,
            y: y(v),
            width: bar - 2,
            height: Math.max(v > 0 ? 1 : 0, top + plot - y(v)),
            fill: SERIES[k]?.colour ?? '#7f8c8d',
            class: 'bar',
            'data-series': k,
            'data-value': v,
          },
          s('title', {}, `${row.label}: ${v} ${SERIES[k]?.label ?? k}`),
        ),
      );
    });
    g.append(
      s(
        'text',
        { x: x0 + (series.length * bar) / 2, y: top + plot + 16, 'text-anchor': 'middle' },
        short(row.label, 14),
      ),
    );
    svg.append(g);
  });
  wrap.append(svg);
  return wrap;
}

function renderUsage(summary) {
  const series = ['submitted', 'granted', 'denied', 'delivered'];
  byId('usage-by-day').replaceChildren(
    barChart(
      summary.byDay.map((d) => ({ label: d.day.slice(5), values: d })),
      series,
      'Activity by day',
    ),
  );
  byId('usage-by-category').replaceChildren(
    barChart(
      summary.byCategory.map((c) => ({ label: c.category, values: c })),
      series,
      'Activity by report category',
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Alerts

function renderAlerts(page) {
  const list = byId('alerts');
  if (page.items.length === 0) {
    list.replaceChildren(h('li', { class: 'none' }, 'No alerts in this period.'));
    return;
  }
  list.replaceChildren(
    ...page.items.map((a) =>
      h(
        'li',
        { class: 'alert', 'data-kind': a.kind },
        h('span', { class: 'badge' }, a.kind),
        h('strong', {}, who(a.member)),
        ` · ${a.count} receipt${a.count === 1 ? '' : 's'} · ${when(a.firstAt)}`,
        a.lastAt !== a.firstAt ? ` – ${when(a.lastAt)}` : '',
        h('br'),
        h('span', { class: 'muted' }, a.detail),
        a.subjectRef ? h('span', { class: 'muted' }, ` · subject ${a.subjectRef.slice(0, 12)}…`) : '',
      ),
    ),
  );
  if (page.next) list.append(h('li', { class: 'muted' }, 'More alerts in this period: narrow the period.'));
}

// ---------------------------------------------------------------------------------------------
// Trails

function describe(e) {
  const parts = [`by ${who(e.actor)}`];
  const provider = e.parties.find((p) => p.role === 'provider');
  const requester = e.parties.find((p) => p.role === 'requester');
  const grantee = e.parties.find((p) => p.role === 'grantee');
  if (provider && requester) parts.push(`${provider.mspId} → ${who(requester)}`);
  if (grantee) parts.push(`for ${who(grantee)}`);
  if (e.purpose) parts.push(`purpose ${e.purpose}`);
  if (e.reason) parts.push(e.reason);
  if (e.supervisory) parts.push('supervisory');
  if (e.category) parts.push(e.category);
  parts.push(`block ${e.block}`);
  if (e.reportId) parts.push(`report ${e.reportId}`);
  return parts.join(' · ');
}

function renderTimeline(entries) {
  const box = byId('timeline');
  if (entries.length === 0) {
    box.replaceChildren(emptyChart('No trail entries', 960));
    return;
  }
  const row = 30;
  const W = 1100;
  const H = 16 + entries.length * row;
  const axis = 172;
  const svg = svgRoot(W, H, 'Trail timeline');
  svg.append(s('line', { x1: axis, x2: axis, y1: 8, y2: H - 8, class: 'axis', 'stroke-width': 2 }));
  entries.forEach((e, i) => {
    const y = 20 + i * row;
    const detail = describe(e);
    svg.append(
      s(
        'g',
        { class: 'entry', 'data-kind': e.kind, 'data-block': e.block },
        s('title', {}, `${e.time}\n${e.kind}\n${detail}\ntx ${e.txId}`),
        s('text', { x: 0, y: y + 4, class: 'label-muted' }, when(e.time)),
        s('circle', {
          cx: axis,
          cy: y,
          r: 7,
          fill: KIND_COLOURS[e.kind] ?? '#7f8c8d',
          stroke: '#ffffff',
          'stroke-width': 2,
        }),
        s(
          'text',
          { x: axis + 16, y: y + 4, 'font-weight': 700, fill: KIND_COLOURS[e.kind] ?? '#1b2430' },
          e.kind,
        ),
        s('text', { x: axis + 150, y: y + 4 }, short(detail, 125)),
      ),
    );
  });
  box.replaceChildren(svg);
}

function renderMemberUsage(statement) {
  const box = byId('member-usage');
  if (!statement) {
    box.replaceChildren();
    return;
  }
  const rows = statement.lines.map((l) => ({
    label: `${l.role === 'requester' ? 'from' : 'to'} ${l.counterparty.replace(/MSP$/, '')} ${l.category}`,
    values: l,
  }));
  box.replaceChildren(
    h('h3', {}, `Usage statement of ${statement.mspId}, ${statement.from} to ${statement.to}`),
    barChart(rows, ['granted', 'denied', 'delivered'], `Usage statement of ${statement.mspId}`),
  );
}

function period() {
  return { from: byId('from').value, to: byId('to').value };
}

/**
 * Runs a search: the first page, and a `more` that loads the following ones.
 * @param {string} kind
 * @param {string} value
 */
async function search(kind, value) {
  const status = byId('search-status');
  const more = byId('more');
  session.entries = [];
  session.more = null;
  more.hidden = true;
  renderMemberUsage(null);
  status.textContent = 'Searching…';
  /** @type {(after: string | null) => Promise<any>} */
  let page;
  let what = '';
  if (kind === 'report') {
    what = `report ${value}`;
    page = (after) =>
      api(
        `/v1/audit/reports/${encodeURIComponent(value)}/trail?${new URLSearchParams({ limit: String(TRAIL_PAGE), ...(after ? { after } : {}) })}`,
      );
  } else if (kind === 'uscc') {
    // The USCC goes in the body: URLs end up in histories and access logs.
    what = 'the enterprise';
    page = (after) =>
      api('/v1/audit/subjects/trail', {
        method: 'POST',
        body: { uscc: value, limit: TRAIL_PAGE, ...(after ? { after } : {}) },
      });
  } else {
    const [mspId = '', institution] = value.split('/').map((p) => p.trim());
    what = institution ? `${mspId}/${institution}` : mspId;
    const { from, to } = period();
    page = (after) =>
      api(
        `/v1/audit/members/${encodeURIComponent(mspId)}/trail?${new URLSearchParams({
          limit: String(TRAIL_PAGE),
          from,
          to,
          ...(institution ? { institution } : {}),
          ...(after ? { after } : {}),
        })}`,
      );
    api(`/v1/audit/members/${encodeURIComponent(mspId)}/usage?${new URLSearchParams({ from, to })}`).then(
      renderMemberUsage,
      (err) =>
        byId('member-usage').replaceChildren(h('p', { class: 'error' }, `Usage statement: ${explain(err)}`)),
    );
  }
  const load = async (after) => {
    const result = await page(after);
    session.entries.push(...result.items);
    renderTimeline(session.entries);
    const subject = result.subjectRef ? ` (pseudonym ${result.subjectRef.slice(0, 12)}…)` : '';
    status.textContent = `${session.entries.length} trail entr${session.entries.length === 1 ? 'y' : 'ies'} of ${what}${subject}, oldest first.`;
    session.more = result.next ? () => load(result.next) : null;
    more.hidden = session.more === null;
  };
  try {
    await load(null);
  } catch (err) {
    if (refusedToken(err)) return signOut(`The gateway refused the token (${explain(err)}).`);
    status.textContent = '';
    byId('timeline').replaceChildren(h('p', { class: 'error' }, explain(err)));
  }
}

// ---------------------------------------------------------------------------------------------
// The whole board

async function refresh() {
  const { from, to } = period();
  const status = byId('status');
  status.textContent = 'Loading…';
  const q = new URLSearchParams({ from, to });
  const [health, summary, alerts] = await Promise.allSettled([
    api('/v1/dashboard/health'),
    api(`/v1/dashboard/summary?${q}`),
    api(`/v1/audit/alerts?${q}&limit=100`),
  ]);
  const failed = [health, summary, alerts].find((r) => r.status === 'rejected');
  if (failed && refusedToken(failed.reason))
    return signOut(`The gateway refused the token (${explain(failed.reason)}).`);
  const problem = (id, r) => byId(id).replaceChildren(h('p', { class: 'error' }, explain(r.reason)));
  if (health.status === 'fulfilled') renderHealth(health.value);
  else problem('health', health);
  if (summary.status === 'fulfilled') {
    renderFlows(summary.value);
    renderUsage(summary.value);
  } else {
    problem('flows', summary);
    problem('usage-by-day', summary);
    byId('usage-by-category').replaceChildren();
  }
  if (alerts.status === 'fulfilled') renderAlerts(alerts.value);
  else byId('alerts').replaceChildren(h('li', { class: 'error' }, explain(alerts.reason)));
  const sum = summary.status === 'fulfilled' ? summary.value : null;
  status.textContent = sum
    ? `${sum.entries} trail entries from ${sum.from} to ${sum.to}${sum.truncated ? ' (truncated: narrow the period)' : ''}; read model at block ${sum.readModel.nextBlock}.`
    : '';
  document.body.dataset.loaded = 'true';
}

function start() {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  byId('from').value = isoDay(today - 29 * DAY_MS);
  byId('to').value = isoDay(today + DAY_MS);

  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('token'));
    const token = input.value.trim();
    input.value = '';
    if (token === '') return;
    session.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    byId('sign-in-error').textContent = '';
    showBoard();
    void refresh();
  });
  byId('sign-out').addEventListener('click', () => signOut());
  byId('period').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  byId('search').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = /** @type {HTMLInputElement} */ (byId('search-value')).value.trim();
    if (value !== '') void search(/** @type {HTMLSelectElement} */ (byId('search-kind')).value, value);
  });
  byId('more').addEventListener('click', () => {
    const more = session.more;
    if (more) more().catch((err) => (byId('search-status').textContent = explain(err)));
  });

  if (session.token) {
    showBoard();
    void refresh();
  } else signOut();
}

if (document.readyState === 'loading') window.addEventListener('DOMContentLoaded', start);
else start();
