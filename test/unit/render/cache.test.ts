import { expect } from 'chai';
import fc from 'fast-check';
import { serializeRuleSet } from '../../../src/iptables/serialize.js';
import type { EndpointSlice, Service } from '../../../src/model/cluster.js';
import type { ClusterSnapshot } from '../../../src/model/cluster.js';
import { RenderCache } from '../../../src/render/cache.js';
import { render } from '../../../src/render/render.js';
import { loadFixture, renderInput } from '../../support/fixtures.js';

/** A cached render must always print exactly what a fresh render prints. */
describe('render/cache', () => {
  it('gives the same rules as a fresh render while services and endpoints change', async () => {
    const fixture = await loadFixture('demo');
    const base = fixture.inputs.snapshot;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            slice: fc.nat({ max: base.endpointSlices.length - 1 }),
            drop: fc.boolean(),
            service: fc.nat({ max: base.services.length - 1 }),
            masqueradeAll: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (steps) => {
          const cache = new RenderCache();
          let snapshot: ClusterSnapshot = base;
          let config = fixture.inputs.config;
          for (const step of steps) {
            snapshot = change(snapshot, step.slice, step.drop, step.service);
            config = { ...config, iptables: { ...config.iptables, masqueradeAll: step.masqueradeAll } };
            const input = { ...renderInput({ config, snapshot }, 'ipv4') };
            const cached = serializeRuleSet(render(input, cache).ruleSet);
            const fresh = serializeRuleSet(render(input).ruleSet);
            expect(cached).to.equal(fresh);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('reuses the rules of unchanged services', async () => {
    const fixture = await loadFixture('demo');
    const cache = new RenderCache();
    const input = renderInput(fixture.inputs, 'ipv4');
    const first = render(input, cache).ruleSet.tables.nat.chains;
    const second = render(input, cache).ruleSet.tables.nat.chains;
    const perService = [...first.keys()].filter(
      (c) => c.startsWith('KUBE-SEP-') || c.startsWith('KUBE-SVC-'),
    );
    expect(perService).to.not.be.empty;
    for (const chain of perService) expect(second.get(chain)).to.equal(first.get(chain));
  });
});

/** A new snapshot with one slice's endpoints changed (a new object) and one service replaced by a copy. */
function change(
  snapshot: ClusterSnapshot,
  sliceIndex: number,
  drop: boolean,
  serviceIndex: number,
): ClusterSnapshot {
  const slices = snapshot.endpointSlices.map((s, i): EndpointSlice => {
    if (i !== sliceIndex) return s;
    const endpoints = drop
      ? s.endpoints.slice(1)
      : [...s.endpoints, { ...s.endpoints[0]!, ip: `10.244.9.${s.endpoints.length}` }];
    return { ...s, endpoints: s.endpoints.length === 0 ? s.endpoints : endpoints };
  });
  const services = snapshot.services.map((s, i): Service => (i === serviceIndex ? { ...s } : s));
  return { services, endpointSlices: slices, nodes: snapshot.nodes };
}
