import { createHash } from 'node:crypto';
import type { Protocol } from '../model/cluster.js';

/**
 * Chain names, exactly as kube-proxy computes them, so kproxy can take over a node's rules in place:
 * prefix + the first 16 characters of base32(sha256(servicePortName + protocol [+ endpoint])).
 */

declare const chainBrand: unique symbol;
/** A chain name kproxy generated (always <= 28 characters, [A-Z0-9-] only). */
export type ChainName = string & { readonly [chainBrand]: true };

export type ServiceChainPrefix = 'KUBE-SVC-' | 'KUBE-SVL-' | 'KUBE-EXT-' | 'KUBE-FW-';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of the first bytes of `bytes`, enough to give `chars` characters. */
function base32Prefix(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === chars) return out;
    }
  }
  return out;
}

/**
 * Hashes are memoised: a node re-renders the same service ports and endpoints on every sync, and
 * sha256 dominates render time at 100k endpoints. The memo only ever returns what the hash would,
 * so rendering stays a pure function of its input. It is dropped whole when it grows past the limit.
 */
const MEMO_LIMIT = 1_000_000;
const memo = new Map<string, string>();

function hash16(text: string): string {
  let h = memo.get(text);
  if (h === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    h = base32Prefix(createHash('sha256').update(text).digest(), 16);
    memo.set(text, h);
  }
  return h;
}

/** `namespace/name` plus `:portName` when the port is named: kube-proxy's ServicePortName string. */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`;
}

/** The hash shared by a service port's SVC, SVL, EXT and FW chains. */
export function servicePortHash(portName: string, protocol: Protocol): string {
  return hash16(portName + protocol.toLowerCase());
}

export function serviceChain(prefix: ServiceChainPrefix, hash: string): ChainName {
  return (prefix + hash) as ChainName;
}

/** KUBE-SEP-<hash> for one endpoint (`ip:port`, `[ip]:port` for IPv6) of a service port. */
export function endpointChain(portName: string, protocol: Protocol, endpoint: string): ChainName {
  return ('KUBE-SEP-' + hash16(portName + protocol.toLowerCase() + endpoint)) as ChainName;
}

/** Prefixes of the per-service nat chains; any nat chain starting with one of them is kproxy's. */
export const SERVICE_CHAIN_PREFIXES: readonly string[] = [
  'KUBE-SVC-',
  'KUBE-SVL-',
  'KUBE-SEP-',
  'KUBE-FW-',
  'KUBE-EXT-',
];
