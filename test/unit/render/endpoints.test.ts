import { expect } from 'chai';
import fc from 'fast-check';
import type { Endpoint, EndpointSlice, Protocol } from '../../../src/model/cluster.js';
import type { IpFamily } from '../../../src/model/family.js';
import { endpointsForPort, type PortEndpoint } from '../../../src/render/endpoints.js';
import { readyEndpoint } from '../../support/model-objects.js';

function endpoint(ip: string, terminating = false, nodeName = 'other'): Endpoint {
  return readyEndpoint(ip, { ready: !terminating, terminating, nodeName });
}

function slice(name: string, endpoints: Endpoint[], port = 8080, family: IpFamily = 'ipv4'): EndpointSlice {
  return {
    source: 'EndpointSlice',
    namespace: 'ns',
    name,
    serviceName: 'svc',
    family,
    ports: [{ name: 'http', protocol: 'TCP', port }],
    endpoints,
    triggerTimeMs: undefined,
  };
}

/** The straightforward form the optimised one must match: a map by address, then a sort. */
function reference(
  slices: readonly EndpointSlice[],
  portName: string,
  protocol: Protocol,
  family: IpFamily,
  hostname: string,
): PortEndpoint[] {
  const byAddress = new Map<string, PortEndpoint>();
  for (const s of slices) {
    for (const port of s.ports) {
      if (port.name !== portName || port.protocol !== protocol) continue;
      for (const ep of s.endpoints) {
        const address = family === 'ipv6' ? `[${ep.ip}]:${port.port}` : `${ep.ip}:${port.port}`;
        const existing = byAddress.get(address);
        if (existing && !(existing.endpoint.terminating && !ep.terminating)) continue;
        const local = hostname !== '' && ep.nodeName === hostname;
        byAddress.set(address, { endpoint: ep, address, ip: ep.ip, port: port.port, local });
      }
    }
  }
  return [...byAddress.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

const addresses = (list: readonly PortEndpoint[]): string[] => list.map((ep) => ep.address);

describe('render/endpoints', () => {
  it('sorts by the address string and formats IPv6 with brackets', () => {
    const v4 = endpointsForPort(
      [slice('a', [endpoint('10.0.0.10'), endpoint('10.0.0.9')])],
      'http',
      'TCP',
      'ipv4',
      'me',
    );
    expect(addresses(v4)).to.deep.equal(['10.0.0.10:8080', '10.0.0.9:8080']);
    const v6 = endpointsForPort([slice('a', [endpoint('fd00::1')], 80, 'ipv6')], 'http', 'TCP', 'ipv6', 'me');
    expect(addresses(v6)).to.deep.equal(['[fd00::1]:80']);
  });

  it('keeps one copy per address: the first non-terminating one, else the first', () => {
    const first = endpoint('10.0.0.1', true, 'n1');
    const second = endpoint('10.0.0.1', false, 'n2');
    const third = endpoint('10.0.0.1', false, 'n3');
    const list = endpointsForPort(
      [slice('a', [first]), slice('b', [second, third])],
      'http',
      'TCP',
      'ipv4',
      '',
    );
    expect(list.map((ep) => ep.endpoint)).to.deep.equal([second]);
    const onlyTerminating = [endpoint('10.0.0.1', true, 'n1'), endpoint('10.0.0.1', true, 'n2')];
    const kept = endpointsForPort([slice('a', onlyTerminating)], 'http', 'TCP', 'ipv4', '');
    expect(kept.map((ep) => ep.endpoint)).to.deep.equal([onlyTerminating[0]]);
  });

  it('matches the map-and-sort form, for short and long lists alike', () => {
    const ep = fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.constantFrom('me', 'other'))
      .map(([host, terminating, node]) => endpoint(`10.0.${host % 3}.${host}`, terminating, node));
    const slices = fc.array(
      fc
        .tuple(fc.array(ep, { maxLength: 50 }), fc.constantFrom(80, 8080))
        .map(([eps, port]) => slice('s', eps, port)),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(slices, (list) => {
        const got = endpointsForPort(list, 'http', 'TCP', 'ipv4', 'me');
        const want = reference(list, 'http', 'TCP', 'ipv4', 'me');
        expect(got.map((e) => [e.address, e.endpoint, e.local])).to.deep.equal(
          want.map((e) => [e.address, e.endpoint, e.local]),
        );
        // Copies are told apart by identity: deep equality cannot see which copy won.
        got.forEach((e, i) => expect(e.endpoint).to.equal(want[i]?.endpoint));
      }),
    );
  });
});
