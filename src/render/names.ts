import { hash as oneShotHash } from 'node:crypto';
import type { Protocol } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';

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
 * so rendering stays a pure function of its input.
 *
 * It is keyed by service port name, then protocol; each port remembers the SEP names of the
 * endpoints its last render per family had, by `ip:port`, so no lookup hashes a freshly
 * concatenated key and every render shares the same flat name strings. It stays the size of the
 * cluster: a port forgets endpoints that left when it is rendered again, and ports live in two
 * generations, the young one becoming the old one (and the old one dropped) once it holds
 * GENERATION_ENTRIES names; a port found in the old generation moves to the young one. So pod churn
 * and Service churn cannot grow it without bound, and a full render of a cluster bigger than one
 * generation still finds every port at most one generation back.
 */
export const GENERATION_ENTRIES = 250_000;
let young = new Map<string, Partial<Record<Protocol, EndpointChains>>>();
let old = new Map<string, Partial<Record<Protocol, EndpointChains>>>();
let youngEntries = 0;

/** Memoised names of one service port: its hash and the SEP chains of its endpoints. */
export class EndpointChains {
  private portHash: string | undefined;
  /** Per family: the SEP names of the endpoints the port's last render had. */
  private readonly seps: Partial<Record<IpFamily, ReadonlyMap<string, ChainName>>> = {};

  /** @param text servicePortName + lower-case protocol: the hash input of the port. */
  constructor(private readonly text: string) {}

  /** Names remembered, for the generation count. */
  get entries(): number {
    return 1 + (this.seps.ipv4?.size ?? 0) + (this.seps.ipv6?.size ?? 0);
  }

  /** The hash shared by the port's SVC, SVL, EXT and FW chains. */
  hash(): string {
    this.portHash ??= hashName('', this.text);
    return this.portHash;
  }

  /**
   * KUBE-SEP-<hash> for each endpoint (`ip:port`, `[ip]:port` for IPv6) of this port, in order.
   * Remembers exactly these endpoints' names for the next call for the family.
   */
  names(family: IpFamily, endpoints: readonly string[]): ChainName[] {
    const before = this.seps[family];
    const names = new Array<ChainName>(endpoints.length);
    // The usual case, a port rendered again with the same endpoints: nothing to remember anew.
    if (before !== undefined && before.size === endpoints.length) {
      let i = 0;
      for (; i < endpoints.length; i++) {
        const name = before.get(endpoints[i] as string);
        if (name === undefined) break;
        names[i] = name;
      }
      if (i === endpoints.length) return names;
    }
    const kept = new Map<string, ChainName>();
    for (let i = 0; i < endpoints.length; i++) {
      const endpoint = endpoints[i] as string;
      let name = kept.get(endpoint) ?? before?.get(endpoint);
      name ??= hashName(SEP_PREFIX, this.text + endpoint) as ChainName;
      kept.set(endpoint, name);
      names[i] = name;
    }
    youngEntries += kept.size - (before?.size ?? 0);
    this.seps[family] = kept;
    return names;
  }

  /** KUBE-SEP-<hash> for one endpoint; not remembered. */
  chain(endpoint: string): ChainName {
    return (
      this.seps.ipv4?.get(endpoint) ??
      this.seps.ipv6?.get(endpoint) ??
      (hashName(SEP_PREFIX, this.text + endpoint) as ChainName)
    );
  }
}

/** The memoised names of a service port; look it up once, then ask it for its endpoints. */
export function endpointChains(portName: string, protocol: Protocol): EndpointChains {
  let byProtocol = young.get(portName);
  let chains = byProtocol?.[protocol];
  if (chains !== undefined) return chains;
  if (youngEntries >= GENERATION_ENTRIES) {
    old = young;
    young = new Map();
    youngEntries = 0;
    byProtocol = undefined;
  }
  const older = old.get(portName);
  if (older !== undefined) {
    // The whole port record moves, so its other protocol is not left behind in the old generation.
    old.delete(portName);
    byProtocol = { ...older, ...byProtocol };
    for (const c of Object.values(byProtocol)) youngEntries += c.entries;
    young.set(portName, byProtocol);
    chains = byProtocol[protocol];
    if (chains !== undefined) return chains;
  }
  if (byProtocol === undefined) {
    byProtocol = {};
    young.set(portName, byProtocol);
  }
  chains = new EndpointChains(portName + protocol.toLowerCase());
  byProtocol[protocol] = chains;
  youngEntries++;
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
