import { expect } from 'chai';
import { DEFAULT_CONFIG } from '../../../src/config/types.js';
import type { Endpoint, EndpointSlice, Service } from '../../../src/model/cluster.js';
import { LARGE_CLUSTER_ENDPOINTS, render } from '../../../src/render/render.js';
import { clusterIPService, readyEndpoint } from '../../support/model-objects.js';

function cluster(
  services: number,
  endpointsEach: number,
): { services: Service[]; endpointSlices: EndpointSlice[] } {
  const list: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < services; i++) {
    list.push(
      clusterIPService('ns', `svc${i}`, {
        clusterIPs: [`10.96.${i >> 8}.${i & 255}`],
        ports: [{ name: 'p', protocol: 'TCP', port: 80, nodePort: 0 }],
      }),
    );
    const endpoints: Endpoint[] = [];
    for (let e = 0; e < endpointsEach; e++) {
      endpoints.push(readyEndpoint(`10.244.${e}.${i & 255}`));
    }
    slices.push({
      source: 'EndpointSlice',
      namespace: 'ns',
      name: `svc${i}-x`,
      serviceName: `svc${i}`,
      family: 'ipv4',
      ports: [{ name: 'p', protocol: 'TCP', port: 8080 }],
      endpoints,
      triggerTimeMs: undefined,
    });
  }
  return { services: list, endpointSlices: slices };
}

function renderNat(services: number, endpointsEach: number): Map<string, readonly string[]> {
  const result = render({
    snapshot: { ...cluster(services, endpointsEach), nodes: [] },
    config: { ...DEFAULT_CONFIG, hostname: 'me', clusterCIDRs: ['10.244.0.0/16'] },
    family: 'ipv4',
    host: { localAddresses: ['127.0.0.1'], randomFully: true, tcpBeLiberal: false },
  });
  return new Map(result.ruleSet.tables.nat.chains);
}

describe('render: large cluster mode', () => {
  it(`keeps per-endpoint comments up to ${LARGE_CLUSTER_ENDPOINTS} endpoints`, () => {
    const nat = renderNat(100, 10);
    const sep = [...nat].find(([name]) => name.startsWith('KUBE-SEP-'))!;
    expect(sep[1].every((rule) => rule.includes('--comment "ns/svc'))).to.equal(true);
  });

  it('drops per-endpoint comments above it, as kube-proxy does, but keeps the service comments', () => {
    const nat = renderNat(101, 10);
    const seps = [...nat].filter(([name]) => name.startsWith('KUBE-SEP-'));
    expect(seps).to.have.length(1010);
    for (const [, rules] of seps) for (const rule of rules) expect(rule).to.not.include('--comment');
    const svc = [...nat].find(([name]) => name.startsWith('KUBE-SVC-'))!;
    expect(svc[1][0]).to.include('cluster IP');
    expect(svc[1].slice(1).every((rule) => !rule.includes('--comment'))).to.equal(true);
    expect(nat.get('KUBE-SERVICES')![0]).to.include('cluster IP');
  });
});
