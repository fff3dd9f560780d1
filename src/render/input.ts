import type { ProxyConfig } from '../config/types.js';
import type { ClusterSnapshot } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';

/** Facts about the machine that shape the rules. The CLI gathers them; the renderer only reads them. */
export interface HostFacts {
  /**
   * Addresses assigned to this node's interfaces (both families, canonical). Used to expand CIDR
   * `nodePortAddresses` into per-address rules and to find the primary node IP when the Node
   * object has none. Offline rendering derives them from the Node object's addresses.
   */
  readonly localAddresses: readonly string[];
  /** The iptables binary supports MASQUERADE --random-fully. */
  readonly randomFully: boolean;
  /** net.netfilter.nf_conntrack_tcp_be_liberal is non-zero: KUBE-FORWARD drops no INVALID packets. */
  readonly tcpBeLiberal: boolean;
}

export interface RenderInput {
  readonly snapshot: ClusterSnapshot;
  readonly config: ProxyConfig;
  readonly family: IpFamily;
  readonly host: HostFacts;
}

export interface RenderWarning {
  /** What the warning is about, e.g. `Service ns/name` or `config nodePortAddresses`. */
  readonly object: string;
  readonly message: string;
}
