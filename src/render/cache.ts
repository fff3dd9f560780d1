import type { EndpointSlice, SnapshotVersion } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import type { RuleSet, TableName } from '../model/ruleset.js';
import type { Assembly } from './assemble.js';
import type { FixedParts } from './fixed-parts.js';
import type { ServiceFragment } from './fragment.js';
import type { ServiceEntry } from './service-entry.js';
import type { NatServicesMemo } from './render.js';
import type { ServicePortView } from './service-view.js';

/**
 * Memory between renders, for a controller that renders the same cluster again and again.
 *
 * - A service's entry (its port views) is reused while the Service object, its EndpointSlice
 *   objects and the node facts are the same; a view's rule fragment while, in addition, the rule
 *   context is the same. Objects are compared by identity: the cluster state hands out the same
 *   converted object until it changes.
 * - When the snapshot says which services changed since the one rendered last (`changes`), only
 *   those services are visited: the previous render's state is patched.
 *
 * A cache never changes what render returns, only how fast. One caveat: the chain maps of the
 * rulesets it returns are shared and patched by the next render with the same cache, so use a
 * ruleset before rendering again (the syncer does), or render without a cache.
 */
export interface FamilyAssembly {
  readonly ruleSet: RuleSet;
  readonly tables: Readonly<Record<TableName, Assembly>>;
}

/** What one family's last render left behind, for the next render to patch. */
export interface FamilyState {
  /** The snapshot it rendered (undefined: not part of a series, so it cannot be patched). */
  readonly version: SnapshotVersion | undefined;
  /** Node facts, rule context and fixed inputs: a patch needs every one of them unchanged. */
  readonly viewKey: string;
  readonly ruleKey: string;
  readonly entries: ReadonlyMap<string, ServiceEntry>;
  /** The entries that carry warnings. */
  readonly warned: ReadonlyMap<string, ServiceEntry>;
  /** Every rendered view, sorted by name and protocol. */
  readonly views: readonly ServicePortView[];
  /** The fragment of every view that owns its chains. */
  readonly fragmentOf: ReadonlyMap<ServicePortView, ServiceFragment>;
  readonly endpoints: number;
  readonly noLocal: { readonly internal: number; readonly external: number };
  readonly parts: FixedParts;
}

export class RenderCache {
  private readonly assemblies = new Map<IpFamily, FamilyAssembly>();
  private readonly states = new Map<IpFamily, FamilyState>();

  /** The previous render's tables of a family, whose chain maps the next render patches. */
  assembly(family: IpFamily): FamilyAssembly | undefined {
    return this.assemblies.get(family);
  }

  storeAssembly(family: IpFamily, assembly: FamilyAssembly): void {
    this.assemblies.set(family, assembly);
  }

  state(family: IpFamily): FamilyState | undefined {
    return this.states.get(family);
  }

  storeState(family: IpFamily, state: FamilyState): void {
    this.states.set(family, state);
  }

  private readonly natServicesChains = new Map<IpFamily, NatServicesMemo>();

  /** The last nat KUBE-SERVICES of a family, reused while its parts are the same. */
  natServices(family: IpFamily): NatServicesMemo | undefined {
    return this.natServicesChains.get(family);
  }

  storeNatServices(family: IpFamily, memo: NatServicesMemo): void {
    this.natServicesChains.set(family, memo);
  }

  private readonly fragments = new WeakMap<ServicePortView, { key: string; fragment: ServiceFragment }>();

  fragment(view: ServicePortView, key: string): ServiceFragment | undefined {
    const found = this.fragments.get(view);
    return found?.key === key ? found.fragment : undefined;
  }

  storeFragment(view: ServicePortView, key: string, fragment: ServiceFragment): void {
    this.fragments.set(view, { key, fragment });
  }
}

/** Whether a cached entry still describes the service (same objects, same node facts). */
export function entryCurrent(
  entry: ServiceEntry | undefined,
  service: ServiceEntry['service'],
  slices: readonly EndpointSlice[],
  viewKey: string,
): entry is ServiceEntry {
  return (
    entry !== undefined &&
    entry.service === service &&
    entry.viewKey === viewKey &&
    sameSlices(entry.slices, slices)
  );
}

export function sameSlices(a: readonly EndpointSlice[], b: readonly EndpointSlice[]): boolean {
  return a === b || (a.length === b.length && a.every((s, i) => s === b[i]));
}
