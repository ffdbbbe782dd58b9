import { describe, expect, it } from 'vitest';
import { escapeXml, latencyPlotSvg, niceTicks } from './svg.js';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k and reaches past the maximum', () => {
    expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(430)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(niceTicks(7.3)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('gives a unit axis for nothing to plot', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters', () => {
    expect(escapeXml(`<a & "b" 'c'>`)).toBe('&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
  });
});

describe('latencyPlotSvg', () => {
  const points = [
    { offered: 300, p50: 80, p99: 200 },
    { offered: 100, p50: 40, p99: 90 },
    { offered: 200, p50: 55, p99: null },
  ];
  const svg = latencyPlotSvg(points, { title: 'p50 & p99', xLabel: 'tx/s', yLabel: 'ms', capacity: 400 });

  it('is one SVG document with an escaped title', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>p50 &amp; p99</title>');
    expect(svg.match(/<svg/g)).toHaveLength(1);
  });

  it('draws one line per percentile through its points, in load order, skipping missing values', () => {
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => (m[1] ?? '').split(' '));
    expect(lines).toHaveLength(2);
    const [p50, p99] = lines;
    expect(p50).toHaveLength(3);
    expect(p99).toHaveLength(2);
    const xs = (p50 ?? []).map((p) => Number(p.split(',')[0]));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(svg.match(/<circle /g)).toHaveLength(5);
  });

  it('marks capacity and labels the axes', () => {
    expect(svg).toContain('capacity 400');
    expect(svg).toContain('>tx/s</text>');
    expect(svg).toContain('>ms</text>');
  });

  it('says so when there is nothing to plot', () => {
    const empty = latencyPlotSvg([], { title: 't', xLabel: 'x', yLabel: 'y' });
    expect(empty).toContain('no fixed-rate rounds');
    expect(empty).not.toContain('<polyline');
  });
});
