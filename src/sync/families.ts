import type { ProxyConfig } from '../config/types.js';
import type { ClusterSnapshot } from '../model/cluster.js';
import { IP_FAMILIES, type IpFamily } from '../model/family.js';

const familyOf = (ip: string): IpFamily => (ip.includes(':') ? 'ipv6' : 'ipv4');

/**
 * The families a node serves: those of its cluster CIDRs, its Node's addresses and the services'
 * cluster IPs (both when dual-stack), plus any in `sticky` (families once synced stay managed, so
 * removing the last IPv6 service still removes its rules). IPv4 when nothing says otherwise.
 */
export function syncFamilies(
  config: ProxyConfig,
  snapshot: ClusterSnapshot,
  sticky: ReadonlySet<IpFamily> = new Set(),
): IpFamily[] {
  const seen = new Set<IpFamily>(sticky);
  for (const cidr of config.clusterCIDRs) seen.add(familyOf(cidr));
  const node = snapshot.nodes.find((n) => n.name === config.hostname);
  for (const a of node?.addresses ?? []) seen.add(familyOf(a.address));
  for (const svc of snapshot.services) {
    if (seen.size === IP_FAMILIES.length) break;
    for (const ip of svc.clusterIPs) seen.add(familyOf(ip));
  }
  if (seen.size === 0) seen.add('ipv4');
  return IP_FAMILIES.filter((f) => seen.has(f));
}
