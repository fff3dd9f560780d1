import { formatHostPort, parseCidr, parseIp } from '../model/ip.js';
import { isDnsSubdomain, isInterfaceName } from '../model/names.js';
import { parseGoDuration } from './duration.js';
import type { DetectLocalMode, ProxyConfig } from './types.js';

/**
 * Validators for the configuration fields that shape rules, shared by the file loader and the
 * command-line overrides. Each takes the value and the path to name in errors ("iptables.syncPeriod"
 * or "--iptables-sync-period") and throws a FieldError; the callers turn it into a ConfigError.
 */

export class FieldError extends Error {
  override readonly name = 'FieldError';
}

/** A value as it appears in an error message: strings quoted and escaped, so it stays one line. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? typeof value;
}

export function fieldError(path: string, value: unknown, problem: string): FieldError {
  return new FieldError(`${path}: ${showValue(value)} ${problem}`);
}

export const HEALTHZ_PORT = 10256;
export const METRICS_PORT = 10249;

export const DETECT_LOCAL_MODES: readonly DetectLocalMode[] = [
  'ClusterCIDR',
  'NodeCIDR',
  'BridgeInterface',
  'InterfaceNamePrefix',
];

/** hostnameOverride: trimmed and lower-cased like kube-proxy; '' means "not set". */
export function parseHostnameOverride(value: string, path: string): string {
  const hostname = value.trim().toLowerCase();
  if (hostname !== '' && !isDnsSubdomain(hostname)) {
    throw fieldError(path, value, 'is not a valid node name (a lower-case DNS-1123 subdomain)');
  }
  return hostname;
}

/** bindAddress: a specific IP, or '' when empty or the unspecified address (0.0.0.0, ::). */
export function parseBindAddress(value: string, path: string): string {
  const trimmed = value.trim();
  if (trimmed === '') return '';
  const ip = parseIp(trimmed);
  if (ip === undefined) throw fieldError(path, value, 'is not a valid IP address');
  return ip.canonical === '0.0.0.0' || ip.canonical === '::' ? '' : ip.canonical;
}

/** clusterCIDR: comma-separated, at most one CIDR per family, canonical network form. */
export function parseClusterCidrs(value: string, path: string): string[] {
  if (value.trim() === '') return [];
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length > 2) {
    throw fieldError(path, value, 'has more than two CIDRs (expected one CIDR or a dual-stack pair)');
  }
  const cidrs = parts.map((part) => {
    const cidr = parseCidr(part);
    if (cidr === undefined)
      throw fieldError(path, value, `contains ${showValue(part)}, which is not a valid CIDR`);
    return cidr;
  });
  const [first, second] = cidrs;
  if (first !== undefined && second !== undefined && first.family === second.family) {
    throw fieldError(
      path,
      value,
      'has two CIDRs of the same family (expected one CIDR or a dual-stack pair)',
    );
  }
  return cidrs.map((c) => c.canonical);
}

export function parseDetectLocalMode(value: string, path: string): DetectLocalMode {
  if (value === '') return 'ClusterCIDR';
  const mode = DETECT_LOCAL_MODES.find((m) => m === value);
  if (mode === undefined)
    throw fieldError(path, value, `is not a valid mode (expected one of ${DETECT_LOCAL_MODES.join(', ')})`);
  return mode;
}

/** An interface name or prefix; '' is allowed here and checked against the mode later. */
export function parseInterfaceName(value: string, path: string): string {
  if (value !== '' && !isInterfaceName(value)) {
    throw fieldError(
      path,
      value,
      'is not a valid interface name (1-15 letters, digits, "_", "." or "-", not starting with "." or "-")',
    );
  }
  return value;
}

export function parseDurationMs(value: string, path: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined)
    throw fieldError(path, value, 'is not a valid duration (e.g. "30s", "1m0s", "500ms")');
  if (ms < 0) throw fieldError(path, value, 'must not be negative');
  return ms;
}

const NODE_PORT_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  all: ['0.0.0.0/0', '::/0'],
  localhost: ['127.0.0.0/8', '::1/128'],
};

/**
 * nodePortAddresses: CIDRs (canonicalised), or the single keyword "primary". The newer keywords
 * "all" and "localhost" are expanded to the CIDRs they stand for.
 */
export function parseNodePortAddresses(values: readonly string[], path: string): string[] {
  const out: string[] = [];
  values.forEach((value, i) => {
    const item = `${path}[${i}]`;
    if (value === 'primary') {
      if (values.length !== 1) throw fieldError(item, value, "can't be combined with other entries");
      out.push('primary');
      return;
    }
    const keyword = NODE_PORT_KEYWORDS[value];
    if (keyword !== undefined) {
      out.push(...keyword);
      return;
    }
    const cidr = parseCidr(value);
    if (cidr === undefined) throw fieldError(item, value, 'is not a valid CIDR or "primary"');
    out.push(cidr.canonical);
  });
  return out;
}

/**
 * healthzBindAddress / metricsBindAddress: "IP:port" or "[IPv6]:port", printed canonically; a bare
 * IP gets the default port appended, as kube-proxy's defaulting does.
 */
export function parseHostPort(value: string, path: string, defaultPort: number): string {
  const bare = parseIp(value);
  if (bare !== undefined) return formatHostPort(bare.canonical, defaultPort);
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(value);
  if (match === null)
    throw fieldError(path, value, 'is not a valid address (expected IP:port or [IPv6]:port)');
  const ip = parseIp(match[1] ?? match[2] ?? '');
  if (ip === undefined) throw fieldError(path, value, 'does not start with a valid IP address');
  const port = Number.parseInt(match[3] ?? '', 10);
  if (port < 1 || port > 65535) throw fieldError(path, value, 'does not end with a valid port (1..65535)');
  if (match[1] !== undefined && ip.family !== 'ipv6')
    throw fieldError(path, value, 'has an IPv4 address in brackets');
  return formatHostPort(ip.canonical, port);
}

/** Checks across fields, run after the file and again after the flags are applied. */
export function checkConsistency(config: ProxyConfig): void {
  const { iptables, detectLocalMode, detectLocal } = config;
  if (iptables.syncPeriodMs <= 0)
    throw fieldError('iptables.syncPeriod', `${iptables.syncPeriodMs}ms`, 'must be greater than 0');
  if (iptables.minSyncPeriodMs > iptables.syncPeriodMs) {
    throw fieldError(
      'iptables.syncPeriod',
      `${iptables.syncPeriodMs}ms`,
      `must be greater than or equal to iptables.minSyncPeriod (${iptables.minSyncPeriodMs}ms)`,
    );
  }
  if (detectLocalMode === 'BridgeInterface' && detectLocal.bridgeInterface === '') {
    throw fieldError(
      'detectLocal.bridgeInterface',
      '',
      'must be set when detectLocalMode is BridgeInterface',
    );
  }
  if (detectLocalMode === 'InterfaceNamePrefix' && detectLocal.interfaceNamePrefix === '') {
    throw fieldError(
      'detectLocal.interfaceNamePrefix',
      '',
      'must be set when detectLocalMode is InterfaceNamePrefix',
    );
  }
}
