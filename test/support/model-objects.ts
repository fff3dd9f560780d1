import type { Endpoint, Service } from '../../src/model/cluster.js';

/**
 * Converted model objects for tests that build clusters without API objects: the defaults a
 * plain ClusterIP Service (one TCP port 80) and a ready endpoint have, overridable field by field.
 */

export function clusterIPService(namespace: string, name: string, extra: Partial<Service> = {}): Service {
  return {
    namespace,
    name,
    type: 'ClusterIP',
    clusterIPs: ['10.96.0.10'],
    ports: [{ name: '', protocol: 'TCP', port: 80, nodePort: 0 }],
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    healthCheckNodePort: 0,
    sessionAffinity: { kind: 'None' },
    trafficDistribution: '',
    ...extra,
  };
}

export function readyEndpoint(ip: string, extra: Partial<Endpoint> = {}): Endpoint {
  return {
    ip,
    ready: true,
    serving: true,
    terminating: false,
    nodeName: 'other',
    zone: '',
    hints: { forZones: undefined, forNodes: undefined },
    ...extra,
  };
}
