/**
 * The rules one service port contributes: lines for the shared top-level chains and the service's
 * own nat chains. Fragments are assembled into a RuleSet in a fixed order; keeping them separate
 * lets a caller reuse the fragment of a service that did not change.
 */
export interface ServiceFragment {
  /** nat KUBE-SERVICES */
  readonly natServices: string[];
  /** nat KUBE-NODEPORTS */
  readonly natNodePorts: string[];
  /** filter KUBE-SERVICES */
  readonly filterServices: string[];
  /** filter KUBE-EXTERNAL-SERVICES */
  readonly filterExternal: string[];
  /** filter KUBE-NODEPORTS */
  readonly filterNodePorts: string[];
  /** filter KUBE-PROXY-FIREWALL */
  readonly filterFirewall: string[];
  /** The service's SVC/SVL/EXT/FW/SEP chains, in the order they were written. */
  readonly natChains: Map<string, string[]>;
  /** Whether a Local policy left this port without endpoints on this node (for metrics). */
  readonly noLocalEndpoints: { readonly internal: boolean; readonly external: boolean };
}

export function emptyFragment(
  noLocalEndpoints: ServiceFragment['noLocalEndpoints'] = { internal: false, external: false },
): ServiceFragment {
  return {
    natServices: [],
    natNodePorts: [],
    filterServices: [],
    filterExternal: [],
    filterNodePorts: [],
    filterFirewall: [],
    natChains: new Map(),
    noLocalEndpoints,
  };
}
