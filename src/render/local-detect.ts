import type { ProxyConfig } from '../config/types.js';
import type { IpFamily } from '../model/family.js';
import type { AddressMatch, InterfaceMatch } from './rule-text.js';

/**
 * How rules recognise traffic from this cluster's pods (detectLocalMode). `none` when the mode has
 * no value for the family: then there is no ClusterIP masquerade rule (unless masqueradeAll) and
 * no pod short-circuit in EXT chains.
 */
export type LocalDetector =
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'interface'; readonly name: string };

export interface DetectorMatch {
  readonly src?: AddressMatch;
  readonly inInterface?: InterfaceMatch;
}

function cidrOfFamily(cidrs: readonly string[], family: IpFamily): string | undefined {
  return cidrs.find((c) => c.includes(':') === (family === 'ipv6'));
}

export function localDetector(
  config: ProxyConfig,
  podCIDRs: readonly string[],
  family: IpFamily,
): LocalDetector {
  switch (config.detectLocalMode) {
    case 'ClusterCIDR': {
      const cidr = cidrOfFamily(config.clusterCIDRs, family);
      return cidr ? { kind: 'cidr', cidr } : { kind: 'none', reason: `clusterCIDR has no ${family} CIDR` };
    }
    case 'NodeCIDR': {
      const cidr = cidrOfFamily(podCIDRs, family);
      return cidr ? { kind: 'cidr', cidr } : { kind: 'none', reason: `the node has no ${family} podCIDR` };
    }
    case 'BridgeInterface':
      return { kind: 'interface', name: config.detectLocal.bridgeInterface };
    case 'InterfaceNamePrefix':
      return { kind: 'interface', name: `${config.detectLocal.interfaceNamePrefix}+` };
    default: {
      const unreachable: never = config.detectLocalMode;
      return unreachable;
    }
  }
}

/** The match for "comes from a local pod" (negate=false) or "does not" (negate=true). */
export function detectorMatch(detector: LocalDetector, negate: boolean): DetectorMatch | undefined {
  switch (detector.kind) {
    case 'none':
      return undefined;
    case 'cidr':
      return { src: { cidr: detector.cidr, negate } };
    case 'interface':
      return { inInterface: { name: detector.name, negate } };
    default: {
      const unreachable: never = detector;
      return unreachable;
    }
  }
}
