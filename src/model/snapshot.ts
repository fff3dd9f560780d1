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
  const uniqueServices = lastWins(services, (s) => [s.namespace, s.name]);
  const uniqueSlices = lastWins(endpointSlices, (s) => [s.source, s.namespace, s.name, s.family]);
  const withSlices = new Set(
    uniqueSlices.filter((s) => s.source === 'EndpointSlice').map((s) => `${s.namespace}/${s.serviceName}`),
  );
  const slices = uniqueSlices.filter(
    (s) => s.source === 'EndpointSlice' || !withSlices.has(`${s.namespace}/${s.serviceName}`),
  );
  return {
    services: sortBy(uniqueServices, (s) => [s.namespace, s.name]),
    endpointSlices: sortBy(slices, (s) => [s.namespace, s.serviceName, s.name, s.source, s.family]),
    nodes: sortBy(
      lastWins(nodes, (n) => [n.name]),
      (n) => [n.name],
    ),
  };
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
