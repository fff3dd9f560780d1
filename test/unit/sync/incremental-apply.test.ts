import { expect } from 'chai';
import fc from 'fast-check';
import { Applier } from '../../../src/iptables/applier.js';
import { planRestore } from '../../../src/iptables/diff.js';
import { parseSave } from '../../../src/iptables/parse.js';
import type { ClusterSnapshot, EndpointSlice, Service } from '../../../src/model/cluster.js';
import { RenderCache } from '../../../src/render/cache.js';
import { render } from '../../../src/render/render.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { loadFixture, renderInput } from '../../support/fixtures.js';

/**
 * The incremental path end to end: a render cache reports which chains changed, the Applier plans
 * only those against the state it left, and the kernel must still end up holding exactly what a
 * fresh render gives, whatever sequence of changes arrives.
 */
describe('incremental render + apply', () => {
  it('keeps the kernel equal to a fresh render through any sequence of changes', async () => {
    const fixture = await loadFixture('demo');
    const base = fixture.inputs.snapshot;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            slice: fc.nat({ max: base.endpointSlices.length - 1 }),
            op: fc.constantFrom('add', 'drop', 'remove-slice', 'remove-service', 'touch-service'),
            service: fc.nat({ max: base.services.length - 1 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (steps) => {
          const kernel = new FakeKernel();
          const applier = new Applier(kernel);
          const cache = new RenderCache();
          let snapshot: ClusterSnapshot = base;
          const apply = async (full: boolean): Promise<void> => {
            const input = renderInput({ config: fixture.inputs.config, snapshot }, 'ipv4');
            await applier.apply([render(input, cache).ruleSet], { full });
            const fresh = render(input).ruleSet;
            const live = parseSave(await kernel.save('ipv4'), 'ipv4');
            const leftover = planRestore(fresh, live);
            expect(
              leftover.empty,
              JSON.stringify(leftover.changes.map((c) => `${c.kind} ${c.chain}`)),
            ).to.equal(true);
          };
          await apply(true);
          for (const step of steps) {
            snapshot = change(snapshot, step);
            await apply(false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('incremental apply after a render that was never applied', () => {
  it('compares every chain when the delta is not relative to what was applied', async () => {
    const fixture = await loadFixture('demo');
    const kernel = new FakeKernel();
    const applier = new Applier(kernel);
    const cache = new RenderCache();
    const at = (snapshot: ClusterSnapshot): ReturnType<typeof renderInput> =>
      renderInput({ config: fixture.inputs.config, snapshot }, 'ipv4');
    const a = fixture.inputs.snapshot;
    await applier.apply([render(at(a), cache).ruleSet], { full: true });
    // B is rendered (e.g. its restore failed elsewhere, or a dry run) but never applied here.
    const b = change(a, { slice: 0, op: 'drop', service: 0 });
    render(at(b), cache);
    const c = change(b, { slice: 1, op: 'add', service: 0 });
    await applier.apply([render(at(c), cache).ruleSet], { full: false });
    const live = parseSave(await kernel.save('ipv4'), 'ipv4');
    expect(planRestore(render(at(c)).ruleSet, live).empty).to.equal(true);
  });
});

function change(
  snapshot: ClusterSnapshot,
  step: { slice: number; op: string; service: number },
): ClusterSnapshot {
  let slices: EndpointSlice[] = [...snapshot.endpointSlices];
  let services: Service[] = [...snapshot.services];
  const slice = slices[step.slice % Math.max(slices.length, 1)];
  switch (step.op) {
    case 'add':
      if (slice && slice.endpoints[0]) {
        const ep = { ...slice.endpoints[0], ip: `10.244.9.${slice.endpoints.length + 1}` };
        slices = slices.map((s) => (s === slice ? { ...s, endpoints: [...s.endpoints, ep] } : s));
      }
      break;
    case 'drop':
      if (slice) slices = slices.map((s) => (s === slice ? { ...s, endpoints: s.endpoints.slice(1) } : s));
      break;
    case 'remove-slice':
      slices = slices.filter((s) => s !== slice);
      break;
    case 'remove-service':
      services = services.filter((_, i) => i !== step.service % Math.max(services.length, 1));
      break;
    default:
      services = services.map((s, i) => (i === step.service % services.length ? { ...s } : s));
  }
  return { services, endpointSlices: slices, nodes: snapshot.nodes };
}
