import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { ProxyConfig } from '../config/types.js';
import type { Runner } from '../iptables/runner.js';
import { parseIp } from '../model/ip.js';
import type { HostFacts } from '../render/input.js';

/**
 * Host facts for a live node: the interfaces' addresses, whether the iptables binary supports
 * MASQUERADE --random-fully (>= 1.6.2), and nf_conntrack_tcp_be_liberal (the config wins when set).
 */

export const TCP_BE_LIBERAL_PATH = '/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal';

export type HostFactsProvider = () => Promise<HostFacts>;

/** Canonical addresses of every local interface, both families, sorted. */
export function interfaceAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const ip = parseIp(info.address.split('%')[0] ?? '');
      if (ip) out.add(ip.canonical);
    }
  }
  return [...out].sort();
}

async function readTcpBeLiberal(path: string): Promise<boolean> {
  try {
    return (await readFile(path, 'utf8')).trim() !== '0';
  } catch {
    return false;
  }
}

async function randomFully(runner: Runner): Promise<boolean> {
  try {
    return await runner.supportsRandomFully();
  } catch {
    return false;
  }
}

export function liveHostFacts(
  config: ProxyConfig,
  runner: Runner,
  opts: { readonly addresses?: () => string[]; readonly tcpBeLiberalPath?: string } = {},
): HostFactsProvider {
  const addresses = opts.addresses ?? interfaceAddresses;
  return async () => ({
    localAddresses: addresses(),
    randomFully: await randomFully(runner),
    tcpBeLiberal:
      config.conntrack.tcpBeLiberal ?? (await readTcpBeLiberal(opts.tcpBeLiberalPath ?? TCP_BE_LIBERAL_PATH)),
  });
}
