import { expect } from 'chai';
import fc from 'fast-check';
import { serializeRuleSet } from '../../../src/iptables/serialize.js';
import { ClusterState } from '../../../src/k8s/cluster-state.js';
import { convertObjects } from '../../../src/k8s/convert.js';
import type { ClusterSnapshot, Endpoint, EndpointSlice, Node, Service } from '../../../src/model/cluster.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { RenderCache } from '../../../src/render/cache.js';
import { render } from '../../../src/render/render.js';
import { loadFixture, renderInput, type Fixture } from '../../support/fixtures.js';
import { readyEndpoint } from '../../support/model-objects.js';

/**
 * The controller's path: the cluster state hands out snapshots that say which services changed,
 * and a render with a cache patches its previous result from them. Whatever the sequence of
 * changes, the snapshot must equal a fresh build and the rules a fresh render.
 */

const FIXTURES = [
  'demo',
  'dual-stack',
  'legacy-endpoints',
  'etp-local',
  'session-affinity',
  'skipped-services',
];

type Op =
  | { kind: 'endpoints'; group: number; how: 'drop' | 'add' | 'unready' | 'bulk' }
  | { kind: 'remove-slices' | 'restore-slices'; group: number }
  | { kind: 'remove-service' | 'restore-service' | 'policy' | 'copy'; service: number }
  | { kind: 'node'; how: 'zone' | 'gone' | 'back' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('endpoints' as const),
    group: fc.nat(50),
    how: fc.constantFrom('drop' as const, 'add' as const, 'unready' as const, 'bulk' as const),
  }),
  fc.record({
    kind: fc.constantFrom('remove-slices' as const, 'restore-slices' as const),
    group: fc.nat(50),
  }),
  fc.record({
    kind: fc.constantFrom(
      'remove-service' as const,
      'restore-service' as const,
      'policy' as const,
      'copy' as const,
    ),
    service: fc.nat(50),
  }),
  fc.record({
    kind: fc.constant('node' as const),
    how: fc.constantFrom('zone' as const, 'gone' as const, 'back' as const),
  }),
);

/** The cluster as the API objects that feed a ClusterState: slices grouped by the object they come from. */
interface World {
  services: Map<string, Service>;
  groups: Map<string, EndpointSlice[]>;
  node: Node | undefined;
}

function worldOf(fixture: Fixture): World {
  const converted = convertObjects(fixture.objects);
  const groups = new Map<string, EndpointSlice[]>();
  for (const slice of converted.endpointSlices) {
    const key =
      slice.source === 'EndpointSlice'
        ? `EndpointSlice/${slice.namespace}/${slice.name}`
        : `Endpoints/${slice.namespace}/${slice.serviceName}`;
    groups.set(key, [...(groups.get(key) ?? []), slice]);
  }
  return {
    services: new Map(converted.services.map((s) => [`${s.namespace}/${s.name}`, s])),
    groups,
    node: converted.nodes.find((n) => n.name === fixture.inputs.config.hostname) ?? converted.nodes[0],
  };
}

function pick<T>(list: readonly T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

let counter = 0;
function newEndpoint(template: Endpoint | undefined, family: EndpointSlice['family']): Endpoint {
  counter++;
  const ip =
    family === 'ipv6' ? `fd00:99::${counter.toString(16)}` : `10.99.${(counter >> 8) & 255}.${counter & 255}`;
  return readyEndpoint(ip, { nodeName: template?.nodeName ?? '', zone: template?.zone ?? '' });
}

function applyOp(state: ClusterState, world: World, original: World, op: Op): void {
  const groupKeys = [...original.groups.keys()];
  const serviceKeys = [...original.services.keys()];
  switch (op.kind) {
    case 'endpoints': {
      const key = pick(groupKeys, op.group);
      const slices = key === undefined ? undefined : world.groups.get(key);
      if (!key || !slices) return;
      const next = slices.map((s, i): EndpointSlice => {
        if (i !== 0) return s;
        const eps = s.endpoints;
        switch (op.how) {
          case 'drop':
            return { ...s, endpoints: eps.slice(1) };
          case 'add':
            return { ...s, endpoints: [...eps, newEndpoint(eps[0], s.family)] };
          case 'unready':
            return { ...s, endpoints: eps.map((e, j) => (j === 0 ? { ...e, ready: !e.ready } : e)) };
          case 'bulk':
            return {
              ...s,
              endpoints: [...eps, ...Array.from({ length: 600 }, () => newEndpoint(eps[0], s.family))],
            };
        }
      });
      world.groups.set(key, next);
      state.setSlices(key, next);
      return;
    }
    case 'remove-slices':
    case 'restore-slices': {
      const key = pick(groupKeys, op.group);
      if (!key) return;
      const next = op.kind === 'remove-slices' ? undefined : original.groups.get(key);
      if (next) world.groups.set(key, next);
      else world.groups.delete(key);
      state.setSlices(key, next);
      return;
    }
    case 'remove-service':
    case 'restore-service':
    case 'policy': {
      const key = pick(serviceKeys, op.service);
      if (!key) return;
      let next = op.kind === 'remove-service' ? undefined : original.services.get(key);
      const current = world.services.get(key);
      if (op.kind === 'policy' && current) {
        next = {
          ...current,
          internalTrafficPolicy: current.internalTrafficPolicy === 'Local' ? 'Cluster' : 'Local',
        };
      }
      if (next) world.services.set(key, next);
      else world.services.delete(key);
      state.setService(key, next);
      return;
    }
    case 'copy': {
      const key = pick(serviceKeys, op.service);
      const svc = key === undefined ? undefined : world.services.get(key);
      if (!key || !svc) return;
      const name = `${svc.name}-copy`;
      const copy: Service = { ...svc, name, clusterIPs: svc.clusterIPs };
      world.services.set(`${svc.namespace}/${name}`, copy);
      state.setService(`${svc.namespace}/${name}`, copy);
      for (const [gk, slices] of world.groups) {
        if (slices[0]?.serviceName !== svc.name || slices[0]?.namespace !== svc.namespace) continue;
        const copied = slices.map((s) => ({ ...s, name: `${s.name}-copy`, serviceName: name }));
        world.groups.set(`${gk}-copy`, copied);
        state.setSlices(`${gk}-copy`, copied);
      }
      return;
    }
    case 'node': {
      const base = original.node;
      let node: Node | undefined;
      if (op.how === 'zone' && base) {
        const zone = world.node?.labels['topology.kubernetes.io/zone'] === 'zone-x' ? 'zone-y' : 'zone-x';
        node = { ...base, labels: { ...base.labels, 'topology.kubernetes.io/zone': zone } };
      } else if (op.how === 'back') node = base;
      world.node = node;
      state.setNode(node);
      return;
    }
  }
}

const strip = (s: ClusterSnapshot): ClusterSnapshot => ({
  services: s.services,
  endpointSlices: s.endpointSlices,
  nodes: s.nodes,
});

describe('render/patch: snapshots that say what changed', () => {
  for (const name of FIXTURES) {
    it(`${name}: patched snapshots and renders equal fresh ones through any sequence of changes`, async () => {
      const fixture = await loadFixture(name);
      let patchedRenders = 0;
      fc.assert(
        fc.property(
          fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
          (steps) => {
            const original = worldOf(fixture);
            const world: World = {
              ...original,
              services: new Map(original.services),
              groups: new Map(original.groups),
            };
            const state = new ClusterState();
            for (const [key, svc] of world.services) state.setService(key, svc);
            for (const [key, slices] of world.groups) state.setSlices(key, slices);
            state.setNode(world.node);
            const cache = new RenderCache();
            // The Applier's live state shares the rule arrays a render returns (a plan's fill
            // ops hold them): no later render may change one.
            const published: (readonly [readonly string[], readonly string[]])[] = [];
            const check = (): void => {
              const { snapshot } = state.take();
              const fresh = buildSnapshot(
                [...world.services.values()],
                [...world.groups.values()].flat(),
                world.node ? [world.node] : [],
              );
              expect(strip(snapshot)).to.deep.equal(fresh);
              for (const family of fixture.families) {
                const input = renderInput({ config: fixture.inputs.config, snapshot }, family);
                const entriesBefore = cache.state(family)?.entries;
                const cached = render(input, cache);
                if (entriesBefore !== undefined && cache.state(family)?.entries === entriesBefore)
                  patchedRenders++;
                for (const table of Object.values(cached.ruleSet.tables))
                  for (const rules of table.chains.values()) published.push([rules, [...rules]]);
                const plain = render({ ...input, snapshot: strip(snapshot) });
                expect(serializeRuleSet(cached.ruleSet)).to.equal(serializeRuleSet(plain.ruleSet));
                expect(cached.warnings).to.deep.equal(plain.warnings);
                expect(cached.stats).to.deep.equal(plain.stats);
                expect(cached.views.map((v) => `${v.name}/${v.protocol}`)).to.deep.equal(
                  plain.views.map((v) => `${v.name}/${v.protocol}`),
                );
              }
            };
            check();
            for (const ops of steps) {
              for (const op of ops) applyOp(state, world, original, op);
              check();
            }
            for (const [rules, copy] of published) expect(rules).to.deep.equal(copy);
          },
        ),
        { numRuns: 25 },
      );
      // The property is about the patch path: it must actually have been taken.
      expect(patchedRenders).to.be.greaterThan(10);
    });
  }

  it('a one-endpoint change rewrites neither KUBE-SERVICES nor any other service', async () => {
    const fixture = await loadFixture('demo');
    const world = worldOf(fixture);
    const state = new ClusterState();
    for (const [key, svc] of world.services) state.setService(key, svc);
    for (const [key, slices] of world.groups) state.setSlices(key, slices);
    state.setNode(world.node);
    const cache = new RenderCache();
    const input = (): ReturnType<typeof renderInput> =>
      renderInput({ config: fixture.inputs.config, snapshot: state.take().snapshot }, 'ipv4');
    render(input(), cache);
    const [key, slices] = [...world.groups].find(([, s]) => (s[0]?.endpoints.length ?? 0) > 1)!;
    const slice = slices[0]!;
    state.setSlices(key, [{ ...slice, endpoints: slice.endpoints.slice(1) }, ...slices.slice(1)]);
    const next = render(input(), cache).ruleSet;
    const changed = [...(next.delta?.chains.nat ?? [])];
    expect(changed).to.not.include('KUBE-SERVICES');
    expect(
      changed.every((c) => /^KUBE-(SVC|SEP|SVL|EXT)-/.test(c)),
      changed.join(' '),
    ).to.equal(true);
    expect([...(next.delta?.chains.filter ?? [])]).to.deep.equal([]);
  });
});
