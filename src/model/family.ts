/** An IP family. kproxy renders and applies each family separately, as kube-proxy does. */
export type IpFamily = 'ipv4' | 'ipv6';

export const IP_FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];

/** The Kubernetes spelling of a family (Service.spec.ipFamilies, EndpointSlice.addressType). */
export function familyFromApi(value: string): IpFamily | undefined {
  if (value === 'IPv4') return 'ipv4';
  if (value === 'IPv6') return 'ipv6';
  return undefined;
}
