import type { Endpoint, EndpointHints, EndpointPort, EndpointSlice } from '../model/cluster.js';
import { familyFromApi, type IpFamily } from '../model/family.js';
import { isDnsLabel, isDnsSubdomain, isLabelValue } from '../model/names.js';
import {
  intern,
  type ConvertResult,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  LABEL_SERVICE_NAME,
  excludedByLabel,
  guard,
  ignored,
  readIp,
  readMeta,
  readPort,
  readProtocol,
  triggerTime,
} from './convert-common.js';
import { type Raw as RawType, Raw, invalid } from './raw.js';

/** Ports with a nil name or a nil/zero port number are skipped, as kube-proxy does. */
function readSlicePorts(raw: Raw): EndpointPort[] {
  return raw.list('ports').flatMap((p) => {
    const name = p.str('name');
    const port = readPort(p, 'port', 0);
    if (name === undefined || port === undefined || port === 0) return [];
    if (name !== '' && !isDnsLabel(name))
      throw invalid(p.path('name'), name, `is not a valid port name (${DNS_LABEL.describe})`);
    return [{ name, protocol: readProtocol(p), port }];
  });
}

function hintNames(
  hints: RawType | undefined,
  key: string,
  check: (s: string) => boolean,
): string[] | undefined {
  if (hints === undefined) return undefined;
  const names = hints.list(key).map((h) => {
    const name = h.str('name') ?? '';
    if (!check(name)) throw invalid(h.path('name'), name, 'is not a valid name');
    return name;
  });
  // kube-proxy treats an empty hint list like no hints at all.
  return names.length === 0 ? undefined : names;
}

/** Shared by every endpoint without hints (most of them): one object instead of one each. */
const NO_HINTS: EndpointHints = Object.freeze({ forZones: undefined, forNodes: undefined });

function readHints(e: Raw): EndpointHints {
  const hints = e.optObj('hints');
  const forZones = hintNames(hints, 'forZones', isLabelValue);
  const forNodes = hintNames(hints, 'forNodes', isDnsSubdomain);
  return forZones === undefined && forNodes === undefined ? NO_HINTS : { forZones, forNodes };
}

/** An endpoint's node name ('' when unset); used for locality, so it must be a valid node name. */
export function readNodeName(raw: Raw): string {
  const nodeName = raw.str('nodeName') ?? '';
  if (nodeName !== '' && !isDnsSubdomain(nodeName)) {
    throw invalid(raw.path('nodeName'), nodeName, `is not a valid node name (${DNS_SUBDOMAIN.describe})`);
  }
  return intern(nodeName);
}

/** Endpoints with no addresses are dropped; only addresses[0] is used. */
function readEndpoint(e: Raw, family: IpFamily): Endpoint[] {
  const addresses = e.strList('addresses');
  const first = addresses[0];
  if (first === undefined) return [];
  const conditions = e.obj('conditions');
  const zone = e.str('zone') ?? '';
  if (!isLabelValue(zone)) throw invalid(e.path('zone'), zone, 'is not a valid zone name');
  return [
    {
      ip: readIp(first, `${e.path('addresses')}[0]`, family),
      ready: conditions.bool('ready') ?? true,
      serving: conditions.bool('serving') ?? true,
      terminating: conditions.bool('terminating') ?? false,
      nodeName: readNodeName(e),
      zone: intern(zone),
      hints: readHints(e),
    },
  ];
}

function convert(obj: unknown): ConvertResult<EndpointSlice> {
  const root = Raw.root(obj);
  const meta = readMeta(root, true, DNS_SUBDOMAIN);
  const excluded = excludedByLabel(meta.labels);
  if (excluded !== undefined) return ignored(excluded);
  const serviceName = meta.labels[LABEL_SERVICE_NAME] ?? '';
  if (serviceName === '') return ignored(`no ${LABEL_SERVICE_NAME} label`);
  if (!isDnsLabel(serviceName)) {
    throw invalid(
      `metadata.labels[${JSON.stringify(LABEL_SERVICE_NAME)}]`,
      serviceName,
      'is not a valid service name',
    );
  }
  const addressType = root.str('addressType') ?? '';
  const family = familyFromApi(addressType);
  if (family === undefined) return ignored(`addressType ${JSON.stringify(addressType)}`);
  return {
    kind: 'ok',
    value: {
      source: 'EndpointSlice',
      namespace: meta.namespace,
      name: meta.name,
      serviceName,
      family,
      ports: readSlicePorts(root),
      endpoints: root.list('endpoints').flatMap((e) => readEndpoint(e, family)),
      triggerTimeMs: triggerTime(meta.annotations),
    },
  };
}

/**
 * Converts a discovery.k8s.io/v1 EndpointSlice. Slices without the service-name label, of an
 * address type other than IPv4/IPv6, or labelled headless / service-proxy-name are ignored.
 */
export function convertEndpointSlice(obj: unknown): ConvertResult<EndpointSlice> {
  return guard(() => convert(obj));
}
