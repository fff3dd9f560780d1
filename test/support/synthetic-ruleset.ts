import type { RuleSet } from '../../src/model/ruleset.js';

/**
 * A kube-proxy-shaped nat ruleset of any size without going through the renderer: KUBE-SERVICES
 * jumping to one SVC chain per service, each jumping to its SEP chains.
 */
export function syntheticRuleSet(
  services: number,
  endpointsOf: (service: number) => number,
  hookRule = '-j KUBE-SERVICES',
): RuleSet {
  const nat = new Map<string, string[]>();
  const kubeServices: string[] = [];
  for (let i = 0; i < services; i++) {
    const svc = `KUBE-SVC-${String(i).padStart(16, 'A')}`;
    kubeServices.push(`-d 10.96.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport 80 -j ${svc}`);
    const jumps: string[] = [];
    for (let e = 0; e < endpointsOf(i); e++) {
      const sep = `KUBE-SEP-${String(i * 10_000 + e).padStart(16, 'B')}`;
      jumps.push(`-j ${sep}`);
      nat.set(sep, [`-p tcp -m tcp -j DNAT --to-destination 10.${e >> 8}.${e & 255}.${i & 255}:8080`]);
    }
    nat.set(svc, jumps);
  }
  nat.set('KUBE-SERVICES', kubeServices);
  const empty = { chains: new Map<string, string[]>(), hooks: [] };
  return {
    family: 'ipv4',
    tables: {
      filter: empty,
      nat: { chains: nat, hooks: [{ chain: 'PREROUTING', rule: hookRule }] },
      mangle: empty,
    },
  };
}
