import { planRestore } from '../src/iptables/diff.js';
import { emptyLiveRuleSet, type LiveRuleSet } from '../src/iptables/live.js';
import { renderRestoreInput, type RestorePlan } from '../src/iptables/restore-plan.js';
import { serializeRuleSet } from '../src/iptables/serialize.js';
import { applyPlanToLive } from '../src/iptables/simulate.js';
import type { ClusterSnapshot, EndpointSlice, Service } from '../src/model/cluster.js';
import type { RuleSet } from '../src/model/ruleset.js';
import { buildSnapshot } from '../src/model/snapshot.js';
import { render } from '../src/render/render.js';
import { RenderCache } from '../src/render/cache.js';
import {
  generateCluster,
  generateEndpoint,
  generateService,
  mulberry32,
  type SyntheticCluster,
} from './generate.js';
import { HeapPeak, collectGarbage, median, peakRssMb, round, timed } from './measure.js';
import type { ChangeRecord, ScenarioParams } from './types.js';

/** Everything the benchmark measures without touching the kernel, plus the rulesets to apply. */
export interface ComputeResult {
  readonly servicePorts: number;
  readonly endpoints: number;
  readonly generateMs: number;
  readonly snapshotMs: number;
  readonly renderMs: number;
  readonly renderRunsMs: number[];
  readonly serializeMs: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly fullLines: number;
  readonly fullBytes: number;
  readonly change: ChangeRecord;
  readonly addService: ChangeRecord;
  /** base -> changed (one endpoint replaced) -> added (changed plus one new service). */
  readonly rulesets: { readonly base: RuleSet; readonly changed: RuleSet; readonly added: RuleSet };
}

type Cluster = Pick<SyntheticCluster, 'config' | 'host'>;

function renderSnapshot(
  cluster: Cluster,
  snapshot: ClusterSnapshot,
  cache?: RenderCache,
): ReturnType<typeof render> {
  return render({ snapshot, config: cluster.config, family: 'ipv4', host: cluster.host }, cache);
}

/** What the Applier holds after applying `rs` (its lastApplied state), built without a text round trip. */
export function liveAfter(previous: LiveRuleSet, rs: RuleSet): LiveRuleSet {
  return applyPlanToLive(previous, planRestore(rs, previous));
}

/**
 * The service the one-endpoint change touches: from the middle of the list on, the first
 * single-port ClusterIP service with default policies (a typical pod restart).
 */
function pickChangedService(services: readonly Service[]): number {
  const typical = (s: Service): boolean =>
    s.type === 'ClusterIP' &&
    s.ports.length === 1 &&
    s.sessionAffinity.kind === 'None' &&
    s.internalTrafficPolicy === 'Cluster' &&
    s.externalIPs.length === 0;
  const from = Math.floor(services.length / 2);
  for (let i = 0; i < services.length; i++) {
    const at = (from + i) % services.length;
    const svc = services[at];
    if (svc && typical(svc)) return at;
  }
  throw new Error('bench: no ClusterIP service to change');
}

function replaceFirstEndpoint(slice: EndpointSlice, cluster: SyntheticCluster, seed: number): EndpointSlice {
  const fresh = generateEndpoint(mulberry32(seed), cluster.alloc);
  return {
    ...slice,
    endpoints: [{ ...fresh, ready: true, terminating: false }, ...slice.endpoints.slice(1)],
  };
}

function summarizePlan(
  plan: RestorePlan,
): Pick<ChangeRecord, 'lines' | 'bytes' | 'chains' | 'rewritesKubeServices'> {
  return {
    lines: plan.lineCount,
    bytes: Buffer.byteLength(renderRestoreInput(plan)),
    chains: plan.changes.length,
    rewritesKubeServices: plan.changes.some((c) => c.chain === 'KUBE-SERVICES' && c.kind === 'rewritten'),
  };
}

/** Render + plan of `next` against `live`, `runs` times; medians of each part. */
function measureChange(
  cluster: Cluster,
  objects: { services: Service[]; slices: EndpointSlice[] },
  nodes: SyntheticCluster['nodes'],
  live: LiveRuleSet,
  runs: number,
  warmCache: () => RenderCache,
): { record: ChangeRecord; ruleSet: RuleSet; plan: RestorePlan } {
  const snap = timed(() => buildSnapshot(objects.services, objects.slices, nodes));
  const renders: number[] = [];
  const plans: number[] = [];
  const totals: number[] = [];
  let last: { ruleSet: RuleSet; plan: RestorePlan } | undefined;
  for (let i = 0; i < runs; i++) {
    // The controller's cache holds the previous sync's cluster (warmed outside the timing).
    const cache = warmCache();
    collectGarbage();
    const r = timed(() => renderSnapshot(cluster, snap.value, cache).ruleSet);
    // As the Applier does: only the chains the render reports as changed since the ruleset that
    // left \`live\` (the warm cache's previous render) are compared.
    const p = timed(() => planRestore(r.value, live, { onlyChains: r.value.delta?.chains }));
    renders.push(r.ms);
    plans.push(p.ms);
    totals.push(r.ms + p.ms);
    last = { ruleSet: r.value, plan: p.value };
  }
  if (!last) throw new Error('bench: runs must be >= 1');
  const record: ChangeRecord = {
    ...summarizePlan(last.plan),
    computeMs: round(median(totals)),
    renderMs: round(median(renders)),
    planMs: round(median(plans), 2),
    snapshotMs: round(snap.ms),
  };
  return { record, ...last };
}

export function computeScenario(params: ScenarioParams): ComputeResult {
  const heap = new HeapPeak();
  const { services: count, endpointsPerService: eps, seed } = params;
  const gen = timed(() => generateCluster({ services: count, endpointsPerService: eps, seed }));
  const cluster = gen.value;
  const snap = timed(() => buildSnapshot(cluster.services, cluster.endpointSlices, cluster.nodes));
  heap.sample();

  const runsMs: number[] = [];
  let base: ReturnType<typeof render> | undefined;
  for (let i = 0; i < params.renderRuns; i++) {
    base = undefined;
    collectGarbage();
    const r = timed(() => renderSnapshot(cluster, snap.value));
    heap.sample();
    runsMs.push(r.ms);
    base = r.value;
  }
  if (!base) throw new Error('bench: renderRuns must be >= 1');
  const text = timed(() => serializeRuleSet(base.ruleSet));
  heap.sample();
  const fullLines = text.value.split('\n').length - 1;
  const fullBytes = Buffer.byteLength(text.value);

  const baseLive = liveAfter(emptyLiveRuleSet('ipv4'), base.ruleSet);
  const changeRuns = Math.min(params.renderRuns, 3);
  const warmBase = (): RenderCache => {
    const cache = new RenderCache();
    renderSnapshot(cluster, snap.value, cache);
    return cache;
  };
  const at = pickChangedService(cluster.services);
  const slices = [...cluster.endpointSlices];
  const slice = slices[at];
  if (!slice) throw new Error('bench: service without slice');
  slices[at] = replaceFirstEndpoint(slice, cluster, seed + 1);
  const change = measureChange(
    cluster,
    { services: cluster.services, slices },
    cluster.nodes,
    baseLive,
    changeRuns,
    warmBase,
  );
  heap.sample();

  const changedLive = applyPlanToLive(baseLive, change.plan);
  const added = generateService(
    mulberry32(seed + 2),
    cluster.alloc,
    { namespace: 'ns-bench', name: 'svc-added', type: 'ClusterIP' },
    eps,
  );
  const add = measureChange(
    cluster,
    { services: [...cluster.services, added.service], slices: [...slices, added.slice] },
    cluster.nodes,
    changedLive,
    changeRuns,
    () => {
      const cache = warmBase();
      renderSnapshot(cluster, buildSnapshot(cluster.services, slices, cluster.nodes), cache);
      return cache;
    },
  );
  heap.sample();

  return {
    servicePorts: base.stats.servicePorts,
    endpoints: base.stats.endpoints,
    generateMs: round(gen.ms),
    snapshotMs: round(snap.ms),
    renderMs: round(median(runsMs)),
    renderRunsMs: runsMs.map((ms) => round(ms)),
    serializeMs: round(text.ms),
    rssMb: round(peakRssMb()),
    heapMb: round(heap.mb),
    fullLines,
    fullBytes,
    change: change.record,
    addService: add.record,
    rulesets: { base: base.ruleSet, changed: change.ruleSet, added: add.ruleSet },
  };
}
