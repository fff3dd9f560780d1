import type { ServiceFragment } from './fragment.js';
import type { ServicePortView } from './service-view.js';

/**
 * The service ports' contributions to the shared chains (KUBE-SERVICES, KUBE-NODEPORTS, ...),
 * concatenated in view order. A render reuses the previous arrays while no changed service
 * changes what it contributes, so an endpoint change never rebuilds KUBE-SERVICES.
 */
export const FIXED_PARTS = [
  'natServices',
  'natNodePorts',
  'filterServices',
  'filterExternal',
  'filterNodePorts',
  'filterFirewall',
] as const;

export type FixedPart = (typeof FIXED_PARTS)[number];
export type FixedParts = Readonly<Record<FixedPart, readonly string[]>>;

export function buildFixedParts(
  views: readonly ServicePortView[],
  fragmentOf: ReadonlyMap<ServicePortView, ServiceFragment>,
): FixedParts {
  const parts: Record<FixedPart, string[]> = {
    natServices: [],
    natNodePorts: [],
    filterServices: [],
    filterExternal: [],
    filterNodePorts: [],
    filterFirewall: [],
  };
  for (const view of views) {
    const fragment = fragmentOf.get(view);
    if (!fragment) continue;
    for (const part of FIXED_PARTS) {
      const rules = fragment[part];
      for (let i = 0; i < rules.length; i++) parts[part].push(rules[i] as string);
    }
  }
  return parts;
}

/** Whether two lists of fragments contribute the very same lines to every shared chain. */
export function sameContributions(a: readonly ServiceFragment[], b: readonly ServiceFragment[]): boolean {
  for (const part of FIXED_PARTS) {
    const left = a.flatMap((f) => f[part]);
    const right = b.flatMap((f) => f[part]);
    if (left.length !== right.length || left.some((line, i) => line !== right[i])) return false;
  }
  return true;
}
