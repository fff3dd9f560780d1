import type { Endpoint, EndpointPort, EndpointSlice } from '../model/cluster.js';
import { IP_FAMILIES, type IpFamily } from '../model/family.js';
import { parseIp } from '../model/ip.js';
import { isDnsLabel } from '../model/names.js';
import {
  type ConvertResult,
  DNS_LABEL,
  excludedByLabel,
  guard,
  ignored,
  readIp,
  readMeta,
  readPort,
  readProtocol,
  triggerTime,
} from './convert-common.js';
import { readNodeName } from './convert-endpoint-slice.js';
import { Invalid, Raw, invalid } from './raw.js';

const NO_HINTS = { forZones: undefined, forNodes: undefined } as const;

function readPorts(subset: Raw): EndpointPort[] {
  return subset.list('ports').map((p) => {
    const name = p.str('name') ?? '';
    if (name !== '' && !isDnsLabel(name))
      throw invalid(p.path('name'), name, `is not a valid port name (${DNS_LABEL.describe})`);
    const port = readPort(p, 'port', 1);
    if (port === undefined) throw new Invalid(`${p.path('port')}: is missing`);
    return { name, protocol: readProtocol(p), port };
  });
}

function readAddresses(subset: Raw, key: 'addresses' | 'notReadyAddresses'): Endpoint[] {
  const ready = key === 'addresses';
  return subset.list(key).map((a) => ({
    ip: readIp(a.str('ip') ?? '', a.path('ip')),
    ready,
    serving: ready,
    terminating: false,
    nodeName: readNodeName(a),
    zone: '',
    hints: NO_HINTS,
  }));
}

function familyOf(endpoint: Endpoint): IpFamily | undefined {
  return parseIp(endpoint.ip)?.family;
}

/**
 * One model slice per subset and family, named `NAME-subsetI` (IPv4) and `NAME-subsetI-ipv6`
 * (IPv6), so (source, namespace, name) stays unique.
 */
function convert(obj: unknown): ConvertResult<EndpointSlice[]> {
  const root = Raw.root(obj);
  const meta = readMeta(root, true, DNS_LABEL);
  const excluded = excludedByLabel(meta.labels);
  if (excluded !== undefined) return ignored(excluded);
  const triggerTimeMs = triggerTime(meta.annotations);
  const slices = root.list('subsets').flatMap((subset, i) => {
    const ports = readPorts(subset);
    const endpoints = [...readAddresses(subset, 'addresses'), ...readAddresses(subset, 'notReadyAddresses')];
    return IP_FAMILIES.flatMap((family): EndpointSlice[] => {
      const ofFamily = endpoints.filter((e) => familyOf(e) === family);
      if (ofFamily.length === 0) return [];
      const name = `${meta.name}-subset${i}${family === 'ipv6' ? '-ipv6' : ''}`;
      return [
        {
          source: 'Endpoints',
          namespace: meta.namespace,
          name,
          serviceName: meta.name,
          family,
          ports,
          endpoints: ofFamily,
          triggerTimeMs,
        },
      ];
    });
  });
  return { kind: 'ok', value: slices };
}

/**
 * Converts a legacy v1 Endpoints object into EndpointSlice-shaped model slices (source
 * 'Endpoints'): `addresses` are ready and serving, `notReadyAddresses` neither; never terminating.
 */
export function convertEndpoints(obj: unknown): ConvertResult<EndpointSlice[]> {
  return guard(() => convert(obj));
}
