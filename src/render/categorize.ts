import type { PortEndpoint } from './endpoints.js';

/**
 * Which endpoints a service port uses on this node, given its traffic policies, endpoint states and
 * topology hints: kube-proxy's CategorizeEndpoints, as a pure function.
 */

export interface CategorizeInput {
  readonly endpoints: readonly PortEndpoint[];
  /** Internal policy Cluster, or the port is externally reachable. */
  readonly usesClusterEndpoints: boolean;
  /** Internal policy Local, or external policy Local and the port is externally reachable. */
  readonly usesLocalEndpoints: boolean;
  readonly nodeName: string;
  /** The node's topology.kubernetes.io/zone label, '' when unknown. */
  readonly zone: string;
  /** PreferSameTrafficDistribution: honour node hints. */
  readonly nodeHints: boolean;
}

export interface Categorized {
  readonly cluster: readonly PortEndpoint[];
  readonly local: readonly PortEndpoint[];
  /** Union of cluster and local, sorted: one SEP chain each. */
  readonly reachable: readonly PortEndpoint[];
  /** A usable (ready, or serving and terminating) endpoint exists anywhere. */
  readonly hasEndpoints: boolean;
  /** Which topology filter was applied to the cluster endpoints. */
  readonly topology: 'none' | 'node' | 'zone';
}

const isServingTerminating = (ep: PortEndpoint): boolean => ep.endpoint.serving && ep.endpoint.terminating;

export function topologyMode(
  endpoints: readonly PortEndpoint[],
  nodeName: string,
  zone: string,
  nodeHints: boolean,
): 'none' | 'node' | 'zone' {
  let allNodeHints = true;
  let forNode = false;
  let allZoneHints = true;
  let forZone = false;
  for (const { endpoint } of endpoints) {
    if (!endpoint.ready) continue;
    const nodes = endpoint.hints.forNodes;
    if (!nodes || nodes.length === 0) allNodeHints = false;
    else if (nodes.includes(nodeName)) forNode = true;
    const zones = endpoint.hints.forZones;
    if (!zones || zones.length === 0) allZoneHints = false;
    else if (zones.includes(zone)) forZone = true;
  }
  if (nodeHints && allNodeHints && forNode) return 'node';
  if (allZoneHints && forZone && zone !== '') return 'zone';
  return 'none';
}

// The filters below are loops over the endpoints rather than filter/some with a callback: they
// run for every service port on every full render, and a callback capturing the input is a new
// closure per call.

/** Whether a ready endpoint passes the topology filter. */
function inTopology(ep: PortEndpoint, topology: Categorized['topology'], input: CategorizeInput): boolean {
  if (topology === 'node') return ep.endpoint.hints.forNodes?.includes(input.nodeName) === true;
  if (topology === 'zone') return ep.endpoint.hints.forZones?.includes(input.zone) === true;
  return true;
}

function clusterEndpoints(input: CategorizeInput): {
  list: readonly PortEndpoint[];
  topology: Categorized['topology'];
} {
  const { endpoints } = input;
  const topology = topologyMode(endpoints, input.nodeName, input.zone, input.nodeHints);
  const ready: PortEndpoint[] = [];
  for (const ep of endpoints) if (ep.endpoint.ready && inTopology(ep, topology, input)) ready.push(ep);
  // Usually every endpoint is: then share the list rather than keep a copy of it.
  if (ready.length === endpoints.length && ready.length > 0) return { list: endpoints, topology };
  if (ready.length > 0) return { list: ready, topology };
  const terminating: PortEndpoint[] = [];
  for (const ep of endpoints) if (isServingTerminating(ep)) terminating.push(ep);
  return { list: terminating, topology: 'none' };
}

function localEndpoints(endpoints: readonly PortEndpoint[]): PortEndpoint[] {
  const ready: PortEndpoint[] = [];
  for (const ep of endpoints) if (ep.local && ep.endpoint.ready) ready.push(ep);
  if (ready.length > 0) return ready;
  const terminating: PortEndpoint[] = [];
  for (const ep of endpoints) if (ep.local && isServingTerminating(ep)) terminating.push(ep);
  return terminating;
}

function anyUsable(endpoints: readonly PortEndpoint[]): boolean {
  for (const ep of endpoints) if (ep.endpoint.ready || isServingTerminating(ep)) return true;
  return false;
}

function byAddress(x: PortEndpoint, y: PortEndpoint): number {
  return x.address < y.address ? -1 : x.address > y.address ? 1 : 0;
}

function union(a: readonly PortEndpoint[], b: readonly PortEndpoint[]): PortEndpoint[] {
  const seen = new Set<string>();
  for (const ep of a) seen.add(ep.address);
  const all = [...a];
  for (const ep of b) if (!seen.has(ep.address)) all.push(ep);
  return all.sort(byAddress);
}

export function categorizeEndpoints(input: CategorizeInput): Categorized {
  let cluster: readonly PortEndpoint[] = [];
  let topology: Categorized['topology'] = 'none';
  if (input.usesClusterEndpoints) ({ list: cluster, topology } = clusterEndpoints(input));
  if (!input.usesLocalEndpoints) {
    return { cluster, local: [], reachable: cluster, hasEndpoints: cluster.length > 0, topology };
  }
  const local = localEndpoints(input.endpoints);
  const hasEndpoints = cluster.length > 0 || anyUsable(input.endpoints);
  const reachable = input.usesClusterEndpoints ? union(cluster, local) : local;
  return { cluster, local, reachable, hasEndpoints, topology };
}
