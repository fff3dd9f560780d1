/** Raw API objects (as the API server sends them) for controller and syncer tests. */

export interface PortSpec {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
  readonly targetPort?: number;
  readonly nodePort?: number;
}

export interface ServiceSpec {
  readonly namespace?: string;
  readonly clusterIP: string;
  readonly ports: readonly PortSpec[];
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  readonly healthCheckNodePort?: number;
  readonly loadBalancerIP?: string;
  readonly labels?: Record<string, string>;
}

export function apiService(name: string, spec: ServiceSpec): Record<string, unknown> {
  const family = spec.clusterIP.includes(':') ? 'IPv6' : 'IPv4';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: spec.namespace ?? 'default', labels: spec.labels ?? {} },
    spec: {
      type: spec.type ?? 'ClusterIP',
      clusterIP: spec.clusterIP,
      clusterIPs: [spec.clusterIP],
      ipFamilies: [family],
      ports: spec.ports.map((p) => ({
        name: p.name ?? '',
        port: p.port,
        protocol: p.protocol ?? 'TCP',
        targetPort: p.targetPort ?? p.port,
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      })),
      ...(spec.externalTrafficPolicy ? { externalTrafficPolicy: spec.externalTrafficPolicy } : {}),
      ...(spec.healthCheckNodePort ? { healthCheckNodePort: spec.healthCheckNodePort } : {}),
    },
    status: spec.loadBalancerIP ? { loadBalancer: { ingress: [{ ip: spec.loadBalancerIP }] } } : {},
  };
}

export interface EndpointSpec {
  readonly ip: string;
  readonly nodeName?: string;
  readonly ready?: boolean;
}

export interface SliceSpec {
  readonly namespace?: string;
  readonly service: string;
  readonly ports: readonly PortSpec[];
  readonly endpoints: readonly EndpointSpec[];
  readonly triggerTime?: string;
}

export function apiSlice(name: string, spec: SliceSpec): Record<string, unknown> {
  const first = spec.endpoints[0]?.ip ?? '';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: spec.namespace ?? 'default',
      labels: { 'kubernetes.io/service-name': spec.service },
      annotations: spec.triggerTime
        ? { 'endpoints.kubernetes.io/last-change-trigger-time': spec.triggerTime }
        : {},
    },
    addressType: first.includes(':') ? 'IPv6' : 'IPv4',
    ports: spec.ports.map((p) => ({
      name: p.name ?? '',
      port: p.targetPort ?? p.port,
      protocol: p.protocol ?? 'TCP',
    })),
    endpoints: spec.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
      ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    })),
  };
}

export function apiNode(
  name: string,
  spec: { readonly ip: string; readonly podCIDR?: string; readonly labels?: Record<string, string> },
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: spec.labels ?? {} },
    spec: spec.podCIDR ? { podCIDR: spec.podCIDR, podCIDRs: [spec.podCIDR] } : {},
    status: { addresses: [{ type: 'InternalIP', address: spec.ip }] },
  };
}
