import type { IpFamily } from '../../../src/model/family.js';
import type { Hook, RuleSet, TableName, TableRules } from '../../../src/model/ruleset.js';

/** Builds a RuleSet from plain objects; chains keep the given order. */
export function ruleSet(
  family: IpFamily,
  tables: Partial<Record<TableName, { chains?: Record<string, string[]>; hooks?: Hook[] }>>,
): RuleSet {
  const table = (name: TableName): TableRules => ({
    chains: new Map(Object.entries(tables[name]?.chains ?? {})),
    hooks: tables[name]?.hooks ?? [],
  });
  return { family, tables: { filter: table('filter'), nat: table('nat'), mangle: table('mangle') } };
}

export const SERVICES_HOOK = '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES';
export const POSTROUTING_HOOK = '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING';

/** A small nat + filter ruleset in save form. */
export function sampleRuleSet(): RuleSet {
  return ruleSet('ipv4', {
    nat: {
      chains: {
        'KUBE-MARK-MASQ': ['-j MARK --set-xmark 0x4000/0x4000'],
        'KUBE-NODEPORTS': [],
        'KUBE-POSTROUTING': [
          '-m mark ! --mark 0x4000/0x4000 -j RETURN',
          '-j MARK --set-xmark 0x4000/0x0',
          '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
        ],
        'KUBE-SEP-AAAA': [
          '-s 10.180.0.1/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ',
          '-p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.1:80',
        ],
        'KUBE-SERVICES': [
          '-d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-XXXX',
          '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
        ],
        'KUBE-SVC-XXXX': ['-m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-AAAA'],
      },
      hooks: [
        { chain: 'PREROUTING', rule: SERVICES_HOOK },
        { chain: 'OUTPUT', rule: SERVICES_HOOK },
        { chain: 'POSTROUTING', rule: POSTROUTING_HOOK },
      ],
    },
    filter: {
      chains: {
        'KUBE-SERVICES': [
          '-d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
        ],
      },
      hooks: [
        {
          chain: 'OUTPUT',
          rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        },
      ],
    },
  });
}
