import type { ProxyConfig } from '../config/types.js';
import type { ClusterSnapshot, Node } from '../model/cluster.js';
import { ZONE_LABEL } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';

/** What the renderer needs to know about the node it programs, for one family. */
export interface NodeFacts {
  readonly name: string;
  readonly node: Node | undefined;
  /** The node's primary IP of the family (bindAddress, else InternalIP, else ExternalIP, else loopback). */
  readonly primaryIP: string;
  readonly zone: string;
  readonly podCIDRs: readonly string[];
}

const isFamily = (ip: string, family: IpFamily): boolean => ip.includes(':') === (family === 'ipv6');

export function nodeFacts(snapshot: ClusterSnapshot, config: ProxyConfig, family: IpFamily): NodeFacts {
  const node = snapshot.nodes.find((n) => n.name === config.hostname);
  let primaryIP = config.bindAddress !== '' && isFamily(config.bindAddress, family) ? config.bindAddress : '';
  if (primaryIP === '' && node) {
    for (const type of ['InternalIP', 'ExternalIP']) {
      const found = node.addresses.find((a) => a.type === type && isFamily(a.address, family));
      if (found) {
        primaryIP = found.address;
        break;
      }
    }
  }
  if (primaryIP === '') primaryIP = family === 'ipv4' ? '127.0.0.1' : '::1';
  return {
    name: config.hostname,
    node,
    primaryIP,
    zone: node?.labels[ZONE_LABEL] ?? '',
    podCIDRs: node?.podCIDRs ?? [],
  };
}
