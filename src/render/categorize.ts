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

function clusterEndpoints(input: CategorizeInput): {
  list: PortEndpoint[];
  topology: Categorized['topology'];
} {
  const topology = topologyMode(input.endpoints, input.nodeName, input.zone, input.nodeHints);
  const ready = input.endpoints.filter((ep) => {
    if (!ep.endpoint.ready) return false;
    if (topology === 'node') return ep.endpoint.hints.forNodes?.includes(input.nodeName) === true;
    if (topology === 'zone') return ep.endpoint.hints.forZones?.includes(input.zone) === true;
    return true;
  });
  if (ready.length > 0) return { list: ready, topology };
  return { list: input.endpoints.filter(isServingTerminating), topology: 'none' };
}

function localEndpoints(endpoints: readonly PortEndpoint[]): PortEndpoint[] {
  const ready = endpoints.filter((ep) => ep.local && ep.endpoint.ready);
  if (ready.length > 0) return ready;
  return endpoints.filter((ep) => ep.local && isServingTerminating(ep));
}

function union(a: readonly PortEndpoint[], b: readonly PortEndpoint[]): PortEndpoint[] {
  const seen = new Set(a.map((ep) => ep.address));
  const all = [...a, ...b.filter((ep) => !seen.has(ep.address))];
  return all.sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
}

export function categorizeEndpoints(input: CategorizeInput): Categorized {
  let cluster: PortEndpoint[] = [];
  let topology: Categorized['topology'] = 'none';
  if (input.usesClusterEndpoints) ({ list: cluster, topology } = clusterEndpoints(input));
  const usable = input.endpoints.some((ep) => ep.endpoint.ready || isServingTerminating(ep));
  if (!input.usesLocalEndpoints) {
    return { cluster, local: [], reachable: cluster, hasEndpoints: cluster.length > 0, topology };
  }
  const local = localEndpoints(input.endpoints);
  const hasEndpoints = cluster.length > 0 || usable;
  const reachable = input.usesClusterEndpoints ? union(cluster, local) : local;
  return { cluster, local, reachable, hasEndpoints, topology };
}
