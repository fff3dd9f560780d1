import type { ClusterSnapshot, EndpointSlice, Node, Service } from './cluster.js';

/**
 * Builds the snapshot the renderer reads: everything sorted by name, so the same objects in any
 * order give the same snapshot (and byte-identical rules).
 *
 * - Duplicates (same kind, namespace and name; for slices also the same source and family): the
 *   last one in the given order wins. Callers that feed objects from files give them in path and
 *   document order, so the outcome is deterministic for a given set of files.
 * - "EndpointSlices win": when a service has any slice with source 'EndpointSlice', its slices
 *   converted from legacy Endpoints objects are dropped.
 */
export function buildSnapshot(
  services: readonly Service[],
  endpointSlices: readonly EndpointSlice[],
  nodes: readonly Node[],
): ClusterSnapshot {
  const uniqueServices = lastWins(services, serviceSortKey);
  return {
    services: sortBy(uniqueServices, serviceSortKey),
    endpointSlices: sortBy(effectiveSlices(endpointSlices), sliceSortKey),
    nodes: sortBy(
      lastWins(nodes, (n) => [n.name]),
      (n) => [n.name],
    ),
  };
}

/** One service's current objects, for patchSnapshot. */
export interface ServiceObjects {
  readonly namespace: string;
  readonly name: string;
  /** Undefined when the Service does not exist (its slices may still). */
  readonly service: Service | undefined;
  /** Every slice labelled for the service, from either source, in the order they were set. */
  readonly slices: readonly EndpointSlice[];
}

/**
 * The snapshot buildSnapshot would give for `previous`'s objects with the given services' objects
 * replaced, in time proportional to the number of changes (plus copying two arrays), not to the
 * size of the cluster. Every service not listed keeps its very objects. `nodes` replaces the node
 * list when given.
 */
export function patchSnapshot(
  previous: ClusterSnapshot,
  changed: Iterable<ServiceObjects>,
  nodes?: readonly Node[],
): Pick<ClusterSnapshot, 'services' | 'endpointSlices' | 'nodes'> {
  const services = [...previous.services];
  const slices = [...previous.endpointSlices];
  for (const objects of changed) {
    const { namespace, name } = objects;
    const own = joinKey([namespace, name]);
    const at = lowerBound(services, own, (s) => joinKey(serviceSortKey(s)));
    const found = services[at];
    const present = found !== undefined && joinKey(serviceSortKey(found)) === own;
    if (objects.service) services.splice(at, present ? 1 : 0, objects.service);
    else if (present) services.splice(at, 1);

    const from = lowerBound(slices, own, (s) => joinKey([s.namespace, s.serviceName]));
    let to = from;
    while (to < slices.length && slices[to]?.namespace === namespace && slices[to]?.serviceName === name)
      to++;
    slices.splice(from, to - from, ...sortBy(effectiveSlices(objects.slices), sliceSortKey));
  }
  return {
    services,
    endpointSlices: slices,
    nodes: nodes ? buildSnapshot([], [], nodes).nodes : previous.nodes,
  };
}

const serviceSortKey = (s: Service): readonly string[] => [s.namespace, s.name];
const sliceSortKey = (s: EndpointSlice): readonly string[] => [
  s.namespace,
  s.serviceName,
  s.name,
  s.source,
  s.family,
];

/** Duplicates dropped (the last wins), and legacy slices of services that have EndpointSlices. */
function effectiveSlices(endpointSlices: readonly EndpointSlice[]): EndpointSlice[] {
  const unique = lastWins(endpointSlices, (s) => [s.source, s.namespace, s.name, s.family]);
  const withSlices = new Set(
    unique.filter((s) => s.source === 'EndpointSlice').map((s) => `${s.namespace}/${s.serviceName}`),
  );
  return unique.filter(
    (s) => s.source === 'EndpointSlice' || !withSlices.has(`${s.namespace}/${s.serviceName}`),
  );
}

/** The first index whose key is >= `key` in a list sorted by `keyOf`. */
function lowerBound<T>(items: readonly T[], key: string, keyOf: (item: T) => string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid] as T) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Keys join their parts with NUL, which no name or label can contain, so comparing the joined
// strings orders exactly as comparing the parts one by one.
const joinKey = (parts: readonly string[]): string => parts.join('\u0000');

function lastWins<T>(items: readonly T[], key: (item: T) => readonly string[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(joinKey(key(item)), item);
  return [...byKey.values()];
}

function sortBy<T>(items: readonly T[], key: (item: T) => readonly string[]): T[] {
  const keyed = items.map((item) => ({ item, key: joinKey(key(item)) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}

/** The service `namespace/name` of a snapshot (binary search on its sorted list), or undefined. */
export function findService(snapshot: ClusterSnapshot, namespace: string, name: string): Service | undefined {
  const own = joinKey([namespace, name]);
  const found = snapshot.services[lowerBound(snapshot.services, own, (s) => joinKey(serviceSortKey(s)))];
  return found && found.namespace === namespace && found.name === name ? found : undefined;
}

/** The slices of a snapshot labelled for service `namespace/name`, in snapshot order. */
export function findServiceSlices(
  snapshot: ClusterSnapshot,
  namespace: string,
  name: string,
): EndpointSlice[] {
  const slices = snapshot.endpointSlices;
  const out: EndpointSlice[] = [];
  let at = lowerBound(slices, joinKey([namespace, name]), (s) => joinKey([s.namespace, s.serviceName]));
  for (let s = slices[at]; s && s.namespace === namespace && s.serviceName === name; s = slices[++at])
    out.push(s);
  return out;
}
