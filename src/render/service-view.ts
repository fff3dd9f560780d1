import type { Service, ServicePort, EndpointSlice } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import { categorizeEndpoints, type Categorized } from './categorize.js';
import { endpointsForPort, type PortEndpoint } from './endpoints.js';
import { servicePortHash, servicePortName } from './names.js';
import type { NodeFacts } from './node-facts.js';

/**
 * What one service port looks like from this node, for one family: its addresses filtered to the
 * family, its traffic policies resolved and its endpoints categorised. The rule writers only read
 * this; every policy decision is made here.
 */
export interface ServicePortView {
  readonly service: Service;
  readonly port: ServicePort;
  /** `ns/name[:port]`. */
  readonly name: string;
  /** Lower-case protocol. */
  readonly protocol: string;
  readonly hash: string;
  readonly clusterIP: string;
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  readonly sourceRanges: readonly string[];
  readonly nodePort: number;
  readonly healthCheckNodePort: number;
  readonly externallyAccessible: boolean;
  readonly internalPolicyLocal: boolean;
  readonly externalPolicyLocal: boolean;
  readonly endpoints: readonly PortEndpoint[];
  readonly categorized: Categorized;
}

const ofFamily = (family: IpFamily) => (ip: string) => ip.includes(':') === (family === 'ipv6');

/** The Service API's notion: NodePort/LoadBalancer, or ClusterIP with externalIPs (any family). */
function apiExternallyAccessible(svc: Service): boolean {
  return svc.type === 'LoadBalancer' || svc.type === 'NodePort' || svc.externalIPs.length > 0;
}

function familySourceRanges(svc: Service, family: IpFamily): string[] {
  const ranges = svc.loadBalancerSourceRanges.filter(ofFamily(family));
  // A zero CIDR allows everyone: the same as no firewall at all.
  return ranges.some((r) => r.endsWith('/0')) ? [] : ranges;
}

export interface ViewContext {
  readonly family: IpFamily;
  readonly node: NodeFacts;
  readonly nodeHints: boolean;
  /** Slices of this family for the service, sorted by name. */
  readonly slices: readonly EndpointSlice[];
}

export function serviceClusterIP(svc: Service, family: IpFamily): string | undefined {
  return svc.clusterIPs.find(ofFamily(family));
}

export function servicePortView(
  svc: Service,
  port: ServicePort,
  clusterIP: string,
  ctx: ViewContext,
): ServicePortView {
  const name = servicePortName(svc.namespace, svc.name, port.name);
  const externalIPs = svc.externalIPs.filter(ofFamily(ctx.family));
  const loadBalancerIPs = svc.loadBalancerIPs.filter(ofFamily(ctx.family));
  const externallyAccessible = port.nodePort !== 0 || externalIPs.length > 0 || loadBalancerIPs.length > 0;
  const externalPolicyLocal = apiExternallyAccessible(svc) && svc.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = svc.internalTrafficPolicy === 'Local';
  const endpoints = endpointsForPort(ctx.slices, port.name, port.protocol, ctx.family, ctx.node.name);
  const categorized = categorizeEndpoints({
    endpoints,
    usesClusterEndpoints: !internalPolicyLocal || externallyAccessible,
    usesLocalEndpoints: internalPolicyLocal || (externalPolicyLocal && externallyAccessible),
    nodeName: ctx.node.name,
    zone: ctx.node.zone,
    nodeHints: ctx.nodeHints,
  });
  const needsHealthCheck = svc.type === 'LoadBalancer' && externalPolicyLocal;
  return {
    service: svc,
    port,
    name,
    protocol: port.protocol.toLowerCase(),
    hash: servicePortHash(name, port.protocol),
    clusterIP,
    externalIPs,
    loadBalancerIPs,
    sourceRanges: familySourceRanges(svc, ctx.family),
    nodePort: port.nodePort,
    healthCheckNodePort: needsHealthCheck ? svc.healthCheckNodePort : 0,
    externallyAccessible,
    internalPolicyLocal,
    externalPolicyLocal,
    endpoints,
    categorized,
  };
}
