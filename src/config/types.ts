/**
 * The validated, defaulted KubeProxyConfiguration fields kproxy uses. Loading and validation live
 * in load.ts; everything downstream receives this shape and never sees the raw file.
 */

export type DetectLocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';

export interface ProxyConfig {
  /** The node name used for endpoint locality (hostnameOverride, else the machine's hostname). */
  readonly hostname: string;
  /** bindAddress when it is a specific address (overrides the primary node IP), else ''. */
  readonly bindAddress: string;
  /** Canonical CIDRs from clusterCIDR (comma-separated, at most one per family). */
  readonly clusterCIDRs: readonly string[];
  readonly detectLocalMode: DetectLocalMode;
  readonly detectLocal: { readonly bridgeInterface: string; readonly interfaceNamePrefix: string };
  readonly iptables: {
    readonly masqueradeAll: boolean;
    /** 0..31; the masquerade mark is 1 << masqueradeBit. */
    readonly masqueradeBit: number;
    readonly localhostNodePorts: boolean;
    readonly syncPeriodMs: number;
    readonly minSyncPeriodMs: number;
  };
  /** Canonical CIDRs and/or the literal 'primary'; empty means every local address. */
  readonly nodePortAddresses: readonly string[];
  readonly conntrack: { readonly tcpBeLiberal: boolean | undefined };
  readonly healthzBindAddress: string;
  readonly metricsBindAddress: string;
  readonly featureGates: Readonly<Record<string, boolean>>;
}

export const DEFAULT_CONFIG: ProxyConfig = {
  hostname: '',
  bindAddress: '',
  clusterCIDRs: [],
  detectLocalMode: 'ClusterCIDR',
  detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
  iptables: {
    masqueradeAll: false,
    masqueradeBit: 14,
    localhostNodePorts: true,
    syncPeriodMs: 30_000,
    minSyncPeriodMs: 1_000,
  },
  nodePortAddresses: [],
  conntrack: { tcpBeLiberal: undefined },
  healthzBindAddress: '0.0.0.0:10256',
  metricsBindAddress: '127.0.0.1:10249',
  featureGates: {},
};
