import type { TableName } from '../model/ruleset.js';

/**
 * Which chains kproxy may rewrite or delete on its own. See docs/dataplane.md §2 and §9.
 *
 * - apply: per-service chains (nat, by prefix) and kube-proxy's fixed chains in the table where
 *   kube-proxy creates them. Chains kubelet creates (KUBE-FIREWALL, KUBE-MARK-DROP,
 *   KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT) are never deleted by apply, even when kproxy writes
 *   KUBE-FIREWALL's content itself.
 * - cleanup: every KUBE-* chain of nat, filter and mangle except kubelet's two marker chains
 *   (KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT), which kubelet monitors and kproxy never creates.
 *   KUBE-FIREWALL and KUBE-MARK-DROP go too: kube-proxy creates them as well, and kubelet
 *   re-creates its copy within a minute.
 */

export const SERVICE_CHAIN_PREFIXES: readonly string[] = [
  'KUBE-SVC-',
  'KUBE-SVL-',
  'KUBE-SEP-',
  'KUBE-FW-',
  'KUBE-EXT-',
];

const FIXED_CHAINS: Readonly<Record<TableName, readonly string[]>> = {
  nat: ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-PROXY-CANARY'],
  filter: [
    'KUBE-SERVICES',
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-NODEPORTS',
    'KUBE-FORWARD',
    'KUBE-PROXY-FIREWALL',
    'KUBE-PROXY-CANARY',
  ],
  mangle: ['KUBE-PROXY-CANARY'],
};

/** kubelet's marker chains: cleanup leaves them alone. */
export const KUBELET_MARKER_CHAINS: readonly string[] = ['KUBE-KUBELET-CANARY', 'KUBE-IPTABLES-HINT'];

export const CLEANUP_TABLES: readonly TableName[] = ['filter', 'nat', 'mangle'];

export function isServiceChain(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}

/** A chain apply may delete when the desired ruleset no longer has it. */
export function isOwnedChain(table: string, chain: string): boolean {
  if (table === 'nat' && isServiceChain(chain)) return true;
  const fixed = (FIXED_CHAINS as Record<string, readonly string[] | undefined>)[table];
  return fixed?.includes(chain) ?? false;
}

/** A chain `kproxy cleanup` removes. */
export function isCleanupChain(table: string, chain: string): boolean {
  return (
    (CLEANUP_TABLES as readonly string[]).includes(table) &&
    chain.startsWith('KUBE-') &&
    !KUBELET_MARKER_CHAINS.includes(chain)
  );
}
