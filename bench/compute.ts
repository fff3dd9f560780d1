import { renderRestoreInput, type RestorePlan } from '../src/iptables/restore-plan.js';
import { serializeRuleSet } from '../src/iptables/serialize.js';
import type { ClusterSnapshot, EndpointSlice, Service } from '../src/model/cluster.js';
import type { RuleSet, TableName } from '../src/model/ruleset.js';
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
  readonly benchRssMb: number;
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

import { ControllerModel, sliceKey } from './controller-model.js';

/** Untimed syncs before the timed ones, and timed ones (odd: the last change ends in "changed"). */
const WARMUP_SYNCS = 4;
const CHANGE_RUNS = 5;

interface Timings {
  take: number[];
  render: number[];
  plan: number[];
}

function record(plan: RestorePlan, t: Timings): ChangeRecord {
  const totals = t.take.map((ms, i) => ms + (t.render[i] ?? 0) + (t.plan[i] ?? 0));
  return {
    ...summarizePlan(plan),
    computeMs: round(median(totals), 2),
    snapshotMs: round(median(t.take), 2),
    renderMs: round(median(t.render), 2),
    planMs: round(median(t.plan), 2),
  };
}

function timedSync(model: ControllerModel, t: Timings): ReturnType<ControllerModel['sync']> {
  collectGarbage();
  const s = model.sync();
  t.take.push(s.ms.take);
  t.render.push(s.ms.render);
  t.plan.push(s.ms.plan);
  return s;
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

  // The controller's first sync (a full render into an empty node), outside the timing.
  const model = new ControllerModel(cluster);
  model.sync();
  heap.sample();

  // One-endpoint change: a pod of one service restarts with a new IP, then the next sync changes
  // it back, and so on; every sync is one endpoint replaced. The first WARMUP_SYNCS are not timed
  // (a controller syncs all day: what counts is its steady state, not the first call of a code
  // path), the next CHANGE_RUNS are, and the last one ends in "changed".
  const at = pickChangedService(cluster.services);
  const original = cluster.endpointSlices[at];
  if (!original) throw new Error('bench: service without slice');
  const changedSlice = replaceFirstEndpoint(original, cluster, seed + 1);
  const changeTimes: Timings = { take: [], render: [], plan: [] };
  let changePlan: RestorePlan | undefined;
  let changed: ClusterSnapshot | undefined;
  let changeChains: Record<TableName, ReadonlySet<string>> | undefined;
  for (let i = 0; i < WARMUP_SYNCS + CHANGE_RUNS; i++) {
    const toChanged = (WARMUP_SYNCS + CHANGE_RUNS - i) % 2 === 1;
    model.state.setSlices(sliceKey(original), [toChanged ? changedSlice : original]);
    if (i < WARMUP_SYNCS) {
      model.sync();
      continue;
    }
    const s = timedSync(model, changeTimes);
    if (toChanged) changePlan ??= s.plan;
    changed = s.snapshot;
    changeChains = s.changedChains;
  }
  heap.sample();

  // One-service add: a new ClusterIP service with its slice; between adds it is removed again
  // (not timed), so every timed sync is the same add. Warmed up the same way.
  const added = generateService(
    mulberry32(seed + 2),
    cluster.alloc,
    { namespace: 'ns-bench', name: 'svc-added', type: 'ClusterIP' },
    eps,
  );
  const addTimes: Timings = { take: [], render: [], plan: [] };
  let addPlan: RestorePlan | undefined;
  let withAdded: ClusterSnapshot | undefined;
  let addChains: Record<TableName, ReadonlySet<string>> | undefined;
  for (let i = 0; i < WARMUP_SYNCS + CHANGE_RUNS; i++) {
    if (i > 0) {
      model.state.setService('ns-bench/svc-added', undefined);
      model.state.setSlices(sliceKey(added.slice), undefined);
      model.sync();
    }
    model.state.setService('ns-bench/svc-added', added.service);
    model.state.setSlices(sliceKey(added.slice), [added.slice]);
    if (i < WARMUP_SYNCS) {
      model.sync();
      continue;
    }
    const s = timedSync(model, addTimes);
    addPlan ??= s.plan;
    withAdded = s.snapshot;
    addChains = s.changedChains;
  }
  heap.sample();
  if (!changePlan || !addPlan || !changed || !withAdded) throw new Error('bench: no change measured');

  return {
    servicePorts: base.stats.servicePorts,
    endpoints: base.stats.endpoints,
    generateMs: round(gen.ms),
    snapshotMs: round(snap.ms),
    renderMs: round(median(runsMs)),
    renderRunsMs: runsMs.map((ms) => round(ms)),
    serializeMs: round(text.ms),
    benchRssMb: round(peakRssMb()),
    heapMb: round(heap.mb),
    fullLines,
    fullBytes,
    change: record(changePlan, changeTimes),
    addService: record(addPlan, addTimes),
    rulesets: applyRuleSets(cluster, base.ruleSet, { changed, changeChains, withAdded, addChains }),
  };
}

/**
 * The rulesets the applies use, each rendered on its own (the cached renders share chain maps with
 * later renders). The changed and added ones carry the chain delta the controller's renders
 * reported, relative to the ruleset before them, so the Applier plans only those chains, as it
 * does for the controller.
 */
function applyRuleSets(
  cluster: Cluster,
  base: RuleSet,
  steps: {
    changed: ClusterSnapshot;
    changeChains: Record<TableName, ReadonlySet<string>> | undefined;
    withAdded: ClusterSnapshot;
    addChains: Record<TableName, ReadonlySet<string>> | undefined;
  },
): ComputeResult['rulesets'] {
  const withDelta = (
    rs: RuleSet,
    previous: RuleSet,
    chains: Record<TableName, ReadonlySet<string>> | undefined,
  ): RuleSet => (chains ? { ...rs, delta: { base: previous, chains } } : rs);
  const changed = withDelta(renderSnapshot(cluster, steps.changed).ruleSet, base, steps.changeChains);
  const added = withDelta(renderSnapshot(cluster, steps.withAdded).ruleSet, changed, steps.addChains);
  return { base, changed, added };
}
