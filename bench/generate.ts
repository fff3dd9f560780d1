import { DEFAULT_CONFIG, type ProxyConfig } from '../src/config/types.js';
import type {
  Endpoint,
  EndpointPort,
  EndpointSlice,
  Node,
  Protocol,
  Service,
  ServicePort,
  ServiceType,
} from '../src/model/cluster.js';
import type { HostFacts } from '../src/render/input.js';

/**
 * Seeded synthetic clusters for the benchmark, built directly as model objects (what
 * k8s/convert.ts would produce). Same options -> identical cluster, object for object.
 *
 * Address plan: pods 10.64.0.0/10 (node i owns 10.(64+i).0.0/16), ClusterIPs from 10.128.0.1 up
 * (10.128.0.0/12), LoadBalancer VIPs from 198.18.0.1 up, external IPs in 203.0.113.0/24. NodePorts
 * are allocated from 30000 up, as with an extended --service-node-port-range (30k services need
 * more than the default 2768 ports).
 */

export interface GenerateOptions {
  readonly services: number;
  readonly endpointsPerService: number;
  readonly seed: number;
  /** Nodes the endpoints are spread over (default 50); the local node is node-01. */
  readonly nodes?: number;
}

export interface SyntheticCluster {
  readonly services: Service[];
  readonly endpointSlices: EndpointSlice[];
  readonly nodes: Node[];
  readonly config: ProxyConfig;
  readonly host: HostFacts;
  /** Allocates fresh pod IPs and NodePorts after generation (for change scenarios). */
  readonly alloc: Allocator;
}

export const LOCAL_NODE = 'node-01';
const CLUSTER_CIDR = '10.64.0.0/10';
const NODE_IP_BASE = ipToInt('192.168.0.10');
const SERVICE_IP_BASE = ipToInt('10.128.0.1');
const LB_IP_BASE = ipToInt('198.18.0.1');
const PORT_NAMES = ['http', 'https', 'metrics', 'grpc'];

/** mulberry32: a tiny, fast, seedable 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function nodeName(index: number): string {
  return `node-${pad(index + 1, 2)}`;
}

/** Hands out pod IPs per node, ClusterIPs, LB IPs and NodePorts, each from a counter. */
export class Allocator {
  private readonly podNext: number[];
  private serviceNext = 0;
  private lbNext = 0;
  private nodePortNext = 30000;

  constructor(readonly nodeCount: number) {
    this.podNext = new Array<number>(nodeCount).fill(1);
  }

  podIP(node: number): string {
    const host = this.podNext[node] ?? 1;
    if (host > 65534) throw new Error(`generate: node ${nodeName(node)} ran out of pod IPs`);
    this.podNext[node] = host + 1;
    return intToIp(ipToInt(`10.${64 + node}.0.0`) + host);
  }

  clusterIP(): string {
    if (this.serviceNext >= 1 << 20) throw new Error('generate: service CIDR exhausted');
    return intToIp(SERVICE_IP_BASE + this.serviceNext++);
  }

  loadBalancerIP(): string {
    return intToIp(LB_IP_BASE + this.lbNext++);
  }

  nodePort(): number {
    if (this.nodePortNext > 65535) throw new Error('generate: NodePorts exhausted');
    return this.nodePortNext++;
  }
}

function pickType(r: number): ServiceType {
  if (r < 0.7) return 'ClusterIP';
  return r < 0.9 ? 'NodePort' : 'LoadBalancer';
}

function servicePorts(rand: () => number, type: ServiceType, alloc: Allocator): ServicePort[] {
  const multi = rand() < 0.3;
  const count = multi ? 2 + Math.floor(rand() * 2) : 1;
  const protocol: Protocol = rand() < 0.05 ? 'UDP' : 'TCP';
  const ports: ServicePort[] = [];
  for (let i = 0; i < count; i++) {
    ports.push({
      name: multi ? (PORT_NAMES[i] ?? `p${i}`) : '',
      protocol,
      port: multi ? ([80, 443, 9090, 9000][i] ?? 8000 + i) : 80,
      nodePort: type === 'ClusterIP' ? 0 : alloc.nodePort(),
    });
  }
  return ports;
}

export interface ServiceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly type: ServiceType;
}

/** One service with its slice; `rand` drives every choice, so the sequence is reproducible. */
export function generateService(
  rand: () => number,
  alloc: Allocator,
  spec: ServiceSpec,
  endpointsPerService: number,
): { service: Service; slice: EndpointSlice } {
  const { namespace, name, type } = spec;
  const external = type !== 'ClusterIP';
  const ports = servicePorts(rand, type, alloc);
  const eTPLocal = external && rand() < 0.3;
  const affinity = rand() < 0.1;
  const lb = type === 'LoadBalancer';
  const service: Service = {
    namespace,
    name,
    type,
    clusterIPs: [alloc.clusterIP()],
    ports,
    externalIPs: type === 'ClusterIP' && rand() < 0.02 ? [`203.0.113.${1 + Math.floor(rand() * 254)}`] : [],
    loadBalancerIPs: lb ? [alloc.loadBalancerIP()] : [],
    loadBalancerSourceRanges: lb && rand() < 0.2 ? ['198.51.100.0/24', '203.0.113.0/24'] : [],
    externalTrafficPolicy: eTPLocal ? 'Local' : 'Cluster',
    internalTrafficPolicy: rand() < 0.02 ? 'Local' : 'Cluster',
    healthCheckNodePort: lb && eTPLocal ? alloc.nodePort() : 0,
    sessionAffinity: affinity ? { kind: 'ClientIP', timeoutSeconds: 10800 } : { kind: 'None' },
    trafficDistribution: '',
  };
  const slicePorts: EndpointPort[] = ports.map((p, i) => ({
    name: p.name,
    protocol: p.protocol,
    port: 8080 + i,
  }));
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < endpointsPerService; i++) endpoints.push(generateEndpoint(rand, alloc));
  const slice: EndpointSlice = {
    source: 'EndpointSlice',
    namespace,
    name: `${name}-abcde`,
    serviceName: name,
    family: 'ipv4',
    ports: slicePorts,
    endpoints,
    triggerTimeMs: undefined,
  };
  return { service, slice };
}

/** A pod on a random node; ~2% are terminating (still serving). */
export function generateEndpoint(rand: () => number, alloc: Allocator): Endpoint {
  const node = Math.floor(rand() * alloc.nodeCount);
  const terminating = rand() < 0.02;
  return {
    ip: alloc.podIP(node),
    ready: !terminating,
    serving: true,
    terminating,
    nodeName: nodeName(node),
    zone: `zone-${String.fromCharCode(97 + (node % 3))}`,
    hints: { forZones: undefined, forNodes: undefined },
  };
}

function generateNodes(count: number): Node[] {
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push({
      name: nodeName(i),
      labels: { 'topology.kubernetes.io/zone': `zone-${String.fromCharCode(97 + (i % 3))}` },
      addresses: [{ type: 'InternalIP', address: intToIp(NODE_IP_BASE + i) }],
      podCIDRs: [`10.${64 + i}.0.0/16`],
      deleting: false,
    });
  }
  return nodes;
}

export function generateCluster(opts: GenerateOptions): SyntheticCluster {
  const nodeCount = opts.nodes ?? 50;
  if (nodeCount < 1 || nodeCount > 60) throw new Error('generate: nodes must be 1..60');
  const rand = mulberry32(opts.seed);
  const alloc = new Allocator(nodeCount);
  const services: Service[] = [];
  const endpointSlices: EndpointSlice[] = [];
  for (let i = 0; i < opts.services; i++) {
    const spec = { namespace: `ns-${pad(i % 200, 3)}`, name: `svc-${pad(i, 6)}`, type: pickType(rand()) };
    const { service, slice } = generateService(rand, alloc, spec, opts.endpointsPerService);
    services.push(service);
    endpointSlices.push(slice);
  }
  return { services, endpointSlices, nodes: generateNodes(nodeCount), ...syntheticNodeSetup(), alloc };
}

/** kproxy's configuration and host facts on the synthetic clusters' local node (node-01). */
export function syntheticNodeSetup(): Pick<SyntheticCluster, 'config' | 'host'> {
  const localIP = generateNodes(1)[0]?.addresses[0]?.address ?? '127.0.0.1';
  return {
    config: { ...DEFAULT_CONFIG, hostname: LOCAL_NODE, clusterCIDRs: [CLUSTER_CIDR] },
    host: { localAddresses: [localIP], randomFully: true, tcpBeLiberal: false },
  };
}
