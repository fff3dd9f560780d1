import type { Endpoint, EndpointSlice, Node, Service } from '../src/model/cluster.js';

/**
 * Model objects (bench/generate.ts) back to the API objects the API server would send, so the
 * latency benchmark can load its synthetic cluster into the fake API server. The inverse of
 * src/k8s/convert.ts for what the generator produces: converting the result gives the same model.
 */

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

type ApiObject = Record<string, unknown>;

const apiFamily = (ip: string): 'IPv4' | 'IPv6' => (ip.includes(':') ? 'IPv6' : 'IPv4');

export function serviceToApi(svc: Service): ApiObject {
  const affinity = svc.sessionAffinity;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: svc.name, namespace: svc.namespace, labels: {} },
    spec: {
      type: svc.type,
      clusterIP: svc.clusterIPs[0],
      clusterIPs: [...svc.clusterIPs],
      ipFamilies: svc.clusterIPs.map(apiFamily),
      ports: svc.ports.map((p) => ({
        name: p.name,
        protocol: p.protocol,
        port: p.port,
        targetPort: p.port,
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      })),
      externalIPs: [...svc.externalIPs],
      loadBalancerSourceRanges: [...svc.loadBalancerSourceRanges],
      externalTrafficPolicy: svc.externalTrafficPolicy,
      internalTrafficPolicy: svc.internalTrafficPolicy,
      ...(svc.healthCheckNodePort ? { healthCheckNodePort: svc.healthCheckNodePort } : {}),
      sessionAffinity: affinity.kind,
      ...(affinity.kind === 'ClientIP'
        ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: affinity.timeoutSeconds } } }
        : {}),
      ...(svc.trafficDistribution ? { trafficDistribution: svc.trafficDistribution } : {}),
    },
    status: { loadBalancer: { ingress: svc.loadBalancerIPs.map((ip) => ({ ip })) } },
  };
}

function endpointToApi(e: Endpoint): ApiObject {
  const hints = {
    ...(e.hints.forZones ? { forZones: e.hints.forZones.map((name) => ({ name })) } : {}),
    ...(e.hints.forNodes ? { forNodes: e.hints.forNodes.map((name) => ({ name })) } : {}),
  };
  return {
    addresses: [e.ip],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    ...(e.zone ? { zone: e.zone } : {}),
    ...(Object.keys(hints).length > 0 ? { hints } : {}),
  };
}

/** `triggerTimeMs` (when set) becomes the last-change-trigger-time annotation, in RFC 3339 with ms. */
export function sliceToApi(slice: EndpointSlice): ApiObject {
  if (slice.source !== 'EndpointSlice') throw new Error('to-api: only EndpointSlice-sourced slices');
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: slice.name,
      namespace: slice.namespace,
      labels: { [SERVICE_NAME_LABEL]: slice.serviceName },
      annotations:
        slice.triggerTimeMs === undefined
          ? {}
          : { [TRIGGER_TIME_ANNOTATION]: new Date(slice.triggerTimeMs).toISOString() },
    },
    addressType: slice.family === 'ipv6' ? 'IPv6' : 'IPv4',
    ports: slice.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.port })),
    endpoints: slice.endpoints.map(endpointToApi),
  };
}

export function nodeToApi(node: Node): ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: { ...node.labels } },
    spec: { podCIDR: node.podCIDRs[0], podCIDRs: [...node.podCIDRs] },
    status: { addresses: node.addresses.map((a) => ({ type: a.type, address: a.address })) },
  };
}
