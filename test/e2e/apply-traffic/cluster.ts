/**
 * The cluster the apply-traffic e2e test programs, built from a topology's facts: a Node object for
 * the node namespace, Services and EndpointSlices whose endpoints are the topology's pods, and a
 * KubeProxyConfiguration. Written as YAML to a directory, then read by `kproxy apply --objects`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { CLUSTER_CIDR, type PodFacts, type TopologyFacts } from '../../support/netns/index.js';

export const NODE_NAME = 'kpt-node';
export const NODE2_NAME = 'kpt-node2';
export const NAMESPACE = 'app';
/** Every backend pod-server listens here (TCP and UDP). */
export const TARGET_PORT = 8080;

export interface PortSpec {
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  readonly nodePort?: number;
}

export interface EndpointSpec {
  readonly pod: PodFacts;
  /** Default true; false makes the endpoint neither ready nor serving. */
  readonly ready?: boolean;
}

export interface ServiceSpec {
  readonly name: string;
  readonly clusterIP: string;
  readonly type: 'ClusterIP' | 'NodePort';
  readonly ports: readonly PortSpec[];
  readonly endpoints: readonly EndpointSpec[];
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  readonly clientIPAffinity?: boolean;
}

type Doc = Record<string, unknown>;

function nodeObject(facts: TopologyFacts): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME } },
    spec: { podCIDR: facts.node.podCidr, podCIDRs: [facts.node.podCidr] },
    status: {
      addresses: [
        { type: 'InternalIP', address: facts.node.ip },
        { type: 'Hostname', address: NODE_NAME },
      ],
    },
  };
}

function serviceObject(svc: ServiceSpec): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: svc.name, namespace: NAMESPACE },
    spec: {
      type: svc.type,
      clusterIP: svc.clusterIP,
      clusterIPs: [svc.clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ...(svc.type === 'NodePort' ? { externalTrafficPolicy: svc.externalTrafficPolicy ?? 'Cluster' } : {}),
      ports: svc.ports.map((p) => ({
        name: p.name,
        protocol: p.protocol,
        port: p.port,
        targetPort: TARGET_PORT,
        ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort }),
      })),
      selector: { app: svc.name },
      sessionAffinity: svc.clientIPAffinity === true ? 'ClientIP' : 'None',
      ...(svc.clientIPAffinity === true
        ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } }
        : {}),
    },
  };
}

function endpointSliceObject(svc: ServiceSpec): Doc {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc.name}-abcde`,
      namespace: NAMESPACE,
      labels: {
        'kubernetes.io/service-name': svc.name,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    },
    addressType: 'IPv4',
    endpoints: svc.endpoints.map(({ pod, ready = true }) => ({
      addresses: [pod.ip],
      conditions: { ready, serving: ready, terminating: false },
      nodeName: pod.node === 'node' ? NODE_NAME : NODE2_NAME,
      targetRef: { kind: 'Pod', namespace: NAMESPACE, name: pod.name },
    })),
    ports: svc.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: TARGET_PORT })),
  };
}

export function clusterYaml(facts: TopologyFacts, services: readonly ServiceSpec[]): string {
  const docs = [nodeObject(facts), ...services.flatMap((s) => [serviceObject(s), endpointSliceObject(s)])];
  return docs.map((doc) => stringify(doc)).join('---\n');
}

export function configYaml(): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    hostnameOverride: NODE_NAME,
    clusterCIDR: CLUSTER_CIDR,
  });
}

/** Writes `<dir>/<name>/cluster.yaml` and returns its path. */
export async function writeCluster(
  dir: string,
  name: string,
  facts: TopologyFacts,
  services: readonly ServiceSpec[],
): Promise<string> {
  const file = path.join(dir, name, 'cluster.yaml');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, clusterYaml(facts, services));
  return file;
}

/** Replaces the endpoints of one service. */
export function withEndpoints(
  services: readonly ServiceSpec[],
  name: string,
  endpoints: readonly EndpointSpec[],
): ServiceSpec[] {
  return services.map((s) => (s.name === name ? { ...s, endpoints } : s));
}
