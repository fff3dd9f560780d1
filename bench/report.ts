import type { ChangeRecord, ScenarioRecord, SkippedScenario } from './types.js';

/** The human-readable table run.ts prints. */

const num = (n: number | undefined | null): string =>
  n === undefined || n === null ? '-' : n >= 100 ? String(Math.round(n)) : String(n);

function changeCell(c: ChangeRecord): string {
  return `${c.lines}L/${c.chains}ch/${num(c.computeMs)}ms${c.rewritesKubeServices ? '/KS!' : ''}`;
}

function applyCell(
  r: ScenarioRecord,
  backend: 'nft' | 'legacy',
  which: 'full' | 'partial' | 'addService',
): string {
  const a = r.apply?.[backend];
  if (!a) return '-';
  if ('error' in a) return 'error';
  if (which === 'full') return `${num(a.fullMs)}/${num(a.fullFloorMs)}/${num(a.fullFloorNoflushMs)}`;
  if (which === 'partial') return `${num(a.partialMs)}/${num(a.partialFloorMs)}`;
  return `${num(a.addServiceMs)}/${num(a.addServiceFloorMs)}`;
}

function latencyCell(r: ScenarioRecord, backend: 'nft' | 'legacy'): string {
  const l = r.programmingLatencyMs?.backends[backend];
  if (!l) return '-';
  if ('error' in l) return 'error';
  return `${num(l.p50)}/${num(l.p99)}`;
}

/** The real controller's peak RSS in the latency run (the larger over the backends run). */
function kproxyRss(r: ScenarioRecord): number | null {
  const rss = (['nft', 'legacy'] as const).flatMap((b) => {
    const l = r.programmingLatencyMs?.backends[b];
    return l && !('error' in l) ? [l.kproxyRssMb] : [];
  });
  return rss.length === 0 ? null : Math.max(...rss);
}

/** One line per set of node flags: which scenarios ran with it. */
function nodeOptionNotes(records: readonly ScenarioRecord[]): string[] {
  const byFlags = new Map<string, string[]>();
  for (const r of records)
    byFlags.set(r.kproxyNodeOptions, [...(byFlags.get(r.kproxyNodeOptions) ?? []), r.scenario]);
  return [...byFlags].map(([flags, scenarios]) => `    ${flags} (${scenarios.join(', ')})`);
}

function latencyNotes(r: ScenarioRecord): string[] {
  const errors = (['nft', 'legacy'] as const).flatMap((b) => {
    const l = r.programmingLatencyMs?.backends[b];
    return l && 'error' in l ? [`${r.scenario} ${b}: programming latency failed: ${l.error}`] : [];
  });
  const note = r.programmingLatencyNote
    ? [`${r.scenario}: programming latency ${r.programmingLatencyNote}`]
    : [];
  return [...errors, ...note];
}

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ')).join('\n');
}

export function formatTable(records: readonly ScenarioRecord[], skipped: readonly SkippedScenario[]): string {
  const head = [
    'scenario',
    'svcPorts',
    'endpoints',
    'renderMs',
    'rss cold/run',
    'fullLines',
    'fullMB',
    'change (lines/chains/compute)',
    'addService',
    'nft full/floor/nfFloor',
    'nft part/floor',
    'nft add/floor',
    'legacy full/floor/nfFloor',
    'legacy part/floor',
    'legacy add/floor',
    'lat nft p50/p99',
    'lat legacy p50/p99',
  ];
  const rows = records.map((r) => [
    r.scenario,
    String(r.servicePorts),
    String(r.endpoints),
    num(r.renderMs),
    `${num(r.rssMb)}/${num(kproxyRss(r))}`,
    String(r.fullLines),
    (r.fullBytes / 1e6).toFixed(1),
    changeCell(r.change),
    changeCell(r.addService),
    applyCell(r, 'nft', 'full'),
    applyCell(r, 'nft', 'partial'),
    applyCell(r, 'nft', 'addService'),
    applyCell(r, 'legacy', 'full'),
    applyCell(r, 'legacy', 'partial'),
    applyCell(r, 'legacy', 'addService'),
    latencyCell(r, 'nft'),
    latencyCell(r, 'legacy'),
  ]);
  const notes = [
    'times in ms; apply cells are kproxy (Applier) / floor (bare iptables-restore of the same payload);',
    'full: Applier cold start / bare flushing restore / bare --noflush restore of the same payload;',
    'KS! = the plan rewrites KUBE-SERVICES.',
    'rss: kproxy peak RSS in MB: cold = controller path into an empty node (controller-memory),',
    '  run = the real controller restarting on a loaded node, then under churn (latency run);',
    "  both with the DaemonSet's NODE_OPTIONS, heap budget scaled as docs/migrate.md says:",
    ...nodeOptionNotes(records),
    'lat: network programming latency (EndpointSlice trigger time -> restore applied) under endpoint churn.',
    ...records.flatMap((r) =>
      (['nft', 'legacy'] as const).flatMap((b) => {
        const a = r.apply?.[b];
        return a && 'error' in a ? [`${r.scenario} ${b}: apply failed: ${a.error}`] : [];
      }),
    ),
    ...records.flatMap(latencyNotes),
    ...records.filter((r) => r.applySkipped).map((r) => `${r.scenario}: applies skipped (${r.applySkipped})`),
    ...skipped.map((s) => `${s.scenario}: not run (${s.skipped})`),
  ];
  return `${pad([head, ...rows])}\n\n${notes.join('\n')}\n`;
}
