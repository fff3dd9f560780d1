import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import {
  FieldError,
  HEALTHZ_PORT,
  METRICS_PORT,
  checkConsistency,
  fieldError,
  parseBindAddress,
  parseClusterCidrs,
  parseDetectLocalMode,
  parseDurationMs,
  parseHostPort,
  parseHostnameOverride,
  parseInterfaceName,
  parseNodePortAddresses,
  showValue,
} from './fields.js';
import { RawReader, isMapping } from './raw.js';
import { KUBE_PROXY_CONFIGURATION_FIELDS, unknownFields } from './schema.js';
import { DEFAULT_CONFIG, type ProxyConfig } from './types.js';

export const CONFIG_API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const CONFIG_KIND = 'KubeProxyConfiguration';

export interface LoadedConfig {
  readonly config: ProxyConfig;
  readonly warnings: string[];
}

export interface ConfigDefaults {
  /** The machine's hostname, used when hostnameOverride is not set. */
  readonly hostname: string;
}

/** Runs `fn`, turning a FieldError into a ConfigError for `file`. */
function withFile<T>(file: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FieldError) throw new ConfigError(err.message, file, { cause: err });
    throw err;
  }
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text);
  const [error] = doc.errors;
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const message = error.message.split('\n')[0] ?? error.message;
    throw new ConfigError(`${line !== undefined ? `line ${line}: ` : ''}${message}`, file, { cause: error });
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function checkTypeMeta(root: RawReader): void {
  const apiVersion = root.string('apiVersion');
  if (apiVersion === undefined)
    throw new FieldError(`apiVersion: is missing (expected ${CONFIG_API_VERSION})`);
  if (apiVersion !== CONFIG_API_VERSION) {
    throw fieldError('apiVersion', apiVersion, `is not supported (expected ${CONFIG_API_VERSION})`);
  }
  const kind = root.string('kind');
  if (kind === undefined) throw new FieldError(`kind: is missing (expected ${CONFIG_KIND})`);
  if (kind !== CONFIG_KIND) throw fieldError('kind', kind, `is not supported (expected ${CONFIG_KIND})`);
  const mode = root.string('mode') ?? '';
  if (mode !== '' && mode !== 'iptables')
    throw fieldError('mode', mode, 'is not supported: kproxy only implements iptables mode');
}

function readIptables(root: RawReader): ProxyConfig['iptables'] {
  const section = root.section('iptables');
  const defaults = DEFAULT_CONFIG.iptables;
  const bit = section.integer('masqueradeBit') ?? defaults.masqueradeBit;
  if (bit < 0 || bit > 31) throw fieldError(section.path('masqueradeBit'), bit, 'is out of range (0..31)');
  const duration = (key: string, fallback: number): number => {
    const raw = section.string(key);
    const ms = raw === undefined ? 0 : parseDurationMs(raw, section.path(key));
    // kube-proxy's defaulting replaces a zero duration with the default.
    return ms === 0 ? fallback : ms;
  };
  return {
    masqueradeAll: section.boolean('masqueradeAll') ?? defaults.masqueradeAll,
    masqueradeBit: bit,
    localhostNodePorts: section.boolean('localhostNodePorts') ?? defaults.localhostNodePorts,
    syncPeriodMs: duration('syncPeriod', defaults.syncPeriodMs),
    minSyncPeriodMs: duration('minSyncPeriod', defaults.minSyncPeriodMs),
  };
}

function readConfig(root: RawReader, defaults: ConfigDefaults): ProxyConfig {
  checkTypeMeta(root);
  const detectLocal = root.section('detectLocal');
  const conntrack = root.section('conntrack');
  const override = parseHostnameOverride(root.string('hostnameOverride') ?? '', 'hostnameOverride');
  const hostPort = (key: string, fallback: string, port: number): string => {
    const raw = root.string(key) ?? '';
    return raw === '' ? fallback : parseHostPort(raw, key, port);
  };
  return {
    hostname: override !== '' ? override : defaults.hostname.trim().toLowerCase(),
    bindAddress: parseBindAddress(root.string('bindAddress') ?? '', 'bindAddress'),
    clusterCIDRs: parseClusterCidrs(root.string('clusterCIDR') ?? '', 'clusterCIDR'),
    detectLocalMode: parseDetectLocalMode(root.string('detectLocalMode') ?? '', 'detectLocalMode'),
    detectLocal: {
      bridgeInterface: parseInterfaceName(
        detectLocal.string('bridgeInterface') ?? '',
        detectLocal.path('bridgeInterface'),
      ),
      interfaceNamePrefix: parseInterfaceName(
        detectLocal.string('interfaceNamePrefix') ?? '',
        detectLocal.path('interfaceNamePrefix'),
      ),
    },
    iptables: readIptables(root),
    nodePortAddresses: parseNodePortAddresses(
      root.stringList('nodePortAddresses') ?? [],
      'nodePortAddresses',
    ),
    conntrack: { tcpBeLiberal: conntrack.boolean('tcpBeLiberal') },
    healthzBindAddress: hostPort('healthzBindAddress', DEFAULT_CONFIG.healthzBindAddress, HEALTHZ_PORT),
    metricsBindAddress: hostPort('metricsBindAddress', DEFAULT_CONFIG.metricsBindAddress, METRICS_PORT),
    featureGates: root.booleanMap('featureGates') ?? {},
  };
}

function collectWarnings(raw: Record<string, unknown>, config: ProxyConfig): string[] {
  const warnings = unknownFields(raw, KUBE_PROXY_CONFIGURATION_FIELDS).map(
    (path) => `unknown field ${showValue(path)} is ignored`,
  );
  const iptables = raw['iptables'];
  if (isMapping(iptables) && iptables['snatNodeInternalIP'] === true) {
    warnings.push('iptables.snatNodeInternalIP is not supported by kproxy and is ignored');
  }
  if (config.detectLocalMode === 'ClusterCIDR' && config.clusterCIDRs.length === 0) {
    warnings.push(
      'detectLocalMode is ClusterCIDR but clusterCIDR is empty: no traffic will be treated as local',
    );
  }
  return warnings;
}

/**
 * Parses a KubeProxyConfiguration (YAML or JSON). Invalid values throw a ConfigError naming the
 * file, the field path, the bad value and what was expected; unknown fields only warn.
 */
export function parseConfig(text: string, file: string, defaults: ConfigDefaults): LoadedConfig {
  const raw = parseYaml(text, file);
  if (!isMapping(raw)) {
    throw new ConfigError(`expected a ${CONFIG_KIND} mapping, got ${showValue(raw ?? null)}`, file);
  }
  return withFile(file, () => {
    const config = readConfig(new RawReader(raw, ''), defaults);
    checkConsistency(config);
    return { config, warnings: collectWarnings(raw, config) };
  });
}

/** Reads and parses a configuration file; an unreadable file is a ConfigError naming it. */
export async function loadConfigFile(path: string, defaults: ConfigDefaults): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`cannot read the configuration file: ${reason}`, path, { cause: err });
  }
  return parseConfig(text, path, defaults);
}

export { applyOverrides, type ConfigOverrides } from './overrides.js';
