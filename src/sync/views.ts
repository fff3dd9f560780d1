import type { IpFamily } from '../model/family.js';
import { collectViews } from '../render/render.js';
import type { RenderInput } from '../render/input.js';
import type { ServicePortView } from '../render/service-view.js';
import type { LocalHealthService } from './observer.js';

/** Every service port of every family as this node sees it (render's own view, without rules). */
export function viewsByFamily(
  base: Omit<RenderInput, 'family'>,
  families: readonly IpFamily[],
): Map<IpFamily, ServicePortView[]> {
  return new Map(families.map((family) => [family, collectViews({ ...base, family }, [])]));
}

/**
 * eTP=Local LoadBalancer services with a health-check NodePort, and how many distinct ready local
 * endpoint IPs each has (kube-proxy's LocalReadyEndpoints), sorted by namespace/name.
 */
export function localHealthServices(
  views: ReadonlyMap<IpFamily, readonly ServicePortView[]>,
): LocalHealthService[] {
  const byService = new Map<string, { view: ServicePortView; ips: Set<string> }>();
  for (const list of views.values()) {
    for (const view of list) {
      if (view.healthCheckNodePort === 0) continue;
      const key = `${view.service.namespace}/${view.service.name}`;
      const entry = byService.get(key) ?? { view, ips: new Set<string>() };
      byService.set(key, entry);
      for (const ep of view.endpoints) if (ep.local && ep.endpoint.ready) entry.ips.add(ep.ip);
    }
  }
  return [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { view, ips }]) => ({
      namespace: view.service.namespace,
      name: view.service.name,
      healthCheckNodePort: view.healthCheckNodePort,
      localEndpoints: ips.size,
    }));
}
