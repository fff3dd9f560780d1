import { emptyLiveRuleSet } from '../src/iptables/live.js';
import { planRestore } from '../src/iptables/diff.js';
import { applyPlanToLive } from '../src/iptables/simulate.js';
import { ClusterState } from '../src/k8s/cluster-state.js';
import { buildSnapshot } from '../src/model/snapshot.js';
import { RenderCache } from '../src/render/cache.js';
import { render } from '../src/render/render.js';
import { generateCluster, generateEndpoint, mulberry32 } from './generate.js';

/**
 * A profiling aid, not the benchmark: runs one piece of kproxy's work on a synthetic cluster in a
 * loop and prints each run's time, for `node --cpu-prof` or `--trace-gc`.
 *
 *   node --expose-gc --import tsx bench/profile.ts render 10000 10   # full renders, retained heap
 *   node --expose-gc --import tsx bench/profile.ts change 10000 10   # controller syncs, one endpoint each
 */

const [mode = 'render', svc = '10000', eps = '10'] = process.argv.slice(2);
const cluster = generateCluster({ services: Number(svc), endpointsPerService: Number(eps), seed: 42 });
const gc = (globalThis as { gc?: () => void }).gc;
const ms = (from: number): string => (performance.now() - from).toFixed(2);

function profileRender(): void {
  const snapshot = buildSnapshot(cluster.services, cluster.endpointSlices, cluster.nodes);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let kept: unknown;
  for (let i = 0; i < 3; i++) {
    kept = undefined;
    gc?.();
    const t = performance.now();
    kept = render({ snapshot, config: cluster.config, family: 'ipv4', host: cluster.host });
    console.log(`render ${ms(t)} ms`);
  }
  gc?.();
  const heap = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  console.log(`heap held by one render result: ${heap.toFixed(0)} MiB`, kept !== undefined);
}

function profileChange(): void {
  const state = new ClusterState();
  for (const s of cluster.services) state.setService(`${s.namespace}/${s.name}`, s);
  for (const s of cluster.endpointSlices) state.setSlices(`EndpointSlice/${s.namespace}/${s.name}`, [s]);
  for (const n of cluster.nodes) if (n.name === cluster.config.hostname) state.setNode(n);
  const cache = new RenderCache();
  let live = emptyLiveRuleSet('ipv4');
  const sync = (): string => {
    const t0 = performance.now();
    const snapshot = state.take().snapshot;
    const t1 = performance.now();
    const rs = render(
      { snapshot, config: cluster.config, family: 'ipv4', host: cluster.host },
      cache,
    ).ruleSet;
    const t2 = performance.now();
    const plan = planRestore(rs, live, { onlyChains: rs.delta?.chains });
    const t3 = performance.now();
    live = applyPlanToLive(live, plan, { inPlace: true });
    const total = (t3 - t0).toFixed(2);
    return `take ${(t1 - t0).toFixed(2)} render ${(t2 - t1).toFixed(2)} plan ${ms(t2)} = ${total} ms, ${plan.lineCount} lines`;
  };
  console.log('first sync:', sync());
  const slice = cluster.endpointSlices[Math.floor(cluster.endpointSlices.length / 2)];
  if (!slice) return;
  for (let i = 0; i < 20; i++) {
    const ep = generateEndpoint(mulberry32(i), cluster.alloc);
    const endpoints = [{ ...ep, ready: true, terminating: false }, ...slice.endpoints.slice(1)];
    state.setSlices(`EndpointSlice/${slice.namespace}/${slice.name}`, [{ ...slice, endpoints }]);
    console.log(sync());
  }
}

if (mode === 'change') profileChange();
else profileRender();
