import type { BackendApplyRecord, ScenarioRecord } from './types.js';

/**
 * bench/plot.svg, hand-written: two log-log panels against the number of services, one line per
 * metric (colour) and endpoints-per-service (dash): (1) sync time on nft, kproxy vs the floor;
 * (2) restore payload in lines.
 */

interface Series {
  readonly label: string;
  readonly color: string;
  readonly value: (r: ScenarioRecord) => number | undefined;
}

const W = 560;
const H = 380;
const M = { left: 70, right: 20, top: 40, bottom: 50 };
const DASH: Record<number, string> = { 1: '2,4', 10: '', 100: '10,5' };

const SYNC: Series[] = [
  {
    label: 'cold start, kproxy (render + Applier)',
    color: '#c0392b',
    value: (r) => add(r.renderMs, nft(r)?.fullMs ?? undefined),
  },
  { label: 'cold start, floor (bare restore)', color: '#e8a09a', value: (r) => nft(r)?.fullFloorMs },
  {
    label: '1-endpoint sync, kproxy (render + Applier)',
    color: '#1f5f9e',
    value: (r) => add(r.change.renderMs, nft(r)?.partialMs),
  },
  {
    label: '1-endpoint sync, floor (bare --noflush)',
    color: '#8fb8e0',
    value: (r) => nft(r)?.partialFloorMs,
  },
];

const PAYLOAD: Series[] = [
  { label: 'full ruleset', color: '#444444', value: (r) => r.fullLines },
  { label: 'one-service add', color: '#d35400', value: (r) => r.addService.lines },
  { label: 'one-endpoint change', color: '#27ae60', value: (r) => r.change.lines },
];

/** The nft apply numbers, when the nft apply ran and succeeded. */
function nft(r: ScenarioRecord): BackendApplyRecord | undefined {
  const a = r.apply?.nft;
  return a && !('error' in a) ? a : undefined;
}

function add(a: number, b: number | undefined): number | undefined {
  return b === undefined ? undefined : a + b;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function logRange(values: readonly number[]): [number, number] {
  const pos = values.filter((v) => v > 0);
  if (pos.length === 0) return [0, 1];
  return [Math.floor(Math.log10(Math.min(...pos))), Math.ceil(Math.log10(Math.max(...pos)))];
}

function panel(
  title: string,
  yLabel: string,
  series: readonly Series[],
  records: readonly ScenarioRecord[],
  dx: number,
): string {
  const xs = [...new Set(records.map((r) => r.services))].sort((a, b) => a - b);
  const eps = [...new Set(records.map((r) => r.endpointsPerService))].sort((a, b) => a - b);
  const values = records.flatMap((r) => series.map((s) => s.value(r) ?? 0));
  const [y0, y1raw] = logRange(values);
  const y1 = Math.max(y1raw, y0 + 1);
  const [x0, x1] = xs.length > 1 ? [Math.log10(xs[0] ?? 1), Math.log10(xs[xs.length - 1] ?? 10)] : [0, 1];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (x: number): number =>
    dx + M.left + (xs.length > 1 ? ((Math.log10(x) - x0) / (x1 - x0)) * pw : pw / 2);
  const py = (y: number): number => M.top + ph - ((Math.log10(y) - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<text x="${dx + W / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  out.push(`<rect x="${dx + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e).toFixed(1);
    out.push(`<line x1="${dx + M.left}" x2="${dx + M.left + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(
      `<text x="${dx + M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">1e${e}</text>`,
    );
  }
  for (const x of xs) {
    const X = px(x).toFixed(1);
    out.push(`<line x1="${X}" x2="${X}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${X}" y="${M.top + ph + 16}" text-anchor="middle">${x / 1000}k</text>`);
  }
  out.push(`<text x="${dx + M.left + pw / 2}" y="${H - 12}" text-anchor="middle">services</text>`);
  out.push(
    `<text transform="translate(${dx + 16},${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  for (const s of series) {
    for (const e of eps) {
      const pts = records
        .filter((r) => r.endpointsPerService === e)
        .sort((a, b) => a.services - b.services)
        .flatMap((r) => {
          const v = s.value(r);
          return v !== undefined && v > 0 ? [`${px(r.services).toFixed(1)},${py(v).toFixed(1)}`] : [];
        });
      if (pts.length === 0) continue;
      const dash = DASH[e] ? ` stroke-dasharray="${DASH[e]}"` : '';
      out.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
      );
      for (const p of pts) {
        const [cx, cy] = p.split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
      }
    }
  }
  series.forEach((s, i) => {
    const y = M.top + 12 + i * 15;
    out.push(`<rect x="${dx + M.left + 8}" y="${y - 8}" width="12" height="4" fill="${s.color}"/>`);
    out.push(`<text x="${dx + M.left + 26}" y="${y}" font-size="11">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

export function plotSvg(records: readonly ScenarioRecord[]): string {
  const eps = [...new Set(records.map((r) => r.endpointsPerService))].sort((a, b) => a - b);
  const legend = eps
    .map((e, i) => {
      const x = 90 + i * 170;
      const dash = DASH[e] ? ` stroke-dasharray="${DASH[e]}"` : '';
      return `<line x1="${x}" x2="${x + 30}" y1="${H + 12}" y2="${H + 12}" stroke="#333" stroke-width="2"${dash}/><text x="${x + 36}" y="${H + 16}">${e} endpoint(s)/service</text>`;
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 30}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel('Sync time on iptables-nft (ms)', 'milliseconds', SYNC, records, 0),
    panel('Restore payload (lines)', 'lines', PAYLOAD, records, W),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
