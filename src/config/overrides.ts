import { ConfigError } from '../errors.js';
import {
  FieldError,
  HEALTHZ_PORT,
  METRICS_PORT,
  checkConsistency,
  parseBindAddress,
  parseClusterCidrs,
  parseDetectLocalMode,
  parseDurationMs,
  parseHostPort,
  parseHostnameOverride,
  parseNodePortAddresses,
} from './fields.js';
import type { ProxyConfig } from './types.js';

/** Command-line flags that override the file, in the string forms kube-proxy's flags take. */
export interface ConfigOverrides {
  readonly hostnameOverride: string;
  readonly clusterCIDR: string;
  readonly masqueradeAll: boolean;
  readonly syncPeriod: string;
  readonly minSyncPeriod: string;
  /** Each element may itself be comma-separated, as with kube-proxy's --nodeport-addresses. */
  readonly nodePortAddresses: readonly string[];
  readonly detectLocalMode: string;
  readonly healthzBindAddress: string;
  readonly metricsBindAddress: string;
  readonly bindAddress: string;
}

function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function apply(config: ProxyConfig, o: Partial<ConfigOverrides>): ProxyConfig {
  const hostname =
    o.hostnameOverride === undefined ? '' : parseHostnameOverride(o.hostnameOverride, '--hostname-override');
  return {
    ...config,
    hostname: hostname !== '' ? hostname : config.hostname,
    bindAddress:
      o.bindAddress === undefined ? config.bindAddress : parseBindAddress(o.bindAddress, '--bind-address'),
    clusterCIDRs:
      o.clusterCIDR === undefined ? config.clusterCIDRs : parseClusterCidrs(o.clusterCIDR, '--cluster-cidr'),
    detectLocalMode:
      o.detectLocalMode === undefined
        ? config.detectLocalMode
        : parseDetectLocalMode(o.detectLocalMode, '--detect-local-mode'),
    iptables: {
      ...config.iptables,
      masqueradeAll: o.masqueradeAll ?? config.iptables.masqueradeAll,
      syncPeriodMs:
        o.syncPeriod === undefined
          ? config.iptables.syncPeriodMs
          : parseDurationMs(o.syncPeriod, '--iptables-sync-period'),
      minSyncPeriodMs:
        o.minSyncPeriod === undefined
          ? config.iptables.minSyncPeriodMs
          : parseDurationMs(o.minSyncPeriod, '--iptables-min-sync-period'),
    },
    nodePortAddresses:
      o.nodePortAddresses === undefined
        ? config.nodePortAddresses
        : parseNodePortAddresses(splitList(o.nodePortAddresses), '--nodeport-addresses'),
    healthzBindAddress:
      o.healthzBindAddress === undefined
        ? config.healthzBindAddress
        : parseHostPort(o.healthzBindAddress, '--healthz-bind-address', HEALTHZ_PORT),
    metricsBindAddress:
      o.metricsBindAddress === undefined
        ? config.metricsBindAddress
        : parseHostPort(o.metricsBindAddress, '--metrics-bind-address', METRICS_PORT),
  };
}

/**
 * Applies command-line overrides on top of a loaded configuration, validating them as the file is
 * validated. Undefined fields leave the configuration alone; an empty --hostname-override too.
 */
export function applyOverrides(config: ProxyConfig, overrides: Partial<ConfigOverrides>): ProxyConfig {
  try {
    const result = apply(config, overrides);
    checkConsistency(result);
    return result;
  } catch (err) {
    if (err instanceof FieldError) throw new ConfigError(err.message, undefined, { cause: err });
    throw err;
  }
}
