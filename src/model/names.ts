/**
 * Name validators. Everything that can reach an iptables rule or comment (namespaces, names, port
 * names, interface names) must pass one of these, so no input can inject text into the rules.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/** A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters (namespaces, service and port names). */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

/** A DNS-1123 subdomain: dot-separated labels, at most 253 characters (node and EndpointSlice names). */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

/** A label value (may be empty), e.g. a topology zone. */
export function isLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

/**
 * A Linux interface name usable in `-i NAME` / `-i PREFIX+`: 1-15 characters of letters, digits,
 * '_', '.', '-', not starting with '.' or '-' (stricter than the kernel: no '/', ':', whitespace,
 * quotes, '+', '!' or anything else iptables-restore might read as syntax).
 */
export function isInterfaceName(s: string): boolean {
  return INTERFACE_NAME.test(s);
}
