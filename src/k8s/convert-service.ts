import type { Service, ServicePort, ServiceType, SessionAffinity, TrafficPolicy } from '../model/cluster.js';
import { isDnsLabel } from '../model/names.js';
import {
  type ConvertResult,
  DNS_LABEL,
  excludedByLabel,
  guard,
  ignored,
  readCidr,
  readIp,
  readPort,
  readMeta,
  readProtocol,
} from './convert-common.js';
import { Invalid, Raw, invalid } from './raw.js';

const DEFAULT_AFFINITY_TIMEOUT = 10800;
const MAX_AFFINITY_TIMEOUT = 86400;

function readType(spec: Raw): ServiceType | 'ExternalName' {
  const value = spec.str('type') ?? '';
  if (value === '') return 'ClusterIP';
  if (value === 'ClusterIP' || value === 'NodePort' || value === 'LoadBalancer' || value === 'ExternalName')
    return value;
  throw invalid(spec.path('type'), value, 'is not a valid service type');
}

/** undefined for a headless service (clusterIP None, or no cluster IP at all). */
function readClusterIPs(spec: Raw): string[] | undefined {
  const clusterIP = spec.str('clusterIP') ?? '';
  const clusterIPs = spec.strList('clusterIPs');
  if (clusterIP === 'None' || clusterIPs[0] === 'None') return undefined;
  if (clusterIPs.length === 0)
    return clusterIP === '' ? undefined : [readIp(clusterIP, spec.path('clusterIP'))];
  if (clusterIPs.length > 2)
    throw invalid(spec.path('clusterIPs'), clusterIPs, 'has more than two addresses');
  const ips = clusterIPs.map((ip, i) => readIp(ip, `${spec.path('clusterIPs')}[${i}]`));
  const [first = '', second] = ips;
  if (second !== undefined && first.includes(':') === second.includes(':')) {
    throw invalid(spec.path('clusterIPs'), clusterIPs, 'has two addresses of the same family');
  }
  return ips;
}

function readPorts(spec: Raw): ServicePort[] {
  const seen = new Set<string>();
  return spec.list('ports').map((p) => {
    const name = p.str('name') ?? '';
    if (name !== '' && !isDnsLabel(name))
      throw invalid(p.path('name'), name, `is not a valid port name (${DNS_LABEL.describe})`);
    const protocol = readProtocol(p);
    const port = readPort(p, 'port', 1);
    if (port === undefined) throw new Invalid(`${p.path('port')}: is missing`);
    const key = `${name}/${protocol}`;
    if (seen.has(key)) throw invalid(p.path('name'), name, `is used by more than one ${protocol} port`);
    seen.add(key);
    return { name, protocol, port, nodePort: readPort(p, 'nodePort', 0) ?? 0 };
  });
}

/** status.loadBalancer.ingress[].ip where ipMode is unset or VIP; Proxy-mode and hostname-only entries are skipped. */
function readLoadBalancerIPs(root: Raw): string[] {
  return root
    .obj('status')
    .obj('loadBalancer')
    .list('ingress')
    .flatMap((ing) => {
      const ip = ing.str('ip') ?? '';
      const mode = ing.str('ipMode');
      if (ip === '' || (mode !== undefined && mode !== 'VIP')) return [];
      return [readIp(ip, ing.path('ip'))];
    });
}

function readPolicy(spec: Raw, key: string, legacyCluster: boolean): TrafficPolicy {
  const value = spec.str(key) ?? '';
  if (value === '' || value === 'Cluster' || (legacyCluster && value === 'Global')) return 'Cluster';
  if (value === 'Local') return 'Local';
  throw invalid(spec.path(key), value, 'is not a valid traffic policy (Cluster or Local)');
}

function readAffinity(spec: Raw): SessionAffinity {
  const value = spec.str('sessionAffinity') ?? '';
  if (value === '' || value === 'None') return { kind: 'None' };
  if (value !== 'ClientIP')
    throw invalid(spec.path('sessionAffinity'), value, 'is not a valid session affinity (None or ClientIP)');
  const clientIP = spec.obj('sessionAffinityConfig').obj('clientIP');
  const timeout = clientIP.int('timeoutSeconds') ?? DEFAULT_AFFINITY_TIMEOUT;
  if (timeout < 1 || timeout > MAX_AFFINITY_TIMEOUT) {
    throw invalid(clientIP.path('timeoutSeconds'), timeout, `is out of range (1..${MAX_AFFINITY_TIMEOUT})`);
  }
  return { kind: 'ClientIP', timeoutSeconds: timeout };
}

function convert(obj: unknown): ConvertResult<Service> {
  const root = Raw.root(obj);
  const meta = readMeta(root, true, DNS_LABEL);
  const excluded = excludedByLabel(meta.labels);
  if (excluded !== undefined) return ignored(excluded);
  const spec = root.obj('spec');
  const type = readType(spec);
  if (type === 'ExternalName') return ignored('type ExternalName');
  const clusterIPs = readClusterIPs(spec);
  if (clusterIPs === undefined) return ignored('headless (no cluster IP)');
  const externalIPs = spec
    .strList('externalIPs')
    .map((ip, i) => readIp(ip, `${spec.path('externalIPs')}[${i}]`));
  // As kube-proxy (ExternalPolicyLocal / NeedsHealthCheck): externalTrafficPolicy only counts for
  // externally accessible services (NodePort, LoadBalancer, or ClusterIP with externalIPs), and a
  // health check node port only for LoadBalancer services with policy Local.
  const accessible = type !== 'ClusterIP' || externalIPs.length > 0;
  const externalLocal = readPolicy(spec, 'externalTrafficPolicy', true) === 'Local' && accessible;
  const healthCheckNodePort = readPort(spec, 'healthCheckNodePort', 0) ?? 0;
  return {
    kind: 'ok',
    value: {
      namespace: meta.namespace,
      name: meta.name,
      type,
      clusterIPs,
      ports: readPorts(spec),
      externalIPs,
      loadBalancerIPs: readLoadBalancerIPs(root),
      loadBalancerSourceRanges: spec
        .strList('loadBalancerSourceRanges')
        .map((cidr, i) => readCidr(cidr.trim(), `${spec.path('loadBalancerSourceRanges')}[${i}]`)),
      externalTrafficPolicy: externalLocal ? 'Local' : 'Cluster',
      internalTrafficPolicy: readPolicy(spec, 'internalTrafficPolicy', false),
      healthCheckNodePort: externalLocal && type === 'LoadBalancer' ? healthCheckNodePort : 0,
      sessionAffinity: readAffinity(spec),
      trafficDistribution: spec.str('trafficDistribution') ?? '',
    },
  };
}

/** Converts a v1 Service. Headless, ExternalName and service-proxy-name-labelled services are ignored. */
export function convertService(obj: unknown): ConvertResult<Service> {
  return guard(() => convert(obj));
}
