/** Read-only checks for tests: which namespaces and processes of a topology are still around. */
import { readdir, readFile } from 'node:fs/promises';
import { run } from './run.js';
import type { IpFamily, IptablesBackend } from './iptables.js';
import { iptablesBinary } from './iptables.js';
import type { Topology } from './types.js';

/** Namespace names (as `ip netns list` shows them) that start with `prefix`. */
export async function namespacesStartingWith(prefix: string): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/** PIDs whose command line contains `text` (e.g. a topology id), excluding this process. */
export async function pidsMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

/** `iptables-<backend>-restore --noflush` (ip6tables for family 6) of `rules` in a namespace. */
export async function restoreRules(
  topology: Topology,
  backend: IptablesBackend,
  family: IpFamily,
  rules: string,
  ns = 'node',
): Promise<void> {
  await topology.exec(ns, [iptablesBinary(backend, family, 'restore'), '--noflush'], { input: rules });
}

/** Empties the filter and nat tables (a restore without --noflush) and flushes conntrack. */
export async function resetRules(topology: Topology, backend: IptablesBackend, ns = 'node'): Promise<void> {
  const empty = '*filter\nCOMMIT\n*nat\nCOMMIT\n';
  const families: IpFamily[] = topology.ipv6 ? [4, 6] : [4];
  for (const family of families) {
    await topology.exec(ns, [iptablesBinary(backend, family, 'restore')], { input: empty });
  }
  await topology.flushConntrack(ns);
}
