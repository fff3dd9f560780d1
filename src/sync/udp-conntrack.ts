import type { ConntrackFilter } from '../iptables/conntrack.js';
import type { IpFamily } from '../model/family.js';
import type { ServicePortView } from '../render/service-view.js';

/**
 * UDP conntrack hygiene, as kube-proxy does it after a successful sync. UDP has no connection to
 * end, so a flow keeps its DNAT as long as packets keep coming:
 * - an endpoint that went away: delete the flows to each service IP that were DNATed to it;
 * - a service port that went from no endpoints to some: delete the flows to its service IPs and
 *   NodePort (they were created while nothing matched and would bypass the new rules).
 * Pure: computes the filters; the syncer runs them through the conntrack runner.
 */

export interface UdpServicePort {
  readonly family: IpFamily;
  /** Cluster IP, external IPs and load-balancer IPs of the family. */
  readonly serviceIPs: readonly string[];
  readonly port: number;
  readonly nodePort: number;
  /** IPs of the endpoints traffic can be sent to (ready, or serving while terminating). */
  readonly endpoints: ReadonlySet<string>;
}

export type UdpState = ReadonlyMap<string, UdpServicePort>;

export interface ConntrackDeletion {
  readonly family: IpFamily;
  readonly filter: ConntrackFilter;
}

export function udpState(views: ReadonlyMap<IpFamily, readonly ServicePortView[]>): UdpState {
  const state = new Map<string, UdpServicePort>();
  for (const [family, list] of views) {
    for (const view of list) {
      if (view.protocol !== 'udp') continue;
      state.set(`${family} ${view.name}`, {
        family,
        serviceIPs: [view.clusterIP, ...view.externalIPs, ...view.loadBalancerIPs],
        port: view.port.port,
        nodePort: view.nodePort,
        endpoints: new Set(
          view.endpoints.filter((e) => e.endpoint.ready || e.endpoint.serving).map((e) => e.ip),
        ),
      });
    }
  }
  return state;
}

export function staleUdpFlows(prev: UdpState, next: UdpState): ConntrackDeletion[] {
  const out: ConntrackDeletion[] = [];
  for (const [key, old] of prev) {
    const now = next.get(key);
    for (const ep of old.endpoints) {
      if (now?.endpoints.has(ep)) continue;
      for (const ip of old.serviceIPs) {
        out.push({
          family: old.family,
          filter: { kind: 'flow', origDst: ip, dstNat: ep, protocol: 'udp', port: old.port },
        });
      }
      if (old.nodePort !== 0) {
        out.push({
          family: old.family,
          filter: { kind: 'orig-port-dst', port: old.nodePort, protocol: 'udp', dstNat: ep },
        });
      }
    }
  }
  for (const [key, now] of next) {
    if (now.endpoints.size === 0 || (prev.get(key)?.endpoints.size ?? 0) > 0) continue;
    for (const ip of now.serviceIPs) {
      out.push({ family: now.family, filter: { kind: 'orig-dst', ip, protocol: 'udp', port: now.port } });
    }
    if (now.nodePort !== 0) {
      out.push({
        family: now.family,
        filter: { kind: 'orig-port-dst', port: now.nodePort, protocol: 'udp' },
      });
    }
  }
  return out;
}
