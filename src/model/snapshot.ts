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

function lastWins<T>(items: readonly T[], key: (item: T) => readonly string[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(JSON.stringify(key(item)), item);
  return [...byKey.values()];
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function sortBy<T>(items: readonly T[], key: (item: T) => readonly string[]): T[] {
  return [...items].sort((a, b) => compareKeys(key(a), key(b)));
}
