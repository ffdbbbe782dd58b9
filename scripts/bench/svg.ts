/** The latency-vs-load plot, as hand-written SVG (no plotting dependency). */

/** One fixed-rate round: offered load and its latency percentiles (ms). */
export interface LatencyPoint {
  readonly offered: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Draws a dashed vertical line at capacity. */
  readonly capacity?: number;
}

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Round tick step (1, 2 or 5 × 10^k) giving about `count` ticks up to `max`, and the axis end. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  const last = ticks[ticks.length - 1] ?? 0;
  if (last < max) ticks.push(Number((last + step).toPrecision(12)));
  return ticks;
}

const W = 640;
const H = 400;
const M = { left: 64, right: 24, top: 40, bottom: 56 };
const SERIES = [
  { key: 'p50', label: 'p50', color: '#1f77b4' },
  { key: 'p99', label: 'p99', color: '#d62728' },
] as const;

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** An SVG document plotting p50 and p99 latency against offered load. */
export function latencyPlotSvg(points: readonly LatencyPoint[], options: PlotOptions): string {
  const sorted = [...points].sort((a, b) => a.offered - b.offered);
  const xMax = Math.max(options.capacity ?? 0, ...sorted.map((p) => p.offered));
  const yMax = Math.max(0, ...sorted.flatMap((p) => [p.p50 ?? 0, p.p99 ?? 0]));
  const xTicks = niceTicks(xMax);
  const yTicks = niceTicks(yMax);
  const xEnd = xTicks[xTicks.length - 1] ?? 1;
  const yEnd = yTicks[yTicks.length - 1] ?? 1;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (v: number): number => Math.round((M.left + (v / xEnd) * plotW) * 10) / 10;
  const y = (v: number): number => Math.round((M.top + plotH - (v / yEnd) * plotH) * 10) / 10;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `  <title>${escapeXml(options.title)}</title>`,
    `  <rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `  <text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
  ];
  for (const t of yTicks) {
    out.push(
      `  <line x1="${M.left}" y1="${y(t)}" x2="${W - M.right}" y2="${y(t)}" stroke="#e0e0e0"/>`,
      `  <text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `  <line x1="${x(t)}" y1="${M.top + plotH}" x2="${x(t)}" y2="${M.top + plotH + 4}" stroke="#000000"/>`,
      `  <text x="${x(t)}" y="${M.top + plotH + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  out.push(
    `  <line x1="${M.left}" y1="${M.top + plotH}" x2="${W - M.right}" y2="${M.top + plotH}" stroke="#000000"/>`,
    `  <line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + plotH}" stroke="#000000"/>`,
    `  <text x="${M.left + plotW / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `  <text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  if (options.capacity !== undefined && options.capacity > 0) {
    out.push(
      `  <line x1="${x(options.capacity)}" y1="${M.top}" x2="${x(options.capacity)}" y2="${M.top + plotH}" stroke="#7f7f7f" stroke-dasharray="4 4"/>`,
      `  <text x="${x(options.capacity) - 4}" y="${M.top + 12}" text-anchor="end" fill="#7f7f7f">capacity ${fmt(options.capacity)}</text>`,
    );
  }
  SERIES.forEach((s, i) => {
    const pts = sorted.flatMap((p) => {
      const v = p[s.key];
      return v === null ? [] : [[x(p.offered), y(v)] as const];
    });
    if (pts.length > 0) {
      out.push(
        `  <polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map(([a, b]) => `${a},${b}`).join(' ')}"/>`,
      );
      for (const [a, b] of pts) out.push(`  <circle cx="${a}" cy="${b}" r="3" fill="${s.color}"/>`);
    }
    const ly = M.top + 8 + i * 16;
    out.push(
      `  <line x1="${M.left + 12}" y1="${ly}" x2="${M.left + 32}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `  <text x="${M.left + 38}" y="${ly + 4}">${s.label}</text>`,
    );
  });
  if (sorted.length === 0) {
    out.push(`  <text x="${W / 2}" y="${H / 2}" text-anchor="middle">no fixed-rate rounds</text>`);
  }
  out.push('</svg>', '');
  return out.join('\n');
}
