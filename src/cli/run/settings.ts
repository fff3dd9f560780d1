import { hostname as osHostname } from 'node:os';
import type winston from 'winston';
import { applyOverrides, loadConfigFile, type ConfigOverrides } from '../../config/load.js';
import { DEFAULT_CONFIG, type ProxyConfig } from '../../config/types.js';

/** The flags of `kproxy run` that map onto KubeProxyConfiguration fields. */
export interface ConfigFlags {
  readonly config: string | undefined;
  readonly 'hostname-override': string | undefined;
  readonly 'cluster-cidr': string | undefined;
  readonly 'masquerade-all': boolean | undefined;
  readonly 'iptables-sync-period': string | undefined;
  readonly 'iptables-min-sync-period': string | undefined;
  readonly 'nodeport-addresses': string[] | undefined;
  readonly 'detect-local-mode': string | undefined;
  readonly 'healthz-bind-address': string | undefined;
  readonly 'metrics-bind-address': string | undefined;
}

/** The configuration file (or kube-proxy's defaults without one) with the flags on top. */
export async function loadRunConfig(flags: ConfigFlags, log: winston.Logger): Promise<ProxyConfig> {
  const hostname = osHostname();
  let config: ProxyConfig = { ...DEFAULT_CONFIG, hostname: hostname.trim().toLowerCase() };
  if (flags.config !== undefined) {
    const loaded = await loadConfigFile(flags.config, { hostname });
    for (const w of loaded.warnings) log.warn(w, { file: flags.config });
    config = loaded.config;
  }
  const overrides: { -readonly [K in keyof ConfigOverrides]?: ConfigOverrides[K] } = {};
  if (flags['hostname-override'] !== undefined) overrides.hostnameOverride = flags['hostname-override'];
  if (flags['cluster-cidr'] !== undefined) overrides.clusterCIDR = flags['cluster-cidr'];
  if (flags['masquerade-all'] !== undefined) overrides.masqueradeAll = flags['masquerade-all'];
  if (flags['iptables-sync-period'] !== undefined) overrides.syncPeriod = flags['iptables-sync-period'];
  if (flags['iptables-min-sync-period'] !== undefined)
    overrides.minSyncPeriod = flags['iptables-min-sync-period'];
  if (flags['nodeport-addresses'] !== undefined) overrides.nodePortAddresses = flags['nodeport-addresses'];
  if (flags['detect-local-mode'] !== undefined) overrides.detectLocalMode = flags['detect-local-mode'];
  if (flags['healthz-bind-address'] !== undefined)
    overrides.healthzBindAddress = flags['healthz-bind-address'];
  if (flags['metrics-bind-address'] !== undefined)
    overrides.metricsBindAddress = flags['metrics-bind-address'];
  return applyOverrides(config, overrides);
}
