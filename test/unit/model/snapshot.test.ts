import { expect } from 'chai';
import fc from 'fast-check';
import type { EndpointSlice, Node } from '../../../src/model/cluster.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { clusterIPService } from '../../support/model-objects.js';

const svc = clusterIPService;

function slice(
  namespace: string,
  serviceName: string,
  name: string,
  source: EndpointSlice['source'] = 'EndpointSlice',
  extra: Partial<EndpointSlice> = {},
): EndpointSlice {
  return {
    source,
    namespace,
    name,
    serviceName,
    family: 'ipv4',
    ports: [{ name: '', protocol: 'TCP', port: 8080 }],
    endpoints: [],
    triggerTimeMs: undefined,
    ...extra,
  };
}

function node(name: string): Node {
  return { name, labels: {}, addresses: [], podCIDRs: [], deleting: false };
}

describe('model/snapshot buildSnapshot', () => {
  it('sorts services, slices and nodes by name', () => {
    const snap = buildSnapshot(
      [svc('ns-b', 'a'), svc('ns-a', 'z'), svc('ns-a', 'b')],
      [
        slice('ns-b', 'a', 'a-1'),
        slice('ns-a', 'z', 'z-2'),
        slice('ns-a', 'z', 'z-1'),
        slice('ns-a', 'b', 'b-x'),
      ],
      [node('n2'), node('n10'), node('n1')],
    );
    expect(snap.services.map((s) => `${s.namespace}/${s.name}`)).to.deep.equal([
      'ns-a/b',
      'ns-a/z',
      'ns-b/a',
    ]);
    expect(snap.endpointSlices.map((s) => `${s.namespace}/${s.name}`)).to.deep.equal([
      'ns-a/b-x',
      'ns-a/z-1',
      'ns-a/z-2',
      'ns-b/a-1',
    ]);
    expect(snap.nodes.map((n) => n.name)).to.deep.equal(['n1', 'n10', 'n2']);
  });

  it('sorts by code unit, not locale', () => {
    const snap = buildSnapshot([svc('default', 'b'), svc('default', 'a-b'), svc('default', 'a0')], [], []);
    expect(snap.services.map((s) => s.name)).to.deep.equal(['a-b', 'a0', 'b']);
  });

  it('lets EndpointSlices win over legacy Endpoints for the same service', () => {
    const snap = buildSnapshot(
      [],
      [
        slice('default', 'web', 'web-subset0', 'Endpoints'),
        slice('default', 'web', 'web-abc12'),
        slice('default', 'legacy', 'legacy-subset0', 'Endpoints'),
        slice('other', 'web', 'web-subset0', 'Endpoints'),
      ],
      [],
    );
    expect(snap.endpointSlices.map((s) => `${s.source} ${s.namespace}/${s.name}`)).to.deep.equal([
      'Endpoints default/legacy-subset0',
      'EndpointSlice default/web-abc12',
      'Endpoints other/web-subset0',
    ]);
  });

  it('keeps the last of duplicate objects', () => {
    const first = svc('default', 'web', { clusterIPs: ['10.96.0.1'] });
    const second = svc('default', 'web', { clusterIPs: ['10.96.0.2'] });
    const snap = buildSnapshot(
      [first, second],
      [
        slice('default', 'web', 'web-1', 'EndpointSlice', { triggerTimeMs: 1 }),
        slice('default', 'web', 'web-1', 'EndpointSlice', { triggerTimeMs: 2 }),
      ],
      [node('n1'), { ...node('n1'), deleting: true }],
    );
    expect(snap.services).to.deep.equal([second]);
    expect(snap.endpointSlices.map((s) => s.triggerTimeMs)).to.deep.equal([2]);
    expect(snap.nodes.map((n) => n.deleting)).to.deep.equal([true]);
  });

  it('keeps slices of the same name but different family or source apart', () => {
    const snap = buildSnapshot(
      [],
      [
        slice('default', 'web', 'web-1'),
        slice('default', 'web', 'web-1', 'EndpointSlice', { family: 'ipv6' }),
      ],
      [],
    );
    expect(snap.endpointSlices.map((s) => s.family)).to.deep.equal(['ipv4', 'ipv6']);
  });

  it('gives the same snapshot for any input order', () => {
    const services = [svc('a', 'x'), svc('a', 'y'), svc('b', 'x')];
    const slices = [
      slice('a', 'x', 'x-1'),
      slice('a', 'x', 'x-2'),
      slice('a', 'y', 'y-0', 'Endpoints'),
      slice('b', 'x', 'x-1'),
    ];
    const nodes = [node('n1'), node('n2'), node('n3')];
    const expected = buildSnapshot(services, slices, nodes);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(services, { minLength: 3 }),
        fc.shuffledSubarray(slices, { minLength: 4 }),
        fc.shuffledSubarray(nodes, { minLength: 3 }),
        (s, e, n) => {
          expect(buildSnapshot(s, e, n)).to.deep.equal(expected);
        },
      ),
    );
  });
});
