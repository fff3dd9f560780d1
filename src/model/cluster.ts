import type { IpFamily } from './family.js';

/**
 * The strict internal model of the cluster objects kproxy reads. API objects are converted into
 * these once, at the edge (src/k8s/convert.ts); every field here has been validated, every address
 * is in canonical form, and nothing past the converter needs optional chaining on API shapes.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type TrafficPolicy = 'Cluster' | 'Local';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ServicePort {
  /** The port name ('' when unnamed). A DNS label. */
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** 0 when the port has no NodePort. */
  readonly nodePort: number;
}

export type SessionAffinity =
  { readonly kind: 'None' } | { readonly kind: 'ClientIP'; readonly timeoutSeconds: number };

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly type: ServiceType;
  /** Canonical cluster IPs in spec order (clusterIPs, or clusterIP when clusterIPs is absent). */
  readonly clusterIPs: readonly string[];
  readonly ports: readonly ServicePort[];
  /** Canonical external IPs, both families, in spec order. */
  readonly externalIPs: readonly string[];
  /** Canonical LoadBalancer ingress IPs whose ipMode is VIP (or unset); Proxy-mode entries are dropped. */
  readonly loadBalancerIPs: readonly string[];
  /** Canonical CIDRs (network address form), both families, whitespace already trimmed. */
  readonly loadBalancerSourceRanges: readonly string[];
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly internalTrafficPolicy: TrafficPolicy;
  /** 0 when not set. */
  readonly healthCheckNodePort: number;
  readonly sessionAffinity: SessionAffinity;
  /** spec.trafficDistribution, or '' when unset. Informational: kube-proxy trusts the hints alone. */
  readonly trafficDistribution: string;
}

export interface EndpointHints {
  /** hints.forZones[].name, or undefined when the endpoint has no zone hints. */
  readonly forZones: readonly string[] | undefined;
  /** hints.forNodes[].name, or undefined when the endpoint has no node hints. */
  readonly forNodes: readonly string[] | undefined;
}

export interface Endpoint {
  /** Canonical address: addresses[0] of the API endpoint. */
  readonly ip: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  /** '' when unknown. */
  readonly nodeName: string;
  /** '' when unknown. */
  readonly zone: string;
  readonly hints: EndpointHints;
}

export interface EndpointPort {
  /** '' when unnamed. */
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
}

/**
 * A discovery.k8s.io/v1 EndpointSlice, or a v1 Endpoints object converted into the same shape
 * (`source: 'Endpoints'`, one slice per subset). When a Service has slices from both sources,
 * the EndpointSlices win.
 */
export interface EndpointSlice {
  readonly source: 'EndpointSlice' | 'Endpoints';
  readonly namespace: string;
  readonly name: string;
  /** The kubernetes.io/service-name label. */
  readonly serviceName: string;
  readonly family: IpFamily;
  readonly ports: readonly EndpointPort[];
  readonly endpoints: readonly Endpoint[];
  /** endpoints.kubernetes.io/last-change-trigger-time, ms since epoch, or undefined. */
  readonly triggerTimeMs: number | undefined;
}

export interface NodeAddress {
  readonly type: string;
  /** Canonical IP. */
  readonly address: string;
}

export interface Node {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly addresses: readonly NodeAddress[];
  /** Canonical CIDRs from spec.podCIDRs (or spec.podCIDR). */
  readonly podCIDRs: readonly string[];
  /** True once metadata.deletionTimestamp is set. */
  readonly deleting: boolean;
}

/** Everything the renderer needs to know about the cluster, as of one moment. */
export interface ClusterSnapshot {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly nodes: readonly Node[];
  /**
   * Set by a producer that hands out a series of snapshots (the controller's cluster state): which
   * series this snapshot belongs to and its place in it. Together with `changes` it lets a render
   * cache patch its previous result instead of visiting every service. Never changes what is
   * rendered, only how fast.
   */
  readonly version?: SnapshotVersion;
  /** What may differ from the snapshot of the same series numbered `changes.since`. */
  readonly changes?: SnapshotChanges;
}

export interface SnapshotVersion {
  /** Identifies the series (compared by identity). */
  readonly series: object;
  readonly number: number;
}

export interface SnapshotChanges {
  readonly since: number;
  /**
   * Services (`ns/name`) whose Service object or EndpointSlices may differ from that snapshot
   * (a superset is fine); every other service and all its slices are the very same objects.
   */
  readonly services: ReadonlySet<string>;
  /** The node list may differ. */
  readonly nodes: boolean;
}

export function serviceKey(svc: { readonly namespace: string; readonly name: string }): string {
  return `${svc.namespace}/${svc.name}`;
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
