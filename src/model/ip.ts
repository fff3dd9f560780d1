import type { IpFamily } from './family.js';

/**
 * Strict IP and CIDR helpers. Parsing follows Go's "sloppy" parser as kube-proxy uses it: IPv4
 * parts may carry leading zeros and are always decimal ("172.30.0.041" is 172.30.0.41, never
 * octal). Output is canonical: dotted decimal for IPv4, RFC 5952 for IPv6 (lower case, no leading
 * zeros, the longest run of two or more zero groups compressed). IPv6 zone indices ("%eth0") and
 * IPv4-mapped IPv6 addresses ("::ffff:1.2.3.4", which Go would silently turn into IPv4) are
 * rejected, as is anything with surrounding whitespace: callers trim where the API allows padding.
 */

export interface ParsedIp {
  readonly family: IpFamily;
  readonly canonical: string;
}

export interface ParsedCidr {
  readonly family: IpFamily;
  /** Network address form, e.g. "10.0.0.0/8" for "10.1.2.3/8". */
  readonly canonical: string;
  /** The canonical network address, e.g. "10.0.0.0". */
  readonly address: string;
  readonly prefixLength: number;
}

const MAX_INPUT_LENGTH = 100;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const DECIMAL = /^[0-9]{1,12}$/;

function parseIpv4Bytes(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!DECIMAL.test(part)) return undefined;
    const value = Number.parseInt(part, 10);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseHexGroups(s: string): number[] | undefined {
  if (s === '') return [];
  const groups: number[] = [];
  for (const group of s.split(':')) {
    if (!HEX_GROUP.test(group)) return undefined;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

/** Splits a trailing embedded IPv4 address ("::ffff:1.2.3.4") into two 16-bit groups. */
function splitEmbeddedIpv4(s: string): { hex: string; tail: number[] } | undefined {
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (!last.includes('.')) return { hex: s, tail: [] };
  const v4 = parseIpv4Bytes(last);
  if (v4 === undefined) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = v4;
  // Keep the colon(s) before the IPv4 part so "::1.2.3.4" still splits on "::".
  const hex = s.endsWith('::' + last) ? s.slice(0, lastColon + 1) : s.slice(0, lastColon);
  return { hex, tail: [(a << 8) | b, (c << 8) | d] };
}

function parseIpv6Bytes(s: string): number[] | undefined {
  const split = splitEmbeddedIpv4(s);
  if (split === undefined) return undefined;
  const halves = split.hex.split('::');
  if (halves.length > 2) return undefined;
  const head = parseHexGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseHexGroups(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const explicit = head.length + rest.length + split.tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...split.tail];
  } else {
    if (explicit !== 8) return undefined;
    groups = [...head, ...split.tail];
  }
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function isIpv4Mapped(bytes: readonly number[]): boolean {
  return (
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  );
}

function parseBytes(s: string): number[] | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_INPUT_LENGTH) return undefined;
  if (!s.includes(':')) return parseIpv4Bytes(s);
  const bytes = parseIpv6Bytes(s);
  return bytes === undefined || isIpv4Mapped(bytes) ? undefined : bytes;
}

function formatIpv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

function formatBytes(bytes: readonly number[]): string {
  return bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes);
}

function familyOfBytes(bytes: readonly number[]): IpFamily {
  return bytes.length === 4 ? 'ipv4' : 'ipv6';
}

function maskBytes(bytes: readonly number[], prefixLength: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.min(8, Math.max(0, prefixLength - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

/** Parses an IP address; undefined when it is not one. */
export function parseIp(s: string): ParsedIp | undefined {
  const bytes = parseBytes(s);
  return bytes === undefined ? undefined : { family: familyOfBytes(bytes), canonical: formatBytes(bytes) };
}

function parseCidrBytes(s: string): { bytes: number[]; prefixLength: number } | undefined {
  if (typeof s !== 'string') return undefined;
  const parts = s.split('/');
  if (parts.length !== 2) return undefined;
  const [addr = '', prefix = ''] = parts;
  const bytes = parseBytes(addr);
  if (bytes === undefined || !/^[0-9]{1,3}$/.test(prefix)) return undefined;
  const prefixLength = Number.parseInt(prefix, 10);
  if (prefixLength > bytes.length * 8) return undefined;
  return { bytes, prefixLength };
}

/** Parses a CIDR ("10.1.2.3/8"); the result is in network address form ("10.0.0.0/8"). */
export function parseCidr(s: string): ParsedCidr | undefined {
  const parsed = parseCidrBytes(s);
  if (parsed === undefined) return undefined;
  const address = formatBytes(maskBytes(parsed.bytes, parsed.prefixLength));
  return {
    family: familyOfBytes(parsed.bytes),
    canonical: `${address}/${parsed.prefixLength}`,
    address,
    prefixLength: parsed.prefixLength,
  };
}

/** True when `ip` lies inside `cidr`; false when either does not parse or the families differ. */
export function cidrContains(cidr: string, ip: string): boolean {
  const net = parseCidrBytes(cidr);
  const addr = parseBytes(ip);
  if (net === undefined || addr === undefined || net.bytes.length !== addr.length) return false;
  const a = maskBytes(addr, net.prefixLength);
  const b = maskBytes(net.bytes, net.prefixLength);
  return a.every((byte, i) => byte === b[i]);
}

/** The family of an IP address or CIDR; undefined when it is neither. */
export function ipFamilyOf(ipOrCidr: string): IpFamily | undefined {
  return (parseIp(ipOrCidr) ?? parseCidr(ipOrCidr))?.family;
}

/** "1.2.3.4:80", or "[fd00::1]:80" for IPv6. The address is printed as given. */
export function formatHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
