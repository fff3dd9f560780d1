import { planRestore } from '../src/iptables/diff.js';
import { emptyLiveRuleSet, type LiveRuleSet } from '../src/iptables/live.js';
import type { RestorePlan } from '../src/iptables/restore-plan.js';
import { applyPlanToLive } from '../src/iptables/simulate.js';
import { ClusterState } from '../src/k8s/cluster-state.js';
import type { ClusterSnapshot, EndpointSlice } from '../src/model/cluster.js';
import type { TableName } from '../src/model/ruleset.js';
import { RenderCache } from '../src/render/cache.js';
import { render } from '../src/render/render.js';
import type { SyntheticCluster } from './generate.js';
import { timed } from './measure.js';

export const sliceKey = (s: EndpointSlice): string => `EndpointSlice/${s.namespace}/${s.name}`;

/**
 * The controller's side of syncs, without the kernel: a ClusterState fed with the objects (as the
 * watch feeds it), a render cache and the state the Applier keeps after each sync (updated in
 * place, as the Applier does).
 */
export class ControllerModel {
  readonly state = new ClusterState();
  readonly cache = new RenderCache();
  live: LiveRuleSet = emptyLiveRuleSet('ipv4');

  constructor(private readonly cluster: SyntheticCluster) {
    for (const svc of cluster.services) this.state.setService(`${svc.namespace}/${svc.name}`, svc);
    for (const slice of cluster.endpointSlices) this.state.setSlices(sliceKey(slice), [slice]);
    for (const node of cluster.nodes) if (node.name === cluster.config.hostname) this.state.setNode(node);
  }

  /** One sync: take, render (patched from the previous one), plan only the changed chains. */
  sync(): {
    snapshot: ClusterSnapshot;
    plan: RestorePlan;
    /** The chains the render reported as changed since the previous sync (a copy). */
    changedChains: Record<TableName, ReadonlySet<string>> | undefined;
    ms: { take: number; render: number; plan: number };
  } {
    const { config, host } = this.cluster;
    const t = timed(() => this.state.take().snapshot);
    const r = timed(() => render({ snapshot: t.value, config, family: 'ipv4', host }, this.cache).ruleSet);
    // As the Applier does: only the chains the render reports as changed since the ruleset that
    // left `live` (the previous sync's render) are compared.
    const p = timed(() => planRestore(r.value, this.live, { onlyChains: r.value.delta?.chains }));
    this.live = applyPlanToLive(this.live, p.value, { inPlace: true });
    const delta = r.value.delta?.chains;
    const changedChains = delta && {
      filter: new Set(delta.filter),
      nat: new Set(delta.nat),
      mangle: new Set(delta.mangle),
    };
    return { snapshot: t.value, plan: p.value, changedChains, ms: { take: t.ms, render: r.ms, plan: p.ms } };
  }
}
