/**
 * The field tree of KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1), used only to tell
 * known fields (accepted, most of them ignored by kproxy) from unknown ones (a warning).
 * `true` = a leaf or an opaque value (maps, free-form options); an object = a struct whose own
 * fields are checked too.
 */

export type FieldTree = { readonly [field: string]: true | FieldTree };

const SYNC = { syncPeriod: true, minSyncPeriod: true } as const;

export const KUBE_PROXY_CONFIGURATION_FIELDS: FieldTree = {
  apiVersion: true,
  kind: true,
  featureGates: true,
  clientConnection: { kubeconfig: true, acceptContentTypes: true, contentType: true, qps: true, burst: true },
  logging: { format: true, flushFrequency: true, verbosity: true, vmodule: true, options: true },
  hostnameOverride: true,
  bindAddress: true,
  healthzBindAddress: true,
  metricsBindAddress: true,
  bindAddressHardFail: true,
  enableProfiling: true,
  showHiddenMetricsForVersion: true,
  mode: true,
  iptables: {
    ...SYNC,
    masqueradeBit: true,
    masqueradeAll: true,
    localhostNodePorts: true,
    snatNodeInternalIP: true,
  },
  ipvs: {
    ...SYNC,
    scheduler: true,
    excludeCIDRs: true,
    strictARP: true,
    tcpTimeout: true,
    tcpFinTimeout: true,
    udpTimeout: true,
  },
  nftables: { ...SYNC, masqueradeBit: true, masqueradeAll: true },
  winkernel: {
    networkName: true,
    sourceVip: true,
    enableDSR: true,
    rootHnsEndpointName: true,
    forwardHealthCheckVip: true,
  },
  detectLocalMode: true,
  detectLocal: { bridgeInterface: true, interfaceNamePrefix: true },
  clusterCIDR: true,
  nodePortAddresses: true,
  oomScoreAdj: true,
  conntrack: {
    maxPerCore: true,
    min: true,
    tcpEstablishedTimeout: true,
    tcpCloseWaitTimeout: true,
    tcpBeLiberal: true,
    udpTimeout: true,
    udpStreamTimeout: true,
  },
  configSyncPeriod: true,
  portRange: true,
  windowsRunAsService: true,
};

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Dotted paths of the fields in `value` that `tree` does not know, in document order. */
export function unknownFields(value: Record<string, unknown>, tree: FieldTree, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const known = Object.hasOwn(tree, key) ? tree[key] : undefined;
    if (known === undefined) out.push(path);
    else if (known !== true && isMapping(child)) out.push(...unknownFields(child, known, path));
  }
  return out;
}
