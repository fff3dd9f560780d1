import type { Protocol } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import { parseCidr, parseIp } from '../model/ip.js';
import { isDnsLabel, isDnsSubdomain } from '../model/names.js';
import { Invalid, Raw, invalid } from './raw.js';

/** The outcome of converting one API object. */
export type ConvertResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly message: string };

export interface ConvertWarning {
  /** What the warning is about, e.g. `Service default/web`. */
  readonly object: string;
  readonly message: string;
}

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const ANNOTATION_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export function ignored<T>(reason: string): ConvertResult<T> {
  return { kind: 'ignored', reason };
}

/** Runs a converter, turning a thrown `Invalid` into an 'invalid' result. */
export function guard<T>(fn: () => ConvertResult<T>): ConvertResult<T> {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Invalid) return { kind: 'invalid', message: err.message };
    throw err;
  }
}

export interface Meta {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly deleting: boolean;
}

export interface NameRule {
  readonly test: (s: string) => boolean;
  readonly describe: string;
}

export const DNS_LABEL: NameRule = { test: isDnsLabel, describe: 'a lower-case DNS-1123 label' };
export const DNS_SUBDOMAIN: NameRule = { test: isDnsSubdomain, describe: 'a lower-case DNS-1123 subdomain' };

/**
 * metadata of a namespaced (`namespaced: true`; namespace defaults to "default", as kubectl
 * applies it) or cluster-scoped object; the name must pass `rule`.
 */
export function readMeta(root: Raw, namespaced: boolean, rule: NameRule): Meta {
  const meta = root.obj('metadata');
  const name = meta.str('name') ?? '';
  if (name === '') throw new Invalid('metadata.name: is missing');
  if (!rule.test(name)) throw invalid('metadata.name', name, `is not a valid name (${rule.describe})`);
  const namespace = namespaced ? (meta.str('namespace') ?? '') || 'default' : '';
  if (namespaced && !DNS_LABEL.test(namespace)) {
    throw invalid('metadata.namespace', namespace, `is not a valid namespace (${DNS_LABEL.describe})`);
  }
  return {
    namespace,
    name,
    labels: meta.strMap('labels'),
    annotations: meta.strMap('annotations'),
    deleting: meta.has('deletionTimestamp'),
  };
}

/** kube-proxy's informers drop anything carrying these labels (any value). */
export function excludedByLabel(labels: Readonly<Record<string, string>>): string | undefined {
  if (Object.hasOwn(labels, LABEL_SERVICE_PROXY_NAME)) return `labelled ${LABEL_SERVICE_PROXY_NAME}`;
  if (Object.hasOwn(labels, LABEL_HEADLESS)) return `labelled ${LABEL_HEADLESS}`;
  return undefined;
}

export function readIp(value: string, path: string, family?: IpFamily): string {
  const ip = parseIp(value);
  if (ip === undefined) throw invalid(path, value, 'is not a valid IP address');
  if (family !== undefined && ip.family !== family)
    throw invalid(path, value, `is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  return ip.canonical;
}

export function readCidr(value: string, path: string): string {
  const cidr = parseCidr(value);
  if (cidr === undefined) throw invalid(path, value, 'is not a valid CIDR');
  return cidr.canonical;
}

export function readProtocol(raw: Raw): Protocol {
  const value = raw.str('protocol') ?? '';
  if (value === '') return 'TCP';
  if (value === 'TCP' || value === 'UDP' || value === 'SCTP') return value;
  throw invalid(raw.path('protocol'), value, 'is not a supported protocol (TCP, UDP or SCTP)');
}

export function readPort(raw: Raw, key: string, min: number): number | undefined {
  const value = raw.int(key);
  if (value !== undefined && (value < min || value > 65535))
    throw invalid(raw.path(key), value, 'is not a valid port');
  return value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The last-change-trigger-time annotation as ms since the epoch; undefined when absent or malformed. */
export function triggerTime(annotations: Readonly<Record<string, string>>): number | undefined {
  const value = annotations[ANNOTATION_TRIGGER_TIME];
  if (value === undefined || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

const PLAIN_NAME = /^[A-Za-z0-9._-]{1,253}$/;

/** `Kind ns/name` for messages; names that are not plain are quoted so a message stays one line. */
export function describeObject(kind: string, namespace: string, name: string): string {
  const part = (s: string): string => (PLAIN_NAME.test(s) ? s : JSON.stringify(s));
  const safeKind = PLAIN_NAME.test(kind) ? kind : JSON.stringify(kind);
  return namespace === '' ? `${safeKind} ${part(name)}` : `${safeKind} ${part(namespace)}/${part(name)}`;
}

/** Interned strings past this many are forgotten (the table is dropped and starts again). */
const INTERN_LIMIT = 10_000;
const interned = new Map<string, string>();

/**
 * The one copy of a value that recurs across many objects (node names, zones): JSON.parse makes a
 * new string for every occurrence, and 100k endpoints name only as many nodes as the cluster has.
 */
export function intern(value: string): string {
  if (value === '') return value;
  const found = interned.get(value);
  if (found !== undefined) return found;
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(value, value);
  return value;
}
