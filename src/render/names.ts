import { hash as oneShotHash } from 'node:crypto';
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
const HASH_CHARS = 16;
const SEP_PREFIX = 'KUBE-SEP-';

/**
 * `prefix` + RFC 4648 base32 of the first bytes of `bytes`, enough to give `chars` characters.
 * Built with one join so the name is a flat string: it is kept in the memo and used as a map key
 * and rule text on every render, and a `+=`-built one is a tree of cons strings.
 */
function base32Prefix(prefix: string, bytes: Uint8Array, chars: number): string {
  const out = [prefix];
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out.push(BASE32_ALPHABET.charAt((buffer >> (bits - 5)) & 31));
      bits -= 5;
      if (out.length > chars) return out.join('');
    }
  }
  return out.join('');
}

/** prefix + hash of `text`; the one-shot hash skips the Hash object createHash would allocate. */
function hashName(prefix: string, text: string): string {
  return base32Prefix(prefix, oneShotHash('sha256', text, 'buffer'), HASH_CHARS);
}

/**
 * Hashes are memoised: a node re-renders the same service ports and endpoints on every sync, and
 * sha256 dominates render time at 100k endpoints. The memo only ever returns what the hash would,
 * so rendering stays a pure function of its input. It is dropped whole when it grows past the limit.
 *
 * It is keyed by service port name, then protocol, then endpoint: a renderer looks the port up
 * once and then each endpoint by its `ip:port` string alone, and no lookup hashes a freshly
 * concatenated `name + protocol + endpoint` key. The SEP names are stored whole, so every render
 * shares the same flat strings instead of building new ones.
 */
const MEMO_LIMIT = 1_000_000;
const memo = new Map<string, Partial<Record<Protocol, EndpointChains>>>();
let memoEntries = 0;

/** Memoised names of one service port: its hash and the SEP chains of its endpoints. */
export class EndpointChains {
  private portHash: string | undefined;
  private readonly seps = new Map<string, ChainName>();

  /** @param text servicePortName + lower-case protocol: the hash input of the port. */
  constructor(private readonly text: string) {}

  /** The hash shared by the port's SVC, SVL, EXT and FW chains. */
  hash(): string {
    this.portHash ??= hashName('', this.text);
    return this.portHash;
  }

  /** KUBE-SEP-<hash> for one endpoint (`ip:port`, `[ip]:port` for IPv6) of this port. */
  chain(endpoint: string): ChainName {
    let name = this.seps.get(endpoint);
    if (name === undefined) {
      name = hashName(SEP_PREFIX, this.text + endpoint) as ChainName;
      this.seps.set(endpoint, name);
      memoEntries++;
    }
    return name;
  }
}

/** The memoised names of a service port; look it up once, then ask it for each endpoint. */
export function endpointChains(portName: string, protocol: Protocol): EndpointChains {
  let byProtocol = memo.get(portName);
  let chains = byProtocol?.[protocol];
  if (chains === undefined) {
    if (memoEntries >= MEMO_LIMIT) {
      memo.clear();
      memoEntries = 0;
      byProtocol = undefined;
    }
    if (byProtocol === undefined) {
      byProtocol = {};
      memo.set(portName, byProtocol);
    }
    chains = new EndpointChains(portName + protocol.toLowerCase());
    byProtocol[protocol] = chains;
    memoEntries++;
  }
  return chains;
}

/** `namespace/name` plus `:portName` when the port is named: kube-proxy's ServicePortName string. */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`;
}

/** The hash shared by a service port's SVC, SVL, EXT and FW chains. */
export function servicePortHash(portName: string, protocol: Protocol): string {
  return endpointChains(portName, protocol).hash();
}

export function serviceChain(prefix: ServiceChainPrefix, hash: string): ChainName {
  return (prefix + hash) as ChainName;
}

/** KUBE-SEP-<hash> for one endpoint (`ip:port`, `[ip]:port` for IPv6) of a service port. */
export function endpointChain(portName: string, protocol: Protocol, endpoint: string): ChainName {
  return endpointChains(portName, protocol).chain(endpoint);
}

/** Prefixes of the per-service nat chains; any nat chain starting with one of them is kproxy's. */
export const SERVICE_CHAIN_PREFIXES: readonly string[] = [
  'KUBE-SVC-',
  'KUBE-SVL-',
  'KUBE-SEP-',
  'KUBE-FW-',
  'KUBE-EXT-',
];
