import { cidrContains } from '../model/ip.js';
import type { IpFamily } from '../model/family.js';
import { addrtypeMatch, hostCidr, ruleText } from './rule-text.js';

/**
 * nodePortAddresses for one family: match every local address, or only the local addresses inside
 * the configured CIDRs (`primary` meaning the node's primary IP).
 */
export type NodePortScope =
  { readonly kind: 'all' } | { readonly kind: 'cidrs'; readonly cidrs: readonly string[] };

const ofFamily = (family: IpFamily) => (s: string) => s.includes(':') === (family === 'ipv6');
const isLoopback = (ip: string): boolean => ip === '::1' || ip.startsWith('127.');

export function nodePortScope(
  configured: readonly string[],
  family: IpFamily,
  primaryIP: string,
): NodePortScope {
  const cidrs = configured
    .map((entry) => (entry === 'primary' ? hostCidr(primaryIP, family) : entry))
    .filter(ofFamily(family));
  if (cidrs.length === 0 || cidrs.some((c) => c.endsWith('/0'))) return { kind: 'all' };
  return { kind: 'cidrs', cidrs: [...new Set(cidrs)] };
}

/** Localhost NodePorts are possible only for IPv4, and only when the scope includes loopback. */
export function localhostNodePortsEnabled(
  configured: boolean,
  scope: NodePortScope,
  family: IpFamily,
): boolean {
  if (!configured || family !== 'ipv4') return false;
  if (scope.kind === 'all') return true;
  return scope.cidrs.some((c) => isLoopback(c) || cidrContains(c, '127.0.0.0'));
}

export const NODEPORTS_COMMENT =
  'kubernetes service nodeports; NOTE: this must be the last rule in this chain';

export interface NodePortDispatch {
  readonly rules: string[];
  /** Addresses left out (loopback where localhost NodePorts are off), for a warning. */
  readonly skippedLoopback: string[];
}

/** The last rules of nat KUBE-SERVICES: hand local destinations to KUBE-NODEPORTS. */
export function nodePortDispatch(
  scope: NodePortScope,
  family: IpFamily,
  localhostNodePorts: boolean,
  localAddresses: readonly string[],
): NodePortDispatch {
  if (scope.kind === 'all') {
    const notLoopback =
      family === 'ipv6'
        ? { cidr: '::1/128', negate: true }
        : localhostNodePorts
          ? undefined
          : { cidr: '127.0.0.0/8', negate: true };
    return {
      rules: [
        ruleText({
          dst: notLoopback,
          comment: NODEPORTS_COMMENT,
          matches: [addrtypeMatch('dst')],
          target: 'KUBE-NODEPORTS',
        }),
      ],
      skippedLoopback: [],
    };
  }
  const rules: string[] = [];
  const skippedLoopback: string[] = [];
  const addresses = [...new Set(localAddresses.filter(ofFamily(family)))].sort();
  for (const ip of addresses) {
    if (!scope.cidrs.some((c) => cidrContains(c, ip))) continue;
    if (isLoopback(ip) && (family === 'ipv6' || !localhostNodePorts)) {
      skippedLoopback.push(ip);
      continue;
    }
    rules.push(
      ruleText({ dst: { cidr: hostCidr(ip, family) }, comment: NODEPORTS_COMMENT, target: 'KUBE-NODEPORTS' }),
    );
  }
  return { rules, skippedLoopback };
}
