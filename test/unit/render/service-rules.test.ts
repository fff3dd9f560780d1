import { expect } from 'chai';
import type { Endpoint, EndpointSlice, Service } from '../../../src/model/cluster.js';
import type { IpFamily } from '../../../src/model/family.js';
import { endpointChain, servicePortHash } from '../../../src/render/names.js';
import { renderServicePort, type ServiceRuleContext } from '../../../src/render/service-rules.js';
import { servicePortView } from '../../../src/render/service-view.js';
import { clusterIPService, readyEndpoint } from '../../support/model-objects.js';

function service(family: IpFamily, affinity: boolean): Service {
  return clusterIPService('ns', 'web', {
    clusterIPs: [family === 'ipv4' ? '10.96.0.10' : 'fd00:96::10'],
    ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 0 }],
    sessionAffinity: affinity ? { kind: 'ClientIP', timeoutSeconds: 10800 } : { kind: 'None' },
  });
}

const endpoint = (ip: string): Endpoint => readyEndpoint(ip);

/** The nat chains of ns/web:http with two endpoints. */
function natChains(family: IpFamily, affinity: boolean, largeCluster: boolean): Map<string, string[]> {
  const svc = service(family, affinity);
  const ips = family === 'ipv4' ? ['10.244.1.5', '10.244.1.4'] : ['fd00:244::5', 'fd00:244::4'];
  const slice: EndpointSlice = {
    source: 'EndpointSlice',
    namespace: 'ns',
    name: 'web-x',
    serviceName: 'web',
    family,
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints: ips.map(endpoint),
    triggerTimeMs: undefined,
  };
  const node = { name: 'me', node: undefined, primaryIP: '192.168.0.1', zone: '', podCIDRs: [] };
  const port = svc.ports[0]!;
  const view = servicePortView(svc, port, svc.clusterIPs[0]!, {
    family,
    node,
    nodeHints: true,
    slices: [slice],
  });
  const ctx: ServiceRuleContext = {
    family,
    detector: { kind: 'none', reason: 'test' },
    masqueradeAll: false,
    primaryNodeIP: '192.168.0.1',
    largeCluster,
  };
  return renderServicePort(view, ctx).natChains;
}

const svcChain = `KUBE-SVC-${servicePortHash('ns/web:http', 'TCP')}`;
const sep = (address: string): string => endpointChain('ns/web:http', 'TCP', address);

describe('render/service-rules', () => {
  it('writes the jump and SEP rules of each endpoint, with comments in a small cluster', () => {
    const [a, b] = [sep('10.244.1.4:8080'), sep('10.244.1.5:8080')];
    const chains = natChains('ipv4', false, false);
    expect([...chains.keys()]).to.deep.equal([svcChain, a, b]);
    expect(chains.get(svcChain)).to.deep.equal([
      `-m comment --comment "ns/web:http -> 10.244.1.4:8080" -m statistic --mode random --probability 0.50000000000 -j ${a}`,
      `-m comment --comment "ns/web:http -> 10.244.1.5:8080" -j ${b}`,
    ]);
    expect(chains.get(a)).to.deep.equal([
      '-s 10.244.1.4/32 -m comment --comment "ns/web:http" -j KUBE-MARK-MASQ',
      '-p tcp -m comment --comment "ns/web:http" -m tcp -j DNAT --to-destination 10.244.1.4:8080',
    ]);
  });

  it('leaves per-endpoint comments out in a large cluster and remembers ClientIP affinity', () => {
    const [a, b] = [sep('[fd00:244::4]:8080'), sep('[fd00:244::5]:8080')];
    const mask = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    const chains = natChains('ipv6', true, true);
    expect(chains.get(svcChain)).to.deep.equal([
      `-m recent --rcheck --seconds 10800 --reap --name ${a} --mask ${mask} --rsource -j ${a}`,
      `-m recent --rcheck --seconds 10800 --reap --name ${b} --mask ${mask} --rsource -j ${b}`,
      `-m statistic --mode random --probability 0.50000000000 -j ${a}`,
      `-j ${b}`,
    ]);
    expect(chains.get(b)).to.deep.equal([
      '-s fd00:244::5/128 -j KUBE-MARK-MASQ',
      `-p tcp -m recent --set --name ${b} --mask ${mask} --rsource -m tcp -j DNAT --to-destination [fd00:244::5]:8080`,
    ]);
  });
});
