import { expect } from 'chai';
import { parse } from 'yaml';
import type { EndpointSlice, Service } from '../../../src/model/cluster.js';
import {
  type ConvertResult,
  convertEndpointSlice,
  convertEndpoints,
  convertNode,
  convertObjects,
  convertService,
} from '../../../src/k8s/convert.js';

type Obj = Record<string, unknown>;

/** As `kubectl get svc web -o yaml` prints it. */
const SERVICE = `
apiVersion: v1
kind: Service
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"}}
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels:
    app: web
  name: web
  namespace: shop
  resourceVersion: "12345"
  uid: 5d1c4a8e-0f3b-4c6e-9d2a-1b2c3d4e5f60
spec:
  clusterIP: 10.96.0.41
  clusterIPs:
  - 10.96.0.41
  internalTrafficPolicy: Cluster
  ipFamilies:
  - IPv4
  ipFamilyPolicy: SingleStack
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: 8080
  - name: dns
    port: 53
    protocol: UDP
    targetPort: dns
  selector:
    app: web
  sessionAffinity: None
  type: ClusterIP
status:
  loadBalancer: {}
`;

/** As `kubectl get endpointslice web-7xk2p -o yaml` prints it. */
const SLICE = `
addressType: IPv4
apiVersion: discovery.k8s.io/v1
endpoints:
- addresses:
  - 10.244.1.5
  conditions:
    ready: true
    serving: true
    terminating: false
  hints:
    forZones:
    - name: zone-a
  nodeName: node-1
  targetRef:
    kind: Pod
    name: web-6d4b7c9f8-abcde
    namespace: shop
    uid: 0a1b2c3d-0000-0000-0000-000000000001
  zone: zone-a
- addresses:
  - 10.244.2.007
  conditions:
    ready: false
    serving: true
    terminating: true
  nodeName: node-2
  zone: zone-b
kind: EndpointSlice
metadata:
  annotations:
    endpoints.kubernetes.io/last-change-trigger-time: "2024-05-01T10:00:05Z"
  creationTimestamp: "2024-05-01T10:00:00Z"
  generateName: web-
  generation: 3
  labels:
    endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
    kubernetes.io/service-name: web
  name: web-7xk2p
  namespace: shop
  ownerReferences:
  - apiVersion: v1
    blockOwnerDeletion: true
    controller: true
    kind: Service
    name: web
    uid: 5d1c4a8e-0f3b-4c6e-9d2a-1b2c3d4e5f60
  resourceVersion: "12399"
  uid: 9e8d7c6b-0000-0000-0000-000000000002
ports:
- name: http
  port: 8080
  protocol: TCP
- name: dns
  port: 53
  protocol: UDP
`;

const ENDPOINTS = `
apiVersion: v1
kind: Endpoints
metadata:
  annotations:
    endpoints.kubernetes.io/last-change-trigger-time: "2024-05-01T10:00:05.5+02:00"
  name: legacy
  namespace: default
subsets:
- addresses:
  - ip: 10.244.1.9
    nodeName: node-1
    targetRef:
      kind: Pod
      name: legacy-abc
      namespace: default
  - ip: fd00:10:244:1::9
    nodeName: node-1
  notReadyAddresses:
  - ip: 10.244.2.9
    nodeName: node-2
  ports:
  - name: http
    port: 8080
    protocol: TCP
- addresses:
  - ip: 10.244.3.3
  ports:
  - port: 9090
`;

const NODE = `
apiVersion: v1
kind: Node
metadata:
  labels:
    kubernetes.io/hostname: node-1
    topology.kubernetes.io/zone: zone-a
  name: node-1
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs:
  - 10.244.1.0/24
  - fd00:10:244:1::/64
status:
  addresses:
  - address: 192.168.1.11
    type: InternalIP
  - address: FD00::0B
    type: InternalIP
  - address: node-1
    type: Hostname
  - address: node-1.example.internal
    type: InternalDNS
`;

function load(text: string): Obj {
  return parse(text) as Obj;
}

/** A deep copy of `base` with `patch` merged in (null deletes a key). */
function patched(base: string, patch: Obj): Obj {
  const merge = (target: Obj, p: Obj): Obj => {
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete target[k];
      else if (
        typeof v === 'object' &&
        !Array.isArray(v) &&
        typeof target[k] === 'object' &&
        target[k] !== null &&
        !Array.isArray(target[k])
      )
        target[k] = merge(target[k] as Obj, v as Obj);
      else target[k] = v;
    }
    return target;
  };
  return merge(load(base), patch);
}

function ok<T>(result: ConvertResult<T>): T {
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.value;
}

function invalidMessage<T>(result: ConvertResult<T>): string {
  if (result.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(result)}`);
  return result.message;
}

function ignoredReason<T>(result: ConvertResult<T>): string {
  if (result.kind !== 'ignored') throw new Error(`expected ignored, got ${JSON.stringify(result)}`);
  return result.reason;
}

function service(patch: Obj): Service {
  return ok(convertService(patched(SERVICE, patch)));
}

function serviceInvalid(patch: Obj): string {
  return invalidMessage(convertService(patched(SERVICE, patch)));
}

describe('k8s/convert', () => {
  describe('convertService', () => {
    it('converts a ClusterIP service', () => {
      expect(ok(convertService(load(SERVICE)))).to.deep.equal({
        namespace: 'shop',
        name: 'web',
        type: 'ClusterIP',
        clusterIPs: ['10.96.0.41'],
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, nodePort: 0 },
          { name: 'dns', protocol: 'UDP', port: 53, nodePort: 0 },
        ],
        externalIPs: [],
        loadBalancerIPs: [],
        loadBalancerSourceRanges: [],
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        healthCheckNodePort: 0,
        sessionAffinity: { kind: 'None' },
        trafficDistribution: '',
      });
    });

    it('converts a dual-stack LoadBalancer service with every field', () => {
      const svc = service({
        spec: {
          type: 'LoadBalancer',
          clusterIP: 'fd00:10:96::a',
          clusterIPs: ['FD00:10:96:0::A', '10.96.0.010'],
          ports: [{ name: 'https', port: 443, nodePort: 30443, targetPort: 8443 }],
          externalIPs: ['203.0.113.7', '2001:DB8::7'],
          loadBalancerSourceRanges: [' 198.51.100.77/24 ', '2001:db8:1::1/48'],
          externalTrafficPolicy: 'Local',
          healthCheckNodePort: 31000,
          internalTrafficPolicy: 'Local',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } },
          trafficDistribution: 'PreferClose',
        },
        status: {
          loadBalancer: {
            ingress: [
              { ip: '192.0.2.10' },
              { ip: '192.0.2.11', ipMode: 'VIP' },
              { ip: '192.0.2.12', ipMode: 'Proxy' },
              { hostname: 'lb.example.com' },
              { ip: '2001:db8::10', ipMode: 'VIP', ports: [{ port: 443, protocol: 'TCP' }] },
            ],
          },
        },
      });
      expect(svc).to.deep.include({
        type: 'LoadBalancer',
        clusterIPs: ['fd00:10:96::a', '10.96.0.10'],
        ports: [{ name: 'https', protocol: 'TCP', port: 443, nodePort: 30443 }],
        externalIPs: ['203.0.113.7', '2001:db8::7'],
        loadBalancerIPs: ['192.0.2.10', '192.0.2.11', '2001:db8::10'],
        loadBalancerSourceRanges: ['198.51.100.0/24', '2001:db8:1::/48'],
        externalTrafficPolicy: 'Local',
        internalTrafficPolicy: 'Local',
        healthCheckNodePort: 31000,
        trafficDistribution: 'PreferClose',
      });
      expect(svc.sessionAffinity).to.deep.equal({ kind: 'ClientIP', timeoutSeconds: 300 });
    });

    it('uses clusterIP when clusterIPs is absent', () => {
      expect(service({ spec: { clusterIPs: null, clusterIP: '172.30.0.041' } }).clusterIPs).to.deep.equal([
        '172.30.0.41',
      ]);
    });

    it('defaults the type, protocol, policies, affinity timeout and namespace', () => {
      const svc = ok(
        convertService({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'plain' },
          spec: { clusterIP: '10.96.0.5', ports: [{ port: 8080 }], sessionAffinity: 'ClientIP' },
        }),
      );
      expect(svc.namespace).to.equal('default');
      expect(svc.type).to.equal('ClusterIP');
      expect(svc.ports).to.deep.equal([{ name: '', protocol: 'TCP', port: 8080, nodePort: 0 }]);
      expect(svc.sessionAffinity).to.deep.equal({ kind: 'ClientIP', timeoutSeconds: 10800 });
      expect(svc.externalTrafficPolicy).to.equal('Cluster');
      expect(svc.internalTrafficPolicy).to.equal('Cluster');
    });

    it('accepts a service without ports', () => {
      expect(service({ spec: { ports: null } }).ports).to.deep.equal([]);
    });

    it('reads legacy externalTrafficPolicy Global as Cluster', () => {
      expect(
        service({ spec: { type: 'NodePort', externalTrafficPolicy: 'Global' } }).externalTrafficPolicy,
      ).to.equal('Cluster');
    });

    it('applies externalTrafficPolicy only to externally accessible services, as kube-proxy does', () => {
      const internalOnly = service({ spec: { externalTrafficPolicy: 'Local' } });
      expect(internalOnly.externalTrafficPolicy).to.equal('Cluster');
      const withExternalIPs = service({
        spec: { externalTrafficPolicy: 'Local', externalIPs: ['203.0.113.1'] },
      });
      expect(withExternalIPs.externalTrafficPolicy).to.equal('Local');
      expect(withExternalIPs.healthCheckNodePort).to.equal(0);
      const nodePort = service({
        spec: { type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 },
      });
      expect(nodePort.externalTrafficPolicy).to.equal('Local');
      expect(nodePort.healthCheckNodePort, 'health checks are for LoadBalancers only').to.equal(0);
      const lbCluster = service({ spec: { type: 'LoadBalancer', healthCheckNodePort: 31000 } });
      expect(lbCluster.healthCheckNodePort).to.equal(0);
    });

    describe('ignored services', () => {
      const cases: [string, Obj, string][] = [
        [
          'headless (None)',
          { spec: { clusterIP: 'None', clusterIPs: ['None'] } },
          'headless (no cluster IP)',
        ],
        ['headless (empty)', { spec: { clusterIP: '', clusterIPs: null } }, 'headless (no cluster IP)'],
        ['headless (absent)', { spec: { clusterIP: null, clusterIPs: null } }, 'headless (no cluster IP)'],
        [
          'ExternalName',
          {
            spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: null, clusterIPs: null },
          },
          'type ExternalName',
        ],
        [
          'service-proxy-name label',
          { metadata: { labels: { 'service.kubernetes.io/service-proxy-name': '' } } },
          'labelled service.kubernetes.io/service-proxy-name',
        ],
        [
          'headless label',
          { metadata: { labels: { 'service.kubernetes.io/headless': '' } } },
          'labelled service.kubernetes.io/headless',
        ],
      ];
      for (const [name, patch, reason] of cases) {
        it(name, () => {
          expect(ignoredReason(convertService(patched(SERVICE, patch)))).to.equal(reason);
        });
      }
    });

    describe('invalid services', () => {
      const cases: [string, Obj, string][] = [
        ['missing name', { metadata: { name: null } }, 'metadata.name: is missing'],
        [
          'upper-case name',
          { metadata: { name: 'Web' } },
          'metadata.name: "Web" is not a valid name (a lower-case DNS-1123 label)',
        ],
        [
          'name with a quote',
          { metadata: { name: 'web" -j ACCEPT' } },
          'metadata.name: "web\\" -j ACCEPT" is not a valid name (a lower-case DNS-1123 label)',
        ],
        [
          'name with a newline',
          { metadata: { name: 'web\n-A KUBE-SERVICES' } },
          'metadata.name: "web\\n-A KUBE-SERVICES" is not a valid name (a lower-case DNS-1123 label)',
        ],
        [
          'dotted name',
          { metadata: { name: 'web.v2' } },
          'metadata.name: "web.v2" is not a valid name (a lower-case DNS-1123 label)',
        ],
        [
          'long name',
          { metadata: { name: 'a'.repeat(64) } },
          `metadata.name: "${'a'.repeat(64)}" is not a valid name (a lower-case DNS-1123 label)`,
        ],
        [
          'namespace with a space',
          { metadata: { namespace: 'shop floor' } },
          'metadata.namespace: "shop floor" is not a valid namespace (a lower-case DNS-1123 label)',
        ],
        ['numeric name', { metadata: { name: 42 } }, 'metadata.name: 42 is not a string'],
        ['labels not a map', { metadata: { labels: ['a'] } }, 'metadata.labels: ["a"] is not a map'],
        [
          'non-string label',
          { metadata: { labels: { version: 2 } } },
          'metadata.labels["version"]: 2 is not a string',
        ],
        ['bad type', { spec: { type: 'Ingress' } }, 'spec.type: "Ingress" is not a valid service type'],
        [
          'cluster IP with rule text',
          { spec: { clusterIP: '10.96.0.1 -j ACCEPT', clusterIPs: null } },
          'spec.clusterIP: "10.96.0.1 -j ACCEPT" is not a valid IP address',
        ],
        [
          'cluster IPs with junk',
          { spec: { clusterIPs: ['10.96.0.1', 'x'] } },
          'spec.clusterIPs[1]: "x" is not a valid IP address',
        ],
        [
          'IPv4-mapped cluster IP',
          { spec: { clusterIPs: ['::ffff:10.96.0.1'] } },
          'spec.clusterIPs[0]: "::ffff:10.96.0.1" is not a valid IP address',
        ],
        [
          'two IPv4 cluster IPs',
          { spec: { clusterIPs: ['10.96.0.1', '10.96.0.2'] } },
          'spec.clusterIPs: ["10.96.0.1","10.96.0.2"] has two addresses of the same family',
        ],
        [
          'three cluster IPs',
          { spec: { clusterIPs: ['10.96.0.1', 'fd00::1', '10.96.0.2'] } },
          'spec.clusterIPs: ["10.96.0.1","fd00::1","10.96.0.2"] has more than two addresses',
        ],
        [
          'port too big',
          {
            spec: {
              ports: [
                { name: 'a', port: 80 },
                { name: 'b', port: 70000 },
              ],
            },
          },
          'spec.ports[1].port: 70000 is not a valid port',
        ],
        ['port zero', { spec: { ports: [{ port: 0 }] } }, 'spec.ports[0].port: 0 is not a valid port'],
        ['port missing', { spec: { ports: [{ name: 'a' }] } }, 'spec.ports[0].port: is missing'],
        [
          'port as string',
          { spec: { ports: [{ port: '80' }] } },
          'spec.ports[0].port: "80" is not an integer',
        ],
        [
          'fractional port',
          { spec: { ports: [{ port: 80.5 }] } },
          'spec.ports[0].port: 80.5 is not an integer',
        ],
        [
          'nodePort too big',
          { spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 65536 }] } },
          'spec.ports[0].nodePort: 65536 is not a valid port',
        ],
        [
          'protocol ICMP',
          { spec: { ports: [{ port: 80, protocol: 'ICMP' }] } },
          'spec.ports[0].protocol: "ICMP" is not a supported protocol (TCP, UDP or SCTP)',
        ],
        [
          'lower-case protocol',
          { spec: { ports: [{ port: 80, protocol: 'tcp' }] } },
          'spec.ports[0].protocol: "tcp" is not a supported protocol (TCP, UDP or SCTP)',
        ],
        [
          'port name with a space',
          { spec: { ports: [{ name: 'http web', port: 80 }] } },
          'spec.ports[0].name: "http web" is not a valid port name (a lower-case DNS-1123 label)',
        ],
        [
          'port name with a quote',
          { spec: { ports: [{ name: 'p"', port: 80 }] } },
          'spec.ports[0].name: "p\\"" is not a valid port name (a lower-case DNS-1123 label)',
        ],
        [
          'duplicate port names',
          {
            spec: {
              ports: [
                { name: 'a', port: 80 },
                { name: 'a', port: 81 },
              ],
            },
          },
          'spec.ports[1].name: "a" is used by more than one TCP port',
        ],
        [
          'two unnamed ports',
          { spec: { ports: [{ port: 80 }, { port: 81 }] } },
          'spec.ports[1].name: "" is used by more than one TCP port',
        ],
        ['ports not a list', { spec: { ports: { port: 80 } } }, 'spec.ports: {"port":80} is not a list'],
        [
          'bad external IP',
          { spec: { externalIPs: ['203.0.113.1', '203.0.113.2 -j ACCEPT'] } },
          'spec.externalIPs[1]: "203.0.113.2 -j ACCEPT" is not a valid IP address',
        ],
        [
          'bare IP source range',
          { spec: { loadBalancerSourceRanges: ['203.0.113.5'] } },
          'spec.loadBalancerSourceRanges[0]: "203.0.113.5" is not a valid CIDR',
        ],
        [
          'junk source range',
          { spec: { loadBalancerSourceRanges: ['10.0.0.0/8', '1.2.3.0/24 -j ACCEPT'] } },
          'spec.loadBalancerSourceRanges[1]: "1.2.3.0/24 -j ACCEPT" is not a valid CIDR',
        ],
        [
          'bad ingress IP',
          { spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.300' }] } } },
          'status.loadBalancer.ingress[0].ip: "192.0.2.300" is not a valid IP address',
        ],
        [
          'bad external policy',
          { spec: { externalTrafficPolicy: 'Nearest' } },
          'spec.externalTrafficPolicy: "Nearest" is not a valid traffic policy (Cluster or Local)',
        ],
        [
          'bad internal policy',
          { spec: { internalTrafficPolicy: 'Global' } },
          'spec.internalTrafficPolicy: "Global" is not a valid traffic policy (Cluster or Local)',
        ],
        [
          'bad affinity',
          { spec: { sessionAffinity: 'Cookie' } },
          'spec.sessionAffinity: "Cookie" is not a valid session affinity (None or ClientIP)',
        ],
        [
          'affinity timeout 0',
          {
            spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } },
          },
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds: 0 is out of range (1..86400)',
        ],
        [
          'affinity timeout too long',
          {
            spec: {
              sessionAffinity: 'ClientIP',
              sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } },
            },
          },
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds: 86401 is out of range (1..86400)',
        ],
        [
          'health check port too big',
          { spec: { healthCheckNodePort: 99999 } },
          'spec.healthCheckNodePort: 99999 is not a valid port',
        ],
        ['spec not an object', { spec: 'nope' }, 'spec: "nope" is not an object'],
      ];
      for (const [name, patch, message] of cases) {
        it(name, () => {
          expect(serviceInvalid(patch)).to.equal(message);
        });
      }

      it('rejects a non-object', () => {
        expect(invalidMessage(convertService('Service'))).to.equal('expected an object, got "Service"');
        expect(invalidMessage(convertService(null))).to.equal('expected an object, got null');
      });

      it('keeps messages on one line', () => {
        const message = serviceInvalid({
          spec: { clusterIP: '1.2.3.4\n-A KUBE-SERVICES -j ACCEPT', clusterIPs: null },
        });
        expect(message).not.to.include('\n');
      });
    });
  });

  describe('convertEndpointSlice', () => {
    it('converts a slice as the controller writes it', () => {
      expect(ok(convertEndpointSlice(load(SLICE)))).to.deep.equal({
        source: 'EndpointSlice',
        namespace: 'shop',
        name: 'web-7xk2p',
        serviceName: 'web',
        family: 'ipv4',
        ports: [
          { name: 'http', protocol: 'TCP', port: 8080 },
          { name: 'dns', protocol: 'UDP', port: 53 },
        ],
        endpoints: [
          {
            ip: '10.244.1.5',
            ready: true,
            serving: true,
            terminating: false,
            nodeName: 'node-1',
            zone: 'zone-a',
            hints: { forZones: ['zone-a'], forNodes: undefined },
          },
          {
            ip: '10.244.2.7',
            ready: false,
            serving: true,
            terminating: true,
            nodeName: 'node-2',
            zone: 'zone-b',
            hints: { forZones: undefined, forNodes: undefined },
          },
        ],
        triggerTimeMs: Date.UTC(2024, 4, 1, 10, 0, 5),
      });
    });

    it('defaults conditions (ready and serving true, terminating false) when nil', () => {
      const slice = ok(
        convertEndpointSlice(
          patched(SLICE, {
            endpoints: [
              { addresses: ['10.244.1.5'] },
              { addresses: ['10.244.1.6'], conditions: { ready: null } },
            ],
          }),
        ),
      );
      for (const e of slice.endpoints) {
        expect(e).to.deep.include({ ready: true, serving: true, terminating: false, nodeName: '', zone: '' });
      }
    });

    it('drops endpoints without addresses and uses only addresses[0]', () => {
      const slice = ok(
        convertEndpointSlice(
          patched(SLICE, {
            endpoints: [
              { addresses: [] },
              { conditions: { ready: true } },
              { addresses: ['10.244.1.5', '10.244.1.6'] },
            ],
          }),
        ),
      );
      expect(slice.endpoints.map((e) => e.ip)).to.deep.equal(['10.244.1.5']);
    });

    it('skips ports with a nil name or a nil/zero port, keeps name ""', () => {
      const slice = ok(
        convertEndpointSlice(
          patched(SLICE, {
            ports: [
              { port: 80 },
              { name: 'a', port: null },
              { name: 'b', port: 0 },
              { name: null, port: 81 },
              { name: '', port: 82 },
              { name: 'c', port: 83, protocol: 'SCTP' },
            ],
          }),
        ),
      );
      expect(slice.ports).to.deep.equal([
        { name: '', protocol: 'TCP', port: 82 },
        { name: 'c', protocol: 'SCTP', port: 83 },
      ]);
    });

    it('reads node hints and treats empty hint lists as no hints', () => {
      const slice = ok(
        convertEndpointSlice(
          patched(SLICE, {
            endpoints: [
              { addresses: ['10.244.1.5'], hints: { forNodes: [{ name: 'node-1' }], forZones: [] } },
              { addresses: ['10.244.1.6'], hints: {} },
            ],
          }),
        ),
      );
      expect(slice.endpoints.map((e) => e.hints)).to.deep.equal([
        { forZones: undefined, forNodes: ['node-1'] },
        { forZones: undefined, forNodes: undefined },
      ]);
    });

    it('converts an IPv6 slice canonically', () => {
      const slice = ok(
        convertEndpointSlice(
          patched(SLICE, { addressType: 'IPv6', endpoints: [{ addresses: ['FD00:10:244:1:0:0:0:5'] }] }),
        ),
      );
      expect(slice.family).to.equal('ipv6');
      expect(slice.endpoints[0]?.ip).to.equal('fd00:10:244:1::5');
    });

    it('ignores a malformed trigger time', () => {
      const slice = ok(
        convertEndpointSlice(
          patched(SLICE, {
            metadata: { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': 'yesterday' } },
          }),
        ),
      );
      expect(slice.triggerTimeMs).to.equal(undefined);
    });

    describe('ignored slices', () => {
      const cases: [string, Obj, string][] = [
        [
          'no service-name label',
          { metadata: { labels: { 'kubernetes.io/service-name': null } } },
          'no kubernetes.io/service-name label',
        ],
        [
          'empty service-name label',
          { metadata: { labels: { 'kubernetes.io/service-name': '' } } },
          'no kubernetes.io/service-name label',
        ],
        [
          'FQDN',
          { addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] },
          'addressType "FQDN"',
        ],
        ['missing addressType', { addressType: null }, 'addressType ""'],
        [
          'headless label',
          { metadata: { labels: { 'service.kubernetes.io/headless': '' } } },
          'labelled service.kubernetes.io/headless',
        ],
        [
          'service-proxy-name label',
          { metadata: { labels: { 'service.kubernetes.io/service-proxy-name': 'other' } } },
          'labelled service.kubernetes.io/service-proxy-name',
        ],
      ];
      for (const [name, patch, reason] of cases) {
        it(name, () => {
          expect(ignoredReason(convertEndpointSlice(patched(SLICE, patch)))).to.equal(reason);
        });
      }
    });

    describe('invalid slices', () => {
      const cases: [string, Obj, string][] = [
        [
          'bad name',
          { metadata: { name: 'web_1' } },
          'metadata.name: "web_1" is not a valid name (a lower-case DNS-1123 subdomain)',
        ],
        [
          'bad service name',
          { metadata: { labels: { 'kubernetes.io/service-name': 'web x' } } },
          'metadata.labels["kubernetes.io/service-name"]: "web x" is not a valid service name',
        ],
        [
          'bad address',
          { endpoints: [{ addresses: ['10.244.1.5; rm -rf /'] }] },
          'endpoints[0].addresses[0]: "10.244.1.5; rm -rf /" is not a valid IP address',
        ],
        [
          'wrong family',
          { endpoints: [{ addresses: ['fd00::5'] }] },
          'endpoints[0].addresses[0]: "fd00::5" is not an IPv4 address',
        ],
        [
          'bad condition',
          { endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: 'yes' } }] },
          'endpoints[0].conditions.ready: "yes" is not a boolean',
        ],
        [
          'bad node name',
          { endpoints: [{ addresses: ['10.244.1.5'], nodeName: 'Node 1' }] },
          'endpoints[0].nodeName: "Node 1" is not a valid node name (a lower-case DNS-1123 subdomain)',
        ],
        [
          'bad zone',
          { endpoints: [{ addresses: ['10.244.1.5'], zone: 'zone a' }] },
          'endpoints[0].zone: "zone a" is not a valid zone name',
        ],
        [
          'bad zone hint',
          { endpoints: [{ addresses: ['10.244.1.5'], hints: { forZones: [{ name: '"a"' }] } }] },
          'endpoints[0].hints.forZones[0].name: "\\"a\\"" is not a valid name',
        ],
        ['bad port', { ports: [{ name: 'http', port: 65536 }] }, 'ports[0].port: 65536 is not a valid port'],
        ['negative port', { ports: [{ name: 'http', port: -1 }] }, 'ports[0].port: -1 is not a valid port'],
        [
          'bad port name',
          { ports: [{ name: 'HTTP', port: 80 }] },
          'ports[0].name: "HTTP" is not a valid port name (a lower-case DNS-1123 label)',
        ],
        [
          'bad protocol',
          { ports: [{ name: 'http', port: 80, protocol: 'QUIC' }] },
          'ports[0].protocol: "QUIC" is not a supported protocol (TCP, UDP or SCTP)',
        ],
        ['endpoints not a list', { endpoints: 'x' }, 'endpoints: "x" is not a list'],
        ['endpoint not an object', { endpoints: ['10.0.0.1'] }, 'endpoints[0]: "10.0.0.1" is not an object'],
      ];
      for (const [name, patch, message] of cases) {
        it(name, () => {
          expect(invalidMessage(convertEndpointSlice(patched(SLICE, patch)))).to.equal(message);
        });
      }
    });
  });

  describe('convertEndpoints (legacy v1 Endpoints)', () => {
    it('makes one slice per subset and family', () => {
      const slices = ok(convertEndpoints(load(ENDPOINTS)));
      const trigger = Date.parse('2024-05-01T08:00:05.5Z');
      const base = {
        source: 'Endpoints',
        namespace: 'default',
        serviceName: 'legacy',
        triggerTimeMs: trigger,
      } as const;
      const ep = (ip: string, ready: boolean, nodeName: string): EndpointSlice['endpoints'][number] => ({
        ip,
        ready,
        serving: ready,
        terminating: false,
        nodeName,
        zone: '',
        hints: { forZones: undefined, forNodes: undefined },
      });
      expect(slices).to.deep.equal([
        {
          ...base,
          name: 'legacy-subset0',
          family: 'ipv4',
          ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
          endpoints: [ep('10.244.1.9', true, 'node-1'), ep('10.244.2.9', false, 'node-2')],
        },
        {
          ...base,
          name: 'legacy-subset0-ipv6',
          family: 'ipv6',
          ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
          endpoints: [ep('fd00:10:244:1::9', true, 'node-1')],
        },
        {
          ...base,
          name: 'legacy-subset1',
          family: 'ipv4',
          ports: [{ name: '', protocol: 'TCP', port: 9090 }],
          endpoints: [ep('10.244.3.3', true, '')],
        },
      ]);
    });

    it('gives no slices for an Endpoints object without subsets', () => {
      expect(
        ok(
          convertEndpoints({
            apiVersion: 'v1',
            kind: 'Endpoints',
            metadata: { name: 'x', namespace: 'default' },
          }),
        ),
      ).to.deep.equal([]);
    });

    it('is ignored with the service-proxy-name label', () => {
      expect(
        ignoredReason(
          convertEndpoints(
            patched(ENDPOINTS, { metadata: { labels: { 'service.kubernetes.io/service-proxy-name': 'x' } } }),
          ),
        ),
      ).to.equal('labelled service.kubernetes.io/service-proxy-name');
    });

    it('rejects bad addresses, ports and names', () => {
      expect(
        invalidMessage(
          convertEndpoints(patched(ENDPOINTS, { subsets: [{ addresses: [{ ip: '10.0.0.1 -j DROP' }] }] })),
        ),
      ).to.equal('subsets[0].addresses[0].ip: "10.0.0.1 -j DROP" is not a valid IP address');
      expect(
        invalidMessage(convertEndpoints(patched(ENDPOINTS, { subsets: [{ addresses: [{}] }] }))),
      ).to.equal('subsets[0].addresses[0].ip: "" is not a valid IP address');
      expect(
        invalidMessage(convertEndpoints(patched(ENDPOINTS, { subsets: [{ ports: [{ port: 0 }] }] }))),
      ).to.equal('subsets[0].ports[0].port: 0 is not a valid port');
      expect(
        invalidMessage(convertEndpoints(patched(ENDPOINTS, { metadata: { name: 'legacy.v1' } }))),
      ).to.equal('metadata.name: "legacy.v1" is not a valid name (a lower-case DNS-1123 label)');
    });
  });

  describe('convertNode', () => {
    it('keeps IP addresses, pod CIDRs and labels', () => {
      expect(ok(convertNode(load(NODE)))).to.deep.equal({
        name: 'node-1',
        labels: { 'kubernetes.io/hostname': 'node-1', 'topology.kubernetes.io/zone': 'zone-a' },
        addresses: [
          { type: 'InternalIP', address: '192.168.1.11' },
          { type: 'InternalIP', address: 'fd00::b' },
        ],
        podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'],
        deleting: false,
      });
    });

    it('falls back to podCIDR and notes deletion', () => {
      const node = ok(
        convertNode(
          patched(NODE, {
            metadata: { deletionTimestamp: '2024-05-01T11:00:00Z' },
            spec: { podCIDRs: null, podCIDR: '10.244.1.7/24' },
          }),
        ),
      );
      expect(node.podCIDRs).to.deep.equal(['10.244.1.0/24']);
      expect(node.deleting).to.equal(true);
    });

    it('accepts a deletionTimestamp that is a Date (client-node models)', () => {
      const obj = patched(NODE, {});
      (obj['metadata'] as Obj)['deletionTimestamp'] = new Date();
      expect(ok(convertNode(obj)).deleting).to.equal(true);
    });

    it('rejects bad names, addresses and CIDRs', () => {
      expect(invalidMessage(convertNode(patched(NODE, { metadata: { name: 'node 1' } })))).to.equal(
        'metadata.name: "node 1" is not a valid name (a lower-case DNS-1123 subdomain)',
      );
      expect(
        invalidMessage(
          convertNode(patched(NODE, { status: { addresses: [{ type: 'InternalIP', address: 'node-1' }] } })),
        ),
      ).to.equal('status.addresses[0].address: "node-1" is not a valid IP address');
      expect(invalidMessage(convertNode(patched(NODE, { spec: { podCIDRs: ['10.244.1.0'] } })))).to.equal(
        'spec.podCIDRs[0]: "10.244.1.0" is not a valid CIDR',
      );
    });
  });

  describe('convertObjects', () => {
    it('sorts objects into kinds, counts ignored ones and warns about invalid ones', () => {
      const result = convertObjects([
        load(SERVICE),
        load(SLICE),
        load(ENDPOINTS),
        load(NODE),
        patched(SERVICE, {
          metadata: { name: 'headless' },
          spec: { clusterIP: 'None', clusterIPs: ['None'] },
        }),
        patched(SLICE, { metadata: { name: 'web-fqdn' }, addressType: 'FQDN' }),
        patched(SERVICE, { metadata: { name: 'broken' }, spec: { ports: [{ port: 70000 }] } }),
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-6d4b7c9f8-abcde', namespace: 'shop' } },
        {
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Service',
          metadata: { name: 'kn', namespace: 'shop' },
        },
        { metadata: { name: 'kindless' } },
        'junk',
      ]);
      expect(result.services.map((s) => s.name)).to.deep.equal(['web']);
      expect(result.endpointSlices.map((s) => s.name)).to.deep.equal([
        'web-7xk2p',
        'legacy-subset0',
        'legacy-subset0-ipv6',
        'legacy-subset1',
      ]);
      expect(result.nodes.map((n) => n.name)).to.deep.equal(['node-1']);
      expect(result.ignored).to.equal(6);
      expect(result.warnings).to.deep.equal([
        { object: 'Pod shop/web-6d4b7c9f8-abcde', message: 'kind Pod is not used by kproxy' },
        {
          object: 'Service shop/kn',
          message: 'kind Service ("serving.knative.dev/v1") is not used by kproxy',
        },
        { object: 'object kindless', message: 'has no kind and is not used by kproxy' },
        { object: 'object #11', message: 'is not an object' },
        {
          object: 'Service shop/broken',
          message: 'spec.ports[0].port: 70000 is not a valid port; the object is ignored',
        },
      ]);
    });

    it('accepts objects without apiVersion for the kinds it reads', () => {
      const result = convertObjects([{ kind: 'Node', metadata: { name: 'n1' } }]);
      expect(result.nodes.map((n) => n.name)).to.deep.equal(['n1']);
    });

    it('keeps the last of duplicate objects and warns', () => {
      const result = convertObjects([
        load(SERVICE),
        patched(SERVICE, { spec: { clusterIPs: ['10.96.0.99'] } }),
        patched(SERVICE, { metadata: { namespace: 'other' } }),
      ]);
      expect(result.services.map((s) => `${s.namespace}/${s.name} ${s.clusterIPs.join(',')}`)).to.deep.equal([
        'shop/web 10.96.0.99',
        'other/web 10.96.0.41',
      ]);
      expect(result.warnings).to.deep.equal([
        { object: 'Service shop/web', message: 'appears more than once; the last definition is used' },
      ]);
    });

    it('drops stale subsets when a legacy Endpoints object appears twice', () => {
      const result = convertObjects([
        load(ENDPOINTS),
        patched(ENDPOINTS, { subsets: [{ addresses: [{ ip: '10.244.9.9' }], ports: [{ port: 1 }] }] }),
      ]);
      expect(result.endpointSlices.map((s) => s.name)).to.deep.equal(['legacy-subset0']);
    });

    it('quotes hostile names in warning labels', () => {
      const result = convertObjects([patched(SERVICE, { metadata: { name: 'web\n-A X' } })]);
      expect(result.warnings[0]?.object).to.equal('Service shop/"web\\n-A X"');
      expect(result.warnings[0]?.message).not.to.include('\n');
    });
  });
});
