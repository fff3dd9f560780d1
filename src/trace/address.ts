import ipaddr from 'ipaddr.js';

import type { IpFamily } from '../model/family.js';

/** An IP address as bytes (4 for IPv4, 16 for IPv6): prefix and mask tests are byte operations. */
export interface Address {
  readonly family: IpFamily;
  readonly bytes: readonly number[];
  /** Canonical text (RFC 5952 for IPv6). */
  readonly text: string;
}

export interface Cidr {
  readonly address: Address;
  readonly prefix: number;
}

/** Parses a plain address (dotted quad or IPv6); undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const parsed = ipaddr.IPv4.parse(text);
    return { family: 'ipv4', bytes: parsed.toByteArray(), text: parsed.toString() };
  }
  if (ipaddr.IPv6.isValid(text)) {
    const parsed = ipaddr.IPv6.parse(text);
    return { family: 'ipv6', bytes: parsed.toByteArray(), text: parsed.toRFC5952String() };
  }
  return undefined;
}

/** Parses `addr/prefix` or a bare address (a host route, as iptables reads it). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const max = address.bytes.length * 8;
  if (slash < 0) return { address, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { address, prefix } : undefined;
}

export function cidrContains(cidr: Cidr, address: Address): boolean {
  if (cidr.address.family !== address.family) return false;
  const mask = prefixMask(cidr.prefix, address.bytes.length);
  return maskedEqual(cidr.address.bytes, address.bytes, mask);
}

/** True when `a & mask == b & mask`, byte by byte. */
export function maskedEqual(a: readonly number[], b: readonly number[], mask: readonly number[]): boolean {
  if (a.length !== b.length || a.length !== mask.length) return false;
  return a.every((byte, i) => (byte & mask[i]!) === (b[i]! & mask[i]!));
}

export function prefixMask(prefix: number, length: number): number[] {
  return Array.from({ length }, (_, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return (0xff << (8 - bits)) & 0xff;
  });
}

/** `ip:port`, with brackets for IPv6, as kube-proxy names endpoints. */
export function formatEndpoint(address: Address, port: number): string {
  return address.family === 'ipv6' ? `[${address.text}]:${port}` : `${address.text}:${port}`;
}

const LOOPBACK: readonly Cidr[] = [parseCidr('127.0.0.0/8')!, parseCidr('::1/128')!];

/** What `-m addrtype --*-type LOCAL` sees: the host's addresses plus loopback. */
export function isLocalAddress(address: Address, localAddresses: readonly Address[]): boolean {
  return (
    LOOPBACK.some((cidr) => cidrContains(cidr, address)) ||
    localAddresses.some(
      (local) =>
        local.family === address.family &&
        maskedEqual(local.bytes, address.bytes, allOnes(local.bytes.length)),
    )
  );
}

function allOnes(length: number): number[] {
  return prefixMask(length * 8, length);
}
