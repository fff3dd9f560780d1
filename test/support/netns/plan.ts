/** Pure: options + topology id -> every fact about the topology (names, addresses, interfaces). */
import * as plan from './address-plan.js';
import type { NodeName, PodFacts, PodRole, TopologyFacts, TopologyOptions } from './types.js';

const DEFAULT_PORTS: readonly number[] = [8080];

function checkCount(what: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be an integer in 0..${max}, got ${value}`);
  }
  return value;
}

function podFacts(
  id: string,
  role: PodRole,
  index: number,
  network: plan.PodNetwork,
  ipv6: boolean,
): PodFacts {
  const name = `${role}${index}`;
  const host = (role === 'client' ? plan.CLIENT_HOST_BASE : plan.BACKEND_HOST_BASE) + index;
  const node: NodeName = role === 'remote' ? 'node2' : 'node';
  return {
    name,
    role,
    ns: `${id}-${name}`,
    node,
    ip: `${network.prefix}${host}`,
    ipv6: ipv6 ? `${network.prefixV6}${host}` : undefined,
    hostVeth: `${plan.POD_INTERFACE_PREFIX}${name}`,
    serving: role !== 'client',
  };
}

function pods(id: string, role: PodRole, count: number, network: plan.PodNetwork, ipv6: boolean): PodFacts[] {
  return Array.from({ length: count }, (_, i) => podFacts(id, role, i + 1, network, ipv6));
}

export function planTopology(id: string, options: TopologyOptions): TopologyFacts {
  const ipv6 = options.ipv6 ?? false;
  const v6 = (address: string): string | undefined => (ipv6 ? address : undefined);
  const localPods = pods(
    id,
    'local',
    checkCount('localPods', options.localPods ?? 2, plan.MAX_BACKENDS),
    plan.LOCAL_POD_NETWORK,
    ipv6,
  );
  const clientPods = pods(
    id,
    'client',
    checkCount('clientPods', options.clientPods ?? 1, plan.MAX_CLIENTS),
    plan.LOCAL_POD_NETWORK,
    ipv6,
  );
  const remotePods = pods(
    id,
    'remote',
    checkCount('remotePods', options.remotePods ?? 1, plan.MAX_BACKENDS),
    plan.REMOTE_POD_NETWORK,
    ipv6,
  );
  const allPods = [...localPods, ...clientPods, ...remotePods];
  const node = {
    name: 'node',
    ns: `${id}-node`,
    ip: plan.NODE_IP,
    ipv6: v6(plan.NODE_IP_V6),
    podCidr: plan.LOCAL_POD_NETWORK.cidr,
    podCidrV6: plan.LOCAL_POD_NETWORK.cidrV6,
    podGateway: plan.LOCAL_POD_NETWORK.gateway,
    podGatewayV6: plan.LOCAL_POD_NETWORK.gatewayV6,
    extSideIp: plan.NODE_EXT_SIDE_IP,
    extSideIpv6: v6(plan.NODE_EXT_SIDE_IP_V6),
    node2Iface: plan.NODE_TO_NODE2_IFACE,
    extIface: plan.NODE_TO_EXT_IFACE,
  } as const;
  const node2 = {
    name: 'node2',
    ns: `${id}-node2`,
    ip: plan.NODE2_IP,
    ipv6: v6(plan.NODE2_IP_V6),
    podCidr: plan.REMOTE_POD_NETWORK.cidr,
    podCidrV6: plan.REMOTE_POD_NETWORK.cidrV6,
    podGateway: plan.REMOTE_POD_NETWORK.gateway,
    podGatewayV6: plan.REMOTE_POD_NETWORK.gatewayV6,
  } as const;
  const ext = {
    name: 'ext',
    ns: `${id}-ext`,
    ip: plan.EXT_IP,
    ipv6: v6(plan.EXT_IP_V6),
    cidr: plan.EXT_CIDR,
  } as const;
  return {
    id,
    namespaces: [node.ns, node2.ns, ext.ns, ...allPods.map((p) => p.ns)],
    ipv6,
    node,
    node2,
    ext,
    pods: Object.fromEntries(allPods.map((p) => [p.name, p])),
    localPods,
    remotePods,
    clientPods,
    clusterCidr: plan.CLUSTER_CIDR,
    clusterCidrV6: plan.CLUSTER_CIDR_V6,
    podInterfacePrefix: plan.POD_INTERFACE_PREFIX,
    tcpPorts: options.tcpPorts ?? DEFAULT_PORTS,
    udpPorts: options.udpPorts ?? DEFAULT_PORTS,
  };
}
