import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { ProxyConfig } from '../config/types.js';
import type { Runner } from '../iptables/runner.js';
import { parseIp } from '../model/ip.js';
import type { HostFacts } from '../render/input.js';

const TCP_BE_LIBERAL = '/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal';

/** Every address on this machine's interfaces (this network namespace's), canonical. */
export function interfaceAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const parsed = parseIp(info.address.split('%')[0] ?? '');
      if (parsed) out.add(parsed.canonical);
    }
  }
  return [...out].sort();
}

async function readTcpBeLiberal(): Promise<boolean> {
  try {
    return (await readFile(TCP_BE_LIBERAL, 'utf8')).trim() !== '0';
  } catch {
    return false;
  }
}

/** The facts of the machine kproxy programs: its addresses, iptables features and conntrack mode. */
export async function probeHostFacts(runner: Runner, config: ProxyConfig): Promise<HostFacts> {
  return {
    localAddresses: interfaceAddresses(),
    randomFully: await runner.supportsRandomFully(),
    tcpBeLiberal: config.conntrack.tcpBeLiberal ?? (await readTcpBeLiberal()),
  };
}
