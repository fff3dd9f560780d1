import type { Node, NodeAddress } from '../model/cluster.js';
import { type ConvertResult, DNS_SUBDOMAIN, guard, readCidr, readIp, readMeta } from './convert-common.js';
import { Raw } from './raw.js';

/** Address types whose address is an IP; Hostname, InternalDNS and ExternalDNS entries are dropped. */
const IP_ADDRESS_TYPES = new Set(['InternalIP', 'ExternalIP']);

function readAddresses(root: Raw): NodeAddress[] {
  return root
    .obj('status')
    .list('addresses')
    .flatMap((a) => {
      const type = a.str('type') ?? '';
      if (!IP_ADDRESS_TYPES.has(type)) return [];
      return [{ type, address: readIp(a.str('address') ?? '', a.path('address')) }];
    });
}

function readPodCidrs(spec: Raw): string[] {
  const cidrs = spec.strList('podCIDRs');
  if (cidrs.length > 0) return cidrs.map((c, i) => readCidr(c, `${spec.path('podCIDRs')}[${i}]`));
  const single = spec.str('podCIDR') ?? '';
  return single === '' ? [] : [readCidr(single, spec.path('podCIDR'))];
}

function convert(obj: unknown): ConvertResult<Node> {
  const root = Raw.root(obj);
  const meta = readMeta(root, false, DNS_SUBDOMAIN);
  return {
    kind: 'ok',
    value: {
      name: meta.name,
      labels: meta.labels,
      addresses: readAddresses(root),
      podCIDRs: readPodCidrs(root.obj('spec')),
      deleting: meta.deleting,
    },
  };
}

/** Converts a v1 Node. Only InternalIP/ExternalIP addresses are kept (canonical, in status order). */
export function convertNode(obj: unknown): ConvertResult<Node> {
  return guard(() => convert(obj));
}
