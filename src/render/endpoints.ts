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

function formatAddress(ip: string, port: number, family: IpFamily): string {
  return family === 'ipv6' ? `[${ip}]:${port}` : `${ip}:${port}`;
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
  const byAddress = new Map<string, PortEndpoint>();
  for (const slice of slices) {
    for (const port of slice.ports) {
      if (port.name !== portName || port.protocol !== protocol) continue;
      for (const endpoint of slice.endpoints) {
        const address = formatAddress(endpoint.ip, port.port, family);
        const existing = byAddress.get(address);
        if (existing && !(existing.endpoint.terminating && !endpoint.terminating)) continue;
        byAddress.set(address, {
          endpoint,
          address,
          ip: endpoint.ip,
          port: port.port,
          local: hostname !== '' && endpoint.nodeName === hostname,
        });
      }
    }
  }
  return [...byAddress.values()].sort((a, b) => compareBytes(a.address, b.address));
}
