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

/** Characters escaped with a backslash inside a quoted string (`$&` in the replacement: the match). */
const ESCAPED = /["\\']/g;

/** [A-Za-z0-9_-]: what may be saved without quotes. */
function isBareChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2d // -
  );
}

/** `"`, `'` or `\`: escaped inside quotes. */
function isEscapedChar(c: number): boolean {
  return c === 0x22 || c === 0x27 || c === 0x5c;
}

/**
 * A string argument as iptables-save writes it: bare when it is one or more of [A-Za-z0-9_-],
 * otherwise double-quoted with `"`, `'` and `\` escaped. One scan of the characters decides,
 * rather than a regular expression test and a replace per comment of every rule.
 */
export function saveString(value: string): string {
  let bare = value.length > 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (isEscapedChar(c)) return `"${value.replace(ESCAPED, '\\$&')}"`;
    if (!isBareChar(c)) bare = false;
  }
  return bare ? value : `"${value}"`;
}

/**
 * The pieces go into an array and are joined once: a rule built by repeated concatenation is a
 * tree of cons strings, several times the size of the flat string join makes, and a full render
 * keeps hundreds of thousands of rules.
 */
export function ruleText(parts: RuleParts): string {
  const pieces: string[] = [];
  if (parts.src) pieces.push(`${parts.src.negate ? '! -s' : '-s'} ${parts.src.cidr}`);
  if (parts.dst) pieces.push(`${parts.dst.negate ? '! -d' : '-d'} ${parts.dst.cidr}`);
  if (parts.inInterface) pieces.push(`${parts.inInterface.negate ? '! -i' : '-i'} ${parts.inInterface.name}`);
  if (parts.protocol) pieces.push(`-p ${parts.protocol}`);
  if (parts.comment !== undefined) pieces.push(commentMatch(parts.comment));
  if (parts.matches) {
    // An empty match before any other piece leaves no separator behind (the rule starts at the
    // next piece); after one it still adds its space.
    for (const m of parts.matches) if (m !== '' || pieces.length > 0) pieces.push(m);
  }
  if (parts.target) pieces.push(`-j ${parts.target}`);
  return pieces.join(' ');
}

/** `-m comment --comment` with the comment in save form. */
export function commentMatch(comment: string): string {
  return `-m comment --comment ${saveString(comment)}`;
}

/** The prefix length of a single address: `/32` or `/128`. */
export function hostPrefix(family: IpFamily): string {
  return family === 'ipv4' ? '/32' : '/128';
}

/** A single address as a host CIDR (`/32`, `/128`). */
export function hostCidr(ip: string, family: IpFamily): string {
  return `${ip}${hostPrefix(family)}`;
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

/** `DNAT --to-destination`, without the endpoint that follows it. */
export const DNAT_TARGET = 'DNAT --to-destination';
