import type { Endpoint, EndpointSlice, Protocol } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import { compareBytes } from '../model/ruleset.js';

/** One endpoint of one service port: the slice endpoint plus the port it listens on. */
export interface PortEndpoint {
  readonly endpoint: Endpoint;
  /** `ip:port`, or `[ip]:port` for IPv6: the DNAT destination and part of the SEP hash. */
  readonly address: string;
  readonly ip: string;
  readonly port: number;
  readonly local: boolean;
}

/**
 * Joined rather than concatenated, so the address is a flat string: it is hashed as a memo key,
 * compared while sorting and copied into rule text, and a concatenated one is a cons string that
 * each of those first flattens.
 */
function formatAddress(ip: string, port: number, family: IpFamily): string {
  return family === 'ipv6' ? ['[', ip, ']:', port].join('') : [ip, port].join(':');
}

/** Index of a service's slices of one family, by `namespace/serviceName`. */
export function indexSlices(
  slices: readonly EndpointSlice[],
  family: IpFamily,
): ReadonlyMap<string, readonly EndpointSlice[]> {
  const byService = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    if (slice.family !== family) continue;
    const key = `${slice.namespace}/${slice.serviceName}`;
    const list = byService.get(key);
    if (list) list.push(slice);
    else byService.set(key, [slice]);
  }
  for (const list of byService.values()) list.sort((a, b) => compareBytes(a.name, b.name));
  return byService;
}

/**
 * The endpoints of one service port (matched by port name and protocol, as kube-proxy does),
 * de-duplicated by `ip:port` (a non-terminating copy wins) and sorted by that string.
 */
export function endpointsForPort(
  slices: readonly EndpointSlice[],
  portName: string,
  protocol: Protocol,
  family: IpFamily,
  hostname: string,
): PortEndpoint[] {
  const all: PortEndpoint[] = [];
  for (const slice of slices) {
    for (const port of slice.ports) {
      if (port.name !== portName || port.protocol !== protocol) continue;
      for (const endpoint of slice.endpoints) {
        all.push({
          endpoint,
          address: formatAddress(endpoint.ip, port.port, family),
          ip: endpoint.ip,
          port: port.port,
          local: hostname !== '' && endpoint.nodeName === hostname,
        });
      }
    }
  }
  sortByAddress(all);
  return hasDuplicates(all) ? firstOfEachAddress(all) : all;
}

/** Lists up to this long are sorted in place by insertion; most ports have a handful of endpoints. */
const INSERTION_SORT_MAX = 32;

/**
 * Stable sort by address: copies of one address stay in slice order, next to each other. A short
 * list is insertion-sorted inline, which saves Array.prototype.sort a comparator call per step.
 */
function sortByAddress(list: PortEndpoint[]): void {
  if (list.length > INSERTION_SORT_MAX) {
    list.sort(byAddress);
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const ep = list[i] as PortEndpoint;
    let j = i - 1;
    // Only strictly greater addresses move up, so equal ones keep their order.
    for (; j >= 0 && compareBytes((list[j] as PortEndpoint).address, ep.address) > 0; j--) {
      list[j + 1] = list[j] as PortEndpoint;
    }
    list[j + 1] = ep;
  }
}

function byAddress(a: PortEndpoint, b: PortEndpoint): number {
  return compareBytes(a.address, b.address);
}

function hasDuplicates(sorted: readonly PortEndpoint[]): boolean {
  for (let i = 1; i < sorted.length; i++) if (sorted[i]?.address === sorted[i - 1]?.address) return true;
  return false;
}

/**
 * One endpoint per address, from a list sorted by address with copies in slice order: the first
 * non-terminating copy, else the first copy (a terminating copy only ever gives way to a
 * non-terminating one).
 */
function firstOfEachAddress(sorted: readonly PortEndpoint[]): PortEndpoint[] {
  const out: PortEndpoint[] = [];
  for (const ep of sorted) {
    const last = out[out.length - 1];
    if (last === undefined || last.address !== ep.address) out.push(ep);
    else if (last.endpoint.terminating && !ep.endpoint.terminating) out[out.length - 1] = ep;
  }
  return out;
}
