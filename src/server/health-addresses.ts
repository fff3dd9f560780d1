import { cidrContains } from '../model/ip.js';

/**
 * Where health-check NodePorts listen, chosen as kube-proxy does: on every address unless
 * nodePortAddresses narrows NodePorts, then only on the node's own addresses inside those CIDRs
 * (so an externalTrafficPolicy Local service's health port is not open on addresses its NodePort
 * is not). Pure: `interfaceAddresses` are the node's, canonical.
 */
export interface HealthCheckAddresses {
  /** undefined: every address. */
  readonly addresses: readonly string[] | undefined;
  /** Why every address although nodePortAddresses is set; undefined otherwise. */
  readonly reason: string | undefined;
}

export function healthCheckAddresses(
  nodePortAddresses: readonly string[],
  interfaceAddresses: readonly string[],
): HealthCheckAddresses {
  if (nodePortAddresses.length === 0) return { addresses: undefined, reason: undefined };
  if (nodePortAddresses.some((entry) => entry.endsWith('/0'))) {
    return { addresses: undefined, reason: undefined };
  }
  if (nodePortAddresses.includes('primary')) {
    // The primary IP comes from the Node object, which is not known until the informers sync.
    return { addresses: undefined, reason: 'nodePortAddresses includes "primary"' };
  }
  const matching = interfaceAddresses.filter((ip) =>
    nodePortAddresses.some((cidr) => cidrContains(cidr, ip)),
  );
  if (matching.length === 0) {
    return { addresses: undefined, reason: 'no local address is inside nodePortAddresses' };
  }
  return { addresses: matching, reason: undefined };
}
