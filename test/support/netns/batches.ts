/**
 * Pure: the `ip -batch` scripts and sysctls that wire a planned topology. Pods are routed
 * Calico-style: no bridge, a /32 (/128) host route per pod on its node, the node-side veth
 * carries the pod gateway address, the pod has a /32 and a default route via that gateway.
 */
import * as plan from './address-plan.js';
import type { PodFacts, TopologyFacts, TopologyOptions } from './types.js';

export interface NsBatch {
  readonly ns: string;
  readonly lines: readonly string[];
}

/** sysctls for every namespace, set before any interface exists so `default.*` applies to them. */
export function sysctlsFor(facts: TopologyFacts, ns: string, options: TopologyOptions): string[] {
  const settings = ['net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'];
  if (facts.ipv6) settings.push('net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0');
  const router = ns === facts.node.ns || ns === facts.node2.ns;
  if (router) {
    settings.push(
      'net.ipv4.ip_forward=1',
      'net.ipv4.conf.all.send_redirects=0',
      'net.ipv4.conf.default.send_redirects=0',
    );
    if (facts.ipv6) settings.push('net.ipv6.conf.all.forwarding=1');
  }
  if (ns === facts.node.ns && options.routeLocalnet === true) {
    settings.push('net.ipv4.conf.all.route_localnet=1');
  }
  return settings;
}

/** On the pod's node: create the veth pair (peer `eth0` straight into the pod namespace). */
function hostSideOfPod(facts: TopologyFacts, pod: PodFacts): string[] {
  const gw = pod.node === 'node' ? facts.node : facts.node2;
  const lines = [
    `link add ${pod.hostVeth} type veth peer name eth0 netns ${pod.ns}`,
    `link set ${pod.hostVeth} up`,
    `addr add ${gw.podGateway}/32 dev ${pod.hostVeth}`,
    `route add ${pod.ip}/32 dev ${pod.hostVeth}`,
  ];
  if (pod.ipv6 !== undefined) {
    lines.push(
      `addr add ${gw.podGatewayV6}/128 dev ${pod.hostVeth} nodad`,
      `route add ${pod.ipv6}/128 dev ${pod.hostVeth}`,
    );
  }
  return lines;
}

/** Phase 1, node: every veth of the topology starts here except the remote pods'. */
export function nodeLinksBatch(facts: TopologyFacts): NsBatch {
  const { node, node2, ext } = facts;
  const lines = [
    'link set lo up',
    `link add ${node.node2Iface} type veth peer name eth0 netns ${node2.ns}`,
    `addr add ${node.ip}/${plan.NODE_LINK_PREFIX} dev ${node.node2Iface}`,
    `link set ${node.node2Iface} up`,
    `link add ${node.extIface} type veth peer name eth0 netns ${ext.ns}`,
    `addr add ${node.extSideIp}/24 dev ${node.extIface}`,
    `link set ${node.extIface} up`,
  ];
  if (node.ipv6 !== undefined && node.extSideIpv6 !== undefined) {
    lines.push(
      `addr add ${node.ipv6}/${plan.NODE_LINK_PREFIX_V6} dev ${node.node2Iface} nodad`,
      `addr add ${node.extSideIpv6}/64 dev ${node.extIface} nodad`,
    );
  }
  for (const pod of [...facts.localPods, ...facts.clientPods]) lines.push(...hostSideOfPod(facts, pod));
  return { ns: node.ns, lines };
}

/** Phase 2, node2: its pods' veths, and everything that is not its own goes back to node. */
export function node2Batch(facts: TopologyFacts): NsBatch {
  const { node, node2 } = facts;
  const lines = [
    'link set lo up',
    `addr add ${node2.ip}/${plan.NODE_LINK_PREFIX} dev eth0`,
    'link set eth0 up',
    `route add default via ${node.ip} dev eth0`,
  ];
  if (node2.ipv6 !== undefined && node.ipv6 !== undefined) {
    lines.push(
      `addr add ${node2.ipv6}/${plan.NODE_LINK_PREFIX_V6} dev eth0 nodad`,
      `route add default via ${node.ipv6} dev eth0`,
    );
  }
  for (const pod of facts.remotePods) lines.push(...hostSideOfPod(facts, pod));
  return { ns: node2.ns, lines };
}

/** Phase 2, ext: an off-cluster client whose default route is the node. */
export function extBatch(facts: TopologyFacts): NsBatch {
  const { node, ext } = facts;
  const lines = [
    'link set lo up',
    `addr add ${ext.ip}/24 dev eth0`,
    'link set eth0 up',
    `route add default via ${node.extSideIp} dev eth0`,
  ];
  if (ext.ipv6 !== undefined && node.extSideIpv6 !== undefined) {
    lines.push(
      `addr add ${ext.ipv6}/64 dev eth0 nodad`,
      `route add default via ${node.extSideIpv6} dev eth0`,
    );
  }
  return { ns: ext.ns, lines };
}

/** Phase 2 (local and client pods) or 3 (remote pods): the pod's own side. */
export function podBatch(facts: TopologyFacts, pod: PodFacts): NsBatch {
  const gw = pod.node === 'node' ? facts.node : facts.node2;
  const lines = [
    'link set lo up',
    `addr add ${pod.ip}/32 dev eth0`,
    'link set eth0 up',
    `route add ${gw.podGateway}/32 dev eth0 scope link`,
    `route add default via ${gw.podGateway} dev eth0`,
  ];
  if (pod.ipv6 !== undefined) {
    lines.push(
      `addr add ${pod.ipv6}/128 dev eth0 nodad`,
      `route add ${gw.podGatewayV6}/128 dev eth0`,
      `route add default via ${gw.podGatewayV6} dev eth0`,
    );
  }
  return { ns: pod.ns, lines };
}

/** Phase 3, node: remote pods via node2; anything else (service IPs with no rule) to ext, which drops it. */
export function nodeRoutesBatch(facts: TopologyFacts): NsBatch {
  const { node, node2, ext } = facts;
  const lines = [
    `route add ${node2.podCidr} via ${node2.ip} dev ${node.node2Iface}`,
    `route add default via ${ext.ip} dev ${node.extIface}`,
  ];
  if (node2.ipv6 !== undefined && ext.ipv6 !== undefined) {
    lines.push(
      `route add ${node2.podCidrV6} via ${node2.ipv6} dev ${node.node2Iface}`,
      `route add default via ${ext.ipv6} dev ${node.extIface}`,
    );
  }
  return { ns: node.ns, lines };
}
