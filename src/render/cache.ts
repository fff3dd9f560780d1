import type { EndpointSlice, Service } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import type { ServiceFragment } from './fragment.js';
import type { ServicePortView } from './service-view.js';
import type { Assembly } from './assemble.js';
import type { RuleSet, TableName } from '../model/ruleset.js';

/**
 * Memory between renders, for a controller that renders the same cluster again and again. A
 * service's views are reused while the Service object, its EndpointSlice objects and the node facts
 * are the same; a view's rule fragment while, in addition, the rule context is the same. Objects are
 * compared by identity: the cluster state hands out the same converted object until it changes.
 * A cache never changes what render returns, only how fast. One caveat: the chain maps of the
 * rulesets it returns are shared and patched by the next render with the same cache, so use a
 * ruleset before rendering again (the syncer does), or render without a cache.
 */
export interface FamilyAssembly {
  readonly ruleSet: RuleSet;
  readonly tables: Readonly<Record<TableName, Assembly>>;
}

export class RenderCache {
  private readonly assemblies = new Map<IpFamily, FamilyAssembly>();

  /** The previous render's tables of a family, whose chain maps the next render patches. */
  assembly(family: IpFamily): FamilyAssembly | undefined {
    return this.assemblies.get(family);
  }

  storeAssembly(family: IpFamily, assembly: FamilyAssembly): void {
    this.assemblies.set(family, assembly);
  }

  private readonly byFamily = new Map<IpFamily, WeakMap<Service, CachedService>>();
  private readonly fragments = new WeakMap<ServicePortView, { key: string; fragment: ServiceFragment }>();

  fragment(view: ServicePortView, key: string): ServiceFragment | undefined {
    const found = this.fragments.get(view);
    return found?.key === key ? found.fragment : undefined;
  }

  storeFragment(view: ServicePortView, key: string, fragment: ServiceFragment): void {
    this.fragments.set(view, { key, fragment });
  }

  entry(family: IpFamily, service: Service): CachedService | undefined {
    return this.byFamily.get(family)?.get(service);
  }

  store(family: IpFamily, service: Service, entry: CachedService): void {
    let map = this.byFamily.get(family);
    if (!map) {
      map = new WeakMap();
      this.byFamily.set(family, map);
    }
    map.set(service, entry);
  }
}

export interface CachedService {
  readonly slices: readonly EndpointSlice[];
  readonly viewKey: string;
  readonly views: readonly ServicePortView[];
}

export function sameSlices(a: readonly EndpointSlice[], b: readonly EndpointSlice[]): boolean {
  return a === b || (a.length === b.length && a.every((s, i) => s === b[i]));
}
