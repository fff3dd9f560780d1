import type { IpFamily } from '../model/family.js';

/**
 * Builds rule text in the exact form iptables-save prints it back (iptables 1.8, both backends):
 * addresses and interface first (`[!] -s`, `[!] -d`, `[!] -i`), then `-p`, then the matches in
 * the order given, then the target. Host addresses carry /32 or /128.
 */

export interface AddressMatch {
  readonly cidr: string;
  readonly negate?: boolean;
}

export interface InterfaceMatch {
  readonly name: string;
  readonly negate?: boolean;
}

export interface RuleParts {
  readonly src?: AddressMatch;
  readonly dst?: AddressMatch;
  readonly inInterface?: InterfaceMatch;
  /** Lower-case protocol for `-p`. */
  readonly protocol?: string;
  readonly comment?: string;
  /** Match modules after the comment, each already in save form (see the helpers below). */
  readonly matches?: readonly string[];
  /** `-j` target and its options; omitted for a counter-only rule. */
  readonly target?: string;
}

const NO_QUOTE = /^[A-Za-z0-9_-]+$/;

/** A string argument as iptables-save writes it: bare when safe, otherwise double-quoted. */
export function saveString(value: string): string {
  if (NO_QUOTE.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

export function ruleText(parts: RuleParts): string {
  let out = '';
  const add = (piece: string): void => {
    out = out === '' ? piece : `${out} ${piece}`;
  };
  if (parts.src) add(`${parts.src.negate ? '! -s' : '-s'} ${parts.src.cidr}`);
  if (parts.dst) add(`${parts.dst.negate ? '! -d' : '-d'} ${parts.dst.cidr}`);
  if (parts.inInterface) add(`${parts.inInterface.negate ? '! -i' : '-i'} ${parts.inInterface.name}`);
  if (parts.protocol) add(`-p ${parts.protocol}`);
  if (parts.comment !== undefined) add(`-m comment --comment ${saveString(parts.comment)}`);
  if (parts.matches) for (const m of parts.matches) add(m);
  if (parts.target) add(`-j ${parts.target}`);
  return out;
}

/** A single address as a host CIDR (`/32`, `/128`). */
export function hostCidr(ip: string, family: IpFamily): string {
  return family === 'ipv4' ? `${ip}/32` : `${ip}/128`;
}

export function dportMatch(protocol: string, port: number): string {
  return `-m ${protocol} --dport ${port}`;
}

export function addrtypeMatch(direction: 'src' | 'dst'): string {
  return `-m addrtype --${direction}-type LOCAL`;
}

function fullMask(family: IpFamily): string {
  return family === 'ipv4' ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
}

/** `-m recent --rcheck`: the client has used this endpoint within `seconds`. */
export function recentCheckMatch(name: string, seconds: number, family: IpFamily): string {
  return `-m recent --rcheck --seconds ${seconds} --reap --name ${name} --mask ${fullMask(family)} --rsource`;
}

/** `-m recent --set`: remember that the client used this endpoint. */
export function recentSetMatch(name: string, family: IpFamily): string {
  return `-m recent --set --name ${name} --mask ${fullMask(family)} --rsource`;
}

export function rejectTarget(family: IpFamily): string {
  return family === 'ipv4'
    ? 'REJECT --reject-with icmp-port-unreachable'
    : 'REJECT --reject-with icmp6-port-unreachable';
}

export function dnatTarget(endpoint: string): string {
  return `DNAT --to-destination ${endpoint}`;
}
