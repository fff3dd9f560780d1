import { expect } from 'chai';
import type { Endpoint } from '../../../src/model/cluster.js';
import { categorizeEndpoints, type CategorizeInput } from '../../../src/render/categorize.js';
import type { PortEndpoint } from '../../../src/render/endpoints.js';

function ep(ip: string, opts: Partial<Endpoint> & { local?: boolean } = {}): PortEndpoint {
  const endpoint: Endpoint = {
    ip,
    ready: opts.ready ?? true,
    serving: opts.serving ?? opts.ready ?? true,
    terminating: opts.terminating ?? false,
    nodeName: opts.local ? 'me' : 'other',
    zone: opts.zone ?? '',
    hints: opts.hints ?? { forZones: undefined, forNodes: undefined },
  };
  return { endpoint, ip, port: 80, address: `${ip}:80`, local: opts.local ?? false };
}

const base: Omit<CategorizeInput, 'endpoints'> = {
  usesClusterEndpoints: true,
  usesLocalEndpoints: false,
  nodeName: 'me',
  zone: 'z1',
  nodeHints: true,
};
const addrs = (list: readonly PortEndpoint[]): string[] => list.map((e) => e.ip);

describe('render/categorize', () => {
  it('uses ready endpoints only while any exist', () => {
    const r = categorizeEndpoints({
      ...base,
      endpoints: [ep('10.0.0.1'), ep('10.0.0.2', { ready: false, serving: true, terminating: true })],
    });
    expect(addrs(r.cluster)).to.deep.equal(['10.0.0.1']);
    expect(r.hasEndpoints).to.equal(true);
  });

  it('falls back to serving terminating endpoints, never to non-serving ones', () => {
    const endpoints = [
      ep('10.0.0.1', { ready: false, serving: true, terminating: true }),
      ep('10.0.0.2', { ready: false, serving: false, terminating: true }),
    ];
    const r = categorizeEndpoints({ ...base, endpoints });
    expect(addrs(r.cluster)).to.deep.equal(['10.0.0.1']);
    const none = categorizeEndpoints({ ...base, endpoints: [endpoints[1]!] });
    expect(none.hasEndpoints).to.equal(false);
    expect(none.cluster).to.deep.equal([]);
  });

  it('falls back for local endpoints independently of the cluster set', () => {
    const endpoints = [
      ep('10.0.0.1'),
      ep('10.0.0.2', { local: true, ready: false, serving: true, terminating: true }),
    ];
    const r = categorizeEndpoints({ ...base, usesLocalEndpoints: true, endpoints });
    expect(addrs(r.cluster)).to.deep.equal(['10.0.0.1']);
    expect(addrs(r.local)).to.deep.equal(['10.0.0.2']);
    expect(addrs(r.reachable)).to.deep.equal(['10.0.0.1', '10.0.0.2']);
  });

  it('iTP=Local alone: only local endpoints are reachable, remote ones still count as endpoints', () => {
    const r = categorizeEndpoints({
      ...base,
      usesClusterEndpoints: false,
      usesLocalEndpoints: true,
      endpoints: [ep('10.0.0.1')],
    });
    expect(r.local).to.deep.equal([]);
    expect(r.reachable).to.deep.equal([]);
    expect(r.hasEndpoints).to.equal(true);
  });

  it('filters by zone hints only when every ready endpoint has one', () => {
    const hinted = (ip: string, zone: string): PortEndpoint =>
      ep(ip, { hints: { forZones: [zone], forNodes: undefined } });
    const r = categorizeEndpoints({
      ...base,
      endpoints: [hinted('10.0.0.1', 'z1'), hinted('10.0.0.2', 'z2')],
    });
    expect(addrs(r.cluster)).to.deep.equal(['10.0.0.1']);
    expect(r.topology).to.equal('zone');
    const mixed = categorizeEndpoints({ ...base, endpoints: [hinted('10.0.0.1', 'z1'), ep('10.0.0.2')] });
    expect(addrs(mixed.cluster)).to.deep.equal(['10.0.0.1', '10.0.0.2']);
    const otherZone = categorizeEndpoints({
      ...base,
      zone: 'z3',
      endpoints: [hinted('10.0.0.1', 'z1'), hinted('10.0.0.2', 'z2')],
    });
    expect(otherZone.cluster).to.have.length(2);
  });

  it('prefers node hints when the gate is on, zone hints when it is off', () => {
    const both = (ip: string, node: string, zone: string): PortEndpoint =>
      ep(ip, { hints: { forZones: [zone], forNodes: [node] } });
    const endpoints = [both('10.0.0.1', 'me', 'z1'), both('10.0.0.2', 'other', 'z1')];
    expect(addrs(categorizeEndpoints({ ...base, endpoints }).cluster)).to.deep.equal(['10.0.0.1']);
    expect(addrs(categorizeEndpoints({ ...base, nodeHints: false, endpoints }).cluster)).to.deep.equal([
      '10.0.0.1',
      '10.0.0.2',
    ]);
  });

  it('ignores hints of endpoints that are not ready', () => {
    const endpoints = [
      ep('10.0.0.1', { hints: { forZones: ['z1'], forNodes: undefined } }),
      ep('10.0.0.2', { ready: false, serving: false }),
    ];
    expect(categorizeEndpoints({ ...base, endpoints }).topology).to.equal('zone');
  });
});
