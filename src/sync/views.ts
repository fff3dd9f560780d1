import type { IpFamily } from '../model/family.js';
import type { ServicePortView } from '../render/service-view.js';
import type { LocalHealthService } from './observer.js';

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
